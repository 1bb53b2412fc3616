"""The Corporate Performance Report as the notebook builds it, section by section.

``build_report`` loads and validates the data, keeps only what the audience may see, and
computes the scorecard. Each section method returns a :class:`Section`, which Jupyter displays
as HTML and which also carries the same content as Typst for the PDF. One view model per
section feeds both, so the HTML and the PDF cannot disagree.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from goldenthread import typst_markup as ty
from goldenthread import areas as area_rules
from goldenthread import markup
from goldenthread.charts import trend_chart
from goldenthread.config import FrontSheet, ReportParameters
from goldenthread.formatting import (DIRECTION_LABELS, MILESTONE_LABELS, format_period_name, format_target,
                                     format_value,
                                     readable_text_colour)
from goldenthread.load import Dataset, load_dataset
from goldenthread.periods import parse_period, quarter_label
from goldenthread.scorecard import IndicatorSummary, indicator_summary, observations, scorecard
from goldenthread.wording import fact_sentence

TYPST_MIME = "application/vnd.goldenthread.typst+json"
TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "html"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Section:
    """One part of the report, renderable as HTML (Jupyter, nbconvert) and Typst (PDF)."""

    html: str
    typst: str
    files: dict[str, bytes] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        payload = {"typst": self.typst,
                   "files": {name: base64.b64encode(data).decode("ascii") for name, data in self.files.items()},
                   "document": self.document}
        return {"text/html": self.html, TYPST_MIME: payload}


def anchor(indicator_id: str) -> str:
    """HTML id / Typst label of an indicator's entry in Appendix A."""
    return "ind-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(indicator_id))


@dataclass
class Report:
    """Everything one report run needs, computed once."""

    dataset: Dataset
    period: int
    audience: str
    title: str
    front: FrontSheet
    max_successes: int = area_rules.DEFAULT_MAX_SUCCESSES
    max_concerns: int = area_rules.DEFAULT_MAX_CONCERNS

    @cached_property
    def history(self) -> pd.DataFrame:
        org = self.dataset.organisation
        d = self.dataset
        obs = observations(d.indicators, d.values, d.targets, d.commentary, org.status_scheme,
                           org.financial_year_start_month)
        return obs[obs["period"] <= self.period].reset_index(drop=True)

    @cached_property
    def card(self) -> pd.DataFrame:
        return scorecard(self.dataset, self.period, self.history)

    @cached_property
    def summary(self) -> IndicatorSummary:
        return indicator_summary(self.card)

    @cached_property
    def selection(self) -> area_rules.Selection:
        """Areas of success and concern: the leadership team's choices, then the strongest drafted findings."""
        labels = {k: v.label for k, v in self.dataset.organisation.status_scheme.statuses.items()}
        candidates = area_rules.drafted(self.card, self.history, self.period, labels)
        return area_rules.select(self.card, candidates, self.max_successes, self.max_concerns)

    @property
    def period_label(self) -> str:
        return quarter_label(self.period, self.dataset.organisation.financial_year_start_month)

    @property
    def heading(self) -> str:
        """"Corporate Performance Report - End of July (Q1+1 2019/20)", as seed 003 titles it."""
        return f"{self.title} - End of {format_period_name(self.period, with_year=False)} ({self.period_label})"

    @property
    def classification(self) -> str:
        return "Internal - not for publication" if self.audience == "internal" else "Public"

    # --- helpers ------------------------------------------------------------------------------
    def shown_statuses(self) -> list[str]:
        """The status keys a reader can meet, in order: blue only when the scheme rates 'exceeding'."""
        return [k for k in ("blue", "green", "amber", "red", "data_only", "not_available")
                if k != "blue" or self.dataset.organisation.status_scheme.exceeding_margin is not None]

    def _status(self, key: str) -> dict[str, str]:
        style = self.dataset.organisation.status_scheme.statuses[key]
        return {"key": key, "label": style.label, "symbol": style.symbol, "colour": style.colour,
                "text_colour": readable_text_colour(style.colour)}

    def _direction(self, key: str) -> dict[str, str]:
        symbol, label = DIRECTION_LABELS[key]
        return {"key": key, "symbol": symbol, "label": label}

    def _document(self) -> dict[str, Any]:
        return {"title": self.heading, "organisation": self.dataset.organisation.name,
                "classification": self.classification, "audience": self.audience,
                "period": format_period_name(self.period)}

    def _render(self, name: str, model: dict[str, Any], files: dict[str, bytes] | None = None) -> Section:
        images = {n: base64.b64encode(b).decode("ascii") for n, b in (files or {}).items()}
        html = _env.get_template(f"{name}.html.j2").render(**model, report=self._document(), images=images)
        typst = ty.call(f"gt-{name.replace('_', '-')}", model)
        return Section(html, typst, files or {}, self._document())

    # --- sections -----------------------------------------------------------------------------
    def front_sheet(self) -> Section:
        """The Cabinet report front sheet (seeds 002 and 003)."""
        f = self.front
        org = self.dataset.organisation.report_defaults
        impl = f.implications
        model = {
            "title": self.heading,
            "organisation": self.dataset.organisation.name,
            "meeting": f.meeting or org.meeting,
            "meeting_date": _date(f.meeting_date),
            "rows": [
                ["Cabinet Member(s)", f.cabinet_member or org.cabinet_member],
                ["Division and Local Member(s)", f.division],
                ["Lead Officer", f.lead_officer or org.lead_officer],
                ["Report Author", f.author or org.author],
                ["Contact Details", f.contact or org.contact],
            ],
            "seen_by": [[s.role, s.name, _date(s.date)] for s in f.seen_by],
            "informed": [[s.role, s.name, _date(s.date)] for s in f.informed],
            "forward_plan_reference": f.forward_plan_reference,
            "summary": _paragraphs(f.summary),
            "recommendations": list(f.recommendations),
            "sections": [[label, _paragraphs(text)] for label, text in [
                ("Reasons for Recommendations", f.reasons),
                ("Links to Priorities and Impact on Service Plans", f.links_to_priorities),
                ("Consultations undertaken", f.consultations),
                ("Financial Implications", impl.financial),
                ("Legal Implications", impl.legal),
                ("HR Implications", impl.hr),
                ("Risk Implications", impl.risk),
                ("Other Implications (including due regard implications)", impl.other),
                ("Scrutiny comments / recommendation (if any)", f.scrutiny_comments),
            ] if text],
        }
        model["rows"] = [r for r in model["rows"] if r[1]]
        return self._render("front_sheet", model)

    def indicator_summary(self, heading: str = "1. Summary") -> Section:
        """How many indicators, continued and new, and how many cannot be judged yet."""
        s = self.summary
        counts = [{**self._status(k), "count": n} for k, n in s.by_status.items() if n]
        judged = {k: n for k, n in s.by_status.items() if n and k in ("blue", "green", "amber", "red")}
        parts = [f"{n} {'is' if n == 1 else 'are'} {self._status(k)['label'].lower()}" for k, n in judged.items()]
        model = {
            "judged": sum(judged.values()),
            "judged_text": ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts),
            "total": s.total, "continued": s.continued, "new": s.new, "new_titles": list(s.new_titles),
            "insufficient": s.insufficient, "insufficient_new": s.insufficient_new,
            "period_end": _period_end(self.period), "counts": counts, "heading": heading,
        }
        return self._render("indicator_summary", model)

    def areas(self) -> Section:
        """Areas of success and of concern: the final list only (see :meth:`area_candidates`)."""
        titles = self.card.set_index("id")
        page_titles = titles["page_title"]

        def items(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{"id": r.indicator, "anchor": anchor(r.indicator),
                     "headline": page_titles.get(r.indicator) or r.title, "text": _rich(r.text)}
                    for r in frame.itertuples(index=False)]

        model = {"success": items(self.selection.success), "concern": items(self.selection.concern),
                 "insufficient": self.summary.insufficient,
                 "insufficient_new": self.summary.insufficient_new == self.summary.insufficient > 0}
        return self._render("areas", model)

    def area_candidates(self) -> pd.DataFrame:
        """Every candidate area, ranked, with its score, reason and whether the leadership team chose it.

        For the analyst's notebook only: ``source`` says "chosen" (``highlight`` in commentary.csv),
        "drafted" (found in the data and in the report), or why a candidate was left out.
        """
        return self.selection.candidates

    def appendix(self, charts: bool = True, heading: str = "Appendix A: Performance scorecard") -> Section:
        """Appendix A: per outcome, every indicator with its figures, status, trend, chart and commentary."""
        files: dict[str, bytes] = {}
        history = self.history.groupby("indicator", sort=False)
        outcomes = []
        for outcome in self.dataset.plan.outcomes:
            rows = self.card[self.card["outcome"] == outcome.id]
            if rows.empty:
                continue
            entries = []
            for r in rows.itertuples(index=False):
                entry = self._entry(r)
                if charts and r.kind == "measure" and r.id in history.groups:
                    chart = trend_chart(history.get_group(r.id), r.title, r.unit, int(r.decimals))
                    if chart is not None:
                        name = f"chart-{anchor(r.id)}.png"
                        files[name] = chart.png
                        entry["chart"] = {"file": name, "alt": chart.alt}
                entries.append(entry)
            outcomes.append({"id": outcome.id, "title": outcome.title, "indicators": entries})
        legend = [self._status(k) for k in self.shown_statuses()]
        return self._render("appendix", {"heading": heading, "outcomes": outcomes, "legend": legend}, files)

    def _entry(self, r: Any) -> dict[str, Any]:
        unit, dec = r.unit, int(r.decimals)
        is_milestone = r.kind == "milestone"
        latest = (MILESTONE_LABELS.get(r.milestone_status, "–") if is_milestone
                  else format_value(r.value, unit, dec))
        target = "–" if is_milestone else format_target(
            r.target if _missing(r.period_target) else r.period_target, unit, dec)
        return {
            "id": r.id, "anchor": anchor(r.id), "title": r.title, "owner": r.owner, "directorate": r.directorate,
            "frequency": r.frequency.capitalize(), "is_new": bool(r.is_new),
            "kind": "Milestone" if is_milestone else "Measure",
            "polarity": {"higher": "Higher is better", "lower": "Lower is better"}.get(r.polarity, ""),
            "latest": latest, "as_at": format_period_name(r.as_at) if not _missing(r.as_at) else "No data yet",
            "target": target if target != "–" or is_milestone else "No target (data only)",
            "status": self._status(r.status), "overridden": bool(r.overridden),
            "override_reason": r.override_reason,
            "previous": self._direction(r.dot_previous), "year": self._direction(r.dot_year),
            "previous_value": "" if is_milestone else format_value(r.previous_value, unit, dec),
            "year_ago_value": "" if is_milestone else format_value(r.year_ago_value, unit, dec),
            "commentary": _rich(r.commentary), "actions": _rich(r.actions),
            "chart": None,
        }

    def scorecard_table(self) -> pd.DataFrame:
        """The scorecard as a plain table, for analysts to sort and filter in the notebook."""
        c = self.card
        return pd.DataFrame({
            "id": c["id"], "title": c["title"], "outcome": c["outcome"], "new": c["is_new"],
            "as_at": [format_period_name(p) if not _missing(p) else "" for p in c["as_at"]],
            "value": c["value"], "target": c["period_target"].fillna(c["target"]), "status": c["status"],
            "overridden": c["overridden"], "direction": c["direction"], "highlight": c["highlight"].fillna(""),
        })


def build_report(data: str | Path = "data/example", period: str = "2019-07", audience: str = "public",
                 title: str | None = None, front_sheet: dict[str, Any] | None = None,
                 max_successes: int = area_rules.DEFAULT_MAX_SUCCESSES,
                 max_concerns: int = area_rules.DEFAULT_MAX_CONCERNS) -> Report:
    """Load, validate and compute a report run. Arguments are the notebook's parameters."""
    params = ReportParameters.model_validate({
        "data": str(data), "period": period, "audience": audience, "title": title,
        "front_sheet": front_sheet or {}, "max_successes": max_successes, "max_concerns": max_concerns})
    dataset = load_dataset(params.data).for_audience(params.audience)
    return Report(dataset=dataset, period=parse_period(params.period), audience=params.audience,
                  title=params.title or dataset.organisation.report_defaults.title, front=params.front_sheet,
                  max_successes=params.max_successes, max_concerns=params.max_concerns)


# --- small text helpers ---------------------------------------------------------------------------

def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _rich(text: str | None) -> markup.RichText | None:
    """Commentary (Markdown allowed) as sanitised HTML and Typst content, or None when blank."""
    if _missing(text) or not str(text).strip():
        return None
    return markup.rich(str(text))


def _paragraphs(text: str | None) -> list[str]:
    if _missing(text) or not str(text).strip():
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()]


def _date(d: dt.date | str | None) -> str:
    if d is None:
        return ""
    if isinstance(d, dt.date):
        return d.strftime("%d/%m/%Y")
    return str(d)


def _period_end(period: int) -> str:
    ts = pd.Period(year=period // 12, month=period % 12 + 1, freq="M").end_time
    day = ts.day
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix} {ts.strftime('%B %Y')}"
