"""Benchmark: a quarter's owners' returns, sign-offs and audit trail on the example council, and at scale.

What is measured (each step once, in this process, on a temporary copy of ``data/example``)

    make       ``write_returns`` for October 2019: one workbook per owner (22 for the example)
    fill       not timed: every figure cell filled with last month's figure, every commentary cell typed
    collect    ``collect_returns`` of every workbook, one call (each file read, checked, merged, validated,
               swapped in and recorded in the audit store)
    again      the same files collected a second time (nothing changes: the idempotent path)
    signoff    ``record_signoff`` of the nine sign-offs organisation.yaml asks for
    state      ``signoff_state`` for October (what a report build checks)
    verify     ``AuditStore.verify`` of the resulting trail, then of a trail of ``--rows`` rows (default
               100,000) appended in batches of 1,000
    --times N  the same with the example's indicators N times over (benchmarks/scale.py's ``replicate``)

Figures are wall seconds, printed as JSON. The machine's load changes them: compare ratios from one run.

How to run (from the repository root, in the goldenthread virtual environment)::

    python benchmarks/returns.py
    python benchmarks/returns.py --times 10 --rows 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from goldenthread.audit.signoff import record_signoff, signoff_state  # noqa: E402
from goldenthread.audit.store import AuditEvent, AuditStore  # noqa: E402
from goldenthread.inputs.load import load_dataset  # noqa: E402
from goldenthread.inputs.periods import parse_period  # noqa: E402
from goldenthread.returns.collect import collect_returns, record_issued  # noqa: E402
from goldenthread.returns.workbook import write_returns  # noqa: E402
from scale import EXAMPLE, replicate  # noqa: E402

PERIOD = "2019-10"
NOW = dt.datetime(2019, 11, 1, 9, tzinfo=dt.UTC)
SIGN_OFF = """sign_off:
  required:
    - role: Monitoring Officer
    - role: Corporate Finance
    - {role: Director, directorate: Adult Services}
"""


def fill(path: Path) -> None:
    """Every open figure cell gets the month before's figure, every commentary cell a sentence."""
    book = openpyxl.load_workbook(path)
    sheet = book["Return"]
    header = {c.value: c.column for c in sheet[6]}
    for row in range(7, sheet.max_row + 1):
        if not sheet.cell(row, 1).value:
            continue
        figure = sheet.cell(row, header["Figure"])
        if figure.protection.locked is False and isinstance(sheet.cell(row, header["Sep 2019"]).value, int | float):
            figure.value = sheet.cell(row, header["Sep 2019"]).value
        state = sheet.cell(row, header["Milestone state"])
        if state.protection.locked is False:
            state.value = "on track"
        sheet.cell(row, header["Commentary"]).value = "Illustrative commentary for the benchmark."
    book.save(path)


def timed(results: dict[str, float], name: str, step):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = step()
    results[name] = round(time.perf_counter() - t, 3)
    return out


def quarter(data: Path, out: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    dataset = load_dataset(data)
    month = parse_period(PERIOD)
    issued = timed(results, "make", lambda: write_returns(dataset, month, out, now=NOW))
    results["workbooks"] = len(issued)
    with AuditStore.for_data(data) as store:
        record_issued(store, issued, who="Benchmark", now=NOW)
        for r in issued:
            fill(r.path)
        files = [r.path for r in issued]
        timed(results, "collect", lambda: collect_returns(data, files, who="Benchmark", store=store))
        timed(results, "again", lambda: collect_returns(data, files, who="Benchmark", store=store))
        collected = load_dataset(data)
        signers = [("Monitoring Officer", None), ("Corporate Finance", None), ("Director", "Adult Services")]
        timed(
            results,
            "signoff",
            lambda: [record_signoff(store, collected, month, r, "A. Person", d, now=NOW) for r, d in signers],
        )
        state = timed(results, "state", lambda: signoff_state(store, collected, month))
        assert state.complete, state
        check = timed(results, "verify", store.verify)
        results["rows"] = check.rows
    return results


def big_trail(folder: Path, rows: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with AuditStore(f"sqlite:///{folder / 'big.sqlite'}") as store:
        event = AuditEvent(action="collect", who="Benchmark", indicator="ASC-01", period=PERIOD, field="value")
        t = time.perf_counter()
        for _ in range(rows // 1000):
            store.append([event] * 1000, now=NOW)
        results["append_per_1000"] = round((time.perf_counter() - t) / max(rows // 1000, 1), 4)
        check = timed(results, "verify_big", store.verify)
        assert check.ok and check.rows == rows // 1000 * 1000
        results["rows_big"] = check.rows
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=1, help="the example's indicators this many times over")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the large audit trail verified")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = replicate(EXAMPLE, Path(tmp) / "council", args.times)
        org = data / "organisation.yaml"
        org.write_text(org.read_text(encoding="utf-8") + SIGN_OFF, encoding="utf-8")
        results = {"indicators_times": args.times, **quarter(data, Path(tmp) / "returns")}
        results.update(big_trail(Path(tmp), args.rows))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
