"""The audit store: every change goldenthread makes to a council's data, append-only and hash-chained.

A figure in a published report must be traceable to who supplied it, when, from which file, and what it
replaced; a sign-off must be provable. That record lives in a real database rather than a log file: SQLite by
default (``audit.sqlite`` beside the data, nothing to install), or any council's PostgreSQL server named by a
URL (``GOLDENTHREAD_AUDIT_URL``), through SQLAlchemy, with the schema created and migrated by Alembic when the
store is opened.

Append-only: this module inserts rows and never updates or deletes one. Each row carries ``prev_hash`` (the
previous row's ``hash``) and ``hash`` = SHA-256 of ``prev_hash`` followed by the row's content as canonical
JSON, so :meth:`AuditStore.verify` finds a row edited in the database afterwards, and rows deleted from the
middle. What a chain alone cannot show is the newest rows deleted (what is left is a valid, shorter chain) or
a chain rewritten from some row onwards by someone who recomputes every later hash: hence
:meth:`AuditStore.head`, the newest row's hash, which reports and commands print so it can be compared with
a copy kept elsewhere.

Two commands appending at once (two collects, a collect and a sign-off) must not both chain onto the same
row: :meth:`AuditStore.append` takes a write lock first - ``BEGIN IMMEDIATE`` on SQLite (another writer
waits, up to :data:`SQLITE_BUSY_TIMEOUT` seconds), a transaction-scoped advisory lock on PostgreSQL - then reads
the head, and numbers and hashes its rows under that lock. (PostgreSQL's ``LOCK TABLE ... IN EXCLUSIVE MODE``
would need the update or delete privilege on the table, which a council hardening the trail revokes from the
account goldenthread uses; an advisory lock needs none. The primary key on ``id`` is the backstop: a writer that
ignored the lock could not insert a second row after the same head.)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from goldenthread.audit.migrations import HEAD, LOCATION, VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: Environment variable naming the audit database for every data folder (a PostgreSQL server, say).
AUDIT_URL_ENV = "GOLDENTHREAD_AUDIT_URL"
#: The default store's file name, in the data folder.
SQLITE_FILE = "audit.sqlite"
#: Seconds a writer waits for another process's lock on a SQLite store before giving up.
SQLITE_BUSY_TIMEOUT = 30
#: The databases whose write lock :meth:`AuditStore.append` knows how to take.
SUPPORTED = ("sqlite", "postgresql")
#: PostgreSQL advisory lock key every writer holds for its transaction: appends, and creating or migrating the
#: schema (two first opens at once). Advisory locks are per database, so only this store's writers wait on it.
_PG_WRITE_LOCK = 0x676F6C64_61756469  # 'goldaudi'
#: Execution option marking a connection that writes: on SQLite its transaction begins IMMEDIATE.
_WRITE = "goldenthread_audit_write"

#: The columns of :meth:`AuditStore.events`, in table order.
COLUMNS = (
    "id",
    "at",
    "who",
    "action",
    "indicator",
    "period",
    "field",
    "old",
    "new",
    "reason",
    "source_file",
    "source_sha256",
    "batch",
    "details",
    "prev_hash",
    "hash",
)
#: The columns a row's hash covers as JSON (``prev_hash`` is put in front of that text, ``hash`` is the result).
_HASHED = tuple(c for c in COLUMNS if c not in ("prev_hash", "hash"))

_metadata = sa.MetaData()
#: The table as the queries here see it; created by the Alembic migrations (``migrations/versions``).
_event = sa.Table(
    "audit_event",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    *(sa.Column(name, sa.Text) for name in COLUMNS[1:]),
)


class AuditStoreError(Exception):
    """The audit store cannot be opened or used as asked; the message says why and what to do."""


def audit_url(data_dir: Path, url: str | None = None) -> str:
    """The audit database for a data folder: ``url`` if given, else ``$GOLDENTHREAD_AUDIT_URL``, else
    ``audit.sqlite`` in the folder (an absolute path, so the store is the same whatever the working folder)."""
    if url:
        return url
    from_env = os.environ.get(AUDIT_URL_ENV, "").strip()
    if from_env:
        return from_env
    path = Path(data_dir).resolve() / SQLITE_FILE
    # URL.create escapes what a folder name may hold and a URL may not ('?', '#', '%').
    return sa.engine.URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


@dataclass(frozen=True)
class AuditEvent:
    """One thing done to the data, as a command records it (the store adds id, time and hashes).

    ``action`` is free text, but goldenthread writes ``collect``, ``returns_made``, ``signoff`` and
    ``override``; ``batch`` groups one command's events (a uuid4 hex) so a command interrupted before it
    finished can be recognised; ``details`` holds what does not fit a column (JSON: strings, numbers,
    booleans, None, lists and dicts of them).
    """

    action: str
    who: str
    indicator: str | None = None
    period: str | None = None
    field: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    source_file: str | None = None
    source_sha256: str | None = None
    batch: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditCheck:
    """What :meth:`AuditStore.verify` found: ``head`` is the newest row's hash ('' for an empty store)."""

    ok: bool
    rows: int
    head: str
    problems: list[str]


def row_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """SHA-256 (hex) of ``prev_hash`` followed by the row's content as canonical JSON.

    Canonical: sorted keys, no spaces, non-ASCII as itself, ``details`` as the JSON text stored - so the
    same row hashes the same on SQLite and PostgreSQL, and in any later version of goldenthread.
    """
    content = {name: row[name] for name in _HASHED}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


class AuditStore:
    """The audit trail of one data folder (or of a council, on a shared server), in a database.

    Opening it creates the schema, or migrates it to this version's, in one transaction; opening it twice, or
    from two processes at once, is harmless. A database whose schema is newer than this goldenthread knows
    is refused with a message rather than written to.
    """

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError as e:
            raise AuditStoreError(
                f"{url!r} is not a database URL: give sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"
            ) from e
        self.url = parsed.render_as_string(hide_password=True)
        """The store's URL as it may be shown (any password hidden)."""
        if parsed.get_backend_name() not in SUPPORTED:
            raise AuditStoreError(
                f"The audit store cannot use {self.url}: goldenthread knows how to serialise writers on SQLite "
                "and PostgreSQL only (the hash chain must never fork). Give sqlite:///PATH or "
                "postgresql+psycopg://USER@HOST/DATABASE"
            )
        try:
            self._engine = _engine(parsed)
        except ImportError as e:  # the URL's database driver is not installed
            raise AuditStoreError(
                f"The audit store {self.url} needs the database driver {e.name or e}: for PostgreSQL, "
                "pip install goldenthread[postgres] (and use postgresql+psycopg://)"
            ) from e
        try:
            self._migrate()
        except sa.exc.DBAPIError as e:
            self._engine.dispose()
            raise AuditStoreError(f"Could not open the audit store {self.url}: {_reason(e)}") from e
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def for_data(cls, data_dir: Path, url: str | None = None) -> AuditStore:
        """The store for a data folder (see :func:`audit_url`)."""
        return cls(audit_url(data_dir, url))

    def __repr__(self) -> str:
        return f"AuditStore({self.url!r})"

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def _postgres(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A transaction holding the write lock from its start: a second writer waits until this one ends.

        Readers (verify, reports) are not blocked on PostgreSQL, and only while a write commits on SQLite.
        """
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})  # SQLite: BEGIN IMMEDIATE (see _sqlite_begin)
            with conn.begin():
                if self._postgres:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn:
            yield conn

    def _at_head(self) -> bool:
        """Is the schema already at :data:`HEAD`? Read without the write lock; any doubt (no version table yet,
        another revision) is settled by :meth:`_migrate`'s full check."""
        try:
            with self._reading() as conn:
                found = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        except sa.exc.DBAPIError:
            return False
        return found == [HEAD]

    def _migrate(self) -> None:
        if self._at_head():  # nearly every opening: no need to load Alembic and its migration scripts
            return
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        script = _scripts()
        known = {revision.revision for revision in script.walk_revisions()}
        with self._writing() as conn:
            current = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_heads()
            unknown = sorted(set(current) - known)
            if unknown:
                raise AuditStoreError(
                    f"The audit store {self.url} is at schema revision {', '.join(unknown)}, which this goldenthread "
                    f"does not know (its newest is {script.get_current_head()}): a newer goldenthread has written "
                    "to it. Upgrade goldenthread (pip install --upgrade goldenthread) before using this store"
                )
            if set(current) != set(script.get_heads()):
                config = _config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")

    def append(self, events: Sequence[AuditEvent], *, now: datetime | None = None) -> list[int]:
        """Record events, all or none, in one transaction; returns their ids in order.

        Every event gets the same time ``now`` (UTC; a naive datetime is taken as UTC). Raises ValueError or
        TypeError, before anything is written, for an event the store cannot hold exactly as given.
        """
        if not events:
            return []
        at = _timestamp(now)
        prepared = [_prepared(e) for e in events]
        with self._writing() as conn:
            last = conn.execute(sa.select(_event.c.id, _event.c.hash).order_by(_event.c.id.desc()).limit(1)).first()
            next_id, prev = (last.id + 1, last.hash) if last is not None else (1, "")
            rows = []
            for content in prepared:
                row: dict[str, Any] = {"id": next_id, "at": at, **content, "prev_hash": prev}
                row["hash"] = prev = row_hash(prev, row)
                rows.append(row)
                next_id += 1
            conn.execute(sa.insert(_event), rows)
        return [row["id"] for row in rows]

    def events(self, *, action: str | None = None, period: str | None = None, batch: str | None = None) -> pd.DataFrame:
        """The recorded events, oldest first, optionally only one action, period or batch.

        Columns as :data:`COLUMNS`: ``id`` int64, the rest objects with None where nothing was recorded; ``at``
        is the ISO 8601 UTC text recorded, ``details`` a dict.
        Order by ``id``, not ``at``: two events in the same second are still in the order they were recorded.
        """
        query = sa.select(_event).order_by(_event.c.id)
        for column, wanted in (("action", action), ("period", period), ("batch", batch)):
            if wanted is not None:
                query = query.where(_event.c[column] == wanted)
        with self._reading() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        # object columns, not pandas' string dtype: a missing value stays None, exactly as recorded.
        frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
        frame["id"] = frame["id"].astype("int64")
        frame["details"] = pd.Series([_details(d) for d in frame["details"]], index=frame.index, dtype=object)
        return frame

    def has_batch(self, batch: str) -> bool:
        """Whether any event of this batch was recorded (a command's events are committed together)."""
        with self._reading() as conn:
            found = conn.execute(sa.select(_event.c.id).where(_event.c.batch == batch).limit(1)).first()
        return found is not None

    def head(self) -> str:
        """The newest row's hash ('' when nothing has been recorded): compare it with a copy kept elsewhere."""
        with self._reading() as conn:
            found = conn.execute(sa.select(_event.c.hash).order_by(_event.c.id.desc()).limit(1)).scalar()
        return found or ""

    def verify(self) -> AuditCheck:
        """Recompute the chain, oldest row first: a row changed since it was recorded, rows missing from the
        middle, and a row no longer following the one before it are each named by row id.

        Only what a chain can show: the newest rows deleted leave a valid shorter chain, so compare
        ``head`` with the head printed when the report was built.
        """
        problems: list[str] = []
        rows = 0
        prev_id: int | None = None
        prev_hash = ""
        query = sa.select(_event).order_by(_event.c.id).execution_options(yield_per=1000)
        with self._reading() as conn:
            for row in conn.execute(query).mappings():
                rows += 1
                row_id = row["id"]
                expected = 1 if prev_id is None else prev_id + 1
                if row_id != expected:
                    missing = f"row {expected} is" if row_id == expected + 1 else f"rows {expected} to {row_id - 1} are"
                    problems.append(f"{missing} missing before row {row_id}: deleted from the audit trail")
                elif row["prev_hash"] != prev_hash:
                    problems.append(
                        f"row {row_id} does not follow row {prev_id} (its prev_hash is not that row's hash): row "
                        f"{prev_id} was rewritten, or rows were removed and the rest renumbered"
                        if prev_id is not None
                        else f"row {row_id} is not the start of the chain (its prev_hash is not empty): earlier "
                        "rows were removed and the rest renumbered"
                    )
                if row_hash(row["prev_hash"], row) != row["hash"]:
                    problems.append(
                        f"row {row_id}: its content has changed since it was recorded (hash does not match)"
                    )
                prev_id, prev_hash = row_id, row["hash"]
        return AuditCheck(ok=not problems, rows=rows, head=prev_hash, problems=problems)

    def close(self) -> None:
        """Close the store's database connections."""
        self._engine.dispose()


def _engine(url: sa.engine.URL) -> sa.Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
    # SQLAlchemy's documented recipe for pysqlite: Python's sqlite3 module would begin transactions itself
    # (deferred, and only before a write), so a second appender could read the head before the first wrote.
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # leave BEGIN to _sqlite_begin


def _sqlite_begin(conn: sa.Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _config() -> Config:
    """Alembic's configuration without an ini file: only where the migrations are."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(LOCATION))
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _reason(e: sa.exc.DBAPIError) -> str:
    """The database's own words, on one line."""
    return " ".join(str(e.orig).split()) or type(e.orig).__name__


def _timestamp(now: datetime | None) -> str:
    """``2026-12-02T07:40:00+00:00``: UTC to the second."""
    moment = datetime.now(UTC) if now is None else now
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _prepared(event: AuditEvent) -> dict[str, str | None]:
    """An event's columns as stored (details as canonical JSON text), or why it cannot be stored exactly."""
    content: dict[str, str | None] = {}
    for f in fields(AuditEvent):
        value = getattr(event, f.name)
        if f.name == "details":
            content["details"] = _details_text(value)
            continue
        if value is None and f.name not in ("action", "who"):
            content[f.name] = None
            continue
        if not isinstance(value, str):
            raise TypeError(f"AuditEvent.{f.name} must be text, not {type(value).__name__}: {value!r}")
        if f.name in ("action", "who") and not value.strip():
            raise ValueError(f"AuditEvent.{f.name} must not be blank: every change is recorded with who and what")
        if "\x00" in value:
            # PostgreSQL text cannot hold it; refused on SQLite too, so a store moves between the two intact.
            raise ValueError(f"AuditEvent.{f.name} contains a NUL character (U+0000), which the store cannot hold")
        value.encode("utf-8")  # a lone surrogate fails here, before anything is written
        content[f.name] = value
    return content


def _details_text(details: dict[str, Any] | None) -> str | None:
    if details is None:
        return None
    if not isinstance(details, dict):
        raise TypeError(f"AuditEvent.details must be a dict, not {type(details).__name__}")
    try:
        text = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"AuditEvent.details cannot be stored as JSON ({e}): use text, numbers, True/False and None"
        ) from e
    return text


def _details(text: str | None) -> dict[str, Any] | None:
    """Stored details back as a dict; text that is no longer JSON (edited in the database) is kept as found."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"unreadable": text}
