"""The scorecard as at a report period: current figures, targets, trend, new vs continued."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import indicator, monthly, write_dataset
from goldenthread.documents.report import build_report
from goldenthread.inputs.load import load_dataset
from goldenthread.inputs.periods import parse_period
from goldenthread.measures.scorecard import indicator_summary, scorecard


def card_for(folder: Path, period: str) -> pd.DataFrame:
    return scorecard(load_dataset(folder), parse_period(period)).set_index("id")


def test_uses_no_figures_after_the_report_period(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [80, 85, 91, 70]))
    row = card_for(folder, "2019-06").loc["A1"]
    assert row["value"] == 91 and row["status"] == "green" and row["direction"] == "improving"
    assert row["previous_value"] == 85


def test_stale_figures_become_insufficient_information(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1"), indicator(id="Q1", frequency="quarterly")],
        monthly("A1", "2019-01", [91]) + monthly("Q1", "2019-03", [91]),
    )
    card = card_for(folder, "2019-06")
    assert card.loc["A1", "status"] == "not_available"  # five months old for a monthly measure
    assert card.loc["Q1", "status"] == "green"  # a quarterly figure lasts until the next quarter's
    assert card_for(folder, "2019-03").loc["A1", "status"] == "green"


def test_quarterly_direction_compares_with_the_previous_quarter(tmp_path: Path) -> None:
    vals = monthly("Q1", "2019-03", [80]) + monthly("Q1", "2019-06", [85])
    folder = write_dataset(tmp_path / "d", [indicator(id="Q1", frequency="quarterly")], vals)
    row = card_for(folder, "2019-06").loc["Q1"]
    assert row["dot_previous"] == "improving" and row["previous_value"] == 80


def test_cumulative_measures_are_profiled_and_compared_with_last_year(tmp_path: Path) -> None:
    ind = [indicator(id="C1", unit="number", aggregation="cumulative", target=120, decimals=0)]
    vals = monthly("C1", "2018-04", [8, 16, 24]) + monthly("C1", "2019-04", [9, 19, 29])
    folder = write_dataset(tmp_path / "d", ind, vals)
    row = card_for(folder, "2019-06").loc["C1"]
    assert row["period_target"] == pytest.approx(30.0)  # June is month 3 of 12: 120 * 3/12
    assert row["status"] == "amber"  # 29 vs 30 is within 5%
    assert row["dot_previous"] == "not_comparable" and row["direction"] == "improving"  # 29 > 24 last June


def test_targets_file_overrides_the_profile(tmp_path: Path) -> None:
    ind = [indicator(id="C1", unit="number", aggregation="cumulative", target=120, decimals=0)]
    folder = write_dataset(
        tmp_path / "d",
        ind,
        monthly("C1", "2019-04", [9, 19, 29]),
        targets=[{"indicator": "C1", "period": "2019-06", "target": "25", "amber_threshold": ""}],
    )
    row = card_for(folder, "2019-06").loc["C1"]
    assert row["period_target"] == 25 and row["status"] == "green"


def test_override_in_commentary_replaces_status_and_keeps_reason(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1")],
        monthly("A1", "2019-06", [91]),
        commentary=[
            {
                "indicator": "A1",
                "period": "2019-06",
                "status_override": "amber",
                "override_reason": "Data quality under review",
            }
        ],
    )
    row = card_for(folder, "2019-06").loc["A1"]
    assert row["status"] == "amber" and row["overridden"] and row["override_reason"] == "Data quality under review"


def test_new_versus_continued_is_decided_by_the_financial_year(tmp_path: Path) -> None:
    ind = [indicator(id="OLD", first_reported="2019-03"), indicator(id="NEW", first_reported="2019-04")]
    folder = write_dataset(tmp_path / "d", ind, monthly("OLD", "2019-03", [91]))
    card = card_for(folder, "2019-07")
    assert not card.loc["OLD", "is_new"] and card.loc["NEW", "is_new"]
    s = indicator_summary(card.reset_index())
    assert (s.total, s.continued, s.new, s.insufficient, s.insufficient_new) == (2, 1, 1, 2, 1)


def test_example_july_2019_matches_the_seed_report() -> None:
    report = build_report("data/example", "2019-07")
    s = report.summary
    assert (s.total, s.continued, s.new, s.insufficient) == (38, 22, 16, 4)
    assert s.insufficient_new == 4
    card = report.card.set_index("title")
    sds = card.loc[card.index.str.startswith("Percentage of users using self-directed support")].iloc[0]
    assert sds["value"] == pytest.approx(94.41) and sds["status"] == "green"
    dtoc = card.loc["Delayed Transfers Of Care (DToC)"]
    assert dtoc["value"] == pytest.approx(2.96) and dtoc["previous_value"] == pytest.approx(2.53)
    assert dtoc["status"] == "red" and dtoc["direction"] == "worsening"
    assert set(report.card["highlight"].dropna()) == {"success", "concern"}


def test_public_report_holds_no_restricted_indicator() -> None:
    public = build_report("data/example", "2019-07", audience="public")
    internal = build_report("data/example", "2019-07", audience="internal")
    restricted = set(
        internal.dataset.indicators.loc[internal.dataset.indicators["classification"] == "restricted", "id"]
    )
    assert len(restricted) == 3
    assert restricted.isdisjoint(public.card["id"]) and restricted <= set(internal.card["id"])
    assert restricted.isdisjoint(public.history["indicator"])
