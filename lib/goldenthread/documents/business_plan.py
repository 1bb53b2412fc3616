"""The business plan as a published document, with the evidence that it is being delivered.

The other end of the golden thread from the quarterly report: the vision, principles, outcomes,
key priorities and activities of ``plan.yaml``, and under each key priority the indicators that
measure it with their latest status. A coverage view shows the thread's gaps (priorities nothing
measures, indicators hung on no priority) and each outcome's rolled-up status (see
:mod:`goldenthread.measures.coverage`). Sections render as HTML and Typst like the report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from goldenthread.documents.report import Report, Section, _paragraphs, build_report
from goldenthread.measures import coverage as cov
from goldenthread.measures.formatting import format_period_name

RULE_TEXT = {
    "worst": "each outcome takes the worst status of its indicators that can be judged, so a single "
    "indicator off target is never hidden",
    "majority": "each outcome takes the most common status of its indicators that can be judged (a tie "
    "goes to the worse status)",
}


@dataclass
class BusinessPlan(Report):
    """A business plan document for one period: the plan, its indicators' latest status and coverage."""

    rollup_rule: cov.RollupRule | None = None  # None: the organisation's status_scheme.rollup

    @property
    def rule(self) -> cov.RollupRule:
        return self.rollup_rule or self.dataset.organisation.status_scheme.rollup

    @property
    def heading(self) -> str:
        """ "Business Plan 2019-2022: progress to the end of July 2019 (Q1+1 2019/20)"."""
        return f"{self.title}: progress to the end of {format_period_name(self.period)} ({self.period_label})"

    @property
    def coverage_table(self) -> pd.DataFrame:
        """One row per key priority: how many measures and milestones measure it (analyst view)."""
        return cov.coverage(self.dataset.plan, self.dataset.indicators)

    @property
    def rollup_table(self) -> pd.DataFrame:
        """Per outcome: indicators by status, and the rolled-up status."""
        return cov.rollup(self.card, self.dataset.plan, self.rule)

    def _outcome_statuses(self) -> dict[str, dict[str, Any]]:
        rolled = self.rollup_table.set_index("outcome")
        return {
            o: {
                "status": self._status(r["status"]),
                "judged": int(r["judged"]),
                "indicators": int(r["indicators"]),
                "counts": [{**self._status(k), "count": int(r[k])} for k in self.shown_statuses() if int(r[k])],
            }
            for o, r in rolled.iterrows()
        }

    # --- sections -----------------------------------------------------------------------------
    def cover(self) -> Section:
        """Title, vision, principles and the outcomes at a glance."""
        plan = self.dataset.plan
        statuses = self._outcome_statuses()
        model = {
            "organisation": self.dataset.organisation.name,
            "title": plan.title,
            "subtitle": f"Progress to the end of {format_period_name(self.period)} ({self.period_label})",
            "vision": _paragraphs(plan.vision),
            "principles": list(plan.principles),
            "outcomes": [{"id": o.id, "title": o.title, **statuses[o.id]} for o in plan.outcomes],
            "rule": RULE_TEXT[self.rule],
        }
        return self._render("plan_cover", model)

    def plan(self) -> Section:
        """Each outcome, its key priorities and activities, and the indicators measuring each priority."""
        statuses = self._outcome_statuses()
        card = {r.id: r for r in self.card.itertuples(index=False)}
        outcomes = []
        activities = {p.id: p.activities for o in self.dataset.plan.outcomes for p in o.priorities}
        for _, group in self.coverage_table.groupby("outcome", sort=False):
            first = group.iloc[0]
            priorities = []
            for r in group.itertuples(index=False):
                measured_by = [self._measure_row(card[i]) for i in r.indicators if i in card]
                priorities.append(
                    {
                        "id": r.priority,
                        "title": r.priority_title,
                        "activities": list(activities.get(r.priority, [])),
                        "indicators": measured_by,
                    }
                )
            outcomes.append(
                {"id": first.outcome, "title": first.outcome_title, **statuses[first.outcome], "priorities": priorities}
            )
        return self._render("plan", {"outcomes": outcomes, "legend": [self._status(k) for k in self.shown_statuses()]})

    def _measure_row(self, r: Any) -> dict[str, Any]:
        e = self._entry(r)
        # one column, "Since last period": a year-to-date measure says what it is compared with instead
        return {
            **{k: e[k] for k in ("id", "title", "kind", "latest", "as_at", "target", "status", "overridden")},
            "previous": e["since"],
        }

    def coverage(self) -> Section:
        """The golden thread's coverage: what measures each priority, the gaps, and the roll-up rule."""
        table = self.coverage_table
        rows = [
            {
                "outcome": r.outcome,
                "priority": r.priority or "–",
                "title": r.priority_title,
                "measures": int(r.measures),
                "milestones": int(r.milestones),
                "measured": bool(r.measured),
            }
            for r in table.itertuples(index=False)
        ]
        gaps = cov.unmeasured_priorities(table)
        unlinked = cov.unlinked_indicators(self.dataset.indicators)
        model = {
            "rows": rows,
            "priorities": int(table["priority"].notna().sum()),
            "measured": int((table["priority"].notna() & table["measured"]).sum()),
            "indicators": len(self.dataset.indicators),
            "unmeasured": [
                {"id": r.priority, "title": r.priority_title, "outcome": r.outcome}
                for r in gaps.itertuples(index=False)
            ],
            "unlinked": [
                {"id": r.id, "title": r.title, "outcome": r.outcome} for r in unlinked.itertuples(index=False)
            ],
            "rule": RULE_TEXT[self.rule],
        }
        return self._render("plan_coverage", model)


def build_business_plan(
    data: str = "data/example",
    period: str = "2019-07",
    audience: str = "public",
    title: str | None = None,
    rollup: cov.RollupRule | None = None,
) -> BusinessPlan:
    """Load, validate and compute the business plan document. Arguments are the notebook's parameters."""
    if rollup is not None and rollup not in cov.ROLLUP_RULES:
        raise ValueError(f"rollup must be one of {', '.join(cov.ROLLUP_RULES)} or None (found {rollup!r})")
    base = build_report(data, period, audience)
    return BusinessPlan(
        dataset=base.dataset,
        period=base.period,
        audience=base.audience,
        title=title or base.dataset.plan.title,
        front=base.front,
        rollup_rule=rollup,
    )
