"""Write the example dataset for the fictional Example County Council.

Run from the repository root::

    python data/example/make_example.py

It (re)writes ``indicators.csv``, ``values.csv``, ``targets.csv``, ``commentary.csv``, ``rebases.csv``,
``benchmarks.csv`` and ``comparators.yaml`` next to this file. ``organisation.yaml`` and ``plan.yaml`` are
kept by hand.

The council, its people, partners and contractors are invented, and so are most figures: they
are illustrative only and describe no real council's performance. The indicator titles and the
handful of figures quoted in a published July 2019 Corporate Performance Report (self-directed
support, first-contact resolution, delayed transfers of care, the balanced budget position) are
reproduced so that the example report for 2019-07 reads like the original; see README.md. The
comparator councils in ``benchmarks.csv`` and ``comparators.yaml`` are invented, and so is every
benchmarking figure, England's included.

The output is deterministic: hand-set figures plus a little noise from a fixed random seed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20190731
FIRST, LAST = "2015-04", "2019-09"  # span of the data; the example report period is 2019-07
REPORT_PERIOD = "2019-07"

# --- periods ----------------------------------------------------------------------------------


def _ordinal(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def _period(ordinal: int) -> str:
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def months(start: str, end: str = LAST) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive, as YYYY-MM."""
    return [_period(o) for o in range(_ordinal(start), _ordinal(end) + 1)]


def quarter_ends(start: str, end: str = LAST) -> list[str]:
    """Quarter-end months (June, September, December, March) from ``start`` to ``end``."""
    return [p for p in months(start, end) if int(p[5:]) in (3, 6, 9, 12)]


# --- indicators -------------------------------------------------------------------------------

FIN, ECI, ASC, CHI, PH, CORP = (
    "Finance", "Economic and Community Infrastructure", "Adult Services", "Children's Services",
    "Public Health", "Corporate Affairs",
)


def measure(id, title, outcome, priority, directorate, owner, unit, decimals, polarity, frequency,
            first_reported, description, source, target=None, tolerance=None, amber_threshold=None,
            aggregation="snapshot", classification="public"):
    return dict(id=id, title=title, outcome=outcome, priority=priority, directorate=directorate, owner=owner,
                kind="measure", unit=unit, decimals=decimals, polarity=polarity, frequency=frequency,
                aggregation=aggregation, target=target, tolerance=tolerance, amber_threshold=amber_threshold,
                first_reported=first_reported, classification=classification, description=description,
                source=source)


def milestone(id, title, outcome, priority, directorate, owner, first_reported, description, source,
              classification="public"):
    return dict(id=id, title=title, outcome=outcome, priority=priority, directorate=directorate, owner=owner,
                kind="milestone", unit=None, decimals=None, polarity=None, frequency="monthly",
                aggregation=None, target=None, tolerance=None, amber_threshold=None,
                first_reported=first_reported, classification=classification, description=description,
                source=source)


HIGHLIGHT_REPORT = "Programme highlight report"

INDICATORS = [
    # Outcome 1: infrastructure, economy ------------------------------------------------------
    milestone("INF-01", "Completion of Colley Lane in Bridgwater", "O1", "O1.2", ECI,
              "Head of Transport and Infrastructure", "2017-04",
              "Delivery of the Colley Lane highway improvement scheme to time and budget.", HIGHLIGHT_REPORT),
    milestone("INF-02", "Connecting Devon and Somerset Phase 2 (part 2)", "O1", "O1.2", ECI,
              "Strategic Manager - Digital Infrastructure", "2017-04",
              "Second part of Phase 2 of the partnership programme extending superfast broadband to rural premises.",
              "Broadband programme board report"),
    measure("INF-03", "Highways Maintenance", "O1", "O1.2", ECI, "Head of Highways", "percent", 1, "lower",
            "annual", "2019-04",
            "Percentage of the classified road network where structural maintenance should be considered, "
            "from the annual road condition survey.",
            "Annual road condition survey", target=4.0),
    measure("INF-04", "Percentage of premises able to access superfast broadband (30Mbps or more)", "O1", "O1.2",
            ECI, "Strategic Manager - Digital Infrastructure", "percent", 1, "higher", "quarterly", "2018-04",
            "Share of residential and business premises in the county that can order a superfast service.",
            "Broadband programme coverage model", target=95),
    milestone("ECO-01", "New Enterprise Centres", "O1", "O1.3", ECI, "Head of Economy and Planning", "2018-04",
              "Building new enterprise centres offering flexible workspace for start-up and growing businesses.",
              HIGHLIGHT_REPORT),
    milestone("ECO-02", "Somerset Energy Innovation Centres", "O1", "O1.3", ECI, "Head of Economy and Planning",
              "2018-04",
              "Delivery of the energy innovation centres supporting the low-carbon supply chain, including the "
              "third centre (SEIC 3).", HIGHLIGHT_REPORT),
    measure("ECO-03", "Occupancy of council-owned enterprise and innovation centres", "O1", "O1.1", ECI,
            "Head of Economy and Planning", "percent", 1, "higher", "monthly", "2018-04",
            "Lettable workspace in the council's enterprise and innovation centres that is let, at month end.",
            "Estates lettings system", target=80),
    measure("ASC-04", "Percentage of regulated adult social care providers rated Good or Outstanding", "O1",
            "O1.4", ASC, "Head of Adult Commissioning", "percent", 1, "higher", "monthly", "2018-04",
            "Care homes and home care providers in the county rated Good or Outstanding by the care regulator.",
            "Care regulator ratings extract", target=85),
    # Outcome 2: communities, environment ---------------------------------------------------------
    milestone("ENV-01", "Climate Change Strategy", "O2", "O2.1", ECI, "Strategic Manager - Climate Change",
              "2019-06",
              "Developing a county-wide climate change strategy with the district councils after the climate "
              "emergency declaration.", HIGHLIGHT_REPORT),
    measure("ENV-02", "Percentage of household waste sent for reuse, recycling and composting", "O2", "O2.2",
            ECI, "Head of Waste Partnership", "percent", 1, "higher", "quarterly", "2017-04",
            "Household waste collected by the county and district councils that is reused, recycled or composted.",
            "Waste data returns (provisional until validated)", target=52),
    measure("ASC-02",
            "Proportion of total Adult contacts handled by Somerset Direct resolved with Information & "
            "Advice/Signposting by either Contact Centre or Locality Triage Teams", "O2", "O2.2", ASC,
            "Head of Adult Social Care Operations", "percent", 1, "higher", "monthly", "2018-04",
            "Adult social care contacts resolved at the first point of contact by the contact centre with "
            "information, advice or signposting, without a referral for assessment.",
            "Adult social care case management system", target=60),
    measure("COM-01", "Volunteering Enquiries", "O2", "O2.4", CORP, "Head of Customers and Communities",
            "number", 0, "higher", "monthly", "2019-04",
            "Enquiries from residents about volunteering received through the council's volunteering service.",
            "Volunteering service enquiry log", target=100),
    milestone("COM-03", "Missing and Vulnerable to Exploitation (MAVE) approach", "O2", "O2.3", CHI,
              "Head of Children's Social Care", "2019-05",
              "A joint approach with the police and partners to children who go missing or are vulnerable to "
              "exploitation.", HIGHLIGHT_REPORT),
    milestone("CSC-01", "Embed an effective multi-agency Early Help offer in Somerset", "O2", "O2.3", CHI,
              "Head of Early Help", "2019-04",
              "A joined-up early help offer across partners so families get support before problems escalate.",
              HIGHLIGHT_REPORT),
    # Outcome 3: life chances ---------------------------------------------------------------------
    measure("EDU-02",
            "Percentage of 16-17 year olds not in education, employment or training (NEET) or whose activity "
            "is not known", "O3", "O3.1", CHI, "Head of Education Partnerships", "percent", 1, "lower", "monthly",
            "2017-04",
            "Young people aged 16-17 resident in the county who are NEET or whose activity is not known. "
            "Figures rise each autumn while the new cohort's destinations are confirmed.",
            "Client caseload information system", target=5.5),
    milestone("CSC-02", "Improved Multi Agency Children's Safeguarding", "O3", "O3.2", CHI,
              "Director of Children's Services", "2019-04",
              "New statutory partnership arrangements for safeguarding children with health and the police.",
              HIGHLIGHT_REPORT),
    milestone("CSC-04", "Emotional Health and Wellbeing of Children", "O3", "O3.2", CHI,
              "Head of Children's Commissioning", "2019-07",
              "A programme with schools and health partners to improve children's emotional health and wellbeing.",
              HIGHLIGHT_REPORT),
    milestone("CSC-06", "Embedding a learning culture in Children's Social Care", "O3", "O3.2", CHI,
              "Principal Social Worker", "2019-07",
              "Practice reviews, reflective supervision and learning from audits to improve social work practice.",
              HIGHLIGHT_REPORT),
    measure("CSC-09", "Percentage of referrals to children's social care that are re-referrals within 12 months",
            "O3", "O3.2", CHI, "Head of Children's Social Care", "percent", 1, "lower", "monthly", "2018-04",
            "Referrals in the month about a child referred in the previous 12 months.",
            "Children's social care case management system", target=22),
    measure("HR-01", "Number of apprenticeship starts (year to date)", "O3", "O3.3", CORP,
            "Head of HR and Organisational Development", "number", 0, "higher", "monthly", "2018-04",
            "Apprenticeship starts in the council and in organisations funded by its levy transfer, year to date. "
            "Compared with a target profiled through the year.",
            "Apprenticeship levy account and HR system", target=400, aggregation="cumulative"),
    milestone("CSC-03", "Improve the outcomes for children looked after", "O3", "O3.4", CHI,
              "Head of Children's Social Care", "2019-04",
              "The corporate parenting plan: placement sufficiency, stability and outcomes for children in care.",
              HIGHLIGHT_REPORT),
    measure("EDU-01", "Improve Outcomes for Vulnerable Learners", "O3", "O3.4", CHI, "Head of Inclusion", "percent",
            1, "higher", "quarterly", "2019-07",
            "Percentage of vulnerable learners (pupils with SEND, children looked after or eligible for free "
            "school meals) attending a school rated Good or Outstanding.",
            "School census and inspection outcomes", target=85),
    measure("CSC-05", "Ensure Effective Workforce Capacity is in place across Children's Services", "O3", "O3.4",
            CHI, "Director of Children's Services", "percent", 1, "higher", "monthly", "2019-04",
            "Percentage of social worker posts in children's social care filled by permanent staff.",
            "HR establishment report", target=85),
    measure("CSC-07", "Percentage of Education, Health and Care Plans issued within 20 weeks", "O3", "O3.4", CHI,
            "Head of Inclusion", "percent", 1, "higher", "monthly", "2018-04",
            "New EHCPs issued in the month within the statutory 20 weeks, excluding exceptions.",
            "SEND case management system", target=60),
    measure("CSC-08", "Children looked after per 10,000 children aged under 18", "O3", "O3.4", CHI,
            "Head of Children's Social Care", "rate", 1, "lower", "monthly", "2017-04",
            "Children in the council's care at month end per 10,000 children in the county population.",
            "Children's social care case management system", target=52),
    # Outcome 4: health and wellbeing -------------------------------------------------------------
    milestone("PH-01", "Flu action plan progress", "O4", "O4.1", PH, "Director of Public Health", "2019-04",
              "Delivery of the multi-agency plan to increase flu vaccination among staff and at-risk groups.",
              HIGHLIGHT_REPORT),
    measure("ASC-03", "Delayed Transfers Of Care (DToC)", "O4", "O4.2", ASC, "Director of Adult Social Care",
            "percent", 2, "lower", "monthly", "2018-04",
            "Occupied hospital bed days lost to delayed transfers of care, as a percentage of all occupied bed "
            "days.", "NHS delayed transfers of care statistics", target=2.5, tolerance=0.05),
    measure("ASC-01",
            "Percentage of users using self-directed support (given a personal budget or in receipt of a direct "
            "payment)", "O4", "O4.3", ASC, "Director of Adult Social Care", "percent", 2, "higher", "monthly",
            "2018-04",
            "Adults receiving long-term community support who have a personal budget or a direct payment.",
            "Adult social care case management system", target=90),
    measure("ASC-05",
            "Permanent admissions of people aged 65 and over to residential and nursing care homes, per 100,000 "
            "population", "O4", "O4.3", ASC, "Director of Adult Social Care", "rate", 1, "lower", "quarterly",
            "2018-04",
            "Rolling 12-month count of permanent admissions to care homes of people aged 65+, per 100,000 "
            "population aged 65+.", "Adult social care case management system", target=580),
    milestone("COM-02", "Adoption of neighbourhood approach to improve lives", "O4", "O4.4", PH,
              "Director of Public Health", "2019-04",
              "Neighbourhood teams bringing together health, social care and community services around local need.",
              HIGHLIGHT_REPORT),
    measure("PH-02", "Percentage of people offered an NHS Health Check who take it up", "O4", "O4.4", PH,
            "Director of Public Health", "percent", 1, "higher", "quarterly", "2018-04",
            "People aged 40-74 offered an NHS Health Check in the quarter who went on to receive one. The floor "
            "standard of 45% sets the amber threshold.", "GP practice returns", target=50, amber_threshold=45),
    # Outcome 5: the council ----------------------------------------------------------------------
    milestone("COR-03", "County Hall A Block accommodation project", "O5", "O5.1", CORP, "Head of Property",
              "2019-04", "Refurbishment of County Hall A Block to support flexible, modern ways of working.",
              HIGHLIGHT_REPORT),
    measure("FIN-01", "Revenue Budget - Projected Outturn Position for 2019/20", "O5", "O5.3", FIN,
            "Director of Finance", "gbp", 0, "lower", "monthly", "2018-04",
            "Projected overspend (negative for an underspend) against the net revenue budget for the financial "
            "year; 2018/19 months show that year's projection. Balanced is on target.",
            "Corporate revenue budget monitoring", target=0, amber_threshold=500000),
    milestone("FIN-02", "Develop Medium Term Financial Plan 2020-2023", "O5", "O5.3", FIN, "Director of Finance",
              "2019-04", "Preparing a balanced Medium Term Financial Plan for 2020-2023 for Full Council.",
              "Finance programme plan"),
    measure("FIN-03", "Average number of days to pay supplier invoices", "O5", "O5.3", FIN,
            "Head of Financial Operations", "days", 1, "lower", "monthly", "2018-04",
            "Average days from invoice date to payment for undisputed supplier invoices paid in the month.",
            "Finance system", target=20),
    measure("COR-01", "Percentage of calls to the Customer Contact Centre answered", "O5", "O5.5", CORP,
            "Head of Customers and Communities", "percent", 1, "higher", "monthly", "2018-04",
            "Calls to the council's main contact centre numbers answered by an adviser.", "Telephony system",
            target=90),
    measure("COR-02", "Percentage of Freedom of Information requests answered within 20 working days", "O5", "O5.5",
            CORP, "Head of Information Governance", "percent", 1, "higher", "monthly", "2018-04",
            "Freedom of Information and Environmental Information requests closed in the month within the "
            "statutory deadline.", "Information requests case log", target=90),
    milestone("DIG-01", "Driving more effective customer interactions through the use of digital technologies",
              "O5", "O5.5", CORP, "Head of Customers and Communities", "2019-04",
              "Moving common transactions online (forms, payments, bookings) so customers can self-serve 24/7.",
              HIGHLIGHT_REPORT),
    # Restricted: internal management information, never in a public report ---------------------
    measure("INT-01", "Internal: staff sickness absence (days lost per FTE, rolling 12 months)", "O5", "O5.1", CORP,
            "Head of HR and Organisational Development", "days", 1, "lower", "monthly", "2018-04",
            "Working days lost to sickness per full-time equivalent employee over the last 12 months "
            "(excluding schools). Internal management information.", "HR system", target=8.5,
            classification="restricted"),
    milestone("INT-02", "Internal: corporate budget risk register review", "O5", "O5.3", FIN, "Director of Finance",
              "2019-04",
              "Quarterly review of the budget risks held on the corporate risk register. Internal only.",
              "Corporate risk register", classification="restricted"),
    measure("INT-03",
            "Internal: commissioning pipeline - contracts due for renewal with an approved procurement plan", "O5",
            "O5.4", CORP, "Head of Commissioning and Procurement", "percent", 1, "higher", "monthly", "2019-04",
            "Contracts expiring in the next 12 months that have an approved re-procurement or exit plan. "
            "Commercially sensitive.", "Contracts register", target=90, classification="restricted"),
]

# --- values -----------------------------------------------------------------------------------

# Hand-set series. The figures for ASC-01, ASC-02, ASC-03 and FIN-01 in 2019 reproduce those
# quoted in the July 2019 report; everything else is invented.
SERIES: dict[str, dict[str, float]] = {
    # Self-directed support: falls to 81.73 in December 2018, then rises every month to 94.41 in July 2019.
    "ASC-01": dict(zip(months("2018-04"), [
        80.95, 81.40, 80.88, 81.62, 82.31, 81.95, 82.48, 82.10,
        81.73, 83.05, 84.62, 86.14, 88.03, 89.96, 92.27, 94.41, 94.60, 94.95])),
    # First-contact resolution: 67.9 in July 2019 is the highest in the series.
    "ASC-02": dict(zip(months("2018-04"), [
        56.2, 57.9, 57.1, 58.8, 60.3, 59.4, 61.0, 60.2, 58.7, 61.9, 62.8, 62.1,
        63.5, 64.9, 65.7, 67.9, 66.8, 67.2])),
    # Delayed transfers of care: within the 2.5% target until May 2019, then 2.53% and 2.96%.
    "ASC-03": dict(zip(months("2018-04"), [
        2.31, 2.24, 2.38, 2.19, 2.27, 2.42, 2.35, 2.21, 2.44, 2.33, 2.18, 2.29,
        2.37, 2.45, 2.53, 2.96, 2.71, 2.64])),
    # Projected revenue overspend, GBP: balanced at the end of Quarter 1 2019/20 and in July.
    "FIN-01": dict(zip(months("2018-04"), [
        2750000, 2410000, 2620000, 1980000, 2100000, 1640000, 1220000, 1350000, 860000, 470000, 520000, 0,
        250000, 120000, 0, 0, 0, 210000])),
    "CSC-05": dict(zip(months("2019-04"), [77.4, 76.8, 77.9, 78.3, 79.1, 80.2])),
    "COM-01": dict(zip(months("2019-04"), [86, 97, 104, 112, 95, 108])),
    "INT-03": dict(zip(months("2019-04"), [82.0, 85.0, 88.5, 87.0, 90.0, 91.5])),
    # Quarterly series (quarter-end months only).
    "INF-04": dict(zip(quarter_ends("2018-04"), [91.2, 91.8, 92.3, 92.4, 93.1, 93.3])),
    "ENV-02": dict(zip(quarter_ends("2017-04"), [52.1, 53.6, 50.4, 49.8, 52.4, 54.0, 50.9, 50.3, 52.8, 53.7])),
    "ASC-05": dict(zip(quarter_ends("2018-04"), [602.3, 594.8, 598.7, 559.8, 561.4, 566.0])),
    "PH-02": dict(zip(quarter_ends("2018-04"), [46.2, 48.9, 47.5, 49.3, 47.1, 48.4])),
    "EDU-01": {"2019-09": 82.4},
}

# Apprenticeship starts in each month; the values file holds the running year-to-date total.
APPRENTICESHIP_STARTS = dict(zip(months("2018-04"), [
    22, 28, 25, 31, 18, 52, 40, 33, 21, 29, 31, 34,  # 2018/19: 364 against a target of 380
    32, 33, 36, 37, 21, 55]))                         # 2019/20: 138 by July against a profile of 133
APPRENTICESHIP_TARGETS = {"2018-04": 380, "2019-04": 400}  # full-year targets, profiled evenly

# Noisy series: (first month, level at the first month, level at the last month, noise sd, figures fixed
# by hand). The noise gives realistic wobble; fixed months set the status shown in the example report.
NOISY: dict[str, tuple[str, float, float, float, dict[str, float]]] = {
    "FIN-03": ("2018-04", 23.5, 18.2, 0.7, {"2019-06": 18.3, "2019-07": 18.6}),
    "ECO-03": ("2018-04", 77.5, 86.5, 1.4, {"2019-07": 86.2}),
    "ASC-04": ("2018-04", 80.2, 84.0, 0.7, {"2019-07": 83.5}),
    "CSC-07": ("2018-04", 31.0, 51.0, 3.5, {"2019-05": 51.3, "2019-07": 48.2}),
    "CSC-08": ("2017-04", 50.6, 54.2, 0.35, {"2019-07": 53.9}),
    "CSC-09": ("2018-04", 23.4, 20.2, 1.1, {"2019-07": 19.8}),
    "EDU-02": ("2017-04", 6.1, 4.9, 0.25, {"2019-07": 4.9}),
    "COR-01": ("2018-04", 88.5, 89.0, 1.8, {"2019-07": 86.4}),
    "COR-02": ("2018-04", 85.0, 92.0, 2.2, {"2019-07": 91.2}),
    "INT-01": ("2018-04", 9.5, 8.9, 0.12, {"2019-07": 9.1}),
}
NEET_AUTUMN = {9: 2.1, 10: 1.2, 11: 0.5}  # destinations of the new cohort not yet known

# Earlier history, for SPC (XmR) charts: months BEFORE each series' existing first month, so that no
# figure the July 2019 report shows changes. Monthly measures go back to April 2016, quarterly ones to
# June 2015 (17 quarters by June 2019). Each is (first month, level at the first month, level at the
# month before the existing series, noise sd, figures fixed by hand); the noise comes from its own
# generator, so the figures above are untouched. The levels are chosen so that, at the July 2019
# report, the measures between them show every kind of SPC signal (see README.md, "SPC").
HISTORY_FIRST = {"monthly": "2016-04", "quarterly": "2015-04"}
EARLIER: dict[str, tuple[str, float, float, float, dict[str, float]]] = {
    "ASC-01": ("2016-04", 78.9, 80.7, 0.45, {}),
    "ASC-02": ("2016-04", 55.0, 56.0, 1.2, {}),
    "ASC-03": ("2016-04", 2.31, 2.32, 0.02, {}),
    "ASC-04": ("2016-04", 79.0, 80.3, 0.5, {}),
    "ECO-03": ("2016-04", 81.0, 80.5, 1.4, {}),
    "CSC-07": ("2016-04", 22.0, 27.0, 3.0, {}),
    "CSC-08": ("2016-04", 50.1, 50.5, 0.35, {}),
    "CSC-09": ("2016-04", 23.2, 23.5, 1.1, {}),
    "EDU-02": ("2016-04", 6.2, 6.1, 0.25, {}),
    "COR-01": ("2016-04", 89.0, 89.0, 1.8, {}),
    "COR-02": ("2016-04", 84.0, 85.0, 3.8, {}),
    "FIN-03": ("2016-04", 24.2, 23.6, 0.7, {}),
    "INT-01": ("2016-04", 9.8, 9.6, 0.12, {}),
    "ENV-02": ("2015-06", 51.0, 51.8, 0.8, {}),
    "ASC-05": ("2015-06", 615.0, 605.0, 8.0, {}),
    "PH-02": ("2015-06", 47.0, 47.0, 1.2, {}),
    "INF-04": ("2015-06", 91.0, 90.0, 0.8, {}),
}

# Milestone delivery states: (first month, default state, {month: state} exceptions).
MILESTONES: dict[str, tuple[str, str, dict[str, str]]] = {
    "INF-01": ("2017-04", "on_track", {"2018-10": "at_risk", "2018-11": "at_risk"}),
    "INF-02": ("2017-04", "on_track", {**{p: "at_risk" for p in months("2019-01", "2019-05")},
                                       **{p: "off_track" for p in months("2019-06")}}),
    "ECO-01": ("2018-04", "on_track", {p: "at_risk" for p in months("2018-08", "2019-01")}),
    "ECO-02": ("2018-04", "on_track", {"2019-02": "at_risk", "2019-03": "at_risk"}),
    "FIN-02": ("2019-04", "on_track", {}),
    "COR-03": ("2019-04", "on_track", {"2019-06": "at_risk", "2019-07": "at_risk", "2019-08": "at_risk"}),
    "ENV-01": ("2019-06", "on_track", {}),
    "COM-02": ("2019-04", "on_track", {}),
    "COM-03": ("2019-05", "on_track", {"2019-08": "at_risk"}),
    "PH-01": ("2019-04", "on_track", {}),
    "CSC-01": ("2019-04", "on_track", {"2019-04": "at_risk"}),
    "CSC-02": ("2019-04", "on_track", {"2019-09": "complete"}),
    "CSC-03": ("2019-04", "on_track", {"2019-06": "at_risk", "2019-07": "at_risk", "2019-08": "at_risk"}),
    "CSC-04": ("2019-09", "on_track", {}),  # first update after the July report
    "DIG-01": ("2019-04", "on_track", {}),
    "INT-02": ("2019-04", "on_track", {"2019-07": "at_risk"}),
    # INF-03 (annual) and CSC-06 have no figures yet: the report shows insufficient information.
}

NOTES = {
    ("FIN-01", "2019-03"): "Provisional outturn",
    ("ASC-03", "2019-09"): "Provisional",
    ("ENV-02", "2019-09"): "Provisional",
    ("ASC-05", "2019-09"): "Provisional",
    ("COR-02", "2019-01"): "Revised",
}


def noisy_series(rng: np.random.Generator, spec: tuple, decimals: int) -> dict[str, float]:
    """A straight-line trend from ``start`` to ``end`` with Gaussian noise, some months fixed by hand."""
    first, start, end, sd, fixed = spec
    periods = months(first)
    level = np.linspace(start, end, len(periods)) + rng.normal(0, sd, len(periods))
    series = {p: round(float(v), decimals) for p, v in zip(periods, level)}
    series.update(fixed)
    return series


def earlier_series(rng: np.random.Generator, spec: tuple, before: str, quarterly: bool, decimals: int
                   ) -> dict[str, float]:
    """The history before ``before`` (an existing series' first month): a straight line with noise."""
    first, start, end, sd, fixed = spec
    last = _period(_ordinal(before) - 1)
    periods = quarter_ends(first, last) if quarterly else months(first, last)
    level = np.linspace(start, end, len(periods)) + rng.normal(0, sd, len(periods))
    series = {p: round(float(v), decimals) for p, v in zip(periods, level)}
    series.update(fixed)
    return series


def build_values() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    decimals = {i["id"]: i["decimals"] for i in INDICATORS}
    frequency = {i["id"]: i["frequency"] for i in INDICATORS}
    series = dict(SERIES)
    for ind_id, spec in NOISY.items():
        s = noisy_series(rng, spec, decimals[ind_id])
        if ind_id == "EDU-02":
            s = {p: v if p in spec[4] else round(v + NEET_AUTUMN.get(int(p[5:]), 0.0), 1) for p, v in s.items()}
        series[ind_id] = s
    history = np.random.default_rng(SEED + 1)  # its own generator: the figures above stay as they were
    for ind_id, spec in EARLIER.items():
        existing = series[ind_id]
        before = earlier_series(history, spec, min(existing), frequency[ind_id] == "quarterly", decimals[ind_id])
        if ind_id == "EDU-02":
            before = {p: v if p in spec[4] else round(v + NEET_AUTUMN.get(int(p[5:]), 0.0), 1)
                      for p, v in before.items()}
        assert not set(before) & set(existing), ind_id
        series[ind_id] = {**before, **existing}
    ytd: dict[str, float] = {}
    total = 0
    for p, starts in APPRENTICESHIP_STARTS.items():
        total = starts if p[5:] == "04" else total + starts
        ytd[p] = total
    series["HR-01"] = ytd

    rows = []
    for ind_id, s in series.items():
        for p, v in s.items():
            rows.append(dict(indicator=ind_id, period=p, value=f"{v:.{decimals[ind_id]}f}", milestone_status="",
                             note=NOTES.get((ind_id, p), "")))
    for ind_id, (first, default, exceptions) in MILESTONES.items():
        for p in months(first):
            rows.append(dict(indicator=ind_id, period=p, value="", milestone_status=exceptions.get(p, default),
                             note=NOTES.get((ind_id, p), "")))
    order = {i["id"]: n for n, i in enumerate(INDICATORS)}
    df = pd.DataFrame(rows)
    return df.sort_values(["indicator", "period"], key=lambda c: c.map(order) if c.name == "indicator" else c,
                          ignore_index=True)


def build_targets() -> pd.DataFrame:
    """Year-to-date apprenticeship targets, the full-year target spread evenly over the months."""
    rows = []
    for start, annual in APPRENTICESHIP_TARGETS.items():
        for m, p in enumerate(months(start, _period(_ordinal(start) + 11)), start=1):
            if _ordinal(p) <= _ordinal(LAST):
                rows.append(dict(indicator="HR-01", period=p, target=str(round(annual * m / 12)),
                                 amber_threshold=""))
    return pd.DataFrame(rows)


# --- benchmarks -------------------------------------------------------------------------------

# Comparator figures for benchmarking (benchmarks.csv and comparators.yaml). EVERY figure and every
# comparator council here is invented: the 15 "nearest neighbours" are fictional county councils with
# fictional ONS-style codes; only England's code (E92000001) is real, and its figures are invented too.
US = ("E10900000", "Example County Council")
ENGLAND = ("E92000001", "England")
NEIGHBOURS = [
    ("E10900001", "Westholm County Council"), ("E10900002", "Eastmere County Council"),
    ("E10900003", "Harrowdene County Council"), ("E10900004", "Calderbrook County Council"),
    ("E10900005", "Fenmarsh County Council"), ("E10900006", "Greywater County Council"),
    ("E10900007", "Oakvale County Council"), ("E10900008", "Ravensholt County Council"),
    ("E10900009", "Stonereach County Council"), ("E10900010", "Thornmere County Council"),
    ("E10900011", "Willowdale County Council"), ("E10900012", "Kestrelford County Council"),
    ("E10900013", "Marlhaven County Council"), ("E10900014", "Brindlecombe County Council"),
    ("E10900015", "Highfold County Council"),
]
REGION = ["E10900001", "E10900003", "E10900006", "E10900008", "E10900010", "E10900012", "E10900013",
          "E10900014"]
YEARS = {"2016/17": "2017-03", "2017/18": "2018-03", "2018/19": "2019-03"}  # financial year -> its last month

# Per indicator: the source it imitates, England's figure, the neighbours' centre and spread, for each year
# (2016/17, 2017/18, 2018/19). The council's own figure is its values.csv figure for the year's last month;
# OWN_BENCHMARK gives it where values.csv has none (the highways survey starts in values.csv in 2019/20).
Spec = tuple[str, tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
BENCHMARK_SPECS: dict[str, Spec] = {
    "INF-03": ("Road condition statistics (RDC0120), illustrative", (3.6, 3.4, 3.3), (3.8, 3.6, 3.6), (1.3, 1.2, 1.2)),
    "INF-04": ("Superfast coverage, illustrative", (93.0, 94.6, 95.2), (91.0, 92.5, 93.5), (2.5, 2.2, 2.0)),
    "ASC-04": ("CQC ratings, illustrative", (78.0, 80.5, 83.0), (79.0, 81.0, 82.5), (3.5, 3.0, 3.0)),
    "ENV-02": ("WasteDataFlow (NI 192), illustrative", (43.7, 44.8, 43.5), (49.0, 49.5, 49.5), (5.0, 5.0, 5.0)),
    "EDU-02": ("NEET and not known, illustrative", (6.0, 6.0, 5.5), (5.6, 5.5, 5.3), (1.2, 1.1, 1.1)),
    "CSC-09": ("Children in need census, illustrative", (21.9, 21.9, 22.6), (22.5, 22.5, 22.0), (4.0, 4.0, 4.0)),
    "CSC-07": ("SEN2 return, illustrative", (64.9, 64.9, 60.1), (66.0, 64.0, 66.0), (16.0, 16.0, 12.0)),
    "CSC-08": ("Children looked after return, illustrative", (62.0, 64.0, 65.0), (50.0, 53.0, 47.0),
               (7.0, 7.0, 5.0)),
    "ASC-03": ("Delayed transfers of care, illustrative", (3.0, 2.7, 2.4), (2.6, 2.5, 2.3), (0.6, 0.5, 0.5)),
    "ASC-01": ("ASCOF 1C(1A), illustrative", (89.4, 89.7, 89.0), (82.0, 82.0, 83.0), (5.0, 5.0, 3.0)),
    "ASC-05": ("ASCOF 2A(2), illustrative", (610.7, 585.6, 579.4), (630.0, 620.0, 640.0), (60.0, 55.0, 45.0)),
    "PH-02": ("NHS Health Check uptake, illustrative", (48.5, 48.3, 46.9), (48.0, 48.0, 47.5), (6.0, 6.0, 6.0)),
}
OWN_BENCHMARK = {"INF-03": {"2016/17": 4.6, "2017/18": 4.4, "2018/19": 4.1}}
# Figures set by hand so the example shows what real comparisons do: ties, a suppressed figure, the
# council best or worst of its neighbours, moving between quartiles. None = blank (suppressed).
BENCHMARK_FIXED: dict[tuple[str, str, str], float | None] = {
    ("CSC-09", "2018/19", "E10900005"): None,  # suppressed: too few referrals to publish
    ("PH-02", "2017/18", "E10900011"): None,  # not published: a change of provider lost a quarter's returns
    ("ENV-02", "2018/19", "E10900007"): 50.3,  # level with the council: joint 8th
    ("ENV-02", "2018/19", "E10900012"): 47.2,  # two neighbours level with each other
    ("ENV-02", "2018/19", "E10900015"): 47.2,
}


def build_benchmarks(values: pd.DataFrame) -> pd.DataFrame:
    """Figures for the council, its 15 invented neighbours and England, 2016/17 to 2018/19."""
    rng = np.random.default_rng(SEED + 2)
    decimals = {i["id"]: i["decimals"] for i in INDICATORS}
    units = {i["id"]: i["unit"] for i in INDICATORS}
    own = values[values["value"] != ""].set_index(["indicator", "period"])["value"]
    offsets = np.linspace(-1.6, 1.6, len(NEIGHBOURS))
    rows = []
    for ind_id, (source, england, centre, spread) in BENCHMARK_SPECS.items():
        place = offsets[rng.permutation(len(NEIGHBOURS))]  # each council keeps roughly its place every year
        for k, (year, month) in enumerate(YEARS.items()):
            figures = centre[k] + spread[k] * (0.85 * place + rng.normal(0, 0.35, len(NEIGHBOURS)))
            if units[ind_id] == "percent":
                figures = np.clip(figures, 0, 100)
            ours = OWN_BENCHMARK.get(ind_id, {}).get(year)
            ours = float(own[(ind_id, month)]) if ours is None else ours
            areas = [(*US, ours), *[(c, n, f) for (c, n), f in zip(NEIGHBOURS, figures)], (*ENGLAND, england[k])]
            for code, name, figure in areas:
                figure = BENCHMARK_FIXED.get((ind_id, year, code), figure)
                value = "" if figure is None else f"{round(figure, decimals[ind_id]):.{decimals[ind_id]}f}"
                rows.append(dict(indicator=ind_id, area_code=code, area_name=name, period=year, value=value,
                                 source=source))
    return pd.DataFrame(rows)


def comparators_yaml() -> str:
    """comparators.yaml: who the council is in benchmarks.csv and the groups it is compared with."""
    lines = [
        "# Comparison groups for benchmarks.csv. Written by make_example.py: edit the script, not this file.",
        "# The neighbours and their codes are INVENTED (E109... is not a real ONS code range); England is real,",
        "# but its figures in benchmarks.csv are invented too. Everything is illustrative only.",
        f"us: {US[0]}",
        "source: Invented nearest-neighbour group, shaped like CIPFA's (illustrative only)",
        "main_group: Nearest neighbours",
        "groups:",
        "  - name: Nearest neighbours",
        "    kind: comparison",
        f"    areas: [{', '.join(c for c, _ in NEIGHBOURS)}]",
        "  - name: Western region",
        "    kind: comparison",
        f"    areas: [{', '.join(REGION)}]",
        "  - name: England",
        "    kind: reference",
        f"    areas: [{ENGLAND[0]}]",
    ]
    return "\n".join(lines) + "\n"


# --- commentary -------------------------------------------------------------------------------

def c(indicator, period, commentary, actions="", highlight="", status_override="", override_reason="",
      page_title="", classification="public"):
    return dict(indicator=indicator, period=period, commentary=commentary, actions=actions,
                status_override=status_override, override_reason=override_reason, highlight=highlight,
                page_title=page_title, classification=classification)


JUL = REPORT_PERIOD
COMMENTARY = [
    # July 2019: every public indicator, with the leadership team's areas of success and concern.
    c("FIN-01", JUL, "The Council's current projected outturn position is balanced at the end of Quarter 1, "
      "and remained balanced at the end of July.",
      "Budget holders continue to forecast monthly; pressures in children's placements are being managed "
      "within the corporate contingency.", highlight="success"),
    c("FIN-02", JUL, "Budget holders are currently undertaking an exercise to provide their 'confidence levels' "
      "of delivery against their financial envelope for the next 4 years - this represents a real move towards "
      "future planning.", "Confidence returns will be reviewed by the Senior Leadership Team in September ahead "
      "of the draft plan going to Cabinet.", highlight="success"),
    c("FIN-03", JUL, "Undisputed invoices were paid in an average of 18.6 days in July, within the 20-day target. "
      "Most late payments relate to invoices waiting for goods-received confirmation."),
    c("INF-01", JUL, "Following success in the completion of the western corridor scheme on time and on budget, "
      "the Colley Lane project in Bridgwater is also on time and within budget.", highlight="success"),
    c("INF-02", JUL, "The Connecting Devon and Somerset (CDS) programme continues its work helping rural "
      "communities access superfast broadband. CDS has ended the Phase 2 contracts with its delivery partner, "
      "Lanterncross Fibre, after the two sides could not agree an acceptable recovery plan, and intends to launch "
      "a fresh procurement on the open market this autumn.",
      "CDS is working with Building Digital UK on the new procurement. Discussions with funders continue, and "
      "HM Treasury is finalising a funding extension with DCMS as part of the Spending Review.",
      highlight="concern"),
    c("INF-03", JUL, "Highways Maintenance is an annual measure: the 2019/20 road condition survey results will be "
      "reported at the end of the financial year."),
    c("INF-04", JUL, "Superfast coverage reached 93.1% at the end of June, below the 95% target. Further gains "
      "depend on the re-procurement of Phase 2 of the broadband programme.",
      "Coverage plans for premises left by the ended contracts will be set out in the new tender."),
    c("ECO-01", JUL, "Planning permission has been secured for phase one of the Wells and Wiveliscombe enterprise "
      "centres. A further update will be presented separately.", highlight="success"),
    c("ECO-02", JUL, "The construction programme for SEIC 3 has been agreed with the contractor, Brackenridge "
      "Construction, and works will commence in September 2019.", highlight="success"),
    c("ECO-03", JUL, "Occupancy across the enterprise and innovation centres was 86.2% in July, ahead of the 80% "
      "target, with waiting lists at two centres."),
    c("ASC-04", JUL, "83.5% of regulated providers were rated Good or Outstanding in July, just below the 85% "
      "target. Two home care providers were re-rated Requires Improvement after inspection.",
      "Quality improvement plans are agreed with both providers and monitored monthly by the commissioning team."),
    c("ENV-01", JUL, "After the Climate Emergency was declared, the County and District councils agreed to develop "
      "a county-wide strategy. Work on this has begun, including engagement with a regional university.",
      "Public engagement on the strategy's themes is planned for the autumn.", highlight="success"),
    c("ENV-02", JUL, "52.8% of household waste was reused, recycled or composted in Quarter 1, above the 52% "
      "target; garden waste tonnages were higher after a warm spring."),
    c("ASC-02", JUL, "The proportion of contacts resolved at first point of contact reached 67.9% in July 2019 - "
      "the highest it has ever been. The combined resolution rate is up to 81.4%.",
      "Locality triage teams continue to share good practice with contact centre advisers.", highlight="success"),
    c("COM-01", JUL, "112 volunteering enquiries were received in July, above the monthly target of 100, helped by "
      "the summer volunteering campaign."),
    c("COM-03", JUL, "A multi-agency MAVE protocol has been drafted with the police and partners and the project "
      "team reports delivery on track.",
      "The information-sharing agreement goes to partner boards in September.",
      status_override="amber",
      override_reason="Partner sign-off of the information-sharing agreement has slipped to October, so the "
      "Senior Leadership Team judges delivery to be at risk."),
    c("CSC-01", JUL, "The Early Help strategy has been refreshed with partners and neighbourhood Early Help panels "
      "are being rolled out as planned."),
    c("EDU-02", JUL, "4.9% of 16-17 year olds were NEET or their activity was not known in July, better than the "
      "5.5% target. The figure will rise in the autumn while the new cohort's destinations are confirmed."),
    c("CSC-02", JUL, "The Council, the Clinical Commissioning Group and the police developed and published new "
      "partnership arrangements for safeguarding children, effective as of 29 September 2019. The Children's "
      "Trust Board merged with the Safeguarding Children Board to form a Safeguarding Children Partnership, which "
      "will build on the existing strengths in the relationships between partner agencies.", highlight="success"),
    c("CSC-04", JUL, "The emotional health and wellbeing programme is being mobilised with schools and health "
      "partners; the first progress update will be reported in September."),
    c("CSC-06", JUL, "The learning culture programme of practice reviews and reflective supervision starts in the "
      "autumn; progress will be reported once it is under way."),
    c("CSC-09", JUL, "19.8% of referrals in July were re-referrals within 12 months, better than the 22% target."),
    c("HR-01", JUL, "There have been 138 apprenticeship starts so far this year, ahead of the profiled target of "
      "133, including 12 starts in partner organisations funded through the levy transfer."),
    c("CSC-03", JUL, "The refreshed sufficiency strategy has been agreed by the Corporate Parenting Board, but "
      "recruitment of foster carers in the county is behind plan, so delivery is at risk.",
      "A targeted foster carer recruitment campaign runs from September."),
    c("EDU-01", JUL, "This quarterly measure will first be reported for the end of September 2019."),
    c("CSC-05", JUL, "78.3% of social worker posts were filled by permanent staff in July, against a target of "
      "85%. Agency cover is in place for all vacant case-holding posts.",
      "A recruitment campaign for experienced social workers launched in July, and a market supplement for "
      "hard-to-fill teams is being considered."),
    c("CSC-07", JUL, "48.2% of EHCPs were issued within 20 weeks in July, well below the 60% target, as a backlog "
      "of assessments from the spring is cleared.",
      "Additional educational psychology capacity has been commissioned to clear the backlog by December."),
    c("CSC-08", JUL, "There were 53.9 children looked after per 10,000 at the end of July, slightly above the "
      "target of 52. Most new entrants were sibling groups."),
    c("PH-01", JUL, "The 2019/20 flu action plan has been agreed with partners, and vaccine for frontline staff "
      "has been ordered ahead of the October campaign."),
    c("ASC-03", JUL, "DToC performance has slipped below the target of 2.5% over recent months (2.53% in June and "
      "2.96% in July). These delays were primarily within the community hospitals.",
      "Daily discharge calls with the hospital and community trusts are in place, and additional home care "
      "capacity is being commissioned for people leaving community hospitals.", highlight="concern"),
    c("ASC-01", JUL, "This measure has seen consistent improvement for 8 months, from 81.73% in December to 94.41% "
      "in July.", highlight="success"),
    c("ASC-05", JUL, "The rolling 12-month rate of permanent admissions to care homes was 561.4 per 100,000 at the "
      "end of June, better than the target of 580."),
    c("COM-02", JUL, "Neighbourhood teams are established in six of the county's thirteen neighbourhoods, in line "
      "with the plan."),
    c("PH-02", JUL, "Uptake was 47.1% in Quarter 1, below the 50% target but above the 45% floor standard.",
      "Practices with the lowest uptake are being offered targeted support."),
    c("COR-03", JUL, "Asbestos found during the strip-out of A Block has added six weeks to the programme, putting "
      "the January 2020 occupation date at risk.",
      "The contractor is re-sequencing works to recover time; a revised programme is due in August."),
    c("COR-01", JUL, "86.4% of calls were answered in July, below the 90% target, as call volumes rose with "
      "school transport applications.", "Staff from other teams are supporting the contact centre at peak times."),
    c("COR-02", JUL, "91.2% of requests were answered within 20 working days in July, above the 90% target."),
    c("DIG-01", JUL, "The new online forms platform went live in June; 14 of the 20 most common transactions can "
      "now be completed online."),
    # Restricted commentary on restricted indicators: internal reports only.
    c("INT-01", JUL, "Sickness absence was 9.1 days per FTE over the last 12 months, above the 8.5-day target; "
      "mental health remains the main reason for long-term absence.",
      "Wellbeing champions are being trained in every directorate.", classification="restricted"),
    c("INT-02", JUL, "The review of budget risks has been delayed by the Quarter 1 monitoring timetable.",
      "Review rescheduled for the September Senior Leadership Team meeting.", classification="restricted"),
    c("INT-03", JUL, "87.0% of contracts due for renewal in the next 12 months have an approved plan.",
      "Commissioners are following up the six contracts without a plan.", classification="restricted"),
    # June 2019 (end of Quarter 1).
    c("FIN-01", "2019-06", "The projected outturn position is balanced at the end of Quarter 1."),
    c("INF-02", "2019-06", "A recovery plan could not be agreed with the Phase 2 delivery partner and the programme "
      "board is considering ending the contracts.", "Options paper to the programme board in July."),
    c("ASC-03", "2019-06", "DToC rose to 2.53% in June, just above the 2.5% target.",
      "Discharge arrangements at the community hospitals are being reviewed with health partners."),
    c("ASC-01", "2019-06", "Self-directed support has improved for the seventh month running, to 92.27%."),
    c("COR-03", "2019-06", "Asbestos has been found during the strip-out of A Block; the impact on the programme "
      "is being assessed."),
    # September 2019 (end of Quarter 2).
    c("FIN-01", "2019-09", "A projected overspend of £210,000 has emerged from home-to-school transport costs.",
      "Recovery actions are being agreed with the directorate to return to a balanced position."),
    c("ASC-01", "2019-09", "Self-directed support reached 94.95% in September, continuing the improvement seen "
      "since December 2018."),
    c("ASC-03", "2019-09", "DToC improved to 2.64% in September (provisional) but remains above the 2.5% target."),
    c("CSC-02", "2019-09", "The new safeguarding partnership arrangements took effect on 29 September 2019, "
      "completing this project."),
    c("CSC-04", "2019-09", "The programme has been mobilised with schools and health partners and is on track."),
    c("EDU-01", "2019-09", "82.4% of vulnerable learners attend a Good or Outstanding school, below the 85% target.",
      "School improvement advisers are prioritising schools with the most vulnerable learners."),
]


# --- output -----------------------------------------------------------------------------------

def _text(v) -> str:
    """A cell as written: blank for missing, whole numbers without a trailing .0."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write(df: pd.DataFrame, name: str) -> None:
    df.map(_text).to_csv(HERE / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")


# SPC settings in indicators.csv: ``chart`` (blank = the organisation's default, a trend chart) and
# ``spc_baseline`` (the first N figures of each phase fix the mean and limits).
CHART = {"ASC-03": "spc", "COR-02": "spc", "INF-04": "spc"}
SPC_BASELINE = {"ENV-02": 12}  # three years of quarters, 2015/16 to 2017/18

# Rebases (rebases.csv): a new SPC phase, with its own mean and limits, from a change in the process.
REBASES = [
    dict(indicator="CSC-07", period="2018-04",
         reason="New SEND assessment service: one team takes each request from assessment to the issued plan"),
]


def with_history(indicators: pd.DataFrame) -> pd.DataFrame:
    """``first_reported`` moved back to the start of the earlier history (no figure may precede it), and the
    SPC columns added."""
    out = indicators.copy()
    for ind_id in EARLIER:
        row = out["id"] == ind_id
        out.loc[row, "first_reported"] = HISTORY_FIRST[out.loc[row, "frequency"].item()]
    out["chart"] = out["id"].map(CHART)
    out["spc_baseline"] = out["id"].map(SPC_BASELINE).astype(object)
    return out


def main() -> None:
    indicators = with_history(pd.DataFrame(INDICATORS))
    values = build_values()
    assert values.loc[(values.indicator == "ASC-01") & (values.period == "2019-07"), "value"].item() == "94.41"
    assert values.loc[(values.indicator == "ASC-02") & (values.period == "2019-07"), "value"].item() == "67.9"
    write(indicators, "indicators")
    write(values, "values")
    write(build_targets(), "targets")
    write(pd.DataFrame(COMMENTARY), "commentary")
    write(pd.DataFrame(REBASES), "rebases")
    write(build_benchmarks(values), "benchmarks")
    (HERE / "comparators.yaml").write_text(comparators_yaml(), encoding="utf-8")
    print(f"wrote {len(indicators)} indicators, {len(values)} values to {HERE}")


if __name__ == "__main__":
    main()
