"""Each kind of finding on small hand-made series, with its drafted wording."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import indicator, monthly, write_dataset
from goldenthread.documents.report import build_report


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
