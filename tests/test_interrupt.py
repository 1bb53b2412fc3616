"""Ctrl-C stops a run even where the KeyboardInterrupt it raises is swallowed, and never leaves it hanging.

Each case runs in a process of its own, which sends itself SIGINT as a terminal's Ctrl-C would: the test's
own process keeps its signal handlers. No case depends on the machine's speed: the processes are given two
minutes to end, and the grace period they run with is a setting of the code under test, not a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from goldenthread.run import interrupt

#: A run's stand-in: Ctrl-C lands inside a library that swallows it (a bare ``except:``), then the run goes on.
SWALLOWED = """
import os, signal, time
from goldenthread.run import interrupt

def swallowing_library():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)  # the interrupt arrives during this
    except:  # noqa: E722 - what some libraries do
        pass

with interrupt.stoppable(grace={grace}):
    swallowing_library()
    {then}
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.integration
def test_a_swallowed_ctrl_c_still_stops_the_run_before_it_publishes() -> None:
    then = "try:\n        interrupt.check()\n    except KeyboardInterrupt:\n        print('stopped before publishing')"
    result = run(SWALLOWED.format(grace=3600, then=then))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped before publishing"


@pytest.mark.integration
def test_a_run_stuck_after_ctrl_c_exits_130_once_the_grace_period_is_over() -> None:
    then = "import threading\n    threading.Event().wait()  # stuck for ever, as a lock never released would be"
    result = run(SWALLOWED.format(grace=0.5, then=then))
    assert result.returncode == interrupt.INTERRUPTED
    assert result.stderr.startswith("Interrupted - stopping took over 0.5 s, so goldenthread exits now.")
    assert "the last good one included) is unchanged" in result.stderr


@pytest.mark.integration
def test_a_second_ctrl_c_exits_at_once() -> None:
    then = "os.kill(os.getpid(), signal.SIGINT)\n    import threading\n    threading.Event().wait()"
    result = run(SWALLOWED.format(grace=3600, then=then))  # a grace period the test would never see the end of
    assert result.returncode == interrupt.INTERRUPTED
    assert "stopping took over 3600 s" in result.stderr  # the message names the setting, not the time taken


@pytest.mark.integration
def test_a_run_that_ends_by_itself_leaves_no_watchdog_and_the_handler_as_it_was() -> None:
    code = """
    import os, signal, threading
    from goldenthread.run import interrupt
    before = signal.getsignal(signal.SIGINT)
    try:
        with interrupt.stoppable(grace=3600):
            os.kill(os.getpid(), signal.SIGINT)
            threading.Event().wait(60)
    except KeyboardInterrupt:
        pass
    for watchdog in [t for t in threading.enumerate() if isinstance(t, threading.Timer)]:
        watchdog.join(60)  # a cancelled watchdog ends now; one still counting its hour would still be alive
        assert not watchdog.is_alive(), "the watchdog was not cancelled"
    assert signal.getsignal(signal.SIGINT) is before and not interrupt.pressed.is_set()
    interrupt.check()  # nothing pressed any more
    print("carried on")
    """
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "carried on"


def test_without_a_ctrl_c_check_is_silent_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGINT)
    with interrupt.stoppable():
        assert signal.getsignal(signal.SIGINT) is not before
        interrupt.check()
    assert signal.getsignal(signal.SIGINT) is before


def test_outside_the_main_thread_the_block_changes_nothing() -> None:
    import threading

    seen: list[object] = []

    def in_a_thread() -> None:
        with interrupt.stoppable():
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    assert seen == [before]


@pytest.mark.integration
def test_a_forked_worker_gets_pythons_usual_ctrl_c() -> None:
    code = """
    import os, signal, sys, threading
    from goldenthread.run import interrupt
    with interrupt.stoppable(grace=3600):
        pid = os.fork()
        if pid == 0:  # a worker: KeyboardInterrupt, no watchdog, not remembered
            try:
                os.kill(os.getpid(), signal.SIGINT)
                threading.Event().wait(60)
            except KeyboardInterrupt:
                watchdogs = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
                os._exit(7 if not watchdogs and not interrupt.pressed.is_set() else 8)
            os._exit(9)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), interrupt.pressed.is_set())
    """
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "False"]


@pytest.mark.integration
def test_a_run_ended_by_its_watchdog_stops_its_pool_workers_too() -> None:
    code = """
    import multiprocessing, os, signal, threading, time
    from goldenthread.run import interrupt

    if __name__ == "__main__":
        worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(3600,))
        worker.start()  # a batch's pool worker, stuck: it shares this process's output
        with interrupt.stoppable(grace=0.5):
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(60)
            except KeyboardInterrupt:
                pass
            threading.Event().wait()  # stuck: the watchdog ends the process, and must end the worker too
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    result = subprocess.run(  # its output ends only when the worker, which holds it open too, has gone
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == interrupt.INTERRUPTED
    assert result.stderr.startswith("Interrupted - stopping took over 0.5 s")


def test_a_kernel_clients_zmq_context_that_cannot_close_does_not_hold_up_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What held a batch's pool worker after Ctrl-C: zmq's ``Context.term`` waits for every socket of the context,
    and one the context does not know of (as one left half-made by a Ctrl-C) is never closed by ``destroy``."""
    import types

    import zmq

    from goldenthread.run import kernel

    monkeypatch.setattr(kernel, "CLOSE_WAIT_SECONDS", 0.2)
    context = zmq.Context()
    hidden = zmq.Socket(context, zmq.PUSH)  # made without context.socket(): destroy() does not close it
    client = types.SimpleNamespace(stop_channels=lambda: None, _created_context=True, context=context)
    kernel._close(client)  # returns, though the context's term() is still waiting
    assert not context.closed
    hidden.close(linger=0)  # the waiting term() can now finish, on its own thread
    stopped = [t for t in threading.enumerate() if t.name == "goldenthread-close"]
    for thread in stopped:
        thread.join(60)
    assert context.closed and not any(t.is_alive() for t in stopped)


def test_closing_waits_for_a_close_that_ends_and_ignores_its_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.run import kernel

    monkeypatch.setattr(kernel, "CLOSE_WAIT_SECONDS", 600)  # longer than any close that ends
    closed: list[str] = []
    kernel._without_waiting_long(lambda: closed.append("channels"))
    assert closed == ["channels"]
    kernel._without_waiting_long(lambda: 1 / 0)  # an error while closing is no reason to fail the run
