"""The golden thread, checked: which parts of the plan are measured, and how each outcome is doing.

A business plan is only as good as the evidence behind it. A key priority that no indicator or
milestone measures cannot be reported on, and an indicator hung on no priority is not part of the
thread; both are worth a performance team's attention before Cabinet sees the plan. The roll-up
gives each outcome one status from its indicators', by a rule the council chooses
(``status_scheme.rollup`` in ``organisation.yaml``):

* ``worst``: the outcome takes the worst status of the indicators that can be judged
  (red before amber before green before blue), so a single red is never hidden;
* ``majority``: the most common judged status, ties going to the worse one.

Indicators that cannot be judged (``data_only``, ``not_available``) are counted but do not vote;
an outcome with none that can be judged rolls up to ``not_available``.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from goldenthread.inputs.config import Plan
from goldenthread.inputs.contract import JUDGED_STATUSES, STATUS_KEYS

RollupRule = Literal["worst", "majority"]
ROLLUP_RULES: tuple[str, ...] = ("worst", "majority")


def coverage(plan: Plan, indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per key priority of the plan (in plan order): how many measures and milestones measure it.

    An outcome's indicators with no priority get a row of their own (``priority`` None, titled
    "No key priority"), so every indicator is counted exactly once. Columns: ``outcome``,
    ``outcome_title``, ``priority``, ``priority_title``, ``measures``, ``milestones``,
    ``indicators`` (the ids, in file order), ``measured`` (at least one of either).
    """
    ind = indicators.assign(priority=indicators["priority"].where(indicators["priority"].notna(), None))
    rows = []
    for outcome in plan.outcomes:
        mine = ind[ind["outcome"] == outcome.id]
        slots: list[tuple[str | None, str]] = [(p.id, p.title) for p in outcome.priorities]
        if mine["priority"].isna().any():
            slots.append((None, "No key priority"))
        for pid, ptitle in slots:
            hung = mine[mine["priority"].isna()] if pid is None else mine[mine["priority"] == pid]
            rows.append(
                {
                    "outcome": outcome.id,
                    "outcome_title": outcome.title,
                    "priority": pid,
                    "priority_title": ptitle,
                    "measures": int((hung["kind"] == "measure").sum()),
                    "milestones": int((hung["kind"] == "milestone").sum()),
                    "indicators": list(hung["id"]),
                }
            )
    out = pd.DataFrame(
        rows, columns=["outcome", "outcome_title", "priority", "priority_title", "measures", "milestones", "indicators"]
    )
    out["measured"] = (out["measures"] + out["milestones"]) > 0
    return out


def unmeasured_priorities(cov: pd.DataFrame) -> pd.DataFrame:
    """Key priorities of the plan that no indicator or milestone measures."""
    return cov[cov["priority"].notna() & ~cov["measured"]].reset_index(drop=True)


def unlinked_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators hung on an outcome but on none of its key priorities."""
    return indicators[indicators["priority"].isna()].reset_index(drop=True)


def rollup(card: pd.DataFrame, plan: Plan, rule: RollupRule = "worst") -> pd.DataFrame:
    """Per outcome: indicators by status and one rolled-up status.

    ``card`` is a scorecard (one row per indicator: ``outcome`` and ``status``). Columns:
    ``outcome``, ``title``, one count column per status key, ``indicators``, ``judged`` and
    ``status`` (the roll-up). Outcomes with no indicators are kept, with status ``not_available``.
    """
    if rule not in ROLLUP_RULES:
        raise ValueError(f"unknown roll-up rule {rule!r}: use one of {', '.join(ROLLUP_RULES)}")
    status = card["status"].astype(str)
    counts = pd.crosstab(card["outcome"], pd.Categorical(status, categories=STATUS_KEYS), dropna=False)
    counts = counts.reindex(index=[o.id for o in plan.outcomes], columns=list(STATUS_KEYS), fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    out = counts.reset_index(names="outcome")
    out.insert(1, "title", [o.title for o in plan.outcomes])
    out["indicators"] = counts.sum(axis=1).to_numpy()
    out["judged"] = counts[list(JUDGED_STATUSES)].sum(axis=1).to_numpy()
    out["status"] = [
        rolled_up_status(dict(zip(JUDGED_STATUSES, r)), rule)
        for r in counts[list(JUDGED_STATUSES)].itertuples(index=False)
    ]
    return out


def rolled_up_status(counts: dict[str, int], rule: RollupRule = "worst") -> str:
    """One status from counts of judged statuses (``{"green": 3, "red": 1}``), by ``rule``."""
    present = [s for s in JUDGED_STATUSES if counts.get(s, 0) > 0]
    if not present:
        return "not_available"
    if rule == "worst":
        return present[-1]
    most = max(counts.get(s, 0) for s in present)
    return [s for s in present if counts.get(s, 0) == most][-1]  # a tie goes to the worse status
