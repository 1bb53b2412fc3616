"""Benchmark: the full report build against the Papermill + nbconvert floor, in one run.

What is measured (wall clock, each in a fresh Python process, working directory = repository root)

    full   ``goldenthread report --period 2019-07 --out <tmp>``: validate the data, run the report
           notebook with Papermill, write HTML and PDF and the manifest. It is started with the
           ``goldenthread`` script beside ``sys.executable`` (or ``python -m goldenthread.run.cli`` if
           there is none), so the benchmark uses whichever environment runs it.
    floor  the least any Papermill-and-nbconvert report can cost: a notebook with one cell that
           only imports the same libraries (``pandas, numpy, matplotlib, seaborn, pandera.pandas,
           pydantic, jinja2, goldenthread``) is run with Papermill and exported with nbconvert's
           ``HTMLExporter(exclude_input=True)``, both in one fresh Python process, timed together.

The two alternate (full, floor, full, floor, ...) ``--repeats`` times (default 3) so that drift in
the machine's load hits both; the medians and their ratio are reported, with the per-stage timings
(``timings_seconds``) from each full run's ``manifest.json`` and the floor's own two stages.
Everything is written to temporary folders, removed at the end. Takes about a minute or two.

How to run (from anywhere, in the goldenthread virtual environment)::

    python benchmarks/pipeline.py
    python benchmarks/pipeline.py --repeats 5 --period 2019-07
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
FLOOR_IMPORTS = "import pandas, numpy, matplotlib, seaborn, pandera.pandas, pydantic, jinja2, goldenthread"

#: Run in a fresh interpreter: Papermill on the floor notebook, then the HTML export; prints stage timings.
FLOOR_RUNNER = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
import nbformat
import papermill as pm
from nbconvert import HTMLExporter
src, out = Path(sys.argv[1]), Path(sys.argv[2])
imports = time.perf_counter() - t0
t = time.perf_counter()
pm.execute_notebook(str(src), str(out / "floor.ipynb"), parameters={}, cwd=sys.argv[3], kernel_name="python3",
                    progress_bar=False, log_output=False)
execute = time.perf_counter() - t
t = time.perf_counter()
nb = nbformat.read(out / "floor.ipynb", as_version=4)
body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
(out / "floor.html").write_text(body, encoding="utf-8")
html = time.perf_counter() - t
print(json.dumps({"imports": round(imports, 3), "execute": round(execute, 3), "html": round(html, 3)}))
"""


def goldenthread_command() -> list[str]:
    """The ``goldenthread`` console script of the running environment, or ``python -m goldenthread.run.cli``."""
    bindir = Path(sys.executable).parent
    for name in ("goldenthread", "goldenthread.exe"):
        script = bindir / name
        if script.is_file():
            return [str(script)]
    return [sys.executable, "-m", "goldenthread.run.cli"]


def write_floor_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_IMPORTS)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def notebook_timings(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Papermill's own record in an executed notebook: whole-run and summed cell seconds, and each cell's."""
    nb = nbformat.read(path, as_version=4)
    cells: dict[str, float] = {}
    for i, cell in enumerate(nb.cells):
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.get("cell_type") == "code" and duration is not None:
            first = cell.source.strip().splitlines()[0][:50] if cell.source.strip() else ""
            tags = cell.get("metadata", {}).get("tags", [])
            name = "injected-parameters" if "injected-parameters" in tags else cell.get("id", str(i))  # id is random
            cells[f"{name}: {first}"] = float(duration)
    run = nb.metadata.get("papermill", {}).get("duration")
    if run is None and not cells:  # goldenthread's published notebook keeps no run times (the same bytes each build)
        return {}, {}
    return {"nb_run": round(float(run or 0.0), 3), "nb_cells": round(sum(cells.values()), 3)}, cells


def _run(cmd: list[str], what: str) -> tuple[float, str]:
    """Run ``cmd`` in the repository root; wall-clock seconds and stdout. Exits on failure."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}\n")
        sys.exit(1)
    return elapsed, proc.stdout


Run = tuple[float, dict[str, float], dict[str, float], dict[str, float]]  # wall, stages, notebook, cells


def run_full(command: list[str], period: str, out: Path, formats: str | None) -> Run:
    """One ``goldenthread report`` run: wall seconds, the manifest's ``timings_seconds``, notebook timings."""
    cmd = [*command, "report", "--period", period, "--out", str(out)]
    if formats:
        cmd += ["--format", formats]
    elapsed, _ = _run(cmd, "goldenthread report")
    folder = out / period
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    executed = folder / Path(manifest["notebook"]).with_suffix(".ipynb").name
    nb, cells = notebook_timings(executed)
    return elapsed, manifest["timings_seconds"], nb, cells


def run_floor(notebook: Path, out: Path) -> Run:
    """One floor run (Papermill + HTML export in a fresh interpreter): wall seconds, stages, notebook timings."""
    out.mkdir(parents=True)
    elapsed, stdout = _run([sys.executable, "-c", FLOOR_RUNNER, str(notebook), str(out), str(ROOT)], "floor")
    if not (out / "floor.html").is_file():
        sys.stderr.write("floor run wrote no HTML\n")
        sys.exit(1)
    nb, cells = notebook_timings(out / "floor.ipynb")
    return elapsed, json.loads(stdout.strip().splitlines()[-1]), nb, cells


def _stage_table(title: str, runs: list[dict[str, float]], notes: dict[str, str]) -> None:
    stages = list(dict.fromkeys(k for r in runs for k in r))
    print(title)
    print(f"  {'stage':<11}" + "".join(f"{f'run {i + 1}':>8}" for i in range(len(runs))) + f"{'median':>8}")
    for s in stages:
        vals = [r.get(s) for r in runs]
        present = [v for v in vals if v is not None]
        label = f"  {s}" if s.startswith("nb_") else s
        print(
            f"  {label:<11}"
            + "".join(f"{v:>8.2f}" if v is not None else f"{'-':>8}" for v in vals)
            + f"{statistics.median(present):>8.2f}  {notes.get(s, '')}".rstrip()
        )


def _with_derived(
    stages: dict[str, float], nb: dict[str, float], wall: float, staged: tuple[str, ...]
) -> dict[str, float]:
    """Stages in a fixed order, papermill's notebook record under ``execute``, and the unaccounted time."""
    out: dict[str, float] = {}
    for key in staged:
        if key in stages:
            out[key] = stages[key]
        if key == "execute":
            out.update(nb)
    accounted = sum(stages.get(k, 0.0) for k in staged)
    if "total" in stages:
        out["unstaged"] = round(stages["total"] - accounted, 3)
        out["total"] = stages["total"]
        out["outside"] = round(wall - stages["total"], 3)
    else:
        out["outside"] = round(wall - accounted, 3)
    out["wall"] = round(wall, 3)
    return out


FULL_NOTES = {
    "execute": "waits for the kernel started before validation (run/kernel.py), runs the cells",
    "nb_run": "papermill's own duration of the notebook run",
    "nb_cells": "sum of the cells' durations",
    "unstaged": "total - the stages above (papermill import, notebook parameters, published notebook)",
    "outside": "wall - total: interpreter, kernel start, pandas imports, manifest, log, index, exit",
}
FLOOR_NOTES = {
    "imports": "import nbformat, papermill, nbconvert in the runner process",
    "nb_run": "papermill's own duration of the notebook run",
    "nb_cells": "the one import cell",
    "outside": "wall - the stages: interpreter start-up and exit",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--period", default="2019-07", help="report period (reads parameters/<period>.yaml)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each, alternating (median reported)")
    ap.add_argument(
        "--format",
        dest="formats",
        default=None,
        help="passed to goldenthread report --format (default: the CLI's default, html,pdf)",
    )
    args = ap.parse_args(argv)

    command = goldenthread_command()
    full: list[Run] = []
    floor: list[Run] = []
    tmp = Path(tempfile.mkdtemp(prefix="goldenthread-bench-"))
    started = time.perf_counter()
    try:
        notebook = tmp / "floor_source.ipynb"
        write_floor_notebook(notebook)
        for i in range(args.repeats):
            full.append(run_full(command, args.period, tmp / f"full-{i}", args.formats))
            print(f"run {i + 1}/{args.repeats}: full {full[-1][0]:6.2f}s", end="", flush=True)
            floor.append(run_floor(notebook, tmp / f"floor-{i}"))
            print(f"   floor {floor[-1][0]:6.2f}s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    full_wall = [r[0] for r in full]
    floor_wall = [r[0] for r in floor]
    full_med = statistics.median(full_wall)
    floor_med = statistics.median(floor_wall)

    print()
    print(
        f"goldenthread pipeline benchmark: period {args.period}, {args.repeats} alternating runs each, "
        f"benchmark took {time.perf_counter() - started:.0f}s"
    )
    print(
        f"full:  {' '.join(command)} report --period {args.period} --out <tmp>"
        + (f" --format {args.formats}" if args.formats else "")
    )
    print("floor: papermill + nbconvert HTMLExporter(exclude_input=True) on a notebook with one cell:")
    print(f"       {FLOOR_IMPORTS}")
    print()
    print(f"{'':<8}{'median s':>9}{'min s':>8}{'max s':>8}")
    print(f"{'full':<8}{full_med:>9.2f}{min(full_wall):>8.2f}{max(full_wall):>8.2f}")
    print(f"{'floor':<8}{floor_med:>9.2f}{min(floor_wall):>8.2f}{max(floor_wall):>8.2f}")
    print(
        f"ratio full/floor (medians): {full_med / floor_med:.2f}x   (extra {full_med - floor_med:.2f}s over the floor)"
    )
    print()
    _stage_table(
        "full run, seconds (manifest.json timings_seconds; its published notebook keeps no Papermill run times):",
        [_with_derived(st, nb, w, ("validate", "execute", "quarto", "html", "pdf")) for w, st, nb, _ in full],
        FULL_NOTES,
    )
    print()
    _stage_table(
        "floor run, seconds:",
        [_with_derived(st, nb, w, ("imports", "execute", "html")) for w, st, nb, _ in floor],
        FLOOR_NOTES,
    )
    print()
    print("notebook cells, median seconds (papermill metadata):")
    for label, runs in (("full", full), ("floor", floor)):
        names = list(dict.fromkeys(k for r in runs for k in r[3]))
        for name in names:
            med = statistics.median([r[3][name] for r in runs if name in r[3]])
            print(f"  {label:<6}{med:>7.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
