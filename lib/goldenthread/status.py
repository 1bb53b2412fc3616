"""Status (RAG) of every indicator in every period, computed for whole columns at once.

Rules (all configurable in ``organisation.yaml``, see ``docs/data-contract.md``):

* no value for the period -> ``not_available`` ("insufficient information");
* a value but no target, or polarity ``none`` -> ``data_only`` (monitored, not rated);
* at or better than target -> ``green`` (exactly on target is green);
* better than target by ``exceeding_margin`` (if the scheme sets one) -> ``blue``;
* worse than target but within the amber band -> ``amber``: inside the absolute
  ``amber_threshold`` when one is given, else within ``tolerance`` x |target| (the boundary is amber);
* otherwise ``red``;
* milestones map their delivery state through the scheme's ``milestones`` table;
* an override in ``commentary.csv`` replaces the computed status (the reason is kept).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.config import StatusScheme

#: Relative slack for floating-point comparison: 94.41 typed in a CSV is not exactly 94.41.
_EPS = 1e-9


def measure_status(
    value: np.ndarray,
    target: np.ndarray,
    polarity: np.ndarray,
    amber_threshold: np.ndarray,
    tolerance: np.ndarray,
    exceeding_margin: float | None = None,
) -> np.ndarray:
    """Status key for numeric measures. All arguments are aligned 1-d arrays.

    ``polarity`` holds ``"higher"``, ``"lower"`` or ``"none"``; missing numbers are NaN.
    """
    value = np.asarray(value, dtype=float)
    target = np.asarray(target, dtype=float)
    amber = np.asarray(amber_threshold, dtype=float)
    tol = np.asarray(tolerance, dtype=float)
    polarity = np.asarray(polarity, dtype=object)

    sign = np.where(polarity == "lower", -1.0, 1.0)
    # gap > 0 means better than target, whatever the polarity
    gap = sign * (value - target)
    slack = _EPS * np.maximum(np.abs(target), 1.0)
    amber_gap = sign * (value - amber)  # >= 0: at or better than the floor
    within_amber = np.where(np.isnan(amber), gap >= -(tol * np.abs(target)) - slack, amber_gap >= -slack)

    status = np.where(gap >= -slack, "green", np.where(within_amber, "amber", "red")).astype(object)
    if exceeding_margin is not None:
        status = np.where(gap > exceeding_margin * np.abs(target) + slack, "blue", status)
    rated = (polarity != "none") & ~np.isnan(target)
    status = np.where(rated, status, "data_only")
    return np.where(np.isnan(value), "not_available", status)


def compute_status(obs: pd.DataFrame, scheme: StatusScheme) -> pd.Series:
    """Status for each row of an observations frame (see :func:`goldenthread.scorecard.observations`).

    Needs columns ``kind``, ``value``, ``target``, ``polarity``, ``amber_threshold``,
    ``tolerance`` and ``milestone_status``.
    """
    tol = obs["tolerance"].to_numpy(dtype=float, na_value=np.nan)
    tol = np.where(np.isnan(tol), scheme.tolerance, tol)
    measures = measure_status(
        obs["value"].to_numpy(dtype=float, na_value=np.nan),
        obs["target"].to_numpy(dtype=float, na_value=np.nan),
        obs["polarity"].to_numpy(dtype=object),
        obs["amber_threshold"].to_numpy(dtype=float, na_value=np.nan),
        tol,
        scheme.exceeding_margin,
    )
    milestones = obs["milestone_status"].map(scheme.milestones).fillna("not_available").to_numpy(dtype=object)
    return pd.Series(np.where(obs["kind"].to_numpy() == "milestone", milestones, measures), index=obs.index,
                     name="status")


def apply_overrides(status: pd.Series, override: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Final status and an ``overridden`` flag: a senior override wins, and is shown as such."""
    overridden = override.notna() & (override != status)
    return status.where(override.isna(), override), overridden
