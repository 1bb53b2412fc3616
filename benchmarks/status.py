"""Benchmark: status (RAG) and direction of travel for 5,000 indicators x 120 months.

What is measured
    A synthetic dataset (600,000 value rows by default) is built in memory with a fixed seed, in
    the same typed shape :func:`goldenthread.inputs.load.load_dataset` produces (periods as nullable
    ``Int64`` month ordinals, numbers as float, text as object with ``None`` for blank). Then:

    * ``goldenthread.measures.scorecard.observations(indicators, values, targets, commentary, scheme, 4)``:
      effective targets, status, overrides and both directions of travel for every row;
    * ``goldenthread.measures.status.compute_status`` alone, on the observations frame.

    Each is run once to warm up, then timed ``--repeats`` times (default 5); the median is reported
    together with rows per second. The requirement is that status and trend for 5,000 x 120 take
    well under a second, so the script exits with status 1 when the median of ``observations()``
    is over ``--budget`` seconds (default 1.0) and prints a cProfile summary of where the time goes.

How to run (from the repository root, in the goldenthread virtual environment)::

    python benchmarks/status.py
    python benchmarks/status.py --repeats 9 --profile      # always print the profile
    python benchmarks/status.py --indicators 500 --months 24 --budget 0.2

The machine's load makes single timings noisy; compare medians from the same run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from goldenthread.inputs.config import StatusScheme
from goldenthread.measures.scorecard import observations
from goldenthread.measures.status import compute_status

SEED = 20190731
FIRST_PERIOD = 2009 * 12 + 7  # August 2009, so 120 months end in July 2019
FY_START_MONTH = 4

MILESTONE_STATES = np.array(["complete", "on_track", "at_risk", "off_track", "not_started"], dtype=object)
COMMENTARY_COLUMNS = [
    "indicator",
    "period",
    "commentary",
    "actions",
    "status_override",
    "override_reason",
    "highlight",
    "page_title",
]


def _text(values: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
    """An object array of text, ``None`` where ``blank`` (as ``validate.to_typed`` leaves blanks)."""
    out = np.asarray(values, dtype=object).copy()
    if blank is not None:
        out[blank] = None
    return out


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame keeping text columns as ``object`` (pandas 3 would otherwise infer ``str``)."""
    return pd.DataFrame(
        {
            k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
            for k, v in columns.items()
        }
    )


def make_dataset(
    n_indicators: int = 5_000, n_months: int = 120, seed: int = SEED
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Synthetic ``indicators``, ``values``, ``targets`` and ``commentary`` frames.

    Every indicator has a row for every month (so rows = indicators x months). Quarterly and annual
    indicators carry a figure only in the months they report (the quarter's last month, or March);
    their other rows are blank, which the contract allows. About 3% of measure figures are missing.
    """
    rng = np.random.default_rng(seed)
    n = n_indicators
    ids = np.array([f"IND-{i:05d}" for i in range(n)], dtype=object)

    kind = np.where(rng.random(n) < 0.12, "milestone", "measure").astype(object)
    is_ms = kind == "milestone"
    polarity = rng.choice(np.array(["higher", "lower", "none"], dtype=object), n, p=[0.5, 0.35, 0.15])
    polarity[is_ms] = "none"
    frequency = rng.choice(np.array(["monthly", "quarterly", "annual"], dtype=object), n, p=[0.85, 0.12, 0.03])
    aggregation = np.where(~is_ms & (rng.random(n) < 0.1), "cumulative", "snapshot").astype(object)
    decimals = rng.integers(0, 3, n)
    base = rng.uniform(5, 500, n)

    rated = ~is_ms & (polarity != "none")
    has_target = rated & (rng.random(n) < 0.85)  # some rated measures are data only (target NaN)
    # cumulative measures: the target is for the full year; the monthly figure is a year-to-date total
    full_year = np.where(aggregation == "cumulative", 12.0, 1.0)
    target = np.where(has_target, base * full_year * rng.uniform(0.95, 1.05, n), np.nan)
    sign = np.where(polarity == "lower", 1.0, -1.0)  # amber floor on the worse side of the target
    has_amber = has_target & (rng.random(n) < 0.3)
    amber = np.where(has_amber, target * (1.0 + sign * rng.uniform(0.02, 0.15, n)), np.nan)
    tolerance = np.where(has_target & ~has_amber & (rng.random(n) < 0.25), rng.choice([0.02, 0.1, 0.2], n), np.nan)

    indicators = _frame(
        {
            "id": ids,
            "title": _text(np.array([f"Indicator {i}" for i in range(n)], dtype=object)),
            "kind": kind,
            "unit": _text(np.where(is_ms, "", "number").astype(object), is_ms),
            "decimals": decimals.astype(int),
            "polarity": polarity,
            "frequency": frequency,
            "aggregation": aggregation,
            "target": target,
            "tolerance": tolerance,
            "amber_threshold": amber,
            "first_reported": pd.array(np.full(n, FIRST_PERIOD), dtype="Int64"),
            "classification": np.full(n, "public", dtype=object),
            "_row": np.arange(n) + 2,
        }
    )

    # --- values: indicator-major, one row per month ---------------------------------------------
    m = n_months
    ind_idx = np.repeat(np.arange(n), m)
    period = np.tile(FIRST_PERIOD + np.arange(m), n)
    rows = n * m
    month_of_year = (period - (FY_START_MONTH - 1)) % 12 + 1  # 1 = April
    freq_r = frequency[ind_idx]
    reports = np.where(
        freq_r == "monthly", True, np.where(freq_r == "quarterly", month_of_year % 3 == 0, month_of_year == 12)
    )

    # a random walk around each indicator's level; cumulative measures accumulate over the year
    walk = np.cumsum(rng.normal(0.0, 0.03, (n, m)), axis=1).ravel()
    level = base[ind_idx] * np.exp(walk)
    level = np.where(aggregation[ind_idx] == "cumulative", level * month_of_year, level)
    scale = 10.0 ** decimals[ind_idx]
    value = np.round(level * scale) / scale
    missing = rng.random(rows) < 0.03
    is_ms_r = is_ms[ind_idx]
    value = np.where(is_ms_r | ~reports | missing, np.nan, value)

    state_idx = np.minimum(np.cumsum(rng.random((n, m)) < 0.04, axis=1), 4).ravel()  # states drift
    states = np.array(["not_started", "on_track", "at_risk", "on_track", "complete"], dtype=object)[state_idx]
    states = np.where(rng.random(rows) < 0.15, MILESTONE_STATES[rng.integers(0, 5, rows)], states)
    milestone_status = _text(states, ~is_ms_r | missing)

    note = _text(np.full(rows, "Provisional", dtype=object), rng.random(rows) >= 0.01)
    values = _frame(
        {
            "indicator": ids[ind_idx],
            "period": pd.array(period, dtype="Int64"),
            "value": value,
            "milestone_status": milestone_status,
            "note": note,
            "_row": np.arange(rows) + 2,
        }
    )

    # --- targets: per-month profiles for a few hundred rated indicators ---------------------------
    profiled = rng.choice(np.flatnonzero(has_target), size=min(250, int(has_target.sum())), replace=False)
    last = min(12, m)  # the final year's months
    t_ind = np.repeat(profiled, last)
    t_period = np.tile(FIRST_PERIOD + m - last + np.arange(last), len(profiled))
    t_profile = np.where(aggregation[t_ind] == "cumulative", ((t_period - (FY_START_MONTH - 1)) % 12 + 1) / 12.0, 1.0)
    t_target = target[t_ind] * t_profile * rng.uniform(0.9, 1.1, len(t_ind))
    t_amber = np.where(rng.random(len(t_ind)) < 0.5, t_target * (1.0 + sign[t_ind] * 0.05), np.nan)
    targets = _frame(
        {
            "indicator": ids[t_ind],
            "period": pd.array(t_period, dtype="Int64"),
            "target": t_target,
            "amber_threshold": t_amber,
            "_row": np.arange(len(t_ind)) + 2,
        }
    )

    # --- commentary: the last quarter's commentary for a sample, a few overrides ------------------
    c_ind = rng.choice(n, size=min(600, n), replace=False)
    c_period = FIRST_PERIOD + m - 1 - rng.integers(0, 3, len(c_ind))
    k = len(c_ind)
    override = _text(rng.choice(np.array(["green", "amber", "red"], dtype=object), k), rng.random(k) >= 0.1)
    commentary = _frame(
        {
            "indicator": ids[c_ind],
            "period": pd.array(c_period, dtype="Int64"),
            "commentary": np.full(k, "Performance is in line with the profile.", dtype=object),
            "actions": _text(np.full(k, "Monthly review.", dtype=object), rng.random(k) < 0.5),
            "status_override": override,
            "override_reason": _text(
                np.full(k, "Known data issue.", dtype=object), np.array([o is None for o in override])
            ),
            "highlight": _text(
                rng.choice(np.array(["success", "concern", "exclude"], dtype=object), k), rng.random(k) >= 0.2
            ),
            "page_title": _text(np.full(k, "Headline", dtype=object), rng.random(k) >= 0.05),
            "classification": np.full(k, "public", dtype=object),
            "_row": np.arange(k) + 2,
        }
    )
    return indicators, values, targets, commentary


def time_it(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``fn`` after one untimed warm-up call."""
    fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def profile(fn: Callable[[], Any], top: int = 25) -> str:
    """cProfile of one call of ``fn``: the ``top`` functions by cumulative and by own time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    buf.write(f"--- by cumulative time (top {top}) ---\n")
    stats.sort_stats("cumulative").print_stats(top)
    buf.write(f"--- by own time (top {top}) ---\n")
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--indicators", type=int, default=5_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per function (median reported)")
    ap.add_argument("--budget", type=float, default=1.0, help="fail if observations() median exceeds this (s)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary even when within budget")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    indicators, values, targets, commentary = make_dataset(args.indicators, args.months)
    build = time.perf_counter() - t
    scheme = StatusScheme()
    rows = len(values)

    def run_observations() -> pd.DataFrame:
        return observations(indicators, values, targets, commentary, scheme, FY_START_MONTH)

    obs = run_observations()
    status_input = obs[
        ["kind", "value", "target", "polarity", "amber_threshold", "tolerance", "milestone_status"]
    ].copy()

    def run_status() -> pd.Series:
        return compute_status(status_input, scheme)

    results = {
        "observations()": time_it(run_observations, args.repeats),
        "compute_status()": time_it(run_status, args.repeats),
    }

    print(
        f"goldenthread status benchmark: {args.indicators:,} indicators x {args.months} months = {rows:,} rows "
        f"(targets {len(targets):,} rows, commentary {len(commentary):,} rows; data built in {build:.2f}s)"
    )
    print(
        f"pandas {pd.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}; "
        f"median of {args.repeats} runs after 1 warm-up"
    )
    print()
    print(f"{'function':<18} {'rows':>9} {'median s':>9} {'min s':>8} {'max s':>8} {'rows/s':>12}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<18} {rows:>9,} {med:>9.3f} {min(times):>8.3f} {max(times):>8.3f} {rows / med:>12,.0f}")
    print()
    print("status:", ", ".join(f"{k} {v:,}" for k, v in obs["status"].value_counts().items()))
    print("dot_previous:", ", ".join(f"{k} {v:,}" for k, v in obs["dot_previous"].value_counts().items()))

    med_obs = statistics.median(results["observations()"])
    over = med_obs > args.budget
    print()
    if over:
        print(f"FAIL: observations() median {med_obs:.3f}s is over the {args.budget:.2f}s budget")
    else:
        print(f"OK: observations() median {med_obs:.3f}s is within the {args.budget:.2f}s budget")
    if over or args.profile:
        print()
        print("cProfile of one observations() call:")
        print(profile(run_observations))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
