"""One indicator in words: the figure, target, month, status and direction every view of it prints.

The appendix and the plans (:meth:`goldenthread.documents.report.Report._entry`), the explorer's
indicator table and an indicator's status history all show these; each goes through the functions
here, so one figure can never read one way in the report and another in the explorer. Where the
views differ on purpose (what a missing target is called), the caller says so in an argument.
Cells arrive from pandas rows, hence ``Any``: a blank is None, ``pd.NA`` or NaN (:func:`is_missing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from goldenthread.inputs.config import DEFAULT_STATUSES, StatusScheme, StatusStyle
from goldenthread.measures.formatting import (
    DIRECTION_LABELS,
    MILESTONE_LABELS,
    format_period_name,
    format_target,
    format_value,
    is_missing,
    readable_text_colour,
)

#: How each polarity is described to a reader; polarity ``none`` is left blank.
POLARITY_LABELS = {"higher": "Higher is better", "lower": "Lower is better"}


def decimals_of(decimals: Any) -> int:
    """An indicator's decimal places (a float column, as pandas holds it); none given means 0."""
    return 0 if is_missing(decimals) else int(decimals)


def effective_target(period_target: Any, target: Any) -> Any:
    """The target a status was judged against: the period's own (a profiled year-to-date or a
    changed target) when there is one, else the indicator's."""
    return target if is_missing(period_target) else period_target


def latest_text(kind: str, value: Any, milestone_status: Any, unit: str | None, decimals: int) -> str:
    """The latest figure as printed: "94.41%", or a milestone's delivery state ("On track")."""
    if kind == "milestone":
        return MILESTONE_LABELS.get(str(milestone_status), "–")
    return format_value(value, unit, decimals)


def target_text(kind: str, target: Any, unit: str | None, decimals: int, *, none: str, milestone: str) -> str:
    """The target as printed (:func:`goldenthread.measures.formatting.format_target`); ``none`` where
    a measure has no target and ``milestone`` for a milestone, which never has one."""
    if kind == "milestone":
        return milestone
    return none if is_missing(target) else format_target(target, unit, decimals)


def as_at_text(as_at: Any, none: str = "No data yet") -> str:
    """The month of the latest figure ("July 2019"), or ``none`` for an indicator with no figure yet."""
    return none if is_missing(as_at) else format_period_name(as_at)


def kind_label(kind: str) -> str:
    return "Milestone" if kind == "milestone" else "Measure"


def polarity_label(polarity: str) -> str:
    return POLARITY_LABELS.get(polarity, "")


def status_styles(scheme: StatusScheme | None) -> dict[str, StatusStyle]:
    """The council's status labels, symbols and colours; the defaults without a scheme."""
    return dict(scheme.statuses) if scheme is not None else dict(DEFAULT_STATUSES)


def status_style(key: object, styles: Mapping[str, StatusStyle]) -> StatusStyle:
    """A status key's style; anything unknown reads as not available rather than failing."""
    return styles.get(str(key), styles["not_available"])


def status_badge(key: str, styles: Mapping[str, StatusStyle]) -> dict[str, str]:
    """A status as the report's templates draw it: label, symbol, colour and a readable text colour."""
    style = status_style(key, styles)
    return {
        "key": key,
        "label": style.label,
        "symbol": style.symbol,
        "colour": style.colour,
        "text_colour": readable_text_colour(style.colour),
    }


def status_text(key: object, styles: Mapping[str, StatusStyle], overridden: bool = False) -> str:
    """ "✓ On target": a word and a symbol, never a colour alone (" (overridden)" when it was)."""
    style = status_style(key, styles)
    return f"{style.symbol} {style.label}" + (" (overridden)" if overridden else "")


def direction_badge(key: object) -> dict[str, str]:
    """A direction of travel as the templates draw it; anything unknown reads as not comparable."""
    known = str(key) if str(key) in DIRECTION_LABELS else "not_comparable"
    symbol, label = DIRECTION_LABELS[known]
    return {"key": str(key), "symbol": symbol, "label": label}


def direction_text(key: object) -> str:
    """ "▲ Improving": the direction's symbol and word."""
    badge = direction_badge(key)
    return f"{badge['symbol']} {badge['label']}"
