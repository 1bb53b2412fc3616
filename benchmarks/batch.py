"""Benchmark: one batch of report runs, serially, on the process pool and on a Dask LocalCluster (issue 16).

What is measured

    ``--runs`` organisations of the synthetic national set (``benchmarks/national.py``: invented councils
    made from ``data/example``, sharing one benchmarks file) x one period (``--period``, default 2019-07),
    the Corporate Performance Report for ``--audience`` (default public) in HTML and PDF: real builds,
    each the same atomic run as ``goldenthread report``. The same batch is built by each engine in turn,
    every time into a fresh output folder with ``--force``, as a whole ``goldenthread batch`` process:

    serial     ``--scheduler serial``: one run after another in the batch's own process;
    processes  ``--scheduler processes --workers W``: the local process pool (the default engine);
    local      ``--scheduler local --workers W``: a Dask LocalCluster of W single-threaded workers.

    For each: wall seconds (the whole command: Python's start, the cluster's start, the index pages),
    the speed-up over serial, reports per minute and per minute per core (cores used: 1 for serial,
    min(W, runs) otherwise), and peak memory. A run's memory is its worker's process and the notebook
    kernel (or other child) that worker starts, so the peak per worker is the worker's high-water mark
    (``VmHWM``) plus the largest of its children's; the batch's process tree is sampled every 0.2 s for
    them (``psutil``, a dependency of ipykernel). ``rusage_children_maxrss_bytes`` (``os.wait4``) is the
    largest single process of the batch, exact. Finally, whether every engine wrote the same documents
    (the SHA-256 of each report's HTML and PDF, from the manifests; the executed notebook records when
    its cells ran, so it differs every build). An engine that did not build the whole batch is listed
    in ``failed_engines``, with its log's end, and has no speed-up.

``--breakdown`` reads the manifests' timings (validate, execute, html, pdf) and each run's ``run.log`` and
says where a run's time goes: checking the data, waiting for the kernel (started while the data is
checked; what is left of its start and imports), running the notebook, HTML, PDF, publishing, and the
batch's own share per run (process start, imports, scheduling, index pages).

``--project`` projects, from the measured reports per minute per core, the time for ``--councils``
(300) x ``--quarters`` (4) runs on a cluster of ``--cores`` (32); docs/batch-scale.md gives the formula
and its assumptions. ``--results FILE`` projects from an earlier run's JSON without building anything.

The goal (issue 16) is at least 1.7x over serial on 2 cores. Output is JSON on stdout; progress on
stderr. Everything is written to a temporary folder, removed at the end (``--keep DIR`` keeps it).
Each run takes 10-20 s of CPU: 20 runs x 3 engines on 2 cores is about 10-15 minutes.

How to run (from the repository root, in the goldenthread virtual environment)::

    python benchmarks/batch.py --runs 20 --workers 2 --breakdown --project
    python benchmarks/batch.py --runs 300 --engines processes --breakdown --project   # the national set
    python benchmarks/batch.py --results results.json --project --cores 64            # re-project only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import make_national  # noqa: E402 - the benchmarks' own helpers, beside this file

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("serial", "processes", "local")
GOAL = 1.7  # issue 16: at least 1.7x over serial on 2 cores
STAGES = ("validate", "kernel_wait", "notebook", "quarto", "html", "pdf", "docx", "publish")
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) +\w+ +(.*)$")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("goldenthread")
    return [str(script)] if script.exists() else [sys.executable, "-m", "goldenthread"]


def batch_command(
    engine: str, data: str, period: str, audience: str, out: Path, workers: int, command: list[str] | None = None
) -> list[str]:
    """The ``goldenthread batch`` command line that builds the batch on ``engine`` into ``out``."""
    cmd = [*(command or _command()), "batch", "--data", data, "--period", period, "--audience", audience]
    cmd += ["--format", "html,pdf", "--out", str(out), "--force", "--scheduler", engine]
    return cmd + (["--workers", str(workers)] if engine != "serial" else [])


# --- memory --------------------------------------------------------------------------------------------


def _hwm(pid: int) -> int | None:
    """A process's peak resident memory so far (Linux ``VmHWM``), in bytes; None where there is none."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class TreeWatcher(threading.Thread):
    """Samples a process and all its descendants until stopped: each one's peak memory and parent.

    Peak is ``VmHWM`` where Linux gives it (exact up to the last sample before the process ended),
    else the largest resident size seen.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.seen: dict[tuple[int, float], dict[str, Any]] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil  # type: ignore[import-untyped]  # no stubs installed; a dependency of ipykernel

        while not self._halt.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    key = (p.pid, p.create_time())
                    peak = _hwm(p.pid) or p.memory_info().rss
                    rec = self.seen.get(key)
                    if rec is None:
                        rec = self.seen[key] = {"pid": p.pid, "ppid": p.ppid(), "cmd": " ".join(p.cmdline()), "peak": 0}
                    rec["peak"] = max(rec["peak"], peak)
                except psutil.Error:
                    continue
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def summary(self) -> dict[str, Any]:
        """Peak memory per worker: a worker is a process that started notebook kernels (the batch's own
        process when serial, each pool or Dask worker otherwise); its peak is its own plus its largest child's."""
        procs = list(self.seen.values())
        kernels = [p for p in procs if "ipykernel" in p["cmd"]]
        parents = {p["ppid"] for p in kernels}
        workers = [p for p in procs if p["pid"] in parents]
        per_worker = sorted(
            w["peak"] + max((c["peak"] for c in procs if c["ppid"] == w["pid"]), default=0) for w in workers
        )
        return {
            "workers_seen": len(workers),
            "kernels_seen": len(kernels),
            "peak_per_worker_bytes": per_worker,
            "peak_per_worker_max_bytes": max(per_worker, default=None),
            "kernel_peak_max_bytes": max((k["peak"] for k in kernels), default=None),
            "largest_process_bytes": max((p["peak"] for p in procs), default=None),
            "processes_seen": len(procs),
        }


# --- one engine ------------------------------------------------------------------------------------------


def manifests(out: Path) -> list[Path]:
    return sorted(out.glob("*/*/manifest.json"))


def documents_digest(out: Path) -> dict[str, dict[str, str]]:
    """Each report's documents (HTML, PDF...) and their SHA-256, from the manifests: report folder -> file ->
    digest. The executed notebook is left out: it records when each cell ran, so it differs every build."""
    found = {}
    for path in manifests(out):
        record = json.loads(path.read_text(encoding="utf-8"))
        outputs = record.get("outputs", {})
        found[str(path.parent.relative_to(out))] = {k: v for k, v in outputs.items() if not k.endswith(".ipynb")}
    return found


def measure(engine: str, data: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """Build the batch on ``engine`` into ``out`` as one ``goldenthread batch`` process; what it took."""
    command = shlex.split(args.command) if args.command else None
    cmd = batch_command(engine, data, args.period, args.audience, out, args.workers, command)
    print(f"{engine}: {' '.join(cmd)}", file=sys.stderr)
    log = out.parent / f"{out.name}.log"
    t = time.perf_counter()
    with log.open("wb") as sink:
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        watcher = TreeWatcher(child.pid)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t
        watcher.stop()
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    built = len(manifests(out))
    cores = 1 if engine == "serial" else max(1, min(args.workers, args.runs))
    per_minute = built / (seconds / 60) if seconds else 0.0
    result: dict[str, Any] = {
        "command": cmd,
        "exit_code": code,
        "seconds": round(seconds, 2),
        "reports_built": built,
        "cores": cores,
        "reports_per_minute": round(per_minute, 3),
        "reports_per_minute_per_core": round(per_minute / cores, 3),
        "memory": {
            **watcher.summary(),
            "rusage_children_maxrss_bytes": usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024),
        },
    }
    if code or built != args.runs:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        result["log_tail"] = tail
        print(f"{engine}: exit {code}, {built} of {args.runs} reports built:\n{tail}", file=sys.stderr)
    print(f"{engine}: {result['seconds']} s, {built} reports", file=sys.stderr)
    return result


# --- where the time goes ----------------------------------------------------------------------------------


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")


def run_stages(folder: Path) -> dict[str, float]:
    """One run's seconds per stage, from its manifest and run.log.

    ``kernel_wait`` is the part of ``execute`` spent waiting for the kernel started while the data was
    checked (from "Running ..." to "Kernel ready"), ``notebook`` the rest of ``execute``; ``publish`` is
    what ``total`` has beyond the named stages (the manifest, the checks on the outputs, the move).
    ``kernel_start`` is the kernel's start and imports ("Started a kernel" to "The kernel's imports are
    done"), ``kernel_ready_after`` the seconds from the run's start until then: both overlap ``validate``.
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    t = {k: float(v) for k, v in (manifest.get("timings_seconds") or {}).items()}
    stages = {k: t[k] for k in ("validate", "quarto", "html", "pdf", "docx") if k in t}
    running = ready = started = imported = None
    after = None
    log = folder / "run.log"
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []:
        m = LOG_LINE.match(line)
        if not m:
            continue
        if m.group(2).startswith("Started a kernel"):
            started = _stamp(m.group(1))
        elif m.group(2).startswith("The kernel's imports are done"):
            imported = _stamp(m.group(1))
        elif m.group(2).startswith("Running ") and running is None:
            running = _stamp(m.group(1))
        elif m.group(2).startswith("Kernel ready after"):
            ready = _stamp(m.group(1))
            found = re.search(r"after ([\d.]+)s", m.group(2))
            after = float(found.group(1)) if found else None
    execute = t.get("execute", 0.0)
    wait = (ready - running).total_seconds() if running and ready else 0.0
    stages["kernel_wait"] = min(max(wait, 0.0), execute)
    stages["notebook"] = execute - stages["kernel_wait"]
    total = t.get("total", sum(stages.values()))
    stages["publish"] = max(total - sum(stages.values()), 0.0)
    stages["total"] = total
    if after is not None:
        stages["kernel_ready_after"] = after
    if started and imported:
        stages["kernel_start"] = (imported - started).total_seconds()
    return stages


def breakdown(out: Path, wall: float, cores: int) -> dict[str, Any]:
    """Where the time goes per run, over every run of one engine: median and mean seconds per stage and
    each stage's share of the run, and the batch's own overhead per run (wall x cores / runs - run total)."""
    runs = [run_stages(p.parent) for p in manifests(out)]
    if not runs:
        return {"runs": 0}
    keys = [k for k in (*STAGES, "total", "kernel_start", "kernel_ready_after") if any(k in r for r in runs)]
    mean_total = statistics.mean(r["total"] for r in runs)
    stages: dict[str, dict[str, float | None]] = {}
    for k in keys:
        xs = [r.get(k, 0.0) for r in runs]
        stages[k] = {"median": round(statistics.median(xs), 3), "mean": round(statistics.mean(xs), 3)}
        if k in STAGES:
            stages[k]["share_of_run"] = round(statistics.mean(xs) / mean_total, 3) if mean_total else None
    per_run_wall = wall * cores / len(runs)
    return {
        "runs": len(runs),
        "stages_seconds": stages,
        "wall_x_cores_per_run_seconds": round(per_run_wall, 3),
        "batch_overhead_per_run_seconds": round(per_run_wall - mean_total, 3),
    }


# --- the projection ---------------------------------------------------------------------------------------


def project(result: dict[str, Any], councils: int, quarters: int, cores: int, engine: str | None) -> dict[str, Any]:
    """The time for ``councils`` x ``quarters`` runs on ``cores`` cores, from the measured throughput per core.

    r = reports per minute per core (measured on ``engine``: the process pool by default, the engine a
    real cluster replaces; else the first engine that built the batch). N = councils x quarters runs.
    Linear: N / (r x cores) minutes. In waves (each core one run at a time, the last wave part-full):
    ceil(N / cores) / r minutes, the upper figure.
    """
    engines = result.get("engines", {})
    measured = [
        e for e in ("processes", "local", "serial") if (engines.get(e) or {}).get("reports_per_minute_per_core")
    ]
    chosen = engine or next(iter(measured), None)
    if chosen not in engines:
        raise SystemExit(f"no measurement for engine {chosen!r} to project from (have: {', '.join(engines)})")
    rate = float(engines[chosen]["reports_per_minute_per_core"])
    if rate <= 0:
        raise SystemExit(f"engine {chosen} built no reports: nothing to project from")
    n = councils * quarters
    linear = n / (rate * cores)
    waves = math.ceil(n / cores) / rate
    projection: dict[str, Any] = {
        "from_engine": chosen,
        "reports_per_minute_per_core": rate,
        "runs": n,
        "cores": cores,
        "formula": "minutes = runs / (reports per minute per core x cores); in waves: ceil(runs / cores) / rate",
        "minutes_linear": round(linear, 1),
        "minutes_in_waves": round(waves, 1),
        "assumptions": [
            "throughput scales linearly with cores: each run is independent, CPU-bound and single-core "
            "(a worker, then its kernel, then the renderer: one busy at a time), one run per core",
            "the cluster's cores are as fast as this machine's, and are real cores, not hyper-threads",
            "every run costs what the measured runs cost (the same indicator set; another period of the same "
            "council builds as fast as the measured one)",
            "shared storage is not the bottleneck: each run reads its data folder and writes its report, "
            "megabytes per run (output_bytes_per_run)",
            "each worker has memory for one run (the peak per worker measured, plus headroom)",
            "the scheduler's overhead per task (milliseconds) and the workers' start (seconds, once) are "
            "small against the total; the Python packages and fonts are installed on every worker",
        ],
    }
    peak = (engines[chosen].get("memory") or {}).get("peak_per_worker_max_bytes")
    if peak:
        projection["memory_for_all_workers_bytes"] = int(peak) * cores
    size = result.get("output_bytes_per_run")
    if size:
        projection["output_bytes_total"] = int(size) * n
        projection["write_rate_bytes_per_second"] = round(int(size) * n / (linear * 60))
    return projection


def _complete(measured: dict[str, Any], runs: int) -> bool:
    """Did the engine build the whole batch? Only then are its time and its files worth comparing."""
    return bool(measured["exit_code"] == 0 and measured["reports_built"] == runs)


# --- main ------------------------------------------------------------------------------------------------


def _output_bytes_per_run(out: Path) -> int | None:
    folders = [p.parent for p in manifests(out)]
    if not folders:
        return None
    total = sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())
    return round(total / len(folders))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="organisations of the national set, one run each")
    parser.add_argument("--workers", type=int, default=2, help="pool processes and LocalCluster workers")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="which to measure, in order: " + ", ".join(ENGINES)
    )
    parser.add_argument("--period", default="2019-07")
    parser.add_argument("--audience", default="public", choices=("public", "internal"))
    parser.add_argument("--seed", type=int, default=16, help="the national set's seed")
    parser.add_argument("--breakdown", action="store_true", help="where the time goes per run")
    parser.add_argument("--project", action="store_true", help="project councils x quarters on a cluster")
    parser.add_argument("--councils", type=int, default=300)
    parser.add_argument("--quarters", type=int, default=4)
    parser.add_argument("--cores", type=int, default=32, help="the cluster's cores, for --project")
    parser.add_argument("--project-from", default=None, help="the engine whose throughput --project uses")
    parser.add_argument("--results", type=Path, help="an earlier run's JSON: project from it, build nothing")
    parser.add_argument("--command", help="the goldenthread command to run (default: this environment's)")
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it, instead of a temporary one")
    args = parser.parse_args(argv)

    result: dict[str, Any]
    if args.results:
        result = dict(json.loads(args.results.read_text(encoding="utf-8")))
    else:
        result = run(args)
    if args.project:
        result["projection"] = project(result, args.councils, args.quarters, args.cores, args.project_from)
    print(json.dumps(result, indent=2))
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise SystemExit(f"unknown engine {', '.join(unknown)}: use {', '.join(ENGINES)}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        work, cleanup = args.keep, None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="gt-batch-")
        work = Path(cleanup.name)
    try:
        t = time.perf_counter()
        make_national(work / "national", args.runs, args.seed)
        print(f"national set of {args.runs}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        data = str(work / "national" / "*")
        result: dict[str, Any] = {
            "runs": args.runs,
            "workers": args.workers,
            "period": args.period,
            "audience": args.audience,
            "machine_cores": os.cpu_count(),
            "load_average_before": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "engines": {},
        }
        for engine in engines:
            out = work / f"out-{engine}"
            result["engines"][engine] = measure(engine, data, args, out)
            if args.breakdown:
                m = result["engines"][engine]
                result["engines"][engine]["breakdown"] = breakdown(out, m["seconds"], m["cores"])
        complete = [e for e in engines if _complete(result["engines"][e], args.runs)]
        if complete:
            result["output_bytes_per_run"] = _output_bytes_per_run(work / f"out-{complete[0]}")
            digests = {e: documents_digest(work / f"out-{e}") for e in complete}
            result["identical_documents"] = all(d == digests[complete[0]] for d in digests.values())
        serial = result["engines"].get("serial")
        if serial is not None and "serial" in complete:
            for e, m in result["engines"].items():
                m["speedup_over_serial"] = round(serial["seconds"] / m["seconds"], 2) if e in complete else None
            result["goal"] = {
                f"{e} at least {GOAL}x over serial": e in complete and m["speedup_over_serial"] >= GOAL
                for e, m in result["engines"].items()
                if e != "serial"
            }
        result["failed_engines"] = [e for e in engines if e not in complete]
        return result
    finally:
        if cleanup is not None:
            cleanup.cleanup()
        elif args.keep:
            print(f"kept {args.keep}", file=sys.stderr)


if __name__ == "__main__":
    main()
