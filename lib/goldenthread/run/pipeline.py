"""One report run, end to end: parameters -> validated data -> Papermill -> HTML, PDF, manifest, log.

A run builds everything in a staging folder beside the output and moves it into its own folder
(``reports/<period>/`` for the Corporate Performance Report, see :func:`report_folder_name` for the
others) only when every requested format succeeded, so a failure never leaves a half-written
report and the last good one stays where it was. A failed notebook and the failed run's log are
kept in ``reports/<folder>.failed/`` for debugging. ``reports/index.html`` is rebuilt after every run.

The steps, each in its own module: :mod:`.checks` (settings, environment, parameters, period),
:mod:`.kernel` (a kernel started while the data is checked), :mod:`.notebook` (Papermill),
:mod:`.staging` (the staging folder and the swap), :mod:`.manifest` (inputs, outputs, ``verify``),
:mod:`.logging_config` (``run.log``). This module composes them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from goldenthread.errors import DataError, Problem, ReportError, warnings_summary
from goldenthread.inputs.config import ReportParameters
from goldenthread.inputs.load import Dataset, load_dataset, resolve_data_dir
from goldenthread.output.index import write_index
from goldenthread.run import interrupt
from goldenthread.run.checks import (
    check_declared,
    check_period_has_figures,
    check_run_arguments,
    check_subject,
    read_parameters,
)
from goldenthread.run.kernel import WarmKernel, check_environment
from goldenthread.run.logging_config import RunLog, capture_run_log
from goldenthread.run.manifest import (
    LOG,
    code_sha256,
    git_commit,
    manifest_record,
    project_path,
    relative_path,
    sha256,
    verify,
    versions,
    write_manifest,
)
from goldenthread.run.notebook import execute_notebook, notebook_parameters, published_notebook
from goldenthread.run.quarto import quarto_path, run_quarto
from goldenthread.run.settings import FORMATS, RunSettings
from goldenthread.run.staging import (
    clean_leftovers,
    failed_folder,
    keep_failed,
    make_out_root,
    refuse_another_councils_folder,
    staging_folder,
    swap_into_place,
)

__all__ = [
    "FORMATS",
    "MAIN_NOTEBOOK",
    "SIGNOFF_PARAMETERS",
    "RunResult",
    "RunSettings",
    "check_environment",
    "check_period_has_figures",
    "check_run_arguments",
    "clean_leftovers",
    "execute_notebook",
    "notebook_parameters",
    "period_end_epoch",
    "published_notebook",
    "quarto_path",
    "read_parameters",
    "report_folder_name",
    "run_report",
    "run_reports",
    "sha256",
    "verify",
]

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
T = TypeVar("T")

#: The notebook whose reports get the plain ``reports/<period>/`` folder.
MAIN_NOTEBOOK = "corporate_performance_report"


@dataclass
class RunResult:
    out_dir: Path
    files: dict[str, Path]
    timings: dict[str, float] = field(default_factory=dict)


def report_folder_name(
    period: str, audience: str, notebook: str = MAIN_NOTEBOOK, subject: str | None = None, draft: bool = False
) -> str:
    """Each document, period and audience gets its own folder, so no run can replace another's report.

    ``2019-07`` for the public Corporate Performance Report and ``2019-07-internal`` for the internal
    one; other notebooks are named first: ``business-plan-2019-07``, and with a subject (a
    directorate) ``directorate-plan-eci-2019-07``. A report built without all its sign-offs
    (docs/signoff.md) ends in ``-draft``, so a draft never takes the place of an approved report.
    """
    stem = "" if notebook == MAIN_NOTEBOOK else notebook.replace("_", "-") + "-"
    about = f"{subject}-" if subject else ""
    return f"{stem}{about}{period}" + ("" if audience == "public" else f"-{audience}") + ("-draft" if draft else "")


#: Added to the file names of a report built without all its sign-offs: corporate_performance_report-DRAFT.pdf.
DRAFT_SUFFIX = "-DRAFT"
#: Notebook parameters the run sets from the sign-offs (docs/signoff.md), never a parameters file.
SIGNOFF_PARAMETERS = ("draft", "signoff_changes")


def period_end_epoch(period: str) -> int:
    """Midnight (UTC) at the end of the report month: a reproducible creation date for the PDF."""
    import calendar
    import datetime as dt

    year, month = map(int, period.split("-"))
    end = dt.datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=dt.UTC)
    return int(end.timestamp())


def reference_docx(data_dir: Path, dataset: Dataset) -> Path | None:
    """The council's Word reference document, checked before any work (exit 2 if it is unusable), or
    ``None`` for goldenthread's own. A relative path is relative to the data folder, like the data."""
    from goldenthread.output.word import reference_docx_problems

    setting = dataset.organisation.report_defaults.reference_docx
    if not setting:
        return None
    path = Path(setting).expanduser()
    path = path if path.is_absolute() else data_dir / path
    problems = reference_docx_problems(path)
    if problems:
        hint = (
            "Give the path of a .docx with the council's styles (relative to the data folder), or remove the "
            "key to use goldenthread's own; docs/word.md says how to make one"
        )
        raise DataError(
            [Problem("organisation.yaml", None, "report_defaults.reference_docx", problems[0], setting, hint, "key")]
        )
    return path


def as_settings(settings: RunSettings | Path, options: dict[str, Any]) -> RunSettings:
    """``RunSettings`` as given, or built from a parameters file and keyword options (the short form)."""
    if isinstance(settings, RunSettings):
        if options:
            raise TypeError(f"give options in the RunSettings, not as keywords: {', '.join(options)}")
        return settings
    return RunSettings(Path(settings), **options)


@dataclass
class _Plan:
    """What the checks found: everything the build needs, known before any file is written."""

    settings: RunSettings
    root: Path
    params: ReportParameters
    data_dir: Path
    dataset: Dataset
    declared: set[str]
    subject_files: list[Path]
    name: str
    #: The council's Word reference document (``report_defaults.reference_docx``), if it names one
    reference_docx: Path | None = None
    #: Where the sign-offs stand (organisation.yaml's ``sign_off``); None when the council uses none
    sign_offs: SignOffs | None = None
    #: The audit store's newest row, recorded in the manifest, when the council has a store
    audit: dict[str, Any] | None = None

    @property
    def final(self) -> Path:
        return self.settings.out_root / self.name

    @property
    def data_param(self) -> str:
        # The kernel runs in the project folder, so the data path it is given (and that the published
        # notebook and manifest show) is relative to it: no absolute path of this machine is published.
        return relative_path(self.data_dir, self.root)

    @property
    def draft(self) -> bool:
        return self.sign_offs is not None and self.sign_offs.draft

    def signoff_parameters(self) -> dict[str, Any]:
        """``draft`` and ``signoff_changes`` for a notebook that declares them, only when the council signs
        off (so a council without sign-offs gets the same notebook, and the same report, as before)."""
        if self.sign_offs is None:
            return {}
        values = dict(zip(SIGNOFF_PARAMETERS, (self.sign_offs.draft, self.sign_offs.changes), strict=True))
        return {k: v for k, v in values.items() if k in self.declared}

    def notebook_parameters(self) -> dict[str, Any]:
        """Only what the notebook declares (a business plan has no front sheet, for instance)."""
        values = {**self.params.model_dump(mode="json"), **self.settings.extra}
        return {
            **{k: v for k, v in values.items() if k in self.declared},
            **self.signoff_parameters(),
            "data": self.data_param,
        }


@dataclass(frozen=True)
class SignOffs:
    """What a run learnt about its sign-offs: whether it is a draft, and the figures changed since a sign-off."""

    draft: bool
    changes: list[dict[str, str]] = field(default_factory=list)


def run_report(
    settings: RunSettings | Path,
    *,
    progress: Progress = lambda msg: None,
    kernel: WarmKernel | None = None,
    **options: Any,
) -> RunResult:
    """Build one report into its folder under ``settings.out_root``; see the module docstring for the
    guarantees. ``run_report(params_file, notebook=..., out_root=...)`` is short for
    ``run_report(RunSettings(params_file, notebook=..., out_root=...))``.

    ``kernel`` is one the caller started earlier for this notebook (:meth:`WarmKernel.early`); the
    run owns it from then on and stops it. Without one, the run starts its own before the data is read.
    """
    settings = as_settings(settings, options)
    with capture_run_log(settings.project_root) as run_log:
        return _Run(settings, progress, run_log, kernel).build()


class _Run:
    """One run's steps, in order: :meth:`check` (nothing written), :meth:`execute`, :meth:`render`,
    :meth:`publish`. The kernel is started early (see :mod:`.kernel`) and always stopped."""

    def __init__(self, settings: RunSettings, progress: Progress, run_log: RunLog, kernel: WarmKernel | None) -> None:
        self.settings = settings
        self.kernel = kernel
        self.progress = progress
        self.run_log = run_log
        self.timings: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self.document: dict[str, Any] = {}  # the executed notebook's title and such, for the manifest
        self.notebook_failed = False  # a cell failed: its notebook is kept for debugging

    def say(self, message: str, level: int = logging.INFO) -> None:
        """A progress line: on the terminal (through ``progress``) and in the run log."""
        log.log(level, message)
        self.progress(message)

    def build(self) -> RunResult:
        s = self.settings
        log.debug("Run settings: %s", s)
        if self.kernel is not None:
            log.debug("A kernel was started before the data libraries were loaded")
        try:
            check_run_arguments(s.formats, s.renderer, s.out_root)
            check_subject(s.subject)
            root = s.project_root
            params = read_parameters(s.params_file, {"data": s.data})
            if self.kernel is None and s.notebook.is_file():
                self.kernel = WarmKernel.start(root, s.notebook)
            return self.in_staging(self.check(root, params))
        finally:
            self._stop_kernel()

    def _stop_kernel(self) -> None:
        """Stop the kernel once the notebook has run (the renderers get its core), and in any case at the end."""
        if self.kernel is not None:
            self.kernel.stop()
            self.kernel = None

    def check(self, root: Path, params: ReportParameters) -> _Plan:
        """Validate the data and everything the run needs; :class:`DataError` before any file is written."""
        s = self.settings
        # --data is typed at the prompt (relative to the current folder); a parameters file's data: is not
        data_dir = resolve_data_dir(params.data, None if s.data else s.params_file)
        self.say(f"Checking data in {project_path(data_dir, root)}")
        if finish_interrupted_collect(data_dir):
            self.say("Finished a returns collect that was stopped part-way (docs/returns.md)", logging.WARNING)
        if self.kernel is not None:  # the notebook's kernel loads it too meanwhile, as the notebook will
            self.kernel.read_ahead(relative_path(data_dir, root))
        dataset = load_dataset(data_dir)
        check_period_has_figures(
            dataset.for_audience(params.audience),
            params.period,
            s.params_file.name,
            lambda message: self.say(message, logging.WARNING),
        )
        if dataset.warnings:  # things that build but are probably mistakes: said before the build, which goes on
            n = len(dataset.warnings)
            self.say(
                f"{n} warning{'s' if n != 1 else ''} about the data (the report is built anyway):\n"
                + warnings_summary(dataset.warnings),
                logging.WARNING,
            )
        self.timings["validate"] = time.perf_counter() - self.t0
        declared = notebook_parameters(s.notebook)
        check_declared(s.notebook, s.extra, declared)
        params, sign_offs = self.sign_offs(data_dir, dataset, params, declared)
        audit = audit_head(data_dir, dataset)
        subject_files: list[Path] = []
        if s.subject is not None:  # the plan exists and this audience may see it, before the notebook runs
            from goldenthread.documents.directorate_plan import choose_directorate
            from goldenthread.inputs.directorates import load_directorates

            plans = load_directorates(data_dir, dataset.plan, dataset.indicators)
            choose_directorate(plans, s.subject, params.audience, data_dir)
            subject_files = [data_dir / "directorates" / f"{s.subject}.yaml"]
        draft = sign_offs is not None and sign_offs.draft
        name = report_folder_name(params.period, params.audience, s.notebook.stem, s.subject, draft)
        reference = reference_docx(data_dir, dataset) if "docx" in s.formats else None
        plan = _Plan(s, root, params, data_dir, dataset, declared, subject_files, name, reference, sign_offs, audit)
        refuse_another_councils_folder(plan.final, dataset.organisation.name)
        make_out_root(s.out_root)
        log.debug("Data checked in %.2fs; building %s", self.timings["validate"], plan.final)
        return plan

    def sign_offs(
        self, data_dir: Path, dataset: Dataset, params: ReportParameters, declared: set[str]
    ) -> tuple[ReportParameters, SignOffs | None]:
        """The parameters with the front sheet's Seen by filled from the sign-offs, and where they stand.

        Only for a council whose organisation.yaml has a ``sign_off`` section, and a document with a front
        sheet. A public build without every sign-off (or with one a later change invalidated) is refused,
        or with ``when_missing: draft`` built as a draft; an internal build is always built, as a draft
        until every sign-off is in. :class:`DataError` lists each sign-off still needed.
        """
        policy = dataset.organisation.sign_off
        if policy is None or "front_sheet" not in declared:
            return params, None
        from goldenthread.audit.signoff import AUDIT_FILE, outstanding_problems, policy_problems, signoff_state
        from goldenthread.audit.store import AuditStore, AuditStoreError
        from goldenthread.inputs.periods import parse_period

        problems = policy_problems(dataset)
        if params.front_sheet.seen_by:
            problems.append(
                Problem(
                    self.settings.params_file.name,
                    None,
                    "front_sheet.seen_by",
                    "is filled from the sign-offs, as organisation.yaml has a sign_off section",
                    None,
                    "Remove seen_by from the parameters file and record each sign-off with `goldenthread signoff` "
                    "(docs/signoff.md)",
                    "key",
                )
            )
        if problems:
            raise DataError(problems)
        try:
            store = AuditStore.for_data(data_dir)
        except AuditStoreError as e:
            raise DataError([Problem(AUDIT_FILE, message=str(e), hint="The sign-offs are read from it")]) from e
        try:
            state = signoff_state(store, dataset, parse_period(params.period))
        finally:
            store.close()
        if not state.complete:
            outstanding = outstanding_problems(state)
            if params.audience == "public" and policy.when_missing == "refuse":
                raise DataError(outstanding)
            self.say(
                "Not every sign-off is in, so the report is built as a DRAFT:\n" + warnings_summary(outstanding),
                logging.WARNING,
            )
        visible = dataset.for_audience(params.audience).indicators["id"].astype(str)
        front = params.front_sheet.model_copy(update={"seen_by": state.seen_by()})
        return params.model_copy(update={"front_sheet": front}), SignOffs(not state.complete, state.changes(visible))

    def in_staging(self, plan: _Plan) -> RunResult:
        """Build in the staging folder and swap it into place; on any failure nothing is replaced."""
        out_root, final = self.settings.out_root, plan.final
        staging = staging_folder(out_root, plan.name)
        last = f"; the last good report in {final} is unchanged"
        try:
            clean_leftovers(out_root, plan.name)
            staging.mkdir()
            # While the kernel works the parent is idle: load the renderer and look up what the manifest
            # records about the code meanwhile.
            render_module = _in_background(_import_renderer)
            about_code = _in_background(lambda: (git_commit(plan.root), versions()))
            try:
                nb = self.execute(plan, staging)
                interrupt.check()  # a Ctrl-C that a library swallowed while the notebook ran
                render_module.result()
                files = self.render(plan, staging, nb)
            except ReportError as err:
                raise ReportError(f"{err}{last if final.exists() else ''}") from err
            git, package_versions = about_code.result()
            self.timings["total"] = time.perf_counter() - self.t0
            record = manifest_record(
                root=plan.root,
                final=final,
                notebook=self.settings.notebook,
                title=self.document.get("title", self.settings.notebook.stem),
                organisation=plan.dataset.organisation.name,
                period=plan.params.period,
                audience=plan.params.audience,
                parameters={
                    **{k: v for k, v in plan.params.model_dump(mode="json").items() if k in plan.declared},
                    **self.settings.extra,
                    **plan.signoff_parameters(),
                    "data": plan.data_param,
                },
                inputs=[
                    *plan.dataset.sources,
                    *plan.subject_files,
                    *([plan.reference_docx] if plan.reference_docx else []),
                    self.settings.params_file,
                    self.settings.notebook,
                ],
                outputs=list(files.values()),
                timings=self.timings,
                git=git,
                package_versions=package_versions,
            )
            record["code_sha256"] = code_sha256()  # what `goldenthread batch` compares to skip a run
            if plan.audit is not None:
                record["audit"] = plan.audit
            files["manifest"] = write_manifest(staging, record)
            log.debug("Timings (seconds): %s", ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
            log.info("Moving the report into %s", final)
            self.run_log.write(staging / LOG)
            interrupt.check()  # the last moment a Ctrl-C can stop the run: nothing has been replaced yet
            swap_into_place(staging, final)
            shutil.rmtree(failed_folder(out_root, plan.name), ignore_errors=True)
            try:
                write_index(out_root)
            except OSError as err:  # the report itself is safely in place; only the list of reports is stale
                self.progress(f"Could not update {out_root / 'index.html'}: {err.strerror or err}")
            return RunResult(final, {k: final / p.name for k, p in files.items()}, self.timings)
        except ReportError as err:
            self._keep_failed(plan, staging, err)
            raise
        except OSError as err:  # a full disk, a read-only folder: say so, keep the last good report
            message = f"could not write the report: {err.strerror or err} ({err.filename or staging})"
            raise ReportError(message + (last if final.exists() else "")) from err
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def execute(self, plan: _Plan, staging: Path) -> Any:
        """Run the notebook into the staging folder; the executed notebook, published there as it will be."""
        s = self.settings
        executed = staging / f"{s.notebook.stem}.ipynb"
        self.say(f"Running {s.notebook.name} for {plan.params.period} ({plan.params.audience})")
        t = time.perf_counter()
        parameters = plan.notebook_parameters()
        log.debug("Notebook parameters: %s", ", ".join(f"{k}={v!r}" for k, v in parameters.items() if _short(v)))
        manager = self.kernel.take() if self.kernel is not None else None
        log.debug("Kernel ready after %.2fs", time.perf_counter() - self.t0)
        try:
            nb = execute_notebook(s.notebook, executed, parameters, plan.root, s.timeout, s.progress_bar, manager)
        except ReportError as err:
            self.notebook_failed = True
            raise ReportError(f"{s.notebook.name}: {err}") from err
        finally:
            self._stop_kernel()
        self.timings["execute"] = time.perf_counter() - t
        log.debug("Notebook ran in %.2fs", self.timings["execute"])

        import nbformat

        from goldenthread.output import render

        if nb is None:  # a stand-in for execute_notebook (tests) writes the file and returns nothing
            nb = nbformat.read(executed, as_version=4)
        self.document = render.document_meta(nb)
        nbformat.write(published_notebook(nb, project_path(s.notebook, plan.root)), executed)
        return nb

    def render(self, plan: _Plan, staging: Path, nb: Any) -> dict[str, Path]:
        """Write each requested format into the staging folder; the files written, by kind."""
        from goldenthread.output import render

        s, stem = self.settings, self.settings.notebook.stem
        files: dict[str, Path] = {"ipynb": staging / f"{stem}.ipynb"}
        if plan.draft:  # the executed notebook keeps its name; every document a reader opens says DRAFT
            stem += DRAFT_SUFFIX
        formats = s.formats
        if s.renderer == "quarto":
            self.say("Rendering with Quarto")
            t = time.perf_counter()
            run_quarto(files["ipynb"], formats)
            files.update({f: files["ipynb"].with_suffix(f".{f}") for f in formats})
            if plan.draft:
                files.update({f: files[f].rename(staging / f"{stem}.{f}") for f in formats})
            self.timings["quarto"] = time.perf_counter() - t
            formats = ()
        # The PDF is laid out by a process of its own (output/typst_process.py), started first so that Typst
        # works while this process writes the HTML. ``pdf`` times this process's share: writing the Typst
        # source, and waiting for the PDF once the HTML is written.
        files.update({f: staging / f"{stem}.{f}" for f in ("html", "pdf") if f in formats})
        pending = None
        try:
            if "pdf" in formats:
                self.say("Writing PDF")
                t = time.perf_counter()
                timestamp = period_end_epoch(plan.params.period)
                pending = render.start_pdf(nb, files["pdf"], staging / ".typst", timestamp=timestamp)
                self.timings["pdf"] = time.perf_counter() - t
            if "html" in formats:
                self.say("Writing HTML")
                t = time.perf_counter()
                render.export_html(nb, files["html"])
                self.timings["html"] = time.perf_counter() - t
            if pending is not None:
                t = time.perf_counter()
                pending.finish()
                shutil.rmtree(staging / ".typst", ignore_errors=True)
                self.timings["pdf"] += time.perf_counter() - t
        finally:
            if pending is not None:
                pending.stop()
        if "docx" in formats:
            self.say("Writing Word")
            from goldenthread.output import word

            t = time.perf_counter()
            files["docx"] = staging / f"{stem}.docx"
            word.export_docx(nb, files["docx"], plan.reference_docx, timestamp=period_end_epoch(plan.params.period))
            self.timings["docx"] = time.perf_counter() - t
        if "csv" in formats:
            self.say("Writing the scorecard as CSV")
            from goldenthread.documents.report import build_report
            from goldenthread.output.export import write_csv

            files["csv"] = staging / "scorecard.csv"
            p = plan.params
            write_csv(build_report(plan.data_dir, p.period, p.audience, p.title).scorecard_table(), files["csv"])
        return files

    def _keep_failed(self, plan: _Plan, staging: Path, err: ReportError) -> None:
        """Keep the run's log, and the failed notebook if a cell failed, in ``<name>.failed/``."""
        log.error("Report failed: %s", err)
        failed = failed_folder(self.settings.out_root, plan.name)
        executed = staging / f"{self.settings.notebook.stem}.ipynb"
        with contextlib.suppress(OSError):
            keep = [executed] if self.notebook_failed else []
            kept = keep_failed(failed, [*keep, self.run_log.write(staging / LOG)])
            if self.notebook_failed and executed.name in {p.name for p in kept}:
                notebook = f"; the failed notebook is kept in {failed / executed.name}"
                err.args = (_insert_before_last_good(str(err), notebook),)


#: The journal a returns collect leaves while it swaps values.csv and commentary.csv (returns/collect.py's JOURNAL).
COLLECT_JOURNAL = ".collect-journal.json"


def finish_interrupted_collect(data_dir: Path) -> bool:
    """Roll forward a returns collect killed while swapping the data files, before the data is read: otherwise
    a report could mix the new values.csv with the old commentary.csv. True when there was one to finish."""
    if not (data_dir / COLLECT_JOURNAL).is_file():
        return False
    from goldenthread.audit.store import AuditStore
    from goldenthread.returns.collect import recover

    with AuditStore.for_data(data_dir) as store:
        return recover(data_dir, store)


def audit_head(data_dir: Path, dataset: Dataset) -> dict[str, Any] | None:
    """The audit store's newest row (``head``, its hash) and its number of rows, for the manifest; None when
    the council has no store. The store's database libraries are loaded only for a council that has one."""
    if dataset.organisation.sign_off is None and not (data_dir / "audit.sqlite").is_file():
        return None
    from goldenthread.audit.store import AuditStore, AuditStoreError

    try:
        store = AuditStore.for_data(data_dir)
    except AuditStoreError as e:  # the sign-offs were read from it already: only a store beside the data is left
        log.warning("The audit store could not be read for the manifest: %s", e)
        return None
    try:
        check = store.verify()
    finally:
        store.close()
    return {"head": check.head, "rows": check.rows, "ok": check.ok}


def _short(value: object) -> bool:
    """A parameter worth a place in the log line (not the front sheet's paragraphs)."""
    return not isinstance(value, (dict, list)) and len(repr(value)) <= 80


def _insert_before_last_good(message: str, addition: str) -> str:
    """``addition`` placed before "; the last good report ... is unchanged", as the messages have always read."""
    marker = "; the last good report in "
    head, sep, tail = message.partition(marker)
    return f"{head}{addition}{sep}{tail}" if sep else f"{message}{addition}"


def _import_renderer() -> None:
    """Load the renderer (nbconvert, typst, matplotlib) in the background while the notebook runs."""
    import goldenthread.output.render  # noqa: F401


def _in_background(work: Callable[[], T]) -> Future[T]:
    """``work()`` on a thread of its own while the kernel runs the notebook; its result (or what it raised)
    through the returned future.

    A daemon thread, not an executor's: a run stopped by Ctrl-C, or failing, leaves without waiting for it,
    and so does the interpreter at exit (which joins an executor's threads). An import cut short or stuck
    in that thread can then never hold up the way out: the staging folder is removed and the command exits.
    """
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as err:  # noqa: BLE001 - handed to whoever asks for the result
            future.set_exception(err)

    threading.Thread(target=run, name="goldenthread-run", daemon=True).start()
    return future


def run_reports(
    settings: RunSettings | Path,
    subjects: list[dict[str, Any]],
    *,
    workers: int | None = None,
    on_done: Callable[[dict[str, Any], RunResult | Exception], None] = lambda s, r: None,
    **options: Any,
) -> list[tuple[dict[str, Any], RunResult | Exception]]:
    """Build one report per subject (e.g. per directorate) in parallel, one process per core.

    Each run keeps every guarantee of :func:`run_report`; a run that fails does not stop the
    others. Returns (subject, result or the exception) in the order given; ``on_done`` is called
    as each finishes (for a progress bar). The index page is rebuilt once all are done.
    """
    from goldenthread.run.engines import ProcessPool

    common = as_settings(settings, options)
    # one process per core (the pool used by ``goldenthread batch`` too), with its Ctrl-C handling
    outcomes = ProcessPool(min(workers or os.cpu_count() or 1, len(subjects) or 1)).map(
        run_report, [common.about(subject) for subject in subjects], lambda i, r: on_done(subjects[i], r)
    )
    if common.out_root.is_dir():
        with contextlib.suppress(OSError):  # each run has already rebuilt it; the reports themselves are in place
            write_index(common.out_root)
    return list(zip(subjects, outcomes, strict=True))
