"""Benchmark: reading and validating a council's data folder (``load_dataset``), stage by stage.

What is measured

    ``goldenthread.inputs.load.load_dataset`` on ``data/example`` (41 indicators), ``data/hollowmere`` (one
    Excel workbook) and the example copied ``--times`` times over (default 10: 410 indicators, made as
    ``benchmarks/scale.py`` makes them), each ``--repeats`` times (default 20) in this process after one
    warm-up load; the median time of a whole load, and the median time spent in each step of it (reading
    the files, the per-column checks through pandera, the typed tables, the checks across tables).

Every report build and every test that breaks a data folder starts with this load, so its cost is paid
hundreds of times in ``make test`` and once per run in a batch. Nothing is written outside a temporary
folder, removed at the end. Takes about half a minute.

How to run (from anywhere, in the goldenthread virtual environment)::

    python benchmarks/validate.py
    python benchmarks/validate.py --repeats 50 --times 10
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import goldenthread.inputs.load as load
import goldenthread.inputs.validate as validate
from scale import replicate

ROOT = Path(__file__).resolve().parent.parent
#: The steps timed inside a load: (module, function name).
STEPS = [
    (load, "_read_tables"),
    (load, "read_yaml"),
    (validate, "check_cells"),
    (validate, "to_typed"),
    (validate, "check_duplicates"),
    (validate, "check_values"),
    (validate, "check_benchmarks"),
    (validate, "check_warnings"),
]


def _timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return timed


def measure(folder: Path, repeats: int) -> dict[str, Any]:
    """Median milliseconds of a whole load of ``folder`` and of each step in it."""
    spent: dict[str, float] = defaultdict(float)
    originals = [(module, name, getattr(module, name)) for module, name in STEPS]
    for module, name, function in originals:
        setattr(module, name, _timed(spent, name, function))
    try:
        load.load_dataset(folder)  # warm-up: imports, caches
        totals: list[float] = []
        steps: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeats):
            spent.clear()
            start = time.perf_counter()
            load.load_dataset(folder)
            totals.append(time.perf_counter() - start)
            for name in (n for _, n in STEPS):
                steps[name].append(spent.get(name, 0.0))
    finally:
        for module, name, function in originals:
            setattr(module, name, function)
    return {
        "load_ms": round(statistics.median(totals) * 1000, 1),
        "steps_ms": {name: round(statistics.median(t) * 1000, 1) for name, t in steps.items()},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--times", type=int, default=10, help="copies of the example for the large set")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        large = replicate(ROOT / "data" / "example", Path(tmp) / "large", args.times)
        folders = {
            "example": ROOT / "data" / "example",
            "hollowmere (Excel)": ROOT / "data" / "hollowmere",
            f"example x{args.times}": large,
        }
        result = {name: measure(folder, args.repeats) for name, folder in folders.items()}
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
