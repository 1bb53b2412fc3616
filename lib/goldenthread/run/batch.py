"""A batch of report runs: the batch file, its expansion into runs, and whether each run is up to date.

A county and its districts, a shared performance service or a national benchmarking pack report on
many organisations; rebuilding a year after a data correction is the same problem. A batch lists
data folders (one per organisation) x periods x notebooks x audiences; each run is the same atomic
run as ``goldenthread report`` (its own staging folder and manifest), so runs share nothing and any
engine (:mod:`.engines`) can run them in any order. A run whose inputs, parameters, code and formats
match the manifest already in its folder is skipped, which is also how a batch killed half-way
resumes: the finished runs are up to date, the rest run.

Everything here is planning and comparison, without running anything, except :func:`run_job`
(what each engine calls once per run) and the writers of parameters files and index pages.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from goldenthread.errors import DataError, Problem
from goldenthread.run.settings import RunSettings

#: The notebook whose run is also built per directorate, like ``report --all``.
PER_DIRECTORATE = "directorate_plan"
#: Where a batch keeps its own files (parameters written for runs without a parameters file) under ``out``.
BATCH_DIR = ".batch"
#: A batch file's keys, as the flags name them, for messages.
FLAGS = {
    "data": "--data",
    "periods": "--period",
    "notebooks": "--notebook",
    "audiences": "--audience",
    "formats": "--format",
    "parameters": "--parameters",
    "out": "--out",
}
#: Parameters the run sets itself from the sign-offs, never from a parameters file: not compared.
FROM_SIGN_OFFS = ("draft", "signoff_changes")


def _as_list(value: object) -> object:
    """``data: data/*`` means ``data: [data/*]``; commas split too, as in ``--format html,pdf``. A stray
    number (``201907``) becomes text, to reach the check that says what a period looks like."""
    items = [value] if isinstance(value, (str, int, float)) else value
    if not isinstance(items, (list, tuple)):
        return value
    out: list[object] = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str):
            out.extend(p.strip() for p in item.split(",") if p.strip())
        else:
            out.append(item)
    return out


class BatchFile(BaseModel):
    """A batch file (YAML), or the same given as flags. docs/batch.md describes each key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: list[str]
    periods: list[str]
    notebooks: list[str] = ["corporate_performance_report"]
    audiences: list[Literal["public", "internal"]] = ["public"]
    formats: list[Literal["html", "pdf", "docx", "csv"]] = ["html", "pdf"]
    parameters: list[str] = []
    out: str = "reports/batch"

    @field_validator("data", "periods", "notebooks", "audiences", "formats", "parameters", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _as_list(value)


def read_batch_file(path: Path) -> BatchFile:
    """A batch file, checked: unknown keys and bad values are one :class:`DataError` (exit 2)."""
    from goldenthread.inputs.load import read_yaml

    problems: list[Problem] = []
    found = read_yaml(path, BatchFile, problems, missing_hint="Give the path of a batch file (docs/batch.md)")
    if problems or found is None:
        raise DataError(problems)
    return found


def with_flags(batch: BatchFile | None, flags: Mapping[str, Any], source: str) -> BatchFile:
    """The batch file with each flag given replacing its key; the flags alone without a file."""
    given = {k: v for k, v in flags.items() if v not in (None, [], ())}
    values = {**(batch.model_dump() if batch else {}), **given}
    from pydantic import ValidationError

    from goldenthread.inputs.load import pydantic_problems

    try:
        return BatchFile.model_validate(values)
    except ValidationError as err:
        problems = pydantic_problems(err, source, BatchFile)
        # a value given as a flag is named by its flag, not as a key of the file (which may not exist)
        flagged = [_as_flag(p) if batch is None or (p.column or "").split(".")[0] in given else p for p in problems]
        raise DataError(flagged) from err


def _as_flag(p: Problem) -> Problem:
    key = (p.column or "").split(".")[0]
    flag = FLAGS.get(key, key)
    if p.message == "required key is missing":
        return Problem(flag, message="is needed", hint=f"Give {flag} (or a batch file, docs/batch.md)")
    return Problem(flag, message=p.message, value=p.value, hint=p.hint)


# --- expansion ---------------------------------------------------------------------------------------


def expand_periods(items: Iterable[str], source: str) -> list[str]:
    """``2019-04..2019-09`` and ``2019-12`` as the months they name, in the order given, without repeats.

    A range is inclusive and may cross a year end (``2019-11..2020-02``); FROM after TO is a mistake,
    not an empty range.
    """
    from goldenthread.inputs.periods import format_period, parse_period

    months: list[str] = []
    problems: list[Problem] = []
    hint = "Write a month as YYYY-MM (2019-07) or a range as FROM..TO (2019-04..2020-03), FROM not after TO"
    for item in items:
        first, sep, last = str(item).partition("..")
        try:
            start = parse_period(first)
            end = parse_period(last) if sep else start
        except ValueError:
            problems.append(Problem(source, None, "periods", "is not a month or a range of months", item, hint, "key"))
            continue
        if end < start:
            problems.append(
                Problem(source, None, "periods", "is a range that ends before it starts", item, hint, "key")
            )
            continue
        months.extend(format_period(m) for m in range(start, end + 1))
    if problems:
        raise DataError(problems)
    return list(dict.fromkeys(months))


def is_data_folder(folder: Path) -> bool:
    """An organisation's data: a folder with organisation.yaml, or with a workbook."""
    return folder.is_dir() and ((folder / "organisation.yaml").is_file() or any(folder.glob("*.xlsx")))


def expand_data(patterns: Iterable[str], base: Path, source: str) -> list[Path]:
    """The data folders the globs name (relative to ``base``), sorted within each glob, without repeats.

    A glob that matches no data folder is a mistake (a typo would otherwise build nothing and say
    nothing), and so are two organisations whose folders share a name: their reports would share
    ``out/<name>/``.
    """
    folders: list[Path] = []
    problems: list[Problem] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(base / pattern)
        found = [Path(p).resolve() for p in sorted(glob.glob(full)) if is_data_folder(Path(p))]
        if not found:
            problems.append(
                Problem(
                    source,
                    None,
                    "data",
                    "matches no data folder",
                    pattern,
                    f"Give folders holding organisation.yaml (or a workbook), relative to {base}, e.g. data/*",
                    "key",
                )
            )
        folders.extend(found)
    folders = list(dict.fromkeys(folders))
    names: dict[str, list[Path]] = {}
    for f in folders:
        names.setdefault(f.name, []).append(f)
    for name, same in names.items():
        if len(same) > 1:
            problems.append(
                Problem(
                    source,
                    None,
                    "data",
                    f"names two organisations' folders called {name} ({', '.join(map(str, same))})",
                    name,
                    "Each organisation's reports go in out/<folder name>/: rename one folder, or run two batches",
                    "key",
                )
            )
    if problems:
        raise DataError(problems)
    return folders


@dataclass(frozen=True)
class Job:
    """One run of the batch: which organisation, period, audience and document, and its settings."""

    org: str
    period: str
    audience: str
    notebook: str
    subject: str | None
    settings: RunSettings
    #: The project folder the run happens in (the notebook runs there; paths in the manifest are relative to it)
    root: Path
    #: The report folder under ``out/<org>/`` (a draft's folder ends in ``-draft``)
    folder: str

    @property
    def label(self) -> str:
        """ "example 2019-07 internal", with the document when it is not the Corporate Performance Report."""
        from goldenthread.run.pipeline import MAIN_NOTEBOOK

        doc = "" if self.notebook == MAIN_NOTEBOOK else " " + self.notebook.replace("_", " ")
        about = f" {self.subject}" if self.subject else ""
        return f"{self.org}{doc}{about} {self.period} {self.audience}"

    @property
    def data_dir(self) -> Path:
        return Path(str(self.settings.data))


@dataclass(frozen=True)
class Spec:
    """A batch resolved: folders found, periods expanded, paths made absolute."""

    data: list[Path]
    periods: list[str]
    notebooks: list[Path]
    audiences: list[str]
    formats: tuple[str, ...]
    parameters: list[str]
    out: Path
    root: Path


def resolve(batch: BatchFile, base: Path, root: Path, source: str) -> Spec:
    """Expand and check a batch; paths are relative to ``base`` (the batch file's project, or the current
    folder for flags). Every problem is in one :class:`DataError`."""
    problems: list[Problem] = []
    data: list[Path] = []
    periods: list[str] = []
    try:
        data = expand_data(batch.data, base, source)
    except DataError as e:
        problems += e.problems
    try:
        periods = expand_periods(batch.periods, source)
    except DataError as e:
        problems += e.problems
    notebooks = [root / "notebooks" / f"{n}.ipynb" if not n.endswith(".ipynb") else base / n for n in batch.notebooks]
    for name, nb in zip(batch.notebooks, notebooks, strict=True):
        if not nb.is_file():
            problems.append(
                Problem(
                    source,
                    None,
                    "notebooks",
                    "names no notebook",
                    name,
                    f"Use a notebook in {root / 'notebooks'}: corporate_performance_report, business_plan "
                    "or directorate_plan",
                    "key",
                )
            )
    if problems:
        raise DataError(problems)
    out = Path(batch.out).expanduser()
    return Spec(
        data,
        periods,
        list(dict.fromkeys(notebooks)),
        list(dict.fromkeys(batch.audiences)),
        tuple(dict.fromkeys(batch.formats)) or ("html", "pdf"),
        [p if Path(p).is_absolute() else str(base / p) for p in batch.parameters],
        (out if out.is_absolute() else base / out).resolve(),
        root.resolve(),
    )


# --- parameters files ----------------------------------------------------------------------------------


def parameters_for(templates: list[str], org: str, period: str) -> Path | None:
    """The first parameters template (``{period}``, ``{org}`` filled in) that names an existing file, if any."""
    for template in templates:
        path = Path(template.replace("{period}", period).replace("{org}", org))
        if path.is_file():
            return path
    return None


def parameters_text(template: Mapping[str, Any] | None, data: str, period: str, audience: str) -> str:
    """A run's parameters file: the template's keys (if any) with its data, period and audience.

    Deterministic (keys in a fixed order), so the same run writes the same bytes every time and its
    digest in the manifest stays the same: that is what makes the up-to-date check work.
    """
    values = {**(template or {}), "data": data, "period": period, "audience": audience}
    head = "# Written by goldenthread batch for one run; edit the batch's parameters template instead.\n"
    return head + yaml.safe_dump(values, sort_keys=True, allow_unicode=True, default_flow_style=False)


def batch_params_path(out: Path, org: str, period: str, audience: str) -> Path:
    return out / BATCH_DIR / "params" / f"{org}-{period}-{audience}.yaml"


@dataclass
class Planned:
    """The runs of a batch, and the parameters files to write before they start (path -> text)."""

    jobs: list[Job]
    params_files: dict[Path, str] = field(default_factory=dict)


def plan(
    spec: Spec,
    directorates: Callable[[Path, str], list[str]],
    read_template: Callable[[Path], Mapping[str, Any]] = lambda p: yaml.safe_load(p.read_text(encoding="utf-8")),
) -> Planned:
    """Every run of the batch: folders x periods x notebooks x audiences, a directorate plan once per
    directorate (``directorates(folder, audience)``, like ``report --all``).

    A run uses its parameters template as it is when the template's period and audience are the run's;
    otherwise (another audience, or no template) the batch writes one for it under ``out/.batch/params/``.
    """
    from goldenthread.run.manifest import relative_path
    from goldenthread.run.pipeline import report_folder_name

    out = Planned([])
    for folder in spec.data:
        org = folder.name
        data_rel = relative_path(folder, spec.root)
        for period in spec.periods:
            template = parameters_for(spec.parameters, org, period)
            content = read_template(template) if template is not None else None
            for audience in spec.audiences:
                if (
                    template is not None
                    and isinstance(content, Mapping)
                    and str(content.get("period")) == period
                    and content.get("audience", "public") == audience
                ):
                    params_file = template
                else:
                    params_file = batch_params_path(spec.out, org, period, audience)
                    keys = content if isinstance(content, Mapping) else None
                    out.params_files[params_file] = parameters_text(keys, data_rel, period, audience)
                for nb in spec.notebooks:
                    subjects: list[str | None] = [None]
                    if nb.stem == PER_DIRECTORATE:
                        subjects = list(directorates(folder, audience))
                    for subject in subjects:
                        settings = RunSettings(
                            params_file=params_file,
                            notebook=nb,
                            out_root=spec.out / org,
                            data=str(folder),
                            formats=spec.formats,
                            extra={"directorate": subject},
                        )
                        name = report_folder_name(period, audience, nb.stem, subject)
                        out.jobs.append(Job(org, period, audience, nb.stem, subject, settings, spec.root, name))
    return out


def write_params_files(files: Mapping[Path, str]) -> None:
    """Write each run's parameters file, leaving one alone that already has the same text."""
    from goldenthread.output.export import write_atomically

    for path, text in files.items():
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, functools.partial(_write_text, text=text))


def _write_text(f: IO[str], text: str) -> None:
    f.write(text)


# --- up to date ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What a run's manifest would record, as far as can be known without running it."""

    #: input path (as the manifest writes it) -> SHA-256: the parameters file, notebook and data files
    inputs: Mapping[str, str]
    parameters: Mapping[str, Any]
    code_sha256: str
    versions: Mapping[str, str]
    formats: tuple[str, ...]
    #: the audit store's newest row now, when the council has a store (sign-offs change the report)
    audit: Mapping[str, Any] | None = None


def comparable_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters without what the run fills in from the sign-offs (compared through the audit head instead)."""
    out = {k: v for k, v in parameters.items() if k not in FROM_SIGN_OFFS}
    front = out.get("front_sheet")
    if isinstance(front, dict):
        out["front_sheet"] = {k: v for k, v in front.items() if k != "seen_by"}
    return out


def formats_of(outputs: Iterable[str]) -> set[str]:
    """The formats a manifest's outputs show (the executed notebook is always there)."""
    return {Path(name).suffix.lstrip(".") for name in outputs} - {"ipynb", ""}


def stale_reason(
    manifest: Mapping[str, Any],
    expected: Expected,
    inputs_now: Mapping[str, str | None],
    outputs_now: Mapping[str, str | None],
) -> str | None:
    """Why a built report is not up to date, or None when it is and its run can be skipped.

    ``inputs_now`` and ``outputs_now`` are the SHA-256 of each file the manifest lists as it is now
    (None when missing): a report is up to date when every input it was built from, and every input
    the run would read, is unchanged, and so are its parameters, the code, the package versions,
    the formats asked for, the sign-offs, and its own files.
    """
    inputs = manifest.get("inputs")
    outputs = manifest.get("outputs")
    if not isinstance(inputs, dict) or not isinstance(outputs, dict):
        return "its manifest lists no inputs or outputs"
    if manifest.get("code_sha256") is None:
        return "it was built before manifests recorded the code's digest"
    if manifest.get("code_sha256") != expected.code_sha256:
        return "the code has changed"
    for path, digest in expected.inputs.items():
        if path not in inputs:
            return f"{path} is a new input"
        if inputs[path] != digest:
            return f"{path} has changed"
    for path, digest in inputs.items():
        if inputs_now.get(path) != digest:
            return f"{path} has changed or is missing"
    for name, digest in outputs.items():
        if outputs_now.get(name) != digest:
            return f"its file {name} has changed or is missing"
    if formats_of(outputs) != set(expected.formats):
        return "other formats are asked for"
    recorded = manifest.get("parameters")
    if not isinstance(recorded, dict) or comparable_parameters(recorded) != comparable_parameters(expected.parameters):
        return "its parameters have changed"
    if dict(manifest.get("versions") or {}) != dict(expected.versions):
        return "the installed package versions have changed"
    audit = manifest.get("audit")
    if (audit or None) != (expected.audit or None):
        if expected.audit is None or not isinstance(audit, dict):
            return "the sign-offs have changed"
        if (audit.get("head"), audit.get("rows")) != (expected.audit.get("head"), expected.audit.get("rows")):
            return "the sign-offs have changed"
    return None


# --- the run, on whichever engine ------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """A run that built its report: where, and how long it took."""

    out_dir: Path
    seconds: float


def run_job(job: Job) -> Done:
    """One run of the batch, where the engine put it (top level, so it can be pickled).

    The run happens in the project folder, whatever the worker's current folder, so the notebook,
    the manifest and the published paths are the same on every engine and every worker.
    """
    import time

    from goldenthread.run.pipeline import run_report

    start = time.perf_counter()
    before = Path.cwd()
    moved = before.resolve() != job.root.resolve()
    if moved:
        os.chdir(job.root)
    try:
        result = run_report(job.settings)
    finally:
        if moved:
            os.chdir(before)
    return Done(result.out_dir, time.perf_counter() - start)


def no_figures(err: BaseException) -> bool:
    """A run refused only because its data has no figure at or before the period (its organisation
    started reporting later): skipped, not failed, so ``data/*`` x a year need not match every council."""
    return (
        isinstance(err, DataError)
        and bool(err.problems)
        and all("no indicator has a figure at or before" in p.message for p in err.problems)
    )


# --- up to date: the facts, read from the disk -----------------------------------------------------------


#: The files of a data folder a run reads (besides a directorate's own plan): any new one makes a report stale.
DATA_YAML = ("organisation.yaml", "plan.yaml", "comparators.yaml")


def data_files(folder: Path) -> list[Path]:
    """The data files a run of ``folder`` reads, as the loader finds them: its YAML files, tables and workbook."""
    from goldenthread.inputs.contract import TABLES

    names = {*DATA_YAML, *(f"{t.name}.csv" for t in TABLES)}
    return sorted(p for p in folder.iterdir() if p.is_file() and (p.name in names or p.suffix == ".xlsx"))


class Facts:
    """What the up-to-date check reads from the disk, each file hashed once for the whole batch."""

    def __init__(self, root: Path) -> None:
        from goldenthread.run.manifest import code_sha256, versions

        self.root = root
        self.code = code_sha256()
        self.versions = versions()
        self._digests: dict[Path, str | None] = {}
        self._audit: dict[Path, dict[str, Any] | None] = {}
        self._declared: dict[Path, set[str]] = {}

    def digest(self, path: Path) -> str | None:
        from goldenthread.run.manifest import sha256

        path = path.resolve()
        if path not in self._digests:
            self._digests[path] = sha256(path) if path.is_file() else None
        return self._digests[path]

    def audit(self, folder: Path) -> dict[str, Any] | None:
        """The audit store's head now, as the manifest records it; None when the council has no store."""
        if folder not in self._audit:
            self._audit[folder] = None
            if (folder / "audit.sqlite").is_file() or _signs_off(folder):
                from goldenthread.audit.store import AuditStore, AuditStoreError

                try:
                    store = AuditStore.for_data(folder)
                    try:
                        check = store.verify()
                    finally:
                        store.close()
                    self._audit[folder] = {"head": check.head, "rows": check.rows, "ok": check.ok}
                except AuditStoreError:
                    self._audit[folder] = {"head": "unreadable"}
        return self._audit[folder]

    def declared(self, notebook: Path) -> set[str]:
        from goldenthread.run.notebook import notebook_parameters

        if notebook not in self._declared:
            self._declared[notebook] = notebook_parameters(notebook)
        return self._declared[notebook]

    def expected(self, job: Job) -> Expected:
        """What ``job``'s manifest would record, as far as is known before it runs."""
        from goldenthread.run.checks import read_parameters
        from goldenthread.run.manifest import project_path, relative_path

        s = job.settings
        files = [*data_files(job.data_dir), s.params_file, s.notebook]
        if job.subject:
            files.append(job.data_dir / "directorates" / f"{job.subject}.yaml")
        inputs = {project_path(p, job.root): self.digest(p) or "missing" for p in files}
        params = read_parameters(s.params_file, {"data": s.data})
        declared = self.declared(s.notebook)
        parameters = {
            **{k: v for k, v in params.model_dump(mode="json").items() if k in declared},
            **s.extra,
            "data": relative_path(job.data_dir, job.root),
        }
        return Expected(inputs, parameters, self.code, self.versions, s.formats, self.audit(job.data_dir))

    def stale(self, job: Job) -> str | None:
        """Why ``job`` must run, or None when its report (or its draft) is up to date."""
        from goldenthread.output.index import read_manifest

        try:
            expected = self.expected(job)
        except (DataError, OSError) as err:  # the run itself will say what is wrong
            return f"its parameters cannot be read ({str(err).splitlines()[0]})"
        reason = "it has not been built"
        for name in (job.folder, f"{job.folder}-draft"):
            folder = job.settings.out_root / name
            try:
                manifest = read_manifest(folder / "manifest.json")
            except (OSError, ValueError):
                continue
            inputs = manifest.get("inputs")
            outputs = manifest.get("outputs")
            inputs = inputs if isinstance(inputs, dict) else {}
            outputs = outputs if isinstance(outputs, dict) else {}
            inputs_now = {
                p: self.digest(Path(p) if Path(p).is_absolute() else job.root / p) for p in inputs if isinstance(p, str)
            }
            outputs_now = {
                n: (self.digest(folder / n) if "/" not in n and n not in ("", ".", "..") else None) for n in outputs
            }
            found = stale_reason(manifest, expected, inputs_now, outputs_now)
            if found is None:
                return None
            reason = found
        return reason


def _signs_off(folder: Path) -> bool:
    """Does the council's organisation.yaml have a ``sign_off`` section (then a run records its audit head)?"""
    try:
        org = yaml.safe_load((folder / "organisation.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(org, dict) and org.get("sign_off") is not None


# --- the index pages ---------------------------------------------------------------------------------------

BATCH_INDEX = """{% from "_macros.html.j2" import scroll_table %}
<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reports by organisation</title>
<style>
{{ css | safe }}
.gt-index { width: 100%; }
.gt-index thead th { background: var(--panel); }
</style>
</head>
<body class="gt-report">
<main class="gt-page">
<h1>Reports by organisation</h1>
<p>{{ rows | length }} organisation{{ "s" if rows | length != 1 }}; each has its own list of reports.</p>
{% call scroll_table("batch-caption", "Organisations, with the number of reports built for each", "gt-index") %}
<thead><tr><th scope="col">Organisation</th><th scope="col">Reports</th><th scope="col">This batch</th></tr></thead>
<tbody>
{% for r in rows %}
<tr>
<th scope="row"><a href="{{ r.href }}">{{ r.name }}</a></th>
<td>{{ r.reports }}</td>
<td>{{ r.counts }}</td>
</tr>
{% endfor %}
</tbody>
{% endcall %}
</main>
</body>
</html>
"""


def write_indexes(out: Path, counts: Mapping[str, Mapping[str, int]]) -> Path:
    """``out/<org>/index.html`` for each organisation (the usual reports page) and ``out/index.html``
    linking to them with how many reports each has and what this batch did; returns the batch's page.

    ``counts`` is, per organisation folder, how many runs were built, skipped and failed.
    """
    from urllib.parse import quote

    from goldenthread.output import TEMPLATES
    from goldenthread.output.export import write_atomically
    from goldenthread.output.index import index_environment, report_entries, write_index

    rows = []
    for org in sorted(counts, key=str.casefold):
        folder = out / org
        folder.mkdir(parents=True, exist_ok=True)  # every organisation of the batch gets its page, if empty
        write_index(folder)
        entries = report_entries(folder)
        names = sorted({str(e["organisation"]) for e in entries}) or [org]
        done = counts[org]
        said = [f"{n} {what}" for what, n in done.items() if n]
        rows.append(
            {
                "name": ", ".join(names),
                "href": f"{quote(org, safe='')}/index.html",
                "reports": len(entries),
                "counts": ", ".join(said) or "nothing to do",
            }
        )
    env = index_environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    html = env.from_string(BATCH_INDEX).render(rows=rows, css=css)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "index.html"
    write_atomically(target, lambda f: f.write(html))
    return target
