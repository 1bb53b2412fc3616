"""Direction of travel: polarity, "equal as shown" (half up), the no-change band, and exact edges."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.measures.direction_of_travel import compare


def run(current, previous, polarity="higher", decimals=2, band=0.0):
    n = len(current)
    return list(
        compare(
            np.array(current, float),
            np.array(previous, float),
            np.array([polarity] * n, object),
            np.array([decimals] * n),
            band,
        )
    )


def test_polarity_decides_better_or_worse() -> None:
    assert run([94.41, 80.0], [93.9, 81.0]) == ["improving", "worsening"]
    assert run([2.96, 2.1], [2.53, 2.3], "lower") == ["worsening", "improving"]


def test_equal_at_the_indicators_decimals_is_no_change() -> None:
    assert run([94.414], [94.411], decimals=2) == ["no_change"]
    assert run([94.42], [94.41], decimals=2) == ["improving"]
    assert run([94.42], [94.41], decimals=1) == ["no_change"]


def test_no_change_band_is_relative() -> None:
    assert run([100.9], [100.0], decimals=1, band=0.01) == ["no_change"]
    assert run([101.1], [100.0], decimals=1, band=0.01) == ["improving"]


def test_polarity_none_says_up_or_down_not_better_or_worse() -> None:
    assert run([5, 3, 4], [4, 4, 4], "none", decimals=0) == ["up", "down", "no_change"]


def test_missing_figures_are_not_comparable() -> None:
    assert run([np.nan, 5, np.nan], [5, np.nan, np.nan]) == ["not_comparable"] * 3


# --- half-up and exact edges (issue 10 items 11 and 12) ------------------------------------------


def test_equal_when_both_show_the_same_rounded_half_up() -> None:
    # 2.45 and 2.5 both show "2.5" half up (numpy's half-even rounding made 2.45 read 2.4)
    assert run([2.45], [2.5], decimals=1) == ["no_change"]
    assert run([0.125], [0.13], decimals=2) == ["no_change"]
    assert run([2.5], [3.0], decimals=0) == ["no_change"]
    assert run([2.44], [2.5], decimals=1) == ["worsening"]


def test_the_no_change_band_edge_is_inclusive_on_the_typed_figures() -> None:
    # 1 - 0.99 is 0.010000000000000009 in binary; 1.00 -> 0.99 is a change of exactly 1%
    assert run([0.99], [1.0], band=0.01) == ["no_change"]
    assert run([1.01], [1.0], band=0.01) == ["no_change"]
    assert run([30.3, 29.7], [30.0, 30.0], decimals=1, band=0.01) == ["no_change", "no_change"]
    assert run([0.98], [1.0], band=0.01) == ["worsening"]
    assert run([0.99], [1.0], "none", band=0.01) == ["no_change"]


def test_a_computed_figure_with_binary_noise_is_the_figure_it_stands_for() -> None:
    assert run([0.1 + 0.2], [0.3], decimals=20) == ["no_change"]


# The reference, in Decimal arithmetic on the typed figures: docs/data-contract.md section 6.
def reference_direction(
    current: Decimal | None, previous: Decimal | None, polarity: str, decimals: int, band: Decimal
) -> str:
    if current is None or previous is None:
        return "not_comparable"
    unit = Decimal(1).scaleb(-decimals)
    shown_alike = current.quantize(unit, rounding=ROUND_HALF_UP) == previous.quantize(unit, rounding=ROUND_HALF_UP)
    if shown_alike or abs(current - previous) <= band * abs(previous):
        return "no_change"
    if polarity == "none":
        return "up" if current > previous else "down"
    better = current > previous if polarity == "higher" else current < previous
    return "improving" if better else "worsening"


@st.composite
def direction_rows(draw: st.DrawFn, band: Decimal) -> tuple:
    """Two figures of one indicator, often on the band's edge or half a displayed unit apart."""
    decimals = draw(st.integers(0, 3))
    previous = draw(st.decimals(min_value=-(10**5), max_value=10**5, places=draw(st.integers(0, 4))))
    unit = Decimal(1).scaleb(-decimals)
    current = draw(
        st.one_of(
            st.decimals(min_value=-(10**5), max_value=10**5, places=4),
            st.just(previous),
            st.sampled_from([-1, 1]).map(lambda s: previous + s * band * abs(previous)),  # on the band edge
            st.sampled_from([-1, 1]).map(lambda s: previous + s * band * abs(previous) + s * unit / 1000),
            st.integers(-15, 15).map(lambda k: previous + k * unit / 10),  # halves at display
        )
    )
    polarity = draw(st.sampled_from(["higher", "lower", "none"]))
    missing = draw(st.sampled_from([None, None, None, None, "current", "previous"]))
    return (None if missing == "current" else current, None if missing == "previous" else previous, polarity, decimals)


@settings(max_examples=examples(120), deadline=None)
@given(
    st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("0.025"), Decimal("0.05")]).flatmap(
        lambda b: st.tuples(st.just(b), st.lists(direction_rows(b), min_size=1, max_size=20))
    )
)
def test_direction_agrees_with_decimal_arithmetic_on_the_typed_figures(case: tuple) -> None:
    band, rows = case
    as_float = lambda d: np.nan if d is None else float(str(d))  # noqa: E731 - read as a CSV would be
    got = compare(
        np.array([as_float(r[0]) for r in rows]),
        np.array([as_float(r[1]) for r in rows]),
        np.array([r[2] for r in rows], object),
        np.array([r[3] for r in rows]),
        float(band),
    )
    assert list(got) == [reference_direction(*r, band) for r in rows]
