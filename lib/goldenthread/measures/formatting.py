"""Figures and words as a council report writes them: 94.41%, £1.2m, 1,204, July 2019.

Every figure is rounded half up (2.5 -> "3", 0.125 -> "0.13"), as councils and Excel do, on the
figure as typed rather than its binary float (see :mod:`goldenthread.measures.rounding`).
"""

from __future__ import annotations

import math

import pandas as pd

from goldenthread.inputs.contract import PERCENT_UNITS
from goldenthread.inputs.periods import month_name
from goldenthread.measures.rounding import decimals_shown, format_number, round_half_up

#: Places a target may show beyond the indicator's own, when it has them (133.33 beside 133).
TARGET_EXTRA_PLACES = 2


def is_missing(value: object) -> bool:
    """A blank cell as pandas hands it over: None, ``pd.NA`` or NaN.

    NaN is truthy, so ``value or default`` lets it through (a heading once read "nan"); every
    test for a blank goes through here.
    """
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: str | None, decimals: int = 0) -> str:
    """A figure in its unit at the indicator's decimal places; an en dash when there is none."""
    if value is None or is_missing(value):
        return "–"
    if unit == "gbp":
        return _money(value, decimals)
    text = format_number(value, decimals)
    if unit in PERCENT_UNITS:
        return text + "%"
    if unit == "days":
        return text + (" day" if text == "1" else " days")
    return text


def _money(value: float, decimals: int, extra: int = 0) -> str:
    """£ as reports write it: £1.2m from a million, £350k from ten thousand, else £ at ``decimals``.

    With ``extra``, up to that many more places are shown when the figure has them, trailing zeros
    dropped (a target of 1,250,000 is "£1.25m", of 1,000,000 "£1m"). The scale is chosen on the
    rounded figure, so 999,600 reads "£1.0m", never "£1,000k".
    """
    size = abs(value)
    if size >= 10_000 and round_half_up(size / 1_000, extra) < 1_000:
        scaled, places, suffix = size / 1_000, 0, "k"
    elif size >= 10_000:
        scaled, places, suffix = size / 1_000_000, 1, "m"
    else:
        scaled, places, suffix = size, decimals, ""
    if extra:
        places = decimals_shown(scaled, places + extra)
    text = format_number(scaled, places)
    sign = "-" if value < 0 and round_half_up(scaled, places) != 0 else ""
    return f"{sign}£{text}{suffix}"


def format_target(value: float | None, unit: str | None, decimals: int = 0) -> str:
    """A target at the precision that explains its status: the indicator's decimals plus up to two more.

    A profiled target of 133.3333 beside a figure of 133 rated "Near target" shows as "133.33", not
    "133"; 3.15 at one place shows "3.15%". Trailing zeros are dropped (90%, 2.5%), rounding is half
    up, and money keeps its £/£k/£m style ("£1.25m").
    """
    if value is None or is_missing(value):
        return "–"
    if unit == "gbp":
        return _money(value, decimals, TARGET_EXTRA_PLACES)
    return format_value(value, unit, decimals_shown(value, decimals + TARGET_EXTRA_PLACES))


def and_list(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c": a list as a sentence says it (no serial comma, as GOV.UK style)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def format_period_name(ordinal: float | None, *, with_year: bool = True) -> str:
    """Month ordinal -> "July 2019"; an en dash when missing."""
    if ordinal is None or is_missing(ordinal):
        return "–"
    return month_name(int(ordinal), with_year=with_year)


MILESTONE_LABELS = {
    "complete": "Complete",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_started": "Not started",
}

DIRECTION_LABELS = {
    "improving": ("▲", "Improving"),
    "worsening": ("▼", "Worsening"),
    "no_change": ("►", "No change"),
    "up": ("↑", "Up"),
    "down": ("↓", "Down"),
    "not_comparable": ("–", "Not comparable"),
}


def readable_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with a ``#rrggbb`` background (WCAG luminance)."""
    rgb = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"
