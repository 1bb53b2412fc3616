"""Benchmark: every directorate plan, one at a time and in parallel, in one run.

What is measured (wall clock, from the repository root, outputs in temporary folders removed at the end)

    serial    ``pipeline.run_reports`` for every public directorate plan with ``workers=1``
    parallel  the same with one worker per core (what ``goldenthread report --all`` does)

Each run validates the data, runs ``notebooks/directorate_plan.ipynb`` with Papermill and writes
HTML and PDF, exactly as the command does. The two alternate ``--repeats`` times (default 1) and
the medians, their ratio (the speed-up) and the seconds per plan are printed. Timings are noisy on
a shared machine: compare the ratio, not the absolute figures.

How to run (in the goldenthread virtual environment)::

    python benchmarks/directorates.py
    python benchmarks/directorates.py --repeats 3 --formats html
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from goldenthread.documents.directorate_plan import directorates_for
from goldenthread.run.pipeline import run_reports

ROOT = Path(__file__).resolve().parent.parent


def build_all(workers: int, formats: list[str], period: str) -> float:
    plans, _ = directorates_for(ROOT / "data" / "example", "public")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        results = run_reports(
            ROOT / "parameters" / f"{period}.yaml",
            [{"directorate": d} for d in plans],
            workers=workers,
            notebook=ROOT / "notebooks" / "directorate_plan.ipynb",
            out_root=Path(out),
            formats=formats,
        )
        elapsed = time.perf_counter() - start
    failed = [s for s, r in results if isinstance(r, Exception)]
    if failed:
        raise SystemExit(f"failed: {failed}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--period", default="2019-07")
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    formats = args.formats.split(",")
    cores = os.cpu_count() or 1
    n = len(directorates_for(ROOT / "data" / "example", "public")[0])
    serial, parallel = [], []
    for _ in range(args.repeats):
        serial.append(build_all(1, formats, args.period))
        parallel.append(build_all(cores, formats, args.period))
    s, p = statistics.median(serial), statistics.median(parallel)
    print(f"{n} directorate plans ({args.formats}), {cores} cores, median of {args.repeats}:")
    print(f"  serial    {s:6.1f} s  ({s / n:.1f} s a plan)")
    print(f"  parallel  {p:6.1f} s  ({p / n:.1f} s a plan)")
    print(f"  speed-up  {s / p:6.2f}x")


if __name__ == "__main__":
    main()
