"""What the report says in words: areas of success and concern, and the summary (issue 10, items 1-7).

Each test is built on data the example council does not have: no commentary for the month, a
year-to-date measure across the year end, an old annual figure, an override, drafted and chosen
areas side by side, singular and zero counts.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ORGANISATION, examples, indicator, monthly, write_dataset
from goldenthread.documents.report import build_report
from goldenthread.inputs.load import load_dataset
from goldenthread.inputs.periods import parse_period
from goldenthread.narrative.wording import indicator_set_sentence, period_phrase
from goldenthread.run.cli import app


def texts(report, indicator_id: str) -> str:
    """Every drafted sentence about one indicator among the candidates (in the report or not)."""
    cands = report.area_candidates()
    return " ".join(cands.loc[cands["indicator"] == indicator_id, "draft"].fillna(""))


# --- 1. headings --------------------------------------------------------------------------------


def test_a_drafted_area_without_commentary_is_headed_by_its_title(tmp_path: Path) -> None:
    inds = [indicator(id="A1", title="Adults helped at first contact"), indicator(id="A2", title="Second measure")]
    vals = monthly("A1", "2019-01", [80, 82, 84, 86, 88, 90]) + monthly("A2", "2019-01", [80, 81, 82, 83, 84, 95])
    comm = [{"indicator": "A2", "period": "2019-06", "commentary": "Words.", "page_title": "Our headline"}]
    report = build_report(write_dataset(tmp_path / "d", inds, vals, commentary=comm), "2019-06")
    section = report.areas()
    headings = re.findall(r"<strong>(.*?)</strong>", section.html)
    assert headings == ["Adults helped at first contact", "Our headline"] or sorted(headings) == [
        "Adults helped at first contact",
        "Our headline",
    ]
    assert 'headline: "Adults helped at first contact"' in section.typst and "nan" not in section.typst


def test_the_example_june_and_september_reports_have_no_nan_heading() -> None:
    for period in ("2019-06", "2019-09"):
        report = build_report("data/example", period)
        section = report.areas()
        headings = [html.unescape(h) for h in re.findall(r"<strong>(.*?)</strong>", section.html)]
        assert headings and all(h.strip() and h.strip().lower() != "nan" for h in headings), period
        titles = set(report.card["title"]) | set(report.card["page_title"].dropna())
        assert set(headings) <= titles


# --- 2. year-to-date measures across the year end ----------------------------------------------------


def ytd_dataset(tmp_path: Path, figures: list[float], start: str = "2018-04", **kw: object) -> Path:
    ind = indicator(
        id="Y1",
        title="Apprenticeship starts (year to date)",
        unit="number",
        decimals=0,
        aggregation="cumulative",
        target=400,
        **kw,
    )
    return write_dataset(tmp_path / "ytd", [ind], monthly("Y1", start, figures))


# April 2018 to April 2019: on the straight-line profile until February, short in March, and a new
# year's first month in April (31 against a profiled 33.33).
YTD = [34, 68, 101, 135, 168, 201, 235, 268, 301, 340, 370, 391, 31]


def test_a_year_to_date_measure_is_never_compared_across_the_year_end(tmp_path: Path) -> None:
    report = build_report(ytd_dataset(tmp_path, YTD), "2019-04")
    said = texts(report, "Y1")
    assert "391" not in said  # March's total is last year's: never set beside April's
    assert "target_missed" not in set(report.area_candidates()["kind"])
    entry = report._entry(next(report.card.itertuples(index=False)))
    assert entry["previous_value"] == "" and "Not comparable" not in entry["previous"]["label"]
    assert entry["previous"]["label"].startswith("Not compared (a year-to-date total")
    assert entry["since"]["label"].endswith("on April 2018 (year to date)")
    assert entry["as_at"] == "April 2019, year to date 2019/20"
    html = report.appendix(charts=False).html
    assert "Not comparable" not in html and "(was 391)" not in html


def test_within_one_year_a_year_to_date_miss_is_still_found(tmp_path: Path) -> None:
    figures = [34, 68, 101, 135, 168, 201, 235, 268, 301, 320, 340]  # January and February short of the profile
    report = build_report(ytd_dataset(tmp_path, figures), "2019-02")
    said = texts(report, "Y1")
    # each month beside its own profiled target, shown at the precision that explains the miss
    assert (
        "below the year-to-date target over recent months (320 against 333.33 in January and 340 against "
        "366.67 in February)" in said
    )


def test_the_business_plan_says_what_a_year_to_date_measure_is_compared_with(tmp_path: Path) -> None:
    from goldenthread.documents.business_plan import BusinessPlan

    base = build_report(ytd_dataset(tmp_path, YTD), "2019-04")
    plan = BusinessPlan(dataset=base.dataset, period=base.period, audience="public", title="Plan", front=base.front)
    html = plan.plan().html
    assert "on April 2018 (year to date)" in html and "Not comparable" not in html


# --- 3. stale findings and the year of a month ------------------------------------------------------


def test_an_old_annual_figure_is_not_drafted_as_news(tmp_path: Path) -> None:
    rows = [
        {"indicator": "S1", "period": p, "value": v, "milestone_status": "", "note": ""}
        for p, v in [("2016-10", 70), ("2017-10", 71), ("2018-10", 72), ("2019-10", 60)]
    ]
    folder = write_dataset(
        tmp_path / "d", [indicator(id="S1", frequency="annual", target=65, first_reported="2016-04")], rows
    )
    for period, source in (
        ("2019-10", "drafted"),
        ("2019-12", "drafted"),
        ("2020-03", "not news"),
        ("2020-04", "not news"),
    ):
        cands = build_report(folder, period).area_candidates().set_index("indicator")
        assert cands.loc["S1", "source"] == source, period
        assert cands.loc["S1", "period"] == "2019-10"
    # the month is named with its year once the report is in another financial year
    assert "in October 2019" in texts(build_report(folder, "2020-04"), "S1")
    assert "in October:" in texts(build_report(folder, "2019-12"), "S1") or " in October." in texts(
        build_report(folder, "2019-12"), "S1"
    )


def test_the_news_window_can_be_set_for_a_run(tmp_path: Path) -> None:
    # quarterly, with June's figure not in yet: March's is current at the June report, but three months old
    rows = [
        {"indicator": "S1", "period": p, "value": v, "milestone_status": "", "note": ""}
        for p, v in [("2018-06", 91), ("2018-09", 92), ("2018-12", 93), ("2019-03", 80)]
    ]
    folder = write_dataset(tmp_path / "d", [indicator(id="S1", frequency="quarterly")], rows)
    assert build_report(folder, "2019-06").area_candidates()["source"].iloc[0] == "not news"
    assert build_report(folder, "2019-06", news_window_months=4).area_candidates()["source"].iloc[0] == "drafted"
    assert build_report(folder, "2019-05").area_candidates()["source"].iloc[0] == "drafted"


def test_months_outside_the_reports_financial_year_carry_their_year() -> None:
    april_2019 = parse_period("2019-04")
    assert period_phrase(parse_period("2019-03"), april_2019) == "March 2019"
    assert period_phrase(parse_period("2019-04"), april_2019) == "April"
    assert period_phrase(parse_period("2018-12"), parse_period("2019-07")) == "December 2018"
    assert period_phrase(parse_period("2019-12"), parse_period("2019-07")) == "December"  # later in the same year
    assert period_phrase(parse_period("2019-01"), parse_period("2019-03"), fy_start_month=1) == "January"


# --- 4. who chose the areas -------------------------------------------------------------------------


def mixed(tmp_path: Path, organisation: dict | None = None) -> Path:
    inds = [indicator(id="A1", title="Chosen one"), indicator(id="A2", title="Drafted one")]
    vals = monthly("A1", "2019-01", [80, 82, 84, 86, 88, 90]) + monthly("A2", "2019-01", [80, 81, 82, 83, 84, 95])
    comm = [{"indicator": "A1", "period": "2019-06", "highlight": "success", "commentary": "Chosen words."}]
    return write_dataset(tmp_path / "d", inds, vals, commentary=comm, organisation=organisation)


def test_the_report_says_which_areas_the_leadership_team_chose(tmp_path: Path) -> None:
    section = build_report(mixed(tmp_path), "2019-06").areas()
    assert "highlighted by the Senior Leadership Team" not in section.html
    assert "1 was chosen by the Senior Leadership Team and 1 was identified from the data" in section.html
    item = re.search(r"<strong>Drafted one</strong>(.*?)–", section.html).group(1)
    assert "identified from the data" in item
    assert "identified from the data" not in re.search(r"<strong>Chosen one</strong>(.*?)–", section.html).group(1)
    assert "drafted: true" in section.typst and "drafted: false" in section.typst


def test_publish_only_the_leadership_teams_choices(tmp_path: Path) -> None:
    report = build_report(mixed(tmp_path), "2019-06", areas="chosen")
    assert list(report.selection.success["indicator"]) == ["A1"]
    cands = report.area_candidates().set_index("indicator")
    assert cands.loc["A2", "source"] == "not chosen" and not cands.loc["A2", "in_report"]
    assert "highlighted by the Senior Leadership Team." in report.areas().html
    # the same as the organisation's house rule
    org = {**ORGANISATION, "report_defaults": {"areas": "chosen"}}
    assert list(build_report(mixed(tmp_path / "o", org), "2019-06").selection.success["indicator"]) == ["A1"]


def test_only_drafted_areas_are_said_to_be_from_the_data(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A2")], monthly("A2", "2019-01", [80, 81, 82, 83, 84, 95]))
    html = build_report(folder, "2019-06").areas().html
    assert "identified from the data; they are marked" in html and "Senior Leadership Team" in html


# --- 5. overrides -------------------------------------------------------------------------------


def test_a_drafted_sentence_about_an_overridden_status_says_so(tmp_path: Path) -> None:
    vals = monthly("A1", "2019-01", [86, 87, 88, 86, 87, 75, 78.3])
    comm = [
        {
            "indicator": "A1",
            "period": "2019-07",
            "status_override": "green",
            "override_reason": "Figures distorted by the case system migration",
        }
    ]
    folder = write_dataset(tmp_path / "d", [indicator(id="A1", target=85)], vals, commentary=comm)
    report = build_report(folder, "2019-07")
    said = texts(report, "A1")
    assert "Status moved from off target to on target in July: 78.3%" not in said
    assert "overridden" in said and "Figures distorted by the case system migration." in said
    # the figure did miss the target: that fact is kept, beside the override
    assert "fallen below the target of 85%" in said


def test_an_override_in_the_history_is_named_when_a_status_moves_from_it(tmp_path: Path) -> None:
    vals = monthly("A1", "2019-01", [86, 87, 88, 86, 70, 80.5])
    comm = [{"indicator": "A1", "period": "2019-05", "status_override": "green", "override_reason": "One-off"}]
    report = build_report(
        write_dataset(tmp_path / "d", [indicator(id="A1", target=85)], vals, commentary=comm), "2019-06"
    )
    from goldenthread.narrative.findings import findings_for_history

    found = findings_for_history(report.history, report.card.set_index("id")["as_at"])
    worse = found[found["kind"] == "status_worsened"].iloc[0]
    assert bool(worse["previous_overridden"]) and not bool(worse["overridden"])


# --- 6. areas --csv round trip ------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_areas_csv_round_trips_into_commentary(example_copy: Path, tmp_path: Path) -> None:
    comm_path = example_copy / "commentary.csv"
    comm = pd.read_csv(comm_path, dtype=str, keep_default_na=False)
    # an owner's words that a spreadsheet would take for a formula, and the leadership team's exclusion
    comm.loc[comm["indicator"].eq("FIN-03") & comm["period"].eq("2019-07"), "commentary"] = "-2 days on June."
    comm.loc[comm["indicator"].eq("ECO-03") & comm["period"].eq("2019-07"), "highlight"] = "exclude"
    comm.to_csv(comm_path, index=False, lineterminator="\n")
    before = load_dataset(example_copy)
    report = build_report(example_copy, "2019-07")

    out = tmp_path / "draft.csv"
    result = CliRunner().invoke(
        app, ["areas", "--period", "2019-07", "--data", str(example_copy), "--csv", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert list(rows[0])[-2:] == ["draft", "draft_area"]
    by_id = {r["indicator"]: r for r in rows}
    assert by_id["ECO-03"]["highlight"] == "exclude"
    assert by_id["INT-01"]["classification"] == "restricted"  # restricted rows kept, as restricted
    assert by_id["COM-03"]["status_override"] == "amber" and by_id["COM-03"]["override_reason"]
    assert by_id["FIN-03"]["commentary"] == "'-2 days on June."  # safe to open in a spreadsheet
    drafted = [r for r in rows if r["draft"]]
    assert drafted and all(r["draft_area"] in ("success", "concern") for r in drafted)
    asc = by_id["ASC-01"]
    assert asc["commentary"] == next(
        c
        for i, p, c in before.commentary[["indicator", "period", "commentary"]].itertuples(index=False)
        if i == "ASC-01" and p == parse_period("2019-07")
    )
    assert "81.73% in December 2018" in asc["draft"]

    # paste the rows back in place of July's: nothing changes
    kept = [r for r in read_rows(comm_path) if r["period"] != "2019-07"]
    columns = list(rows[0])
    with comm_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows([{c: r.get(c, "") for c in columns} for r in kept] + rows)
    after = load_dataset(example_copy)
    key = ["indicator", "period"]
    cols = ["commentary", "actions", "status_override", "override_reason", "highlight", "page_title", "classification"]
    old = before.commentary.set_index(key)[cols].sort_index()
    new = after.commentary.set_index(key)[cols].sort_index()
    new = new.loc[new.index.isin(old.index)]
    pd.testing.assert_frame_equal(old, new)
    again = build_report(example_copy, "2019-07")
    for direction in ("success", "concern"):
        a, b = getattr(report.selection, direction), getattr(again.selection, direction)
        assert list(a["indicator"]) == list(b["indicator"]) and list(a["text"]) == list(b["text"])


# --- 7. counts and years in words ---------------------------------------------------------------


@settings(deadline=None, max_examples=examples(200))
@given(
    continued=st.integers(0, 60),
    new=st.integers(0, 60),
    period=st.integers(2000 * 12, 2040 * 12),
    start=st.integers(1, 12),
)
def test_the_indicator_set_sentence_reads_as_a_person_writes(continued: int, new: int, period: int, start: int) -> None:
    text = indicator_set_sentence(continued + new, continued, new, period, start)
    assert not re.search(r"\b1 (performance )?indicators\b", text) and not re.search(r"\b0 of which\b", text)
    assert not re.search(r"\b1 of which are\b|\b(?:[02-9]|\d\d) of which is\b", text)
    assert " 0 new" not in text and " 0 continued" not in text
    from goldenthread.inputs.periods import financial_year_label

    assert f"for {financial_year_label(period, start)}" in text
    numbers = [int(n) for n in re.findall(r"\b\d+\b(?!/)", re.sub(r"\d{4}(/\d\d)?", "", text))]
    assert sum(numbers[1:]) in (0, continued + new) and numbers[0] == continued + new


def test_an_april_report_names_the_year_its_figures_belong_to(tmp_path: Path) -> None:
    inds = [indicator(id="A1", first_reported="2018-04"), indicator(id="A2", first_reported="2019-04")]
    folder = write_dataset(tmp_path / "d", inds, monthly("A1", "2019-03", [91, 92]) + monthly("A2", "2019-04", [93]))
    report = build_report(folder, "2019-04")
    assert report.heading.endswith("End of April 2019 (Q4+1 2018/19)")
    html = report.indicator_summary().html
    assert (
        "This report consists of 2 performance indicators for 2019/20: 1 continued from 2018/19 and 1 new "
        "this year." in html
    )
    assert "The new item is:" in html


def test_singular_counts_in_the_summary(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", first_reported="2019-04"), indicator(id="A2")],
        monthly("A1", "2019-04", [91, 92]),
    )
    html = build_report(folder, "2019-05").indicator_summary().html
    assert "1 indicator does not yet have sufficient information" in html
    assert "The one indicator that can be judged is on target." in html
    assert "1 of which are" not in html and "0 of which" not in html


def test_indicators_first_reported_after_the_report_month_are_not_in_it(tmp_path: Path) -> None:
    inds = [indicator(id="A1"), indicator(id="NEXT", first_reported="2019-04")]
    folder = write_dataset(tmp_path / "d", inds, monthly("A1", "2019-01", [91, 92, 93]))
    assert list(build_report(folder, "2019-03").card["id"]) == ["A1"]
    assert list(build_report(folder, "2019-04").card["id"]) == ["A1", "NEXT"]


# --- the example's own July report still reads as seed 003 --------------------------------------


def test_july_wording_keeps_the_seed_reports_figures() -> None:
    report = build_report("data/example", "2019-07")
    success = report.selection.success.set_index("indicator")
    assert success.loc["ASC-01", "source"] == "chosen"
    html = report.areas().html
    assert "consistent improvement for 8 months, from 81.73% in December to 94.41% in July" in html


@pytest.mark.parametrize("period", ["2019-06", "2019-09"])
def test_example_reports_say_who_chose_their_areas(period: str) -> None:
    html = build_report("data/example", period).areas().html
    assert ("highlighted by the Senior Leadership Team." in html) == ("identified from the data" not in html)


def test_organisation_yaml_accepts_the_house_rules(tmp_path: Path) -> None:
    org = {**ORGANISATION, "report_defaults": {"areas": "chosen", "news_window_months": 6}}
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-01", [91]), organisation=org)
    report = build_report(folder, "2019-01")
    assert report.published_areas == "chosen" and report.dataset.organisation.report_defaults.news_window_months == 6
    bad = {**ORGANISATION, "report_defaults": {"areas": "drafted"}}
    (folder / "organisation.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(Exception, match="areas"):
        build_report(folder, "2019-01")


def test_a_change_inside_the_no_change_band_is_never_called_large(tmp_path: Path) -> None:
    org = {**ORGANISATION, "status_scheme": {"no_change_band": 0.01}}
    figures = [100, 100.01, 100, 100.01, 100, 100.01, 100, 100.9]  # a 0.9% rise after months of stillness
    folder = write_dataset(
        tmp_path / "d", [indicator(id="A1", decimals=2, target=90)], monthly("A1", "2019-01", figures), organisation=org
    )
    report = build_report(folder, "2019-08")
    assert report.card.set_index("id").loc["A1", "dot_previous"] == "no_change"
    from goldenthread.narrative.findings import findings_for_history

    found = findings_for_history(report.history, report.card.set_index("id")["as_at"])
    assert "large_change" not in set(found["kind"])
    assert "larger month-on-month change" not in texts(report, "A1")


def test_recommendations_are_put_to_the_meeting_named_on_the_front_sheet(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-01", [91]))
    for meeting, asked in (
        ("Executive", "The Executive is asked to:"),
        ("Cabinet", "Cabinet is asked to:"),
        ("the Full Council", "the Full Council is asked to:"),
    ):
        section = build_report(
            folder, "2019-01", front_sheet={"meeting": meeting, "recommendations": ["Note the report."]}
        ).front_sheet()
        assert asked in section.html and f'asked: "{asked}"' in section.typst


# --- SPC and benchmarking wording ------------------------------------------------------------------------


def spc_finding(kind: str, rule: str, side: str, length: int, **kw: object):
    from types import SimpleNamespace

    base = dict(
        indicator="A1",
        kind=kind,
        value=53.0,
        period=parse_period("2019-09"),
        target=float("nan"),
        polarity="higher",
        aggregation="snapshot",
        rule=rule,
        side=side,
        length=length,
    )
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize(
    "rule, side, length, expected",
    [
        (
            "run",
            "high",
            9,
            "At 53.0% in September, the figure has been above this measure's average for 9 months in a row: "
            "a sign of real improvement, not chance.",
        ),
        (
            "trend",
            "high",
            7,
            "The figure has risen month on month for 7 months, to 53.0% in September: a sign of real improvement, "
            "not chance.",
        ),
        (
            "outside_limits",
            "high",
            1,
            "At 53.0% in September, the figure is above the range this measure normally varies within: a sign of "
            "real improvement, not chance.",
        ),
        (
            "two_of_three",
            "high",
            3,
            "Two of the last three figures (the latest, 53.0% in September) are close to the top of the range this "
            "measure normally varies within: a sign of real improvement, not chance.",
        ),
    ],
)
def test_a_special_cause_says_which_pattern_in_plain_words(rule: str, side: str, length: int, expected: str) -> None:
    from goldenthread.narrative.wording import draft_sentence

    text = draft_sentence(
        spc_finding("special_cause_improvement", rule, side, length),
        "percent",
        1,
        "monthly",
        parse_period("2019-09"),
        {},
    )
    assert text == expected


def test_a_special_cause_concern_lower_is_better_and_a_quarterly_trend() -> None:
    from goldenthread.narrative.wording import draft_sentence

    f = spc_finding("special_cause_concern", "trend", "high", 8, polarity="lower", period=parse_period("2019-03"))
    text = draft_sentence(f, "days", 0, "quarterly", parse_period("2019-06"), {})
    assert text == (
        "The figure has risen quarter on quarter for 8 quarters, to 53 days in March 2019: a sign of a real decline, "
        "not chance."
    )


def test_consistently_failing_names_the_target_and_the_latest_figure() -> None:
    from goldenthread.narrative.wording import draft_sentence

    f = spc_finding("consistently_failing", "", "", 0, target=60.0, value=51.0)
    text = draft_sentence(f, "percent", 0, "monthly", parse_period("2019-09"), {})
    assert text == (
        "The target of 60% lies outside the range this measure normally varies within (51% in September), so it "
        "will keep being missed unless something changes."
    )


def bench_finding(kind: str, **kw: object):
    from types import SimpleNamespace

    base = dict(
        indicator="A1",
        kind=kind,
        value=4.1,
        period=parse_period("2019-10"),
        start_period=parse_period("2019-03"),
        target=float("nan"),
        polarity="higher",
        aggregation="snapshot",
        group="Nearest neighbours",
        rank=1,
        n=16,
        tied=False,
        quartile=1,
        quartile_last_year=3,
        period_label="2018/19",
        period_last_year="2017/18",
    )
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize(
    "kind, extra, expected",
    [
        ("benchmark_best", {}, "In 2018/19 the council ranked best of 16 in Nearest neighbours, at 4.1%."),
        (
            "benchmark_best",
            {"tied": True},
            "In 2018/19 the council ranked joint best of 16 in Nearest neighbours, at 4.1%.",
        ),
        (
            "benchmark_worst",
            {"rank": 15, "tied": True},
            "In 2018/19 the council ranked joint last of 16 in Nearest neighbours, at 4.1%.",
        ),
        (
            "benchmark_top_quartile",
            {},
            "In 2018/19 the council moved into the top quartile of Nearest neighbours, at 4.1%, from the third "
            "quartile in 2017/18.",
        ),
        (
            "benchmark_bottom_quartile",
            {"quartile": 4, "quartile_last_year": 2},
            "In 2018/19 the council moved into the bottom quartile of Nearest neighbours, at 4.1%, from the second "
            "quartile in 2017/18.",
        ),
        (
            # a monthly comparator period outside the report's financial year carries its year
            "benchmark_best",
            {"period_label": "2019-03", "period_last_year": "2018-03"},
            "In March 2019 the council ranked best of 16 in Nearest neighbours, at 4.1%.",
        ),
    ],
)
def test_benchmarking_wording(kind: str, extra: dict, expected: str) -> None:
    from goldenthread.narrative.wording import draft_sentence

    text = draft_sentence(bench_finding(kind, **extra), "percent", 1, "annual", parse_period("2019-10"), {})
    assert text == expected
