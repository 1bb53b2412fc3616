"""The data contract: every table a council supplies, column by column.

This module is the single source of truth. Validation (``validate.py``) builds its checks from it
and ``docs/data-contract.md`` is checked against it by a test, so the documentation a council
fills in from cannot drift from what the code accepts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: A reporting month as files write it (``2019-07``); its two groups are the year and the month.
YEAR_MONTH = r"(\d{4})-(0[1-9]|1[0-2])"
PERIOD_PATTERN = rf"^{YEAR_MONTH}$"
#: A financial year as published figures write it (``2018/19``): the year it starts in and the next
#: year's last two digits. That the second year follows the first is checked separately.
FINANCIAL_YEAR = r"(\d{4})/(\d{2})"

KINDS = ("measure", "milestone")
UNITS = ("percent", "percent_change", "number", "gbp", "days", "rate", "ratio", "score")
#: Units given in percent and shown with a per cent sign (a rate, or a change that may be negative).
PERCENT_UNITS = ("percent", "percent_change")
#: The lowest figure each unit allows when an indicator gives no ``minimum`` of its own, and how a
#: message names such a figure. Units not listed (a percentage change, a number of pounds...) may be
#: negative; no unit has a default maximum (a collection rate can pass 100%).
UNIT_MINIMUMS = {"percent": 0.0, "days": 0.0, "rate": 0.0}
UNIT_NAMES = {"percent": "a percentage", "days": "a number of days", "rate": "a rate"}
POLARITIES = ("higher", "lower", "none")
FREQUENCIES = ("monthly", "quarterly", "annual")
AGGREGATIONS = ("snapshot", "cumulative")
CLASSIFICATIONS = ("public", "restricted")
MILESTONE_STATUSES = ("complete", "on_track", "at_risk", "off_track", "not_started")
HIGHLIGHTS = ("success", "concern", "exclude")
STATUS_KEYS = ("blue", "green", "amber", "red", "data_only", "not_available")
#: The statuses that judge performance against a target, from best to worst (the position is the
#: severity); ``data_only`` and ``not_available`` are counted but judge nothing.
JUDGED_STATUSES = ("blue", "green", "amber", "red")
#: No figure may be this large either way. Excel keeps 15 significant digits, and a figure with more
#: digits before the point than that is a typing or export mistake (and could not be shown exactly).
NUMBER_LIMIT = 1e15
#: The most decimal places a figure is shown with.
MAX_DECIMALS = 6
#: The chart an indicator is drawn with (``chart`` in indicators.csv; blank: the organisation's default).
CHARTS = ("trend", "spc")
#: The fewest months an SPC baseline may have: fewer give limits too unsteady to judge by (Making Data Count).
MIN_SPC_BASELINE = 12
#: Fewer other areas with a figure than this, and a comparison group is not compared (a rank of 2 areas says
#: little): benchmarking's rule, and the warning validate gives for a group smaller than it.
MIN_COMPARATORS = 5

#: Characters removed from every text value read (CSV, Excel) or refused (YAML): the C0 controls
#: except tab, newline and carriage return (NUL, BEL, ESC...), DEL and the C1 controls; the
#: bidirectional controls, which make text display in another order than it reads (U+202E turns
#: "%05 revo" into "over 50%"); and the invisible zero-width space, word joiner and byte-order mark,
#: which make two ids that look the same different.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


#: Names for the controls Unicode leaves unnamed, and a clearer one for the byte-order mark.
_CONTROL_NAMES = {
    "\x00": "null",
    "\x07": "bell",
    "\x08": "backspace",
    "\x1b": "escape",
    "\x7f": "delete",
    "\ufeff": "byte-order mark",
}


def remove_control_characters(text: str) -> str:
    """``text`` without the :data:`CONTROL_CHARACTERS` (newlines and tabs are kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def control_character_names(text: str) -> str:
    """The control characters in ``text``, named for a message: ``U+202E (right-to-left override)``."""
    found = dict.fromkeys(CONTROL_CHARACTERS.findall(text))
    return ", ".join(
        f"U+{ord(c):04X} ({_CONTROL_NAMES.get(c) or unicodedata.name(c, 'control character').lower()})" for c in found
    )


@dataclass(frozen=True)
class Column:
    """One column of a table in the data contract."""

    name: str
    #: "text", "number", "integer", "period", "period_or_year" (a month or a financial year, see
    #: :data:`FINANCIAL_YEAR`) or one of the allowed values
    type: str
    required: bool
    description: str
    example: str
    allowed: tuple[str, ...] | None = None
    blank_allowed: bool = True
    minimum: float | None = None
    maximum: float | None = None

    @property
    def hint(self) -> str:
        if self.allowed:
            return "Use one of: " + ", ".join(self.allowed)
        return {
            "number": "Use a plain number such as 94.41 (no thousands separators or % sign)",
            "integer": "Use a whole number such as 1",
            "period": "Use the month as YYYY-MM, for example 2019-07",
            "period_or_year": "Use the month as YYYY-MM (2019-03) or the financial year as YYYY/YY (2018/19)",
            "text": "Fill in some text",
        }[self.type]


@dataclass(frozen=True)
class Table:
    """One CSV file (or Excel sheet) of the contract."""

    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


INDICATORS = Table(
    name="indicators",
    required=True,
    description="One row per indicator: what it measures, who owns it, how it is judged.",
    key=("id",),
    columns=(
        Column(
            "id",
            "text",
            True,
            "Short unique code for the indicator; used to link the other files.",
            "ASC-01",
            blank_allowed=False,
        ),
        Column(
            "title",
            "text",
            True,
            "The indicator's name as it appears in the report.",
            "Percentage of users using self-directed support",
            blank_allowed=False,
        ),
        Column(
            "outcome",
            "text",
            True,
            "Id of the plan outcome it reports against (from plan.yaml).",
            "O4",
            blank_allowed=False,
        ),
        Column(
            "priority",
            "text",
            False,
            "Id of the key priority it measures (from plan.yaml). Blank if it hangs on the outcome only.",
            "O4.2",
        ),
        Column("directorate", "text", True, "Directorate responsible.", "Adult Services", blank_allowed=False),
        Column(
            "owner",
            "text",
            True,
            "Officer accountable for the indicator and its commentary (a role or name).",
            "Director of Adult Social Care",
            blank_allowed=False,
        ),
        Column(
            "kind",
            "kind",
            True,
            "A numeric measure or a milestone (project with a delivery state).",
            "measure",
            allowed=KINDS,
            blank_allowed=False,
        ),
        Column("unit", "unit", False, "How values are expressed. Required for measures.", "percent", allowed=UNITS),
        Column(
            "decimals", "integer", False, "Decimal places to show. Defaults to 0.", "2", minimum=0, maximum=MAX_DECIMALS
        ),
        Column(
            "polarity",
            "polarity",
            False,
            "Whether a higher or lower value is better; none for context measures. Required for measures.",
            "higher",
            allowed=POLARITIES,
        ),
        Column(
            "frequency",
            "frequency",
            True,
            "How often a value is reported.",
            "monthly",
            allowed=FREQUENCIES,
            blank_allowed=False,
        ),
        Column(
            "aggregation",
            "aggregation",
            False,
            "snapshot: a level at a point in time; cumulative: a year-to-date total compared with a profiled target. "
            "Defaults to snapshot.",
            "snapshot",
            allowed=AGGREGATIONS,
        ),
        Column(
            "target",
            "number",
            False,
            "The target (for cumulative measures, the full-year target). Blank means data only: monitored, not rated.",
            "90",
        ),
        Column(
            "tolerance",
            "number",
            False,
            "Relative tolerance for amber, as a fraction of the target (0.05 = within 5%). "
            "Blank uses the organisation's default.",
            "0.05",
            minimum=0,
            maximum=1,
        ),
        Column(
            "amber_threshold",
            "number",
            False,
            "Absolute amber threshold (floor standard). If set it is used instead of the tolerance.",
            "85",
        ),
        Column(
            "minimum",
            "number",
            False,
            "The lowest value the measure can take; a figure below it is refused. "
            "Blank uses the unit's default (0 for percent, days and rate; no limit otherwise).",
            "-100",
        ),
        Column(
            "maximum",
            "number",
            False,
            "The highest value the measure can take; a figure above it is refused. Blank means no limit.",
            "100",
        ),
        Column(
            "first_reported",
            "period",
            True,
            "First month the indicator was reported; decides whether it is new this year or continued.",
            "2018-04",
            blank_allowed=False,
        ),
        Column(
            "classification",
            "classification",
            False,
            "public, or restricted (internal only: never in a public report). Defaults to public.",
            "public",
            allowed=CLASSIFICATIONS,
        ),
        Column(
            "description",
            "text",
            False,
            "What the indicator measures and why.",
            "Adults receiving long-term support who have a personal budget or direct payment.",
        ),
        Column("source", "text", False, "Where the figures come from.", "Adult social care case management system"),
        Column(
            "chart",
            "chart",
            False,
            "The chart the indicator is drawn with: trend (figure and target by month) or spc (an XmR chart "
            "with process limits). Blank uses the organisation's report_defaults.chart.",
            "spc",
            allowed=CHARTS,
        ),
        Column(
            "spc_baseline",
            "integer",
            False,
            "For an SPC chart: how many figures, from the start of each phase (the first figure, or a rebase in "
            f"rebases.csv), fix the mean and process limits. A whole number, {MIN_SPC_BASELINE} or more. Blank: "
            "every figure of the phase. Not for milestones.",
            "24",
            minimum=MIN_SPC_BASELINE,
        ),
    ),
)

TARGETS = Table(
    name="targets",
    required=False,
    description="Optional per-period targets (target profiling). Overrides the indicator's target for that month.",
    key=("indicator", "period"),
    columns=(
        Column("indicator", "text", True, "Indicator id (from indicators.csv).", "FIN-02", blank_allowed=False),
        Column("period", "period", True, "Month the target applies to, YYYY-MM.", "2019-06", blank_allowed=False),
        Column("target", "number", True, "Target for that month.", "4500", blank_allowed=False),
        Column("amber_threshold", "number", False, "Absolute amber threshold for that month (optional).", "4200"),
    ),
)

VALUES = Table(
    name="values",
    required=True,
    description="One row per indicator and month reported: the figure, or the delivery state for a milestone.",
    key=("indicator", "period"),
    columns=(
        Column("indicator", "text", True, "Indicator id (from indicators.csv).", "ASC-01", blank_allowed=False),
        Column(
            "period",
            "period",
            True,
            "The month the figure is for (month end), YYYY-MM. Quarterly figures go in the quarter's last month.",
            "2019-07",
            blank_allowed=False,
        ),
        Column(
            "value",
            "number",
            False,
            "The figure. Blank for milestones, or when no figure is available yet. "
            "Cumulative measures give the year-to-date figure.",
            "94.41",
        ),
        Column(
            "milestone_status",
            "milestone_status",
            False,
            "Delivery state for milestones (leave blank for measures).",
            "on_track",
            allowed=MILESTONE_STATUSES,
        ),
        Column("note", "text", False, "A note on the figure (e.g. provisional, revised).", "Provisional"),
    ),
)

COMMENTARY = Table(
    name="commentary",
    required=False,
    description="The owner's commentary per indicator and period, any status override, "
    "and the leadership team's highlights.",
    key=("indicator", "period"),
    columns=(
        Column("indicator", "text", True, "Indicator id (from indicators.csv).", "ASC-01", blank_allowed=False),
        Column(
            "period", "period", True, "Reporting month the commentary is for, YYYY-MM.", "2019-07", blank_allowed=False
        ),
        Column(
            "commentary",
            "text",
            False,
            "The owner's commentary on performance.",
            "Consistent improvement for eight months.",
        ),
        Column("actions", "text", False, "Management actions in place or proposed.", "Weekly review of new packages."),
        Column(
            "status_override",
            "status",
            False,
            "Replace the computed status (must give override_reason).",
            "amber",
            allowed=STATUS_KEYS,
        ),
        Column(
            "override_reason",
            "text",
            False,
            "Why the status was overridden; shown in the report.",
            "Figure distorted by a data migration",
        ),
        Column(
            "highlight",
            "highlight",
            False,
            "success or concern puts it in the areas for consideration; exclude keeps it out.",
            "success",
            allowed=HIGHLIGHTS,
        ),
        Column(
            "page_title",
            "text",
            False,
            "Headline to use in the areas for consideration instead of the indicator title.",
            "Self-directed support",
        ),
        Column(
            "classification",
            "classification",
            False,
            "restricted keeps this commentary out of public reports. Defaults to public.",
            "public",
            allowed=CLASSIFICATIONS,
        ),
        Column(
            "draft",
            "text",
            False,
            "Evidence drafted from the data, written by `goldenthread areas --csv` beside the owner's words. "
            "Never read by reports: to publish it as drafted, set highlight and leave commentary blank; "
            "to publish other words, put them in commentary.",
            "This measure has seen consistent improvement for 8 months...",
        ),
        Column(
            "draft_area",
            "highlight",
            False,
            "Which area the draft is for (success or concern); written by `goldenthread areas --csv`, never read.",
            "success",
            allowed=("success", "concern"),
        ),
    ),
)

BENCHMARKS = Table(
    name="benchmarks",
    required=False,
    description="Figures for comparable areas (nearest neighbours, region, England), for benchmarking: "
    "one row per indicator, area and period. Needs comparators.yaml.",
    key=("indicator", "area_code", "period"),
    columns=(
        Column(
            "indicator",
            "text",
            True,
            "Indicator id (from indicators.csv); a measure.",
            "ASC-01",
            blank_allowed=False,
        ),
        Column(
            "area_code",
            "text",
            True,
            "The area's code, as the source gives it (an ONS code such as E10000027); the council's own is "
            "comparators.yaml's us.",
            "E10000027",
            blank_allowed=False,
        ),
        Column(
            "area_name",
            "text",
            True,
            "The area's name as readers know it; the same on every row of an area code.",
            "Example County",
            blank_allowed=False,
        ),
        Column(
            "period",
            "period_or_year",
            True,
            "The month the figure is for, YYYY-MM, or the financial year, YYYY/YY (2018/19): a financial "
            "year's figure counts as its last month's.",
            "2018/19",
            blank_allowed=False,
        ),
        Column(
            "value",
            "number",
            False,
            "The area's figure, in the indicator's unit. Blank when there is none (suppressed or not published).",
            "88.2",
        ),
        Column("source", "text", False, "Where the figure comes from.", "LG Inform, ASCOF 1C"),
    ),
)

REBASES = Table(
    name="rebases",
    required=False,
    description="Months from which an indicator's SPC chart starts a new phase, with its own mean and "
    "limits, because the process changed.",
    key=("indicator", "period"),
    columns=(
        Column(
            "indicator", "text", True, "Indicator id (from indicators.csv); a measure.", "ASC-03", blank_allowed=False
        ),
        Column(
            "period",
            "period",
            True,
            "The first month of the new phase, YYYY-MM.",
            "2019-01",
            blank_allowed=False,
        ),
        Column(
            "reason",
            "text",
            True,
            "Why the process changed at that month (shown under the chart).",
            "New discharge-to-assess service started",
            blank_allowed=False,
        ),
    ),
)

TABLES: tuple[Table, ...] = (INDICATORS, TARGETS, VALUES, COMMENTARY, BENCHMARKS, REBASES)
TABLES_BY_NAME = {t.name: t for t in TABLES}
