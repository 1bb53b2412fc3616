"""The vectorised insides of benchmarking.compare agree with the plain definitions they replace.

compare() works on whole arrays (benchmarks/variation.py times it on 4 million figures); these tests hold
each fast piece to the slow, obvious version: the wording to rank_phrase / quartile_phrase / _movement
row by row, the sorted-array quartiles and medians to pandas' grouped ones bit for bit, the coding of
text columns to pandas.factorize, the repeat check to DataFrame.duplicated, and compare() on many
indicators and groups at once to compare() on each indicator and group alone.
"""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.measures import benchmarking as bm
from goldenthread.measures.benchmarking import compare, quartile_phrase, rank_phrase

PERIOD, LAST = "2019-07", "2018-07"


# --- wording -----------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 500), st.booleans(), st.booleans(), st.booleans())))
def test_rank_texts_are_rank_phrase_row_by_row(rows) -> None:
    rank = [r for r, *_ in rows]
    n = [r + extra for r, extra, *_ in rows]
    tied = [t for *_, t, _, _ in rows]
    judged = np.array([j for *_, j, _ in rows], dtype=bool)
    wanted = np.array([w for *_, w in rows], dtype=bool)
    texts = bm._rank_texts(
        pd.Series(rank, dtype=object), pd.Series(n, dtype=float), pd.Series(tied, dtype=object), judged, wanted
    )
    expected = [rank_phrase(r, k, t, judged=j) if w else None for r, k, t, j, w in zip(rank, n, tied, judged, wanted)]
    assert texts.tolist() == expected


def test_quarter_texts_cover_every_quarter_both_ways() -> None:
    quarter = np.array([1, 2, 3, 4, 1, 2, 3, 4, 2, np.nan])
    judged = np.array([True] * 4 + [False] * 4 + [True, True])
    rows = np.array([True] * 8 + [False, False])
    texts = bm._quarter_texts(quarter, judged, rows)
    assert texts.tolist() == [quartile_phrase(int(q), bool(j)) for q, j in zip(quarter[:8], judged[:8])] + [None] * 2


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.booleans(), st.booleans(), st.booleans())))
def test_movements_are_movement_row_by_row(rows) -> None:
    before = np.array([b for b, *_ in rows], dtype=float)
    now = np.array([q for _, q, *_ in rows], dtype=float)
    judged = np.array([r[2] for r in rows], dtype=bool)
    had = np.array([r[3] for r in rows], dtype=bool)
    comparison = np.array([r[4] for r in rows], dtype=bool)
    compared = comparison & np.ones(len(rows), dtype=bool)
    before[~had] = np.nan
    got = bm._movements(before, now, judged, compared & had, compared, comparison)
    expected = [
        (bm._movement(int(b), int(q), bool(j)) if h else bm.NOT_COMPARABLE) if c else None
        for b, q, j, h, c in zip(before, now, judged, had, comparison)
    ]
    assert got.tolist() == expected


# --- statistics --------------------------------------------------------------------------------------

figure = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.1, 0.2, 0.30000000000000004, 0.3, 2.5, 2.5, 7.0]),  # ties and binary noise
    st.just(np.nan),
)


@settings(max_examples=examples(200))
@given(st.lists(st.lists(figure, min_size=1, max_size=12), min_size=1, max_size=8))
def test_sorted_quartiles_and_medians_are_pandas_grouped_ones_bit_for_bit(groups) -> None:
    width = max(len(g) for g in groups)
    values = np.full((len(groups), width), np.nan)
    for k, g in enumerate(groups):
        values[k, : len(g)] = g
    n = np.count_nonzero(~np.isnan(values), axis=-1)
    ordered = np.sort(values, axis=-1)
    long = pd.DataFrame({"g": np.repeat(np.arange(len(groups)), width), "v": values.ravel()}).dropna()
    grouped = long.groupby("g")["v"]
    have = n > 0
    for q in (0.25, 0.5, 0.75):
        np.testing.assert_array_equal(bm._type7(ordered, n, q)[have], grouped.quantile(q).to_numpy())
    np.testing.assert_array_equal(bm._middle(ordered, n)[have], grouped.median().to_numpy())


@given(st.lists(st.sampled_from(["E06", "E07", "E08", "", "nan"]), max_size=300), st.booleans())
def test_factorized_codes_are_pandas_factorize(values, runs) -> None:
    text = np.array(sorted(values) if runs else values, dtype=object)
    codes, uniques = bm._factorized(text)
    expected_codes, expected = pd.factorize(text)
    np.testing.assert_array_equal(codes, expected_codes)
    assert uniques.tolist() == list(expected)


def test_factorized_keeps_a_missing_value_as_a_value_of_its_own() -> None:
    text = np.array(["a", None, "b", None], dtype=object)
    codes, uniques = bm._factorized(text)
    assert codes.tolist() == [0, 2, 1, 2] and uniques.tolist() == ["a", "b", None]


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(0, 9)), max_size=60), st.booleans())
def test_repeated_is_duplicated_keep_false(rows, huge) -> None:
    frame = pd.DataFrame(rows, columns=["i", "p", "a"], dtype=np.int64)
    areas = 2**61 if huge else 10  # a key space too large for one number takes the other road
    got = bm._repeated(frame["i"].to_numpy(), frame["p"].to_numpy(), frame["a"].to_numpy(), 3, areas)
    np.testing.assert_array_equal(got, frame.duplicated(keep=False).to_numpy())


# --- compare() at once and one by one ----------------------------------------------------------------


@st.composite
def comparisons(draw):
    areas = [f"A{k:02d}" for k in range(draw(st.integers(2, 14)))]
    indicators = [f"I{k}" for k in range(draw(st.integers(1, 4)))]
    rows = []
    for period in (PERIOD, LAST):
        for ind in indicators:
            for area in areas:
                if draw(st.booleans()) or draw(st.booleans()):
                    rows.append((area, f"Area {area}", ind, period, draw(figure)))
    figs = pd.DataFrame(rows, columns=["area_code", "area_name", "indicator", "period", "value"])
    names = draw(st.lists(st.sampled_from(["NN", "Region", "Small", "England", "Ghost"]), min_size=1, unique=True))
    groups = {g: draw(st.lists(st.sampled_from([*areas, "ZZ"]), min_size=1, max_size=len(areas) + 1)) for g in names}
    polarity = [draw(st.sampled_from(["higher", "lower", "none"])) for _ in indicators]
    spec = pd.DataFrame({"id": indicators, "polarity": polarity})
    us = draw(st.sampled_from([*areas, "NOPE"]))
    return figs, groups, us, spec, draw(st.integers(0, 6))


def _stacked(parts: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    out = pd.concat(parts, ignore_index=True)
    for c in out.columns:  # concat can widen a column's type; the figures must be the same
        out[c] = out[c].astype(like[c].dtype)
    return out


@settings(max_examples=examples(30), deadline=None)
@given(comparisons())
def test_all_at_once_equals_each_group_alone_and_each_indicator_alone(case) -> None:
    figs, groups, us, spec, minimum = case
    together = compare(figs, groups, us, spec, PERIOD, min_comparators=minimum)
    if together.empty:
        assert figs.empty
        return
    by_group = [compare(figs, {g: a}, us, spec, PERIOD, min_comparators=minimum) for g, a in groups.items()]
    order = {g: k for k, g in enumerate(groups)}
    stacked = _stacked(by_group, together)
    key = {i: k for k, i in enumerate(spec["id"])}
    stacked = stacked.assign(_i=stacked["indicator"].map(key), _g=stacked["group"].map(order))
    stacked = stacked.sort_values(["_i", "_g"], kind="stable").drop(columns=["_i", "_g"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(together, stacked, check_exact=True)
    chunk = bm._CHUNK
    try:  # a few figures at a time: the slices of indicators join up to the same result
        bm._CHUNK = 8
        pd.testing.assert_frame_equal(
            compare(figs, groups, us, spec, PERIOD, min_comparators=minimum), together, check_exact=True
        )
    finally:
        bm._CHUNK = chunk
    # One indicator at a time: the same, but for the name of a reference area without a figure, which
    # is looked up in the figures given (here only that indicator's).
    by_indicator = [
        compare(figs[figs["indicator"] == i], groups, us, spec[spec["id"] == i], PERIOD, min_comparators=minimum)
        for i in spec["id"]
        if (figs["indicator"] == i).any()
    ]
    pd.testing.assert_frame_equal(
        together.drop(columns="reason_text"),
        _stacked(by_indicator, together).drop(columns="reason_text"),
        check_exact=True,
    )


def _kahan_mean(figures) -> float:
    """pandas' grouped mean, one group: Kahan's compensated sum in the order given, NaN skipped."""
    total = compensation = 0.0
    count = 0
    for v in figures:
        if v != v:
            continue
        count += 1
        y = v - compensation
        t = total + y
        compensation = t - total - y
        total = t
    return total / count


@given(st.lists(st.lists(figure, min_size=1, max_size=10), min_size=1, max_size=6), st.randoms())
def test_mean_in_row_order_is_kahans_sum_in_the_order_of_the_input(groups, rnd) -> None:
    width = max(len(g) for g in groups)
    deviation = np.full((len(groups), width), np.nan)
    rows = np.full((len(groups), width), -1, dtype=np.int64)
    numbers = list(range(len(groups) * width))
    rnd.shuffle(numbers)  # where each figure came in the input
    for k, g in enumerate(groups):
        deviation[k, : len(g)] = g
        rows[k, : len(g)] = numbers[k * width : k * width + len(g)]
    got = bm._mean_in_row_order(np.abs(deviation), rows)
    for k, g in enumerate(groups):
        in_order = [abs(v) for _, v in sorted(zip(rows[k, : len(g)], g))]
        if all(v != v for v in in_order):
            assert np.isnan(got[k])
        else:
            assert got[k] == _kahan_mean(in_order)


def test_mean_in_row_order_matches_pandas_grouped_mean_on_interleaved_groups() -> None:
    # 1 + 2 + 0.1 + 0.2: a plain sum gives 3.3000000000000003, the compensated sum 3.3.
    long = pd.DataFrame({"g": [1, 0, 0, 1, 0, 0], "v": [5.0, 1.0, 2.0, 7.0, 0.1, 0.2]})
    expected = long.groupby("g", sort=True)["v"].mean().to_numpy()
    deviation = np.array([[1.0, 2.0, 0.1, 0.2], [5.0, 7.0, np.nan, np.nan]])
    rows = np.array([[1, 2, 4, 5], [0, 3, -1, -1]])
    np.testing.assert_array_equal(bm._mean_in_row_order(deviation, rows), expected)
    assert expected[0] == 0.825
