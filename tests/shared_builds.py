"""Something the tests build once for the whole session, shared by pytest-xdist's workers.

``make test`` runs two workers, each a pytest process with its own session-scoped fixtures: a report built by
a session fixture was built once in each, about 10 s of CPU apiece on 2 cores. :func:`built_once` builds it
once in the session's base temporary folder (every worker's own one is inside it), under a file lock, whichever
worker asks first; the other waits and reads the same folder. Tests read what it built and never write in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def one_worker_at_a_time(lock: Path) -> Iterator[bool]:
    """Held by one pytest-xdist worker at a time: an exclusive advisory lock (``flock``) on the file ``lock``.

    Yields whether it is shared: where there is no ``fcntl`` (Windows) it holds nothing and yields False, and
    the caller must then work in a folder of its own worker."""
    try:
        import fcntl
    except ImportError:
        yield False
        return
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``build(folder)`` filled, run once per test session whichever xdist worker asks first.

    A build that raised is tried again by the next worker to ask (and fails that worker's test the same way):
    only a build that returned is marked done."""
    own = tmp_path_factory.getbasetemp()
    session = own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own
    with one_worker_at_a_time(session / f"built-{name}.lock") as shared:
        root = session if shared else own
        out, done = root / f"built-{name}", root / f"built-{name}.done"
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)
            build(out)
            done.touch()
    return out
