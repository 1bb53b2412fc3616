"""Areas of success and concern: rank the findings, draft the wording, let the leadership team decide.

Candidates are one per indicator: its strongest finding, with the next finding pointing the same
way as a supporting sentence. The Senior Leadership Team's choices in ``commentary.csv`` win:
``highlight`` = ``success`` or ``concern`` puts an item in (its commentary, when given, replaces
the drafted evidence), ``exclude`` keeps it out. Drafted candidates then fill the remaining places
up to the caps, strongest first, if they are strong enough to mention at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from goldenthread.findings import find
from goldenthread.wording import draft, fact_sentence

DEFAULT_MAX_SUCCESSES = 9
DEFAULT_MAX_CONCERNS = 5
MIN_SCORE = 45.0  # weaker findings are listed for the analyst but not drafted into the report

#: Findings that tell the same story; only one of each family is drafted for an indicator.
FAMILY = {"improving_run": "run", "worsening_run": "run", "record_best": "record", "record_worst": "record",
          "record_best_years": "record", "record_worst_years": "record", "target_missed": "target",
          "status_improved": "target", "status_worsened": "target", "first_on_target": "target",
          "milestone_complete": "milestone", "milestone_slipped": "milestone", "milestone_off_track": "milestone",
          "large_change": "change", "large_change_year": "change"}

CANDIDATE_COLUMNS = ["rank", "indicator", "title", "direction", "kind", "score", "source", "in_report", "text",
                     "draft", "override_reason"]


@dataclass(frozen=True)
class Selection:
    """The final lists for the report and the full candidate table for the analyst."""

    success: pd.DataFrame
    concern: pd.DataFrame
    candidates: pd.DataFrame


def drafted(card: pd.DataFrame, history: pd.DataFrame, report_period: int,
            status_labels: dict[str, str]) -> pd.DataFrame:
    """One drafted candidate per indicator with a finding: strongest first, deterministic order.

    The candidate is the indicator's strongest finding; the next finding pointing the same way,
    from another family, adds a supporting sentence.
    """
    found = find(history, card.set_index("id")["as_at"])
    if found.empty:
        return pd.DataFrame(columns=["indicator", "direction", "kind", "score", "text"])
    found["family"] = found["kind"].map(FAMILY)
    top = found.drop_duplicates("indicator", keep="first")  # find() sorts strongest first
    lead = top.set_index("indicator")[["direction", "family"]]
    same_way = found["direction"].to_numpy() == lead["direction"].reindex(found["indicator"]).to_numpy()
    other_family = found["family"].to_numpy() != lead["family"].reindex(found["indicator"]).to_numpy()
    support = {f.indicator: f for f in
               found[same_way & other_family].drop_duplicates("indicator", keep="first").itertuples(index=False)}

    info = card.set_index("id")[["unit", "decimals", "frequency"]].to_dict("index")

    def words(f: object) -> str:
        i = info[f.indicator]
        return draft(f, i["unit"], int(i["decimals"]), i["frequency"], report_period, status_labels)

    texts = []
    for f in top.itertuples(index=False):
        text = words(f)
        if f.indicator in support:
            text += " " + words(support[f.indicator])
        texts.append(text)
    return pd.DataFrame({"indicator": top["indicator"].to_numpy(), "direction": top["direction"].to_numpy(),
                         "kind": top["kind"].to_numpy(), "score": top["score"].round(1).to_numpy(), "text": texts})


def select(card: pd.DataFrame, candidates: pd.DataFrame, max_successes: int = DEFAULT_MAX_SUCCESSES,
           max_concerns: int = DEFAULT_MAX_CONCERNS, min_score: float = MIN_SCORE) -> Selection:
    """Apply the leadership team's choices and the caps; see the module docstring."""
    info = card.set_index("id")
    appendix_order = {k: i for i, k in enumerate(card["id"])}
    by_indicator = candidates.set_index("indicator") if not candidates.empty else None
    rows = []
    chosen_ids = set()
    for r in card[card["highlight"].isin(["success", "concern"])].itertuples(index=False):
        cand = by_indicator.loc[r.id] if by_indicator is not None and r.id in by_indicator.index else None
        agrees = cand is not None and cand["direction"] == r.highlight
        text = r.commentary or (cand["text"] if agrees else None) or fact_sentence(r)
        rows.append({"indicator": r.id, "direction": r.highlight, "kind": cand["kind"] if agrees else "",
                     "score": float(cand["score"]) if agrees else 0.0, "source": "chosen", "text": text,
                     "draft": cand["text"] if cand is not None else "", "override_reason": r.override_reason,
                     "in_report": True})
        chosen_ids.add(r.id)
    excluded = set(card.loc[card["highlight"] == "exclude", "id"])
    caps = {"success": max_successes, "concern": max_concerns}
    taken = {d: sum(1 for x in rows if x["direction"] == d) for d in caps}
    for c in candidates.itertuples(index=False):
        if c.indicator in chosen_ids:
            continue
        if c.indicator in excluded:
            source, in_report = "excluded", False
        elif c.score < min_score:
            source, in_report = "below threshold", False
        elif taken[c.direction] >= caps[c.direction]:
            source, in_report = "over cap", False
        else:
            source, in_report = "drafted", True
            taken[c.direction] += 1
        rows.append({"indicator": c.indicator, "direction": c.direction, "kind": c.kind, "score": c.score,
                     "source": source, "text": c.text, "draft": c.text, "override_reason": None,
                     "in_report": in_report})
    table = pd.DataFrame(rows, columns=[c for c in CANDIDATE_COLUMNS if c not in ("rank", "title")])
    if table.empty:
        table = pd.DataFrame(columns=CANDIDATE_COLUMNS)
        return Selection(table, table, table)
    table["in_report"] = table["in_report"].astype(bool)
    table["title"] = table["indicator"].map(info["title"])
    table["_order"] = table["indicator"].map(appendix_order)
    table = table.sort_values(["in_report", "score", "_order"], ascending=[False, False, True], kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table = table[CANDIDATE_COLUMNS].reset_index(drop=True)
    final = table[table["in_report"]]
    return Selection(final[final["direction"] == "success"].reset_index(drop=True),
                     final[final["direction"] == "concern"].reset_index(drop=True), table)


def candidates_as_commentary(candidates: pd.DataFrame, period: str) -> pd.DataFrame:
    """Candidates as ``commentary.csv`` rows, so the leadership team's choices can be pasted back.

    ``highlight`` is filled in for the items the report would carry now; change it to ``exclude``
    (or blank) to drop one, or fill it in to add one. Cells that a spreadsheet would read as a
    formula are prefixed with an apostrophe.
    """
    from goldenthread.contract import COMMENTARY
    from goldenthread.export import safe_cell

    rows = pd.DataFrame({c.name: [""] * len(candidates) for c in COMMENTARY.columns})
    rows["indicator"] = candidates["indicator"].to_numpy()
    rows["period"] = period
    rows["commentary"] = [safe_cell(d or t) for d, t in zip(candidates["draft"], candidates["text"])]
    rows["highlight"] = np.where(candidates["in_report"], candidates["direction"], "")
    rows["classification"] = "public"
    return rows
