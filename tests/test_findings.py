"""Each kind of finding on small hand-made series, with its drafted wording."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import indicator, monthly, write_dataset
from goldenthread.documents.report import build_report
from goldenthread.inputs.periods import parse_period


def findings(
    tmp_path: Path, figures: list, period: str, start: str = "2019-01", values: list | None = None, **ind: object
) -> pd.DataFrame:
    """Drafted candidates for one indicator 'A1' with the given monthly figures."""
    rows = values if values is not None else monthly("A1", start, figures)
    folder = write_dataset(tmp_path / "d", [indicator(id="A1", first_reported="2015-04", **ind)], rows)
    report = build_report(folder, period)
    from goldenthread.narrative.findings import findings_for_history

    found = findings_for_history(report.history, report.card.set_index("id")["as_at"])
    cands = report.area_candidates()
    found["text"] = [cands.set_index("indicator").loc["A1", "draft"] if i == 0 else "" for i in range(len(found))]
    return found


def kinds(found: pd.DataFrame) -> set[str]:
    return set(found["kind"])


def test_improving_run_counts_periods_like_the_seed_report(tmp_path: Path) -> None:
    found = findings(
        tmp_path, [82.1, 81.73, 84.0, 86.5, 88.1, 90.2, 91.6, 93.0, 94.41], "2019-07", start="2018-11", decimals=2
    )
    run = found[found["kind"] == "improving_run"].iloc[0]
    # December 2018 to July 2019 inclusive: 7 improvements, 8 months
    assert run["length"] == 8 and run["direction"] == "success"
    assert (run["start_value"], run["value"]) == (81.73, 94.41)


def test_run_wording_names_the_year_only_outside_the_reports_financial_year(tmp_path: Path) -> None:
    found = findings(
        tmp_path, [82.1, 81.73, 84.0, 86.5, 88.1, 90.2, 91.6, 93.0, 94.41], "2019-07", start="2018-11", decimals=2
    )
    assert (
        "consistent improvement for 8 months, from 81.73% in December 2018 to 94.41% in July." in found.iloc[0]["text"]
    )


def test_ties_and_gaps_break_a_run(tmp_path: Path) -> None:
    assert "improving_run" not in kinds(findings(tmp_path / "tie", [80, 81, 81, 82, 83], "2019-05"))
    gap = findings(tmp_path / "gap", [80, 81, None, 82, 83, 84], "2019-06")
    assert "improving_run" not in kinds(gap)
    assert "improving_run" in kinds(findings(tmp_path / "ok", [80, 81, 82, 83], "2019-04"))


def test_single_data_point_gives_nothing_and_no_error(tmp_path: Path) -> None:
    found = findings(tmp_path, [95], "2019-01")
    assert found.empty
    report = build_report(tmp_path / "d", "2019-01")
    assert "No areas of concern were identified this period." in report.areas().html


def test_polarity_none_makes_no_claims(tmp_path: Path) -> None:
    figures = [10, 11, 12, 13, 14, 15, 16, 40, 80]
    assert findings(tmp_path, figures, "2019-09", polarity="none", target="").empty


def test_missed_target_after_meeting_it_lower_is_better(tmp_path: Path) -> None:
    found = findings(
        tmp_path, [2.1, 2.3, 2.2, 2.4, 2.5, 2.53, 2.96], "2019-07", decimals=2, polarity="lower", target=2.5
    )
    miss = found[found["kind"] == "target_missed"].iloc[0]
    assert miss["direction"] == "concern" and miss["length"] == 2
    assert found.iloc[0]["text"].startswith(
        "Performance has risen above the target of 2.5% over recent months (2.53% in June and 2.96% in July)."
    )


def test_missed_target_higher_is_better_wording(tmp_path: Path) -> None:
    found = findings(tmp_path, [91, 92, 90, 88, 87.5], "2019-05", decimals=1)
    assert found.iloc[0]["text"].startswith(
        "Performance has fallen below the target of 90% over recent months (88.0% in April and 87.5% in May)."
    )


def test_never_meeting_the_target_is_not_a_slip(tmp_path: Path) -> None:
    assert "target_missed" not in kinds(findings(tmp_path, [80, 81, 80, 82, 81], "2019-05"))


def test_record_high_and_ties(tmp_path: Path) -> None:
    rising = [60, 62, 61, 63, 64, 62, 66, 65, 67.9]
    found = findings(tmp_path / "a", rising, "2019-09", target=60)
    assert "record_best" in kinds(found)
    assert "67.9% in September – the highest it has ever been" in found.iloc[0]["text"]
    tie = findings(tmp_path / "b", [60, 62, 61, 63, 64, 62, 66, 65, 66], "2019-09", target=60)
    assert "record_best" not in kinds(tie)


def test_record_low_is_a_success_when_lower_is_better(tmp_path: Path) -> None:
    found = findings(
        tmp_path, [30, 28, 29, 27, 28, 26, 27, 25], "2019-08", polarity="lower", target=30, unit="days", decimals=0
    )
    rec = found[found["kind"] == "record_best"].iloc[0]
    assert rec["direction"] == "success"
    from goldenthread.narrative.wording import draft_sentence

    text = draft_sentence(rec, "days", 0, "monthly", 24235, {})
    assert text == "The figure fell to 25 days in August – the lowest it has ever been."


def test_best_for_n_years_needs_that_much_history(tmp_path: Path) -> None:
    figures = [90] + [70 + (i % 5) for i in range(39)] + [80]  # February 2016 to June 2019
    found = findings(tmp_path, figures, "2019-06", start="2016-02", target=60)
    assert "record_best_years" in kinds(found) and "record_best" not in kinds(found)


def test_status_change_and_first_time_on_target(tmp_path: Path) -> None:
    improved = findings(tmp_path / "a", [91, 92, 86, 91], "2019-04")
    assert "status_improved" in kinds(improved)
    first = findings(tmp_path / "b", [80, 81, 80, 82, 91], "2019-05")
    assert "first_on_target" in kinds(first)
    assert "first_on_target" not in kinds(improved)


def test_large_movement_is_judged_against_the_indicators_own_history(tmp_path: Path) -> None:
    steady = [50, 50.5, 50, 50.4, 50.1, 50.6, 50.2, 50.5, 57]
    noisy = [50, 56, 49, 57, 50, 55, 48, 56, 57]
    assert "large_change" in kinds(findings(tmp_path / "a", steady, "2019-09", target=40))
    assert "large_change" not in kinds(findings(tmp_path / "b", noisy, "2019-09", target=40))


def test_milestones_completed_or_slipping(tmp_path: Path) -> None:
    def states(*s: str) -> list[dict]:
        return [
            {"indicator": "A1", "period": f"2019-0{i + 1}", "value": "", "milestone_status": x, "note": ""}
            for i, x in enumerate(s)
        ]

    ms = {"kind": "milestone", "unit": "", "polarity": "", "target": ""}
    done = findings(tmp_path / "a", [], "2019-03", values=states("on_track", "on_track", "complete"), **ms)
    assert kinds(done) == {"milestone_complete"} and done.iloc[0]["text"] == "The milestone was completed in March."
    slip = findings(tmp_path / "b", [], "2019-03", values=states("on_track", "on_track", "off_track"), **ms)
    assert "milestone_slipped" in kinds(slip)
    assert slip.iloc[0]["text"] == "The milestone moved from on track to off track in March."


@pytest.mark.parametrize("frequency, word", [("quarterly", "quarters")])
def test_runs_count_in_the_indicators_own_periods(tmp_path: Path, frequency: str, word: str) -> None:
    rows = [
        {"indicator": "A1", "period": p, "value": v, "milestone_status": "", "note": ""}
        for p, v in [("2018-06", 80), ("2018-09", 82), ("2018-12", 84), ("2019-03", 86), ("2019-06", 88)]
    ]
    found = findings(tmp_path, [], "2019-06", values=rows, frequency=frequency)
    assert f"consistent improvement for 5 {word}, from 80.0% in June 2018 to 88.0% in June." in found.iloc[0]["text"]


def test_a_record_must_read_higher_than_the_last_best(tmp_path: Path) -> None:
    # 94.414 after a best of 94.411 both read 94.41: not "the highest it has ever been"
    same = findings(tmp_path / "a", [90, 91, 94.411, 92, 93, 92.5, 93.1, 92.8, 94.414], "2019-09", decimals=2)
    assert "record_best" not in kinds(same)
    higher = findings(tmp_path / "b", [90, 91, 94.411, 92, 93, 92.5, 93.1, 92.8, 94.416], "2019-09", decimals=2)
    assert "record_best" in kinds(higher)  # 94.42 reads higher


# --- SPC and benchmarking (variation_findings, comparison_findings) ----------------------------------

STEADY = [50, 52, 49, 51, 50, 53, 48, 51, 50, 52, 49, 51, 50, 52, 49, 51, 50, 52, 49, 51]


def spc_report(tmp_path: Path, figures: list, period: str, spc_baseline: int | None = None, **ind: object):
    """A report for one monthly indicator 'A1' from April 2017, with its SPC findings."""
    from conftest import INDICATOR_COLUMNS, write_csv
    from goldenthread.narrative.findings import variation_findings

    row = indicator(id="A1", first_reported="2015-04", **{"target": "", **ind})
    folder = write_dataset(tmp_path / "d", [row], monthly("A1", "2017-04", figures))
    if spc_baseline is not None:
        row["spc_baseline"] = str(spc_baseline)
        write_csv(folder / "indicators.csv", [row], [*INDICATOR_COLUMNS, "spc_baseline"])
    report = build_report(folder, period)
    return report, variation_findings(report.variation.summary, report.card, report.period)


# after 20 steady months (mean 50.45, limits about 44 to 57), one below the mean, then 9 above it
RUN_ABOVE = [*STEADY, 49, 53, 54, 53, 54, 53, 54, 53, 54, 53]


def test_a_special_cause_at_the_latest_point_is_an_improvement_or_a_concern(tmp_path: Path) -> None:
    _, up = spc_report(tmp_path / "a", RUN_ABOVE, "2019-09", spc_baseline=20)
    row = up.iloc[0]
    assert (row["kind"], row["direction"], row["rule"], row["side"], row["length"]) == (
        "special_cause_improvement",
        "success",
        "run",
        "high",
        9,
    )
    assert row["value"] == 53 and row["period"] == parse_period("2019-09")
    _, down = spc_report(tmp_path / "b", RUN_ABOVE, "2019-09", spc_baseline=20, polarity="lower")
    assert list(down["kind"]) == ["special_cause_concern"] and down.iloc[0]["direction"] == "concern"


def test_no_special_cause_finding_for_common_cause_too_few_points_or_polarity_none(tmp_path: Path) -> None:
    assert spc_report(tmp_path / "a", STEADY, "2018-11")[1].empty  # common cause
    assert spc_report(tmp_path / "b", [50, 51, 52, 53, 54, 55, 56, 57, 58, 59], "2018-01")[1].empty  # 10 points
    _, none = spc_report(tmp_path / "c", RUN_ABOVE, "2019-09", spc_baseline=20, polarity="none")
    assert none.empty


def test_no_special_cause_finding_when_the_latest_point_is_not_the_reports_figure(tmp_path: Path) -> None:
    from goldenthread.narrative.findings import variation_findings

    report, found = spc_report(tmp_path, RUN_ABOVE, "2019-09", spc_baseline=20)
    assert not found.empty
    card = report.card.assign(as_at=report.card["as_at"] - 1)  # the report shows an older figure
    assert variation_findings(report.variation.summary, card, report.period).empty


def test_a_target_outside_the_limits_is_consistently_failing(tmp_path: Path) -> None:
    _, failing = spc_report(tmp_path / "a", STEADY, "2018-11", target=60)
    assert list(failing["kind"]) == ["consistently_failing"]
    assert failing.iloc[0]["direction"] == "concern" and failing.iloc[0]["target"] == 60
    assert spc_report(tmp_path / "b", STEADY, "2018-11", target=52)[1].empty  # hit and miss
    assert spc_report(tmp_path / "c", STEADY, "2018-11", target=40)[1].empty  # consistently passing: no story


def test_a_special_cause_concern_ranks_with_a_missed_target(tmp_path: Path) -> None:
    """Both kinds found on one indicator: a run below the average that also missed the target twice."""
    from goldenthread.narrative.findings import findings_for_history

    figures = [*STEADY, 51, 48, 49, 48, 47, 48, 49, 47.5, 47]
    report, spc = spc_report(tmp_path, figures, "2019-08", spc_baseline=20, target=48)
    missed = findings_for_history(report.history, report.card.set_index("id")["as_at"])
    missed = missed[missed["kind"] == "target_missed"]
    concern = spc[spc["kind"] == "special_cause_concern"]
    assert len(missed) == 1 and len(concern) == 1
    assert abs(concern.iloc[0]["score"] - missed.iloc[0]["score"]) <= 10


def comparison_rows(us: float | None, others: list[float], last_year: float | None = None, polarity: str = "higher"):
    from goldenthread.inputs.config import Comparators
    from goldenthread.measures.comparison import comparison_table

    codes = [f"E{i}" for i in range(2, 2 + len(others))]
    rows = []
    for label, mine in (("2018/19", us), ("2017/18", last_year)):
        end = parse_period(f"{int(label[:4]) + 1}-03")
        for code, v in [("E1", mine), *zip(codes, others)]:
            value = float("nan") if v is None else float(v)
            rows.append(
                dict(indicator="A1", area_code=code, area_name=code, period=end, period_label=label, value=value)
            )
    groups = Comparators(
        us="E1",
        groups=[{"name": "Other group", "areas": codes}, {"name": "Neighbours", "areas": codes}],
        main_group="Neighbours",
    )
    ind = pd.DataFrame({"id": ["A1"], "polarity": [polarity]})
    return comparison_table(pd.DataFrame(rows), groups, ind, parse_period("2019-10"))


def card_for(polarity: str = "higher") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A1"],
            "as_at": [parse_period("2019-09")],
            "kind": ["measure"],
            "polarity": [polarity],
            "status": ["green"],
            "aggregation": ["snapshot"],
        }
    )


def comparison_kinds(*args, polarity: str = "higher", **kw) -> list[tuple[str, bool]]:
    from goldenthread.narrative.findings import comparison_findings

    found = comparison_findings(
        comparison_rows(*args, polarity=polarity, **kw), card_for(polarity), parse_period("2019-10")
    )
    return sorted(zip(found["kind"], found["tied"]))


def test_best_and_last_in_the_main_group_with_ties() -> None:
    others = [10, 11, 12, 13, 14, 15, 16]
    assert comparison_kinds(20, others) == [("benchmark_best", False)]
    assert comparison_kinds(16, others) == [("benchmark_best", True)]  # joint best
    assert comparison_kinds(1, others) == [("benchmark_worst", False)]
    assert comparison_kinds(10, others) == [("benchmark_worst", True)]  # joint last
    assert comparison_kinds(13, others) == []
    assert comparison_kinds(5, [5] * 7) == []  # every area level: neither best nor last
    assert comparison_kinds(1, others, polarity="lower") == [("benchmark_best", False)]


def test_moving_into_the_top_or_bottom_quartile_since_last_year() -> None:
    others = [10, 11, 12, 13, 14, 15, 16]
    top = comparison_kinds(15.5, others, last_year=12)
    assert top == [("benchmark_top_quartile", False)]
    assert comparison_kinds(15.5, others, last_year=15.2) == []  # top quartile both years
    assert comparison_kinds(15.5, others) == []  # no figure last year: no movement
    assert comparison_kinds(10.5, others, last_year=13) == [("benchmark_bottom_quartile", False)]
    both = comparison_kinds(20, others, last_year=12)
    assert both == [("benchmark_best", False), ("benchmark_top_quartile", False)]


def test_benchmarking_never_judges_polarity_none() -> None:
    assert comparison_kinds(20, [10, 11, 12, 13, 14, 15, 16], last_year=12, polarity="none") == []


def test_comparison_findings_use_the_main_group_and_the_report_month() -> None:
    from goldenthread.narrative.findings import COLUMNS, comparison_findings

    table = comparison_rows(20, [10, 11, 12, 13, 14, 15, 16])
    found = comparison_findings(table, card_for(), parse_period("2019-10"))
    assert list(found.columns) == COLUMNS and len(found) == 1
    row = found.iloc[0]
    assert (row["group"], row["rank"], row["n"], row["value"]) == ("Neighbours", 1, 8, 20)
    assert row["period"] == parse_period("2019-10") and row["start_period"] == parse_period("2019-03")
    assert (row["period_label"], row["period_last_year"]) == ("2018/19", "2017/18")
    assert comparison_findings(table.iloc[:0], card_for(), parse_period("2019-10")).empty
