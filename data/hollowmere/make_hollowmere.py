"""Write the workbook of the fictional Hollowmere District Council: the second example dataset.

Run from the repository root::

    python data/hollowmere/make_hollowmere.py

It (re)writes ``hollowmere.xlsx`` next to this file, with the sheets ``Indicators``, ``Values``,
``Targets`` and ``Commentary`` (capitalised, as a person names sheets). ``organisation.yaml`` and
``plan.yaml`` are kept by hand.

Hollowmere is unlike Example County Council on purpose, so that the tests and the reports meet
what real councils' data looks like (see README.md): a workbook rather than CSV files; monthly,
quarterly and annual measures; two year-to-date measures with target profiles that run across
two financial year ends; a measure that is legitimately negative (a percentage change); a money
measure that goes below zero; an annual survey reported each October; commentary for some months
and not others; a status override; a leadership-team exclusion; a restricted indicator; an
indicator that starts in the next financial year; and no directorate plans.

The council, its people and every figure are invented and illustrative only. The output is
deterministic: hand-set shapes plus a little noise from a fixed random seed.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
FIRST, LAST = "2022-04", "2025-04"  # span of the data; the reports are for 2025-03 and 2025-04
rng = random.Random(20250430)


def _ordinal(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def _period(ordinal: int) -> str:
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def months(start: str = FIRST, end: str = LAST) -> list[str]:
    return [_period(o) for o in range(_ordinal(start), _ordinal(end) + 1)]


def quarter_ends(start: str = FIRST, end: str = LAST) -> list[str]:
    return [p for p in months(start, end) if int(p[5:]) in (3, 6, 9, 12)]


def month_of_year(period: str) -> int:
    """1 for April ... 12 for March."""
    return (int(period[5:]) - 4) % 12 + 1


# --- indicators -------------------------------------------------------------------------------

PLACE, COMMUNITIES, RESOURCES = "Place", "Communities", "Resources"
COLUMNS = ["id", "title", "outcome", "priority", "directorate", "owner", "kind", "unit", "decimals", "polarity",
           "frequency", "aggregation", "target", "tolerance", "amber_threshold", "minimum", "maximum",
           "first_reported", "classification", "description", "source", "chart", "spc_baseline"]


def measure(id, title, outcome, priority, directorate, owner, unit, decimals, polarity, frequency, first_reported,
            description, source, target=None, amber_threshold=None, aggregation="snapshot", minimum=None,
            maximum=None, classification="public"):
    return dict(id=id, title=title, outcome=outcome, priority=priority, directorate=directorate, owner=owner,
                kind="measure", unit=unit, decimals=decimals, polarity=polarity, frequency=frequency,
                aggregation=aggregation, target=target, tolerance=None, amber_threshold=amber_threshold,
                minimum=minimum, maximum=maximum, first_reported=first_reported, classification=classification,
                description=description, source=source)


def milestone(id, title, outcome, priority, directorate, owner, first_reported, description, source):
    return dict(id=id, title=title, outcome=outcome, priority=priority, directorate=directorate, owner=owner,
                kind="milestone", unit=None, decimals=None, polarity=None, frequency="monthly", aggregation=None,
                target=None, tolerance=None, amber_threshold=None, minimum=None, maximum=None,
                first_reported=first_reported, classification="public", description=description,
                source="Project board highlight report")


INDICATORS = [
    measure("PL-01", "Major planning applications decided within 13 weeks or an agreed extension", "P1", "P1.1",
            PLACE, "Head of Planning", "percent", 1, "higher", "quarterly", "2022-04",
            "Share of major applications decided in time, the national measure of planning speed.",
            "Planning case management system", target=75, amber_threshold=60),
    measure("PL-02", "Minor planning applications decided within 8 weeks or an agreed extension", "P1", "P1.1",
            PLACE, "Head of Planning", "percent", 1, "higher", "quarterly", "2022-04",
            "Share of minor applications decided in time.", "Planning case management system", target=70),
    milestone("PL-03", "Local Plan review: submission for examination", "P1", "P1.1", PLACE,
              "Planning Policy Manager", "2023-04", "Submission of the revised Local Plan to the Planning Inspectorate.",
              "Project board highlight report"),
    measure("TC-01", "Town centre footfall (visits per month, three market towns)", "P1", "P1.2", PLACE,
            "Economic Development Manager", "number", 0, "none", "monthly", "2022-04",
            "Counted by sensors in the three market towns; context, not rated.", "Footfall sensors"),
    measure("WS-01", "Household waste sent for reuse, recycling and composting", "P2", "P2.1", PLACE,
            "Head of Environmental Services", "percent", 1, "higher", "monthly", "2022-04",
            "Share of household waste collected that is reused, recycled or composted.",
            "Waste data flow returns", target=52),
    measure("WS-02", "Missed bin collections per 100,000 collections", "P2", "P2.1", PLACE,
            "Head of Environmental Services", "rate", 0, "lower", "monthly", "2022-04",
            "Reported missed collections, per 100,000 scheduled.", "Waste contract reports", target=60),
    measure("CS-01", "Reduction in recorded violent crime on the same month last year", "P2", "P2.2",
            COMMUNITIES, "Community Safety Manager", "percent_change", 1, "higher", "monthly", "2023-04",
            "Percentage fall in recorded violence against the person; a negative figure is a rise.",
            "Police recorded crime (community safety partnership)", target=5, amber_threshold=0, minimum=-100,
            maximum=100),
    measure("CS-02", "Fly-tipping incidents cleared within 2 working days", "P2", "P2.2", PLACE,
            "Head of Environmental Services", "percent", 0, "higher", "monthly", "2025-04",
            "New for 2025/26: share of reported fly-tips cleared within two working days.",
            "Street scene case system", target=90),
    measure("EN-01", "Council carbon emissions (tonnes CO2e, rolling 12 months)", "P2", "P2.3", RESOURCES,
            "Climate Officer", "number", 0, "lower", "quarterly", "2022-04",
            "Scope 1 and 2 emissions from council buildings and fleet.", "Energy and fleet fuel records",
            target=3900),
    measure("HS-01", "Households in temporary accommodation", "P3", "P3.1", COMMUNITIES, "Housing Options Manager",
            "number", 0, "none", "monthly", "2022-04", "Households placed at the month end; context, not rated.",
            "Housing register"),
    measure("HS-02", "Homelessness cases prevented or relieved (year to date)", "P3", "P3.1", COMMUNITIES,
            "Housing Options Manager", "number", 0, "higher", "monthly", "2022-04",
            "Cases where homelessness was prevented or relieved, counted from April.",
            "Housing case management system", target=240, aggregation="cumulative"),
    measure("HS-03", "Affordable homes delivered", "P3", "P3.2", COMMUNITIES, "Head of Housing", "number", 0,
            "higher", "annual", "2022-04", "Completions of affordable homes in the financial year.",
            "Housing delivery monitoring", target=120),
    measure("RB-01", "Council tax collected (year to date)", "P4", "P4.1", RESOURCES, "Revenues Manager",
            "percent", 2, "higher", "monthly", "2022-04",
            "Share of the year's council tax collected, counted from April.", "Revenues system",
            target=97.5, aggregation="cumulative"),
    measure("RB-02", "Average days to process new Housing Benefit claims", "P4", "P4.1", RESOURCES,
            "Benefits Manager", "days", 1, "lower", "monthly", "2022-04",
            "Working days from a complete claim to a decision.", "Benefits system", target=20),
    measure("CU-01", "Calls to the customer contact centre answered within 60 seconds", "P4", "P4.2",
            RESOURCES, "Customer Services Manager", "percent", 0, "higher", "monthly", "2022-04",
            "Share of calls answered by an adviser within a minute.", "Telephony system", target=80),
    measure("CU-02", "Residents satisfied with the way the council runs things", "P4", "P4.2", RESOURCES,
            "Head of Strategy and Performance", "percent", 0, "higher", "annual", "2022-04",
            "From the residents' survey, carried out each autumn and reported in October.",
            "Residents' survey", target=65),
    measure("FN-01", "Projected revenue budget variance", "P4", "P4.3", RESOURCES, "Chief Finance Officer",
            "gbp", 0, "lower", "monthly", "2022-04",
            "Forecast year-end over (+) or under (-) spend against the revenue budget.", "Budget monitoring",
            target=0, amber_threshold=150000),
    milestone("LC-01", "New Hollowmere Leisure Centre: construction", "P1", "P1.2", COMMUNITIES,
              "Leisure Contract Manager", "2023-04", "Construction of the replacement leisure centre.",
              "Project board highlight report"),
    measure("HR-01", "Staff sickness absence (days per FTE, rolling 12 months)", "P4", "P4.3", RESOURCES,
            "HR Manager", "days", 1, "lower", "monthly", "2022-04", "Internal management information.",
            "HR system", target=8, classification="restricted"),
]

# --- figures ----------------------------------------------------------------------------------


def noise(scale: float) -> float:
    return rng.uniform(-scale, scale)


def monthly_series(start: str, shape) -> dict[str, float]:
    return {p: shape(i, p) for i, p in enumerate(months(start))}


HS02_PROFILE = [22, 42, 62, 82, 102, 122, 140, 158, 178, 198, 219, 240]  # front-loaded: winter is quieter
RB01_PROFILE = [10.8, 20.1, 29.3, 38.6, 47.8, 57.0, 66.2, 75.4, 84.6, 93.1, 96.4, 97.5]


def values() -> list[dict]:
    rows: list[dict] = []

    def add(ind: str, figures: dict[str, float | None], decimals: int, note: dict[str, str] | None = None) -> None:
        for p, v in figures.items():
            rows.append({"indicator": ind, "period": p,
                         "value": None if v is None else round(v, decimals) if decimals else int(round(v)),
                         "milestone_status": None, "note": (note or {}).get(p)})

    def states(ind: str, start: str, plan: list[tuple[str, str]]) -> None:
        """Milestone states: each (until period, state) holds from the previous change."""
        ps = months(start)
        for p in ps:
            state = next(s for until, s in plan if p <= until)
            rows.append({"indicator": ind, "period": p, "value": None, "milestone_status": state, "note": None})

    pl01 = [68.0, 71.4, 74.2, 79.5, 81.3, 77.7, 82.6, 84.1, 85.0, 79.2, 88.9, 86.7, 91.3]
    add("PL-01", dict(zip(quarter_ends(), pl01)), 1)
    pl02 = [72.5, 70.1, 66.4, 61.2, 64.8, 68.3, 71.0, 73.6, 74.9, 77.2, 78.8, 80.4, 79.6]
    add("PL-02", dict(zip(quarter_ends(), pl02)), 1)
    states("PL-03", "2023-04", [("2024-06", "on_track"), ("2024-09", "at_risk"), ("2025-01", "off_track"),
                                ("2025-04", "at_risk")])
    add("TC-01", monthly_series(FIRST, lambda i, p: 118000 + 9000 * math.sin((i + 3) / 12 * 2 * math.pi)
                                + 300 * i + noise(2500)), 0)
    add("WS-01", monthly_series(FIRST, lambda i, p: 49.5 + 6 * math.sin((i - 1) / 12 * 2 * math.pi) + 0.12 * i
                                + noise(0.8)), 1)
    add("WS-02", monthly_series(FIRST, lambda i, p: 64 - 0.5 * i + noise(6)), 0)
    cs01 = [6.1, 4.8, 7.2, 3.9, 5.6, 2.2, -1.4, 0.8, 3.1, 5.9, 6.8, 4.4, 7.5, 8.2, 6.9, 5.1, 3.8, 1.2, -0.6, -2.3,
            -3.7, 0.4, 2.9, 4.6, 6.3]
    add("CS-01", dict(zip(months("2023-04"), cs01)), 1)
    en01 = [4620, 4588, 4531, 4470, 4402, 4390, 4311, 4236, 4150, 4098, 4012, 3954, 3871]
    add("EN-01", dict(zip(quarter_ends(), en01)), 0)
    add("HS-01", monthly_series(FIRST, lambda i, p: 38 + 0.9 * i + noise(3)), 0)

    # Year-to-date homelessness preventions: a running total that starts again each April.
    hs02: dict[str, float] = {}
    total = 0
    for _i, p in enumerate(months()):
        m = month_of_year(p)
        if m == 1:
            total = 0
        year = (_ordinal(p) - 3) // 12 - 2022  # 0 for 2022/23
        base = HS02_PROFILE[m - 1] - (HS02_PROFILE[m - 2] if m > 1 else 0)
        total += max(0, round(base * (0.88 + 0.06 * year) + noise(3)))
        hs02[p] = total
    hs02["2025-04"] = 16  # a slow start to 2025/26
    add("HS-02", hs02, 0)
    add("HS-03", {"2023-03": 104, "2024-03": 131, "2025-03": 97}, 0)

    rb01: dict[str, float] = {}
    for p in months():
        m = month_of_year(p)
        rb01[p] = RB01_PROFILE[m - 1] + noise(0.25) - (0.05 * m if p >= "2024-04" else 0)
    add("RB-01", rb01, 2)
    add("RB-02", monthly_series(FIRST, lambda i, p: 23.5 - 0.15 * i + noise(1.2)), 1)

    cu01 = {p: 84 + noise(3) for p in months(end="2024-12")}
    cu01.update({"2025-01": 79, "2025-02": 61, "2025-03": 70, "2025-04": 78})
    add("CU-01", cu01, 0)
    add("CU-02", {"2022-10": 62, "2023-10": 58, "2024-10": 66}, 0)
    fn01 = {p: 120000 * math.sin(i / 5) + noise(40000) - (90000 if p >= "2025-01" else 0)
            for i, p in enumerate(months())}
    fn01["2025-03"], fn01["2025-04"] = -212400, 35000
    add("FN-01", fn01, 0)
    states("LC-01", "2023-04", [("2024-10", "on_track"), ("2025-02", "on_track"), ("2025-04", "complete")])
    add("HR-01", monthly_series(FIRST, lambda i, p: 9.4 - 0.03 * i + noise(0.3)), 1)
    rows.sort(key=lambda r: (r["indicator"], r["period"]))
    return rows


def targets() -> list[dict]:
    """Year-to-date target profiles for the two cumulative measures, for every month of the data."""
    rows = []
    for p in months():
        m = month_of_year(p)
        rows.append({"indicator": "HS-02", "period": p, "target": HS02_PROFILE[m - 1], "amber_threshold": None})
        rows.append({"indicator": "RB-01", "period": p, "target": RB01_PROFILE[m - 1], "amber_threshold": None})
    return rows


def commentary() -> list[dict]:
    """Owners' commentary for some months and not others; the leadership team's picks for March 2025."""
    def c(ind, period, text=None, actions=None, highlight=None, override=None, reason=None, page_title=None,
          classification=None):
        return {"indicator": ind, "period": period, "commentary": text, "actions": actions,
                "status_override": override, "override_reason": reason, "highlight": highlight,
                "page_title": page_title, "classification": classification}

    return [
        c("PL-01", "2024-12", "Three majors decided in extension of time this quarter."),
        c("WS-01", "2025-03", "Food waste collections reached every household in January; the recycling rate is up "
          "on last year in every month of the quarter.", highlight="success", page_title="Recycling"),
        c("CU-01", "2025-03", "The move to the new telephony system in February cut the number of lines for three "
          "weeks. Answer times recovered through March and are back near target in April.",
          "Temporary staff from the revenues team cover the peak hours until the end of April.",
          override="amber", reason="The figure is distorted by the telephony migration; the underlying rate is "
          "recovering"),
        c("TC-01", "2025-03", "Footfall is seasonal; the spring events programme starts in April."),
        c("FN-01", "2025-03", "An underspend of this size reflects vacancies and delayed projects, not savings.",
          highlight="exclude"),
        c("PL-03", "2025-03", "The Inspectorate asked for more evidence on the housing land supply; submission "
          "is now planned for September.", "A revised timetable goes to the Executive in May.", highlight="concern"),
        c("HR-01", "2025-03", "Sickness absence continues to fall.", classification="restricted"),
        c("FN-01", "2025-04", "The first forecast of 2025/26 shows a small overspend on temporary accommodation."),
        c("HS-02", "2025-04", "A slower April than usual; two new prevention officers start in May.",
          highlight="concern", page_title="Homelessness prevention"),
        c("RB-02", "2025-04", "New claims are being decided faster than at any time since the service came back "
          "in house.", highlight="success"),
        c("CU-01", "2025-04", highlight="concern"),
        c("CS-01", "2025-04", "Violent crime is down on April 2024 after a rise over the winter."),
    ]


# --- SPC: gaps, rebases, chart choices --------------------------------------------------------

# Months whose figure was never produced: the row is there with a blank value and a note, as a
# spreadsheet keeps it. The SPC chart drops them and joins the points either side.
GAPS = {
    ("WS-02", "2023-08"): "Not available: the waste contractor changed its reporting system",
    ("WS-02", "2023-09"): "Not available: the waste contractor changed its reporting system",
}
# A new phase of the XmR chart. RB-02's starts in October 2024, so at March 2025 it has six points:
# too few for limits, and the chart says so rather than drawing limits from the old process.
REBASES = [
    {"indicator": "RB-02", "period": "2024-10",
     "reason": "Housing Benefit processing brought back in house from the shared service"},
]
# ``chart`` (blank = the organisation's default) and ``spc_baseline`` in the Indicators sheet.
CHART = {"RB-02": "spc", "PL-01": "spc", "WS-02": "spc"}
SPC_BASELINE = {"WS-02": 12}


def with_gaps(rows: list[dict]) -> list[dict]:
    """The values with the GAPS months' figures blanked (the rows stay, with a note)."""
    for r in rows:
        reason = GAPS.get((r["indicator"], r["period"]))
        if reason:
            r["value"], r["note"] = None, reason
    return rows


def indicators() -> list[dict]:
    return [{**i, "chart": CHART.get(i["id"]), "spc_baseline": SPC_BASELINE.get(i["id"])} for i in INDICATORS]


# --- benchmarks -------------------------------------------------------------------------------

# Benchmarking as a small district often has it: a comparison group of only four other districts (too
# few to rank: the report says "not compared"), series with gaps where a neighbour has not published,
# no England figure for one measure, and a context measure (polarity none). EVERY area but England is
# invented, with invented ONS-style codes; England's figures are invented too.
US = ("E07900000", "Hollowmere District Council")
ENGLAND = ("E92000001", "England")
NEIGHBOURS = [
    ("E07900001", "Brackenmoor District Council"), ("E07900002", "Kingsreach District Council"),
    ("E07900003", "Ellerdale District Council"), ("E07900004", "Thistleford District Council"),
]
# indicator -> (source, {period as written: (England or None, four neighbours' figures, None = not published)})
BENCHMARKS: dict[str, tuple[str, dict[str, tuple[float | None, list[float | None]]]]] = {
    "PL-01": ("Planning applications statistics (PS2), illustrative", {
        "2024-06": (86.0, [78.6, 91.2, 84.0, 72.5]),
        "2024-09": (87.0, [80.1, 88.4, 86.9, 75.0]),
        "2024-12": (88.0, [82.3, 90.0, None, 79.4]),  # Ellerdale had not published December
    }),
    "PL-02": ("Planning applications statistics (PS2), illustrative", {
        "2024-06": (84.0, [81.0, 77.3, 88.2, 70.6]),
        "2024-09": (85.0, [79.8, 80.2, 86.5, 72.1]),
        "2024-12": (85.0, [82.2, 81.4, 87.0, None]),
    }),
    "WS-01": ("Local authority collected waste statistics, illustrative", {
        "2022/23": (41.7, [47.9, None, 55.2, 39.8]),  # Kingsreach's return was not validated
        "2023/24": (42.3, [48.6, 44.1, 56.0, 41.2]),
    }),
    "HS-01": ("Statutory homelessness (H-CLIC), illustrative", {  # context: compared, never judged
        "2024-06": (None, [52, 31, 88, 47]),
        "2024-09": (None, [55, 29, 91, 50]),
        "2024-12": (None, [58, 33, 95, None]),
    }),
    "RB-01": ("Collection rates for council tax, illustrative", {
        "2022/23": (96.0, [97.1, 96.4, 98.0, 95.8]),
        "2023/24": (95.9, [97.0, 96.1, 97.9, 95.5]),
    }),
    "RB-02": ("Housing Benefit speed of processing, illustrative", {  # no England figure
        "2022/23": (None, [19.5, 24.0, 17.2, 22.8]),
        "2023/24": (None, [18.9, 22.5, 16.8, 21.0]),
    }),
}
YEAR_END = {"2022/23": "2023-03", "2023/24": "2024-03"}


def benchmarks(rows: list[dict]) -> list[dict]:
    """The Benchmarks sheet: the council's own figure is its Values figure for the month (a year's last month)."""
    own = {(r["indicator"], r["period"]): r["value"] for r in rows}
    out = []
    for ind, (source, periods) in BENCHMARKS.items():
        for period, (england, figures) in periods.items():
            ours = own[(ind, YEAR_END.get(period, period))]
            for (code, name), value in zip([US, *NEIGHBOURS, ENGLAND], [ours, *figures, england]):
                out.append({"indicator": ind, "area_code": code, "area_name": name, "period": period,
                            "value": value, "source": source})
    return out


COMPARATORS_YAML = f"""\
# Hollowmere's comparison groups for the Benchmarks sheet. Written by make_hollowmere.py.
# The districts and their codes are INVENTED; England is real, but its figures are invented too.
# Four other districts are too few to rank (at least five are needed), so every comparison with
# the group says "not compared" and the report shows the figures beside England's.
us: {US[0]}
source: Invented group of similar districts (illustrative only)
groups:
  - name: Similar districts
    kind: comparison
    areas: [{", ".join(c for c, _ in NEIGHBOURS)}]
  - name: England
    kind: reference
    areas: [{ENGLAND[0]}]
"""


# --- workbook ---------------------------------------------------------------------------------

def write_sheet(wb: Workbook, name: str, columns: list[str], rows: list[dict],
                number_formats: dict[str, str] | None = None) -> None:
    ws = wb.create_sheet(name)
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(c) for c in columns])
    for col, fmt in (number_formats or {}).items():
        idx = columns.index(col) + 1
        for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            for cell in row:
                cell.number_format = fmt
    # period columns hold text, as the data contract asks (a date would be ambiguous)
    if "period" in columns or "first_reported" in columns:
        idx = columns.index("period" if "period" in columns else "first_reported") + 1
        for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            for cell in row:
                cell.number_format = "@"


def main() -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    write_sheet(wb, "Indicators", COLUMNS, indicators())
    rows = with_gaps(values())
    write_sheet(wb, "Values", ["indicator", "period", "value", "milestone_status", "note"], rows)
    # A stray space typed far below the data, as years of editing leave behind: the row is blank and ignored.
    values_sheet = wb["Values"]
    values_sheet.cell(row=values_sheet.max_row + 40, column=5, value=" ")
    write_sheet(wb, "Targets", ["indicator", "period", "target", "amber_threshold"], targets())
    write_sheet(wb, "Commentary", ["indicator", "period", "commentary", "actions", "status_override",
                                   "override_reason", "highlight", "page_title", "classification"], commentary())
    write_sheet(wb, "Benchmarks", ["indicator", "area_code", "area_name", "period", "value", "source"],
                benchmarks(rows))
    write_sheet(wb, "Rebases", ["indicator", "period", "reason"], REBASES)
    (HERE / "comparators.yaml").write_text(COMPARATORS_YAML, encoding="utf-8")
    fixed = dt.datetime(2025, 5, 6, 9, 0, 0)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "Hollowmere District Council performance team (fictional)"
    out = HERE / "hollowmere.xlsx"
    wb.save(out)
    return out


if __name__ == "__main__":
    print(f"Wrote {main()}")
