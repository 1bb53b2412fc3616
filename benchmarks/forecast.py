"""Benchmark: year-end forecasts for 5,000 indicators x 120 months.

What is measured
    The synthetic dataset of ``benchmarks/status.py`` (5,000 indicators, 120 months to July 2019,
    fixed seed: monthly, quarterly and annual measures, 10% year-to-date totals, milestones, gaps)
    is turned into the history by ``observations`` once, untimed. Then
    ``goldenthread.measures.forecast.year_end_forecasts(history, indicators, period, 4)`` is run once
    to warm up and timed ``--repeats`` times (default 5); the median is reported. The requirement is
    a second or two for 5,000 indicators, so the script exits with status 1 when the median is over
    ``--budget`` seconds (default 2.0) and prints a cProfile summary of where the time goes.

How to run (from the repository root, in the goldenthread virtual environment)::

    python benchmarks/forecast.py
    python benchmarks/forecast.py --indicators 500 --months 24 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from goldenthread.inputs.config import StatusScheme  # noqa: E402
from goldenthread.measures.forecast import year_end_forecasts  # noqa: E402
from goldenthread.measures.scorecard import observations  # noqa: E402
from status import FIRST_PERIOD, FY_START_MONTH, make_dataset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=5_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    indicators, values, targets, commentary = make_dataset(args.indicators, args.months)
    history = observations(indicators, values, targets, commentary, StatusScheme(), FY_START_MONTH)
    period = FIRST_PERIOD + args.months - 1

    def run() -> None:
        year_end_forecasts(history, indicators, period, FY_START_MONTH, targets)

    run()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    forecasts = year_end_forecasts(history, indicators, period, FY_START_MONTH, targets)
    made = int(forecasts["projected"].notna().sum())
    print(
        f"year_end_forecasts: {args.indicators:,} indicators x {args.months} months ({len(history):,} rows), "
        f"{made:,} forecasts: median {median:.3f} s over {args.repeats} runs"
    )
    if args.profile or median > args.budget:
        prof = cProfile.Profile()
        prof.runcall(run)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(20)
        print(out.getvalue())
    return 1 if median > args.budget else 0


if __name__ == "__main__":
    sys.exit(main())
