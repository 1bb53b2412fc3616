"""SPC as a report uses it (measures/variation.py): which figures are charted, up to the report month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.measures.spc import xmr
from goldenthread.measures.variation import REASONS, variation_table

START = parse_period("2017-04")
NO_REBASES = pd.DataFrame(columns=["indicator", "period", "reason"])


def indicators(*rows: dict[str, object]) -> pd.DataFrame:
    base = {"kind": "measure", "polarity": "higher", "aggregation": "snapshot", "chart": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def history(indicator: str, figures: list[float | None], target: float | list[float] | None = None) -> pd.DataFrame:
    """Monthly observations from April 2017, as measures.scorecard.observations gives them (the columns used)."""
    n = len(figures)
    targets = target if isinstance(target, list) else [np.nan if target is None else target] * n
    return pd.DataFrame(
        {
            "indicator": indicator,
            "period": np.arange(START, START + n),
            "value": [np.nan if v is None else v for v in figures],
            "target": targets,
        }
    )


def series(figures: list[float | None]) -> pd.Series:
    return pd.Series(
        [np.nan if v is None else v for v in figures], index=[format_period(START + i) for i in range(len(figures))]
    )


STEADY = [50, 52, 49, 51, 50, 53, 48, 51, 50, 52, 49, 51, 50, 52, 49, 51, 50, 52, 49, 51]


def test_a_snapshot_measure_is_charted_on_its_own_figures() -> None:
    table = variation_table(history("A", STEADY, 40), indicators({"id": "A"}), NO_REBASES, START + 19)
    row = table.summary.loc["A"]
    expected = xmr(series(STEADY), polarity="higher", target=40)
    assert row["status"] == "ok" and row["points"] == 20
    assert row["mean"] == expected.phases["mean"].iloc[0] and row["upper"] == expected.phases["upper"].iloc[0]
    assert row["assurance"] == "consistently_passing" == expected.assurance
    assert row["target_used"] == 40 and row["reason"] is None and row["chart"] == "trend"
    assert list(table.points["value"]) == STEADY


def test_a_year_to_date_measure_is_not_charted_and_says_why() -> None:
    ytd = list(np.cumsum(STEADY[:12])) + list(np.cumsum(STEADY[12:]))
    table = variation_table(
        history("Y", ytd, 400), indicators({"id": "Y", "aggregation": "cumulative"}), NO_REBASES, START + 19
    )
    row = table.summary.loc["Y"]
    assert row["status"] == "not_applicable" and row["reason"] == REASONS["cumulative"]
    assert "year-to-date" in row["reason"] and row["variation"] is None and row["assurance"] is None
    assert np.isnan(row["target_used"]) and "Y" not in set(table.points["indicator"].astype(str))


def test_a_milestone_has_no_chart_and_a_reason() -> None:
    h = history("M", [None] * 20)
    table = variation_table(h, indicators({"id": "M", "kind": "milestone", "polarity": "none"}), NO_REBASES, START + 19)
    row = table.summary.loc["M"]
    assert row["status"] == "not_applicable" and "milestone" in row["reason"].lower()
    assert row["variation"] is None and table.points.empty


def test_no_target_means_no_assurance_and_polarity_none_is_never_judged() -> None:
    h = pd.concat([history("A", STEADY), history("B", STEADY, 45)])
    ind = indicators({"id": "A"}, {"id": "B", "polarity": "none"})
    summary = variation_table(h, ind, NO_REBASES, START + 19).summary
    assert summary.loc["A", "assurance"] is None and np.isnan(summary.loc["A", "target_used"])
    assert summary.loc["B", "assurance"] is None
    assert summary.loc["B", "variation"] in ("common_cause", "neutral")


def test_the_target_is_the_latest_figures_own() -> None:
    targets = [45.0] * 18 + [60.0, 60.0]  # raised for the last two months (targets.csv)
    summary = variation_table(history("A", STEADY, targets), indicators({"id": "A"}), NO_REBASES, START + 19).summary
    assert summary.loc["A", "target_used"] == 60
    assert summary.loc["A", "assurance"] == "consistently_failing"
    # as at an earlier month, that month's target
    earlier = variation_table(history("A", STEADY, targets), indicators({"id": "A"}), NO_REBASES, START + 17).summary
    assert earlier.loc["A", "target_used"] == 45


def test_the_baseline_comes_from_the_indicator_list() -> None:
    figures = STEADY + [60, 61, 62, 63, 64]
    ind = indicators({"id": "A", "spc_baseline": 12}, {"id": "B"})
    h = pd.concat([history("A", figures), history("B", figures)])
    table = variation_table(h, ind, NO_REBASES, START + 24)
    phases = table.phases.set_index(table.phases["indicator"].astype(str))
    assert phases.loc["A", "baseline_points"] == 12 and phases.loc["B", "baseline_points"] == 25
    fixed = xmr(series(figures), polarity="higher", baseline=12)
    assert phases.loc["A", "mean"] == fixed.phases["mean"].iloc[0]
    assert table.summary.loc["A", "variation"] == fixed.variation


def test_a_missing_baseline_column_is_no_baseline() -> None:
    ind = indicators({"id": "A"})
    assert "spc_baseline" not in ind
    table = variation_table(history("A", STEADY), ind, NO_REBASES, START + 19)
    assert table.phases["baseline_points"].iloc[0] == 20


def test_rebases_start_a_phase_and_a_later_rebase_is_ignored() -> None:
    figures = STEADY + [70, 71, 69, 70, 72, 70, 71, 69, 70, 72, 70, 71, 69, 70, 72, 70]
    rebases = pd.DataFrame(
        {"indicator": ["A", "A"], "period": [START + 20, START + 40], "reason": ["New service", "Later"]}
    )
    table = variation_table(history("A", figures), indicators({"id": "A"}), rebases, START + len(figures) - 1)
    assert list(table.phases["start"]) == [format_period(START), format_period(START + 20)]
    assert table.summary.loc["A", "phases"] == 2
    expected = xmr(series(figures), polarity="higher", rebase_at=[format_period(START + 20)])
    assert table.summary.loc["A", "mean"] == expected.phases["mean"].iloc[-1]


def test_the_default_chart_fills_blanks_only() -> None:
    ind = indicators({"id": "A", "chart": "spc"}, {"id": "B"}, {"id": "C", "chart": ""})
    h = pd.concat([history(i, STEADY) for i in "ABC"])
    summary = variation_table(h, ind, NO_REBASES, START + 19, default_chart="trend").summary
    assert list(summary["chart"]) == ["spc", "trend", "trend"]
    assert list(variation_table(h, ind, NO_REBASES, START + 19, default_chart="spc").summary["chart"]) == ["spc"] * 3


def test_the_latest_rule_and_how_many_points_show_it() -> None:
    # after the steady months, one below the mean, then 9 above it, none outside the limits
    run = STEADY + [49, 53, 54, 53, 54, 53, 54, 53, 54, 53]
    summary = variation_table(history("A", run), indicators({"id": "A", "spc_baseline": 20}), NO_REBASES, START + 29)
    row = summary.summary.loc["A"]
    assert row["variation"] == "improvement" and row["rule"] == "run" and row["side"] == "high"
    assert row["rule_length"] == 9 and row["latest_value"] == 53


def test_a_gap_is_a_missing_point() -> None:
    figures: list[float | None] = list(STEADY)
    figures[5] = None
    summary = variation_table(history("A", figures), indicators({"id": "A"}), NO_REBASES, START + 19).summary
    assert summary.loc["A", "points"] == 19 and summary.loc["A", "missing"] == 1


@settings(max_examples=examples(40), deadline=None)
@given(
    figures=st.lists(st.integers(0, 100).map(float), min_size=1, max_size=40),
    cut=st.integers(-5, 45),
    target=st.sampled_from([None, 10.0, 50.0, 90.0]),
)
def test_only_figures_up_to_the_report_month_count(figures: list[float], cut: int, target: float | None) -> None:
    """As at any month, the table is the chart of the figures up to that month and nothing later."""
    period = START + cut
    table = variation_table(history("A", figures, target), indicators({"id": "A"}), NO_REBASES, period)
    kept = figures[: max(cut + 1, 0)]
    assert (table.points["period"] <= format_period(period)).all()
    assert list(table.points["value"]) == kept
    row = table.summary.loc["A"]
    assert row["points"] == len(kept)
    if kept:
        expected = xmr(series(kept), polarity="higher", target=target)
        assert row["status"] == expected.status and row["variation"] == expected.variation
        assert row["assurance"] == expected.assurance
        assert row["latest_value"] == kept[-1]
