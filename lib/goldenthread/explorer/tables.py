"""Choosing indicators and tabulating them for the explorer: the scorecard as a table, and the
findings behind each candidate area of success or concern."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from goldenthread.documents.rows import (
    as_at_text,
    decimals_of,
    direction_text,
    effective_target,
    kind_label,
    latest_text,
    polarity_label,
    status_styles,
    status_text,
    target_text,
)
from goldenthread.inputs.config import StatusScheme
from goldenthread.measures.formatting import is_missing
from goldenthread.narrative.areas import FAMILY
from goldenthread.narrative.findings import findings_for_history
from goldenthread.narrative.wording import draft_sentence

if TYPE_CHECKING:  # the report module imports the whole rendering stack; only its type is needed here
    from goldenthread.documents.report import Report


# --- choosing indicators ----------------------------------------------------------------------


def _match(card: pd.DataFrame, column: str, parameter: str, wanted: str) -> pd.Series:
    """Rows of ``card`` whose ``column`` equals ``wanted`` (ignoring case and spaces), or a clear error.

    The value usually comes from a notebook's parameters cell, typed by hand; the error names
    the parameter, the value and what would have been accepted, so the fix is obvious.
    """
    allowed = [str(v) for v in pd.unique(card[column].dropna())]
    key = str(wanted).strip().casefold()
    hit = card[column].astype(str).str.strip().str.casefold() == key
    if not hit.any():
        close = (
            difflib.get_close_matches(str(wanted).strip(), allowed, n=3, cutoff=0.5)
            or [a for a in allowed if key in a.casefold()][:3]
        )
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"{parameter} = {wanted!r} is not in the data.{hint} Allowed values of {parameter}: {', '.join(allowed)}."
        )
    return hit


def select_indicators(
    card: pd.DataFrame, outcome: str | None = None, directorate: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """The scorecard rows that match every filter given (``None`` means any).

    Matching ignores case and surrounding spaces, because these values are typed into a
    parameters cell. An unknown value raises ``ValueError`` naming the parameter, the value,
    a "Did you mean" suggestion and the allowed values; a combination that matches nothing
    (an indicator outside the chosen outcome) raises too, since an empty explorer explains nothing.
    Restricted indicators are only in the card of an ``audience="internal"`` report.
    """
    keep = pd.Series(True, index=card.index)
    given = {}
    for parameter, column, wanted in (
        ("outcome", "outcome", outcome),
        ("directorate", "directorate", directorate),
        ("indicator", "id", indicator),
    ):
        if wanted is None or (isinstance(wanted, str) and not wanted.strip()):
            continue
        keep &= _match(card, column, parameter, wanted)
        given[parameter] = wanted
    selected = card[keep]
    if selected.empty:
        filters = ", ".join(f"{k} = {v!r}" for k, v in given.items())
        where = ""
        if indicator is not None:
            row = card[_match(card, "id", "indicator", indicator)].iloc[0]
            where = f" {row['id']} is in outcome {row['outcome']!r}, directorate {row['directorate']!r}."
        raise ValueError(f"No indicator matches all of {filters}.{where} Set the others to None to widen the choice.")
    return selected


def indicator_table(card: pd.DataFrame, scheme: StatusScheme | None = None) -> pd.DataFrame:
    """The indicator set as a readable table for sorting and filtering: one row per indicator.

    Unlike :meth:`Report.scorecard_table` (raw numbers for checking), figures are shown as the
    report prints them, and status and direction are words with symbols, so filtering on
    "Off target" or "Worsening" in the table's search box works.
    """
    styles = status_styles(scheme)
    rows = []
    for r in card.itertuples(index=False):
        dec = decimals_of(r.decimals)
        rows.append(
            {
                "id": r.id,
                "title": r.title,
                "outcome": r.outcome,
                "directorate": r.directorate,
                "owner": r.owner,
                "kind": kind_label(r.kind),
                "frequency": str(r.frequency).capitalize(),
                "polarity": polarity_label(r.polarity),
                "new": "New" if bool(r.is_new) else "",
                "as at": as_at_text(r.as_at),
                "latest": latest_text(r.kind, r.value, r.milestone_status, r.unit, dec),
                "target": target_text(
                    r.kind, effective_target(r.period_target, r.target), r.unit, dec, none="No target", milestone=""
                ),
                "status": status_text(r.status, styles, bool(r.overridden)),
                "vs previous": direction_text(r.dot_previous),
                "vs last year": direction_text(r.dot_year),
                "highlight": "" if is_missing(r.highlight) else str(r.highlight),
                "classification": r.classification,
            }
        )
    return pd.DataFrame(rows)


# --- findings behind areas of success and concern --------------------------------------------

FINDING_COLUMNS = [
    "indicator",
    "title",
    "direction",
    "kind",
    "score",
    "role",
    "source",
    "in_report",
    "draft",
    "report_text",
]


def findings_for(report: Report, indicator: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Every finding behind the candidate areas of success and concern, one row per finding.

    :meth:`Report.area_candidates` keeps one candidate per indicator (its strongest finding,
    plus one supporting sentence); an analyst checking a draft also wants the findings that
    lost, to see why an indicator was or was not picked. Columns:

    * ``kind``, ``direction``, ``score`` and ``draft`` (the drafted sentence) of the finding;
    * ``role``: ``lead`` (the candidate's finding), ``supporting`` (its second sentence),
      ``other`` (found but not used) or ``chosen`` (picked by the leadership team with no
      finding in the data, e.g. a milestone story told in commentary);
    * ``source``: the candidate's fate in the selection (chosen, drafted, over cap, below threshold,
      excluded) and ``in_report``: the finding backs an area that is in the report;
    * ``report_text``: what the report says for that area (on the lead or chosen row).

    ``indicator`` narrows to one id or a list of ids; an unknown id raises ``ValueError``.
    """
    card, history, period = report.card, report.history, report.period
    styles = report.dataset.organisation.status_scheme.statuses
    labels = {k: v.label for k, v in styles.items()}
    wanted: list[str] | None = None
    if indicator is not None:
        ids = [indicator] if isinstance(indicator, str) else list(indicator)
        wanted = [str(select_indicators(card, indicator=i)["id"].iloc[0]) for i in ids]

    fy_start = report.dataset.organisation.financial_year_start_month
    found = findings_for_history(history, card.set_index("id")["as_at"], fy_start)
    candidates = report.area_candidates().set_index("indicator")
    info = card.set_index("id")
    rows: list[dict[str, Any]] = []
    for ind_id, group in found.groupby("indicator", sort=False):
        lead = group.iloc[0]  # findings_for_history() sorts strongest first, as areas.drafted relies on
        family = group["kind"].map(FAMILY)
        support = group[(group["direction"] == lead["direction"]) & (family != FAMILY[lead["kind"]])]
        support_kind = support["kind"].iloc[0] if len(support) else None
        cand = candidates.loc[ind_id] if ind_id in candidates.index else None
        i = info.loc[ind_id]
        for finding in group.itertuples(index=False):
            role = "lead" if finding.kind == lead["kind"] else "supporting" if finding.kind == support_kind else "other"
            backs = (
                cand is not None
                and role != "other"
                and cand["kind"] == lead["kind"]
                and cand["direction"] == finding.direction
            )
            rows.append(
                {
                    "indicator": ind_id,
                    "title": i["title"],
                    "direction": finding.direction,
                    "kind": finding.kind,
                    "score": round(float(finding.score), 1),
                    "role": role,
                    "source": cand["source"] if cand is not None else "",
                    "in_report": bool(backs and cand is not None and cand["in_report"]),
                    "draft": draft_sentence(
                        finding, i["unit"], int(i["decimals"]), i["frequency"], period, labels, fy_start_month=fy_start
                    ),
                    "report_text": (cand["text"] or "") if cand is not None and role == "lead" else "",
                }
            )
    for ind_id, cand in candidates.iterrows():  # the leadership team's picks with no finding behind them
        if ind_id not in set(found["indicator"]):
            rows.append(
                {
                    "indicator": ind_id,
                    "title": cand["title"],
                    "direction": cand["direction"],
                    "kind": "",
                    "score": float(cand["score"]),
                    "role": "chosen",
                    "source": cand["source"],
                    "in_report": bool(cand["in_report"]),
                    "draft": "",
                    "report_text": cand["text"] or "",
                }
            )
    table = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    if wanted is not None:
        table = table[table["indicator"].isin(wanted)]
    rank = {k: r for k, r in zip(candidates.index, candidates["rank"])}
    role_order = {"lead": 0, "chosen": 0, "supporting": 1, "other": 2}
    table = table.assign(_rank=table["indicator"].map(rank).fillna(len(rank) + 1), _role=table["role"].map(role_order))
    table = table.sort_values(["_rank", "_role", "score"], ascending=[True, True, False], kind="stable")
    return table.drop(columns=["_rank", "_role"]).reset_index(drop=True)
