"""Where a run writes: a staging folder beside the report folder, swapped into place whole.

A run builds everything in ``<out>/.staging-<name>-<pid>/`` and renames it to ``<out>/<name>/``
only when every requested format succeeded, so readers see the old report or the new one, never
half of either, and a failure keeps the last good report. What a killed run leaves behind is
tidied by the next run of the same report (:func:`clean_leftovers`). A report folder holding
another council's report is never replaced (:func:`refuse_another_councils_folder`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from goldenthread.errors import DataError, Problem
from goldenthread.output.index import read_manifest

OUT_HINT = "Give a folder you can write in (it is created if missing), for example --out reports"


def staging_folder(out_root: Path, name: str) -> Path:
    """This process's staging folder for the report folder ``name`` (the pid tells whose it is)."""
    return out_root / f".staging-{name}-{os.getpid()}"


def failed_folder(out_root: Path, name: str) -> Path:
    """Where a failed run keeps its notebook and log for debugging: ``<name>.failed``."""
    return out_root / f"{name}.failed"


def check_out_root(out_root: Path) -> None:
    """``--out`` names a folder this user can write in, or one that can be made there."""
    from goldenthread.output.export import why_not_writable

    reason = why_not_writable(out_root)
    if reason is not None:
        raise DataError([Problem("--out", message=f"cannot hold the reports: {reason}", hint=OUT_HINT)])


def make_out_root(out_root: Path) -> None:
    """Create ``--out`` if need be; a failure (permissions, a name too long) is a message about ``--out``."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DataError(
            [Problem("--out", message=f"could not make {out_root}: {err.strerror or err}", hint=OUT_HINT)]
        ) from err


def refuse_another_councils_folder(final: Path, organisation: str) -> None:
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


def swap_into_place(staging: Path, final: Path) -> None:
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


def keep_failed(failed: Path, files: list[Path]) -> list[Path]:
    """Move a failed run's ``files`` (its notebook, its log) into a fresh ``failed`` folder; the moved paths."""
    shutil.rmtree(failed, ignore_errors=True)
    failed.mkdir(parents=True)
    kept = []
    for path in files:
        if path.exists():
            kept.append(Path(shutil.move(str(path), failed / path.name)))
    return kept
