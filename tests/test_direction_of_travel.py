import numpy as np

from goldenthread.direction_of_travel import compare


def run(current, previous, polarity="higher", decimals=2, band=0.0):
    n = len(current)
    return list(compare(np.array(current, float), np.array(previous, float), np.array([polarity] * n, object),
                        np.array([decimals] * n), band))


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
