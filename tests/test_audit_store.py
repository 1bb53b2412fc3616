"""The audit store (issue 15, part 3): append-only, hash-chained, serialised between processes, migrated by
Alembic - on SQLite always, and on a real PostgreSQL server started by ``tests/postgres.py`` where Debian's
``postgresql`` package is installed (those cases are skipped, with that reason, where it is not)."""

from __future__ import annotations

import multiprocessing
import re
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT, examples
from goldenthread.audit import AuditCheck, AuditEvent, AuditStore, audit_url
from goldenthread.audit.migrations import VERSION_TABLE
from goldenthread.audit.store import AUDIT_URL_ENV, COLUMNS, AuditStoreError
from goldenthread.run.cli_audit import audit_app
from postgres import new_database, postgres_url  # noqa: F401  (the session's PostgreSQL server)

NOW = datetime(2026, 12, 2, 7, 40, tzinfo=UTC)
AUDIT = ROOT / "lib" / "goldenthread" / "audit"


@pytest.fixture(autouse=True)
def _no_audit_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GOLDENTHREAD_AUDIT_URL in the developer's environment must not send the tests' events there."""
    monkeypatch.delenv(AUDIT_URL_ENV, raising=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty audit database: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return audit_url(tmp_path)
    return new_database(request.getfixturevalue("postgres_url"))


def raw(url: str, sql: str) -> None:
    """What someone with the database's own tools could do behind goldenthread's back."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


def three(store: AuditStore) -> list[int]:
    return store.append(
        [
            AuditEvent(
                "collect", "Head of Highways", indicator="H1", period="2019-07", field="value", old="5", new="6"
            ),
            AuditEvent("collect", "Head of Highways", indicator="H2", period="2019-07", field="commentary", new="Up."),
            AuditEvent("signoff", "Jo Bloggs", period="2019-07", details={"role": "Monitoring Officer"}),
        ],
        now=NOW,
    )


# --- append and read back ------------------------------------------------------------------------------------------


def test_append_and_read_back(store_url: str) -> None:
    with AuditStore(store_url) as store:
        assert store.events().empty and list(store.events().columns) == list(COLUMNS)
        assert store.head() == "" and store.verify() == AuditCheck(ok=True, rows=0, head="", problems=[])

        ids = store.append(
            [
                AuditEvent(
                    "collect",
                    "Head of Highways",
                    indicator="H1",
                    period="2019-07",
                    field="value",
                    old="5",
                    new="6.5",
                    reason="late figure",
                    source_file="returns/highways.xlsx",
                    source_sha256="ab" * 32,
                    batch="b1",
                    details={"sheet": "Return", "row": 4},
                ),
                AuditEvent("signoff", "Jo Bloggs", period="2019-07", batch="b2", details={"role": "S151 Officer"}),
            ],
            now=NOW,
        )
        assert ids == [1, 2]
        events = store.events()
        first = events.iloc[0].to_dict()
        assert first["id"] == 1 and first["at"] == "2026-12-02T07:40:00+00:00"
        assert (first["who"], first["action"], first["indicator"], first["period"]) == (
            "Head of Highways",
            "collect",
            "H1",
            "2019-07",
        )
        assert (first["field"], first["old"], first["new"], first["reason"]) == ("value", "5", "6.5", "late figure")
        assert (first["source_file"], first["source_sha256"], first["batch"]) == (
            "returns/highways.xlsx",
            "ab" * 32,
            "b1",
        )
        assert first["details"] == {"sheet": "Return", "row": 4}
        assert first["prev_hash"] == "" and len(first["hash"]) == 64
        second = events.iloc[1].to_dict()
        assert second["indicator"] is None and second["old"] is None and second["prev_hash"] == first["hash"]

        # Filters, batches, and the next append continuing the numbering and the chain.
        assert store.events(action="signoff")["id"].tolist() == [2]
        assert store.events(period="2019-07")["id"].tolist() == [1, 2]
        assert store.events(batch="b1")["id"].tolist() == [1]
        assert store.events(period="2019-08").empty
        assert store.has_batch("b2") and not store.has_batch("b3")
        later = datetime(2026, 12, 2, 9, 0)  # naive: taken as UTC
        assert store.append([AuditEvent("override", "Analyst")], now=later) == [3]
        assert store.events().iloc[2]["at"] == "2026-12-02T09:00:00+00:00"
        assert store.append([]) == []
        check = store.verify()
        assert check.ok and check.rows == 3 and check.head == store.head() == store.events().iloc[2]["hash"]


def test_events_are_refused_whole_before_anything_is_written(store_url: str) -> None:
    """An event the store could not hold exactly is refused, and the others in its call are not written."""
    good = AuditEvent("collect", "Owner", new="1")
    refused = [
        (AuditEvent("collect", "Owner", new="a\x00b"), ValueError, "NUL"),
        (AuditEvent("collect", "   "), ValueError, "who must not be blank"),
        (AuditEvent("collect", "Owner", new=6.5), TypeError, "new must be text"),  # type: ignore[arg-type]
        (AuditEvent("collect", "Owner", details={"x": float("nan")}), ValueError, "JSON"),
        (AuditEvent("collect", "Owner", details={"when": NOW}), ValueError, "JSON"),
        (AuditEvent("collect", "Owner", old="\udc00"), ValueError, "surrogate"),
    ]
    with AuditStore(store_url) as store:
        for event, error, message in refused:
            with pytest.raises(error, match=message):
                store.append([good, event], now=NOW)
        assert store.events().empty
        # NUL inside details is JSON-escaped, so it is held (and read back) exactly.
        store.append([AuditEvent("collect", "Owner", details={"x": "a\x00b"})], now=NOW)
        assert store.events().iloc[0]["details"] == {"x": "a\x00b"} and store.verify().ok


# --- the hash chain ------------------------------------------------------------------------------------------------


def test_a_row_edited_in_the_database_is_found(store_url: str) -> None:
    with AuditStore(store_url) as store:
        three(store)
        head = store.head()
        raw(store_url, "UPDATE audit_event SET new = '999' WHERE id = 2")
        check = store.verify()
        assert not check.ok and check.rows == 3 and check.head == head
        assert check.problems == ["row 2: its content has changed since it was recorded (hash does not match)"]

        # Rewriting the row's hash to match its new content moves the break to the next row, which no longer
        # follows it.
        row = store.events().iloc[1].to_dict()
        from goldenthread.audit.store import row_hash

        forged = row_hash(row["prev_hash"], row)
        raw(store_url, f"UPDATE audit_event SET hash = '{forged}' WHERE id = 2")
        problems = store.verify().problems
        assert len(problems) == 1 and problems[0].startswith("row 3 does not follow row 2")


def test_a_timestamp_or_details_edited_are_found(store_url: str) -> None:
    with AuditStore(store_url) as store:
        three(store)
        raw(store_url, "UPDATE audit_event SET at = '2026-12-01T07:40:00+00:00' WHERE id = 1")
        raw(store_url, """UPDATE audit_event SET details = '{"role":"Chief Executive"}' WHERE id = 3""")
        assert [p.split(":")[0] for p in store.verify().problems] == ["row 1", "row 3"]


def test_deleted_rows_are_found(store_url: str) -> None:
    with AuditStore(store_url) as store:
        three(store)
        store.append([AuditEvent("override", "Analyst"), AuditEvent("override", "Analyst")], now=NOW)
        raw(store_url, "DELETE FROM audit_event WHERE id = 2")
        assert store.verify().problems == ["row 2 is missing before row 3: deleted from the audit trail"]
        raw(store_url, "DELETE FROM audit_event WHERE id = 1")
        assert store.verify().problems == ["rows 1 to 2 are missing before row 3: deleted from the audit trail"]


def test_deleting_the_newest_rows_changes_only_the_head(store_url: str) -> None:
    """The limit of any chain: without its newest rows it is a valid shorter chain. Only the head hash, compared
    with one printed earlier (a report's manifest, a command's output), shows the difference."""
    with AuditStore(store_url) as store:
        three(store)
        head = store.head()
        raw(store_url, "DELETE FROM audit_event WHERE id = 3")
        check = store.verify()
        assert check.ok and check.rows == 2 and check.head != head


def test_several_rows_missing_are_named_as_a_range(tmp_path: Path) -> None:
    with AuditStore.for_data(tmp_path) as store:
        store.append([AuditEvent("collect", "Owner", new=str(i)) for i in range(6)], now=NOW)
        raw(store.url, "DELETE FROM audit_event WHERE id BETWEEN 2 AND 4")
        assert store.verify().problems == ["rows 2 to 4 are missing before row 5: deleted from the audit trail"]


def test_the_store_never_updates_or_deletes() -> None:
    """Append-only by construction: no UPDATE or DELETE anywhere in the store or its migrations."""
    for path in [AUDIT / "store.py", *sorted((AUDIT / "migrations").rglob("*.py"))]:
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(update|delete)\s*\(|\b(UPDATE|DELETE)\b|drop_table", code), path


# --- concurrency ---------------------------------------------------------------------------------------------------


def _append_twenty(url: str, worker: int, start: multiprocessing.synchronize.Event) -> None:
    """One process: open the store (both race to create its schema), then append 20 events one at a time."""
    start.wait(60)
    with AuditStore(url) as store:
        for i in range(20):
            store.append([AuditEvent("collect", f"worker {worker}", new=str(i), batch=f"w{worker}")])


@pytest.mark.integration  # starts worker processes
def test_two_processes_appending_at_once_keep_one_chain(store_url: str) -> None:
    # Forked before either opens the store: the two share nothing but the database (and start in a fraction of the
    # time a fresh interpreter takes to import pandas and SQLAlchemy).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    start = context.Event()
    workers = [context.Process(target=_append_twenty, args=(store_url, n, start)) for n in (1, 2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    with AuditStore(store_url) as store:
        check = store.verify()
        assert check.ok and check.rows == 40, check.problems
        events = store.events()
        assert events["id"].tolist() == list(range(1, 41))
        for n in (1, 2):  # each process's events in the order it appended them
            assert events[events["batch"] == f"w{n}"]["new"].tolist() == [str(i) for i in range(20)]


def test_postgresql_account_that_may_only_insert_and_read_can_append(postgres_url: str) -> None:  # noqa: F811
    """A council can make the trail append-only in the database too: the account goldenthread uses every day
    is granted SELECT and INSERT only (the schema is created by an owner), and appending still works."""
    url = new_database(postgres_url)
    AuditStore(url).close()
    clerk = f"clerk_{uuid.uuid4().hex[:8]}"
    raw(url, f"CREATE ROLE {clerk} LOGIN")
    raw(url, f"GRANT SELECT, INSERT ON audit_event TO {clerk}")
    raw(url, f"GRANT SELECT ON {VERSION_TABLE} TO {clerk}")
    clerk_url = url.replace("postgres@", f"{clerk}@", 1)
    with AuditStore(clerk_url) as store:
        three(store)
        assert store.verify().ok and store.verify().rows == 3
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        raw(clerk_url, "UPDATE audit_event SET new = '999' WHERE id = 2")


# --- opening: URLs and migrations ----------------------------------------------------------------------------------


def test_url_from_argument_environment_or_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = tmp_path / "council ?#% data"
    odd.mkdir()
    assert audit_url(odd) == sa.engine.URL.create("sqlite", database=str(odd / "audit.sqlite")).render_as_string()
    with AuditStore.for_data(odd) as store:
        store.append([AuditEvent("collect", "Owner")], now=NOW)
    assert (odd / "audit.sqlite").is_file()

    elsewhere = f"sqlite:///{tmp_path}/elsewhere.sqlite"
    monkeypatch.setenv(AUDIT_URL_ENV, elsewhere)
    assert audit_url(odd) == elsewhere
    assert audit_url(odd, "sqlite:///given.sqlite") == "sqlite:///given.sqlite"
    with AuditStore.for_data(odd) as store:
        assert store.events().empty
    assert (tmp_path / "elsewhere.sqlite").is_file()


def test_opening_twice_migrates_once(store_url: str) -> None:
    with AuditStore(store_url) as store:
        three(store)
    with AuditStore(store_url) as again:
        assert len(again.events()) == 3 and again.verify().ok
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all() == ["0001"]
            assert "audit_event" in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_a_store_from_a_newer_goldenthread_is_refused(store_url: str) -> None:
    AuditStore(store_url).close()
    raw(store_url, f"UPDATE {VERSION_TABLE} SET version_num = '0099'")
    with pytest.raises(AuditStoreError, match=r"schema revision 0099.*newer goldenthread.*Upgrade goldenthread"):
        AuditStore(store_url)


def test_stores_that_cannot_be_opened_say_why(tmp_path: Path) -> None:
    with pytest.raises(AuditStoreError, match="not a database URL"):
        AuditStore("not a url")
    with pytest.raises(AuditStoreError, match="SQLite and PostgreSQL only"):
        AuditStore("mysql://someone@localhost/audit")
    with pytest.raises(AuditStoreError, match=r"needs the database driver .*pip install goldenthread\[postgres\]"):
        AuditStore("postgresql+pg8000://someone@localhost/audit")  # a driver goldenthread does not install
    with pytest.raises(AuditStoreError, match="Could not open the audit store"):
        AuditStore(audit_url(tmp_path / "no such folder"))


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_importing_the_package_and_command_does_not_load_sqlalchemy() -> None:
    """The main command imports these to register ``audit``: a report build must not load the database libraries."""
    code = (
        "import sys, goldenthread.audit, goldenthread.run.cli_audit; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_head_revision_is_the_newest_migration() -> None:
    from goldenthread.audit.migrations import HEAD
    from goldenthread.audit.store import _scripts

    assert _scripts().get_current_head() == HEAD  # a new migration moves HEAD with it


@pytest.mark.integration  # starts a process, to see what it imports
def test_a_store_at_the_newest_revision_opens_without_loading_alembic(tmp_path: Path) -> None:
    """Every report build that reads sign-offs opens the store: one already migrated costs no Alembic import."""
    code = (
        "import sys; from goldenthread.audit.store import AuditStore; "
        f"AuditStore({audit_url(tmp_path)!r}).close(); print('alembic' in sys.modules)"
    )
    opened = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True) for _ in "ab"]
    assert [o.stdout.strip() for o in opened] == ["True", "False"]  # created (migrated) first, then only opened
    raw(audit_url(tmp_path), f"UPDATE {VERSION_TABLE} SET version_num = '0099'")
    refused = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert refused.returncode != 0 and "schema revision 0099" in refused.stderr  # another revision: the full check


# --- anything round-trips ------------------------------------------------------------------------------------------

_ANY_TEXT = st.characters(exclude_categories=("Cs",))
_TEXT = st.one_of(
    st.none(),
    st.sampled_from(['"', "'", "\n", "\r\n", " padded ", "", "\\", "[b]x[/]", "=SUM(A1)", "é", "\u202e", "😀"]),
    st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
)
_NAME = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1).filter(
    str.strip
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=_ANY_TEXT, max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet=_ANY_TEXT, max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_EVENT = st.builds(
    AuditEvent,
    action=_NAME,
    who=_NAME,
    indicator=_TEXT,
    period=_TEXT,
    field=_TEXT,
    old=_TEXT,
    new=_TEXT,
    reason=_TEXT,
    source_file=_TEXT,
    source_sha256=_TEXT,
    batch=_TEXT,
    details=st.none() | st.dictionaries(st.text(alphabet=_ANY_TEXT, max_size=8), _JSON, max_size=4),
)


@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(_EVENT, min_size=1, max_size=4))
def test_any_events_round_trip_and_verify(store_url: str, events: list[AuditEvent]) -> None:
    """Quotes, newlines, any Unicode, None and empty text come back exactly, and the chain still verifies.

    The examples share one store (it is append-only): each looks at the rows its own append returned.
    """
    with AuditStore(store_url) as store:
        ids = store.append(events, now=NOW)
        # Records, not iterrows: a row of object columns made into a Series becomes pandas' string dtype (None -> NaN).
        stored = {row["id"]: row for row in store.events().to_dict("records")}
        for event, row_id in zip(events, ids, strict=True):
            row = stored[row_id]
            for name in COLUMNS[2:-2]:  # all but id, at and the hashes
                assert row[name] == getattr(event, name), name
        check = store.verify()
        assert check.ok, check.problems
        assert check.head == stored[ids[-1]]["hash"]


# --- the command ---------------------------------------------------------------------------------------------------


def run(*args: str) -> object:
    return CliRunner().invoke(audit_app, list(args), env={"COLUMNS": "400"})


def test_verify_command_exit_status(tmp_path: Path) -> None:
    result = run("verify", str(tmp_path))
    assert result.exit_code == 0 and "No audit trail yet" in result.output
    assert not (tmp_path / "audit.sqlite").exists()  # looking does not create a store

    with AuditStore.for_data(tmp_path) as store:
        three(store)
        head = store.head()
    result = run("verify", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 3 rows checked" in result.output and head in result.output

    raw(audit_url(tmp_path), "UPDATE audit_event SET who = 'Someone else' WHERE id = 2")
    result = run("verify", str(tmp_path))
    assert result.exit_code == 1
    assert "row 2: its content has changed since it was recorded" in result.output

    assert run("verify", str(tmp_path / "missing")).exit_code == 2
    result = run("verify", str(tmp_path), "--url", "mysql://x@localhost/audit")
    assert result.exit_code == 2 and "SQLite and PostgreSQL only" in result.output
    with socket.socket() as s:  # a port nothing listens on: the server cannot be reached
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run("verify", str(tmp_path), "--url", f"postgresql+psycopg://someone:secret@127.0.0.1:{port}/audit")
    assert result.exit_code == 2 and "Cannot open the audit trail" in result.output
    assert "secret" not in result.output  # the password is never shown


def test_verify_command_with_a_url(store_url: str, tmp_path: Path) -> None:
    with AuditStore(store_url) as store:
        three(store)
    result = run("verify", str(tmp_path), "--url", store_url)
    assert result.exit_code == 0 and "3 rows checked" in result.output, result.output
    raw(store_url, "DELETE FROM audit_event WHERE id = 2")
    result = run("verify", str(tmp_path), "--url", store_url)
    assert result.exit_code == 1 and "row 2 is missing before row 3" in result.output


def test_log_command_shows_data_as_text(tmp_path: Path) -> None:
    hostile = "[bold red]Mallory[/] :warning: [/]"
    with AuditStore.for_data(tmp_path) as store:
        three(store)
        store.append(
            [AuditEvent("override", hostile, indicator="=1+1", period="2019-08", reason="[provisional]", old="1")],
            now=NOW,
        )
        head = store.head()
    result = run("log", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert hostile in result.output and "[provisional]" in result.output and "1 -> " in result.output
    assert '{"role": "Monitoring Officer"}' in result.output and head in result.output

    result = run("log", str(tmp_path), "--period", "2019-08")
    assert result.exit_code == 0 and hostile in result.output and "Head of Highways" not in result.output
    result = run("log", str(tmp_path), "--action", "signoff")
    assert "Jo Bloggs" in result.output and "Head of Highways" not in result.output
    result = run("log", str(tmp_path), "--action", "nothing like this")
    assert result.exit_code == 0 and "No events recorded that match." in result.output
    result = run("log", str(tmp_path), "--period", "2019-13")
    assert result.exit_code == 2 and "is not a month" in result.output
