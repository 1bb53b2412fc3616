"""``goldenthread batch``: many reports (organisations x periods x documents x audiences) in one command.

The command body lives here, apart from :mod:`goldenthread.run.cli`, which registers it
(``app.command()(_no_traceback(batch))``); Dask is imported only for ``--scheduler local`` or an address.

Exit status: 0 every run built or up to date; 1 a run failed (the others still ran; the summary says
which and why); 2 a bad batch file or flag, or a cluster whose workers cannot see the folders: nothing ran.
Names, periods and reasons are printed as text (Rich markup in them is shown, never obeyed).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from goldenthread.errors import DataError, Problem

if TYPE_CHECKING:
    from goldenthread.run.batch import Job
    from goldenthread.run.engines import Dask, ProcessPool, Serial

err = Console(stderr=True, highlight=False, emoji=False)
#: The outcomes a run can have, as the summary counts them.
BUILT, SKIPPED, NO_FIGURES, FAILED = "built", "up to date", "skipped (no figures)", "failed"


def batch(
    batch_file: Path = typer.Argument(None, help="A batch file (YAML, docs/batch.md); flags replace its keys."),
    data: list[str] = typer.Option(None, "--data", help="Data folder or glob, one organisation each (repeatable)."),
    period: list[str] = typer.Option(
        None, "--period", "-p", help="Month YYYY-MM or range FROM..TO, inclusive (repeatable)."
    ),
    notebook: list[str] = typer.Option(
        None,
        "--notebook",
        help="corporate_performance_report (default), business_plan or directorate_plan (each directorate).",
    ),
    audience: list[str] = typer.Option(None, "--audience", help="public (default) or internal (repeatable)."),
    formats: list[str] = typer.Option(
        None, "--format", help="html, pdf, docx, csv; comma-separated (default html,pdf)."
    ),
    parameters: list[str] = typer.Option(
        None,
        "--parameters",
        help="Parameters file template with {period} and {org}, e.g. parameters/{period}.yaml; the first that exists "
        "is used, else a minimal one is written.",
    ),
    out: Path = typer.Option(None, "--out", help="Output root (default reports/batch): <out>/<org>/<report>/."),
    force: bool = typer.Option(False, "--force", help="Rebuild runs that are up to date too."),
    scheduler: str = typer.Option(
        None,
        "--scheduler",
        help="processes (default: every core of this machine), serial, local (a Dask LocalCluster) or "
        "tcp://HOST:8786 (a Dask cluster; folders on shared storage).",
    ),
    workers: int = typer.Option(
        None, "--workers", min=1, help="Processes (or LocalCluster workers) at once (default: one per core; local: 2)."
    ),
) -> None:
    """Build many reports: data folders x periods x notebooks x audiences, skipping those already up to date.

    \b
    Examples:
      goldenthread batch batch.yaml
      goldenthread batch --data 'data/*' --period 2019-04..2019-09 --audience internal --format html
      goldenthread batch batch.yaml --scheduler tcp://scheduler:8786
    Each run is the same atomic run as `goldenthread report`; a failing run never stops the others.
    """
    from goldenthread.run.logging_config import configure_logging

    configure_logging(False)
    start = time.perf_counter()
    try:
        jobs, failures, counts_by_org, spec_out = _plan(
            batch_file, data, period, notebook, audience, formats, parameters, out, scheduler, workers, force
        )
    except DataError as e:
        _fail_batch(e)
    raise typer.Exit(_run(jobs, failures, counts_by_org, spec_out, scheduler, workers, start))


def _fail_batch(e: DataError) -> None:
    err.print("[bold red]Batch problem[/] - nothing was run.")
    err.print(e.summary(), markup=False, soft_wrap=True)
    raise typer.Exit(2)


def _absolute(values: list[str] | None) -> list[str] | None:
    """Paths and globs typed at the prompt are relative to the current folder, whatever the batch file's."""
    return [v if Path(v).is_absolute() else str(Path.cwd() / v) for v in values] if values else values


class _Planned:
    def __init__(self) -> None:
        self.to_run: list[Job] = []
        self.skipped: list[Job] = []


def _plan(
    batch_file: Path | None,
    data: list[str] | None,
    period: list[str] | None,
    notebook: list[str] | None,
    audience: list[str] | None,
    formats: list[str] | None,
    parameters: list[str] | None,
    out: Path | None,
    scheduler: str | None,
    workers: int | None,
    force: bool,
) -> tuple[_Planned, list[tuple[str, str, str]], dict[str, dict[str, int]], Path]:
    """The runs to do and to skip, the runs that failed before starting (label, org, reason), counts by org."""
    from goldenthread.inputs.project import find_project_root
    from goldenthread.run import batch as b
    from goldenthread.run.engines import engine_for

    if batch_file is not None:
        if batch_file.is_dir():
            raise DataError([Problem(str(batch_file), message="is a folder, not a batch file", hint=BATCH_HINT)])
        source = batch_file.name
        root = find_project_root(batch_file.parent) or find_project_root() or Path.cwd()
        base = find_project_root(batch_file.parent) or batch_file.parent.resolve()
        from_file = b.read_batch_file(batch_file)
    else:
        source, root, base, from_file = "the flags", find_project_root() or Path.cwd(), Path.cwd(), None
    flags = {
        "data": _absolute(data),
        "periods": period,
        "notebooks": notebook,
        "audiences": audience,
        "formats": formats,
        "parameters": _absolute(parameters),
        "out": str(out.resolve()) if out is not None else None,
    }
    spec = b.resolve(b.with_flags(from_file, flags, source), base, root, source)
    engine_for(scheduler, workers)  # a mistyped --scheduler (or Dask missing) before any work

    failures: list[tuple[str, str, str]] = []
    known: dict[tuple[Path, str], list[str]] = {}

    def directorates(folder: Path, audience: str) -> list[str]:
        from goldenthread.documents.directorate_plan import directorates_for

        if (folder, audience) not in known:
            try:
                known[folder, audience] = directorates_for(folder, audience)[0]
            except DataError as e:
                known[folder, audience] = []
                label = f"{folder.name} directorate plans ({audience})"
                failures.append((label, folder.name, _reason(e)))
        return known[folder, audience]

    planned = b.plan(spec, directorates)
    b.write_params_files(planned.params_files)
    counts: dict[str, dict[str, int]] = {
        f.name: dict.fromkeys((BUILT, SKIPPED, NO_FIGURES, FAILED), 0) for f in spec.data
    }
    for _, org, _ in failures:
        counts[org][FAILED] += 1
    out_plan = _Planned()
    facts = None if force else b.Facts(spec.root)
    for job in planned.jobs:
        if facts is not None and facts.stale(job) is None:
            out_plan.skipped.append(job)
            counts[job.org][SKIPPED] += 1
        else:
            out_plan.to_run.append(job)
    return out_plan, failures, counts, spec.out


BATCH_HINT = "Give a batch file (docs/batch.md), or the runs as flags: --data, --period"


def _reason(e: BaseException) -> str:
    """A failed run's reason in one line or a few: a data problem's lines, or the build error."""
    if isinstance(e, DataError):
        from goldenthread.errors import problem_lines

        lines = problem_lines(e.problems, limit=3)
        return "; ".join(lines)
    return str(e) or type(e).__name__


def _plain() -> bool:
    """Plain lines (CI logs, a file) rather than a live progress bar."""
    return not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _run(
    planned: _Planned,
    failures: list[tuple[str, str, str]],
    counts: dict[str, dict[str, int]],
    out: Path,
    scheduler: str | None,
    workers: int | None,
    start: float,
) -> int:
    """Run what is to run on the engine, then the index pages and the summary; the exit status."""
    from goldenthread.run import batch as b
    from goldenthread.run.engines import Dask, engine_for
    from goldenthread.run.interrupt import stoppable

    jobs = planned.to_run
    total = len(jobs)
    if planned.skipped:
        err.print(f"{len(planned.skipped)} run(s) up to date: skipped (--force rebuilds them).", soft_wrap=True)
    engine = engine_for(scheduler, workers)
    results: list[tuple[Job, str, str]] = []  # job, outcome, detail
    if jobs:
        err.print(f"{total} run(s) to build on {_engine_text(engine, total)}.", soft_wrap=True)
        try:
            with stoppable():  # Ctrl-C: no further run starts, and the command never hangs on the way out
                if isinstance(engine, Dask):
                    with engine:
                        folders = [jobs[0].root, *dict.fromkeys(j.data_dir for j in jobs)]
                        out.mkdir(parents=True, exist_ok=True)
                        engine.check(folders, out)
                        _with_progress(engine, jobs, results, counts)
                else:
                    _with_progress(engine, jobs, results, counts)
        except DataError as e:
            _fail_batch(e)
    index = b.write_indexes(out, counts)
    _summary(planned, results, failures, index, time.perf_counter() - start)
    return 1 if failures or any(outcome == FAILED for _, outcome, _ in results) else 0


def _engine_text(engine: Serial | ProcessPool | Dask, total: int) -> str:
    from goldenthread.run.engines import Dask, Serial

    if isinstance(engine, Serial):
        return "this process (serial)"
    if isinstance(engine, Dask):
        return f"Dask ({'a LocalCluster' if engine.address == 'local' else engine.address})"
    n = min(engine.workers, total)
    return f"{n} process{'es' if n != 1 else ''} on this machine"


def _with_progress(
    engine: Serial | ProcessPool | Dask,
    jobs: list[Job],
    results: list[tuple[Job, str, str]],
    counts: dict[str, dict[str, int]],
) -> None:
    """Run ``jobs`` on ``engine``: a progress bar on a terminal, a line per run in a log."""
    from goldenthread.run import batch as b

    total = len(jobs)
    failed = 0

    def record(i: int, outcome: Any) -> tuple[str, str]:
        nonlocal failed
        job = jobs[i]
        if isinstance(outcome, b.Done):
            kind, detail = BUILT, f"{outcome.seconds:.1f} s"
        elif isinstance(outcome, BaseException) and b.no_figures(outcome):
            kind, detail = NO_FIGURES, _reason(outcome)
        else:
            kind, detail = FAILED, _reason(outcome) if isinstance(outcome, BaseException) else repr(outcome)
            failed += 1
        counts[job.org][kind] += 1
        results.append((job, kind, detail))
        return kind, detail

    if _plain():
        width = len(str(total))

        def line(i: int, outcome: Any) -> None:
            kind, detail = record(i, outcome)
            said = {BUILT: "built", NO_FIGURES: "skipped (no figures)", FAILED: "FAILED"}[kind]
            err.print(Text(f"[{len(results):>{width}}/{total}] {said} {jobs[i].label} ({detail})"), soft_wrap=True)

        engine.map(b.run_job, jobs, line)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[running]} running, {task.fields[failed]} failed"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        running = min(engine.workers, total)
        task = bar.add_task("Reports", total=total, running=running, failed=0)

        def advance(i: int, outcome: Any) -> None:
            kind, detail = record(i, outcome)
            if kind == FAILED:
                bar.console.print(Text(f"Failed {jobs[i].label}: {detail}"), soft_wrap=True)
            bar.update(task, advance=1, running=min(engine.workers, total - len(results)), failed=failed)

        engine.map(b.run_job, jobs, advance)


def _summary(
    planned: _Planned,
    results: list[tuple[Job, str, str]],
    failures: list[tuple[str, str, str]],
    index: Path,
    seconds: float,
) -> None:
    """The end of a batch: how many were built, skipped and failed, and each failure with its reason."""
    from rich.table import Table

    built = sum(1 for _, k, _ in results if k == BUILT)
    no_figures = [(j.label, d) for j, k, d in results if k == NO_FIGURES]
    failed = [(j.label, d) for j, k, d in results if k == FAILED] + [(label, r) for label, _, r in failures]
    table = Table(title=f"Batch summary ({seconds:.1f} s)", show_lines=False)
    table.add_column("Outcome")
    table.add_column("Runs", justify="right")
    for name, n in (
        ("built", built),
        ("skipped (up to date)", len(planned.skipped)),
        ("skipped (no figures for the period)", len(no_figures)),
        ("failed", len(failed)),
    ):
        table.add_row(name, str(n))
    err.print(table)
    if failed:
        problems = Table(title="Failed runs", show_lines=True)
        problems.add_column("Run", overflow="fold")
        problems.add_column("Reason", overflow="fold")
        for label, reason in failed:
            problems.add_row(Text(label), Text(reason))
        err.print(problems)
    err.print(Text(f"Index: {index}"), soft_wrap=True)
