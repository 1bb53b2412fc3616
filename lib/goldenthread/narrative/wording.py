"""Drafted sentences for findings, in the house style of a Cabinet report.

British English; figures formatted by unit and the indicator's decimals (94.41%, £1.2m, 1,204).
A month is written without its year ("July") only when it falls in the report's own financial
year; any other month carries its year ("from 81.73% in December 2018 to 94.41% in July"), so a
reader never has to guess which year a figure belongs to. Counts read as a person writes them
("1 indicator is", "none of which are new").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from goldenthread.inputs.periods import financial_year, financial_year_label, month_name
from goldenthread.measures.benchmarking import quartile_phrase
from goldenthread.measures.formatting import (
    MILESTONE_LABELS,
    and_list,
    format_period_name,
    format_target,
    format_value,
    is_missing,
)

if TYPE_CHECKING:  # findings imports nothing from here, but keep the narrative modules' imports one way
    from goldenthread.narrative.findings import Finding

_FINANCIAL_YEAR = re.compile(r"^\d{4}/\d{2}$")
PERIOD_WORDS = {"monthly": ("month", "months"), "quarterly": ("quarter", "quarters"), "annual": ("year", "years")}


def period_phrase(period: int, report_period: int, fy_start_month: int = 4) -> str:
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


def insufficient_sentence(insufficient: int, insufficient_new: int) -> str:
    """The one place the report says how many indicators cannot be judged yet, and why they are in it.

    Said once, in the summary of the indicator set (beside the counts by status it explains), not
    again in section 2.1: a councillor reads the whole set's picture in the summary, and a point
    made twice reads as two different groups of indicators. Seed 003's reason ("included to show the
    measures that are intended to be reported on throughout the year") comes with it.
    """
    if not insufficient:
        return "Every indicator has enough information to judge performance."
    if insufficient == insufficient_new:
        new = " (all of them new this year)" if insufficient > 1 else " (new this year)"
    else:
        new = ""
    verb, pronoun = ("does", "It is") if insufficient == 1 else ("do", "They are")
    return (
        f"{count(insufficient, 'indicator')} {verb} not yet have sufficient information to provide a judgement on "
        f"performance{new}. {pronoun} included to show the measures that are intended to be reported on "
        "throughout the year."
    )


def _sentence(text: str) -> str:
    """Reason text from a spreadsheet as the end of a sentence: trimmed, with one full stop."""
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def override_clause(finding: Finding, status_labels: dict[str, str]) -> str:
    """ " The status shown has been overridden to on target: <reason>." for a finding whose figure's
    status was overridden (empty otherwise), so a drafted sentence never contradicts the report."""
    if not getattr(finding, "overridden", False):
        return ""
    shown = status_labels.get(finding.status, finding.status).lower()
    reason = getattr(finding, "override_reason", None)
    why = f" Reason: {_sentence(str(reason))}" if not is_missing(reason) and str(reason).strip() else ""
    return f" The status shown has been overridden to {shown}.{why}"


def draft_sentence(
    finding: Finding,
    unit: str | None,
    decimals: int,
    frequency: str,
    report_period: int,
    status_labels: dict[str, str],
    *,
    fy_start_month: int = 4,
) -> str:
    """One or two sentences of evidence for ``finding`` (a row of
    :func:`goldenthread.narrative.findings.findings_for_history`).

    Every figure in the text is one of the finding's own (value, start value, target, the figures
    behind a missed target), so each can be traced to a row of values.csv or targets.csv.
    """

    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    def target(v: float) -> str:
        return format_target(v, unit, decimals)

    def at(p: float) -> str:
        return period_phrase(int(p), report_period, fy_start_month)

    ytd = getattr(finding, "aggregation", "snapshot") == "cumulative"
    the_target = "the year-to-date target" if ytd else "the target"

    one, many = PERIOD_WORDS.get(frequency, ("period", "periods"))
    kind = finding.kind
    if kind in ("improving_run", "worsening_run"):
        trend = "seen consistent improvement for" if kind == "improving_run" else "worsened for"
        return (
            f"This measure has {trend} {int(finding.length)} {many}, from {fmt(finding.start_value)} in "
            f"{at(finding.start_period)} to {fmt(finding.value)} in {at(finding.period)}."
        )
    if kind in ("record_best", "record_worst", "record_best_years", "record_worst_years"):
        best = kind.startswith("record_best")
        higher_value = best != (finding.polarity == "lower")
        verb = "reached" if higher_value else "fell to"
        extreme = "highest" if higher_value else "lowest"
        since = (
            "it has ever been"
            if kind in ("record_best", "record_worst")
            else f"in the last {int(finding.length)} years"
        )
        return f"The figure {verb} {fmt(finding.value)} in {at(finding.period)} – the {extreme} {since}."
    if kind == "target_missed":
        side = "risen above" if finding.polarity == "lower" else "fallen below"
        span = "over recent " + many if int(finding.length) <= 3 else f"for {int(finding.length)} consecutive {many}"
        targets = tuple(getattr(finding, "targets", None) or ())
        if len({round(t, 9) for t in targets}) > 1:
            # a profiled or changed target: each figure beside the target it missed, not the latest one
            figures = and_list(
                [
                    f"{fmt(v)} against {target(t)} in {at(p)}"
                    for v, t, p in zip(finding.values, targets, finding.periods)
                ]
            )
            side = "been above" if finding.polarity == "lower" else "been below"
            return f"Performance has {side} {the_target} {span} ({figures})." + override_clause(finding, status_labels)
        figures = and_list([f"{fmt(v)} in {at(p)}" for v, p in zip(finding.values, finding.periods)])
        return f"Performance has {side} {the_target} of {target(finding.target)} {span} ({figures})." + override_clause(
            finding, status_labels
        )
    if kind in ("status_improved", "status_worsened"):
        before = str(finding.previous_status)
        old = status_labels.get(before, before).lower()
        if getattr(finding, "previous_overridden", False):
            old += " (overridden)"
        new = status_labels.get(finding.status, finding.status).lower()
        against = "" if is_missing(finding.target) else f" against {the_target} of {target(finding.target)}"
        if getattr(finding, "overridden", False):
            own = status_labels.get(finding.computed_status, finding.computed_status).lower()
            reason = getattr(finding, "override_reason", None)
            why = f" Reason for the override: {_sentence(str(reason))}" if not is_missing(reason) else ""
            return (
                f"Status moved from {old} to {new} in {at(finding.period)} because it was overridden: the figure, "
                f"{fmt(finding.value)}{against}, is {own} on its own.{why}"
            )
        return f"Status moved from {old} to {new} in {at(finding.period)}: {fmt(finding.value)}{against}."
    if kind == "first_on_target":
        return (
            f"The target was met for the first time in {at(finding.period)}: {fmt(finding.value)} against "
            f"{target(finding.target)}." + override_clause(finding, status_labels)
        )
    if kind == "milestone_complete":
        return f"The milestone was completed in {at(finding.period)}."
    if kind == "milestone_slipped":
        was = MILESTONE_LABELS.get(str(finding.previous_status), "").lower()
        now = MILESTONE_LABELS.get(str(finding.milestone_status), "").lower()
        return f"The milestone moved from {was} to {now} in {at(finding.period)}."
    if kind == "milestone_off_track":
        return f"The milestone has been off track for {int(finding.length)} {many}, since {at(finding.start_period)}."
    if kind in ("large_change", "large_change_year"):
        verb = "rose" if finding.value > finding.start_value else "fell"
        usual = (
            "month-on-month"
            if kind == "large_change" and frequency == "monthly"
            else ("year-on-year" if kind == "large_change_year" else "period-on-period")
        )
        return (
            f"The figure {verb} from {fmt(finding.start_value)} in {at(finding.start_period)} to "
            f"{fmt(finding.value)} in {at(finding.period)}, a larger {usual} change than usual for this measure."
        )
    if kind in ("special_cause_improvement", "special_cause_concern"):
        return _special_cause(finding, fmt(finding.value), at(finding.period), one, many)
    if kind == "consistently_failing":
        return (
            f"{the_target.capitalize()} of {target(finding.target)} lies outside the range this measure normally "
            f"varies within ({fmt(finding.value)} in {at(finding.period)}), so it will keep being missed unless "
            "something changes."
        )
    if kind.startswith("benchmark_"):
        return _benchmark(finding, fmt(finding.value), report_period, fy_start_month)
    raise ValueError(f"no wording for finding kind {kind!r}")


#: How each SPC rule reads (``{side}`` is "above" or "below", ``{end}`` "top" or "bottom").
SPECIAL_CAUSE_ENDING = {
    "special_cause_improvement": "a sign of real improvement, not chance",
    "special_cause_concern": "a sign of a real decline, not chance",
}


def _special_cause(finding: Finding, value: str, month: str, one: str, many: str) -> str:
    """A special cause at the latest point, in plain words: which pattern, and that it is not chance.

    Every figure is the finding's own (the latest value); the average and the limits are not printed,
    being worked out rather than reported figures.
    """
    high = getattr(finding, "side", "") == "high"
    end = SPECIAL_CAUSE_ENDING[finding.kind]
    rule = getattr(finding, "rule", "")
    length = int(finding.length) if not is_missing(finding.length) else 0
    if rule == "run":
        side = "above" if high else "below"
        return (
            f"At {value} in {month}, the figure has been {side} this measure's average for {length} {many} "
            f"in a row: {end}."
        )
    if rule == "trend":
        moved = "risen" if high else "fallen"
        return f"The figure has {moved} {one} on {one} for {length} {many}, to {value} in {month}: {end}."
    if rule == "two_of_three":
        edge = "top" if high else "bottom"
        return (
            f"Two of the last three figures (the latest, {value} in {month}) are close to the {edge} of the range "
            f"this measure normally varies within: {end}."
        )
    side = "above" if high else "below"
    return f"At {value} in {month}, the figure is {side} the range this measure normally varies within: {end}."


def _whole(x: Any) -> int:
    """A count from a finding row (stored as a float or a nullable integer)."""
    return int(x)


def _benchmark(finding: Finding, value: str, report_period: int, fy_start_month: int) -> str:
    """Where the council stands in its main comparison group, in the comparator data's own period."""

    def when(label: object, ordinal: int) -> str:
        text = str(label)
        if _FINANCIAL_YEAR.match(text):
            return text
        return period_phrase(ordinal, report_period, fy_start_month)

    compared = int(finding.start_period)
    now = when(finding.period_label, compared)
    group = str(finding.group)
    joint = "joint " if getattr(finding, "tied", False) else ""
    if finding.kind == "benchmark_best":
        return f"In {now} the council ranked {joint}best of {_whole(finding.n)} in {group}, at {value}."
    if finding.kind == "benchmark_worst":
        return f"In {now} the council ranked {joint}last of {_whole(finding.n)} in {group}, at {value}."
    top = finding.kind == "benchmark_top_quartile"
    before = when(finding.period_last_year, compared - 12)
    was = quartile_phrase(_whole(finding.quartile_last_year)) if not is_missing(finding.quartile_last_year) else ""
    into = "top" if top else "bottom"
    return f"In {now} the council moved into the {into} quartile of {group}, at {value}, from the {was} in {before}."


def fact_sentence(r: Any) -> str:
    """A plain statement of the latest position, used when an item has no commentary."""
    if r.kind == "milestone":
        return f"{MILESTONE_LABELS.get(r.milestone_status, 'No update')} as at {format_period_name(r.as_at)}."
    if is_missing(r.value):
        return "No figure is available yet."
    text = f"{format_value(r.value, r.unit, int(r.decimals))} in {format_period_name(r.as_at)}"
    target = r.period_target if not is_missing(r.period_target) else r.target
    if not is_missing(target):
        text += f" against a target of {format_target(target, r.unit, int(r.decimals))}"
    return text + "."
