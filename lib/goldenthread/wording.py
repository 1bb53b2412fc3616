"""Drafted sentences for findings, in the house style of a Cabinet report.

British English; figures formatted by unit and the indicator's decimals (94.41%, £1.2m, 1,204);
months written "December 2018", with the year dropped for months in the twelve months up to
the report, as seed reports do ("from 81.73% in December to 94.41% in July").
"""
from __future__ import annotations

import math
from typing import Any

from goldenthread.formatting import MILESTONE_LABELS, format_period_name, format_target, format_value
from goldenthread.periods import month_name

PERIOD_WORDS = {"monthly": ("month", "months"), "quarterly": ("quarter", "quarters"), "annual": ("year", "years")}


def when(period: int, report_period: int) -> str:
    """"July" for a month in the year up to the report, otherwise "July 2017"."""
    return month_name(int(period), with_year=not (report_period - 11 <= period <= report_period))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def draft(f: Any, unit: str | None, decimals: int, frequency: str, report_period: int,
          status_labels: dict[str, str]) -> str:
    """One or two sentences of evidence for finding ``f`` (a row of :func:`goldenthread.findings.find`)."""
    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    def target(v: float) -> str:
        return format_target(v, unit, decimals)

    def at(p: float) -> str:
        return when(int(p), report_period)

    one, many = PERIOD_WORDS.get(frequency, ("period", "periods"))
    kind = f.kind
    if kind in ("improving_run", "worsening_run"):
        trend = "seen consistent improvement for" if kind == "improving_run" else "worsened for"
        return (f"This measure has {trend} {int(f.length)} {many}, from {fmt(f.start_value)} in "
                f"{at(f.start_period)} to {fmt(f.value)} in {at(f.period)}.")
    if kind in ("record_best", "record_worst", "record_best_years", "record_worst_years"):
        best = kind.startswith("record_best")
        higher_value = best != (f.polarity == "lower")
        verb = "reached" if higher_value else "fell to"
        extreme = "highest" if higher_value else "lowest"
        since = "it has ever been" if kind in ("record_best", "record_worst") else f"in the last {int(f.length)} years"
        # a record speaks of the whole history, so its month keeps its year
        return f"The figure {verb} {fmt(f.value)} in {month_name(int(f.period))} – the {extreme} {since}."
    if kind == "target_missed":
        side = "risen above" if f.polarity == "lower" else "fallen below"
        shown = list(zip(f.values, f.periods))
        figures = _and([f"{fmt(v)} in {at(p)}" for v, p in shown])
        span = "over recent " + many if int(f.length) <= 3 else f"for {int(f.length)} consecutive {many}"
        return f"Performance has {side} the target of {target(f.target)} {span} ({figures})."
    if kind in ("status_improved", "status_worsened"):
        old = status_labels.get(f.previous_status, f.previous_status).lower()
        new = status_labels.get(f.status, f.status).lower()
        against = "" if _missing(f.target) else f" against a target of {target(f.target)}"
        return f"Status moved from {old} to {new} in {at(f.period)}: {fmt(f.value)}{against}."
    if kind == "first_on_target":
        return f"The target was met for the first time in {at(f.period)}: {fmt(f.value)} against {target(f.target)}."
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
        usual = "month-on-month" if kind == "large_change" and frequency == "monthly" else (
            "year-on-year" if kind == "large_change_year" else "period-on-period")
        return (f"The figure {verb} from {fmt(f.start_value)} in {at(f.start_period)} to {fmt(f.value)} in "
                f"{at(f.period)}, a larger {usual} change than usual for this measure.")
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
