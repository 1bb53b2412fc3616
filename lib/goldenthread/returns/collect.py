"""Collect owners' returns into values.csv and commentary.csv: each file whole or not at all, recorded.

For each returned workbook, in turn:

1. it is read and checked (:func:`~goldenthread.returns.workbook.read_return`: moved rows, text in a number
   cell...), and checked against what was issued: a file whose template checksum no ``returns make``
   recorded is refused, and so is a file for an earlier period than the newest return issued to that
   recipient (last quarter's file sent back by mistake) unless ``period`` names that period;
2. under an exclusive lock on the data folder, the master files are read again (so two collects run
   at once both land, one after the other), the return is merged (:func:`.merge_return`) and the result
   is validated by loading it as a dataset in a scratch folder - a merge that would leave the data
   invalid is refused with the validator's problems;
3. the new files are written beside the old (``values.csv.new``, ``commentary.csv.new``, flushed to
   disk), then a journal naming them and the audit events; the events are appended to the audit store
   (first, so a store that cannot be written to leaves the data unchanged), then each new file is
   renamed over its original, and the journal is deleted.

A collect stopped part-way (killed, a power cut) is finished by the next one, or by :func:`recover`:
a journal still there means the merge was decided and checked, so it is rolled forward - the audit events
are appended unless their batch is already in the store, and files not yet renamed are renamed. Without a
journal nothing was replaced, and stray ``.new`` files are deleted. Either way no reader ever sees half a
merge for longer than the crash lasts, and the data and the audit trail end up agreeing.

Collecting the same file twice changes nothing and records nothing: the merge finds every figure and
word already there. A return that changes nothing the first time (the figures were typed in already)
is still recorded once, as ``received``, so ``returns status`` counts it as returned.

Only a data folder of CSV files can be collected into: a council whose data is one Excel workbook keeps
it by hand (rewriting a workbook would lose its formatting and formulas); collect says so.

The lock is ``fcntl.flock`` on ``<data folder>/.goldenthread.lock`` (POSIX: Linux, macOS); on Windows
``msvcrt.locking`` stands in. Either way it is advisory: it orders goldenthread's own writers, not a
person editing values.csv in Excel at the same moment.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from goldenthread.audit.store import AuditEvent, AuditStore
from goldenthread.errors import DataError, Problem
from goldenthread.inputs.contract import TABLES
from goldenthread.inputs.load import (
    DELIMITERS,
    WORKBOOKS,
    Dataset,
    detect_delimiter,
    load_dataset,
    resolve_data_dir,
)
from goldenthread.inputs.project import find_project_root
from goldenthread.returns.merge import CHANGE_COLUMNS, COMMENTARY_COLUMNS, VALUES_COLUMNS, merge_return
from goldenthread.returns.workbook import ReturnedFile, read_return

LOCK_FILE = ".goldenthread.lock"
JOURNAL = ".collect-journal.json"
MASTERS = ("values.csv", "commentary.csv")
NEW_SUFFIX = ".new"


@dataclass(frozen=True)
class CollectResult:
    """What collecting one file did. ``changes`` has the columns of :attr:`Merge.changes`; empty when nothing
    changed. ``skipped_reason`` says why nothing was merged (refused: see ``problems``; or already collected);
    None when the file's changes landed. ``batch`` is the audit batch of the changes (None when none)."""

    path: Path
    recipient: str | None
    period: str | None
    changes: pd.DataFrame
    skipped_reason: str | None = None
    problems: tuple[Problem, ...] = ()
    batch: str | None = None
    sha256: str | None = None

    @property
    def refused(self) -> bool:
        return bool(self.problems)


# --- the master files, read and written so unchanged rows keep their bytes --------------------------------


@dataclass
class MasterCsv:
    """A master CSV file as rows of strings, remembering each row's exact text.

    Rows the merge leaves alone are the same dict objects, and are written back as the text they were read
    from (quoting, spacing and line ending included); only new and changed rows are written by the csv
    module, with the file's own separator and line ending. A blank line is a row of blanks, kept as it was.
    """

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    head: str = ""  # byte-order mark, Excel's 'sep=' line and the header row, as read
    delimiter: str = ","
    newline: str = "\n"
    raw: dict[int, str] = field(default_factory=dict)  # id(row) -> the row's text as read

    @classmethod
    def read(cls, path: Path, default_columns: tuple[str, ...]) -> MasterCsv:
        if not path.is_file():
            return cls(path, list(default_columns), [], ",".join(default_columns) + "\n")
        text = path.read_bytes().decode("utf-8")
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        lines = io.StringIO(text[len(bom) :], newline="")
        taken: list[str] = []

        def feed() -> Iterator[str]:
            for line in lines:
                taken.append(line)
                yield line

        source = feed()
        first = next(source, "")
        head = bom + first
        table = next(t for t in TABLES if t.file == path.name)
        sep_line = first.strip()
        if sep_line.startswith("sep=") and len(sep_line) == 5:
            delimiter = sep_line[4]
            first = next(source, "")
            head += first
        else:
            delimiter = detect_delimiter(first.rstrip("\r\n"), table) if first else ","
        delimiter = delimiter if delimiter in DELIMITERS else ","
        newline = first[len(first.rstrip("\r\n")) :] or "\n"
        columns = [c.strip() for c in next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])]
        taken.clear()
        out = cls(path, columns, [], head, delimiter, newline)
        for fields in csv.reader(source, delimiter=delimiter, skipinitialspace=True):
            row = {c: (fields[k] if k < len(fields) else "") for k, c in enumerate(columns)}
            out.rows.append(row)
            out.raw[id(row)] = "".join(taken)
            taken.clear()
        return out

    def text(self, rows: list[dict[str, str]]) -> str:
        """The file with ``rows``: unchanged rows as read, the others written out. A file that ended without a
        line ending still does, when its last row is still last."""
        buf = io.StringIO(newline="")
        buf.write(self.head if self.head.endswith(("\n", "\r")) or not rows else self.head + self.newline)
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator=self.newline)
        for n, row in enumerate(rows, start=1):
            raw = self.raw.get(id(row))
            if raw is None:
                writer.writerow([row.get(c, "") for c in self.columns])
            elif raw.endswith(("\n", "\r")) or n == len(rows):
                buf.write(raw)
            else:
                buf.write(raw + self.newline)
        return buf.getvalue()


def check_csv_folder(folder: Path) -> None:
    """Collect writes values.csv and commentary.csv: a folder without values.csv (a council whose data is
    one workbook) is refused with a :class:`DataError` saying so."""
    workbooks = [p.name for p in folder.iterdir() if p.suffix.lower() in WORKBOOKS and not p.name.startswith("~$")]
    if (folder / "values.csv").is_file() and not workbooks:
        return
    found = f"its data is the workbook {workbooks[0]}" if workbooks else "it has no values.csv"
    raise DataError(
        [
            Problem(
                folder.name,
                message=f"cannot be collected into: {found}, and collect writes returns into values.csv and "
                "commentary.csv",
                hint="Collect needs a data folder of CSV files; for a workbook council, copy the returned figures "
                "into the workbook by hand (see docs/returns.md)",
            )
        ]
    )


# --- locking, and the journal that makes a merge of two files one step ------------------------------------


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the data folder's lock: one collect at a time changes its master files."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if sys.platform == "win32":  # pragma: no cover - POSIX is what is tested
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (POSIX; Windows has no directory handles to sync)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _before_journal() -> None:
    """Test hook: called once the .new files are written and before the journal is (nothing decided yet)."""


def _after_replace(target: Path) -> None:
    """Test hook: called after each master file is renamed into place (by then the journal is written and the
    audit events are recorded)."""


def _event_json(e: AuditEvent) -> dict[str, Any]:
    return dataclasses.asdict(e)


def recover(data_dir: Path, store: AuditStore) -> bool:
    """Finish a collect that was stopped part-way; True when one was. Takes the data folder's lock.

    With a journal: append the audit events unless their batch is in the store, rename the .new files
    still there over the master files, delete the journal. Without one: delete stray .new files (a
    collect stopped before it decided anything). The report build may call this before reading the data.
    """
    folder = Path(data_dir)
    with locked(folder):
        return _recover(folder, store)


def _recover(folder: Path, store: AuditStore) -> bool:
    journal = folder / JOURNAL
    if not journal.is_file():
        for name in (*(m + NEW_SUFFIX for m in MASTERS), JOURNAL + ".tmp"):
            (folder / name).unlink(missing_ok=True)
        return False
    plan = json.loads(journal.read_text(encoding="utf-8"))
    if not store.has_batch(plan["batch"]):
        store.append([AuditEvent(**e) for e in plan["events"]])
    for name in plan["files"]:
        new = folder / (name + NEW_SUFFIX)
        if new.is_file():
            os.replace(new, folder / name)
    _fsync_dir(folder)
    journal.unlink()
    _fsync_dir(folder)
    return True


def _commit(
    folder: Path,
    texts: dict[str, str],
    batch: str,
    events: list[AuditEvent],
    store: AuditStore,
    now: datetime | None = None,
) -> None:
    """Replace the master files with ``texts`` and record ``events``, through the journal (see module doc).

    The events are recorded before any file is renamed: a store that cannot be written to (a server down,
    an event it refuses) then leaves the data as it was, and the journal is withdrawn. From the moment the
    events are recorded the journal stands, and the renames are finished by :func:`recover` if cut short.
    """
    for name, text in texts.items():
        _write_synced(folder / (name + NEW_SUFFIX), text)
    _before_journal()
    plan = {"batch": batch, "files": list(texts), "events": [_event_json(e) for e in events]}
    tmp = folder / (JOURNAL + ".tmp")
    _write_synced(tmp, json.dumps(plan, indent=1))
    os.replace(tmp, folder / JOURNAL)
    _fsync_dir(folder)
    try:
        store.append(events, now=now)
    except Exception:
        if not _recorded(store, batch):
            (folder / JOURNAL).unlink()
            for name in texts:
                (folder / (name + NEW_SUFFIX)).unlink(missing_ok=True)
            raise
    for name in texts:
        os.replace(folder / (name + NEW_SUFFIX), folder / name)
        _after_replace(folder / name)
    _fsync_dir(folder)
    (folder / JOURNAL).unlink()
    _fsync_dir(folder)


def _recorded(store: AuditStore, batch: str) -> bool:
    """Whether the batch is in the store, False when the store cannot even say (then nothing was recorded
    that can be seen, and a later recover would record it again only if the journal were kept)."""
    try:
        return store.has_batch(batch)
    except Exception:  # noqa: BLE001 - the store's own error is the one re-raised by the caller
        return False


# --- checking a merge before it lands ---------------------------------------------------------------------


def _staged_problems(folder: Path, texts: dict[str, str], label: str) -> list[Problem]:
    """The validator's problems with the data as the merge would leave it (loaded from a scratch folder
    holding links to every other file), each saying it comes from merging ``label``."""
    with tempfile.TemporaryDirectory(prefix="goldenthread-collect-") as tmp:
        scratch = Path(tmp)
        for p in folder.iterdir():
            if p.is_file() and not p.name.startswith(".") and p.name not in texts:
                try:
                    (scratch / p.name).symlink_to(p.resolve())
                except OSError:  # pragma: no cover - no symbolic links (Windows without the right)
                    shutil.copy2(p, scratch / p.name)
        for name, text in texts.items():
            (scratch / name).write_text(text, encoding="utf-8", newline="")
        try:
            load_dataset(scratch)
        except DataError as e:
            return [dataclasses.replace(p, file=f"{p.file} (as merging {label} would leave it)") for p in e.problems]
    return []


# --- collecting --------------------------------------------------------------------------------------------


def source_name(path: Path) -> str:
    """A file as the audit trail names it: relative to the project folder where it is inside it."""
    root = find_project_root()
    if root is not None:
        with contextlib.suppress(ValueError, OSError):
            return str(Path(path).resolve().relative_to(root.resolve()))
    return str(path)


def _issued_problems(returned: ReturnedFile, issued: pd.DataFrame, period: str | None, label: str) -> list[Problem]:
    """A return must be one ``returns make`` issued, and not older than the newest issued to its recipient."""
    details = [d if isinstance(d, dict) else {} for d in issued.get("details", pd.Series(dtype=object))]
    checksums = {str(d.get("checksum")) for d in details}
    if returned.checksum not in checksums:
        return [
            Problem(
                label,
                message="is not a return goldenthread issued for this data: its template checksum is not among "
                "the returns made",
                value=returned.checksum,
                hint="Collect the file made by 'goldenthread returns make' for this data folder and sent to the "
                "owner (a file rebuilt by hand, or made for another data folder, cannot be matched)",
            )
        ]
    if period is not None and period != returned.period:
        return [
            Problem(
                label,
                message=f"is the return for {returned.period}, not {period} as --period says",
                value=returned.period,
                hint=f"Collect it without --period, or give --period {returned.period}",
            )
        ]
    periods = [str(p) for p, d in zip(issued["period"], details) if d.get("recipient") == returned.recipient]
    newest = max(periods, default=returned.period)
    if returned.period < newest and period is None:
        return [
            Problem(
                label,
                message=f"is {returned.recipient}'s return for {returned.period}, but returns for {newest} "
                "have been issued to them since: is it last period's file sent back by mistake?",
                value=returned.period,
                hint=f"Ask for the {newest} return; to collect this late {returned.period} return on purpose, "
                f"give --period {returned.period}",
            )
        ]
    return []


def record_issued(
    store: AuditStore,
    issued: Sequence[Any],
    *,
    who: str,
    due: date | None = None,
    by: str = "owner",
    now: datetime | None = None,
) -> list[int]:
    """Record returns made (:class:`~goldenthread.returns.workbook.IssuedReturn`) as ``returns_made`` events,
    one per file, in one batch: what :func:`collect_returns` checks a returned file against and what
    :func:`~goldenthread.returns.status.returns_status` chases."""
    batch = uuid.uuid4().hex
    return store.append(
        [
            AuditEvent(
                action="returns_made",
                who=who,
                period=r.period,
                source_file=source_name(r.path),
                batch=batch,
                details={
                    "recipient": r.recipient,
                    "file": source_name(r.path),
                    "checksum": r.checksum,
                    "indicators": list(r.indicators),
                    "due": None if due is None else due.isoformat(),
                    "by": by,
                },
            )
            for r in issued
        ],
        now=now,
    )


def _already_recorded(store: AuditStore, sha256: str) -> bool:
    for action in ("collect", "received"):
        seen = store.events(action=action)
        if len(seen) and bool((seen["source_sha256"] == sha256).any()):
            return True
    return False


def collect_returns(
    data_dir: Path,
    files: Sequence[Path],
    *,
    who: str,
    reason: str | None = None,
    period: str | None = None,
    store: AuditStore | None = None,
    now: datetime | None = None,
) -> list[CollectResult]:
    """Collect each returned workbook into ``data_dir``'s values.csv and commentary.csv (see the module doc).

    Each file lands whole or not at all, independently of the others: a refused file has its problems in
    its :class:`CollectResult` (nothing from it is written) and the rest are still collected. Raises
    :class:`DataError` only when nothing can be collected: the folder is not a CSV data folder, or its
    data does not pass validation as it is. ``store`` defaults to the folder's audit store.
    """
    if not who.strip():
        raise ValueError("collect_returns needs who: every change is recorded with the person who made it")
    folder = resolve_data_dir(data_dir)
    check_csv_folder(folder)
    own = store is None
    audit = store if store is not None else AuditStore.for_data(folder)
    try:
        recover(folder, audit)
        if not files:
            return []
        dataset = load_dataset(folder)
        return [_collect_one(folder, Path(f), dataset, audit, who, reason, period, now) for f in files]
    finally:
        if own:
            audit.close()


def _collect_one(
    folder: Path,
    path: Path,
    dataset: Dataset,
    store: AuditStore,
    who: str,
    reason: str | None,
    period: str | None,
    now: datetime | None,
) -> CollectResult:
    empty = pd.DataFrame(columns=CHANGE_COLUMNS)
    try:
        returned = read_return(path, dataset)
    except DataError as e:
        return CollectResult(path, None, None, empty, "refused: the file has problems", tuple(e.problems))
    label = path.name

    def refused(problems: list[Problem]) -> CollectResult:
        return CollectResult(
            path, returned.recipient, returned.period, empty, "refused", tuple(problems), sha256=returned.sha256
        )

    def unchanged(why: str) -> CollectResult:
        return CollectResult(path, returned.recipient, returned.period, empty, why, sha256=returned.sha256)

    found = _issued_problems(returned, store.events(action="returns_made"), period, label)
    if found:
        return refused(found)
    source = source_name(path)
    with locked(folder):
        _recover(folder, store)
        values = MasterCsv.read(folder / "values.csv", VALUES_COLUMNS)
        comments = MasterCsv.read(folder / "commentary.csv", COMMENTARY_COLUMNS)
        try:
            merged = merge_return(values.rows, comments.rows, returned, reason=reason)
        except DataError as e:
            return refused(e.problems)
        if merged.changes.empty:
            if _already_recorded(store, returned.sha256):
                return unchanged("already collected: nothing changed")
            store.append([_received(returned, who, source)], now=now)
            return unchanged("nothing to change: the figures and words were already in")
        texts = {
            m.path.name: m.text(rows)
            for m, rows in ((values, merged.values_rows), (comments, merged.commentary_rows))
            if _changed(m.rows, rows)
        }
        problems = _staged_problems(folder, texts, label)
        if problems:
            return refused(problems)
        batch = uuid.uuid4().hex
        events = [
            AuditEvent(
                action="collect",
                who=who,
                indicator=str(c.indicator),
                period=str(c.period),
                field=str(c.field),
                old=None if c.old is None or pd.isna(c.old) else str(c.old),
                new=str(c.new),
                reason=None if c.reason is None or pd.isna(c.reason) else str(c.reason),
                source_file=source,
                source_sha256=returned.sha256,
                batch=batch,
                details=_details(returned, c.source_row),
            )
            for c in merged.changes.itertuples(index=False)
        ]
        _commit(folder, texts, batch, events, store, now)
    return CollectResult(
        path, returned.recipient, returned.period, merged.changes, None, batch=batch, sha256=returned.sha256
    )


def _changed(old: list[dict[str, str]], new: list[dict[str, str]]) -> bool:
    """Whether the merge made or changed a row (it hands back unchanged rows as the same objects)."""
    return len(old) != len(new) or any(a is not b for a, b in zip(old, new))


def _details(returned: ReturnedFile, source_row: Any) -> dict[str, Any]:
    row = None if source_row is None or pd.isna(source_row) else int(source_row)
    return {"recipient": returned.recipient, "return_period": returned.period, "source_row": row}


def _received(returned: ReturnedFile, who: str, source: str) -> AuditEvent:
    return AuditEvent(
        action="received",
        who=who,
        period=returned.period,
        source_file=source,
        source_sha256=returned.sha256,
        batch=uuid.uuid4().hex,
        details={"recipient": returned.recipient, "return_period": returned.period, "rows": len(returned.rows)},
    )


def write_change_log(results: Sequence[CollectResult], who: str, folder: Path) -> list[Path]:
    """Each collected file's changes as ``<data folder>/returns-log/<batch>.csv`` (cells made safe for a
    spreadsheet); the paths written."""
    from goldenthread.output.export import write_csv

    written = []
    for r in results:
        if r.batch is None or r.changes.empty:
            continue
        log = folder / "returns-log"
        log.mkdir(exist_ok=True)
        df = r.changes.assign(by=who, source_file=source_name(r.path), recipient=r.recipient, sha256=r.sha256)
        path = log / f"{r.batch}.csv"
        write_csv(df, path)
        written.append(path)
    return written
