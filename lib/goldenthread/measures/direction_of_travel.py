"""Direction of travel: is an indicator getting better or worse?

Judged with polarity, against the previous period (one step of the indicator's frequency) and
against the same period last year. A change is "no change" when the two figures are equal at
the indicator's own decimal places, each rounded half up (what a reader sees), or inside the
scheme's relative ``no_change_band`` (its edge included). Both are decided on the figures as typed
(see :mod:`goldenthread.measures.rounding`): 1.00 -> 0.99 with a 1% band is no change, although
1 - 0.99 is not 0.01 in binary. Polarity ``none`` gives "up" or "down", never better or worse.
Milestones compare delivery states (complete > on track > at risk > off track).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.measures.rounding import Figures, decide, equal_when_shown

DIRECTIONS = ("improving", "worsening", "no_change", "up", "down", "not_comparable")
IMPROVING, WORSENING, NO_CHANGE, UP, DOWN, NOT_COMPARABLE = range(len(DIRECTIONS))
_LABELS = np.array(DIRECTIONS, dtype=object)

#: Rank of milestone delivery states, higher is better; ``not_started`` is not comparable.
MILESTONE_RANK = {"complete": 3, "on_track": 2, "at_risk": 1, "off_track": 0}

FREQUENCY_STEP = {"monthly": 1, "quarterly": 3, "annual": 12}


def compare_codes(
    current: np.ndarray,
    previous: np.ndarray,
    lower_is_better: np.ndarray,
    rated: np.ndarray,
    decimals: np.ndarray,
    band: float = 0.0,
) -> np.ndarray:
    """Direction codes (positions in :data:`DIRECTIONS`); ``rated`` is False for polarity none."""
    delta = current - previous
    flat = equal_when_shown(current, previous, decimals)
    if band > 0:
        flat |= decide(_inside_band, (current, previous, band), _size_of_terms, where=~flat)
    # Outside "no change" the two typed figures differ, and their floats are in the same order.
    better = np.where(lower_is_better, delta < 0, delta > 0)
    codes = np.where(rated, np.where(better, IMPROVING, WORSENING), np.where(delta > 0, UP, DOWN)).astype(np.int8)
    codes[flat] = NO_CHANGE
    codes[np.isnan(current) | np.isnan(previous)] = NOT_COMPARABLE
    return codes


def _inside_band(current: Figures, previous: Figures, band: Figures) -> Figures:
    """>= 0 when the change is at most ``band`` x |previous| (floats or Decimals)."""
    return band * abs(previous) - abs(current - previous)


def _size_of_terms(current: Figures, previous: Figures, band: Figures) -> Figures:
    """How large the terms of the band's margin are, for telling binary noise from a real change."""
    return abs(current) + abs(previous)


def compare(
    current: np.ndarray,
    previous: np.ndarray,
    polarity: np.ndarray,
    decimals: np.ndarray,
    band: float = 0.0,
) -> np.ndarray:
    """Direction of each ``current`` against ``previous`` (aligned arrays; NaN where missing)."""
    polarity = np.asarray(polarity, dtype=object)
    codes = compare_codes(
        np.asarray(current, float),
        np.asarray(previous, float),
        polarity == "lower",
        polarity != "none",
        np.asarray(decimals, float),
        band,
    )
    labels: np.ndarray = _LABELS[codes]
    return labels


def as_direction(codes: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Direction codes as a categorical Series."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=DIRECTIONS), index=index)


def milestone_rank(states: pd.Series) -> np.ndarray:
    """Milestone states as numbers for :func:`compare` (NaN when not comparable)."""
    ranks = np.array(
        [MILESTONE_RANK.get(s, np.nan) for s in ("complete", "on_track", "at_risk", "off_track", "not_started")]
        + [np.nan]
    )
    rank: np.ndarray = ranks[
        pd.Categorical(states, categories=["complete", "on_track", "at_risk", "off_track", "not_started"]).codes
    ]
    return rank
