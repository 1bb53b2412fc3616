"""The ``goldenthread`` command: validate data and build reports.

Exit status: 0 success; 1 the report could not be built (a failing notebook cell, a renderer
error); 2 the input data, parameters or options break the data contract; 130 interrupted (Ctrl-C).

Everything from the data or the command line (titles, paths, values) is printed as text: a title
such as ``Ratio of staff [/] agency`` or ``[provisional]`` is shown as typed, never read as Rich
markup (which would crash or silently drop it), and ``:warning:`` stays words, not an emoji.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from goldenthread.errors import DataError, Problem, ReportError
from goldenthread.inputs.project import find_project_root
from goldenthread.run.interrupt import INTERRUPTED, stoppable
from goldenthread.run.notebook import skip_unused_imports

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from goldenthread.inputs.config import ReportParameters
    from goldenthread.inputs.load import Dataset
    from goldenthread.run.settings import RunSettings

skip_unused_imports()  # before papermill and nbconvert are imported: see its docstring

app = typer.Typer(
    help="Council performance reports from validated data: check a data folder, or build a period's report "
    "(HTML and PDF) by running its notebook with Papermill.\n\n"
    "Quick start:  goldenthread report --period 2019-07",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, emoji=False)


def _t(value: object) -> str:
    """A value from the data or the command line, safe inside a Rich markup string."""
    return escape(str(value))


def _no_traceback(command: Callable[..., Any]) -> Callable[..., Any]:
    """What no check foresaw still ends in a message, never a traceback.

    An operating-system refusal (a path longer than the file system allows, a file that cannot be
    read) names the file and the reason, exit 2: it is about what was typed or supplied. Ctrl-C says
    what was kept, exit 130: a run's staging folder is removed on the way out and a swap cut short
    is undone by the next run, so the last good report is never lost.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OSError as e:
            where = f" {_t(e.filename)}" if e.filename else ""
            err.print(f"[bold red]Could not use{where}:[/] {_t(e.strerror or e)}. Nothing was written.", soft_wrap=True)
            raise typer.Exit(2) from e
        except KeyboardInterrupt:
            err.print(
                "[bold red]Interrupted[/] - no report was left half-built; every report already in place "
                "(the last good one included) is unchanged.",
                soft_wrap=True,
            )
            raise typer.Exit(INTERRUPTED) from None

    return run


def _root() -> Path:
    return find_project_root() or Path.cwd()


def _params_file(root: Path, period: str | None, params: Path | None) -> Path:
    """--params FILE, or parameters/<period>.yaml; exit 2 when neither is given, when --period is not
    a month (it becomes part of a path: ``../../etc`` must not name a file elsewhere) or --params
    names a folder."""
    if params is not None:
        if params.is_dir():
            _fail_data(
                DataError(
                    [
                        Problem(
                            "--params",
                            message="names a folder, not a parameters file",
                            value=str(params),
                            hint="Give a file such as parameters/2019-07.yaml",
                        )
                    ]
                )
            )
        return params
    if period is None:
        err.print("Give --period YYYY-MM (reads parameters/<period>.yaml) or --params FILE.")
        raise typer.Exit(2)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        _fail_data(
            DataError(
                [
                    Problem(
                        "--period",
                        message="is not a month",
                        value=period,
                        hint="Use YYYY-MM, for example 2019-07 (it reads parameters/2019-07.yaml); "
                        "for another parameters file use --params FILE",
                    )
                ]
            )
        )
    return root / "parameters" / f"{period}.yaml"


def _fail_data(e: DataError) -> None:
    err.print("[bold red]Input data problem[/] - nothing was written.")
    err.print(e.summary(), markup=False, soft_wrap=True)  # values are shown exactly as typed, [brackets] too
    raise typer.Exit(2)


@app.command()
@_no_traceback
def validate(
    data: Path = typer.Argument(..., help="Organisation data folder, e.g. data/example (or a folder with one .xlsx)."),
) -> None:
    """Check a data folder against the data contract (docs/data-contract.md) and list every problem.

    The directorate plans in its directorates/ folder, if any, are checked too. Warnings (things that
    build but are probably mistakes, such as a measure with a polarity and no target) are listed
    after the OK line; they do not change the exit status.
    """
    from goldenthread.errors import warnings_summary
    from goldenthread.inputs.directorates import load_directorates
    from goldenthread.inputs.load import load_dataset, resolve_data_dir

    try:
        ds = load_dataset(data)
        plans = load_directorates(resolve_data_dir(data), ds.plan, ds.indicators)
    except DataError as e:
        _fail_data(e)
    n = len(ds.indicators)
    restricted = int((ds.indicators["classification"] == "restricted").sum())
    warned = len(ds.warnings)
    end = f", with {warned} warning{'s' if warned != 1 else ''}:" if warned else "."
    err.print(
        f"[green]OK[/] {_t(data)}: {n} indicators ({restricted} restricted), {len(ds.values)} values, "
        f"{len(ds.targets)} targets, {len(ds.commentary)} commentary rows, "
        f"{len(ds.plan.outcomes)} outcomes, {len(plans)} directorate plans{_comparators_text(ds)}{end}",
        soft_wrap=True,
    )
    if warned:
        err.print(warnings_summary(ds.warnings), markup=False, soft_wrap=True)


@app.command()
@_no_traceback
def report(
    period: str = typer.Option(None, "--period", "-p", help="Report month YYYY-MM; reads parameters/<period>.yaml."),
    params: Path = typer.Option(None, "--params", help="Parameters file to use instead of parameters/<period>.yaml."),
    data: str = typer.Option(None, "--data", help="Data folder, overriding the parameters file."),
    out: Path = typer.Option(
        None,
        "--out",
        help="Output folder (default: reports/). Each report goes in a folder of its own, e.g. <out>/2019-07/.",
    ),
    formats: str = typer.Option(
        "html,pdf",
        "--format",
        help="Comma-separated: html, pdf, docx (Word in the council's house style, see docs/word.md), "
        "csv (the scorecard for spreadsheets).",
    ),
    notebook: str = typer.Option(
        "corporate_performance_report", "--notebook", help="Notebook in notebooks/ to run (name or path)."
    ),
    renderer: str = typer.Option(
        "goldenthread",
        "--renderer",
        help="goldenthread (default; pip-only HTML and PDF) or quarto (needs Quarto on PATH).",
    ),
    timeout: int = typer.Option(
        600, "--timeout", min=1, help="Seconds a single notebook cell may run before the run fails."
    ),
    directorate: str = typer.Option(
        None,
        "--directorate",
        help="With --notebook directorate_plan: the directorate (file id in data/<org>/directorates/).",
    ),
    all_directorates: bool = typer.Option(
        False,
        "--all",
        help="With --notebook directorate_plan: one report per directorate, built in parallel on the available cores.",
    ),
    workers: int = typer.Option(
        None, "--workers", min=1, help="With --all: how many reports to build at once (default: one per core)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Also show the run's debug detail (as written to run.log) on the terminal."
    ),
) -> None:
    """Build a period's report: run the notebook with Papermill, write .ipynb, .html, .pdf, manifest.json and run.log.

    \b
    Examples (each writes its own folder under reports/):
      goldenthread report --period 2019-07
        the Corporate Performance Report: reports/2019-07/
      goldenthread report --notebook business_plan --period 2019-07
        the business plan with its indicators: reports/business-plan-2019-07/
      goldenthread report --notebook directorate_plan --directorate eci -p 2019-07
        one directorate plan: reports/directorate-plan-eci-2019-07/
      goldenthread report --notebook directorate_plan --all --period 2019-07
        every directorate plan, in parallel
    Every run also rebuilds reports/index.html, which links to all reports built.
    """
    from goldenthread.run.logging_config import configure_logging
    from goldenthread.run.settings import RunSettings, split_formats

    configure_logging(verbose)
    try:
        start = time.perf_counter()
        root = _root()
        settings = RunSettings(
            params_file=_params_file(root, period, params),
            notebook=_notebook_path(root, notebook),
            out_root=out or root / "reports",
            data=data,
            formats=split_formats(formats),
            timeout=timeout,
            renderer=renderer,
            extra={"directorate": directorate},
            progress_bar=sys.stderr.isatty(),
        )
        with stoppable():  # a Ctrl-C stops the run and publishes nothing, even where a library swallows it
            if all_directorates:
                _report_all_directorates(settings, workers, start)
            else:
                _report_one(settings, start)
    finally:
        configure_logging(False)  # the terminal's debug lines end with the command (it may run in-process)


def _notebook_path(root: Path, notebook: str) -> Path:
    """``--notebook``: a name in notebooks/ or a path; exit 2 when there is no such notebook."""
    nb = Path(notebook)
    if not nb.suffix:
        nb = root / "notebooks" / f"{notebook}.ipynb"
    if not nb.is_file():
        err.print(f"[red]Notebook not found:[/] {_t(nb)}. Notebooks live in {_t(root / 'notebooks')}.", soft_wrap=True)
        raise typer.Exit(2)
    return nb


def _report_one(settings: RunSettings, start: float) -> None:
    """``report``: one report, with its progress lines; exit 2 for a data problem, 1 for a failed build."""
    from goldenthread.run.kernel import WarmKernel

    # The kernel starts before the data libraries are even imported: it gets ready while they load
    # and the data is checked (the run stops it if the checks fail).
    kernel = WarmKernel.early(settings)
    from goldenthread.run import pipeline

    def progress(msg: str) -> None:
        err.print(f"[dim]{time.perf_counter() - start:5.1f}s[/] {_t(msg)}", soft_wrap=True)  # data as typed

    try:
        result = pipeline.run_report(settings, progress=progress, kernel=kernel)
    except DataError as e:
        _fail_data(e)
    except ReportError as e:
        err.print(f"[bold red]Report failed:[/] {_t(e)}", soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        if kernel is not None:  # the run stops it; this is for a run that never got as far as taking it
            kernel.stop()
    err.print(f"[green]Done[/] in {time.perf_counter() - start:.1f}s: {_t(result.out_dir)}", soft_wrap=True)
    for kind, path in result.files.items():
        err.print(f"  {kind:8} {_t(path)}", soft_wrap=True)
    err.print(f"  {'index':8} {_t(settings.out_root / 'index.html')}", soft_wrap=True)


def _report_all_directorates(settings: RunSettings, workers: int | None, start: float) -> None:
    """``report --all``: check the data once, then one report per directorate in parallel."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from goldenthread.documents.directorate_plan import directorates_for
    from goldenthread.inputs.load import resolve_data_dir
    from goldenthread.run.pipeline import (
        RunResult,
        check_run_arguments,
        notebook_parameters,
        read_parameters,
        run_reports,
    )

    nb = settings.notebook
    if "directorate" not in notebook_parameters(nb):
        err.print(
            f"--all builds one report per directorate, but {_t(nb.name)} has no 'directorate' parameter. "
            "Use --notebook directorate_plan.",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    try:
        check_run_arguments(settings.formats, settings.renderer, settings.out_root)
        p = read_parameters(settings.params_file, {"data": settings.data})
        folder = resolve_data_dir(p.data, None if settings.data else settings.params_file)
        chosen, skipped = directorates_for(folder, p.audience)
    except DataError as e:
        _fail_data(e)
    if not chosen:
        # Not an error: a council without directorate plans (or with only restricted ones, on a public
        # run) simply has none to build, and `make reports` goes on to finish its other documents.
        where = folder / "directorates"
        reason = (
            f"{where} does not exist"
            if not where.is_dir()
            else f"{where} holds no {'public ' if p.audience == 'public' else ''}directorate plans"
        )
        err.print(f"No directorate plans to build for {p.period}: {_t(reason)}. Nothing was written.", soft_wrap=True)
        return
    if skipped:
        err.print(
            f"Leaving out restricted directorate plan(s) {_t(', '.join(skipped))} from the public run "
            "(set audience: internal in the parameters file to build them).",
            soft_wrap=True,
        )
    failures: list[tuple[str, Exception]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"Directorate plans for {_t(p.period)}", total=len(chosen))

        def done(subject: dict[str, Any], result: RunResult | Exception) -> None:
            bar.advance(task)
            if isinstance(result, Exception):
                failures.append((subject["directorate"], result))
                bar.console.print(f"[red]Failed[/] {_t(subject['directorate'])}: {_t(result)}", soft_wrap=True)
            else:
                bar.console.print(f"[green]Done[/] {_t(subject['directorate'])}: {_t(result.out_dir)}", soft_wrap=True)

        serial = dataclasses.replace(settings, progress_bar=False)  # workers share the terminal: no cell bars
        run_reports(serial, [{"directorate": d} for d in chosen], workers=workers, on_done=done)
    index = settings.out_root / "index.html"
    err.print(
        f"{len(chosen) - len(failures)} of {len(chosen)} directorate plans built in "
        f"{time.perf_counter() - start:.1f}s; index: {_t(index)}",
        soft_wrap=True,
    )
    if failures:
        raise typer.Exit(2 if all(isinstance(e, DataError) for _, e in failures) else 1)


@app.command()
@_no_traceback
def verify(
    report_dir: Path = typer.Argument(..., help="A built report folder, e.g. reports/2019-07."),
) -> None:
    """Check a built report against its manifest.json: are its inputs and outputs unchanged, and is
    every file in the folder one the manifest lists?"""
    from goldenthread.run.manifest import verify as check

    problems = check(report_dir)
    if problems:
        err.print(f"[red]{_t(report_dir)} does not match its manifest:[/]", soft_wrap=True)
        for p in problems:
            err.print(f"  - {_t(p)}", soft_wrap=True)
        raise typer.Exit(1)
    err.print(f"[green]OK[/] {_t(report_dir)}: inputs and outputs match manifest.json", soft_wrap=True)


@app.command()
@_no_traceback
def areas(
    period: str = typer.Option(None, "--period", "-p", help="Report month YYYY-MM; reads parameters/<period>.yaml."),
    params: Path = typer.Option(None, "--params", help="Parameters file to use instead of parameters/<period>.yaml."),
    data: str = typer.Option(None, "--data", help="Data folder, overriding the parameters file."),
    csv: Path = typer.Option(None, "--csv", help="Also write the candidates as commentary.csv rows to FILE."),
) -> None:
    """Rank candidate areas of success and concern, with scores and drafted wording, for the leadership team."""
    from goldenthread.documents.report import build_report
    from goldenthread.inputs.load import load_dataset, resolve_data_dir
    from goldenthread.narrative.areas import candidates_as_commentary
    from goldenthread.run.pipeline import check_period_has_figures, read_parameters

    params = _params_file(_root(), period, params)
    try:
        p = read_parameters(params, {"data": data})
        folder = resolve_data_dir(p.data, None if data else params)
        # Every commentary row of the period, restricted ones too: the file replaces the period's rows in
        # commentary.csv, so leaving any out would delete them when it is pasted back.
        full = load_dataset(folder)
        if csv is not None:
            _check_csv_target(csv, full.sources)
        check_period_has_figures(full.for_audience(p.audience), p.period, params.name)
        report = build_report(
            folder,
            p.period,
            p.audience,
            p.title,
            p.front_sheet.model_dump(mode="json"),
            p.max_successes,
            p.max_concerns,
            p.areas,
            p.news_window_months,
        )
        table = report.area_candidates()
    except DataError as e:
        _fail_data(e)
    Console(highlight=False, emoji=False).print(_candidates_table(table, p))
    if csv is not None:
        from goldenthread.output.export import write_csv

        rows = candidates_as_commentary(table, p.period, full.commentary, full.indicators)
        try:
            csv.parent.mkdir(parents=True, exist_ok=True)
            write_csv(rows, csv)
        except OSError as e:  # a full disk: written whole or not at all (see export.write_atomically)
            err.print(
                f"[bold red]Could not write[/] {_t(csv)}: {_t(e.strerror or e)}. Nothing was written.", soft_wrap=True
            )
            raise typer.Exit(1) from None
        err.print(
            f"Wrote {len(rows)} rows in the shape of commentary.csv to {_t(csv)}: the period's commentary "
            "with the drafts in the columns draft and draft_area. Edit it, then put its rows in place of the "
            f"{p.period} rows of commentary.csv (it holds restricted rows too: not for publication).",
            soft_wrap=True,
        )


def _candidates_table(table: pd.DataFrame, p: ReportParameters) -> Table:
    """The candidates as a Rich table, every cell plain text: titles and drafts are shown as typed."""
    from rich.table import Table

    out = Table(
        title=f"Candidate areas for {p.period} (caps: {p.max_successes} successes, {p.max_concerns} concerns)",
        show_lines=True,
    )
    for col in ("#", "Score", "Area", "Indicator", "Finding", "Figure for", "Source", "Drafted evidence"):
        out.add_column(col, overflow="fold")
    for r in table.itertuples(index=False):
        cells = (
            r.rank,
            f"{r.score:.0f}",
            r.direction,
            f"{r.indicator} {r.title}",
            r.kind or "-",
            r.period or "-",
            ("in report: " if r.in_report else "") + r.source,
            r.draft or r.text,
        )
        out.add_row(*(Text(str(c)) for c in cells))
    return out


def _check_csv_target(csv: Path, sources: tuple[Path, ...]) -> None:
    """``--csv`` names a file that can be written and is not one of the data files.

    The file holds one month's commentary rows: written over commentary.csv (or any data file) it
    would delete every other month's, so that is refused rather than done.
    """
    from goldenthread.output.export import why_not_writable

    def refuse(message: str, hint: str) -> None:
        raise DataError([Problem("--csv", message=message, hint=hint)])

    name_a_file = "Give a file name such as draft.csv"
    if csv.is_dir():
        refuse(f"{csv} is a folder, not a file", name_a_file)
    reason = why_not_writable(csv.parent)
    if reason is not None:
        refuse(f"{csv} cannot be written: {reason}", name_a_file + " in a folder you can write in")
    target = csv.resolve()
    if any(target == s.resolve() for s in sources):
        refuse(
            f"{csv} is one of the data files: the drafts would replace every other month's rows in it",
            "Write to a new file such as draft.csv, then put its rows in place of the month's rows",
        )


def main() -> None:
    """The ``goldenthread`` command (the console script and ``python -m goldenthread``).

    Once the command has finished, what is still alive is moved out of the garbage collector's reach
    (:func:`gc.freeze`): the process is about to end, and the collection Python runs on the way out over a
    run's pandas, matplotlib and notebook objects would otherwise take about a second after the report is
    written. Tests call ``app`` in their own process, which keeps collecting as usual.
    """
    try:
        app()
    finally:
        gc.freeze()


def _comparators_text(ds: Dataset) -> str:
    """', 420 comparator figures (3 groups), 1 SPC rebase' for the validate line; '' when the council has none."""
    parts = []
    if ds.comparators is not None:
        groups = len(ds.comparators.groups)
        parts.append(f"{len(ds.benchmarks)} comparator figures ({groups} group{'s' if groups != 1 else ''})")
    if len(ds.rebases):
        parts.append(f"{len(ds.rebases)} SPC rebase{'s' if len(ds.rebases) != 1 else ''}")
    return "".join(f", {p}" for p in parts)


# The other commands, each in its own module (they import this one's helpers, so they are added last): owners'
# returns out and in (docs/returns.md), sign-offs (docs/signoff.md), the audit trail (docs/audit.md) and batch
# runs of many councils and periods (docs/batch.md).
from goldenthread.run.cli_audit import audit_app  # noqa: E402
from goldenthread.run.cli_batch import batch  # noqa: E402
from goldenthread.run.cli_returns import returns_app  # noqa: E402
from goldenthread.run.cli_signoff import signoff  # noqa: E402

app.add_typer(returns_app, name="returns")
app.command()(_no_traceback(signoff))
app.add_typer(audit_app, name="audit")
app.command()(_no_traceback(batch))

if __name__ == "__main__":  # pragma: no cover
    main()
