"""SPC (XmR, Making Data Count): limits, screening, baseline, rebasing, each rule at its edges,
assurance, too few points and gaps; worked examples by hand and from NHSRplotthedots' documentation;
and, under hypothesis, agreement with a line-by-line port of NHSRplotthedots in exact arithmetic."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.measures.spc import (
    ASSURANCE_TEXT,
    VARIATION_ICON,
    VARIATION_TEXT,
    icon_texts,
    xmr,
    xmr_all,
)


def months(n: int, start: int = 2020 * 12) -> list[str]:
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, start + n)]


def series(values, start: int = 2020 * 12) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=months(len(values), start))


def rules(result) -> list[str]:
    return list(result.points["special_cause"])


ALTERNATING = [12.0, 10.0] * 4  # mean 11, moving ranges of 2


# --- worked examples -------------------------------------------------------------------------------


def test_worked_example_1_by_hand_screening_and_a_point_outside() -> None:
    # 15 months: 20 22 21 23 22 24 23 21 22 20 21 23 22 30 22
    # sum = 336, mean = 336 / 15 = 22.4
    # moving ranges: 2 1 2 1 2 1 2 1 2 1 2 1 8 8 (14 of them), sum 34, mean 34 / 14 = 2.4286
    # screening: 3.267 x 2.4286 = 7.934; the two 8s are at or above it and are left out
    # MR-bar = 18 / 12 = 1.5; limits 22.4 -/+ 2.66 x 1.5 = 18.41 and 26.39
    # two-thirds lines 22.4 -/+ (2 x 2.66 / 3) x 1.5 = 19.74 and 25.06
    # 30 is above 26.39: special cause, an improvement when higher is better. No run (longest 4
    # on one side), no trend, nothing in the two-thirds zone. Target 25 is inside: hit and miss.
    values = [20, 22, 21, 23, 22, 24, 23, 21, 22, 20, 21, 23, 22, 30, 22]
    r = xmr(series(values), polarity="higher", target=25)
    phase = r.phases.iloc[0]
    assert phase["mean"] == pytest.approx(22.4)
    assert phase["mr_bar"] == pytest.approx(1.5)
    assert (phase["lower"], phase["upper"]) == pytest.approx((18.41, 26.39))
    assert r.points["near_lower"].iloc[0] == pytest.approx(19.74)
    assert r.points["near_upper"].iloc[0] == pytest.approx(25.06)
    assert list(r.points["screened"]) == [False] * 13 + [True, True]
    assert rules(r) == [""] * 13 + ["outside_limits", ""]
    assert r.points["variation"].iloc[13] == "improvement" and r.points["side"].iloc[13] == "high"
    assert (r.status, r.variation, r.assurance) == ("ok", "common_cause", "hit_and_miss")
    # unscreened: MR-bar 2.4286, limits 22.4 -/+ 6.46 = 15.94 and 28.86; 30 still outside
    wide = xmr(series(values), polarity="lower", screen_outliers=False)
    assert (wide.phases["lower"].iloc[0], wide.phases["upper"].iloc[0]) == pytest.approx(
        (22.4 - 2.66 * 34 / 14, 22.4 + 2.66 * 34 / 14)
    )
    assert wide.points["variation"].iloc[13] == "concern"  # lower is better: a high point is a concern


def test_worked_example_2_by_hand_runs_on_both_sides_lower_is_better() -> None:
    # 16 months: 30 34 31 33 32 35 31 34 32 | 29 30 28 29 30 28 29
    # sum = 292 + 203 = 495, mean = 495 / 16 = 30.9375
    # moving ranges: 4 3 2 1 3 4 3 2 3 1 2 1 1 2 1, sum 33, MR-bar = 33 / 15 = 2.2 (none >= 7.19)
    # limits 30.9375 -/+ 2.66 x 2.2 = 25.0855 and 36.7895; two-thirds 27.0362 and 34.8388
    # points 2-9 (34 ... 32) are 8 in a row above the mean: a run, a concern when lower is better;
    # points 10-16 are 7 in a row below it: a run, an improvement. 35 is in the two-thirds zone,
    # but alone (1 of 3), so it is marked by its run. Target 30: hit and miss; 25 (below the lower
    # limit, lower is better): the process will consistently fail it.
    values = [30, 34, 31, 33, 32, 35, 31, 34, 32, 29, 30, 28, 29, 30, 28, 29]
    r = xmr(series(values), polarity="lower", target=30)
    phase = r.phases.iloc[0]
    assert (phase["mean"], phase["mr_bar"]) == pytest.approx((30.9375, 2.2))
    assert (phase["lower"], phase["upper"]) == pytest.approx((25.0855, 36.7895))
    assert rules(r) == [""] + ["run"] * 15
    assert list(r.points["variation"]) == ["common_cause"] + ["concern"] * 8 + ["improvement"] * 7
    assert not r.points["two_of_three"].any()
    assert (r.variation, r.side, r.assurance) == ("improvement", "low", "hit_and_miss")
    assert xmr(series(values), polarity="lower", target=25).assurance == "consistently_failing"


def test_published_example_nhsrplotthedots_deviations_vignette() -> None:
    # NHSRplotthedots, vignette "Deviations from Excel defaults": 18 daily points
    # 1 2 1 2 10 1 2 1 2 1 2 1 2 1 2 1 2 1. Published captions: screened (the package default)
    # UPL 4.6, mean 1.94, LPL -0.72; unscreened (the Making Data Count Excel tool) UPL 6.95,
    # mean 1.94, LPL -3.06; the 10 is the one special cause (an improvement), the rest common cause.
    # By hand: mean 35/18 = 1.944; MRs 1 1 1 8 9 and twelve 1s, MR-bar 32/17 = 1.882; screening at
    # 3.267 x 1.882 = 6.15 drops 8 and 9, MR-bar 15/15 = 1: 1.944 -/+ 2.66.
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = xmr(series(values), polarity="higher")
    p = screened.phases.iloc[0]
    assert (round(p["upper"], 2), round(p["mean"], 2), round(p["lower"], 2)) == (4.6, 1.94, -0.72)
    assert list(screened.points["variation"]) == ["common_cause"] * 4 + ["improvement"] + ["common_cause"] * 13
    excel = xmr(series(values), polarity="higher", screen_outliers=False).phases.iloc[0]
    assert (round(excel["upper"], 2), round(excel["mean"], 2), round(excel["lower"], 2)) == (6.95, 1.94, -3.06)


# --- limits: screening and baseline ---------------------------------------------------------------


def test_a_moving_range_exactly_3_267_times_the_mean_is_screened_and_just_below_is_kept() -> None:
    # moving ranges 3.267 1.733 0 0 0: mean 1, so 3.267 is exactly on the screen (the reference keeps
    # only those strictly below): MR-bar becomes 1.733 / 4. With 3.266 and 1.734 it is kept: MR-bar 1.
    on = xmr(series([10, 13.267, 11.534, 11.534, 11.534, 11.534]), polarity="higher", min_points=6)
    assert list(on.points["screened"]) == [False, True, False, False, False, False]
    assert on.phases["mr_bar"].iloc[0] == pytest.approx(1.733 / 4)
    below = xmr(series([10, 13.266, 11.532, 11.532, 11.532, 11.532]), polarity="higher", min_points=6)
    assert not below.points["screened"].any()
    assert below.phases["mr_bar"].iloc[0] == pytest.approx(1.0)


def test_a_flat_series_has_its_limits_on_the_mean_and_no_special_cause() -> None:
    r = xmr(series([5] * 20), polarity="higher", target=5)
    assert (r.phases["lower"].iloc[0], r.phases["mean"].iloc[0], r.phases["upper"].iloc[0]) == (5, 5, 5)
    assert set(r.points["variation"]) == {"common_cause"}
    assert r.assurance == "hit_and_miss"


def baseline_series(later) -> pd.Series:
    """12 baseline months alternating 12, 10: mean 11, MR-bar 2, limits 5.68 and 16.32."""
    return series([12, 10] * 6 + list(later))


def test_baseline_fixes_mean_and_limits_on_the_first_n_points() -> None:
    r = xmr(baseline_series([40, 11, 11, 12]), polarity="higher", baseline=12)
    p = r.phases.iloc[0]
    assert (p["mean"], p["mr_bar"], p["lower"], p["upper"]) == pytest.approx((11, 2, 5.68, 16.32))
    assert p["baseline_points"] == 12
    assert list(r.points["in_baseline"]) == [True] * 12 + [False] * 4
    assert r.points["moving_range"].iloc[12] == 30  # shown, but not in MR-bar
    assert rules(r)[12] == "outside_limits"
    free = xmr(baseline_series([40, 11, 11, 12]), polarity="higher")
    assert free.phases["mean"].iloc[0] > 11  # without a baseline the 40 moves the mean


@pytest.mark.parametrize("bad", [11, 0, 12.5])
def test_a_baseline_under_12_points_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="at least 12"):
        xmr(series([1, 2] * 10), polarity="higher", baseline=bad)


def test_a_point_exactly_on_a_limit_is_inside_and_just_beyond_is_outside() -> None:
    r = xmr(baseline_series([16.32, 16.33, 5.68, 5.67, 11]), polarity="higher", baseline=12)
    assert rules(r)[12:] == ["", "outside_limits", "", "outside_limits", ""]
    assert list(r.points["variation"])[12:] == [
        "common_cause",
        "improvement",
        "common_cause",
        "concern",
        "common_cause",
    ]


# --- the rules at their edges ---------------------------------------------------------------------


def run_series(k: int, breaker: list[float] | None = None) -> pd.Series:
    # mean exactly 11: alternating pairs, then k points at 12 and k at 10 (or a broken run)
    middle = [12.0] * k + [10.0] * k if breaker is None else breaker
    return series([12, 10] * 4 + middle + [12, 10] * 4)


def test_a_run_of_6_on_one_side_is_not_a_run_and_7_is() -> None:
    six = xmr(run_series(6), polarity="higher")
    assert set(rules(six)) == {""}
    seven = xmr(run_series(7), polarity="higher")
    assert rules(seven) == [""] * 8 + ["run"] * 14 + [""] * 8
    assert list(seven.points["variation"])[8:22] == ["improvement"] * 7 + ["concern"] * 7


def test_a_point_on_the_mean_breaks_a_run() -> None:
    # 12 12 12 11 12 12 12 12 then seven 10s: the 11 sits on the mean (341 / 31 = 11), so no run of 12s
    r = xmr(run_series(0, [12, 12, 12, 11, 12, 12, 12, 12] + [10] * 7), polarity="higher")
    assert r.phases["mean"].iloc[0] == 11
    assert rules(r)[8:16] == [""] * 8
    assert rules(r)[16:23] == ["run"] * 7


def trend_series(trend: list[float]) -> pd.Series:
    # mean about 11; the alternation before ends on 12 and the one after starts on 10, so the trend's
    # points below the mean (at most 5) make no run
    return series([10, 12] * 4 + trend + [10, 12] * 4)


def test_a_trend_of_6_is_not_a_trend_and_7_is() -> None:
    rising = [10.0, 10.3, 10.6, 10.9, 11.2, 11.5, 11.8]
    six = xmr(trend_series(rising[:6]), polarity="higher")
    assert set(rules(six)) == {""}
    seven = xmr(trend_series(rising), polarity="lower")
    assert rules(seven) == [""] * 8 + ["trend"] * 7 + [""] * 8
    assert set(seven.points["variation"].iloc[8:15]) == {"concern"}  # rising, lower is better
    falling = xmr(trend_series(rising[::-1]), polarity="lower")  # 12 before it makes 8 falling points
    assert rules(falling) == [""] * 7 + ["trend"] * 8 + [""] * 8
    assert set(falling.points["variation"].iloc[7:15]) == {"improvement"}


def test_a_tie_breaks_a_trend() -> None:
    r = xmr(trend_series([10.0, 10.3, 10.6, 10.6, 10.9, 11.2, 11.5]), polarity="higher")
    assert set(rules(r)) == {""}


def zone_series(middle: list[float]) -> pd.Series:
    # 12 baseline months: mean 11, MR-bar 2, two-thirds lines 7.4533 and 14.5467, limits 5.68, 16.32
    return baseline_series(middle)


def test_two_of_three_close_to_a_limit_on_the_same_side() -> None:
    r = xmr(zone_series([15, 12, 15, 11, 11]), polarity="higher", baseline=12)
    assert rules(r)[12:] == ["two_of_three", "", "two_of_three", "", ""]  # the point between is not marked
    assert r.points["side"].iloc[12] == "high"


def test_one_of_three_in_the_zone_is_not_a_special_cause() -> None:
    r = xmr(zone_series([15, 12, 13, 12, 11]), polarity="higher", baseline=12)
    assert set(rules(r)) == {""}


def test_two_of_three_needs_all_three_points_on_the_same_side_of_the_mean() -> None:
    r = xmr(zone_series([15, 10, 15, 11, 11]), polarity="higher", baseline=12)
    assert set(rules(r)) == {""}
    opposite = xmr(zone_series([15, 7, 11, 11, 11]), polarity="higher", baseline=12)
    assert set(rules(opposite)) == {""}


def test_the_zone_edge_and_a_point_outside_do_not_count_as_close() -> None:
    edge = xmr(zone_series([14.54, 12, 14.54, 11, 11]), polarity="higher", baseline=12)
    assert set(rules(edge)) == {""}
    outside = xmr(zone_series([15, 12, 17, 11, 11]), polarity="higher", baseline=12)
    assert rules(outside)[12:] == ["", "", "outside_limits", "", ""]


def test_the_first_rule_that_applies_wins_and_every_rule_is_still_flagged() -> None:
    # limits 5.68 and 16.32 on the baseline; six 12s above the mean then 20: seven in a run, the
    # last also outside the limits, which decides it
    r = xmr(baseline_series([12] * 6 + [20]), polarity="higher", baseline=12)
    assert rules(r)[12:] == ["run"] * 6 + ["outside_limits"]
    last = r.points.iloc[-1]
    assert last["run"] and last["outside_limits"]


def test_polarity_none_is_neutral_high_or_low() -> None:
    r = xmr(run_series(7), polarity="none", target=11)
    assert set(r.points["variation"].iloc[8:15]) == {"neutral"}
    assert list(r.points["side"].iloc[[8, 15]]) == ["high", "low"]
    assert r.assurance is None


# --- assurance, too few points, gaps, rebasing ----------------------------------------------------


@pytest.mark.parametrize(
    "target, polarity, expected",
    [
        (16.32, "higher", "hit_and_miss"),  # on the upper limit
        (16.33, "higher", "consistently_failing"),
        (16.33, "lower", "consistently_passing"),
        (5.68, "higher", "hit_and_miss"),  # on the lower limit
        (5.67, "higher", "consistently_passing"),
        (5.67, "lower", "consistently_failing"),
        (11, "higher", "hit_and_miss"),
        (None, "higher", None),
        (11, "none", None),
    ],
)
def test_assurance_at_the_limits(target, polarity, expected) -> None:
    assert xmr(baseline_series([11, 11, 11]), polarity=polarity, target=target, baseline=12).assurance == expected


def test_too_few_points_is_said_plainly_with_no_limits() -> None:
    r = xmr(series([10, 30] * 7), polarity="higher", target=5)
    assert r.status == "too_few_points" and not r.reliable
    assert r.note == "too few points for SPC: 14 points, 15 needed"
    assert (r.variation, r.assurance) == (None, None)
    assert r.points[["mean", "lower", "upper"]].isna().all().all()
    assert r.points["variation"].isna().all() and not r.points["outside_limits"].any()
    assert icon_texts(r.variation) == ("too few points for SPC", None)
    assert xmr(series([10, 30] * 7 + [10]), polarity="higher").status == "ok"
    assert xmr(series([10, 30] * 5), polarity="higher", min_points=10).status == "ok"


def test_rebasing_gives_each_phase_its_own_mean_and_limits() -> None:
    values = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9] + [20, 21, 19] * 5
    single = xmr(series(values), polarity="higher")
    assert set(rules(single)) != {""}  # one mean and one set of limits for both levels
    r = xmr(series(values), polarity="higher", rebase_at=["2021-04"])
    assert list(r.phases["start"]) == ["2020-01", "2021-04"]
    assert list(r.phases["mean"]) == pytest.approx([10, 20])
    # each phase: moving ranges 1 2 1 repeating, 14 of them: five 2s and nine 1s, MR-bar 19 / 14
    assert list(r.phases["mr_bar"]) == pytest.approx([19 / 14, 19 / 14])
    assert set(rules(r)) == {""}
    assert np.isnan(r.points["moving_range"].iloc[15])  # no moving range across the rebase
    assert len(xmr(series(values), polarity="higher", rebase_at=["2019-06", "2020-01"]).phases) == 1
    # a rebase at a month with no value starts the phase at the next observed month
    gap = series(values).drop("2021-04")
    assert list(xmr(gap, polarity="higher", rebase_at=["2021-04"]).phases["start"]) == ["2020-01", "2021-05"]


def test_a_short_latest_phase_is_too_few_points_since_the_rebase() -> None:
    values = [10, 11, 9] * 6 + [20, 21, 19] * 2
    r = xmr(series(values), polarity="higher", target=15, rebase_at=["2021-07"])
    assert list(r.phases["status"]) == ["ok", "too_few_points"]
    assert r.note == "too few points for SPC: 6 points since the rebase in July 2021, 15 needed"
    assert (r.variation, r.assurance) == (None, None)
    assert r.points["variation"].iloc[:18].notna().all()


def test_missing_months_are_dropped_and_the_neighbours_compared() -> None:
    values = [12, 10] * 8 + [12, 12, 12]
    with_gap = series(values)
    with_gap.iloc[[3, 10]] = np.nan
    r = xmr(with_gap, polarity="higher")
    assert r.missing == 2 and len(r.points) == len(values) - 2
    assert r.points["moving_range"].iloc[3] == abs(values[4] - values[2])
    without = xmr(pd.Series(with_gap.dropna().to_numpy(), index=months(len(values) - 2)), polarity="higher")
    pd.testing.assert_frame_equal(r.points.drop(columns="period"), without.points.drop(columns="period"))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        xmr(pd.Series([1.0] * 15, index=[f"2020-{m}" for m in range(1, 16)]), polarity="higher")
    with pytest.raises(ValueError, match="twice"):
        xmr(pd.Series([1.0, 2.0], index=["2020-01", "2020-01"]), polarity="higher")
    with pytest.raises(ValueError, match="polarity"):
        xmr(series([1] * 15), polarity="up")


def test_many_indicators_at_once_match_each_alone() -> None:
    a = [20, 22, 21, 23, 22, 24, 23, 21, 22, 20, 21, 23, 22, 30, 22]
    b = [30, 34, 31, 33, 32, 35, 31, 34, 32, 29, 30, 28, 29, 30, 28, 29]
    long = pd.concat(
        [
            pd.DataFrame({"indicator": "B", "period": months(len(b)), "value": b}),
            pd.DataFrame({"indicator": "A", "period": months(len(a), 2019 * 12), "value": a}),
            pd.DataFrame({"indicator": "C", "period": months(5), "value": [1.0] * 5}),
        ]
    ).sample(frac=1, random_state=1)
    indicators = pd.DataFrame(
        {"polarity": ["higher", "lower", "none", "higher"], "target": [25, 25, np.nan, 1]}, index=["A", "B", "C", "D"]
    )
    table = xmr_all(long, indicators)
    s = table.summary
    assert list(s["status"]) == ["ok", "ok", "too_few_points", "too_few_points"]
    assert list(s["points"]) == [15, 16, 5, 0]
    assert list(s["assurance"])[:2] == ["hit_and_miss", "consistently_failing"]
    alone = xmr(pd.Series(a, index=months(15, 2019 * 12), dtype=float), polarity="higher", target=25)
    pd.testing.assert_frame_equal(
        table.points[table.points["indicator"] == "A"].drop(columns="indicator").reset_index(drop=True), alone.points
    )
    assert s.loc["B", "improvement_points"] == 7 and s.loc["B", "concern_points"] == 8


def test_icon_texts() -> None:
    assert icon_texts("improvement", "high", "consistently_passing") == (
        "Special cause improving variation - higher",
        "Variation indicates consistently passing the target",
    )
    assert icon_texts("common_cause", "", None) == ("Common cause variation", None)
    assert set(VARIATION_TEXT) == set(VARIATION_ICON)
    assert len(ASSURANCE_TEXT) == 3


# --- a port of NHSRplotthedots, in exact arithmetic, as the reference (hypothesis) ------------------


def reference(y: list[int], fix: int | None, direction: int) -> tuple[list[str], list[str], Fraction, Fraction]:
    """ptd_spc_standard + ptd_special_cause_type + ptd_point_type for one group, line by line, in
    Fractions (so "on a limit" is exact). Returns the special cause types, point types, mean, MR-bar."""
    n = len(y)
    limit = Fraction(266, 100)
    close_k = 2 * limit / 3
    fix_y = [v if fix is None or i < fix else None for i, v in enumerate(y)]
    fixed = [v for v in fix_y if v is not None]
    mean = Fraction(sum(fixed), len(fixed))
    mr = [None] + [
        abs(fix_y[i] - fix_y[i - 1]) if fix_y[i] is not None and fix_y[i - 1] is not None else None for i in range(1, n)
    ]
    valid = [m for m in mr if m is not None]
    amr = Fraction(sum(valid), len(valid))
    kept = [m for m in valid if m < Fraction(3267, 1000) * amr]
    amr = Fraction(sum(kept), len(kept)) if kept else Fraction(0)
    if not kept:  # goldenthread: a flat series keeps its zero moving ranges (R gives NaN limits)
        amr = Fraction(0)
    lpl, upl = mean - limit * amr, mean + limit * amr
    nlpl, nupl = mean - close_k * amr, mean + close_k * amr
    outside = [v > upl or v < lpl for v in y]
    rtm = [(v > mean) - (v < mean) for v in y]
    close = [not o and (v < nlpl or v > nupl) for v, o in zip(y, outside)]

    def seven_one_side(v):
        vp = [0] * 6 + v
        return [int(all(vp[i] == vp[i - k] for k in range(1, 7)) and vp[i] != 0) for i in range(6, n + 6)]

    def part_of_seven(v):
        vp = v + [0] * 6
        return [int(any(abs(vp[i + k]) == 1 for k in range(7))) for i in range(n)]

    def seven_trend(v):
        out = [0] * n
        for i in range(6, n):
            d = [(v[i - k] > v[i - k - 1]) - (v[i - k] < v[i - k - 1]) for k in range(6)]
            out[i] = 1 if all(x == 1 for x in d) else -1 if all(x == -1 for x in d) else 0
        return out

    def two_in_three(v, r):
        vp, rp = [0, 0] + v + [0, 0], [0, 0] + r + [0, 0]
        return [
            int(any(sum(vp[i + a : i + a + 3]) >= 2 and abs(sum(rp[i + a : i + a + 3])) == 3 for a in range(3)))
            for i in range(n)
        ]

    trend = part_of_seven(seven_trend(y))
    two = [int(t == 1 and c) for t, c in zip(two_in_three([int(c) for c in close], rtm), close)]
    run = part_of_seven(seven_one_side(rtm))
    sdy = [(y[i + 1] > y[i]) - (y[i + 1] < y[i]) for i in range(n - 1)]
    right = sdy + sdy[-1:]
    left = [0] + sdy
    # R: sd = right[i] if trend[i] and trend[i + 1] else left[i]. goldenthread deviates in one case:
    # when a trend ends at i and another starts at i + 1 (the step between them in neither), R takes
    # the step between for point i; goldenthread takes the step of the trend point i belongs to.
    step_in_trend = [False] + [trend[i - 1] and trend[i] and left[i] != 0 and _one_trend(y, i) for i in range(1, n)]
    sd = [right[i] if i + 1 < n and step_in_trend[i + 1] else left[i] for i in range(n)]
    types, points = [], []
    for i in range(n):
        if outside[i]:
            t, s = "outside_limits", 1 if rtm[i] == 1 else -1
        elif trend[i]:
            t, s = "trend", 1 if sd[i] == 1 else -1
        elif two[i]:
            t, s = "two_of_three", 1 if rtm[i] > 0 else -1
        elif run[i]:
            t, s = "run", 1 if rtm[i] > 0 else -1
        else:
            t, s = "", 0
        types.append(t)
        v = s * direction
        points.append(
            "common_cause" if s == 0 else ("neutral" if direction == 0 else "improvement" if v > 0 else "concern")
        )
    return types, points, mean, amr


def _one_trend(y: list[int], i: int) -> bool:
    """Whether the step into point i is one of 6 like steps in a row (a trend's step)."""
    sign = (y[i] > y[i - 1]) - (y[i] < y[i - 1])
    lo = hi = i
    while lo - 1 >= 1 and (y[lo - 1] > y[lo - 2]) - (y[lo - 1] < y[lo - 2]) == sign:
        lo -= 1
    while hi + 1 < len(y) and (y[hi + 1] > y[hi]) - (y[hi + 1] < y[hi]) == sign:
        hi += 1
    return hi - lo + 1 >= 6


@st.composite
def spc_series(draw: st.DrawFn) -> list[int]:
    """Small whole numbers (many ties, points on the mean and on the lines), with stretches that
    make runs and trends."""
    parts: list[int] = []
    while len(parts) < draw(st.integers(15, 40)):
        kind = draw(st.sampled_from(["noise", "ramp", "shift"]))
        k = draw(st.integers(3, 9))
        if kind == "noise":
            parts += draw(st.lists(st.integers(0, 12), min_size=k, max_size=k))
        elif kind == "ramp":
            start, step = draw(st.integers(0, 12)), draw(st.sampled_from([-2, -1, 1, 2]))
            parts += [start + step * i for i in range(k)]
        else:
            level = draw(st.integers(0, 12))
            parts += [level + d for d in draw(st.lists(st.integers(0, 1), min_size=k, max_size=k))]
    return parts


POLARITY_DIRECTION = {"higher": 1, "lower": -1, "none": 0}


@settings(max_examples=examples(300), deadline=None)
@given(spc_series(), st.sampled_from(["higher", "lower", "none"]), st.one_of(st.none(), st.integers(12, 30)))
def test_agrees_with_nhsrplotthedots_ported_in_exact_arithmetic(values, polarity, fix) -> None:
    types, variations, mean, amr = reference(values, fix, POLARITY_DIRECTION[polarity])
    r = xmr(series(values), polarity=polarity, baseline=fix)
    assert rules(r) == types
    assert list(r.points["variation"]) == variations
    assert r.phases["mean"].iloc[0] == pytest.approx(float(mean), rel=1e-12, abs=1e-12)
    assert r.phases["mr_bar"].iloc[0] == pytest.approx(float(amr), rel=1e-12, abs=1e-12)


@settings(max_examples=examples(150), deadline=None)
@given(spc_series(), st.integers(-10_000, 10_000), st.integers(1, 50))
def test_shifting_and_scaling_move_the_chart_and_keep_its_signals(values, shift, scale) -> None:
    base = xmr(series(values), polarity="higher")
    moved = xmr(series([v * scale + shift for v in values]), polarity="higher")
    for column in ("mean", "lower", "upper"):
        assert moved.points[column].to_numpy() == pytest.approx(base.points[column].to_numpy() * scale + shift)
    assert rules(moved) == rules(base)
    assert list(moved.points["variation"]) == list(base.points["variation"])
    p = base.points
    assert (p["upper"] - p["mean"]).to_numpy() == pytest.approx((p["mean"] - p["lower"]).to_numpy())


@settings(max_examples=examples(150), deadline=None)
@given(spc_series())
def test_reversing_polarity_swaps_improvement_and_concern(values) -> None:
    higher = xmr(series(values), polarity="higher").points
    lower = xmr(series(values), polarity="lower").points
    swap = {"improvement": "concern", "concern": "improvement", "common_cause": "common_cause"}
    assert list(lower["variation"]) == [swap[v] for v in higher["variation"]]
    assert list(lower["side"]) == list(higher["side"])
    # the mirror image read with the opposite polarity says the same, from the other side
    mirror = xmr(series([-v for v in values]), polarity="lower").points
    assert list(mirror["variation"]) == list(higher["variation"])
    flip = {"high": "low", "low": "high", "": ""}
    assert list(mirror["side"]) == [flip[s] for s in higher["side"]]


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(-100_000, 100_000), st.integers(1, 5_000), st.sampled_from(["higher", "lower"]))
def test_a_typed_figure_on_a_limit_is_inside_and_one_unit_beyond_is_outside(low, step, polarity) -> None:
    # baseline alternating low + 2 step, low (in hundredths): mean low + step, MR-bar 2 step, so the
    # limits are exact decimals; the figures on them are typed as a council would type them
    lo, st_ = Decimal(low) / 100, Decimal(step) / 100
    mean, mr_bar = lo + st_, 2 * st_
    upper, lower = mean + Decimal("2.66") * mr_bar, mean - Decimal("2.66") * mr_bar
    unit = Decimal("0.0001")
    later = [upper, upper + unit, lower, lower - unit, mean]
    values = [float(lo + 2 * st_), float(lo)] * 6 + [float(v) for v in later]
    r = xmr(series(values), polarity=polarity, target=float(upper), baseline=12)
    assert rules(r)[12:] == ["", "outside_limits", "", "outside_limits", ""]
    assert r.assurance == "hit_and_miss"
    beyond = xmr(series(values), polarity=polarity, target=float(upper + unit), baseline=12).assurance
    assert beyond == ("consistently_failing" if polarity == "higher" else "consistently_passing")
