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

Every edge is decided on the figures as typed, not on their binary floats (see
:mod:`goldenthread.measures.rounding`): 85.5 against 90 with a 5% tolerance is amber although
90 - 0.05 * 90 is not exactly 85.5 in binary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.inputs.config import StatusScheme
from goldenthread.inputs.contract import MILESTONE_STATUSES, STATUS_KEYS
from goldenthread.measures.rounding import Figures, compare, decide

# Statuses are worked out as small integer codes (positions in STATUS_KEYS) and turned into labels
# once at the end: building arrays of Python strings row by row is most of the cost otherwise.
BLUE, GREEN, AMBER, RED, DATA_ONLY, NOT_AVAILABLE = (STATUS_KEYS.index(k) for k in STATUS_KEYS)
_LABELS = np.array(STATUS_KEYS, dtype=object)


def as_status(codes: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Integer status codes as a categorical Series of status keys."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUS_KEYS), index=index, name="status")


def measure_status_codes(
    value: np.ndarray,
    target: np.ndarray,
    lower_is_better: np.ndarray,
    rated: np.ndarray,
    amber_threshold: np.ndarray,
    tolerance: np.ndarray,
    exceeding_margin: float | None = None,
) -> np.ndarray:
    """Status codes for numeric measures; ``rated`` is False where polarity is none."""
    sign = np.where(lower_is_better, -1.0, 1.0)  # turns "better" into "higher" whatever the polarity
    green = sign * compare(value, target) >= 0  # exactly on target is green
    has_floor = ~np.isnan(amber_threshold)
    above_floor = sign * compare(value, amber_threshold) >= 0  # on the floor is amber
    within_tolerance = decide(
        _short_of_target_by_at_most_tolerance,
        (sign, value, target, tolerance),
        _size_of_terms,
        where=~(green | has_floor),
    )
    within_amber = np.where(has_floor, above_floor, within_tolerance)
    codes = np.where(green, GREEN, np.where(within_amber, AMBER, RED)).astype(np.int8)
    if exceeding_margin is not None:
        beyond = decide(
            _ahead_of_target_by_more_than_margin,
            (sign, value, target, exceeding_margin),
            _size_of_terms,
            strict=True,
            where=green,
        )
        codes[green & beyond] = BLUE
    codes[~(rated & ~np.isnan(target))] = DATA_ONLY
    codes[np.isnan(value)] = NOT_AVAILABLE
    return codes


def amber_edge(
    target: np.ndarray, lower_is_better: np.ndarray, amber_threshold: np.ndarray, tolerance: np.ndarray
) -> np.ndarray:
    """Where amber ends and red begins, per row: the figure that is just still amber.

    The absolute ``amber_threshold`` when one is set, else ``tolerance`` x |target| short of the
    target (below it when higher is better, above it when lower is better). This is the edge
    :func:`measure_status_codes` rates against; it decides each figure on its typed digits
    rather than on this float (a figure typed as the edge is amber), so a chart's bands and the
    statuses it marks agree to the last binary digit.
    """
    target = np.asarray(target, dtype=float)
    threshold = np.asarray(amber_threshold, dtype=float)
    sign = np.where(lower_is_better, -1.0, 1.0)
    return np.where(np.isnan(threshold), target - sign * np.asarray(tolerance, dtype=float) * np.abs(target), threshold)


def exceeding_edge(target: np.ndarray, lower_is_better: np.ndarray, margin: float) -> np.ndarray:
    """Where green ends and blue (exceeding) begins: ``margin`` x |target| better than the target.

    A figure must be strictly beyond this edge to be blue (see :func:`measure_status_codes`).
    """
    target = np.asarray(target, dtype=float)
    sign = np.where(lower_is_better, -1.0, 1.0)
    edge: np.ndarray = target + sign * margin * np.abs(target)
    return edge


def _short_of_target_by_at_most_tolerance(
    sign: Figures, value: Figures, target: Figures, tolerance: Figures
) -> Figures:
    """>= 0 when the figure is no further behind target than ``tolerance`` x |target| (floats or Decimals)."""
    return sign * (value - target) + tolerance * abs(target)


def _ahead_of_target_by_more_than_margin(sign: Figures, value: Figures, target: Figures, margin: Figures) -> Figures:
    """> 0 when the figure is ahead of target by more than ``margin`` x |target| (floats or Decimals)."""
    return sign * (value - target) - margin * abs(target)


def _size_of_terms(sign: Figures, value: Figures, target: Figures, fraction: Figures) -> Figures:
    """How large the terms of the two margins above are, for telling binary noise from a real gap."""
    return abs(value) + abs(target) * (1.0 + abs(fraction))


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
    polarity = np.asarray(polarity, dtype=object)
    codes = measure_status_codes(
        np.asarray(value, float),
        np.asarray(target, float),
        polarity == "lower",
        polarity != "none",
        np.asarray(amber_threshold, float),
        np.asarray(tolerance, float),
        exceeding_margin,
    )
    labels: np.ndarray = _LABELS[codes]
    return labels


def milestone_codes(states: pd.Series, scheme: StatusScheme) -> np.ndarray:
    """Status codes for milestone delivery states through the scheme's mapping (blank: not available)."""
    mapping = np.array(
        [STATUS_KEYS.index(scheme.milestones[s]) for s in MILESTONE_STATUSES] + [NOT_AVAILABLE], dtype=np.int8
    )
    state = pd.Categorical(states, categories=MILESTONE_STATUSES).codes  # -1 for blank
    codes: np.ndarray = mapping[state]
    return codes


def compute_status(obs: pd.DataFrame, scheme: StatusScheme) -> pd.Series:
    """Status for each row of an observations frame (see :func:`goldenthread.measures.scorecard.observations`).

    Needs columns ``kind``, ``value``, ``target``, ``polarity``, ``amber_threshold``,
    ``tolerance`` and ``milestone_status``. Returns a categorical Series of status keys.
    """
    polarity = pd.Categorical(obs["polarity"], categories=["higher", "lower", "none"]).codes
    is_milestone = pd.Categorical(obs["kind"], categories=["measure", "milestone"]).codes == 1
    return as_status(status_codes(obs, scheme, polarity == 1, polarity != 2, is_milestone), obs.index)


def status_codes(
    obs: pd.DataFrame, scheme: StatusScheme, lower_is_better: np.ndarray, rated: np.ndarray, is_milestone: np.ndarray
) -> np.ndarray:
    """:func:`compute_status` as integer codes, given the per-row flags already worked out."""
    tol = obs["tolerance"].to_numpy(dtype=float, na_value=np.nan)
    tol = np.where(np.isnan(tol), scheme.tolerance, tol)
    measures = measure_status_codes(
        obs["value"].to_numpy(dtype=float, na_value=np.nan),
        obs["target"].to_numpy(dtype=float, na_value=np.nan),
        lower_is_better,
        rated,
        obs["amber_threshold"].to_numpy(dtype=float, na_value=np.nan),
        tol,
        scheme.exceeding_margin,
    )
    if is_milestone.any():
        measures = np.where(is_milestone, milestone_codes(obs["milestone_status"], scheme), measures)
    return measures


def override_codes(codes: np.ndarray, override: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The one override rule, on status codes: a senior override (a code, -1 for none) replaces the
    computed status, and counts as ``overridden`` only where it differs from it.

    Returns the final codes and the ``overridden`` flags.
    """
    override = np.asarray(override)
    given = override >= 0
    return np.where(given, override, codes).astype(np.int8), given & (override != codes)


def status_code(statuses: pd.Series) -> np.ndarray:
    """Status keys (text or categorical; blank for none) as codes, -1 where blank."""
    codes: np.ndarray = pd.Categorical(statuses.astype(object), categories=STATUS_KEYS).codes.astype(np.int8)
    return codes


def apply_overrides(status: pd.Series, override: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Final status and an ``overridden`` flag: a senior override wins, and is shown as such.

    :func:`override_codes` on a Series of status keys; the final status is text (object dtype).
    """
    final, overridden = override_codes(status_code(status), status_code(override))
    return pd.Series(_LABELS[final], index=status.index), pd.Series(overridden, index=status.index)
