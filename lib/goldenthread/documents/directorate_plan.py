"""A directorate business plan (seed 004) with its own indicators' scorecard.

The middle of the golden thread: what one directorate will do towards the business plan's
outcomes, what it delivers and commissions, the big decisions coming, and how its indicators are
doing. The plan text comes from ``directorates/<id>.yaml`` (see :mod:`goldenthread.inputs.directorates`);
the scorecard is the report's, narrowed to the directorate's indicators, so the figures match the
Corporate Performance Report exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from goldenthread.documents.report import Report, Section, _paragraphs, build_report
from goldenthread.errors import DataError, Problem
from goldenthread.inputs.directorates import Directorate, directorate_indicators, load_directorates
from goldenthread.inputs.load import resolve_data_dir
from goldenthread.inputs.periods import financial_year_label, parse_period
from goldenthread.measures.formatting import format_period_name, format_value


@dataclass
class DirectoratePlan(Report):
    """One directorate's business plan for the financial year of ``period``, with its scorecard."""

    directorate: Directorate | None = None

    @property
    def plan_directorate(self) -> Directorate:
        """The directorate this plan is for (the field is optional only because Report's fields have defaults)."""
        if self.directorate is None:
            raise ValueError("a DirectoratePlan needs a directorate")
        return self.directorate

    @cached_property
    def card(self) -> pd.DataFrame:
        """The scorecard, narrowed to this directorate's indicators."""
        return directorate_indicators(super().card, self.plan_directorate)

    @property
    def year_label(self) -> str:
        return financial_year_label(self.period, self.dataset.organisation.financial_year_start_month)

    @property
    def heading(self) -> str:
        """ "Economic and Community Infrastructure Directorate Business Plan 2019/20"."""
        return f"{self.plan_directorate.name} Directorate Business Plan {self.year_label}"

    @property
    def classification(self) -> str:
        if self.audience == "internal" or self.plan_directorate.classification == "restricted":
            return "Internal - not for publication"
        return "Public"

    # --- sections -----------------------------------------------------------------------------
    def cover(self) -> Section:
        """Title, who is responsible, and the directorate's purpose."""
        d = self.plan_directorate
        model = {
            "organisation": self.dataset.organisation.name,
            "title": self.heading,
            "subtitle": f"Indicators as at the end of {format_period_name(self.period)} ({self.period_label})",
            "rows": [
                ["Director", d.director],
                ["Cabinet Member(s)", "; ".join(d.cabinet_members)],
                ["Classification", "Restricted" if d.classification == "restricted" else "Unrestricted"],
            ],
            "purpose": _paragraphs(d.purpose),
        }
        return self._render("directorate_cover", model)

    def priorities(self) -> Section:
        """The directorate's priorities, each linked to the business plan outcome it serves."""
        outcomes = {o.id: o.title for o in self.dataset.plan.outcomes}
        model = {
            "priorities": [
                {
                    "title": p.title,
                    "outcome": p.outcome,
                    "outcome_title": outcomes.get(p.outcome, ""),
                    "description": _paragraphs(p.description),
                }
                for p in self.plan_directorate.priorities
            ]
        }
        return self._render("directorate_priorities", model)

    def delivery(self) -> Section:
        """Social value, services, commissioned services over £1m, key decisions and trading company SLAs."""
        d = self.plan_directorate
        start = self.dataset.organisation.financial_year_start_month

        def money(v: float | None) -> str:
            return "–" if v is None else format_value(float(v), "gbp")

        model = {
            "social_value": list(d.social_value),
            "in_house": list(d.services_in_house),
            "external": list(d.services_external),
            "commissioned": [
                {
                    "service": c.service,
                    "provider": c.provider,
                    "length": c.contract_length,
                    "value": money(c.annual_value),
                }
                for c in d.commissioned_services
            ],
            "commissioned_total": money(sum(c.annual_value for c in d.commissioned_services))
            if d.commissioned_services
            else "",
            "decisions": [
                {
                    "decision": k.decision,
                    "date": _when(k.date),
                    "value": money(k.value),
                    "description": k.description or "",
                }
                for k in sorted(d.key_decisions, key=lambda k: _month_of_decision(k.date, start))
            ],
            "slas": [
                {"company": s.company, "service": s.service, "value": money(s.annual_value)}
                for s in d.trading_company_slas
            ],
        }
        return self._render("directorate_delivery", model)

    def indicator_summary(self, heading: str = "How our indicators are doing") -> Section:
        """The report's summary of the indicator set, for this directorate's indicators."""
        return super().indicator_summary(heading)

    def scorecard(self, charts: bool = True) -> Section:
        """The directorate's indicators, laid out as Appendix A of the quarterly report."""
        return self.appendix(charts, heading="Directorate scorecard")


def _month_of_decision(date: str, start_month: int) -> int:
    """A decision's month ordinal, for ordering: a financial year ("2020/21") counts from its first month."""
    try:
        return parse_period(date)
    except ValueError:
        return int(date[:4]) * 12 + start_month - 1


def _when(date: str) -> str:
    """ "2020-03" -> "March 2020"; a financial year ("2020/21") is shown as it is."""
    try:
        return format_period_name(parse_period(date))
    except ValueError:
        return date


def build_directorate_plan(
    data: str = "data/example", directorate: str = "eci", period: str = "2019-07", audience: str = "public"
) -> DirectoratePlan:
    """Load, validate and compute one directorate's plan. Arguments are the notebook's parameters.

    A restricted directorate plan is only built for the internal audience.
    """
    base = build_report(data, period, audience)
    folder = resolve_data_dir(data)
    plan = choose_directorate(
        load_directorates(folder, base.dataset.plan, base.dataset.indicators), directorate, audience, folder
    )
    return DirectoratePlan(
        dataset=base.dataset,
        period=base.period,
        audience=base.audience,
        title=plan.name,
        front=base.front,
        directorate=plan,
    )


def choose_directorate(plans: dict[str, Directorate], directorate: str, audience: str, folder: Path) -> Directorate:
    """The plan to build, or a :class:`DataError` if there is none by that id or the audience may not see it."""
    source = f"directorates/{directorate}.yaml"
    if directorate not in plans:
        raise DataError(
            [
                Problem(
                    source,
                    message="no such directorate plan",
                    hint="Use one of: " + (", ".join(plans) or f"(none yet: add files to {folder / 'directorates'})"),
                )
            ]
        )
    plan = plans[directorate]
    if plan.classification == "restricted" and audience != "internal":
        raise DataError(
            [
                Problem(
                    source,
                    None,
                    "classification",
                    "is restricted, so it is not built for the public",
                    "restricted",
                    "Build it with audience: internal in the parameters file",
                    field="key",
                )
            ]
        )
    return plan


def directorates_for(data: str | Path, audience: str = "public") -> tuple[list[str], list[str]]:
    """The directorate plans a run for ``audience`` builds, and the restricted ones it leaves out.

    Checks the whole data folder first (a :class:`DataError` lists every problem), so a batch of
    parallel runs never starts on bad data.
    """
    from goldenthread.inputs.load import load_dataset

    folder = resolve_data_dir(data)
    ds = load_dataset(folder)
    plans = load_directorates(folder, ds.plan, ds.indicators)
    built = [i for i, d in plans.items() if audience == "internal" or d.classification == "public"]
    return built, [i for i in plans if i not in built]
