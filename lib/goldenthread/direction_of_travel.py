"""Direction of travel: is an indicator getting better or worse?

Judged with polarity, against the previous period (one step of the indicator's frequency) and
against the same period last year. A change is "no change" when the two figures are equal at
the indicator's own decimal places (what a reader sees) or inside the scheme's relative
``no_change_band``. Polarity ``none`` gives "up" or "down", never better or worse.
Milestones compare delivery states (complete > on track > at risk > off track).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DIRECTIONS = ("improving", "worsening", "no_change", "up", "down", "not_comparable")

#: Rank of milestone delivery states, higher is better; ``not_started`` is not comparable.
MILESTONE_RANK = {"complete": 3, "on_track": 2, "at_risk": 1, "off_track": 0}

FREQUENCY_STEP = {"monthly": 1, "quarterly": 3, "annual": 12}


def compare(
    current: np.ndarray,
    previous: np.ndarray,
    polarity: np.ndarray,
    decimals: np.ndarray,
    band: float = 0.0,
) -> np.ndarray:
    """Direction of each ``current`` against ``previous`` (aligned arrays; NaN where missing)."""
    current = np.asarray(current, dtype=float)
    previous = np.asarray(previous, dtype=float)
    polarity = np.asarray(polarity, dtype=object)
    scale = 10.0 ** np.asarray(decimals, dtype=float)
    same_shown = np.round(current * scale) == np.round(previous * scale)
    delta = current - previous
    within_band = np.abs(delta) <= band * np.abs(previous)
    flat = same_shown | within_band
    better = np.where(polarity == "lower", delta < 0, delta > 0)
    out = np.where(better, "improving", "worsening").astype(object)
    out = np.where(polarity == "none", np.where(delta > 0, "up", "down"), out)
    out = np.where(flat, "no_change", out)
    return np.where(np.isnan(current) | np.isnan(previous), "not_comparable", out)


def milestone_rank(states: pd.Series) -> np.ndarray:
    """Milestone states as numbers for :func:`compare` (NaN when not comparable)."""
    return states.map(MILESTONE_RANK).to_numpy(dtype=float, na_value=np.nan)
