"""Year-end forecasts: worked examples done by hand, the year's boundaries, and the likelihood rule.

Histories are built the way a report builds them, through ``observations``, so a year-to-date
measure's profile to date is the one its status is judged against (targets.csv rows win).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, examples
from goldenthread.inputs.config import StatusScheme
from goldenthread.inputs.load import load_dataset
from goldenthread.inputs.periods import financial_year_start, parse_period
from goldenthread.measures.forecast import COLUMNS, LIKELIHOOD_TEXT, REASONS, year_end_forecasts
from goldenthread.measures.scorecard import observations

COMMENTARY = pd.DataFrame(columns=["indicator", "period", "status_override", "override_reason"])


def measure(id: str = "A1", **kw: object) -> dict[str, object]:
    """An indicators row as load_dataset types it: a monthly higher-is-better snapshot percentage, target 60."""
    row: dict[str, object] = {
        "id": id,
        "kind": "measure",
        "unit": "percent",
        "decimals": 1,
        "polarity": "higher",
        "frequency": "monthly",
        "aggregation": "snapshot",
        "target": 60.0,
        "tolerance": np.nan,
        "amber_threshold": np.nan,
    }
    row.update(kw)
    return row


def figures(id: str, start: int, values: Sequence[float | None], step: int = 1) -> list[dict[str, object]]:
    """values rows for every ``step`` months from the month ordinal ``start`` (None: a blank figure)."""
    return [
        {"indicator": id, "period": start + i * step, "value": np.nan if v is None else float(v)}
        for i, v in enumerate(values)
    ]


def forecast(
    indicators: list[dict[str, object]],
    values: list[dict[str, object]],
    period: int | str,
    targets: list[dict[str, object]] | None = None,
    fy_start_month: int = 4,
    whole_history: bool = False,
) -> pd.DataFrame:
    """The forecasts as at ``period`` from a history cut at it (as a report's is), or not cut."""
    at = parse_period(period) if isinstance(period, str) else period
    ind = pd.DataFrame(indicators)
    ind["decimals"] = ind["decimals"].astype(int)
    vals = pd.DataFrame(values, columns=["indicator", "period", "value"])
    vals["period"] = vals["period"].astype("Int64")
    vals["milestone_status"] = None
    vals["note"] = None
    tgt = pd.DataFrame(targets or [], columns=["indicator", "period", "target", "amber_threshold"])
    tgt["period"] = tgt["period"].astype("Int64")
    tgt["target"] = tgt["target"].astype(float)
    tgt["amber_threshold"] = tgt["amber_threshold"].astype(float)
    history = observations(ind, vals, tgt, COMMENTARY, StatusScheme(), fy_start_month)
    if not whole_history:
        history = history[history["period"] <= at].reset_index(drop=True)
    return year_end_forecasts(history, ind, at, fy_start_month, tgt)


APR19 = parse_period("2019-04")
MAR20 = parse_period("2020-03")


# --- year-to-date (cumulative) measures --------------------------------------------------------


def test_a_year_to_date_total_without_a_profile_runs_at_its_monthly_rate() -> None:
    """Target 120 a year, profiled in a straight line: 10, 20, 30, 40 to July (month 4).

    Year to date 8, 20, 29, 40: monthly rises 8, 12, 9, 11 (against 10 a month: paces 0.8, 1.2,
    0.9, 1.1). Run rate 40 / 4 x 12 = 120. Eight months remain: slowest 40 + 8 x 8 = 104, fastest
    40 + 8 x 12 = 136. The range is 32 wide: whole numbers. 120 lies inside it: uncertain.
    """
    row = forecast(
        [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=120.0)],
        figures("C1", APR19, [8, 20, 29, 40]),
        "2019-07",
    ).loc["C1"]
    assert (row["projected"], row["low"], row["high"], row["target"]) == (120, 104, 136, 120)
    assert row["likelihood"] == "uncertain" and row["reason"] is None and row["year_end"] == MAR20
    assert row["method"].startswith("Projected from the first 4 months, to July 2019, at the same average monthly rate")
    assert "remaining 8 months" in row["method"]


def test_a_year_to_date_total_keeps_pace_with_its_profile() -> None:
    """Target 400, profiled in targets.csv as 20, 50, 100 for April to June (month 3).

    Year to date 24, 55, 105: paces 24/20 = 1.2, (55-24)/(50-20) = 31/30 = 1.033, (105-55)/(100-50)
    = 1.0. Kept pace 105/100 = 1.05, so 1.05 x 400 = 420. Still to come: 400 - 100 = 300 of the
    profile: slowest 105 + 300 x 1.0 = 405, fastest 105 + 300 x 1.2 = 465. All of 405 to 465 meets
    400: likely.
    """
    profile = {APR19: 20.0, APR19 + 1: 50.0, APR19 + 2: 100.0}
    targets = [{"indicator": "C1", "period": p, "target": t, "amber_threshold": np.nan} for p, t in profile.items()]
    row = forecast(
        [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=400.0)],
        figures("C1", APR19, [24, 55, 105]),
        "2019-06",
        targets,
    ).loc["C1"]
    assert (row["projected"], row["low"], row["high"]) == (420, 405, 465)
    assert row["likelihood"] == "likely"
    assert "at the pace kept so far against the year's target profile" in row["method"]


def test_a_targets_row_for_the_years_last_month_is_the_year_end_target() -> None:
    """Profile 30, 60, 90 to June with a year-end row of 360 (the indicator's own target is 400).

    Year to date 30, 60, 90: pace 1 throughout, so 90/90 x 360 = 360, range 360 to 360: exactly on
    the year-end target, which meets it: likely.
    """
    profile = {APR19: 30.0, APR19 + 1: 60.0, APR19 + 2: 90.0, MAR20: 360.0}
    targets = [{"indicator": "C1", "period": p, "target": t, "amber_threshold": np.nan} for p, t in profile.items()]
    row = forecast(
        [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=400.0)],
        figures("C1", APR19, [30, 60, 90]),
        "2019-06",
        targets,
    ).loc["C1"]
    assert (row["projected"], row["low"], row["high"], row["target"]) == (360, 360, 360, 360)
    assert row["likelihood"] == "likely"


def test_a_gap_in_the_year_is_one_longer_step() -> None:
    """Target 120 (10 a month); year to date 10 (April), 18 (May), June blank, 44 (July).

    Steps: 10/10 = 1.0, 8/10 = 0.8, and May to July (44-18)/(40-20) = 26/20 = 1.3. Kept pace 44/40 =
    1.1, so 132. Remaining 80: slowest 44 + 80 x 0.8 = 108, fastest 44 + 80 x 1.3 = 148.
    """
    row = forecast(
        [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=120.0)],
        figures("C1", APR19, [10, 18, None, 44]),
        "2019-07",
    ).loc["C1"]
    assert (row["projected"], row["low"], row["high"]) == (132, 108, 148)
    assert row["likelihood"] == "uncertain"


def test_a_wide_range_is_shown_no_finer_than_it_knows_and_rounded_outward() -> None:
    """Target 1,200 at one decimal place; year to date 50, 250, 300 against 100, 200, 300.

    Paces 0.5, 2.0, 0.5; kept pace 1, so 1,200. Remaining 900: 300 + 450 = 750 to 300 + 1,800 =
    2,100. The range is 1,350 wide: two significant figures of that is hundreds (places -2), so the
    range reads 700 to 2,100 (750 rounded down, never up into the range), the projection 1,200.
    """
    row = forecast(
        [measure("C1", unit="number", decimals=1, aggregation="cumulative", target=1200.0)],
        figures("C1", APR19, [50, 250, 300]),
        "2019-06",
    ).loc["C1"]
    assert (row["projected"], row["low"], row["high"], row["places"]) == (1200, 700, 2100, -2)


# --- the year's boundaries --------------------------------------------------------------------


def year_to_date_across_a_year_end() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Last year's totals ran to 1,000; this year's restart from zero: 12, 24, 36 for April to June."""
    last_year = figures("C1", APR19 - 12, [1000 * (m + 1) / 12 for m in range(12)])
    return [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=144.0)], (
        last_year + figures("C1", APR19, [12, 24, 36])
    )


def test_a_new_year_uses_only_its_own_months() -> None:
    """June 2019: 12 a month for three months against 12 a month of profile (144 / 12): 144 exactly."""
    ind, vals = year_to_date_across_a_year_end()
    row = forecast(ind, vals, "2019-06").loc["C1"]
    assert (row["projected"], row["low"], row["high"]) == (144, 144, 144)
    assert row["likelihood"] == "likely"


def test_april_has_too_few_figures_and_march_has_the_outturn() -> None:
    ind, vals = year_to_date_across_a_year_end()
    april = forecast(ind, vals, "2019-04").loc["C1"]
    assert math.isnan(april["projected"]) and april["likelihood"] is None
    assert april["reason"] == "Too few figures to project from: it needs at least 3 this year, and has 1 figure."
    march = forecast(ind, vals, "2019-03").loc["C1"]
    assert march["reason"] == REASONS["year_end"] and math.isnan(march["projected"])
    assert march["year_end"] == parse_period("2019-03")


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 12), st.integers(2, 10), st.integers(1, 500), st.integers(2015, 2025))
def test_any_financial_year_start(start_month: int, months_in: int, per_month: int, year: int) -> None:
    """A steady ``per_month`` from the year's first month: the year ends at 12 x ``per_month``,
    whatever month the year starts in, and last year's figures (ten times larger) play no part."""
    first = year * 12 + start_month - 1
    assert financial_year_start(first, start_month) == first
    ind = [measure("C1", unit="number", decimals=0, aggregation="cumulative", target=12.0 * per_month)]
    vals = figures("C1", first - 12, [10 * per_month * (m + 1) for m in range(12)])
    vals += figures("C1", first, [per_month * (m + 1) for m in range(12)])
    row = forecast(ind, vals, first + months_in, fy_start_month=start_month).loc["C1"]
    assert row["year_end"] == first + 11
    assert (row["projected"], row["low"], row["high"]) == (12 * per_month,) * 3
    assert row["likelihood"] == "likely"
    assert row["method"].endswith("the remaining month." if months_in == 10 else f"remaining {11 - months_in} months.")
    assert forecast(ind, vals, first + 11, fy_start_month=start_month).loc["C1", "reason"] == REASONS["year_end"]


# --- snapshot measures --------------------------------------------------------------------------

#: Six monthly figures, April to September 2019, for the worked trend example below.
TREND = [50, 52, 51, 53, 55, 54]


def test_a_snapshot_measure_continues_its_trend() -> None:
    """Least squares through 50, 52, 51, 53, 55, 54 (April to September 2019), to March 2020.

    x in months from September: -5..0, mean -2.5; y mean 315/6 = 52.5.
    Sxx = 2 x (6.25 + 2.25 + 0.25) = 17.5; Sxy = 6.25 + 0.75 + 0.75 + 0.25 + 3.75 + 3.75 = 15.5;
    slope 15.5/17.5 = 0.885714 a month. March 2020 is x = 6: 52.5 + 0.885714 x 8.5 = 60.0286.
    Residual sum of squares Syy - Sxy^2/Sxx = 17.5 - 13.728571 = 3.771429; s = sqrt(3.771429/4) =
    0.971008. Prediction error s x sqrt(1 + 1/6 + 8.5^2/17.5) = 0.971008 x 2.301138 = 2.234423;
    t(4 df, 90%) = 1.5332, so +/- 3.425817: 56.6028 to 63.4544. Width 6.85: one decimal place,
    outward: 56.6 to 63.5, projected 60.0. Target 60 is inside: uncertain.
    """
    row = forecast([measure("S1")], figures("S1", APR19, TREND), "2019-09").loc["S1"]
    assert (row["projected"], row["low"], row["high"], row["places"]) == (60.0, 56.6, 63.5, 1)
    assert row["likelihood"] == "uncertain"
    assert row["method"].startswith(
        "Projected by continuing the straight-line trend of the last 6 monthly figures (April 2019 to September 2019)"
    )


def test_polarity_lower_reads_the_range_the_other_way() -> None:
    """The same range, 56.6 to 63.5, when lower is better: all above 55 misses it, all below 65 meets it."""
    rows = forecast(
        [measure("L55", polarity="lower", target=55.0), measure("L65", polarity="lower", target=65.0)],
        figures("L55", APR19, TREND) + figures("L65", APR19, TREND),
        "2019-09",
    )
    assert rows.loc["L55", "likelihood"] == "unlikely" and rows.loc["L65", "likelihood"] == "likely"
    assert rows.loc["L55", "low"] == 56.6 and rows.loc["L65", "high"] == 63.5


def test_with_too_few_for_a_trend_the_latest_figure_is_held() -> None:
    """Four figures (80, 84, 82, 83), fewer than the six a trend needs: held at 83, range 80 to 84.

    On the edges exactly on target meets it: higher-is-better target 80 (the low end) is likely,
    lower-is-better target 84 (the high end) is likely, target 85 above it all is unlikely.
    """
    ids: dict[str, dict[str, object]] = {
        "H80": dict(target=80.0),
        "L84": dict(target=84.0, polarity="lower"),
        "H85": dict(target=85.0),
    }
    rows = forecast(
        [measure(i, **kw) for i, kw in ids.items()],
        [r for i in ids for r in figures(i, APR19, [80, 84, 82, 83])],
        "2019-07",
    )
    assert (rows.loc["H80", "projected"], rows.loc["H80", "low"], rows.loc["H80", "high"]) == (83, 80, 84)
    assert rows["likelihood"].to_dict() == {"H80": "likely", "L84": "likely", "H85": "unlikely"}
    assert rows.loc["H80", "method"].startswith("Held at the latest figure (July 2019)")


def test_exactly_on_target_is_decided_on_the_figures_as_typed() -> None:
    """A year-to-date measure of 0.3 a year (0.025 a month, two places) that keeps exactly to it:
    0.025 x 12 in binary is not 0.3, but the figure is, so it meets the target."""
    row = forecast(
        [measure("C1", unit="number", decimals=2, aggregation="cumulative", target=0.3)],
        figures("C1", APR19, [0.025, 0.05, 0.075]),
        "2019-06",
    ).loc["C1"]
    assert row["low"] == 0.3 and row["high"] == 0.3 and row["likelihood"] == "likely"


def test_a_quarterly_trend_and_figures_after_the_period_are_ignored() -> None:
    """Quarterly 40, 42, 44, 46 (June 2018 to March 2019): a perfect line, 2 a quarter, residuals 0.

    Reported in May 2019: to March 2020 (four quarters on from March 2019): 46 + 4 x 2 = 54, range 54 to
    54, which meets 50. A June 2019 figure of 0 in the history is after the report month and is ignored.
    """
    vals = figures("Q1", parse_period("2018-06"), [40, 42, 44, 46], step=3) + figures("Q1", APR19 + 2, [0])
    ind = [measure("Q1", frequency="quarterly", target=50.0)]
    row = forecast(ind, vals, "2019-05", whole_history=True).loc["Q1"]
    assert (row["projected"], row["low"], row["high"]) == (54, 54, 54)
    assert row["likelihood"] == "likely" and "last 4 quarterly figures" in row["method"]


# --- what is not forecast ---------------------------------------------------------------------


def test_what_is_not_forecast_says_why() -> None:
    inds = [
        measure("M1", kind="milestone", unit=None, polarity=None, target=np.nan, decimals=0),
        measure("Y1", frequency="annual"),
        measure("N1", polarity="none"),
        measure("T1", target=np.nan),
        measure("F1"),
    ]
    vals = [r for i in ("Y1", "N1", "T1") for r in figures(i, APR19, TREND)] + figures("F1", APR19 + 4, [50, 51])
    rows = forecast(inds, vals, "2019-09")
    assert list(rows.columns) == COLUMNS
    assert rows.loc["M1", "reason"] == REASONS["milestone"]
    assert rows.loc["Y1", "reason"] == REASONS["annual"]
    assert rows.loc["N1", "reason"] == REASONS["not_rated"]
    assert rows.loc["T1", "reason"] == REASONS["no_target"]
    assert rows.loc["F1", "reason"] == (
        "Too few figures to project from: it needs at least 3 in the last 24 months, and has 2 figures."
    )
    assert rows["projected"].isna().all() and rows["likelihood"].isna().all() and rows["method"].isna().all()


def test_a_figure_too_old_to_be_current_is_not_projected() -> None:
    """Monthly figures to September 2018, reported in January 2019: four months old, beyond the two the
    scorecard allows a monthly figure, so the scorecard says insufficient information and so does this."""
    row = forecast([measure("S1")], figures("S1", APR19 - 12, TREND), "2019-01").loc["S1"]
    assert row["reason"] == (
        "The latest figure (September 2018) is too old to project from: the scorecard shows insufficient information."
    )
    assert math.isnan(row["projected"])
    assert forecast([measure("S1")], figures("S1", APR19 - 12, TREND), "2018-11").loc["S1", "reason"] is None


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=examples(150), deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 2000)), min_size=3, max_size=24),
    st.sampled_from(["snapshot", "cumulative"]),
    st.sampled_from(["higher", "lower"]),
    st.integers(0, 3000),
    st.integers(-1, 2),
)
def test_the_projection_lies_in_its_range_and_the_likelihood_reads_it(
    raw: list[int | None], aggregation: str, polarity: str, target: int, decimals: int
) -> None:
    """Whatever the figures: low <= projected <= high, and the likelihood says where the target lies."""
    start = APR19 - len(raw) + 1 if aggregation == "snapshot" else APR19
    period = start + len(raw) - 1 if aggregation == "snapshot" else APR19 + min(len(raw), 11) - 1
    vals = raw if aggregation == "snapshot" else sorted(v or 0 for v in raw)[:11]
    ind = measure("X", unit="percent", decimals=decimals, polarity=polarity, aggregation=aggregation, target=target)
    row = forecast([ind], figures("X", start, vals), period).loc["X"]
    if math.isnan(row["projected"]):
        assert row["reason"] and row["likelihood"] is None
        return
    assert row["low"] <= row["projected"] <= row["high"] and row["low"] >= 0
    assert row["places"] <= decimals
    better = (lambda v: v >= target) if polarity == "higher" else (lambda v: v <= target)
    expected = {(True, True): "likely", (False, False): "unlikely"}.get(
        (better(row["low"]), better(row["high"])), "uncertain"
    )
    assert row["likelihood"] == expected
    assert row["likelihood"] in LIKELIHOOD_TEXT


def test_the_example_councils_apprenticeships_follow_their_profile() -> None:
    """HR-01 (year to date, profiled in targets.csv) in July 2019: the profile's method is named."""
    d = load_dataset(EXAMPLE)
    history = observations(d.indicators, d.values, d.targets, d.commentary, d.organisation.status_scheme)
    period = parse_period("2019-07")
    rows = year_end_forecasts(history[history["period"] <= period], d.indicators, period, 4, d.targets)
    hr = rows.loc["HR-01"]
    assert hr["target"] == 400 and hr["low"] <= hr["projected"] <= hr["high"]
    assert "target profile" in hr["method"]
    assert set(rows["likelihood"].dropna()) <= set(LIKELIHOOD_TEXT)
    assert (rows["reason"].isna() == rows["projected"].notna()).all()


@pytest.mark.parametrize("period", ["2019-04", "2019-12"])
def test_every_indicator_gets_a_row(period: str) -> None:
    inds = [measure("S1"), measure("C1", aggregation="cumulative", unit="number", decimals=0, target=120.0)]
    rows = forecast(inds, figures("S1", APR19 - 12, list(range(24))) + figures("C1", APR19, [10] * 12), period)
    assert list(rows.index) == ["S1", "C1"] and rows.index.name == "id"


def test_a_percentage_is_never_forecast_above_100_unless_its_maximum_allows() -> None:
    """12 monthly figures rising 2 points a month from 80 (Aug 2018 to Jul 2019): the line reaches
    80 + 2 x 19 = 118 by March 2020, which no share can be. Capped at 100 by the unit, and at the
    indicator's own maximum when it has one (a spend-against-budget percentage may pass 100)."""
    rising = figures("A1", parse_period("2018-08"), [80 + 2 * i for i in range(12)])
    share = forecast([measure("A1", target=90.0)], rising, "2019-07").loc["A1"]
    assert share["high"] == 100 and share["projected"] == 100 and share["low"] <= 100
    budget = forecast([measure("A1", target=90.0, maximum=150.0)], rising, "2019-07").loc["A1"]
    assert budget["projected"] == pytest.approx(118, abs=0.05) and budget["high"] >= 118  # a perfect line: no spread
    counted = forecast([measure("A1", unit="number", target=90.0)], rising, "2019-07").loc["A1"]
    assert counted["projected"] == pytest.approx(118, abs=0.05)  # only a percentage has the unit's ceiling
