"""A report's ``manifest.json``: what it was built from, what was built, and the check that it still is.

The manifest records the SHA-256 of every input (data files, parameters, notebook) and output, the
code's git commit, the package versions and the run's timings, so ``goldenthread verify`` can say
whether a published report is exactly what its recorded inputs produced. The run's log
(``run.log``) is listed by name, not digest: it is a record of the run, not a product of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from goldenthread import __version__
from goldenthread.inputs.load import find_project_root
from goldenthread.output.index import is_plain_name, listed_outputs, pdf_page_count, read_manifest, sha256

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
#: The manifest's own file name, and the run log's, in every report folder.
MANIFEST = "manifest.json"
LOG = "run.log"


@functools.cache
def code_sha256() -> str:
    """One SHA-256 over the goldenthread package's own files (code, templates, fonts), in path order.

    What a batch compares to decide a report is up to date: the git commit alone misses uncommitted
    edits and an installed (not checked-out) package, and changes with every unrelated commit.
    Computed once per process; compiled files are left out (they follow from the source).
    """
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + sha256(path).encode() + b"\0")
    return h.hexdigest()


def project_path(path: Path, root: Path) -> str:
    """``path`` relative to the project folder ``root`` when it is inside it, else absolute."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def relative_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with ``..`` if need be: no absolute path (a user's home, a
    server's layout) is published in a notebook or manifest. Absolute only where no relative path
    exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def git_commit(root: Path) -> dict[str, Any]:
    """The commit the code is at and whether the working tree has uncommitted changes (``None`` outside git)."""
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


def versions() -> dict[str, str]:
    """Python's and each installed package's version: what produced the outputs besides the inputs."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into ``folder`` (a staging folder: it moves into place with the report)."""
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def manifest_record(
    *,
    root: Path,
    final: Path,
    notebook: Path,
    title: str,
    organisation: str,
    period: str,
    audience: str,
    parameters: dict[str, Any],
    inputs: list[Path],
    outputs: list[Path],
    timings: dict[str, float],
    git: dict[str, Any] | None = None,
    package_versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of one run, in the order its keys have always been written (``pdf_pages`` is newer).

    ``git`` and ``package_versions`` are :func:`git_commit` and :func:`versions`, when the caller already has them
    (the pipeline finds them while the notebook runs). ``pdf_pages`` records each PDF's page count, which the
    list of reports shows beside it: read once here, not from every report's PDF each time the list is rebuilt.
    """
    pages = {p.name: pdf_page_count(p) for p in outputs if p.suffix.lower() == ".pdf"}
    return {
        "goldenthread": __version__,
        "notebook": project_path(notebook, root),
        "title": title,
        "organisation": organisation,
        "period": period,
        "audience": audience,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "parameters": parameters,
        "project": relative_path(root, final),
        "inputs": {project_path(p, root): sha256(p) for p in inputs},
        "outputs": {p.name: sha256(p) for p in outputs},
        "pdf_pages": {name: n for name, n in pages.items() if n is not None},
        "log": LOG,
        "git": git if git is not None else git_commit(root),
        "versions": package_versions if package_versions is not None else versions(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "python": sys.version.split()[0]},
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def verify(report_dir: Path, project: Path | None = None) -> list[str]:
    """Differences between a built report and its manifest: changed inputs, changed, missing or
    unknown outputs. An empty list means the report is exactly what its recorded inputs produced.

    Inputs are found from the project the report was built in (``project``, else see
    :func:`_project_for`), so ``verify`` gives the same answer from any folder. A file in the report
    folder that the manifest does not list (a planted page, a stray copy) is a difference too: it
    would be published with the report without having been built with it.
    """
    manifest_path = report_dir / MANIFEST
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
    log = manifest.get("log")
    known = {MANIFEST, *listed_outputs(manifest), *([log] if isinstance(log, str) and is_plain_name(log) else [])}
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
    current = git_commit(root).get("commit")
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
