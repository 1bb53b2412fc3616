"""Where a batch of independent runs executes: in this process, on a local process pool, or on a Dask cluster.

Every engine does one thing: call ``fn(item)`` for each item and report each outcome (the result, or
the exception the call raised) as it arrives, so one failing run never stops the others. The runs
share nothing, so the engine is only a question of where the CPU is: one process (debugging), every
core of this machine (the default, what ``report --all`` has always used) or the workers of a Dask
cluster (when one machine is not enough). ``fn`` must be a picklable top-level function for the
last two: the batch passes :func:`goldenthread.run.batch.run_job`, the tests a cheap stand-in.

Dask is imported only for the Dask engines, so it stays an optional extra (``goldenthread[dask]``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol, TypeVar

from goldenthread.errors import DataError, Problem

T = TypeVar("T")
#: A run's result, or the exception it raised (a failed run is an outcome, not an interruption).
Outcome = Any
OnDone = Callable[[int, Any], None]
OnStart = Callable[[int], None]

DASK_HINT = 'Install the Dask extra: pip install "goldenthread[dask]" (on every worker too)'
SCHEDULER_HINT = "Use serial, processes (the default), local (a Dask LocalCluster) or tcp://HOST:8786"


class Engine(Protocol):
    """Runs ``fn`` over ``items``; ``on_done(i, outcome)`` as each finishes; outcomes returned in item order."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], Any], items: Sequence[T], on_done: OnDone = ...) -> list[Outcome]: ...


class Serial:
    """Every run in this process, one after another: for debugging, and as the reference the others match."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[T], Any], items: Sequence[T], on_done: OnDone = lambda i, r: None) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for i, item in enumerate(items):
            try:
                outcome: Outcome = fn(item)
            except Exception as err:  # noqa: BLE001 - reported per run, the others carry on
                outcome = err
            outcomes.append(outcome)
            on_done(i, outcome)
        return outcomes


#: Set in a pool worker once Ctrl-C reached it: it starts no further run.
_interrupted = False


def _worker_start() -> None:
    """In each pool worker: remember a Ctrl-C, so a run queued behind the one it stopped is not
    started after the user said stop; and draw each report's charts in its kernel, with no chart
    workers of its own (the pool's runs already keep every core busy)."""
    from goldenthread.documents import CHART_WORKERS_ENV

    os.environ[CHART_WORKERS_ENV] = "0"  # read by the kernels this worker's runs start

    def stop(signum: int, frame: object) -> None:
        global _interrupted
        _interrupted = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    # A Ctrl-C that lands while Python runs a finaliser (a weak reference's callback, say) is lost there: Python
    # prints "Exception ignored in ..." with a traceback on the user's terminal, and the run goes on. Instead it
    # is raised again a moment later (an alarm, so not inside this hook, where it would be lost the same way),
    # to stop the run at the next ordinary line, and nothing is printed.
    signal.signal(signal.SIGALRM, stop)
    default_hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        default_hook(unraisable)

    sys.unraisablehook = quiet


def _call(fn: Callable[[T], Any], item: T) -> Any:
    """One run in a pool worker (top level, so it can be pickled); none starts after a Ctrl-C."""
    if _interrupted:
        raise KeyboardInterrupt
    return fn(item)


class ProcessPool:
    """One process per core (``workers``), each run in whichever is free: the default engine.

    Ctrl-C stops the runs under way (each tidies its staging folder) and the ones still queued never
    start: a Ctrl-C at a terminal reaches the workers too; a SIGINT sent to this process alone is
    passed on to them.
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)

    def map(self, fn: Callable[[T], Any], items: Sequence[T], on_done: OnDone = lambda i, r: None) -> list[Outcome]:
        """``items`` on a pool of new worker processes, shut down at the end. A worker lives through the whole
        batch: each run's PDF is compiled in a process of its own (:mod:`goldenthread.output.typst_process`),
        so a worker does not grow with the runs it builds."""
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if not items:
            return []
        workers = min(self.workers, len(items))
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
            futures: dict[Future[Any], int] = {pool.submit(_call, fn, item): i for i, item in enumerate(items)}
            try:
                return _gathered(futures, as_completed(futures), on_done)
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                for worker in list((getattr(pool, "_processes", None) or {}).values()):
                    with contextlib.suppress(OSError):
                        os.kill(worker.pid, signal.SIGINT)
                pool.shutdown(wait=True, cancel_futures=True)
                raise


def _gathered(futures: Mapping[Any, int], completed: Iterable[Any], on_done: OnDone) -> list[Outcome]:
    """Each run's result, or the exception it raised, in the order the runs were given (``futures`` maps each
    future to its run's place); ``on_done`` is told as each finishes, in the order ``completed`` yields them.
    One failed run is reported with the others, never raised: the rest of the batch carries on."""
    outcomes: dict[int, Outcome] = {}
    for future in completed:
        i = futures[future]
        try:
            outcomes[i] = future.result()
        except Exception as err:  # noqa: BLE001 - reported per run, the others carry on
            outcomes[i] = err
        on_done(i, outcomes[i])
    return [outcomes[i] for i in range(len(futures))]


def _import_distributed() -> Any:
    """``distributed``, or a :class:`DataError` (exit 2) saying how to install it."""
    try:
        import distributed
    except ImportError as err:
        raise DataError([Problem("--scheduler", message="needs Dask, which is not installed", hint=DASK_HINT)]) from err
    return distributed


def check_shared_storage(folders: list[str], writable: str) -> list[str]:
    """On a worker: what it cannot see or write of the batch's folders (empty when all is well).

    Top level, so :meth:`distributed.Client.run` can send it to every worker. ``writable`` is proved
    by writing and removing a probe file, as permissions alone do not tell (a read-only mount).
    """
    problems = [f"{folder} does not exist on this worker" for folder in folders if not Path(folder).is_dir()]
    if not problems:
        probe = Path(writable) / f".goldenthread-probe-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            probe.write_text("probe", encoding="utf-8")
            probe.unlink()
        except OSError as err:
            problems.append(f"{writable} cannot be written from this worker ({err.strerror or err})")
    return problems


class Dask:
    """Each run one task on a Dask distributed cluster: ``tcp://HOST:8786`` (a running scheduler) or
    ``local`` (a :class:`distributed.LocalCluster` on this machine, one single-threaded process per worker).

    The workers read the data and write the reports themselves, so the project, data and output
    folders must be on storage every worker sees at the same path: :meth:`check` proves it on each
    worker before any run is submitted, naming the worker and the folder when it is not so.
    """

    name = "dask"

    def __init__(self, address: str, workers: int | None = None) -> None:
        self.address = address
        self.requested = workers
        self.workers = workers or 2
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> Dask:
        distributed = _import_distributed()
        if self.address == "local":
            self.cluster = distributed.LocalCluster(
                n_workers=self.requested or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,  # a failed run is reported in the summary, not as a worker's traceback
            )
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(self.address, timeout="20s")
            except OSError as err:
                raise DataError(
                    [
                        Problem(
                            "--scheduler",
                            message=f"could not reach the Dask scheduler: {err}",
                            value=self.address,
                            hint="Start the scheduler (dask scheduler) and its workers, check the address and "
                            "port, or use --scheduler local",
                        )
                    ]
                ) from err
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def check(self, folders: Iterable[Path], writable: Path) -> None:
        """Every worker sees ``folders`` and can write in ``writable``; :class:`DataError` naming each that cannot."""
        found = self.client.run(check_shared_storage, [str(f) for f in folders], str(writable))
        if not found:
            raise DataError(
                [Problem("--scheduler", message="the Dask cluster has no workers", value=self.address, hint=SHARED)]
            )
        problems = [
            Problem(f"Dask worker {worker}", message=problem, hint=SHARED)
            for worker, found_there in sorted(found.items())
            for problem in found_there
        ]
        if problems:
            raise DataError(problems)

    def map(self, fn: Callable[[T], Any], items: Sequence[T], on_done: OnDone = lambda i, r: None) -> list[Outcome]:
        distributed = _import_distributed()
        from dask.utils import funcname

        name = funcname(fn)  # each task is named for the run's function, not the wrapper, on Dask's dashboard
        futures = {
            self.client.submit(_on_dask_worker, fn, item, key=f"{name}-{uuid.uuid4().hex}"): i
            for i, item in enumerate(items)
        }
        try:
            return _gathered(futures, distributed.as_completed(futures), on_done)
        except KeyboardInterrupt:
            self.client.cancel(list(futures))
            raise


def _on_dask_worker(fn: Callable[[T], Any], item: T) -> Any:
    """One run on a Dask worker (top level, so it can be pickled). Its kernels draw their charts themselves, as a
    process pool's do: a cluster runs one run per worker process, one per core, so chart workers of a run's own
    would only crowd the cores the other runs use. A worker deployed with ``GOLDENTHREAD_CHART_WORKERS`` set
    keeps that setting (one worker on a machine of many cores, say)."""
    from goldenthread.documents import CHART_WORKERS_ENV

    os.environ.setdefault(CHART_WORKERS_ENV, "0")  # read by the kernels this worker's runs start
    return fn(item)


SHARED = (
    "The project, data and output folders must be on storage every worker shares, at the same path "
    "(docs/batch.md, Deploying workers on a real cluster)"
)


def engine_for(scheduler: str | None, workers: int | None) -> Serial | ProcessPool | Dask:
    """The engine ``--scheduler`` names: serial, processes (the default), local or tcp://HOST:PORT."""
    if scheduler in (None, "", "processes"):
        return ProcessPool(workers)
    if scheduler == "serial":
        return Serial()
    if scheduler == "local" or "://" in scheduler:
        _import_distributed()
        return Dask(scheduler, workers)
    raise DataError([Problem("--scheduler", message="is not an engine", value=scheduler, hint=SCHEDULER_HINT)])
