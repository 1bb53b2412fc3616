"""Drafted sentences for findings, in the house style of a Cabinet report.

British English; figures formatted by unit and the indicator's decimals (94.41%, £1.2m, 1,204).
A month is written without its year ("July") only when it falls in the report's own financial
year; any other month carries its year ("from 81.73% in December 2018 to 94.41% in July"), so a
reader never has to guess which year a figure belongs to. Counts read as a person writes them
("1 indicator is", "none of which are new").
"""

from __future__ import annotations

import math
from typing import Any

from goldenthread.inputs.periods import financial_year, financial_year_label, month_name
from goldenthread.measures.formatting import MILESTONE_LABELS, format_period_name, format_target, format_value

PERIOD_WORDS = {"monthly": ("month", "months"), "quarterly": ("quarter", "quarters"), "annual": ("year", "years")}


def when(period: int, report_period: int, fy_start_month: int = 4) -> str:
    """ "July" for a month in the report's financial year, otherwise "July 2017"."""
    same_year = financial_year(int(period), fy_start_month) == financial_year(int(report_period), fy_start_month)
    return month_name(int(period), with_year=not same_year)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 indicator", "2 indicators" (``plural`` for irregular words)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def indicator_set_sentence(total: int, continued: int, new: int, report_period: int, fy_start_month: int = 4) -> str:
    """The summary's first sentence, naming the financial year the counts belong to.

    "This report consists of 38 performance indicators for 2019/20: 22 continued from 2018/19 and
    16 new this year." A report for April is labelled "Q4+1" of the year just ended, while its
    indicators, new and continued, belong to the year just begun: so the year is always named.
    """
    fy = financial_year_label(int(report_period), fy_start_month)
    last = financial_year_label(int(report_period) - 12, fy_start_month)
    head = f"This report consists of {count(total, 'performance indicator')} for {fy}"
    if total == 0:
        return head + "."
    if new == 0:
        return head + (f", continued from {last}." if total == 1 else f", all of them continued from {last}.")
    if continued == 0:
        return head + (", new this year." if total == 1 else ", all of them new this year.")
    return f"{head}: {continued} continued from {last} and {new} new this year."


def _sentence(text: str) -> str:
    """Reason text from a spreadsheet as the end of a sentence: trimmed, with one full stop."""
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def override_clause(f: Any, status_labels: dict[str, str]) -> str:
    """ " The status shown has been overridden to on target: <reason>." for a finding whose figure's
    status was overridden (empty otherwise), so a drafted sentence never contradicts the report."""
    if not getattr(f, "overridden", False):
        return ""
    shown = status_labels.get(f.status, f.status).lower()
    reason = getattr(f, "override_reason", None)
    why = f" Reason: {_sentence(reason)}" if not _missing(reason) and str(reason).strip() else ""
    return f" The status shown has been overridden to {shown}.{why}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draft(
    f: Any,
    unit: str | None,
    decimals: int,
    frequency: str,
    report_period: int,
    status_labels: dict[str, str],
    *,
    fy_start_month: int = 4,
) -> str:
    """One or two sentences of evidence for finding ``f`` (a row of :func:`goldenthread.narrative.findings.find`).

    Every figure in the text is one of the finding's own (value, start value, target, the figures
    behind a missed target), so each can be traced to a row of values.csv or targets.csv.
    """

    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    def target(v: float) -> str:
        return format_target(v, unit, decimals)

    def at(p: float) -> str:
        return when(int(p), report_period, fy_start_month)

    ytd = getattr(f, "aggregation", "snapshot") == "cumulative"
    the_target = "the year-to-date target" if ytd else "the target"

    one, many = PERIOD_WORDS.get(frequency, ("period", "periods"))
    kind = f.kind
    if kind in ("improving_run", "worsening_run"):
        trend = "seen consistent improvement for" if kind == "improving_run" else "worsened for"
        return (
            f"This measure has {trend} {int(f.length)} {many}, from {fmt(f.start_value)} in "
            f"{at(f.start_period)} to {fmt(f.value)} in {at(f.period)}."
        )
    if kind in ("record_best", "record_worst", "record_best_years", "record_worst_years"):
        best = kind.startswith("record_best")
        higher_value = best != (f.polarity == "lower")
        verb = "reached" if higher_value else "fell to"
        extreme = "highest" if higher_value else "lowest"
        since = "it has ever been" if kind in ("record_best", "record_worst") else f"in the last {int(f.length)} years"
        return f"The figure {verb} {fmt(f.value)} in {at(f.period)} – the {extreme} {since}."
    if kind == "target_missed":
        side = "risen above" if f.polarity == "lower" else "fallen below"
        span = "over recent " + many if int(f.length) <= 3 else f"for {int(f.length)} consecutive {many}"
        targets = tuple(getattr(f, "targets", None) or ())
        if len({round(t, 9) for t in targets}) > 1:
            # a profiled or changed target: each figure beside the target it missed, not the latest one
            figures = _and(
                [f"{fmt(v)} against {target(t)} in {at(p)}" for v, t, p in zip(f.values, targets, f.periods)]
            )
            side = "been above" if f.polarity == "lower" else "been below"
            return f"Performance has {side} {the_target} {span} ({figures})." + override_clause(f, status_labels)
        figures = _and([f"{fmt(v)} in {at(p)}" for v, p in zip(f.values, f.periods)])
        return f"Performance has {side} {the_target} of {target(f.target)} {span} ({figures})." + override_clause(
            f, status_labels
        )
    if kind in ("status_improved", "status_worsened"):
        old = status_labels.get(f.previous_status, f.previous_status).lower()
        if getattr(f, "previous_overridden", False):
            old += " (overridden)"
        new = status_labels.get(f.status, f.status).lower()
        against = "" if _missing(f.target) else f" against {the_target} of {target(f.target)}"
        if getattr(f, "overridden", False):
            own = status_labels.get(f.computed_status, f.computed_status).lower()
            reason = getattr(f, "override_reason", None)
            why = f" Reason for the override: {_sentence(reason)}" if not _missing(reason) else ""
            return (
                f"Status moved from {old} to {new} in {at(f.period)} because it was overridden: the figure, "
                f"{fmt(f.value)}{against}, is {own} on its own.{why}"
            )
        return f"Status moved from {old} to {new} in {at(f.period)}: {fmt(f.value)}{against}."
    if kind == "first_on_target":
        return (
            f"The target was met for the first time in {at(f.period)}: {fmt(f.value)} against "
            f"{target(f.target)}." + override_clause(f, status_labels)
        )
    if kind == "milestone_complete":
        return f"The milestone was completed in {at(f.period)}."
    if kind == "milestone_slipped":
        was = MILESTONE_LABELS.get(f.previous_status, "").lower()
        now = MILESTONE_LABELS.get(f.milestone_status, "").lower()
        return f"The milestone moved from {was} to {now} in {at(f.period)}."
    if kind == "milestone_off_track":
        return f"The milestone has been off track for {int(f.length)} {many}, since {at(f.start_period)}."
    if kind in ("large_change", "large_change_year"):
        verb = "rose" if f.value > f.start_value else "fell"
        usual = (
            "month-on-month"
            if kind == "large_change" and frequency == "monthly"
            else ("year-on-year" if kind == "large_change_year" else "period-on-period")
        )
        return (
            f"The figure {verb} from {fmt(f.start_value)} in {at(f.start_period)} to {fmt(f.value)} in "
            f"{at(f.period)}, a larger {usual} change than usual for this measure."
        )
    raise ValueError(f"no wording for finding kind {kind!r}")


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fact_sentence(r: Any) -> str:
    """A plain statement of the latest position, used when an item has no commentary."""
    if r.kind == "milestone":
        return f"{MILESTONE_LABELS.get(r.milestone_status, 'No update')} as at {format_period_name(r.as_at)}."
    if _missing(r.value):
        return "No figure is available yet."
    text = f"{format_value(r.value, r.unit, int(r.decimals))} in {format_period_name(r.as_at)}"
    target = r.period_target if not _missing(r.period_target) else r.target
    if not _missing(target):
        text += f" against a target of {format_target(target, r.unit, int(r.decimals))}"
    return text + "."
