"""Benchmarking: rank with ties and gaps, quartiles and their boundaries, MAD, missing figures, movement.

The worked examples are computed by hand in the comments (type 7 quartiles: position (n - 1) x p in the
sorted figures, counting from 0, interpolated between the two figures either side). One example is
checked against Oflog's published figures (MHCLG's own data for its Local Authority Data Explorer).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.measures.benchmarking import (
    MIN_COMPARATORS,
    compare,
    distances,
    mad_distance,
    ordinal,
    quartile_of,
    quartile_phrase,
    quartiles,
    rank_phrase,
    rank_with_ties,
    reason_text,
    same_period_last_year,
)

PERIOD = "2019-07"
LAST = "2018-07"


def figures(values, period=PERIOD, indicator="X", codes=None):
    """A long frame of one indicator's figures for areas A00, A01, ... (NaN: no figure)."""
    codes = codes or [f"A{i:02d}" for i in range(len(values))]
    return pd.DataFrame(
        {
            "area_code": codes,
            "area_name": [f"Area {c}" for c in codes],
            "indicator": indicator,
            "period": period,
            "value": np.asarray(values, dtype=float),
        }
    )


def indicators(polarity="higher", ids=("X",)):
    return pd.DataFrame({"id": list(ids), "polarity": [polarity] * len(ids)})


def one_group(values, us=0, polarity="higher", **kw):
    """compare() for one group of every area, the council being area number ``us``; the single row."""
    figs = figures(values)
    out = compare(figs, {"group": list(figs["area_code"])}, figs["area_code"][us], indicators(polarity), PERIOD, **kw)
    assert len(out) == 1
    return out.iloc[0]


# --- wording ---------------------------------------------------------------------------------------


def test_ordinals_and_rank_phrases() -> None:
    assert [ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 113)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th", "113th"
    ]  # fmt: skip
    assert rank_phrase(3, 16) == "3rd of 16"
    assert rank_phrase(3, 16, tied=True) == "joint 3rd of 16"
    assert rank_phrase(1, 16, judged=False) == "1st highest of 16"
    assert rank_phrase(2, 9, tied=True, judged=False) == "joint 2nd highest of 9"
    assert quartile_phrase(1) == "top quartile" and quartile_phrase(4) == "bottom quartile"
    assert quartile_phrase(1, judged=False) == "highest quarter" and quartile_phrase(4, False) == "lowest quarter"


# --- rank ------------------------------------------------------------------------------------------


def test_rank_with_ties_is_competition_ranking_and_skips_gaps() -> None:
    # 85 is best; the two 80s share 2nd ("joint 2nd"), so the next (78) is 4th; NaN has no figure.
    ranks, tied = rank_with_ties([85, 80, np.nan, 80, 78], "higher")
    np.testing.assert_array_equal(ranks, [1, 2, np.nan, 2, 4])
    np.testing.assert_array_equal(tied, [False, True, False, True, False])


def test_rank_lower_is_better_puts_the_smallest_first() -> None:
    ranks, tied = rank_with_ties([85, 80, np.nan, 80, 78], "lower")
    np.testing.assert_array_equal(ranks, [4, 2, np.nan, 2, 1])
    assert tied.tolist() == [False, True, False, True, False]


def test_rank_polarity_none_is_by_value_largest_first() -> None:
    ranks, _ = rank_with_ties([3.0, 9.0, 5.0], "none")
    np.testing.assert_array_equal(ranks, [3, 1, 2])


def test_rank_ties_are_decided_on_the_typed_figures() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary: the same figure as a typed 0.3, so level.
    ranks, tied = rank_with_ties([0.1 + 0.2, 0.3, 0.4], "higher")
    np.testing.assert_array_equal(ranks, [2, 2, 1])
    assert tied.tolist() == [True, True, False]


def test_rank_of_no_figures_and_a_bad_polarity() -> None:
    ranks, tied = rank_with_ties([np.nan, np.nan])
    assert np.isnan(ranks).all() and not tied.any()
    with pytest.raises(ValueError, match="polarity"):
        rank_with_ties([1.0], "up")


# --- quartiles and their boundaries ----------------------------------------------------------------

# The 15-area worked example. Sorted (index 0 to 14):
#   61.0 64.5 66.0 68.2 70.0 71.5 72.0 73.4 74.0 75.5 77.0 78.1 80.0 82.5 85.0
# median: position 7 -> 73.4
# lower quartile: position 14 x 0.25 = 3.5 -> 68.2 + 0.5 x (70.0 - 68.2) = 69.1
# upper quartile: position 10.5 -> 77.0 + 0.5 x (78.1 - 77.0) = 77.55
# absolute deviations from 73.4, sorted: 0 0.6 1.4 1.9 2.1 3.4 3.6 4.7 5.2 6.6 7.4 8.9 9.1 11.6 12.4
# MAD: the 8th of 15 -> 4.7
FIFTEEN = [73.4, 61.0, 85.0, 70.0, 77.0, 64.5, 80.0, 72.0, 82.5, 66.0, 74.0, 68.2, 78.1, 71.5, 75.5]


def test_quartiles_are_type_7_worked_by_hand() -> None:
    q1, med, q3 = quartiles(FIFTEEN)
    assert (q1, med, q3) == pytest.approx((69.1, 73.4, 77.55), abs=1e-12)
    # Excel's QUARTILE.INC on 1..4: 1.75, 2.5, 3.25 (positions 0.75, 1.5, 2.25)
    assert quartiles([4, 1, 3, 2]) == pytest.approx((1.75, 2.5, 3.25))
    assert quartiles([np.nan, 2.0, 4.0]) == (2.5, 3.0, 3.5)
    assert all(np.isnan(quartiles([np.nan])))


# Nine areas 10, 20, ..., 90: positions 2, 4 and 6 fall on figures, so Q1 = 30, median = 50, Q3 = 70
# exactly, and a council on a cut point shows which side it goes.
def test_a_figure_on_a_cut_point_is_in_the_better_quarter() -> None:
    q1, med, q3 = 30.0, 50.0, 70.0
    at = np.array([70.0, 50.0, 30.0])
    # Higher is better: on Q3 is top (1); on the median is second (2); on Q1 is third (3), not bottom.
    assert quartile_of(at, q1, med, q3, "higher").tolist() == [1, 2, 3]
    # Lower is better: on Q1 is top; on the median second; on Q3 third.
    assert quartile_of(at, q1, med, q3, "lower").tolist() == [3, 2, 1]
    # Just off each cut point, on the other side.
    assert quartile_of(np.array([69.9, 49.9, 29.9]), q1, med, q3, "higher").tolist() == [2, 3, 4]
    assert quartile_of(np.array([70.1, 50.1, 30.1]), q1, med, q3, "lower").tolist() == [4, 3, 2]
    # Polarity none: by value, highest quarter first, on a cut point in the higher quarter.
    assert quartile_of(at, q1, med, q3, "none").tolist() == [1, 2, 3]
    assert quartile_of(np.nan, q1, med, q3, "higher") == 0


def test_a_cut_point_met_through_binary_noise_is_still_met() -> None:
    # Q3 of [1.0, 1.4] is 1.0 + 0.75 x 0.4 = 1.3, which comes out as 1.2999999999999998 in binary;
    # a council with 1.3 is on the upper quartile, so top, not second.
    q1, med, q3 = quartiles([1.0, 1.4])
    assert q3 != 1.3
    assert quartile_of(1.3, q1, med, q3, "higher") == 1
    assert quartile_of(1.3, q1, med, q3, "lower") == 3


def test_compare_on_a_quartile_in_a_group_of_nine() -> None:
    nine = [70, 10, 20, 30, 40, 50, 60, 80, 90]  # the council (first) has 70, exactly the upper quartile
    row = one_group(nine)
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == (30, 50, 70)
    assert row["quartile"] == 1 and row["position"] == "top quartile"
    assert row["rank_text"] == "3rd of 9"  # 80 and 90 are better
    # |x - 50|: 40 30 20 10 0 10 20 30 40 -> sorted 0 10 10 20 20 30 30 40 40 -> MAD 20; (70 - 50) / 20 = 1
    assert row["mad"] == 20 and row["distance"] == 1.0
    lower = one_group(nine, polarity="lower")
    assert lower["quartile"] == 3 and lower["rank_text"] == "7th of 9"  # 10 ... 60 are better


# --- the worked examples through compare() -----------------------------------------------------------


def test_worked_example_fifteen_areas() -> None:
    # The council has 80.0 (index 6): 82.5 and 85.0 are better, so 3rd of 15; 80.0 >= 77.55: top quartile;
    # distance (80.0 - 73.4) / 4.7 = 6.6 / 4.7 = 1.40425...
    row = one_group(FIFTEEN, us=6)
    assert row["n"] == 15 and row["value"] == 80.0
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == pytest.approx((69.1, 73.4, 77.55))
    assert row["mad"] == pytest.approx(4.7)
    assert row["distance"] == pytest.approx(6.6 / 4.7) and row["distance_basis"] == "mad"
    assert row["rank"] == 3 and not row["tied"] and row["rank_text"] == "3rd of 15"
    assert row["quartile"] == 1 and row["judged"]
    assert row["reason"] is None
    # Lower is better: 12 areas have less than 80.0, so 13th of 15; above Q3: bottom quartile.
    lower = one_group(FIFTEEN, us=6, polarity="lower")
    assert lower["rank_text"] == "13th of 15" and lower["quartile"] == 4
    assert lower["distance"] == pytest.approx(6.6 / 4.7)  # distance is signed by value, not by polarity


def test_worked_example_sixteen_areas_with_a_tie() -> None:
    # The fifteen plus another 80.0. Sorted: 61.0 64.5 66.0 68.2 70.0 71.5 72.0 73.4 74.0 75.5 77.0 78.1
    # 80.0 80.0 82.5 85.0. Positions 15 x p: Q1 at 3.75 -> 68.2 + 0.75 x 1.8 = 69.55; median at 7.5 ->
    # (73.4 + 74.0) / 2 = 73.7; Q3 at 11.25 -> 78.1 + 0.25 x 1.9 = 78.575.
    # |x - 73.7| sorted: 0.3 0.3 1.7 1.8 2.2 3.3 3.7 4.4 5.5 6.3 6.3 7.7 8.8 9.2 11.3 12.7 -> MAD (4.4 + 5.5) / 2
    # = 4.95; distance 6.3 / 4.95 = 1.2727...
    row = one_group([*FIFTEEN, 80.0], us=6)
    assert row["rank_text"] == "joint 3rd of 16" and row["rank"] == 3 and row["tied"]
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == pytest.approx((69.55, 73.7, 78.575))
    assert row["mad"] == pytest.approx(4.95) and row["distance"] == pytest.approx(6.3 / 4.95)
    assert row["quartile"] == 1  # 80.0 >= 78.575
    # The area after the two 80s (78.1) is 5th: rank 4 is skipped.
    assert one_group([*FIFTEEN, 80.0], us=12)["rank_text"] == "5th of 16"


def test_gaps_are_areas_without_a_figure_and_are_not_counted() -> None:
    row = one_group([*FIFTEEN, np.nan, np.nan], us=6)
    assert row["n"] == 15 and row["rank_text"] == "3rd of 15" and row["median"] == pytest.approx(73.4)


def test_polarity_none_is_compared_never_judged() -> None:
    row = one_group(FIFTEEN, us=6, polarity="none")
    assert not row["judged"]
    assert row["rank"] == 3 and row["rank_text"] == "3rd highest of 15"
    assert pd.isna(row["quartile"]) and row["position"] == "highest quarter"
    assert one_group(FIFTEEN, us=1, polarity="none")["position"] == "lowest quarter"  # 61.0


# --- MAD -------------------------------------------------------------------------------------------


def test_mad_with_ties() -> None:
    # 2 4 4 4 6 6 9: median 4; |x - 4| = 2 0 0 0 2 2 5 -> sorted 0 0 0 2 2 2 5 -> MAD 2; 9 is (9 - 4) / 2 = 2.5
    d = mad_distance(9.0, [2, 4, 4, 4, 6, 6, 9])
    assert (d.median, d.mad, d.distance, d.basis) == (4.0, 2.0, 2.5, "mad")
    assert mad_distance(2.0, [2, 4, 4, 4, 6, 6, 9]).distance == -1.0
    assert mad_distance(4.0, [2, 4, 4, 4, 6, 6, 9]).distance == 0.0


def test_mad_zero_gives_a_defined_finite_distance() -> None:
    # 2 5 5 5 5 5 5 7 8: median 5; |x - 5| = 3 0 0 0 0 0 0 2 3 -> MAD 0 (six of nine share the median).
    group = [5, 5, 5, 5, 5, 5, 7, 8, 2]
    at = mad_distance(5.0, group)
    assert (at.mad, at.distance, at.basis) == (0.0, 0.0, "mad")
    # Off the median: the mean absolute deviation (3 + 2 + 3) / 9 = 8/9 is the unit: 3 / (8/9) = 3.375.
    off = mad_distance(8.0, group)
    assert off.basis == "mean_absolute_deviation" and off.distance == pytest.approx(3.375)
    assert np.isfinite(off.distance)
    assert mad_distance(2.0, group).distance == pytest.approx(-3.375)
    # Every figure the same: all at the median, distance 0.
    assert mad_distance(5.0, [5] * 6).distance == 0.0


def test_mad_zero_through_compare_and_the_tie_on_a_flat_group() -> None:
    group = [5, 5, 5, 5, 5, 5, 7, 8, 2]
    row = one_group(group, us=7)  # 8
    assert row["distance"] == pytest.approx(3.375) and row["distance_basis"] == "mean_absolute_deviation"
    flat = one_group(group, us=0)  # 5, level with five others; 7 and 8 are better
    assert flat["distance"] == 0.0 and flat["rank_text"] == "joint 3rd of 9"
    # Q1 = median = Q3 = 5: on the upper quartile is the top quartile, by the cut-point rule.
    assert flat["quartile"] == 1
    assert one_group(group, us=8)["quartile"] == 4  # 2 is below all three


def test_distance_scaled_by_1_4826_on_request() -> None:
    d = mad_distance(9.0, [2, 4, 4, 4, 6, 6, 9], scale=1.4826)
    assert d.distance == pytest.approx(2.5 / 1.4826)
    assert one_group(FIFTEEN, us=6, scale=1.4826)["distance"] == pytest.approx(6.6 / 4.7 / 1.4826)


def test_distance_helpers_refuse_a_figure_outside_the_group_and_keep_nan_for_missing() -> None:
    with pytest.raises(ValueError, match="own figure"):
        mad_distance(100.0, [1, 2, 3])
    assert np.isnan(mad_distance(np.nan, [1, 2, 3]).distance)
    d, basis = distances(np.array([np.nan, 3.0]), np.array([2.0, np.nan]), 1.0, 1.0)
    assert np.isnan(d).all()


# --- Oflog's published distances ------------------------------------------------------------------

# Oflog, Local Authority Data Explorer: adult social care, "Outcome, ASC Carer Quality of Life", 2016-17,
# all 152 councils with social care responsibilities (151 with a figure, Isles of Scilly without).
# Source: github.com/communitiesuk/oflog-automated-text, src/lib/ASC_data.csv at commit
# 16628da1e26909e5d88de993585959d7633f7df1 (columns Value, MEDIAN, MADs_from_median). The figures are
# given here as how many councils had each score; the four published distances are checked below.
OFLOG_CARER_QOL_2016_17 = {
    6.8: 3, 6.9: 5, 7.0: 5, 7.1: 5, 7.2: 6, 7.3: 14, 7.4: 13, 7.5: 13, 7.6: 14, 7.7: 16,
    7.8: 12, 7.9: 6, 8.0: 8, 8.1: 8, 8.2: 9, 8.3: 5, 8.4: 2, 8.5: 2, 8.6: 4, 8.9: 1,
}  # fmt: skip
OFLOG_PUBLISHED = {  # council: (value, MEDIAN, MADs_from_median) as published
    "Enfield": (7.7, 7.6, 0.3333333333333353),
    "Leeds": (7.4, 7.6, -0.666666667),
    "Coventry": (7.2, 7.6, -1.333333333),
    "Portsmouth": (8.0, 7.6, 1.3333333333333353),
    "Darlington": (7.6, 7.6, 0.0),
}


@pytest.mark.parametrize("council", sorted(OFLOG_PUBLISHED))
def test_distance_from_the_median_matches_oflogs_published_figures(council: str) -> None:
    value, median, published = OFLOG_PUBLISHED[council]
    scores = [v for v, count in OFLOG_CARER_QOL_2016_17.items() for _ in range(count)]
    assert len(scores) == 151
    values = [value, *_without_one(scores, value), np.nan]  # the council first; one council has no figure
    row = one_group(values, us=0, polarity="higher")
    assert row["n"] == 151 and row["median"] == median
    assert row["mad"] == pytest.approx(0.3)  # Oflog's MAD is not scaled: 0.1 / 0.3 = 0.333...
    assert row["distance"] == pytest.approx(published, abs=1e-8)


def _without_one(scores: list[float], value: float) -> list[float]:
    rest = list(scores)
    rest.remove(value)
    return rest


# --- missing figures, small groups, reference figures -----------------------------------------------


def test_the_council_without_a_figure_gets_a_reason_and_no_statistics() -> None:
    row = one_group([np.nan, *FIFTEEN[1:]], us=0)
    assert row["reason"] == "no_figure" and "no figure" in row["reason_text"]
    assert np.isnan(row["median"]) and pd.isna(row["rank"]) and pd.isna(row["quartile"]) and row["rank_text"] is None
    assert row["movement"] == "not_comparable"


def test_fewer_than_five_comparators_gets_a_reason() -> None:
    assert MIN_COMPARATORS == 5
    few = one_group([10, 20, 30, 40, 50], us=0)  # four others
    assert few["reason"] == "too_few" and few["reason_text"].startswith("Only 4 other areas")
    assert pd.isna(few["rank"]) and np.isnan(few["median"])
    enough = one_group([10, 20, 30, 40, 50, 60], us=0)  # five others
    assert enough["reason"] is None and enough["rank_text"] == "6th of 6"
    # Other areas without a figure do not count towards the five.
    assert one_group([10, 20, 30, 40, 50, np.nan], us=0)["reason"] == "too_few"
    assert one_group([10, 20, 30], us=0, min_comparators=2)["rank_text"] == "3rd of 3"


def test_reasons_are_plain_sentences() -> None:
    assert (
        reason_text("too_few", 0)
        == "No other area in the group has a figure for this period; at least 5 are needed to compare."
    )
    assert reason_text("too_few", 1).startswith("Only 1 other area in the group has a figure")
    assert reason_text("too_few", 3, needed=6).startswith("Only 3 other areas in the group have a figure")
    assert reason_text("too_few", 3, needed=6).endswith("at least 6 are needed to compare.")
    assert reason_text("no_reference_figure", name="England") == "There is no figure for England for this period."


def test_groups_with_no_figures_at_all() -> None:
    figs = pd.concat([figures([1.0], codes=["A"]), figures([2.0], codes=["ENG"])])
    only_england = compare(figs, {"England": ["ENG"]}, "A", indicators(), PERIOD)
    assert only_england["kind"].tolist() == ["reference"] and only_england["reference_value"].tolist() == [2.0]
    alone = compare(figs, {"Just us": ["A"], "Others without figures": ["B", "C"]}, "A", indicators(), PERIOD)
    assert alone["reason"].tolist() == ["too_few", "too_few"] and alone["n"].tolist() == [1, 1]
    assert alone["reason_text"][0].startswith("No other area")
    nobody = compare(figs, {"g": ["B", "C"]}, "Z", indicators(), PERIOD)  # the council has no figure at all
    assert nobody["reason"].tolist() == ["no_figure"]
    assert compare(figs.iloc[:0], {"g": ["A"]}, "A", indicators(), PERIOD).empty


def test_a_group_of_one_is_a_reference_figure_not_ranked() -> None:
    figs = pd.concat([figures(FIFTEEN), figures([74.2], codes=["E92000001"])])
    neighbours = [f"A{i:02d}" for i in range(15) if i != 6]  # 14 neighbours; the council is A06
    groups = {"Nearest neighbours": neighbours, "England": ["E92000001"]}
    out = compare(figs, groups, "A06", indicators(), PERIOD).set_index("group")
    assert out.loc["Nearest neighbours", "rank_text"] == "3rd of 15"  # the council is added to its group
    england = out.loc["England"]
    assert england["kind"] == "reference" and england["reference_value"] == 74.2
    assert england["reference_area"] == "E92000001" and england["value"] == 80.0
    assert pd.isna(england["rank"]) and england["reason"] is None and england["movement"] is None
    # No England figure for the period: said plainly.
    out = compare(figures(FIFTEEN), groups, "A06", indicators(), PERIOD).set_index("group")
    assert out.loc["England", "reason"] == "no_reference_figure"


def test_one_row_per_benchmarked_indicator_and_group_in_their_order() -> None:
    figs = pd.concat([figures(FIFTEEN, indicator="B"), figures(FIFTEEN[::-1], indicator="A")])
    ind = pd.DataFrame({"id": ["A", "B", "C"], "polarity": ["lower", "higher", "none"]})
    groups = {"g2": [f"A{i:02d}" for i in range(15)], "g1": [f"A{i:02d}" for i in range(8)]}
    out = compare(figs, groups, "A06", ind, PERIOD)
    assert list(zip(out["indicator"], out["group"])) == [("A", "g2"), ("A", "g1"), ("B", "g2"), ("B", "g1")]
    assert out["polarity"].tolist() == ["lower", "lower", "higher", "higher"]  # C has no comparators: no rows


def test_bad_inputs_are_refused_with_what_is_wrong() -> None:
    figs = figures(FIFTEEN)
    with pytest.raises(ValueError, match="repeat"):
        compare(pd.concat([figs, figs.head(1)]), {"g": ["A00"]}, "A00", indicators(), PERIOD)
    with pytest.raises(ValueError, match="not in the indicator list"):
        compare(figs, {"g": ["A00"]}, "A00", indicators(ids=("Y",)), PERIOD)
    with pytest.raises(ValueError, match="polarity"):
        compare(figs, {"g": ["A00"]}, "A00", indicators("up"), PERIOD)
    with pytest.raises(ValueError, match="no column value"):
        compare(figs.drop(columns="value"), {"g": ["A00"]}, "A00", indicators(), PERIOD)


# --- movement since the same period last year ---------------------------------------------------------

OTHERS = [10, 20, 40, 50, 60, 70, 80, 90]


def two_years(last, now, polarity="higher", periods=(LAST, PERIOD)):
    figs = pd.concat([figures([last, *OTHERS], period=periods[0]), figures([now, *OTHERS], period=periods[1])])
    out = compare(figs, {"g": [f"A{i:02d}" for i in range(9)]}, "A00", indicators(polarity), periods[1])
    return out.iloc[0]


def test_moving_between_quartiles_since_last_year() -> None:
    # Last year 30 in 10..90: on Q1 (30) -> third quartile. Now 85 in 10 20 40 50 60 70 80 85 90:
    # Q3 at position 6 is 80, 85 >= 80 -> top quartile. Improving; and with lower is better, worsening.
    row = two_years(30, 85)
    assert (row["quartile_last_year"], row["quartile"], row["movement"]) == (3, 1, "improving")
    assert row["rank_last_year"] == 7 and row["rank"] == 2 and row["period_last_year"] == LAST
    low = two_years(30, 85, "lower")
    assert (low["quartile_last_year"], low["quartile"], low["movement"]) == (1, 4, "worsening")
    assert two_years(85, 30)["movement"] == "worsening"
    assert two_years(55, 58)["movement"] == "no_change"
    # Polarity none: up or down a quarter, never better or worse.
    none = two_years(30, 85, "none")
    assert none["movement"] == "up" and pd.isna(none["quartile_last_year"])
    assert none["position_last_year"] == "lower middle quarter" and none["position"] == "highest quarter"
    assert two_years(85, 30, "none")["movement"] == "down"


def test_no_comparison_last_year_is_not_comparable() -> None:
    row = two_years(np.nan, 85)
    assert row["movement"] == "not_comparable" and pd.isna(row["quartile_last_year"]) and row["quartile"] == 1
    figs = figures([85, *OTHERS])  # no figures at all last year
    out = compare(figs, {"g": [f"A{i:02d}" for i in range(9)]}, "A00", indicators(), PERIOD)
    assert out.iloc[0]["movement"] == "not_comparable"


def test_annual_figures_by_financial_year() -> None:
    row = two_years(30, 85, periods=("2018/19", "2019/20"))
    assert row["movement"] == "improving" and row["period_last_year"] == "2018/19"
    # An annual figure in the project's month form: March to March.
    assert two_years(30, 85, periods=("2019-03", "2020-03"))["movement"] == "improving"


def test_same_period_last_year() -> None:
    assert same_period_last_year("2019-07") == "2018-07"
    assert same_period_last_year("2020-01") == "2019-01"
    assert same_period_last_year("2019/20") == "2018/19"
    assert same_period_last_year("2000/01") == "1999/00"
    for bad in ("2019/21", "2019-13", "2019-20", "July 2019"):
        with pytest.raises(ValueError):
            same_period_last_year(bad)


# --- properties --------------------------------------------------------------------------------------

# Figures as a council types them: one decimal place.
figure = st.integers(min_value=0, max_value=2000).map(lambda k: k / 10)
groups_of_figures = st.lists(figure, min_size=MIN_COMPARATORS + 1, max_size=30)


@settings(max_examples=examples(60), deadline=None)
@given(groups_of_figures, st.randoms(use_true_random=False), st.sampled_from(["higher", "lower", "none"]))
def test_rank_and_statistics_do_not_depend_on_the_order_of_rows(values, rnd, polarity) -> None:
    figs = figures(values)
    shuffled = figs.sample(frac=1, random_state=rnd.randint(0, 2**31))
    groups = {"g": list(figs["area_code"])}
    a = compare(figs, groups, "A00", indicators(polarity), PERIOD)
    b = compare(shuffled, dict(g=list(shuffled["area_code"])), "A00", indicators(polarity), PERIOD)
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=examples(100), deadline=None)
@given(groups_of_figures, st.data())
def test_reversing_polarity_reverses_the_rank(values, data) -> None:
    us = data.draw(st.integers(0, len(values) - 1))
    high, low = one_group(values, us, "higher"), one_group(values, us, "lower")
    n, level = len(values), values.count(values[us])
    # Competition ranks: 1 + (areas above) and 1 + (areas below); the level ones are in neither.
    assert high["rank"] + low["rank"] == n + 2 - level
    assert high["tied"] == low["tied"] == (level > 1)


@settings(max_examples=examples(100), deadline=None)
@given(groups_of_figures, st.data(), st.integers(-5000, 5000).map(lambda k: k / 10))
def test_adding_a_constant_changes_no_rank_or_quartile(values, data, constant) -> None:
    us = data.draw(st.integers(0, len(values) - 1))
    polarity = data.draw(st.sampled_from(["higher", "lower", "none"]))
    before = one_group(values, us, polarity)
    after = one_group([v + constant for v in values], us, polarity)
    for c in ("rank", "tied", "rank_text", "quartile", "position", "n"):
        assert (pd.isna(before[c]) and pd.isna(after[c])) or before[c] == after[c], c
    assert after["distance"] == pytest.approx(before["distance"], abs=1e-6)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(figure, min_size=MIN_COMPARATORS + 1, max_size=31).filter(lambda v: len(v) % 2 == 1))
def test_the_median_area_is_no_distance_from_the_median(values) -> None:
    us = int(np.argsort(values, kind="stable")[len(values) // 2])
    row = one_group(values, us)
    assert row["value"] == row["median"] and row["distance"] == 0.0
    assert row["quartile"] in (2, 3) or row["lower_quartile"] == row["median"] or row["upper_quartile"] == row["median"]


@settings(max_examples=examples(100), deadline=None)
@given(groups_of_figures, st.data())
def test_compare_agrees_with_the_pure_helpers(values, data) -> None:
    us = data.draw(st.integers(0, len(values) - 1))
    polarity = data.draw(st.sampled_from(["higher", "lower", "none"]))
    row = one_group(values, us, polarity)
    ranks, tied = rank_with_ties(values, polarity)
    assert row["rank"] == ranks[us] and row["tied"] == tied[us]
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == pytest.approx(quartiles(values))
    assert row["distance"] == pytest.approx(mad_distance(values[us], values).distance)
    quarter = quartile_of(values[us], *quartiles(values), polarity)
    assert row["position"] == quartile_phrase(quarter, polarity != "none")


@settings(max_examples=examples(200), deadline=None)
@given(groups_of_figures, figure)
def test_quartiles_reverse_with_polarity_off_the_cut_points(values, x) -> None:
    q1, med, q3 = quartiles(values)
    high = int(quartile_of(x, q1, med, q3, "higher"))
    low = int(quartile_of(x, q1, med, q3, "lower"))
    assert int(quartile_of(x, q1, med, q3, "none")) == high
    if x not in (q1, med, q3):
        assert high + low == 5
    else:
        assert high + low <= 5  # on a cut point both polarities take the better side
