"""Benchmark: what measuring coverage costs the tests, in one run.

Why: coverage of ``lib/goldenthread`` is measured in CI and by ``make coverage``, not in a developer's
``make test`` (Makefile). That choice rests on this cost, which the machine's own drift hides if the two
are timed at different moments (the same suite took 467 s and 670 s without coverage an hour apart on one
2-core machine). So the two are timed alternately, with and without ``--cov=goldenthread``, each in a
fresh pytest process in one worker, and compared by their medians.

What is measured (wall clock, working directory = repository root)

    plain     ``python -m pytest FILES -q -p no:cacheprovider``
    coverage  the same with ``--cov=goldenthread --cov-report=``

By default two groups: unit test files (``-m "not integration"``, each property on a quarter of its examples
as in ``make test-fast``) and integration test files (the real command, HTML and PDF).

Measured on a 2-core machine (3 pairs of units, 2 of integration): unit 27.0 s against 46.5 s (1.72x),
integration 57.2 s against 76.9 s (1.34x).

How to run (from anywhere, in the goldenthread virtual environment)::

    python benchmarks/coverage_cost.py
    python benchmarks/coverage_cost.py --repeats 3 --group unit
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: name -> (test files, extra pytest arguments, extra environment)
GROUPS: dict[str, tuple[list[str], list[str], dict[str, str]]] = {
    "unit": (
        ["tests/test_findings.py", "tests/test_benchmarking.py"],
        ["-m", "not integration"],
        {"GOLDENTHREAD_TEST_FAST": "1"},
    ),
    "integration": (["tests/test_report_integration.py", "tests/test_render_safety.py"], [], {}),
}
COVERAGE = ["--cov=goldenthread", "--cov-report="]


def timed(files: list[str], extra: list[str], env: dict[str, str], coverage: bool) -> float:
    """Seconds one pytest process takes over ``files``; a failing test run is an error, not a figure."""
    args = [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider", *extra]
    start = time.perf_counter()
    result = subprocess.run(
        [*args, *(COVERAGE if coverage else [])],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"pytest failed ({result.returncode}):\n{result.stdout[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="pairs (plain, coverage) per group")
    parser.add_argument("--group", choices=sorted(GROUPS), action="append", help="default: every group")
    args = parser.parse_args()
    results = {}
    for name in args.group or list(GROUPS):
        files, extra, env = GROUPS[name]
        plain, covered = [], []
        for _ in range(args.repeats):
            plain.append(timed(files, extra, env, coverage=False))
            covered.append(timed(files, extra, env, coverage=True))
        results[name] = {
            "files": files,
            "plain_seconds": [round(t, 2) for t in plain],
            "coverage_seconds": [round(t, 2) for t in covered],
            "ratio_of_medians": round(statistics.median(covered) / statistics.median(plain), 2),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
