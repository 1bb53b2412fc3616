"""Benchmark: how the report's build grows with the indicator set (the example's, and ten times it).

What is measured

    The Corporate Performance Report for ``--period`` (default 2019-07) is built with
    ``goldenthread report --data <folder> --period <period> --out <tmp>`` (HTML and PDF) for two
    data sets, each in a fresh process:

    small  ``data/example`` copied as it is (41 indicators, 38 of them public);
    large  the same folder with every indicator copied ``--times`` times over (default 10: 410
           indicators, 380 public), each copy under a new id (``ASC-01`` -> ``ASC-01-C2``) with its
           own figures, targets and commentary, so the data stays valid and the report has ten
           times the appendix entries and charts. (A copy's figures are its original's, so its
           chart is the same picture: the HTML and the notebook hold every copy, the PDF, where
           Typst stores an image once, holds each picture once.)

    For each build: wall time; CPU time (its own and that of every process it started and waited for:
    the kernel, the chart workers, Typst); the manifest's per-stage timings; the sizes of the executed
    (published) notebook, the HTML page and the PDF; the peak resident memory of the build's
    largest process (``os.wait4``'s ``ru_maxrss``: the CLI or the Jupyter kernel it starts,
    whichever is larger); and where the notebook's bytes go (per output MIME type, and the charts'
    images inside the report's own Typst payload).

The goals (issue 12) are the large build in under twice the small one's time and a notebook
under 10 MB. Builds alternate (small, large, small, large ...) ``--repeats`` times (default 1)
so that drift in the machine's load hits both; medians are reported, as JSON on stdout. Everything
is written to temporary folders, removed at the end. Takes a minute or two per repeat.

How to run (from anywhere, in the goldenthread virtual environment)::

    python benchmarks/scale.py
    python benchmarks/scale.py --repeats 3 --times 10 --period 2019-07
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
TYPST_MIME = "application/vnd.goldenthread.typst+json"
#: The CSV files that name an indicator in their ``indicator`` (or, for indicators.csv, ``id``) column.
PER_INDICATOR = ("values.csv", "targets.csv", "commentary.csv")


def copy_id(indicator: str, copy: int) -> str:
    """The id of an indicator's ``copy``-th copy: the original keeps its id (copy 1)."""
    return indicator if copy == 1 else f"{indicator}-C{copy}"


def _rewrite(path: Path, key: str, times: int, change: Any = None) -> None:
    """Rewrite one CSV with every row repeated ``times`` times, the ``key`` column renamed per copy."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or []), list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for copy in range(1, times + 1):
            for row in rows:
                new = {**row, key: copy_id(row[key], copy)}
                writer.writerow(change(new, copy) if change and copy > 1 else new)


def _retitle(row: dict[str, str], copy: int) -> dict[str, str]:
    return {**row, "title": f"{row['title']} (copy {copy})"}


def _no_highlight(row: dict[str, str], copy: int) -> dict[str, str]:
    """Copies are not chosen areas: the leadership team's choice stays with the originals."""
    return {**row, "highlight": ""} if "highlight" in row else row


#: Where organisation.yaml's sign_off section starts (it is the file's last section, comment included).
SIGN_OFF_START = re.compile(r"^(# The sign-offs a public report needs.*\n)?sign_off:", re.M)


def without_sign_off(folder: Path) -> Path:
    """``folder`` (a copy of a council's data) made a council that does not sign off: no audit store and no
    ``sign_off`` section. A copy whose figures are changed or multiplied would rightly no longer hold the
    original's sign-offs; the runs and tests that make such copies are about something else."""
    (folder / "audit.sqlite").unlink(missing_ok=True)
    org = folder / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    if found := SIGN_OFF_START.search(text):
        org.write_text(text[: found.start()], encoding="utf-8")
    return folder


def replicate(source: Path, dest: Path, times: int) -> Path:
    """``source`` (a data folder) copied to ``dest`` with every indicator ``times`` times over (a council
    that does not sign off: the copies' figures were never signed off)."""
    shutil.copytree(source, dest)
    without_sign_off(dest)
    if times > 1:
        _rewrite(dest / "indicators.csv", "id", times, _retitle)
        for name in PER_INDICATOR:
            if (dest / name).exists():
                _rewrite(dest / name, "indicator", times, _no_highlight if name == "commentary.csv" else None)
    return dest


def _command() -> list[str]:
    script = Path(sys.executable).with_name("goldenthread")
    return [str(script)] if script.exists() else [sys.executable, "-m", "goldenthread"]


def notebook_breakdown(path: Path) -> dict[str, int]:
    """Bytes of the notebook's outputs per MIME type, and of the images inside the Typst payloads."""
    nb = nbformat.read(path, as_version=4)
    sizes: dict[str, int] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime, data in out.get("data", {}).items():
                text = json.dumps(data)
                sizes[mime] = sizes.get(mime, 0) + len(text)
                if mime == TYPST_MIME and isinstance(data, dict):
                    files = sum(len(str(b)) for b in data.get("files", {}).values())
                    sizes[f"{mime} files"] = sizes.get(f"{mime} files", 0) + files
    return dict(sorted(sizes.items()))


def build(data: Path, period: str, out: Path) -> dict[str, Any]:
    """One report build in a fresh process: wall time, peak memory, stage timings and sizes."""
    cmd = [*_command(), "report", "--data", str(data), "--period", period, "--out", str(out)]
    t = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert child.stdout is not None
    log = child.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}):\n{log}")
    folder = out / period
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    notebook = folder / "corporate_performance_report.ipynb"
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux
    return {
        "seconds": round(seconds, 2),
        # CPU time of the build and every process it waited for (kernel, chart workers, Typst): steadier than
        # wall time on a shared machine, and what a batch of reports on every core pays
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "timings_seconds": manifest.get("timings_seconds", {}),
        "notebook_bytes": notebook.stat().st_size,
        "html_bytes": (folder / "corporate_performance_report.html").stat().st_size,
        "pdf_bytes": (folder / "corporate_performance_report.pdf").stat().st_size,
        "peak_memory_bytes": peak,
        "notebook_breakdown": notebook_breakdown(notebook),
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the runs (the breakdown and sizes are the same each time)."""
    keys = ("seconds", "cpu_seconds", "peak_memory_bytes")
    result = {**runs[-1], **{k: statistics.median(r[k] for r in runs) for k in keys}}
    result["timings_seconds"] = {
        k: round(statistics.median(r["timings_seconds"].get(k, 0.0) for r in runs), 3)
        for k in runs[-1]["timings_seconds"]
    }
    result["runs_seconds"] = [r["seconds"] for r in runs]
    result["best_seconds"] = min(r["seconds"] for r in runs)
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--period", default="2019-07")
    parser.add_argument("--times", type=int, default=10, help="copies of every indicator in the large set")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data", type=Path, default=EXAMPLE, help="the data folder to start from")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gt-scale-") as tmp:
        work = Path(tmp)
        sets = {
            "small": replicate(args.data, work / "small", 1),
            "large": replicate(args.data, work / "large", args.times),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sets}
        for i in range(args.repeats):
            for name, data in sets.items():
                runs[name].append(build(data, args.period, work / f"out-{name}-{i}"))
                print(f"{name} #{i + 1}: {runs[name][-1]['seconds']} s", file=sys.stderr)
        result: dict[str, Any] = {name: _median(r) for name, r in runs.items()}
    small, large = result["small"], result["large"]
    ratio = round(large["seconds"] / small["seconds"], 2)
    result["indicators"] = {"small": _count(args.data, 1), "large": _count(args.data, args.times)}
    result["time_ratio"] = ratio
    # the same from each set's fastest run (the one least slowed by the rest of the machine), and in CPU time
    result["best_time_ratio"] = round(large["best_seconds"] / small["best_seconds"], 2)
    result["cpu_ratio"] = round(large["cpu_seconds"] / small["cpu_seconds"], 2)
    result["goals"] = {
        "large under 2x the small time": ratio < 2,
        "large notebook under 10 MB": large["notebook_bytes"] < 10_000_000,
    }
    print(json.dumps(result, indent=2))
    return result


def _count(data: Path, times: int) -> int:
    with (data / "indicators.csv").open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f)) * times


if __name__ == "__main__":
    main()
