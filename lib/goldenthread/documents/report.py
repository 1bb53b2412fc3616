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

from goldenthread.documents.chart_pool import (
    BenchmarkRequest,
    ChartRequest,
    SpcRequest,
    TrendRequest,
    start_workers,
    trend_charts,
)
from goldenthread.documents.charts import Chart
from goldenthread.documents.icons import Icon, assurance_icon, variation_icon
from goldenthread.documents.rows import (
    as_at_text,
    decimals_of,
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
from goldenthread.measures import spc
from goldenthread.measures.comparison import comparison_table, group_figures
from goldenthread.measures.forecast import year_end_forecasts
from goldenthread.measures.formatting import and_list, format_period_name, format_target, format_value, is_missing
from goldenthread.measures.scorecard import IndicatorSummary, indicator_summary, observations, scorecard
from goldenthread.measures.variation import variation_table
from goldenthread.narrative import areas as area_rules
from goldenthread.narrative.findings import comparison_findings, variation_findings
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
        icons = sum(1 for name in self.files if name.startswith("icon-"))
        charts = len(self.files) - icons
        counted = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((charts, "chart"), (icons, "icon")) if n]
        return f"<report section{': ' + text if text else ''}{''.join(', ' + c for c in counted)}>"


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
    #: Built without every sign-off organisation.yaml asks for (docs/signoff.md): DRAFT on every page.
    draft: bool = False
    #: The figures changed since a sign-off was given (:meth:`goldenthread.audit.signoff.SignOffState.changes`):
    #: indicator, period, what, old, new, signoffs - listed on the front sheet.
    signoff_changes: list[dict[str, str]] = field(default_factory=list)

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
    def variation(self) -> spc.SpcTable:
        """SPC (XmR, Making Data Count) of every measure as at the report month: points, phases and a
        summary row per indicator with its chart kind (:func:`goldenthread.measures.variation.variation_table`)."""
        d = self.dataset
        return variation_table(self.history, d.indicators, d.rebases, self.period, d.organisation.report_defaults.chart)

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """How the council compares with each comparator group, per benchmarked indicator, at its latest
        benchmark period on or before the report month (:func:`goldenthread.measures.comparison.comparison_table`)."""
        d = self.dataset
        table = comparison_table(d.benchmarks, d.comparators, d.indicators, self.period)
        return table[table["indicator"].isin(set(self.card["id"]))].reset_index(drop=True)

    @cached_property
    def forecasts(self) -> pd.DataFrame:
        """The year-end forecast of every indicator, or why it has none
        (:func:`goldenthread.measures.forecast.year_end_forecasts`)."""
        d = self.dataset
        return year_end_forecasts(self.history, d.indicators, self.period, self.fy_start, targets=d.targets)

    @cached_property
    def selection(self) -> area_rules.Selection:
        """Areas of success and concern: the leadership team's choices, then the strongest drafted findings
        (from the history, and from SPC and benchmarking)."""
        labels = {k: v.label for k, v in self.dataset.organisation.status_scheme.statuses.items()}
        extra = pd.concat(
            [
                variation_findings(self.variation.summary, self.card, self.period),
                comparison_findings(self.comparison, self.card, self.period),
            ],
            ignore_index=True,
        )
        candidates = area_rules.drafted(self.card, self.history, self.period, labels, self.fy_start, extra=extra)
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
        document = {
            "title": self.heading,
            "organisation": self.dataset.organisation.name,
            "classification": self.classification,
            "audience": self.audience,
            "period": format_period_name(self.period),
        }
        # Only a draft says so: a report with every sign-off is exactly what it was before sign-offs existed.
        return {**document, "draft": True} if self.draft else document

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
        if self.draft:
            model["draft"] = DRAFT_NOTICE
        if self.signoff_changes:
            model["signoff_changes"] = self._signoff_changes()
        return self._render("front_sheet", model)

    def _signoff_changes(self) -> list[dict[str, str]]:
        """The front sheet's "Figures changed since sign-off": each figure's indicator (id and title, when the
        reader may see it), month, what changed, was and now, and the sign-offs it invalidated."""
        titles = dict(zip(self.dataset.indicators["id"].astype(str), self.dataset.indicators["title"], strict=True))
        return [
            {
                "indicator": f"{c['indicator']} {titles[c['indicator']]}"
                if c["indicator"] in titles
                else c["indicator"],
                "period": str(c.get("period", "")),
                "what": str(c.get("what", "")),
                "old": str(c.get("old", "")),
                "new": str(c.get("new", "")),
                "signoffs": str(c.get("signoffs", "")),
            }
            for c in self.signoff_changes
            if self.audience == "internal" or c.get("indicator") in titles
        ]

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

    def variation_summary(self, heading: str = "1.1 Variation and assurance", level: int = 3) -> Section:
        """How many measures show each kind of variation (rows) and each assurance (columns): the Making
        Data Count summary matrix, with the icons in the headers and a reading guide.

        Every measure in the report is counted once: a measure without enough points for SPC, or one SPC
        does not suit (a year-to-date total), is "not charted", and milestones are left out (said below).
        """
        measures = self.card[self.card["kind"] == "measure"]["id"]
        summary = self.variation.summary.reindex(pd.Index(measures.astype(str)))
        files: dict[str, bytes] = {}
        row_of = [_variation_row(summary, i) for i in summary.index]
        column_of = [
            _assurance_column(summary, i) if row != "not_charted" else "none" for i, row in zip(summary.index, row_of)
        ]
        counts = pd.crosstab(pd.Series(row_of, dtype=object), pd.Series(column_of, dtype=object))
        columns = [
            {
                "key": key,
                "label": label,
                "icon": _icon_model(assurance_icon(key), files) if key != "none" else None,
            }
            for key, label in ASSURANCE_COLUMNS
        ]
        rows: list[dict[str, Any]] = []
        for key, label in VARIATION_ROWS:
            icons = [_icon_model(variation_icon(v, side), files) for v, side in VARIATION_ROW_ICONS[key]]
            cells = [
                int(counts.at[key, c]) if key in counts.index and c in counts.columns else 0
                for c, _ in ASSURANCE_COLUMNS
            ]
            rows.append({"key": key, "label": label, "icons": icons, "counts": cells, "total": sum(cells)})
        milestones = int((self.card["kind"] == "milestone").sum())
        model = {
            "heading": heading,
            "level": level,
            "guide": variation_guide(len(summary), milestones),
            "columns": columns,
            "rows": rows,
            "totals": [sum(r["counts"][k] for r in rows) for k in range(len(columns))],
            "total": len(summary),
            "special": self._special_causes(list(summary.index), row_of),
            "caption": "Measures by variation (rows) and assurance against their target (columns)",
        }
        return self._render("variation_summary", model, files)

    def _special_causes(self, ids: list[str], rows: list[str]) -> list[dict[str, Any]]:
        """The measures behind each special-cause row of the variation summary, linked to their entries."""
        titles = self.card.set_index("id")["title"]
        return [
            {
                "label": label,
                "measures": [
                    {"id": i, "anchor": anchor(i), "title": str(titles.get(i, i))}
                    for i, row in zip(ids, rows, strict=True)
                    if row == key
                ],
            }
            for key, label in sorted(VARIATION_ROWS, key=lambda kl: SPECIAL_ORDER.get(kl[0], 9))
            if key in SPECIAL_ORDER and key in rows
        ]

    def benchmarking_summary(
        self, heading: str = "1.2 How we compare with similar councils", level: int = 3
    ) -> Section:
        """One row per benchmarked measure against the main comparator group: our figure, rank of n,
        quartile and its movement since last year, the group's median and the reference figures (England),
        with the period, the groups and the source named. Says so plainly when there are no benchmarks."""
        comparators = self.dataset.comparators
        main_rows = self.comparison[self.comparison["main"].astype(bool)] if len(self.comparison) else self.comparison
        info = self.card.set_index("id")
        references = [g.name for g in comparators.groups if g.kind == "reference"] if comparators else []
        rows = []
        for m in main_rows.itertuples(index=False):
            if m.indicator not in info.index:
                continue
            i = info.loc[m.indicator]
            unit, dec = i["unit"], decimals_of(i["decimals"])
            compared = is_missing(m.reason)
            refs = dict(self._references(m.indicator))
            rows.append(
                {
                    "id": m.indicator,
                    "anchor": anchor(m.indicator),
                    "title": str(i["title"]),
                    "period": period_text(m.period_label),
                    "value": format_value(_number(m.value), unit, dec),
                    "rank": str(m.rank_text) if compared else "–",
                    "quartile": str(m.position) if compared else "–",
                    "movement": movement_text(m._asdict(), short=True) if compared else "–",
                    "median": format_value(_number(m.median), unit, dec) if compared else "–",
                    "references": [
                        format_value(_number(refs.get(name)), unit, dec) if not is_missing(refs.get(name)) else "–"
                        for name in references
                    ],
                    "reason": None if compared else str(m.reason_text or ""),
                    "source": self._figures_source(str(m.indicator), str(m.period_label)),
                }
            )
        main_group = str(main_rows["group"].iloc[0]) if len(main_rows) else None
        if comparators is None or not rows:
            empty = (
                "The council has no benchmarking figures for this report: no comparison with similar councils is shown."
                if comparators is None
                else "None of the indicators in this report has comparator figures up to "
                f"{format_period_name(self.period)}, so no comparison with similar councils is shown."
            )
        else:
            empty = None
        groups = [g for g in comparators.groups if g.kind == "comparison"] if comparators else []
        group = next((g for g in groups if g.name == main_group), groups[0] if groups else None)
        intro = None
        periods = list(dict.fromkeys(r["period"] for r in rows))
        if group is not None and rows:
            when = f" in {periods[0]}" if len(periods) == 1 else ""
            others = len(set(map(str, group.areas)) - {str(comparators.us)}) if comparators else 0
            intro = (
                f"Each measure is compared{when} with the {others} other areas of the {group.name} group "
                "(the council is ranked among those with a figure; 1st is best)"
                + (f", and the figure for {and_list(references)} is shown for reference" if references else "")
                + ". The quartile says which quarter of the group the council is in, and since last year whether it "
                "moved. A measure with no better direction is placed by its value, never judged."
            )
        model = {
            "heading": heading,
            "level": level,
            "intro": intro,
            "empty": empty,
            "group": main_group or "",
            "show_period": len(periods) > 1,
            "references": references,
            "rows": rows,
            "sources": list(dict.fromkeys(r["source"] for r in rows if r["source"])),
            "source": self._benchmark_source(),
            "caption": f"Benchmarked measures compared with {main_group}" if main_group else "Benchmarked measures",
        }
        return self._render("benchmarking_summary", model)

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
        """Appendix A: per outcome, every indicator with its figures, status, trend, chart and commentary,
        and for a measure its variation and assurance (SPC), benchmarking and year-end forecast."""
        files: dict[str, bytes] = {}
        outcomes = []
        drawn, benchmark_charts = self._appendix_charts() if charts else ({}, {})
        for outcome in self.dataset.plan.outcomes:
            rows = self.card[self.card["outcome"] == outcome.id]
            if rows.empty:
                continue
            entries = []
            for r in rows.itertuples(index=False):
                entry = self._entry(r)
                entry["chart"] = _chart_model(drawn.get(r.id), f"chart-{anchor(r.id)}.svg", files)
                entry.update(self._insight(r, files))
                if entry["benchmark"] is not None:
                    chart = benchmark_charts.get(r.id)
                    entry["benchmark"]["chart"] = _chart_model(chart, f"benchmark-{anchor(r.id)}.svg", files)
                entries.append(entry)
            outcomes.append({"id": outcome.id, "title": outcome.title, "indicators": entries})
        legend = [self._status(k) for k in self.shown_statuses()]
        return self._render("appendix", {"heading": heading, "outcomes": outcomes, "legend": legend}, files)

    def chart_kind(self, indicator_id: str) -> str:
        """The chart an indicator is drawn with: 'spc' or 'trend' (its own choice, else the organisation's)."""
        kinds = self.variation.summary.get("chart")
        kind = kinds.get(indicator_id) if kinds is not None else None
        return str(kind) if kind in ("spc", "trend") else self.dataset.organisation.report_defaults.chart

    def _appendix_charts(self) -> tuple[dict[str, Chart | None], dict[str, Chart | None]]:
        """The appendix's chart of every measure with figures (an XmR chart where the indicator asks for
        one and has enough points, else its trend) and the strip chart of every benchmarked measure, by
        indicator id, drawn together (in a process pool for a large indicator set:
        :func:`goldenthread.documents.chart_pool.trend_charts`)."""
        history = self.history.groupby("indicator", sort=False)
        outcomes = {o.id for o in self.dataset.plan.outcomes}
        measures = [r for r in self.card.itertuples(index=False) if r.outcome in outcomes and r.kind == "measure"]
        rows = [r for r in measures if r.id in history.groups]
        summary = self.variation.summary
        points = _by_indicator(self.variation.points)
        phases = _by_indicator(self.variation.phases)
        requests: list[ChartRequest] = []
        for r in rows:
            trend = TrendRequest(history.get_group(r.id), r.title, r.unit, decimals_of(r.decimals), self.fy_start)
            if self.chart_kind(r.id) == "spc" and r.id in points and _reliable(summary, r.id):
                target = summary.get("target_used", summary["target"]).get(r.id)
                requests.append(
                    SpcRequest(
                        points[r.id],
                        phases.get(r.id, self.variation.phases.iloc[:0]),
                        r.title,
                        r.unit,
                        decimals_of(r.decimals),
                        str(r.polarity),
                        None if is_missing(target) else float(target),
                        self.fy_start,
                    )
                )
            else:
                requests.append(trend)
        # compared with other councils even before this year's first figure (an annual survey still to come)
        benchmarked = [(r, self._main_comparison(r.id)) for r in measures]
        benchmarked = [(r, m) for r, m in benchmarked if m is not None and is_missing(m["reason"])]
        requests += [self._benchmark_request(r, m) for r, m in benchmarked]
        charts = trend_charts(requests)
        drawn = dict(zip((r.id for r in rows), charts[: len(rows)], strict=True))
        for r, request in zip(rows, requests, strict=False):  # an XmR chart that could not be drawn: the trend
            if drawn[r.id] is None and isinstance(request, SpcRequest):
                drawn[r.id] = trend_charts(
                    [TrendRequest(history.get_group(r.id), r.title, r.unit, decimals_of(r.decimals), self.fy_start)]
                )[0]
        return drawn, dict(zip((r.id for r, _ in benchmarked), charts[len(rows) :], strict=True))

    @cached_property
    def _comparison_rows(self) -> dict[str, pd.DataFrame]:
        """:attr:`comparison` by indicator, split once (the appendix looks each measure up several times)."""
        c = self.comparison
        return {str(k): g for k, g in c.groupby(c["indicator"].astype(str), sort=False)} if len(c) else {}

    def _main_comparison(self, indicator_id: str) -> pd.Series | None:
        """The indicator's row of :attr:`comparison` for the main comparator group, if it is benchmarked."""
        rows = self._comparison_rows.get(str(indicator_id))
        main = rows[rows["main"].astype(bool)] if rows is not None else None
        return None if main is None or main.empty else main.iloc[0]

    def _references(self, indicator_id: str) -> list[tuple[str, Any]]:
        """(group name, figure) of each reference group (England) for the indicator."""
        rows = self._comparison_rows.get(str(indicator_id))
        if rows is None:
            return []
        return [(str(r.group), r.reference_value) for r in rows[rows["group_kind"] == "reference"].itertuples()]

    def _benchmark_request(self, r: Any, main: pd.Series) -> BenchmarkRequest:
        d = self.dataset
        figures = group_figures(d.benchmarks, d.comparators, r.id, str(main["period_label"]), str(main["group"]))
        known = [(name, float(v)) for name, v in self._references(r.id) if not is_missing(v)]
        return BenchmarkRequest(
            figures,
            median=float(main["median"]),
            lower_quartile=float(main["lower_quartile"]),
            upper_quartile=float(main["upper_quartile"]),
            reference=known[0] if known else None,
            title=f"{r.title}: {main['group']}, {main['period_label']}",
            unit=r.unit,
            decimals=decimals_of(r.decimals),
            polarity=str(r.polarity),
        )

    def _insight(self, r: Any, files: dict[str, bytes]) -> dict[str, Any]:
        """What SPC, benchmarking and the forecast add to a measure's entry (nothing for a milestone).

        ``variation`` and ``assurance`` are icons with their words (the words are shown and are the
        icon's alt text, so nothing rests on colour or shape alone); ``spc_note`` says plainly why there
        is no variation ("too few points for SPC: ...", or why SPC does not suit the measure).
        """
        blank = _no_insight()
        if r.kind != "measure":
            return blank
        summary = self.variation.summary
        if r.id in summary.index:
            row = summary.loc[r.id]
            reason = row.get("reason")
            if not is_missing(reason) and str(reason).strip():
                blank["spc_note"] = str(reason)
            elif row["status"] != "ok":
                no_figures = not is_missing(row.get("points")) and int(row["points"]) == 0
                blank["spc_note"] = (
                    f"{spc.TOO_FEW}: no figures yet" if no_figures else (str(row["note"]) or spc.TOO_FEW)
                )
            else:
                blank["variation"] = _icon_model(variation_icon(row["variation"], str(row["side"] or "")), files)
                if not is_missing(row["assurance"]):
                    blank["assurance"] = _icon_model(assurance_icon(str(row["assurance"])), files)
        blank["rebases"] = self._rebase_notes(r.id)
        blank["benchmark"] = self._benchmark_model(r)
        blank["forecast"] = self._forecast_model(r)
        return blank

    def _rebase_notes(self, indicator_id: str) -> list[str]:
        """ "Limits recalculated from April 2019: a new way of counting." for each rebase up to the report month."""
        return self._rebases_up_to_now.get(indicator_id, [])

    @cached_property
    def _rebases_up_to_now(self) -> dict[str, list[str]]:
        """Every indicator's rebase notes (see :meth:`_rebase_notes`), from one pass over the rebases: picking
        each indicator's rows out of the whole table took about 5 ms an entry, 1 s of a 400-indicator appendix."""
        rb = self.dataset.rebases
        if rb is None or rb.empty:
            return {}
        due = rb[rb["period"].astype(int) <= self.period]
        return {
            str(indicator_id): [
                f"Limits recalculated from {format_period_name(int(x.period))}"
                + (f": {x.reason}" if not is_missing(x.reason) and str(x.reason).strip() else "")
                for x in mine.sort_values("period").itertuples(index=False)
            ]
            for indicator_id, mine in due.groupby("indicator", sort=False)
        }

    def _benchmark_model(self, r: Any) -> dict[str, Any] | None:
        """The indicator against its main comparator group: a short table (our figure, rank, quartile and
        its movement, median, the reference figures), the period and the source; the chart is added later."""
        main = self._main_comparison(r.id)
        if main is None:
            return None
        unit, dec = r.unit, decimals_of(r.decimals)
        rows: list[list[Any]] = [["Our figure", format_value(_number(main["value"]), unit, dec)]]
        reason = None if is_missing(main["reason"]) else str(main["reason_text"] or "")
        if reason is None:
            rows += [
                ["Rank", str(main["rank_text"])],
                ["Quartile", str(main["position"])],
                ["Since last year", movement_text(main)],
                ["Group median", format_value(_number(main["median"]), unit, dec)],
            ]
        for name, value in self._references(r.id):
            rows.append([name, format_value(_number(value), unit, dec) if not is_missing(value) else "No figure"])
        return {
            "heading": f"Compared with {main['group']}",
            "group": str(main["group"]),
            "period": period_text(main["period_label"]),
            "rows": rows,
            "reason": reason,
            "source": self._figures_source(r.id, str(main["period_label"])),
            "groups_source": self._benchmark_source(),
            "chart": None,
        }

    def _benchmark_source(self) -> str | None:
        """Where the comparator groups come from (comparators.yaml's ``source``)."""
        comparators = self.dataset.comparators
        return None if comparators is None or not comparators.source else str(comparators.source)

    def _figures_source(self, indicator_id: str, period_label: str) -> str | None:
        """Where an indicator's comparator figures come from (benchmarks.csv's ``source``), "; " between several."""
        b = self.dataset.benchmarks
        if b is None or b.empty or "source" not in b.columns:
            return None
        rows = b[(b["indicator"].astype(str) == indicator_id) & (b["period_label"].astype(str) == period_label)]
        found = [str(x).strip() for x in rows["source"] if not is_missing(x) and str(x).strip()]
        return "; ".join(dict.fromkeys(found)) or None

    def _forecast_model(self, r: Any) -> dict[str, str] | None:
        """ "Forecast for March 2020: between 91% and 94% (target 90%): likely to meet the target", with
        the method in small text; None where the measure has no forecast."""
        f = self.forecasts
        if f is None or r.id not in f.index:
            return None
        row = f.loc[r.id]
        if not is_missing(row.get("reason")) or is_missing(row.get("projected")):
            return None
        label, _, text = forecast_text(row, r.unit, decimals_of(r.decimals)).partition(": ")
        return {"label": label, "text": text, "method": str(row.get("method") or "")}

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
            **_no_insight(),
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
    draft: bool = False,
    signoff_changes: list[dict[str, str]] | None = None,
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
    # The appendix draws a chart of each measure: a large set starts its chart workers now (see start_workers).
    start_workers(int((dataset.indicators["kind"] == "measure").sum()))
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
        draft=bool(draft),
        signoff_changes=list(signoff_changes or []),
    )


# --- small text helpers ---------------------------------------------------------------------------

#: How a drafted area (not chosen by the leadership team) is marked in the published report.
DRAFTED_LABEL = "identified from the data"
#: What the front sheet of a report built without every sign-off says (docs/signoff.md).
DRAFT_NOTICE = (
    "DRAFT: this report has not been signed off for publication. Not every sign-off the council requires "
    "has been given, or a figure has changed since one was; it must not be published as it is."
)


def headline(page_title: object, title: str) -> str:
    """An area's heading: the leadership team's page title when one is given, else the indicator's title.

    A missing page title arrives as NaN from pandas, which is truthy: testing it with ``or`` once
    printed "nan" as a heading.
    """
    return str(page_title).strip() if not is_missing(page_title) and str(page_title).strip() else str(title)


def _no_insight() -> dict[str, Any]:
    """An appendix entry's SPC, comparison and forecast keys, empty (a milestone's, or before they are worked out)."""
    return {"variation": None, "assurance": None, "spc_note": None, "rebases": [], "benchmark": None, "forecast": None}


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


# --- SPC, benchmarking and forecast helpers ------------------------------------------------------------

#: How large a variation or assurance icon is shown, in CSS pixels (the PDF: :data:`ICON_SIZE_CM`).
ICON_SIZE_PX = 32

#: How a forecast's likelihood reads.
LIKELIHOOD_TEXT = {
    "likely": "likely to meet the target",
    "unlikely": "unlikely to meet the target",
    "uncertain": "too close to call",
}


def _chart_model(chart: Chart | None, name: str, files: dict[str, bytes]) -> dict[str, Any] | None:
    """A drawn chart as a template shows it (its file added to ``files``), or None."""
    if chart is None:
        return None
    files[name] = chart.svg
    width, height = chart.css_size
    return {"file": name, "alt": chart.alt, "width": width, "height": height}


def _icon_model(icon: Icon, files: dict[str, bytes]) -> dict[str, Any]:
    """An icon as the templates show it: stored once per section, with its words as text and as alt text."""
    name = f"icon-{re.sub(r'[^A-Za-z0-9_-]', '-', icon.name)}.svg"
    files[name] = icon.svg
    return {"file": name, "alt": icon.text, "text": icon.text, "size": ICON_SIZE_PX}


def _by_indicator(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A long SPC frame split by its ``indicator`` column (categorical or not)."""
    if frame.empty or "indicator" not in frame.columns:
        return {}
    return {str(k): g for k, g in frame.groupby(frame["indicator"].astype(str), sort=False)}


def _reliable(summary: pd.DataFrame, indicator_id: str) -> bool:
    """Whether the indicator has an XmR chart to draw: enough points, and SPC suits it (no ``reason``)."""
    if indicator_id not in summary.index:
        return False
    row = summary.loc[indicator_id]
    reason = row.get("reason")
    return bool(row["status"] == "ok") and (is_missing(reason) or not str(reason).strip())


def _number(value: Any) -> float | None:
    """A cell as a float, or None where it is blank."""
    return None if is_missing(value) else float(value)


def movement_text(row: Any, short: bool = False) -> str:
    """A comparison row's move since the same period last year: "▲ Improving (was third quartile in 2017/18)";
    ``short`` leaves out the year (a table whose heading says it)."""
    badge = direction_badge(row["movement"] if not is_missing(row["movement"]) else "not_comparable")
    text = f"{badge['symbol']} {badge['label']}"
    before, when = row.get("position_last_year"), row.get("period_last_year")
    if not is_missing(before) and before:
        text += f" (was {before}" + (f" in {when}" if not short and not is_missing(when) and when else "") + ")"
    elif badge["key"] == "not_comparable":
        text = f"{badge['symbol']} Not comparable" + ("" if short else ": no comparison for the year before")
    return text


def period_text(label: Any) -> str:
    """A benchmark period as a reader reads it: "2018/19" as written, "2019-03" as "March 2019"."""
    text = str(label).strip()
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return format_period_name(parse_period(text))
    return text


def forecast_text(row: Any, unit: str | None, decimals: int) -> str:
    """ "Forecast for March 2020: between 91.2% and 94% (target 90%): likely to meet the target"."""
    when = format_period_name(row["year_end"])
    low, high = format_value(_number(row["low"]), unit, decimals), format_value(_number(row["high"]), unit, decimals)
    if is_missing(row["low"]) or is_missing(row["high"]) or low == high:
        text = f"Forecast for {when}: {format_value(_number(row['projected']), unit, decimals)}"
    else:
        text = f"Forecast for {when}: between {low} and {high}"
    if not is_missing(row.get("target")):
        text += f" (target {format_target(row['target'], unit, decimals)})"
    likelihood = row.get("likelihood")
    if not is_missing(likelihood) and str(likelihood) in LIKELIHOOD_TEXT:
        text += f": {LIKELIHOOD_TEXT[str(likelihood)]}"
    return text


#: The rows of the variation summary (a measure's latest point) and the icons in each row's header.
VARIATION_ROWS = (
    ("improvement", "Special cause improvement"),
    ("concern", "Special cause concern"),
    ("neutral", "Special cause neutral (no better direction)"),
    ("common_cause", "Common cause variation"),
    ("not_charted", "Too few points, or not charted"),
)
VARIATION_ROW_ICONS: dict[str, tuple[tuple[str | None, str], ...]] = {
    "improvement": (("improvement", "high"), ("improvement", "low")),
    "concern": (("concern", "high"), ("concern", "low")),
    "neutral": (("neutral", "high"), ("neutral", "low")),
    "common_cause": (("common_cause", ""),),
    "not_charted": ((None, ""),),
}
#: The special-cause rows whose measures are listed under the variation summary, concern first.
SPECIAL_ORDER = {"concern": 0, "improvement": 1, "neutral": 2}
#: The columns of the variation summary: assurance against the target, then none.
ASSURANCE_COLUMNS = (
    ("consistently_passing", "Consistently passing"),
    ("hit_and_miss", "Hit and miss"),
    ("consistently_failing", "Consistently failing"),
    ("none", "No assurance"),
)


def _variation_row(summary: pd.DataFrame, indicator_id: Any) -> str:
    """The summary row a measure counts in: its latest point's variation, or "not_charted"."""
    if not _reliable(summary, indicator_id):
        return "not_charted"
    variation = summary.at[indicator_id, "variation"]
    return str(variation) if variation in ("improvement", "concern", "neutral", "common_cause") else "not_charted"


def _assurance_column(summary: pd.DataFrame, indicator_id: Any) -> str:
    assurance = summary.at[indicator_id, "assurance"]
    return str(assurance) if not is_missing(assurance) and assurance in spc.ASSURANCES else "none"


def variation_guide(measures: int, milestones: int) -> str:
    """The reading guide under the variation summary: what the rows and columns mean, in one paragraph."""
    counted = "one milestone is" if milestones == 1 else f"{milestones} milestones are"
    left_out = f" The {counted} not included." if milestones else ""
    if not measures:
        return "This report has no measures to read with statistical process control (SPC)." + left_out
    which = "the one measure" if measures == 1 else f"each of the {measures} measures"
    return (
        f"How to read this table: {which} is read with statistical process control "
        "(SPC), as NHS England's Making Data Count does: its latest figure is tested against limits set by the "
        "measure's own history. Special cause variation is a change too large or too lasting to be chance (a "
        "point outside the limits, 7 points in a row on one side of the average or rising or falling, or 2 of 3 "
        "close to a limit): an improvement or a concern depending on which way is better, or neutral where "
        "neither is. Common cause variation is the usual ups and downs. Assurance says whether, with that "
        "variation, the target will be met: consistently passing, hit and miss (met some months and missed in "
        "others) or consistently failing. A measure without a target has no assurance; one with fewer than "
        f"{spc.MIN_POINTS} points, or that SPC does not suit (a year-to-date total), is not charted.{left_out}"
    )
