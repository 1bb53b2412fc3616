"""Half-up rounding on the figure as typed, and figures and targets shown as a council writes them.

The property tests compare with Decimal arithmetic on the typed string, which is the definition;
the regression tests pin the cases reported in issue 10 (items 10 and 11).
"""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.measures.formatting import format_target, format_value
from goldenthread.measures.rounding import (
    compare,
    decide,
    decimals_shown,
    equal_when_shown,
    format_number,
    half_up_units,
    round_half_up,
)


def quantized(typed: Decimal, decimals: int) -> Decimal:
    """The reference: the typed decimal rounded half away from zero, without a negative zero."""
    q = typed.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(q) if q == 0 else q


def shown(typed: Decimal, decimals: int) -> str:
    """The reference text at ``decimals`` places with thousands separators."""
    return f"{quantized(typed, decimals):,.{decimals}f}"


# Typed figures with up to 6 places, and figures ending in exactly half a unit at some place.
typed_figures = st.decimals(min_value=-(10**7), max_value=10**7, places=6, allow_nan=False, allow_infinity=False)
halves = st.builds(
    lambda n, places: Decimal(10 * n + 5).scaleb(-places), st.integers(-(10**6), 10**6), st.integers(1, 5)
)
figures = st.one_of(typed_figures, halves)
places = st.integers(0, 4)


# --- regressions (issue 10 item 11) ------------------------------------------------------------


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (0.125, 2, "0.13"),
        (1.005, 2, "1.01"),
        (2.675, 2, "2.68"),
        (1234.5, 0, "1,235"),
        (-0.4, 0, "0"),
        (-0.04, 1, "0.0"),
        (-0.0, 2, "0.00"),
    ],
)
def test_figures_round_half_up_as_typed(x: float, decimals: int, expected: str) -> None:
    assert format_number(x, decimals) == expected
    assert format_value(x, "number", decimals) == expected


def test_round_half_up_on_arrays_keeps_nan_and_takes_decimals_per_row() -> None:
    out = round_half_up(np.array([2.5, 0.125, np.nan, -0.04, 2.675]), np.array([0, 2, 1, 1, 2]))
    assert np.isnan(out[2])
    assert list(out[[0, 1, 3, 4]]) == [3.0, 0.13, 0.0, 2.68]
    assert not np.signbit(out[3])  # no negative zero left to print "-0.0"


def test_rounding_to_thousands_for_money() -> None:
    assert round_half_up(1_250_000.0, -5) == 1_300_000.0
    assert round_half_up(12_500.0, -3) == 13_000.0


@pytest.mark.parametrize(
    "value, unit, decimals, expected",
    [
        (94.405, "percent", 2, "94.41%"),
        (-12.5, "percent_change", 1, "-12.5%"),  # a change that may be negative keeps its sign and %
        (-0.04, "percent_change", 1, "0.0%"),
        (0.5, "days", 0, "1 day"),
        (1_250_000, "gbp", 0, "£1.3m"),  # half up: not "£1.2m"
        (999_600, "gbp", 0, "£1.0m"),  # chosen on the rounded figure: not "£1,000k"
        (12_500, "gbp", 0, "£13k"),
        (-0.4, "gbp", 0, "£0"),  # not "-£0"
        (-2_500_000, "gbp", 0, "-£2.5m"),
        (np.nan, "percent", 1, "–"),
    ],
)
def test_format_value_in_every_unit_is_half_up(value: float, unit: str, decimals: int, expected: str) -> None:
    assert format_value(value, unit, decimals) == expected


# --- targets at the precision that explains their status (issue 10 item 10) ---------------------


@pytest.mark.parametrize(
    "value, unit, decimals, expected",
    [
        (400 * 4 / 12, "number", 0, "133.33"),  # profiled target beside a figure of 133 rated near target
        (3.15, "percent", 1, "3.15%"),  # not "3.1%" in a concern's text
        (90.0, "percent", 1, "90%"),
        (2.5, "percent", 2, "2.5%"),
        (94.41, "percent", 2, "94.41%"),
        (0.125, "percent", 0, "0.13%"),  # two more places at most, half up
        (-7.25, "percent_change", 1, "-7.25%"),
        (1.0, "days", 0, "1 day"),
        (1_250_000, "gbp", 0, "£1.25m"),  # not "£1.2m"
        (1_000_000, "gbp", 0, "£1m"),
        (12_500, "gbp", 0, "£12.5k"),
        (2_499.5, "gbp", 0, "£2,499.5"),
        (None, "percent", 0, "–"),
    ],
)
def test_targets_show_the_places_they_have(value: float, unit: str, decimals: int, expected: str) -> None:
    assert format_target(value, unit, decimals) == expected


def test_a_target_shows_why_a_figure_is_near_target() -> None:
    # 133 against 133.33: the shown target differs from the shown figure, as the status says
    assert format_value(133.0, "number", 0) != format_target(400 * 4 / 12, "number", 0)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=examples(150), deadline=None)
@given(figures, places)
def test_round_half_up_is_decimal_half_up_of_the_typed_figure(typed: Decimal, decimals: int) -> None:
    x = float(str(typed))
    assert round_half_up(x, decimals) == float(quantized(typed, decimals))
    assert half_up_units(x, decimals) == float(quantized(typed, decimals).scaleb(decimals))


@settings(max_examples=examples(150), deadline=None)
@given(figures, places)
def test_format_value_shows_the_half_up_figure_and_never_minus_zero(typed: Decimal, decimals: int) -> None:
    x = float(str(typed))
    text = format_value(x, "number", decimals)
    assert text == shown(typed, decimals)
    assert format_value(x, "percent_change", decimals) == text + "%"
    assert not (text.startswith("-") and set(text) <= set("-0.,"))


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(figures, places), min_size=1, max_size=30))
def test_round_half_up_on_an_array_agrees_row_by_row(rows: list[tuple[Decimal, int]]) -> None:
    x = np.array([float(str(t)) for t, _ in rows])
    d = np.array([p for _, p in rows])
    assert list(round_half_up(x, d)) == [float(quantized(t, p)) for t, p in rows]


@settings(max_examples=examples(100), deadline=None)
@given(figures, places)
def test_format_target_is_the_typed_target_to_at_most_two_more_places(typed: Decimal, decimals: int) -> None:
    q = quantized(typed, decimals + 2)
    expected = f"{q.normalize() if q != q.to_integral_value() else q.to_integral_value():,f}"
    assert format_target(float(str(typed)), "number", decimals) == expected
    assert decimals_shown(float(str(typed)), decimals + 2) == max(-q.normalize().as_tuple().exponent, 0)


@settings(max_examples=examples(100), deadline=None)
@given(figures, figures, places)
def test_equal_when_shown_compares_what_the_reader_sees(a: Decimal, b: Decimal, decimals: int) -> None:
    expected = quantized(a, decimals) == quantized(b, decimals)
    assert bool(equal_when_shown(float(str(a)), float(str(b)), decimals)) == expected


@settings(max_examples=examples(100), deadline=None)
@given(figures.filter(lambda a: a != 0), st.integers(-3, 3))
def test_compare_orders_typed_figures_and_sees_through_binary_noise(a: Decimal, ulps: int) -> None:
    x = float(str(a))
    noisy = x
    for _ in range(abs(ulps)):  # the same typed figure, a few binary steps away (as a computed result is)
        noisy = np.nextafter(noisy, np.inf if ulps > 0 else -np.inf)
    assert compare(np.array([x, x, x]), np.array([noisy, x + 1, x - 1])).tolist() == [0, -1, 1]


def test_decide_settles_near_ties_exactly() -> None:
    # 1 - 0.99 is 0.010000000000000009 in binary: the band's edge is inclusive on the typed figures
    within = decide(
        lambda c, p, band: band * abs(p) - abs(c - p),
        (np.array([0.99, 0.98]), np.array([1.0, 1.0]), 0.01),
        lambda c, p, band: abs(c) + abs(p),
    )
    assert within.tolist() == [True, False]
    assert not abs(0.99 - 1.0) <= 0.01 * 1.0  # the plain float test gets it wrong
