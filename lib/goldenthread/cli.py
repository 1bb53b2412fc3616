"""The ``goldenthread`` command: validate data and build reports.

Exit status: 0 success; 1 the report could not be built (a failing notebook cell, a renderer
error); 2 the input data or parameters break the data contract.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from goldenthread.errors import DataError, ReportError
from goldenthread.load import find_project_root

app = typer.Typer(
    help="Council performance reports from validated data: check a data folder, or build a period's report "
         "(HTML and PDF) by running its notebook with Papermill.\n\n"
         "Quick start:  goldenthread report --period 2019-07",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


def _root() -> Path:
    return find_project_root() or Path.cwd()


def _params_file(root: Path, period: str | None, params: Path | None) -> Path:
    """--params FILE, or parameters/<period>.yaml; exit 2 when neither is given."""
    if params is not None:
        return params
    if period is None:
        err.print("Give --period YYYY-MM (reads parameters/<period>.yaml) or --params FILE.")
        raise typer.Exit(2)
    return root / "parameters" / f"{period}.yaml"


def _fail_data(e: DataError) -> None:
    err.print("[bold red]Input data problem[/] - nothing was written.")
    err.print(e.summary(), markup=False, soft_wrap=True)  # values are shown exactly as typed, [brackets] too
    raise typer.Exit(2)


@app.command()
def validate(
    data: Path = typer.Argument(..., help="Organisation data folder, e.g. data/example (or a folder with one .xlsx)."),
) -> None:
    """Check a data folder against the data contract (docs/data-contract.md) and list every problem.

    The directorate plans in its directorates/ folder, if any, are checked too. Warnings (things that
    build but are probably mistakes, such as a measure with a polarity and no target) are listed
    after the OK line; they do not change the exit status.
    """
    from goldenthread.directorates import load_directorates
    from goldenthread.errors import warnings_summary
    from goldenthread.load import load_dataset, resolve_data_dir

    try:
        ds = load_dataset(data)
        plans = load_directorates(resolve_data_dir(data), ds.plan, ds.indicators)
    except DataError as e:
        _fail_data(e)
    n = len(ds.indicators)
    restricted = int((ds.indicators["classification"] == "restricted").sum())
    warned = len(ds.warnings)
    end = f", with {warned} warning{'s' if warned != 1 else ''}:" if warned else "."
    err.print(f"[green]OK[/] {escape(str(data))}: {n} indicators ({restricted} restricted), {len(ds.values)} values, "
              f"{len(ds.targets)} targets, {len(ds.commentary)} commentary rows, "
              f"{len(ds.plan.outcomes)} outcomes, {len(plans)} directorate plans{end}", soft_wrap=True)
    if warned:
        err.print(warnings_summary(ds.warnings), markup=False, soft_wrap=True)


@app.command()
def report(
    period: str = typer.Option(None, "--period", "-p", help="Report month YYYY-MM; reads parameters/<period>.yaml."),
    params: Path = typer.Option(None, "--params", help="Parameters file to use instead of parameters/<period>.yaml."),
    data: str = typer.Option(None, "--data", help="Data folder, overriding the parameters file."),
    out: Path = typer.Option(None, "--out", help="Output folder (default: reports/). Each report goes in a folder of its own, e.g. <out>/2019-07/."),
    formats: str = typer.Option("html,pdf", "--format",
                                help="Comma-separated: html, pdf, csv (the scorecard for spreadsheets)."),
    notebook: str = typer.Option("corporate_performance_report", "--notebook",
                                 help="Notebook in notebooks/ to run (name or path)."),
    renderer: str = typer.Option("goldenthread", "--renderer",
                                 help="goldenthread (default; pip-only HTML and PDF) or quarto (needs Quarto on PATH)."),
    timeout: int = typer.Option(600, "--timeout", help="Seconds a single notebook cell may run before the run fails."),
    directorate: str = typer.Option(None, "--directorate",
                                    help="With --notebook directorate_plan: the directorate (file id in "
                                         "data/<org>/directorates/)."),
    all_directorates: bool = typer.Option(False, "--all",
                                          help="With --notebook directorate_plan: one report per directorate, "
                                               "built in parallel on the available cores."),
    workers: int = typer.Option(None, "--workers", help="With --all: how many reports to build at once "
                                                        "(default: one per core)."),
) -> None:
    """Build a period's report: run the notebook with Papermill, write .ipynb, .html, .pdf and manifest.json.

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
    from goldenthread.pipeline import run_report

    root = _root()
    params = _params_file(root, period, params)
    nb = Path(notebook)
    if not nb.suffix:
        nb = root / "notebooks" / f"{notebook}.ipynb"
    if not nb.is_file():
        err.print(f"[red]Notebook not found:[/] {nb}. Notebooks live in {root / 'notebooks'}.")
        raise typer.Exit(2)
    start = time.perf_counter()
    tty = sys.stderr.isatty()

    def progress(msg: str) -> None:
        err.print(f"[dim]{time.perf_counter() - start:5.1f}s[/] {escape(msg)}", soft_wrap=True)  # data as typed

    common = {"notebook": nb, "out_root": out or root / "reports", "data": data, "timeout": timeout,
              "formats": [f.strip() for f in formats.split(",") if f.strip()], "renderer": renderer}
    if all_directorates:
        _report_all_directorates(params, common, workers, start)
        return
    try:
        result = run_report(params, progress=progress, progress_bar=tty,
                            extra={"directorate": directorate} if directorate else None, **common)
    except DataError as e:
        _fail_data(e)
    except ReportError as e:
        err.print(f"[bold red]Report failed:[/] {e}", soft_wrap=True)
        raise typer.Exit(1)
    err.print(f"[green]Done[/] in {time.perf_counter() - start:.1f}s: {result.out_dir}")
    for kind, path in result.files.items():
        err.print(f"  {kind:8} {path}")
    err.print(f"  {'index':8} {Path(common['out_root']) / 'index.html'}")


def _report_all_directorates(params: Path, common: dict, workers: int | None, start: float) -> None:
    """``report --all``: check the data once, then one report per directorate in parallel."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from goldenthread.directorate_plan import directorates_for
    from goldenthread.load import resolve_data_dir
    from goldenthread.pipeline import notebook_parameters, read_parameters, run_reports

    nb: Path = common["notebook"]
    if "directorate" not in notebook_parameters(nb):
        err.print(f"--all builds one report per directorate, but {nb.name} has no 'directorate' parameter. "
                  "Use --notebook directorate_plan.", soft_wrap=True)
        raise typer.Exit(2)
    try:
        p = read_parameters(params, {"data": common["data"]})
        folder = resolve_data_dir(p.data, None if common["data"] else params)
        chosen, skipped = directorates_for(folder, p.audience)
    except DataError as e:
        _fail_data(e)
    if not chosen:
        # Not an error: a council without directorate plans (or with only restricted ones, on a public
        # run) simply has none to build, and `make reports` goes on to finish its other documents.
        where = folder / "directorates"
        reason = (f"{where} does not exist" if not where.is_dir() else
                  f"{where} holds no {'public ' if p.audience == 'public' else ''}directorate plans")
        err.print(f"No directorate plans to build for {p.period}: {reason}. Nothing was written.", soft_wrap=True)
        return
    if skipped:
        err.print(f"Leaving out restricted directorate plan(s) {', '.join(skipped)} from the public run "
                  "(set audience: internal in the parameters file to build them).", soft_wrap=True)
    failures = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"Directorate plans for {p.period}", total=len(chosen))

        def done(subject: dict, result: object) -> None:
            bar.advance(task)
            if isinstance(result, Exception):
                failures.append((subject["directorate"], result))
                bar.console.print(f"[red]Failed[/] {subject['directorate']}: {escape(str(result))}", soft_wrap=True)
            else:
                bar.console.print(f"[green]Done[/] {subject['directorate']}: {result.out_dir}")

        run_reports(params, [{"directorate": d} for d in chosen], workers=workers, on_done=done, **common)
    index = Path(common["out_root"]) / "index.html"
    err.print(f"{len(chosen) - len(failures)} of {len(chosen)} directorate plans built in "
              f"{time.perf_counter() - start:.1f}s; index: {index}")
    if failures:
        raise typer.Exit(2 if all(isinstance(e, DataError) for _, e in failures) else 1)


@app.command()
def verify(
    report_dir: Path = typer.Argument(..., help="A built report folder, e.g. reports/2019-07."),
) -> None:
    """Check a built report against its manifest.json: are its inputs and outputs unchanged?"""
    from goldenthread.pipeline import verify as check

    problems = check(report_dir)
    if problems:
        err.print(f"[red]{report_dir} does not match its manifest:[/]")
        for p in problems:
            err.print(f"  - {p}", soft_wrap=True)
        raise typer.Exit(1)
    err.print(f"[green]OK[/] {report_dir}: inputs and outputs match manifest.json")


@app.command()
def areas(
    period: str = typer.Option(None, "--period", "-p", help="Report month YYYY-MM; reads parameters/<period>.yaml."),
    params: Path = typer.Option(None, "--params", help="Parameters file to use instead of parameters/<period>.yaml."),
    data: str = typer.Option(None, "--data", help="Data folder, overriding the parameters file."),
    csv: Path = typer.Option(None, "--csv", help="Also write the candidates as commentary.csv rows to FILE."),
) -> None:
    """Rank candidate areas of success and concern, with scores and drafted wording, for the leadership team."""
    from goldenthread.areas import candidates_as_commentary
    from goldenthread.load import resolve_data_dir
    from goldenthread.pipeline import read_parameters
    from goldenthread.report import build_report

    params = _params_file(_root(), period, params)
    try:
        p = read_parameters(params, {"data": data})
        folder = resolve_data_dir(p.data, None if data else params)
        report = build_report(folder, p.period, p.audience, p.title, p.front_sheet.model_dump(mode="json"),
                              p.max_successes, p.max_concerns, p.areas, p.news_window_months)
        table = report.area_candidates()
    except DataError as e:
        _fail_data(e)
    from rich.table import Table

    out = Table(title=f"Candidate areas for {p.period} (caps: {p.max_successes} successes, {p.max_concerns} concerns)",
                show_lines=True)
    for col in ("#", "Score", "Area", "Indicator", "Finding", "Figure for", "Source", "Drafted evidence"):
        out.add_column(col, overflow="fold")
    for r in table.itertuples(index=False):
        out.add_row(str(r.rank), f"{r.score:.0f}", r.direction, f"{r.indicator} {r.title}", r.kind or "-",
                    r.period or "-", ("in report: " if r.in_report else "") + r.source, r.draft or r.text)
    Console(highlight=False).print(out)
    if csv is not None:
        from goldenthread.export import write_csv
        from goldenthread.load import load_dataset

        # Every commentary row of the period, restricted ones too: the file replaces the period's rows in
        # commentary.csv, so leaving any out would delete them when it is pasted back.
        full = load_dataset(folder)
        rows = candidates_as_commentary(table, p.period, full.commentary, full.indicators)
        csv.parent.mkdir(parents=True, exist_ok=True)
        write_csv(rows, csv)
        err.print(f"Wrote {len(rows)} rows in the shape of commentary.csv to {csv}: the period's commentary with "
                  "the drafts in the columns draft and draft_area. Edit it, then put its rows in place of the "
                  f"{p.period} rows of commentary.csv (it holds restricted rows too: not for publication).",
                  soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    app()
