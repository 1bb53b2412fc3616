"""A real PostgreSQL server for the tests, started from Debian's ``postgresql`` package and thrown away after.

The audit store must work on a council's PostgreSQL server, so its tests run there too - against a server
this module starts in a temporary folder (its own port on 127.0.0.1, its socket in that folder, trust
authentication, nothing durable: fsync off), never one that happens to be running. Where the server's
programs are not installed the tests that need it are skipped with that reason; where they are installed but
the server will not start, the tests fail with its log, so a broken set-up is not mistaken for a pass.

``postgres_url`` is session-scoped: one server per test process (under pytest-xdist, one per worker).
:func:`new_database` gives a test a database of its own on it.

Import the fixture into a test module: ``from postgres import new_database, postgres_url  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

NOT_INSTALLED = "PostgreSQL server binaries not installed (Debian package postgresql)"
#: Seconds pg_ctl waits for the server to start or stop.
WAIT = 60


def server_bin() -> Path | None:
    """The newest installed server's ``bin`` folder (``/usr/lib/postgresql/<version>/bin``), or None."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [b for b in found if (b / "pg_ctl").exists() and (b / "postgres").exists()]

    def version(b: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", b.parent.name))

    return max(found, key=version) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """initdb, pg_ctl start and stop, as the ``postgres`` user when this runs as root (initdb refuses root)."""

    def __init__(self, bin_dir: Path, base: Path, as_user: list[str]) -> None:
        self.bin = bin_dir
        self.base = base
        self.data = base / "data"
        self.log = base / "server.log"
        self.as_user = as_user
        self.port = 0

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=WAIT + 30,
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            cwd=self.base,
        )

    def fail(self, what: str, done: subprocess.CompletedProcess[str]) -> None:
        log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        pytest.fail(f"PostgreSQL {what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")

    def init(self) -> None:
        done = self.run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        if done.returncode:
            self.fail("initdb", done)

    def start(self) -> None:
        # A port found free may be taken before the server binds it: try another a few times.
        for _attempt in range(3):
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} "
                "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            )
            done = self.run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(WAIT), "-o", options, "start"
            )
            if done.returncode == 0:
                return
        self.fail("start", done)

    def createdb(self, name: str) -> None:
        done = self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        if done.returncode:
            self.fail(f"createdb {name}", done)

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-w", "-t", str(WAIT), "-m", "fast", "stop")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql+psycopg://postgres@127.0.0.1:PORT/audit`` on a server started for this test session."""
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install goldenthread[postgres])")
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip(NOT_INSTALLED)
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            import pwd

            postgres_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL refuses to run as root and there is no postgres user to run it as")
        if runuser is None:
            pytest.skip("PostgreSQL refuses to run as root and runuser (util-linux) is not installed")
        as_user = [runuser, "-u", "postgres", "--"]
    # A short path under /tmp: the server's Unix socket path must stay under about 100 characters.
    base = Path(tempfile.mkdtemp(prefix="gt-pg-"))
    if as_user:
        os.chown(base, postgres_user.pw_uid, postgres_user.pw_gid)
    server = _Server(bin_dir, base, as_user)
    try:
        server.init()
        server.start()
        try:
            server.createdb("audit")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/audit"
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def new_database(postgres_url: str) -> str:
    """A new, empty database on the test server (so each test's audit store starts empty); its URL."""
    import psycopg
    from psycopg import sql

    name = f"audit_{uuid.uuid4().hex[:12]}"
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return postgres_url.rsplit("/", 1)[0] + "/" + name
