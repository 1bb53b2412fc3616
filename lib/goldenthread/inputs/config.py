"""The YAML side of the data contract: organisation, plan and report parameters.

Pydantic models, so a misspelt key or a wrong type is caught with its location, and defaults
(financial year from April, a standard RAG scheme) live in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from goldenthread.inputs.contract import MILESTONE_STATUSES, STATUS_KEYS, YEAR_MONTH


class _Strict(BaseModel):
    # No .inf or .nan anywhere: a tolerance of .inf would make every figure amber.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _not_true_or_false(v: object) -> object:
    """``tolerance: yes`` is YAML's true, which pydantic would take as the number 1."""
    if isinstance(v, bool):
        raise ValueError("is true or false, not a number (YAML reads yes, no, on and off as true or false)")
    return v


#: A fraction of a figure, from 0 to 1 (0.05 = 5%).
Fraction = Annotated[float, BeforeValidator(_not_true_or_false), Field(ge=0, le=1)]
#: A count: a whole number, 0 or more.
Count = Annotated[int, BeforeValidator(_not_true_or_false), Field(ge=0)]


class StatusStyle(_Strict):
    """How one status is shown: never colour alone, always a word and a symbol too."""

    label: str
    symbol: str
    colour: str

    @field_validator("colour")
    @classmethod
    def _colour(cls, v: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError('is not a colour: write it as #rrggbb, for example "#00703c"')
        return v


DEFAULT_STATUSES: dict[str, StatusStyle] = {
    "blue": StatusStyle(label="Exceeding target", symbol="★", colour="#1d70b8"),
    "green": StatusStyle(label="On target", symbol="✓", colour="#00703c"),
    "amber": StatusStyle(label="Near target", symbol="!", colour="#f47738"),
    "red": StatusStyle(label="Off target", symbol="✗", colour="#d4351c"),
    "data_only": StatusStyle(label="Data only", symbol="○", colour="#505a5f"),
    "not_available": StatusStyle(label="Insufficient information", symbol="?", colour="#b1b4b6"),
}

DEFAULT_MILESTONES: dict[str, str] = {
    "complete": "green",
    "on_track": "green",
    "at_risk": "amber",
    "off_track": "red",
    "not_started": "not_available",
}


class StatusScheme(_Strict):
    """A council's RAG rules. Conventions differ between councils, so all of it is configurable."""

    tolerance: Fraction = Field(0.05, description="Default relative tolerance for amber (0.05 = 5%).")
    exceeding_margin: Fraction | None = Field(
        None, description="If set, better than target by this fraction gives 'blue'. Off by default."
    )
    no_change_band: Fraction = Field(
        0.0,
        description="Relative change treated as 'no change' in direction of travel, on top of "
        "figures that are equal at the indicator's decimals.",
    )
    rollup: Literal["worst", "majority"] = Field(
        "worst", description="How an outcome's status is rolled up from its indicators' (see coverage.py)."
    )
    statuses: dict[str, StatusStyle] = Field(default_factory=lambda: dict(DEFAULT_STATUSES))
    milestones: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_MILESTONES))

    @field_validator("statuses")
    @classmethod
    def _all_statuses(cls, v: dict[str, StatusStyle]) -> dict[str, StatusStyle]:
        unknown = set(v) - set(STATUS_KEYS)
        if unknown:
            raise ValueError(f"unknown status {sorted(unknown)}; statuses are {', '.join(STATUS_KEYS)}")
        return {**DEFAULT_STATUSES, **v}

    @field_validator("milestones")
    @classmethod
    def _milestones(cls, v: dict[str, str]) -> dict[str, str]:
        bad = {k: s for k, s in v.items() if k not in MILESTONE_STATUSES or s not in STATUS_KEYS}
        if bad:
            raise ValueError(
                f"milestone mapping {bad} is not valid: keys are {', '.join(MILESTONE_STATUSES)}, "
                f"values are {', '.join(STATUS_KEYS)}"
            )
        return {**DEFAULT_MILESTONES, **v}


AreasRule = Literal["chosen", "chosen_and_drafted"]
#: The chart an indicator is drawn with: its figures and target by month, or an XmR (SPC) chart.
ChartKind = Literal["trend", "spc"]
DEFAULT_NEWS_WINDOW = 3  # months: a quarter, the usual reporting cycle


class ReportDefaults(_Strict):
    """Front-sheet details and house rules that rarely change between quarters."""

    title: str = "Corporate Performance Report"
    meeting: str = "Cabinet"
    cabinet_member: str | None = None
    lead_officer: str | None = None
    author: str | None = None
    contact: str | None = None
    areas: AreasRule = Field(
        "chosen_and_drafted",
        description="Which areas of success and concern are published: only the leadership "
        "team's choices ('chosen'), or those plus the strongest drafted from the data ('chosen_and_drafted').",
    )
    news_window_months: Count = Field(
        DEFAULT_NEWS_WINDOW,
        ge=1,
        le=24,
        description="A drafted area must be about a figure for one of the last N months up to the "
        "report month, so an old figure is not presented as news again.",
    )
    reference_docx: str | None = Field(
        None,
        description="The council's own Word reference document (styles, page, header and footer of "
        "--format docx), relative to the data folder; goldenthread's house style when not given.",
    )
    chart: ChartKind = Field(
        "trend",
        description="The chart each indicator gets in the appendix and the explorer: 'trend' (figure "
        "and target by month) or 'spc' (an XmR chart with process limits, Making Data Count). An "
        "indicator's own 'chart' column in indicators.csv wins.",
    )


class SignOffRule(_Strict):
    """One sign-off a public report needs: a role, for the whole report or for one directorate's figures."""

    role: str = Field(description="The role as the front sheet's Seen by table names it: 'Monitoring Officer'.")
    directorate: str | None = Field(
        None,
        description="A directorate, as indicators.csv spells it: this sign-off then covers that directorate's "
        "figures only (a director signing off their own service's figures).",
    )

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank: name the role that signs off, for example 'Monitoring Officer'")
        return " ".join(v.split())

    @field_validator("directorate")
    @classmethod
    def _directorate(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v.strip():
            raise ValueError("is blank: name the directorate as indicators.csv spells it, or leave the key out")
        return " ".join(v.split())

    @property
    def label(self) -> str:
        """The role as the Seen by table and messages show it: 'Directorate sign-off (Adult Services)'."""
        return f"{self.role} ({self.directorate})" if self.directorate else self.role


class SignOffPolicy(_Strict):
    """``organisation.yaml``'s ``sign_off``: the sign-offs a public report needs and what happens without them."""

    required: list[SignOffRule] = Field(
        default_factory=list,
        description="The sign-offs a public report needs, in the order the front sheet's Seen by table lists them.",
    )
    when_missing: Literal["refuse", "draft"] = Field(
        "refuse",
        description="A public build without every sign-off (or with one a later change invalidated): 'refuse' "
        "stops it with a message listing what is missing; 'draft' builds it marked DRAFT on every page and in "
        "its file names.",
    )

    @field_validator("required")
    @classmethod
    def _once_each(cls, v: list[SignOffRule]) -> list[SignOffRule]:
        keys = [(r.role.casefold(), (r.directorate or "").casefold()) for r in v]
        first = {k: r.label for k, r in reversed(list(zip(keys, v, strict=True)))}
        repeated = list(dict.fromkeys(first[k] for k in keys if keys.count(k) > 1))
        if repeated:
            raise ValueError(f"lists {', '.join(repr(r) for r in repeated)} more than once: list each sign-off once")
        return v


class Organisation(_Strict):
    """``organisation.yaml``."""

    name: str
    financial_year_start_month: Count = Field(4, ge=1, le=12)
    status_scheme: StatusScheme = Field(default_factory=StatusScheme)
    report_defaults: ReportDefaults = Field(default_factory=ReportDefaults)
    sign_off: SignOffPolicy | None = Field(
        None,
        description="The sign-offs a public report needs (goldenthread signoff records them; the front sheet's "
        "Seen by table is filled from them). Without it, Seen by is typed into the parameters file and nothing "
        "is checked. See docs/signoff.md.",
    )


class ComparatorGroup(_Strict):
    """One group of areas the council is compared with (``comparators.yaml``, ``groups``)."""

    name: str = Field(description="The group as readers see it: 'Nearest neighbours (CIPFA)', 'South West', 'England'.")
    areas: list[str] = Field(description="Area codes, as in benchmarks.csv's area_code column.")
    kind: Literal["comparison", "reference"] = Field(
        "comparison",
        description="'comparison': the council is ranked among these areas; 'reference': one area "
        "(England) whose figure is shown beside the council's and never ranked.",
    )

    @field_validator("name")
    @classmethod
    def _named(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank: give the group the name readers will see, for example 'Nearest neighbours'")
        return v.strip()

    @field_validator("areas")
    @classmethod
    def _areas(cls, v: list[str]) -> list[str]:
        codes = [a.strip() for a in v]
        if not codes:
            raise ValueError("has no areas: list the group's area codes, as benchmarks.csv's area_code gives them")
        if any(not a for a in codes):
            raise ValueError("has a blank area code: write each area's code, as benchmarks.csv's area_code gives it")
        repeated = sorted({a for a in codes if codes.count(a) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once: list each area once")
        return codes

    @model_validator(mode="after")
    def _one_reference_area(self) -> ComparatorGroup:
        if self.kind == "reference" and len(self.areas) != 1:
            raise ValueError(
                f"group '{self.name}' is a reference group, which is one area (such as England), but lists "
                f"{len(self.areas)}: give it one area, or make it a comparison group (kind: comparison)"
            )
        return self


class Comparators(_Strict):
    """``comparators.yaml``: who "we" are in benchmarks.csv and the groups we are compared with."""

    us: str = Field(description="The council's own area code in benchmarks.csv.")
    source: str | None = Field(None, description="Where the groups come from, shown under the benchmarking page.")
    groups: list[ComparatorGroup] = Field(min_length=1)
    main_group: str | None = Field(
        None,
        description="The comparison group the summary page and the findings use; the first comparison group "
        "if not given.",
    )

    @field_validator("us")
    @classmethod
    def _us(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank: write the council's own area code, as benchmarks.csv's area_code gives it")
        return v.strip()

    @field_validator("groups")
    @classmethod
    def _groups(cls, v: list[ComparatorGroup], info: ValidationInfo) -> list[ComparatorGroup]:
        names = [g.name for g in v]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(
                f"group name {', '.join(repr(n) for n in repeated)} is used more than once: name each group once"
            )
        us = info.data.get("us")
        ours = [g.name for g in v if g.kind == "reference" and us in g.areas]
        if ours:
            raise ValueError(
                f"reference group '{ours[0]}' is the council itself ({us}): a reference group is another area "
                "(such as England) shown beside the council's figure"
            )
        return v

    @field_validator("main_group")
    @classmethod
    def _main_group(cls, v: str | None, info: ValidationInfo) -> str | None:
        groups = info.data.get("groups")
        if v is None or groups is None:  # groups with a problem are reported on their own
            return v
        comparison = [g.name for g in groups if g.kind == "comparison"]
        if v.strip() not in comparison:
            named = "is a reference group" if v.strip() in {g.name for g in groups} else "names no group"
            choices = ", ".join(repr(n) for n in comparison) or "none: add a comparison group"
            raise ValueError(
                f"{named}: main_group must be a comparison group's name. The comparison groups are {choices}"
            )
        return v.strip()

    @property
    def main(self) -> ComparatorGroup | None:
        """The group the summary page and findings use: ``main_group``, else the first comparison group."""
        comparison = [g for g in self.groups if g.kind == "comparison"]
        if self.main_group is not None:
            return next((g for g in comparison if g.name == self.main_group), None)
        return comparison[0] if comparison else None


class Priority(_Strict):
    id: str
    title: str
    activities: list[str] = Field(default_factory=list)


class Outcome(_Strict):
    id: str
    title: str
    priorities: list[Priority] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_priorities(self) -> Outcome:
        ids = [p.id for p in self.priorities]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"priority ids repeated in outcome {self.id}: {', '.join(dupes)}")
        return self


class Plan(_Strict):
    """``plan.yaml``: the business plan the indicators hang on."""

    title: str = "Business Plan"
    vision: str
    principles: list[str] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_outcomes(self) -> Plan:
        ids = [o.id for o in self.outcomes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"outcome ids repeated: {', '.join(dupes)}")
        return self

    @property
    def priority_ids(self) -> dict[str, str]:
        """Priority id -> the outcome id it belongs to."""
        return {p.id: o.id for o in self.outcomes for p in o.priorities}


class SignOff(_Strict):
    role: str
    name: str
    date: dt.date | None = None


class Implications(_Strict):
    financial: str | None = None
    legal: str | None = None
    hr: str | None = None
    risk: str | None = None
    other: str | None = None


#: What a front sheet shows for a risk rating that does not apply (seed 003: "Likelihood N/A").
NOT_APPLICABLE = "N/A"
#: The usual council risk matrix: likelihood and impact each scored 1 to 5, risk score their product.
RISK_SCALE = 5


def _whole_number_or_na(what: str, most: int) -> Callable[[object], object]:
    """A check for a whole number from 1 to ``most``, or N/A (seed 003 writes "N/A" where a rating does not apply).

    Checked by hand, not with ``ge``/``le``, so every wrong value (``yes``, ``2.5``, ``"high"``, ``9``)
    gets the one message that says what to write.
    """

    def check(v: object) -> object:
        if isinstance(v, str) and v.strip().upper() in {"N/A", "NA"}:
            return NOT_APPLICABLE
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= most:
            raise ValueError(f"is not {what}: write a whole number from 1 to {most}, or N/A")
        return v

    return check


#: A likelihood or an impact, and their product, the risk score.
_rating = _whole_number_or_na("a rating", RISK_SCALE)
_score = _whole_number_or_na("a risk score", RISK_SCALE**2)


Rating = Annotated[int | str, BeforeValidator(_rating)]
Score = Annotated[int | str, BeforeValidator(_score)]


class RiskRating(_Strict):
    """The front sheet's Likelihood / Impact / Risk Score row (seed 003), on a 5 x 5 risk matrix.

    ``score`` may be left out: it is likelihood x impact. Given, it must be that product, so the
    front sheet can never show a score that its own likelihood and impact contradict.
    """

    likelihood: Rating
    impact: Rating
    score: Score | None = None

    @model_validator(mode="after")
    def _score_is_the_product(self) -> RiskRating:
        if isinstance(self.likelihood, int) and isinstance(self.impact, int):
            product = self.likelihood * self.impact
            if self.score is None:
                object.__setattr__(self, "score", product)
            elif self.score != product:
                raise ValueError(
                    f"risk score {self.score} is not likelihood x impact ({self.likelihood} x {self.impact} = "
                    f"{product}): correct one of them, or leave score out to have it worked out"
                )
        elif self.score is None:
            object.__setattr__(self, "score", NOT_APPLICABLE)
        elif self.score != NOT_APPLICABLE:
            raise ValueError(
                f"risk score {self.score} needs a likelihood and an impact: give both as numbers, or write N/A"
            )
        return self


#: A link a reader can follow: an http or https address written with the characters of RFC 3986 only
#: (no space, quote, angle bracket or invisible character that could break out of a link or hide).
WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+", re.IGNORECASE)


def _paper_title(v: object) -> object:
    """A title that says something: text, not blank, and not a number or date YAML read by mistake."""
    if not isinstance(v, str):
        raise ValueError("is not text: write it in quotes")
    if not v.strip():
        raise ValueError("is blank: write the paper's title")
    return v.strip()


class BackgroundPaper(_Strict):
    """One entry of the front sheet's Background Papers: its title and where a reader finds it.

    ``location`` is a web address (shown as a link) or a place ("Democratic Services, County Hall").
    """

    title: Annotated[str, BeforeValidator(_paper_title)]
    location: str | None = None

    @field_validator("location")
    @classmethod
    def _location(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", v) and not re.match(r"(?i)https?:", v):
            raise ValueError("is not a web address goldenthread links to: use an http:// or https:// address")
        if re.match(r"(?i)https?:", v) and not WEB_ADDRESS.fullmatch(v):
            raise ValueError(
                "is not a web address goldenthread can link to: it has a space, quote, angle bracket or a "
                "character outside plain ASCII (percent-encode it, as a browser's address bar shows it)"
            )
        return v

    @property
    def link(self) -> str | None:
        """The address to link to, when ``location`` is a web address."""
        return self.location if self.location and WEB_ADDRESS.fullmatch(self.location) else None


class FrontSheet(_Strict):
    """The Cabinet report front sheet (seeds 002 and 003). Unset fields fall back to the organisation."""

    meeting: str | None = None
    meeting_date: dt.date | None = None
    cabinet_member: str | None = None
    division: str = "All"
    lead_officer: str | None = None
    author: str | None = None
    contact: str | None = None
    seen_by: list[SignOff] = Field(default_factory=list)
    informed: list[SignOff] = Field(default_factory=list)
    forward_plan_reference: str | None = None
    summary: str | None = None
    recommendations: list[str] = Field(default_factory=list)
    reasons: str | None = None
    links_to_priorities: str | None = None
    consultations: str | None = None
    implications: Implications = Field(default_factory=Implications)
    risk: RiskRating | None = None
    scrutiny_comments: str | None = None
    background_papers: list[BackgroundPaper] = Field(default_factory=list)


#: The most areas of success (or of concern) a report may list: more is no longer a selection.
MAX_AREAS = 50


class ReportParameters(_Strict):
    """A ``parameters/<period>.yaml`` file: one report run. The notebook's parameters cell has the same keys."""

    data: str = "data/example"
    period: str
    audience: Literal["public", "internal"] = "public"
    title: str | None = None
    front_sheet: FrontSheet = Field(default_factory=FrontSheet)
    max_successes: Count = Field(
        9, le=MAX_AREAS, description="Most areas of success in the report (chosen ones always count)."
    )
    max_concerns: Count = Field(5, le=MAX_AREAS, description="Most areas of concern in the report.")
    areas: AreasRule | None = Field(None, description="Overrides report_defaults.areas for this run.")
    news_window_months: Count | None = Field(
        None, ge=1, le=24, description="Overrides report_defaults.news_window_months for this run."
    )

    @field_validator("period", mode="before")
    @classmethod
    def _period_text(cls, v: object) -> object:
        # YAML reads 2019-07 as text, but a date (2019-07-31) or a number slips in easily.
        if isinstance(v, dt.date):
            return v.strftime("%Y-%m")
        if not isinstance(v, str) or not re.fullmatch(YEAR_MONTH, v):
            raise ValueError('is not a month: write it as YYYY-MM in quotes, for example "2019-07"')
        return v
