"""Areas of success and concern: rank the findings, draft the wording, let the leadership team decide.

Candidates are one per indicator: its strongest finding, with the next finding pointing the same
way as a supporting sentence. The Senior Leadership Team's choices in ``commentary.csv`` win:
``highlight`` = ``success`` or ``concern`` puts an item in (its commentary, when given, replaces
the drafted evidence), ``exclude`` keeps it out. Drafted candidates then fill the remaining places
up to the caps, strongest first, if they are strong enough to mention at all, and only when
they are news: a drafted area is about a figure for one of the last ``news_window`` months up to
the report (a quarter by default), so a quarterly or annual figure reported months ago is not
presented as this period's news again and again. It stays in the analyst's candidate list.

With ``areas`` = ``chosen`` (the process of seed 003: the Senior Leadership Team picks the areas)
only the leadership team's choices are published; drafts stay visible to analysts
(:meth:`Report.area_candidates`, ``goldenthread areas``). With ``chosen_and_drafted`` drafted
areas are published too, and the report says which are which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import numpy as np
import pandas as pd

from goldenthread.inputs.config import DEFAULT_NEWS_WINDOW, AreasRule
from goldenthread.narrative.findings import Finding, findings_for_history
from goldenthread.narrative.wording import draft_sentence, fact_sentence

DEFAULT_MAX_SUCCESSES = 9
DEFAULT_MAX_CONCERNS = 5
MIN_SCORE = 45.0  # weaker findings are listed for the analyst but not drafted into the report
AREAS_RULES: tuple[str, ...] = get_args(AreasRule)

#: Findings that tell the same story; only one of each family is drafted for an indicator.
FAMILY = {
    "improving_run": "run",
    "worsening_run": "run",
    "record_best": "record",
    "record_worst": "record",
    "record_best_years": "record",
    "record_worst_years": "record",
    "target_missed": "target",
    "status_improved": "target",
    "status_worsened": "target",
    "first_on_target": "target",
    "milestone_complete": "milestone",
    "milestone_slipped": "milestone",
    "milestone_off_track": "milestone",
    "large_change": "change",
    "large_change_year": "change",
    # SPC: a special cause tells the story of the recent figures, as a run does; failing a target
    # consistently is the target's story
    "special_cause_improvement": "run",
    "special_cause_concern": "run",
    "consistently_failing": "target",
    # benchmarking (the main comparison group)
    "benchmark_best": "benchmark",
    "benchmark_worst": "benchmark",
    "benchmark_top_quartile": "benchmark",
    "benchmark_bottom_quartile": "benchmark",
}

CANDIDATE_COLUMNS = [
    "rank",
    "indicator",
    "title",
    "direction",
    "kind",
    "score",
    "period",
    "source",
    "in_report",
    "text",
    "draft",
    "override_reason",
]


@dataclass(frozen=True)
class Selection:
    """The final lists for the report and the full candidate table for the analyst."""

    success: pd.DataFrame
    concern: pd.DataFrame
    candidates: pd.DataFrame


def drafted(
    card: pd.DataFrame,
    history: pd.DataFrame,
    report_period: int,
    status_labels: dict[str, str],
    fy_start_month: int = 4,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One drafted candidate per indicator with a finding: strongest first, deterministic order.

    The candidate is the indicator's strongest finding; the next finding pointing the same way,
    from another family, adds a supporting sentence. ``period`` is the month of the figure the
    candidate is about. ``extra`` adds findings worked out elsewhere (rows in
    :data:`goldenthread.narrative.findings.COLUMNS`: ``variation_findings`` from SPC,
    ``comparison_findings`` from benchmarking), ranked with the others by score.
    """
    found = findings_for_history(history, card.set_index("id")["as_at"], fy_start_month)
    if extra is not None and not extra.empty:
        extra = extra[extra["indicator"].isin(set(card["id"]))]
        found = pd.concat([f for f in (found, extra) if not f.empty], ignore_index=True)
        found = found.sort_values(
            ["score", "indicator", "kind"], ascending=[False, True, True], kind="stable"
        ).reset_index(drop=True)
    if found.empty:
        return pd.DataFrame(columns=["indicator", "direction", "kind", "score", "period", "text"])
    found["family"] = found["kind"].map(FAMILY)
    top = found.drop_duplicates("indicator", keep="first")  # findings_for_history() sorts strongest first
    lead = top.set_index("indicator")[["direction", "family"]]
    same_way = found["direction"].to_numpy() == lead["direction"].reindex(found["indicator"]).to_numpy()
    other_family = found["family"].to_numpy() != lead["family"].reindex(found["indicator"]).to_numpy()
    support = {
        finding.indicator: finding
        for finding in found[same_way & other_family].drop_duplicates("indicator", keep="first").itertuples(index=False)
    }

    info = card.set_index("id")[["unit", "decimals", "frequency"]].to_dict("index")

    def words(finding: Finding) -> str:
        i = info[finding.indicator]
        return draft_sentence(
            finding,
            i["unit"],
            int(i["decimals"]),
            i["frequency"],
            report_period,
            status_labels,
            fy_start_month=fy_start_month,
        )

    texts = []
    for finding in top.itertuples(index=False):
        text = words(finding)
        if finding.indicator in support:
            text += " " + words(support[finding.indicator])
        texts.append(text)
    return pd.DataFrame(
        {
            "indicator": top["indicator"].to_numpy(),
            "direction": top["direction"].to_numpy(),
            "kind": top["kind"].to_numpy(),
            "score": top["score"].round(1).to_numpy(),
            "period": top["period"].to_numpy(dtype=np.int64),
            "text": texts,
        }
    )


def select(
    card: pd.DataFrame,
    candidates: pd.DataFrame,
    max_successes: int = DEFAULT_MAX_SUCCESSES,
    max_concerns: int = DEFAULT_MAX_CONCERNS,
    min_score: float = MIN_SCORE,
    *,
    rule: AreasRule = "chosen_and_drafted",
    report_period: int | None = None,
    news_window: int = DEFAULT_NEWS_WINDOW,
) -> Selection:
    """Apply the leadership team's choices, the publication rule, the news window and the caps.

    See the module docstring. ``report_period`` (a month ordinal) with ``news_window`` decides
    which drafted candidates are news; without it every candidate counts as news.
    """
    if rule not in AREAS_RULES:
        raise ValueError(f"areas must be one of {', '.join(AREAS_RULES)} (found {rule!r})")
    info = card.set_index("id")
    appendix_order = {k: i for i, k in enumerate(card["id"])}
    by_indicator = candidates.set_index("indicator") if not candidates.empty else None
    rows = []
    chosen_ids = set()
    for r in card[card["highlight"].isin(["success", "concern"])].itertuples(index=False):
        cand = by_indicator.loc[r.id] if by_indicator is not None and r.id in by_indicator.index else None
        # the drafted candidate, when it points the way the leadership team chose
        agrees = cand if cand is not None and cand["direction"] == r.highlight else None
        text = r.commentary or (agrees["text"] if agrees is not None else None) or fact_sentence(r)
        rows.append(
            {
                "indicator": r.id,
                "direction": r.highlight,
                "kind": agrees["kind"] if agrees is not None else "",
                "score": float(agrees["score"]) if agrees is not None else 0.0,
                "period": agrees["period"] if agrees is not None else r.as_at,
                "source": "chosen",
                "text": text,
                "draft": agrees["text"] if agrees is not None else "",
                "override_reason": r.override_reason,
                "in_report": True,
            }
        )
        chosen_ids.add(r.id)
    excluded = set(card.loc[card["highlight"] == "exclude", "id"])
    caps = {"success": max_successes, "concern": max_concerns}
    taken = {d: sum(1 for x in rows if x["direction"] == d) for d in caps}
    for c in candidates.itertuples(index=False):
        if c.indicator in chosen_ids:
            continue
        stale = report_period is not None and c.period <= report_period - news_window
        if c.indicator in excluded:
            source, in_report = "excluded", False
        elif c.score < min_score:
            source, in_report = "below threshold", False
        elif stale:
            source, in_report = "not news", False
        elif rule == "chosen":
            source, in_report = "not chosen", False
        elif taken[c.direction] >= caps[c.direction]:
            source, in_report = "over cap", False
        else:
            source, in_report = "drafted", True
            taken[c.direction] += 1
        rows.append(
            {
                "indicator": c.indicator,
                "direction": c.direction,
                "kind": c.kind,
                "score": c.score,
                "period": c.period,
                "source": source,
                "text": c.text,
                "draft": c.text,
                "override_reason": None,
                "in_report": in_report,
            }
        )
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
    return Selection(
        final[final["direction"] == "success"].reset_index(drop=True),
        final[final["direction"] == "concern"].reset_index(drop=True),
        table,
    )


def candidates_as_commentary(
    candidates: pd.DataFrame,
    period: str,
    commentary: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The period's ``commentary.csv`` rows with the candidates' drafts beside them, to edit and paste back.

    A round trip: every row already in ``commentary`` for ``period`` is kept with every column and
    value as it is (the owners' commentary, actions, overrides, page titles, highlights including
    ``exclude``, classification); indicators with a candidate but no row get a new row with only
    the draft filled in. The draft goes in its own columns, ``draft`` and ``draft_area`` (success
    or concern), which reports never read; to publish a draft, set ``highlight`` (its text is used
    when ``commentary`` is blank) or copy it into ``commentary``. So pasting the rows back in place
    of the period's rows changes nothing until someone edits them. New rows for a restricted
    indicator are marked restricted. Cells a spreadsheet would read as a formula get a leading
    apostrophe, which goldenthread removes again when it reads the file.
    """
    from goldenthread.inputs.contract import COMMENTARY
    from goldenthread.inputs.periods import parse_period
    from goldenthread.output.export import safe_frame

    columns = [c.name for c in COMMENTARY.columns]
    ordinal = parse_period(period)
    existing = commentary[commentary["period"] == ordinal] if commentary is not None and len(commentary) else None
    rows: dict[str, dict[str, object]] = {}
    if existing is not None:
        for r in existing.to_dict("records"):
            rows[r["indicator"]] = {**{c: _cell(r.get(c)) for c in columns}, "period": period}
    restricted = (
        set() if indicators is None else set(indicators.loc[indicators["classification"] == "restricted", "id"])
    )
    for c in candidates.itertuples(index=False):
        row = rows.setdefault(
            c.indicator,
            {
                **{k: "" for k in columns},
                "indicator": c.indicator,
                "period": period,
                "classification": "restricted" if c.indicator in restricted else "",
            },
        )
        text = getattr(c, "draft", None)
        if isinstance(text, str) and text:
            row["draft"], row["draft_area"] = text, c.direction
    out = pd.DataFrame(list(rows.values()), columns=columns).fillna("")  # draft and draft_area are contract columns
    return safe_frame(out)


def _cell(v: object) -> str:
    """A commentary value as text for the CSV: blank for missing, the period as YYYY-MM."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)
