"""The Corporate Performance Report as the notebook builds it, section by section.

``build_report`` loads and validates the data, keeps only what the audience may see, and
computes the scorecard. Each section method returns a :class:`Section`, which Jupyter displays
as HTML and which also carries the same content as Typst for the PDF. One view model per
section feeds both, so the HTML and the PDF cannot disagree.
"""

from __future__ import annotations

import base64
import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from goldenthread.documents.chart_pool import TrendRequest, trend_charts
from goldenthread.documents.charts import Chart
from goldenthread.documents.rows import (
    as_at_text,
    direction_badge,
    effective_target,
    kind_label,
    latest_text,
    polarity_label,
    status_badge,
    target_text,
)
from goldenthread.inputs.config import FrontSheet, ReportParameters
from goldenthread.inputs.contract import JUDGED_STATUSES, STATUS_KEYS
from goldenthread.inputs.load import Dataset, load_dataset
from goldenthread.inputs.periods import financial_year_label, format_period, parse_period, quarter_label
from goldenthread.measures.formatting import and_list, format_period_name, format_target, format_value, is_missing
from goldenthread.measures.scorecard import IndicatorSummary, indicator_summary, observations, scorecard
from goldenthread.narrative import areas as area_rules
from goldenthread.narrative.wording import indicator_set_sentence, insufficient_sentence, is_are
from goldenthread.output import TEMPLATES, TYPST_MIME, markup
from goldenthread.output import typst_markup as ty
from goldenthread.output.images import payload_files

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "html"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    finalize=markup.printable,  # no value from the data reaches a page with controls that reorder its text
)


@dataclass(frozen=True)
class Section:
    """One part of the report, renderable as HTML (Jupyter, nbconvert) and Typst (PDF)."""

    html: str
    typst: str
    files: dict[str, bytes] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """HTML, the Typst payload (each chart stored once: the payload refers to the HTML's copy, see
        :mod:`goldenthread.output.images`) and a one-line text form. Without its own text form,
        IPython would store the dataclass's repr, every chart's bytes included, in the notebook."""
        payload = {"typst": self.typst, **payload_files(self.files, self.html), "document": self.document}
        return {"text/html": self.html, "text/plain": self._plain(), TYPST_MIME: payload}

    def _plain(self) -> str:
        """What a console without HTML shows: the section's first heading and what it carries."""
        heading = re.search(r"<h[1-6][^>]*>(.*?)</h[1-6]>", self.html, re.S)
        text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).split()) if heading else ""
        images = f", {len(self.files)} chart{'s' if len(self.files) != 1 else ''}" if self.files else ""
        return f"<report section{': ' + text if text else ''}{images}>"


_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9-]")


def anchor(indicator_id: str) -> str:
    """HTML id / Typst label of an indicator's entry in Appendix A (and its chart's file name).

    One to one, so two indicators can never share an entry, a link or a chart: letters, digits and
    hyphens stay as they are (``ASC-01`` -> ``ind-ASC-01``), and every other character, the
    underscore included, becomes ``_`` and two hex digits for each byte of its UTF-8
    (``ASC.01`` -> ``ind-ASC_2e01``). Replacing them all with ``-`` made ``ASC.01`` and ``ASC-01`` one label.
    """
    return "ind-" + "".join(
        c if _ANCHOR_SAFE.fullmatch(c) else "".join(f"_{b:02x}" for b in c.encode("utf-8")) for c in str(indicator_id)
    )


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
    areas_rule: area_rules.AreasRule | None = None  # None: the organisation's report_defaults.areas
    news_window: int | None = None  # None: the organisation's report_defaults.news_window_months

    @property
    def fy_start(self) -> int:
        return self.dataset.organisation.financial_year_start_month

    @property
    def published_areas(self) -> area_rules.AreasRule:
        return self.areas_rule or self.dataset.organisation.report_defaults.areas

    @cached_property
    def history(self) -> pd.DataFrame:
        org = self.dataset.organisation
        d = self.dataset
        obs = observations(
            d.indicators, d.values, d.targets, d.commentary, org.status_scheme, org.financial_year_start_month
        )
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
        candidates = area_rules.drafted(self.card, self.history, self.period, labels, self.fy_start)
        window = self.news_window or self.dataset.organisation.report_defaults.news_window_months
        return area_rules.select(
            self.card,
            candidates,
            self.max_successes,
            self.max_concerns,
            rule=self.published_areas,
            report_period=self.period,
            news_window=window,
        )

    @property
    def period_label(self) -> str:
        return quarter_label(self.period, self.fy_start)

    @property
    def heading(self) -> str:
        """ "Corporate Performance Report - End of July 2019 (Q1+1 2019/20)", as seed 003 titles it.

        The month carries its year: an April report is labelled "Q4+1" of the year just ended while
        its figures belong to the year just begun, and the heading must not leave that to guesswork.
        """
        return f"{self.title} - End of {format_period_name(self.period)} ({self.period_label})"

    @property
    def classification(self) -> str:
        return "Internal - not for publication" if self.audience == "internal" else "Public"

    # --- helpers ------------------------------------------------------------------------------
    def shown_statuses(self) -> list[str]:
        """The status keys a reader can meet, in order: blue only when the scheme rates 'exceeding'."""
        return [
            k
            for k in STATUS_KEYS
            if k != "blue" or self.dataset.organisation.status_scheme.exceeding_margin is not None
        ]

    def _status(self, key: str) -> dict[str, str]:
        return status_badge(key, self.dataset.organisation.status_scheme.statuses)

    def _document(self) -> dict[str, Any]:
        return {
            "title": self.heading,
            "organisation": self.dataset.organisation.name,
            "classification": self.classification,
            "audience": self.audience,
            "period": format_period_name(self.period),
        }

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
        meeting = f.meeting or org.meeting
        model: dict[str, Any] = {
            "title": self.heading,
            "organisation": self.dataset.organisation.name,
            "meeting": meeting,
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
            # The risk rating (seed 003) follows the risk implications: the sections before it, then after it.
            "sections": _sections(
                [
                    ("Reasons for Recommendations", f.reasons),
                    ("Links to Priorities and Impact on Service Plans", f.links_to_priorities),
                    ("Consultations undertaken", f.consultations),
                    ("Financial Implications", impl.financial),
                    ("Legal Implications", impl.legal),
                    ("HR Implications", impl.hr),
                    ("Risk Implications", impl.risk),
                ]
            ),
            "risk": None if f.risk is None else {k: str(v) for k, v in f.risk.model_dump().items()},
            "sections_after_risk": _sections(
                [
                    ("Other Implications (including due regard implications)", impl.other),
                    ("Scrutiny comments / recommendation (if any)", f.scrutiny_comments),
                ]
            ),
            "background_papers": [
                {"title": b.title, "location": b.location, "link": b.link} for b in f.background_papers
            ],
        }
        model["rows"] = [r for r in model["rows"] if r[1]]
        model["asked"] = f"{_body(meeting)} is asked to:"
        return self._render("front_sheet", model)

    def indicator_summary(self, heading: str = "1. Summary") -> Section:
        """How many indicators, continued and new, and how many cannot be judged yet."""
        s = self.summary
        counts = [{**self._status(k), "count": n} for k, n in s.by_status.items() if n]
        judged = {k: n for k, n in s.by_status.items() if n and k in JUDGED_STATUSES}
        parts = [f"{n} {is_are(n)} {self._status(k)['label'].lower()}" for k, n in judged.items()]
        n_judged = sum(judged.values())
        if n_judged == 1:
            judged_text = (
                f"The one indicator that can be judged is {self._status(next(iter(judged)))['label'].lower()}."
            )
        elif n_judged:
            judged_text = f"Of the {n_judged} indicators that can be judged, {and_list(parts)}."
        else:
            judged_text = ""
        model = {
            "opening": indicator_set_sentence(s.total, s.continued, s.new, self.period, self.fy_start),
            "new_heading": f"The new {'item is' if s.new == 1 else 'items are'}:",
            "new_titles": list(s.new_titles),
            "insufficient_text": insufficient_sentence(s.insufficient, s.insufficient_new),
            "period_text": f"This report provides the latest information available in the period up to "
            f"{_period_end(self.period)}.",
            "judged_text": judged_text,
            "counts": counts,
            "heading": heading,
        }
        return self._render("indicator_summary", model)

    def areas(self) -> Section:
        """Areas of success and of concern: the final list only (see :meth:`area_candidates`)."""
        page_titles = self.card.set_index("id")["page_title"]

        def items(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {
                    "id": r.indicator,
                    "anchor": anchor(r.indicator),
                    "headline": headline(page_titles.get(r.indicator), r.title),
                    "text": _rich(r.text),
                    "drafted": r.source != "chosen",
                }
                for r in frame.itertuples(index=False)
            ]

        success, concern = items(self.selection.success), items(self.selection.concern)
        model = {
            "success": success,
            "concern": concern,
            "intro": self._areas_intro(success + concern),
            "drafted_label": DRAFTED_LABEL,
        }
        return self._render("areas", model)

    def _areas_intro(self, items: list[dict[str, Any]]) -> str:
        """Section 2.1, saying truthfully who picked the areas: the leadership team, the data, or both."""
        base = "2.1 The latest performance information is set out in Appendix A"
        lead = f"{base}; to aid discussion, the following areas of success and concern this period have been"
        drafted = sum(i["drafted"] for i in items)
        chosen = len(items) - drafted
        mark = f"\u201c{DRAFTED_LABEL}\u201d"
        if not items:
            return f"{base}. No areas of success or concern have been highlighted this period."
        if not drafted:
            return f"{lead} highlighted by the Senior Leadership Team."
        if not chosen:
            return (
                f"{lead} identified from the data; they are marked {mark} and have not been chosen by the "
                "Senior Leadership Team."
            )
        return (
            f"{lead} highlighted: {chosen} {'was' if chosen == 1 else 'were'} chosen by the Senior Leadership "
            f"Team and {drafted} {'was' if drafted == 1 else 'were'} identified from the data (marked {mark})."
        )

    def area_candidates(self) -> pd.DataFrame:
        """Every candidate area, ranked, with its score, reason and whether the leadership team chose it.

        For the analyst's notebook only: ``source`` says "chosen" (``highlight`` in commentary.csv),
        "drafted" (found in the data and in the report), or why a candidate was left out
        (docs/data-contract.md lists them); ``period`` is the month of the figure it is about.
        """
        table = self.selection.candidates.copy()
        table["period"] = [format_period(int(p)) if not is_missing(p) else "" for p in table["period"]]
        return table

    def appendix(self, charts: bool = True, heading: str = "Appendix A: Performance scorecard") -> Section:
        """Appendix A: per outcome, every indicator with its figures, status, trend, chart and commentary."""
        files: dict[str, bytes] = {}
        outcomes = []
        drawn = self._trend_charts() if charts else {}
        for outcome in self.dataset.plan.outcomes:
            rows = self.card[self.card["outcome"] == outcome.id]
            if rows.empty:
                continue
            entries = []
            for r in rows.itertuples(index=False):
                entry = self._entry(r)
                chart = drawn.get(r.id)
                if chart is not None:
                    name = f"chart-{anchor(r.id)}.svg"
                    files[name] = chart.svg
                    width, height = chart.css_size
                    entry["chart"] = {"file": name, "alt": chart.alt, "width": width, "height": height}
                entries.append(entry)
            outcomes.append({"id": outcome.id, "title": outcome.title, "indicators": entries})
        legend = [self._status(k) for k in self.shown_statuses()]
        return self._render("appendix", {"heading": heading, "outcomes": outcomes, "legend": legend}, files)

    def _trend_charts(self) -> dict[str, Chart | None]:
        """The appendix's chart of every measure with figures, by indicator id, drawn together
        (in a process pool for a large indicator set: :func:`goldenthread.documents.chart_pool.trend_charts`)."""
        history = self.history.groupby("indicator", sort=False)
        outcomes = {o.id for o in self.dataset.plan.outcomes}
        rows = [
            r
            for r in self.card.itertuples(index=False)
            if r.outcome in outcomes and r.kind == "measure" and r.id in history.groups
        ]
        requests = [
            TrendRequest(history.get_group(r.id), r.title, r.unit, int(r.decimals), self.fy_start) for r in rows
        ]
        return dict(zip((r.id for r in rows), trend_charts(requests), strict=True))

    def _entry(self, r: Any) -> dict[str, Any]:
        """One indicator as the appendix and the plans show it.

        A year-to-date (cumulative) measure says so: its figure and target are labelled with the
        financial year they belong to, and it is never compared with the month before (its total
        rises every month, and April's starts again from zero), only with the same month last year.
        ``since`` is the headline direction with what it is compared with, for one-column views.
        """
        unit, dec = r.unit, int(r.decimals)
        is_milestone = r.kind == "milestone"
        ytd = r.aggregation == "cumulative" and not is_milestone
        latest = latest_text(r.kind, r.value, r.milestone_status, unit, dec)
        target = target_text(
            r.kind, effective_target(r.period_target, r.target), unit, dec, none="No target (data only)", milestone="–"
        )
        as_at = as_at_text(r.as_at)
        previous, previous_value = (
            direction_badge(r.dot_previous),
            ("" if is_milestone else format_value(r.previous_value, unit, dec)),
        )
        year = direction_badge(r.dot_year)
        since = previous
        if ytd:
            fy = financial_year_label(int(r.as_at if not is_missing(r.as_at) else self.period), self.fy_start)
            if not is_missing(r.as_at):
                as_at += f", year to date {fy}"
            if not is_missing(r.period_target) and not is_missing(r.target) and r.period_target != r.target:
                target += f" (year to date; {format_target(r.target, unit, dec)} for the year)"
            previous = {
                "key": "not_compared",
                "symbol": "–",
                "label": "Not compared (a year-to-date total: see last year)",
            }
            previous_value = ""
            last_year = format_period_name(int(r.as_at) - 12) if not is_missing(r.as_at) else "last year"
            since = (
                {**year, "label": f"{year['label']} on {last_year} (year to date)"}
                if r.dot_year != "not_comparable"
                else {**year, "label": f"Not comparable: no figure for {last_year}"}
            )
        return {
            "id": r.id,
            "anchor": anchor(r.id),
            "title": r.title,
            "owner": r.owner,
            "directorate": r.directorate,
            "frequency": r.frequency.capitalize() + (" (year to date)" if ytd else ""),
            "is_new": bool(r.is_new),
            "kind": kind_label(r.kind),
            "polarity": polarity_label(r.polarity),
            "latest": latest,
            "as_at": as_at,
            "target": target,
            "status": self._status(r.status),
            "overridden": bool(r.overridden),
            "override_reason": r.override_reason,
            "previous": previous,
            "year": year,
            "since": since,
            "previous_value": previous_value,
            "year_ago_value": "" if is_milestone else format_value(r.year_ago_value, unit, dec),
            "commentary": _rich(r.commentary),
            "actions": _rich(r.actions),
            "chart": None,
        }

    def scorecard_table(self) -> pd.DataFrame:
        """The scorecard as a plain table, for analysts to sort and filter in the notebook."""
        c = self.card
        return pd.DataFrame(
            {
                "id": c["id"],
                "title": c["title"],
                "outcome": c["outcome"],
                "new": c["is_new"],
                "as_at": [as_at_text(p, none="") for p in c["as_at"]],
                "value": c["value"],
                "target": c["period_target"].fillna(c["target"]),
                "status": c["status"],
                "overridden": c["overridden"],
                "direction": c["direction"],
                "highlight": c["highlight"].fillna(""),
            }
        )


def build_report(
    data: str | Path = "data/example",
    period: str = "2019-07",
    audience: str = "public",
    title: str | None = None,
    front_sheet: dict[str, Any] | None = None,
    max_successes: int = area_rules.DEFAULT_MAX_SUCCESSES,
    max_concerns: int = area_rules.DEFAULT_MAX_CONCERNS,
    areas: area_rules.AreasRule | None = None,
    news_window_months: int | None = None,
) -> Report:
    """Load, validate and compute a report run. Arguments are the notebook's parameters."""
    params = ReportParameters.model_validate(
        {
            "data": str(data),
            "period": period,
            "audience": audience,
            "title": title,
            "front_sheet": front_sheet or {},
            "max_successes": max_successes,
            "max_concerns": max_concerns,
            "areas": areas,
            "news_window_months": news_window_months,
        }
    )
    dataset = load_dataset(params.data).for_audience(params.audience)
    return Report(
        dataset=dataset,
        period=parse_period(params.period),
        audience=params.audience,
        title=params.title or dataset.organisation.report_defaults.title,
        front=params.front_sheet,
        max_successes=params.max_successes,
        max_concerns=params.max_concerns,
        areas_rule=params.areas,
        news_window=params.news_window_months,
    )


# --- small text helpers ---------------------------------------------------------------------------

#: How a drafted area (not chosen by the leadership team) is marked in the published report.
DRAFTED_LABEL = "identified from the data"


def headline(page_title: object, title: str) -> str:
    """An area's heading: the leadership team's page title when one is given, else the indicator's title.

    A missing page title arrives as NaN from pandas, which is truthy: testing it with ``or`` once
    printed "nan" as a heading.
    """
    return str(page_title).strip() if not is_missing(page_title) and str(page_title).strip() else str(title)


def _rich(text: str | None) -> markup.RichText | None:
    """Commentary (Markdown allowed) as sanitised HTML and Typst content, or None when blank."""
    if is_missing(text) or not str(text).strip():
        return None
    return markup.rich(str(text))


def _body(meeting: str | None) -> str:
    """The meeting as the subject of "... is asked to": "Cabinet", "The Executive", "The Council"."""
    name = (meeting or "Cabinet").strip()
    return name if name.lower() == "cabinet" or name.lower().startswith("the ") else f"The {name}"


def _sections(labelled: list[tuple[str, str | None]]) -> list[list[Any]]:
    """The front sheet's labelled text sections that have text, each as [label, paragraphs]."""
    return [[label, _paragraphs(text)] for label, text in labelled if text]


def _paragraphs(text: str | None) -> list[str]:
    if is_missing(text) or not str(text).strip():
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
