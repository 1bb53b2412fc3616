"""Figures and words as a council report writes them: 94.41%, £1.2m, 1,204, July 2019."""
from __future__ import annotations

import math

from goldenthread.periods import month_name


def format_value(value: float | None, unit: str | None, decimals: int = 0) -> str:
    """A figure in its unit at the indicator's decimal places; an en dash when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "gbp":
        sign = "-" if value < 0 else ""
        v = abs(value)
        if v >= 1_000_000:
            return f"{sign}£{v / 1_000_000:,.1f}m"
        if v >= 10_000:
            return f"{sign}£{v / 1_000:,.0f}k"
        return f"{sign}£{v:,.{decimals}f}"
    text = f"{value:,.{decimals}f}"
    if unit == "percent":
        return text + "%"
    if unit == "days":
        return text + (" day" if text == "1" else " days")
    return text


def format_target(value: float | None, unit: str | None, decimals: int = 0) -> str:
    """A target as councils write it: at most the indicator's decimals, no trailing zeros (2.5%, 90%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or unit == "gbp":
        return format_value(value, unit, decimals)
    digits = f"{value:.{decimals}f}".rstrip("0").partition(".")[2]
    return format_value(value, unit, len(digits))


def format_period_name(ordinal: float | None, *, with_year: bool = True) -> str:
    """Month ordinal -> "July 2019"; an en dash when missing."""
    if ordinal is None or (isinstance(ordinal, float) and math.isnan(ordinal)):
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
    rgb = [int(background[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"
