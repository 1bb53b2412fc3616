"""One report run, end to end: parameters -> validated data -> Papermill -> HTML, PDF, manifest.

A run builds everything in a staging folder beside the output and moves it into its own folder
(``reports/<period>/`` for the Corporate Performance Report, see :func:`report_folder_name` for the
others) only when every requested format succeeded, so a failure never leaves a half-written
report and the last good one stays where it was. A failed notebook is kept in
``reports/<folder>.failed/`` for debugging. ``reports/index.html`` is rebuilt after every run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from goldenthread import __version__
from goldenthread.errors import DataError, Problem, ReportError, warnings_summary
from goldenthread.inputs.config import ReportParameters
from goldenthread.inputs.load import Dataset, find_project_root, load_dataset, read_yaml, resolve_data_dir
from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.output.index import is_plain_name, listed_outputs, read_manifest, write_index

FORMATS = ("html", "pdf", "csv")
PACKAGES = (
    "goldenthread",
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "pandera",
    "pydantic",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "typst",
    "pypandoc-binary",
    "jinja2",
)

Progress = Callable[[str], None]


@dataclass
class RunResult:
    out_dir: Path
    files: dict[str, Path]
    timings: dict[str, float] = field(default_factory=dict)


def read_parameters(path: Path, overrides: dict[str, Any] | None = None) -> ReportParameters:
    """Read and check a parameters file; unknown keys and bad values are :class:`DataError`."""
    problems: list[Problem] = []
    params = read_yaml(
        path,
        ReportParameters,
        problems,
        overrides=overrides,
        missing_hint="Create it (copy parameters/2019-07.yaml) or pass --params FILE",
    )
    if problems or params is None:
        raise DataError(problems)
    return params  # type: ignore[return-value]


#: The notebook whose reports get the plain ``reports/<period>/`` folder.
MAIN_NOTEBOOK = "corporate_performance_report"


def report_folder_name(period: str, audience: str, notebook: str = MAIN_NOTEBOOK, subject: str | None = None) -> str:
    """Each document, period and audience gets its own folder, so no run can replace another's report.

    ``2019-07`` for the public Corporate Performance Report and ``2019-07-internal`` for the internal
    one; other notebooks are named first: ``business-plan-2019-07``, and with a subject (a
    directorate) ``directorate-plan-eci-2019-07``.
    """
    stem = "" if notebook == MAIN_NOTEBOOK else notebook.replace("_", "-") + "-"
    about = f"{subject}-" if subject else ""
    return f"{stem}{about}{period}" + ("" if audience == "public" else f"-{audience}")


def notebook_parameters(notebook: Path) -> set[str]:
    """The names in a notebook's ``parameters`` cell: only these are passed to it."""
    import papermill as pm

    try:
        with warnings.catch_warnings():  # papermill warns about a name without .ipynb: the message below says more
            warnings.simplefilter("ignore")
            return set(pm.inspect_notebook(str(notebook)))
    except Exception as err:  # noqa: BLE001 - not JSON, not a notebook: nbformat and jsonschema errors alike
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DataError(
            [
                Problem(
                    str(notebook),
                    message=f"is not a notebook that can be run ({first[:120]})",
                    hint="Give a .ipynb file saved by Jupyter, such as notebooks/corporate_performance_report.ipynb",
                )
            ]
        ) from err


def period_end_epoch(period: str) -> int:
    """Midnight (UTC) at the end of the report month: a reproducible creation date for the PDF."""
    import calendar
    import datetime as dt

    year, month = map(int, period.split("-"))
    end = dt.datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=dt.UTC)
    return int(end.timestamp())


def verify(report_dir: Path, project: Path | None = None) -> list[str]:
    """Differences between a built report and its manifest: changed inputs, changed, missing or
    unknown outputs. An empty list means the report is exactly what its recorded inputs produced.

    Inputs are found from the project the report was built in (``project``, else see
    :func:`_project_for`), so ``verify`` gives the same answer from any folder. A file in the report
    folder that the manifest does not list (a planted page, a stray copy) is a difference too: it
    would be published with the report without having been built with it.
    """
    manifest_path = report_dir / "manifest.json"
    if not manifest_path.is_file():
        return [f"{manifest_path}: no manifest, so the report cannot be checked"]
    try:
        manifest = read_manifest(manifest_path)
    except (OSError, ValueError) as err:
        return [f"{manifest_path}: {err}, so the report cannot be checked. Rebuild the report to write a new one"]
    inputs, outputs = manifest.get("inputs", {}), manifest.get("outputs", {})
    problems = [
        f"manifest.json: '{key}' is not a table of file names and SHA-256 digests, so they cannot be "
        "checked (the manifest has been edited: rebuild the report)"
        for key, table in (("inputs", inputs), ("outputs", outputs))
        if not _digest_table(table)
    ]
    inputs = inputs if _digest_table(inputs) else {}
    outputs = outputs if _digest_table(outputs) else {}
    root = project or _project_for(report_dir, manifest, inputs)
    for rel, digest in inputs.items():
        path = Path(rel) if Path(rel).is_absolute() else root / rel
        if not path.is_file():
            where = "" if Path(rel).is_absolute() else f" (looked in the project folder {root})"
            problems.append(f"input {rel} is missing{where}")
        elif sha256(path) != digest:
            problems.append(f"input {rel} has changed since the report was built")
    for name, digest in outputs.items():
        path = report_dir / name
        if not is_plain_name(name):
            problems.append(f"output {name!r} is not a file name in the report folder (the manifest has been edited)")
        elif not path.is_file():
            problems.append(f"output {name} is missing")
        elif sha256(path) != digest:
            problems.append(f"output {name} has been changed since it was built")
    known = {"manifest.json", *listed_outputs(manifest)}
    for path in sorted(report_dir.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(report_dir).as_posix()
        if rel not in known:
            problems.append(
                f"{rel} is in the report folder but not in its manifest: it was not built with the "
                "report (remove it, or rebuild the report)"
            )
    git = manifest.get("git")
    commit = git.get("commit") if isinstance(git, dict) else None
    current = _git_commit(root).get("commit")
    if isinstance(commit, str) and commit and current and commit != current:
        problems.append(
            f"the code has moved on: built at commit {commit[:12]}, now at {current[:12]} "
            "(rebuild to check the outputs are unchanged)"
        )
    return problems


def _digest_table(table: object) -> bool:
    """Is ``table`` what a manifest's inputs and outputs are: file name -> SHA-256 text?"""
    return isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in table.items())


def _project_for(report_dir: Path, manifest: dict[str, Any], inputs: dict[str, str]) -> Path:
    """The project folder a report's relative input paths are relative to.

    Looked for where the manifest says (``project``, relative to the report folder), then above the
    report folder, then above the current folder, then the current folder itself; the first that
    holds any of the inputs wins, so a report built with ``--out`` outside the project, or checked
    from another folder, still finds them.
    """
    recorded = manifest.get("project")
    candidates = [
        report_dir / recorded if isinstance(recorded, str) and recorded else None,
        find_project_root(report_dir),
        find_project_root(),
        Path.cwd(),
    ]
    found = [c for c in dict.fromkeys(candidates) if c is not None and c.is_dir()]
    relative = [rel for rel in inputs if not Path(rel).is_absolute()]
    for folder in found:
        if any((folder / rel).is_file() for rel in relative):
            return folder.resolve()
    return found[0].resolve()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _relpath(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with ``..`` if need be: no absolute path (a user's home, a
    server's layout) is published in a notebook or manifest. Absolute only where no relative path
    exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _git_commit(root: Path) -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if commit.returncode == 0:
            return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        pass
    return {"commit": None, "dirty": None}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _failed_cell_message(nb_path: Path) -> str:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    # Number cells as the analyst sees them in their notebook, not counting the ones Papermill adds.
    added = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]
    for i, cell in enumerate(cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                return (
                    f"cell {i + 1} ({cell.get('id', '?')}: {first[:60]!r}) raised "
                    f"{out.get('ename')}: {out.get('evalue')}"
                )
    return "the notebook failed"


def execute_notebook(
    notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, timeout: int | None, progress: bool
) -> None:
    """Run ``notebook`` with Papermill. Raises :class:`ReportError` naming the failing cell."""
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            cwd=str(cwd),
            kernel_name="python3",
            progress_bar=progress,
            execution_timeout=timeout,
            log_output=False,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except pm.PapermillExecutionError as err:
        raise ReportError(_failed_cell_message(output) if output.exists() else str(err)) from err
    except CellTimeoutError as err:
        raise ReportError(
            f"{_running_cell(output)} did not finish within {timeout} seconds and was stopped; "
            "if the work is genuinely slow, raise --timeout"
        ) from err
    except DeadKernelError as err:
        raise ReportError(
            f"the notebook's kernel died while running {_running_cell(output)} (often a sign it ran out of memory)"
        ) from err
    except NoSuchKernel as err:
        raise ReportError(
            f"no Jupyter kernel called 'python3' is installed for {sys.executable}; reinstall "
            "goldenthread in this environment (make report does it), which brings ipykernel"
        ) from err
    except RuntimeError as err:  # nbclient: "Kernel didn't respond in 60 seconds", and other start failures
        raise ReportError(
            f"the notebook's kernel did not start ({err}). Check that 'python -m ipykernel' runs in "
            "this environment and that no environment variable it reads is malformed"
        ) from err


def _running_cell(nb_path: Path) -> str:
    """The cell Papermill was running when it stopped, as "cell N (id: 'first line')", numbered as in the
    analyst's notebook."""
    import nbformat

    if nb_path.exists():
        nb = nbformat.read(nb_path, as_version=4)
        added = {"injected-parameters", "papermill-error-cell-tag"}
        cells = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]
        # Papermill stamps a start time on each cell it begins; the stopped cell is the last one stamped.
        started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        if started:
            cell = cells[started[-1]]
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            return f"cell {started[-1] + 1} ({cell.get('id', '?')}: {first[:60]!r})"
    return "a cell"


def run_report(
    params_file: Path,
    *,
    notebook: Path,
    out_root: Path,
    data: str | None = None,
    formats: Iterable[str] = ("html", "pdf"),
    timeout: int | None = 600,
    progress: Progress = lambda msg: None,
    progress_bar: bool = False,
    renderer: str = "goldenthread",
    extra: dict[str, Any] | None = None,
) -> RunResult:
    """Build one report into its folder under ``out_root``; see the module docstring for the guarantees.

    ``extra`` are notebook parameters that are not in the parameters file, such as the
    ``directorate`` of a directorate plan; a ``directorate`` also names the output folder.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    formats = tuple(dict.fromkeys(formats))
    check_run_arguments(formats, renderer, out_root)
    root = find_project_root(params_file.parent) or find_project_root() or Path.cwd()
    params = read_parameters(params_file, {"data": data})
    # --data is typed at the prompt (relative to the current folder); a parameters file's data: is not
    data_dir = resolve_data_dir(params.data, None if data else params_file)
    progress(f"Checking data in {_rel(data_dir, root)}")
    dataset = load_dataset(data_dir)
    check_period_has_figures(dataset.for_audience(params.audience), params.period, params_file.name, progress)
    if dataset.warnings:  # things that build but are probably mistakes: said before the build, which goes on
        n = len(dataset.warnings)
        progress(
            f"{n} warning{'s' if n != 1 else ''} about the data (the report is built anyway):\n"
            + warnings_summary(dataset.warnings)
        )
    timings["validate"] = time.perf_counter() - t0

    extra = {k: v for k, v in (extra or {}).items() if v is not None}
    declared = notebook_parameters(notebook)
    undeclared = sorted(set(extra) - declared)
    if undeclared:
        raise DataError(
            [
                Problem(
                    notebook.name,
                    message=f"has no parameter {', '.join(map(repr, undeclared))}",
                    hint=f"Its parameters cell declares: {', '.join(sorted(declared)) or 'nothing'}",
                )
            ]
        )
    subject = extra.get("directorate")
    if subject is not None and not re.fullmatch(r"[a-z0-9-]+", str(subject)):  # it becomes part of a path
        raise DataError(
            [
                Problem(
                    "--directorate",
                    message="is not a directorate id",
                    value=str(subject),
                    hint="Use a file name from data/<org>/directorates/ without .yaml, for example eci",
                )
            ]
        )
    subject_files: list[Path] = []
    if subject is not None:  # the plan exists and this audience may see it, before any kernel starts
        from goldenthread.documents.directorate_plan import choose_directorate
        from goldenthread.inputs.directorates import load_directorates

        choose_directorate(
            load_directorates(data_dir, dataset.plan, dataset.indicators), subject, params.audience, data_dir
        )
        subject_files = [data_dir / "directorates" / f"{subject}.yaml"]
    name = report_folder_name(params.period, params.audience, notebook.stem, subject)
    final = out_root / name
    _refuse_another_councils_folder(final, dataset.organisation.name)
    _make_out_root(out_root)
    failed = out_root / f"{name}.failed"
    staging = out_root / f".staging-{name}-{os.getpid()}"
    stem = notebook.stem
    executed = staging / f"{stem}.ipynb"
    # The kernel runs in the project folder, so the data path it is given (and that the published
    # notebook and manifest show) is relative to it: no absolute path of this machine is published.
    data_param = _relpath(data_dir, root)
    try:
        clean_leftovers(out_root, name)
        staging.mkdir()
        progress(f"Running {notebook.name} for {params.period} ({params.audience})")
        t = time.perf_counter()
        # Only what the notebook declares: a business plan has no front sheet, for instance.
        injected = {k: v for k, v in {**params.model_dump(mode="json"), **extra}.items() if k in declared}
        injected["data"] = data_param
        try:
            execute_notebook(notebook, executed, injected, root, timeout, progress_bar)
        except ReportError as err:
            shutil.rmtree(failed, ignore_errors=True)
            failed.mkdir(parents=True)
            if executed.exists():
                shutil.move(str(executed), failed / executed.name)
            kept = (
                f"; the failed notebook is kept in {failed / executed.name}"
                if (failed / executed.name).exists()
                else ""
            )
            last = f"; the last good report in {final} is unchanged" if final.exists() else ""
            raise ReportError(f"{notebook.name}: {err}{kept}{last}") from err
        timings["execute"] = time.perf_counter() - t

        import nbformat

        from goldenthread.output import render

        nb = nbformat.read(executed, as_version=4)
        document = render.document_meta(nb)
        nbformat.write(published_notebook(nb, _relpath(notebook, root)), executed)
        files: dict[str, Path] = {"ipynb": executed}
        if renderer == "quarto":
            progress("Rendering with Quarto")
            t = time.perf_counter()
            run_quarto(executed, formats)
            files.update({f: executed.with_suffix(f".{f}") for f in formats})
            timings["quarto"] = time.perf_counter() - t
            formats = ()
        try:
            if "html" in formats:
                progress("Writing HTML")
                t = time.perf_counter()
                files["html"] = staging / f"{stem}.html"
                render.export_html(nb, files["html"])
                timings["html"] = time.perf_counter() - t
            if "pdf" in formats:
                progress("Writing PDF")
                t = time.perf_counter()
                files["pdf"] = staging / f"{stem}.pdf"
                work = staging / ".typst"
                render.export_pdf(nb, files["pdf"], work, timestamp=period_end_epoch(params.period))
                shutil.rmtree(work, ignore_errors=True)
                timings["pdf"] = time.perf_counter() - t

        except ReportError as err:  # a renderer failed: say, as for a failing cell, that nothing was replaced
            last = f"; the last good report in {final} is unchanged" if final.exists() else ""
            raise ReportError(f"{err}{last}") from err

        if "csv" in formats:
            progress("Writing the scorecard as CSV")
            from goldenthread.documents.report import build_report
            from goldenthread.output.export import write_csv

            files["csv"] = staging / "scorecard.csv"
            p = params
            write_csv(build_report(data_dir, p.period, p.audience, p.title).scorecard_table(), files["csv"])

        timings["total"] = time.perf_counter() - t0
        manifest = {
            "goldenthread": __version__,
            "notebook": _rel(notebook, root),
            "title": document.get("title", notebook.stem),
            "organisation": dataset.organisation.name,
            "period": params.period,
            "audience": params.audience,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "parameters": {
                **{k: v for k, v in params.model_dump(mode="json").items() if k in declared},
                **extra,
                "data": data_param,
            },
            "project": _relpath(root, final),
            "inputs": {_rel(p, root): sha256(p) for p in (*dataset.sources, *subject_files, params_file, notebook)},
            "outputs": {p.name: sha256(p) for p in files.values()},
            "git": _git_commit(root),
            "versions": _versions(),
            "platform": {"system": platform.system(), "machine": platform.machine(), "python": sys.version.split()[0]},
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        files["manifest"] = staging / "manifest.json"
        _swap_into_place(staging, final)
        shutil.rmtree(failed, ignore_errors=True)
        try:
            write_index(out_root)
        except OSError as err:  # the report itself is safely in place; only the list of reports is stale
            progress(f"Could not update {out_root / 'index.html'}: {err.strerror or err}")
        return RunResult(final, {k: final / p.name for k, p in files.items()}, timings)
    except OSError as err:  # a full disk, a read-only folder: say so, keep the last good report
        last = f"; the last good report in {final} is unchanged" if final.exists() else ""
        raise ReportError(
            f"could not write the report: {err.strerror or err} ({err.filename or staging}){last}"
        ) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _refuse_another_councils_folder(final: Path, organisation: str) -> None:
    """A report folder holding another council's report for the same period is never replaced.

    Folders are named by period, so two councils built into one reports folder would otherwise
    overwrite each other's published report without a word. A folder whose manifest cannot be
    read is not replaced either (whose report it holds cannot be told), nor a file of that name.
    """
    move = "Build into another folder with --out (for example --out reports/<council>), or move it first"
    if final.exists() and not final.is_dir():
        raise DataError(
            [
                Problem(
                    str(final),
                    message="is a file, not a report folder, so the report cannot be written there",
                    hint=move,
                )
            ]
        )
    manifest_path = final / "manifest.json"
    if not manifest_path.is_file():
        return
    try:
        built_for = read_manifest(manifest_path).get("organisation")
    except (OSError, ValueError) as err:
        raise DataError(
            [
                Problem(
                    str(final),
                    message=f"holds a report whose manifest cannot be read ({err}), so "
                    "whose report it is cannot be told",
                    hint=move,
                )
            ]
        ) from err
    if built_for and built_for != organisation:
        raise DataError(
            [
                Problem(
                    str(final),
                    message=f"holds {built_for}'s report for this period, not {organisation}'s",
                    hint="Build into another folder with --out (for example --out reports/<council>), "
                    "or move that report first",
                )
            ]
        )


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse an environment the notebook's kernel cannot start in, before any work.

    IPython reads ``SOURCE_DATE_EPOCH`` when the kernel starts (and the PDF's date comes from it);
    a value that is not a whole number of seconds stops the kernel answering, so without this
    check a run hangs for a minute and ends in a bare RuntimeError.
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return
    if not (re.fullmatch(r"[0-9]{1,12}", epoch) and _is_a_date(int(epoch))):
        raise DataError(
            [
                Problem(
                    "SOURCE_DATE_EPOCH (environment variable)",
                    message="is not a whole number of seconds since 1 January 1970",
                    value=epoch,
                    hint="Unset it (unset SOURCE_DATE_EPOCH: the PDF is then dated the end of the "
                    "report month) or set it to a number such as 1564617600",
                )
            ]
        )


def _is_a_date(seconds: int) -> bool:
    """Can ``seconds`` since 1970 be written as a local date (as IPython does at start-up)?"""
    try:
        dt.datetime.fromtimestamp(seconds)
    except (ValueError, OverflowError, OSError):
        return False
    return True


OUT_HINT = "Give a folder you can write in (it is created if missing), for example --out reports"


def check_run_arguments(formats: Iterable[str], renderer: str, out_root: Path) -> None:
    """The run's own settings, checked before the data is read: a mistyped option is a message at once."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DataError(
            [
                Problem(
                    "--format",
                    message=f"unknown format {', '.join(unknown)}",
                    hint="Use html, pdf or csv, comma-separated (for example html,pdf)",
                )
            ]
        )
    if not formats:
        raise DataError(
            [
                Problem(
                    "--format",
                    message="names no format, so there would be no report to write",
                    hint="Use html, pdf or csv, comma-separated (for example html,pdf)",
                )
            ]
        )
    if renderer not in ("goldenthread", "quarto"):
        raise DataError(
            [
                Problem(
                    "--renderer",
                    message=f"unknown renderer {renderer!r}",
                    hint="Use goldenthread (the default) or quarto",
                )
            ]
        )
    if renderer == "quarto" and shutil.which("quarto") is None:
        run_quarto(Path("unused"), ())  # raises the 'Quarto is not installed' error before any work
    check_environment()
    check_out_root(out_root)


def check_out_root(out_root: Path) -> None:
    """``--out`` names a folder this user can write in, or one that can be made there."""
    from goldenthread.output.export import why_not_writable

    reason = why_not_writable(out_root)
    if reason is not None:
        raise DataError([Problem("--out", message=f"cannot hold the reports: {reason}", hint=OUT_HINT)])


def _make_out_root(out_root: Path) -> None:
    """Create ``--out`` if need be; a failure (permissions, a name too long) is a message about ``--out``."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DataError(
            [Problem("--out", message=f"could not make {out_root}: {err.strerror or err}", hint=OUT_HINT)]
        ) from err


def check_period_has_figures(dataset: Dataset, period: str, source: str, progress: Progress = lambda m: None) -> None:
    """Refuse a report month before every figure in the data: the report would be empty.

    A month long after the last figure is built (every indicator then shows "insufficient
    information", which may be what is wanted), with a warning.
    """
    v = dataset.values
    months = v.loc[v["value"].notna() | v["milestone_status"].notna(), "period"].dropna().astype(int)
    wanted = parse_period(period)
    if months.empty or months.min() > wanted:
        start = (
            f"the data starts in {format_period(int(months.min()))}"
            if not months.empty
            else "values.csv holds no figures"
        )
        raise DataError(
            [
                Problem(
                    source,
                    column="period",
                    field="key",
                    message=f"no indicator has a figure at or before {period}; {start}",
                    value=period,
                    hint="Check the period: a report is for a month the data covers",
                )
            ]
        )
    latest = int(months.max())
    if wanted - latest > 14:  # longer ago than any indicator's figure stays current (annual: 14 months)
        progress(
            f"Warning: the latest figure in the data is for {format_period(latest)}, more than 14 months "
            f"before {period}: every indicator will show insufficient information"
        )


def published_notebook(nb: Any, notebook_path: str) -> Any:
    """The executed notebook as published beside the report: only what the report itself shows.

    Outputs of ``analyst-only`` cells (the candidate areas with the leadership team's exclusions
    and their draft wording, the sortable scorecard) and printed output and warnings (which name
    folders on this machine) are removed, as the rendered report removes them; the cells' code
    stays, so an analyst re-runs it to see them. Papermill's record of where the notebook was read
    from and written to is made relative. The full executed notebook is never kept for a
    successful run: analysts run the notebook themselves (``make lab``) to see the analyst views.
    """
    import copy

    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.get("cell_type") != "code":
            continue
        if "analyst-only" in cell.get("metadata", {}).get("tags", []):
            cell.outputs, cell.execution_count = [], None
        else:
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") not in ("stream", "error")]
    record = out.get("metadata", {}).get("papermill")
    if isinstance(record, dict):
        record["input_path"] = notebook_path
        record["output_path"] = Path(notebook_path).name
    return out


#: Set in a worker process once Ctrl-C reached it: it starts no further report.
_interrupted = False


def _worker_start() -> None:
    """In each worker of ``run_reports``: remember a Ctrl-C, so a report queued behind the one it
    stopped is not started after the user said stop."""

    def stop(signum: int, frame: object) -> None:
        global _interrupted
        _interrupted = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)


def _run_one(kwargs: dict[str, Any]) -> RunResult:
    """One report in a worker process (top level, so it can be pickled)."""
    if _interrupted:
        raise KeyboardInterrupt
    return run_report(**kwargs)


def run_reports(
    params_file: Path,
    subjects: list[dict[str, Any]],
    *,
    workers: int | None = None,
    on_done: Callable[[dict[str, Any], RunResult | Exception], None] = lambda s, r: None,
    **common: Any,
) -> list[tuple[dict[str, Any], RunResult | Exception]]:
    """Build one report per subject (e.g. per directorate) in parallel, one process per core.

    Each run keeps every guarantee of :func:`run_report`; a run that fails does not stop the
    others. Returns (subject, result or the exception) in the order given; ``on_done`` is called
    as each finishes (for a progress bar). The index page is rebuilt once all are done.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = max(1, min(workers or os.cpu_count() or 1, len(subjects) or 1))
    results: dict[int, RunResult | Exception] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
        futures = {
            pool.submit(_run_one, {"params_file": params_file, "extra": subject, **common}): i
            for i, subject in enumerate(subjects)
        }
        try:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as err:  # noqa: BLE001 - reported per subject, the others carry on
                    results[i] = err
                on_done(subjects[i], results[i])
        except KeyboardInterrupt:
            # Ctrl-C stops the runs under way (each tidies its staging folder) and the ones still queued
            # must not start, or reports would go on being built after the user said stop. A Ctrl-C at a
            # terminal reaches the workers too; a SIGINT sent to this process alone is passed on to them.
            for future in futures:
                future.cancel()
            for worker in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(OSError):
                    os.kill(worker.pid, signal.SIGINT)
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    out_root = common.get("out_root")
    if out_root is not None and Path(out_root).is_dir():
        try:
            write_index(Path(out_root))
        except OSError:  # each run has already rebuilt it; the reports themselves are in place
            pass
    return [(subject, results[i]) for i, subject in enumerate(subjects)]


def clean_leftovers(out_root: Path, name: str) -> None:
    """Tidy what a killed run left behind: staging folders of dead processes, and a half-done swap.

    If a run died between moving the old report aside and moving the new one in, the old one is
    put back, so the last good report is never lost. Only this folder's own leftovers are touched,
    matched exactly: ``.old-2019-07-<pid>``, never ``.old-2019-07-internal-<pid>`` (a restricted
    report set aside by an internal run must never be put back as the public ``2019-07``).
    """
    final = out_root / name
    for old, _ in _leftovers(out_root, ".old", name):
        if not final.exists():
            old.rename(final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for leftover, pid in _leftovers(out_root, ".staging", name):
        if not _alive(pid) or pid == os.getpid():
            shutil.rmtree(leftover, ignore_errors=True)


def _leftovers(out_root: Path, prefix: str, name: str) -> list[tuple[Path, int]]:
    """``<prefix>-<name>-<pid>`` entries of ``out_root`` (the pid all digits), in name order, with the pid."""
    pattern = re.compile(rf"{re.escape(prefix)}-{re.escape(name)}-([0-9]+)")
    found = ((p, pattern.fullmatch(p.name)) for p in out_root.iterdir())
    return sorted((p, int(m.group(1))) for p, m in found if m)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_into_place(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` using renames, so readers see the old or the new report, whole."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old.exists():
            old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def run_quarto(executed_notebook: Path, formats: Iterable[str]) -> None:
    """Render through Quarto when it is installed (optional; never required)."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise ReportError(
            "Quarto is not installed (no 'quarto' on PATH). The default renderer needs nothing "
            "extra: leave out --renderer, or install Quarto from quarto.org to use it."
        )
    for fmt in formats:
        subprocess.run(
            [quarto, "render", str(executed_notebook), "--to", "typst" if fmt == "pdf" else fmt, "--no-execute"],
            check=True,
        )
