"""Ctrl-C during ``goldenthread report`` or ``batch``: stop, publish nothing, and never hang on the way out.

Python turns Ctrl-C into a ``KeyboardInterrupt`` raised at whatever line the main thread is on. Nearly
always that unwinds the run cleanly: the staging folder is removed, the last good report stays, the
command exits 130. But that line can be inside a library's bare ``except:`` or a half-done import, where
the interrupt is swallowed (the run carries on and would publish) or leaves a lock held that the tidying
up then waits on for ever. The Ctrl-C test saw both on a busy 2-core machine, twice in about fifty tries
(a run that went on to publish; one that never ended). One such wait has been found and bounded (zmq's
``Context.term`` when a kernel client is closed: :data:`goldenthread.run.kernel.CLOSE_WAIT_SECONDS`); others
may remain. So a run started under :func:`stoppable` also remembers the Ctrl-C itself:

- :func:`check` raises ``KeyboardInterrupt`` again once Ctrl-C has been pressed: the pipeline calls it
  after the notebook has run and just before it publishes, so a swallowed interrupt still stops the run
  before anything is replaced;
- if the command has not ended ``grace`` seconds after the Ctrl-C (:data:`GRACE_SECONDS`), or Ctrl-C is
  pressed a second time, it says so, stops a batch's pool workers and exits 130 at once. What it leaves
  is safe: a report is only ever published by one rename (see :mod:`.staging`), the next run removes a
  staging folder left behind and undoes a swap cut short, and the notebook's kernel exits when its parent
  process has gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

#: How long the tidying up after a Ctrl-C may take before the command exits regardless (it takes a second or two).
GRACE_SECONDS = 30.0
#: Exit status for a run stopped with Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130

#: Set by the first Ctrl-C in a :func:`stoppable` block.
pressed = threading.Event()
_GAVE_UP = (
    "Interrupted - stopping took over {grace:g} s, so goldenthread exits now. No report was published: every "
    "report already in place (the last good one included) is unchanged, and the next run removes what this "
    "one left half-built.\n"
)


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed during this run, even where the first one was swallowed."""
    if pressed.is_set():
        raise KeyboardInterrupt


def _exit_now(grace: float) -> None:
    """Leave at once: written straight to the terminal (a lock the stuck thread holds cannot stop it), the
    worker processes of a batch's pool stopped (orphaned, a stuck one would run on), exit 130.

    With ``PYTHONFAULTHANDLER`` set (the tests set it) a worker is sent SIGABRT instead of SIGKILL, so that
    it writes each of its threads' stacks first: where it was stuck is then on record.
    """
    with contextlib.suppress(OSError):
        os.write(2, _GAVE_UP.format(grace=grace).encode())
    multiprocessing = sys.modules.get("multiprocessing")  # never imported here: the stuck thread may hold a lock
    if multiprocessing is not None:
        how = signal.SIGABRT if os.environ.get("PYTHONFAULTHANDLER") else signal.SIGKILL
        for child in multiprocessing.active_children():
            with contextlib.suppress(Exception):
                os.kill(child.pid, how)
    os._exit(INTERRUPTED)


@contextlib.contextmanager
def stoppable(grace: float = GRACE_SECONDS) -> Iterator[None]:
    """Within the block, Ctrl-C raises ``KeyboardInterrupt`` as usual, is remembered for :func:`check`, and ends
    the process ``grace`` seconds later (or at a second Ctrl-C) if the block has not ended by then.

    Only in the main thread (where Python runs signal handlers); elsewhere the block runs unchanged. The
    previous handler is put back at the end. A process forked inside the block (a worker) inherits the
    handler but gets Python's usual behaviour from it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()
    timer: list[threading.Timer] = []

    def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == owner:
            if pressed.is_set():
                _exit_now(grace)
            pressed.set()
            watchdog = threading.Timer(grace, _exit_now, args=(grace,))
            watchdog.daemon = True
            watchdog.start()
            timer.append(watchdog)
        raise KeyboardInterrupt

    pressed.clear()
    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        for watchdog in timer:  # the block ended by itself: nothing to cut short
            watchdog.cancel()
        pressed.clear()
