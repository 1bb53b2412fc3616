"""Many charts at once (trend, XmR and benchmarking strip charts): in worker processes beside the caller when
there are enough to pay for them.

The appendix draws one small chart per measure, about 50 ms each with matplotlib, and a report of
several hundred indicators spent most of its build drawing them one after another on one core.
:func:`trend_charts` hands them in small batches to worker processes and keeps drawing in the
calling process too, taking batches from the back of the queue while the workers take them from
the front: while a worker starts (about a second, to import matplotlib) the caller is already
drawing, so workers cost little even when they barely get going, and a few charts are drawn
in-process without any. A report that knows it will draw many charts starts its workers early
(:func:`start_workers`, from :func:`goldenthread.documents.report.build_report`), so that their
start-up overlaps the report's other sections instead of its charts.

The workers are plain ``python`` processes reading batches on stdin and writing charts on stdout
(:func:`serve`), not :mod:`multiprocessing`: that would fork a threaded Jupyter kernel, or, to
spawn, import the caller's main script again in every worker, which runs an unguarded analyst's
script once more per worker.

A chart is the same bytes wherever it is drawn: a worker takes the caller's matplotlib settings
(``rcParams``). A worker that cannot start or fails (a sandbox without process creation, a killed
process, an error while drawing) only means its batches are drawn in the calling process, where an
error in the drawing itself is raised as usual.
"""

from __future__ import annotations

import atexit
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import matplotlib
import pandas as pd

from goldenthread.documents import CHART_WORKERS_ENV
from goldenthread.documents.charts import Chart, TrendCanvas

__all__ = [
    "TrendRequest",
    "SpcRequest",
    "BenchmarkRequest",
    "trend_charts",
    "start_workers",
    "serve",
    "POOL_MIN_CHARTS",
    "WORKERS_ENV",
    "BATCH",
]

#: Fewer charts than this are drawn in the calling process. Starting a worker (about a second, mostly
#: on a core the report is not using) costs about as much as drawing twenty charts; started early
#: (:func:`start_workers`) it is ready by the appendix, and the example quarter's 32 appendix charts
#: are drawn in half the time (its build about 0.5 s faster on 2 cores, benchmarks/pipeline.py).
POOL_MIN_CHARTS = 20
#: Environment variable: how many chart workers a report may start beside its kernel (a whole number;
#: default one fewer than the CPUs). ``0`` draws every chart in the kernel: a batch on a process pool
#: sets it in each of its workers (:mod:`goldenthread.run.engines`), whose runs already fill every core.
WORKERS_ENV = CHART_WORKERS_ENV
#: Charts per batch: small enough that the caller and the workers finish together, large enough
#: that passing the charts between processes stays a small part of the work.
BATCH = 8
#: Settings that choose a backend rather than how a chart looks; a worker keeps its own.
_NOT_COPIED = {"backend", "backend_fallback", "interactive"}
#: The folder that holds the ``goldenthread`` package, put first on a worker's import path so it
#: draws with this very code, whether installed or run from a source tree.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER = "import sys; sys.path.insert(0, sys.argv[1]); from goldenthread.documents.chart_pool import serve; serve()"


@dataclass(frozen=True)
class TrendRequest:
    """The arguments of one :func:`goldenthread.documents.charts.trend_chart` call (at its default size)."""

    history: pd.DataFrame
    title: str
    unit: str | None
    decimals: int
    fy_start_month: int = 4

    def draw(self, canvas: TrendCanvas) -> Chart | None:
        return canvas.chart(self.history, self.title, self.unit, self.decimals, fy_start_month=self.fy_start_month)


@dataclass(frozen=True)
class SpcRequest:
    """The arguments of one :func:`goldenthread.documents.charts.spc_chart` call: one indicator's rows of
    :attr:`goldenthread.measures.spc.SpcTable.points` and ``phases``."""

    points: pd.DataFrame
    phases: pd.DataFrame
    title: str
    unit: str | None
    decimals: int
    polarity: str
    target: float | None
    fy_start_month: int = 4

    def draw(self, canvas: TrendCanvas) -> Chart | None:
        from goldenthread.documents.charts import spc_chart

        return spc_chart(
            self.points,
            self.phases,
            title=self.title,
            unit=self.unit,
            decimals=self.decimals,
            polarity=self.polarity,
            target=self.target,
            fy_start_month=self.fy_start_month,
        )


@dataclass(frozen=True)
class BenchmarkRequest:
    """The arguments of one :func:`goldenthread.documents.charts.benchmark_chart` call (a group's strip chart)."""

    figures: pd.DataFrame
    median: float
    lower_quartile: float
    upper_quartile: float
    reference: tuple[str, float] | None
    title: str
    unit: str | None
    decimals: int
    polarity: str

    def draw(self, canvas: TrendCanvas) -> Chart | None:
        from goldenthread.documents.charts import benchmark_chart

        return benchmark_chart(
            self.figures,
            median=self.median,
            lower_quartile=self.lower_quartile,
            upper_quartile=self.upper_quartile,
            reference=self.reference,
            title=self.title,
            unit=self.unit,
            decimals=self.decimals,
            polarity=self.polarity,
        )


#: Anything the pool draws: a request that draws its chart (the trend canvas is there for those that use it).
ChartRequest = TrendRequest | SpcRequest | BenchmarkRequest


def _draw(canvas: TrendCanvas, batch: Sequence[ChartRequest]) -> list[Chart | None]:
    return [r.draw(canvas) for r in batch]


# --- messages: a length, then a pickle ---------------------------------------------------------------


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or ``None`` at the end of the stream."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # our own worker or caller, over a private pipe


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """A worker's loop: the caller's matplotlib settings first, then batches until stdin closes.

    Each batch is answered with its charts, or with ``None`` if drawing failed (the caller then
    draws that batch itself, and so meets the error where it can be reported).
    """
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    params: Any = matplotlib.rcParams  # typed with a literal list of keys
    params.update(_receive(source) or {})
    canvas = TrendCanvas()
    while (batch := _receive(source)) is not None:
        try:
            charts: list[Chart | None] | None = _draw(canvas, batch)
        except Exception:  # the caller draws it again and reports the error
            charts = None
        _send(sink, charts)


# --- the pool ----------------------------------------------------------------------------------------


class _Queue:
    """Batches by index, claimed from the front by the workers and from the back by the caller."""

    def __init__(self, count: int) -> None:
        self.front, self.back = 0, count
        self.lock = threading.Lock()

    def claim(self, from_back: bool = False) -> int | None:
        with self.lock:
            if self.front >= self.back:
                return None
            if from_back:
                self.back -= 1
                return self.back
            self.front += 1
            return self.front - 1

    def close(self) -> None:
        """Nothing more for the workers (the caller failed): each stops at its next claim."""
        with self.lock:
            self.back = self.front


Worker = subprocess.Popen  # a chart worker: ``python -c _WORKER`` with pipes to its stdin and stdout

#: Workers started ahead of their charts (:func:`start_workers`), waiting for their first batch.
_started: list[Worker] = []
_started_lock = threading.Lock()


def _start_worker() -> Worker | None:
    """A new worker process, or ``None`` where processes cannot be started (its charts are drawn in-process)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}  # not the kernel's inline backend, which would import IPython
    try:
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER, _PACKAGE_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return None


def _take_worker() -> Worker | None:
    """A worker started ahead that is still running, else a new one."""
    with _started_lock:
        while _started:
            worker = _started.pop()
            if worker.poll() is None:
                return worker
            _close(worker)
    return _start_worker()


def _close(worker: Worker) -> None:
    """Close a worker's pipes (it stops when its stdin closes) and wait for it, killing it after 30 s."""
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            stream.close()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _worker_count(charts: int, workers: int | None) -> int:
    """Workers beside the caller for ``charts`` charts: see :func:`trend_charts`."""
    if workers is None:
        workers = _allowed_workers() if charts >= POOL_MIN_CHARTS else 0
    return max(0, min(workers, -(-charts // BATCH) - 1))


def _allowed_workers() -> int:
    """Workers a report may start: :data:`WORKERS_ENV` if it is a whole number, else one fewer than the CPUs."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    return int(setting) if setting.isdigit() else available_cpus() - 1


def start_workers(charts: int, workers: int | None = None) -> int:
    """Start now the workers that :func:`trend_charts` will use for about ``charts`` charts; how many started.

    A worker takes about a second to start (importing matplotlib), while the caller has other work to do
    first: a report computes its front sheet, summaries and areas before it draws its appendix. Started
    here, the workers are ready when the charts are asked for. A worker never used stops when this process
    ends (its stdin closes); one that has died meanwhile is replaced when the charts are drawn.
    """
    wanted = _worker_count(charts, workers)
    with _started_lock:
        while len(_started) < wanted:
            worker = _start_worker()
            if worker is None:
                break
            _started.append(worker)
        return len(_started)


@atexit.register
def _stop_started() -> None:
    """Workers started ahead and never used: stopped with the caller."""
    with _started_lock:
        while _started:
            _close(_started.pop())


def _work(queue: _Queue, batches: list[list[ChartRequest]], rc: dict[str, Any], results: dict[int, Any]) -> None:
    """Run one worker process and keep it busy until the queue is empty (in a thread of the caller).

    A batch the worker could not draw is left out of ``results``, so the caller draws it.
    """
    worker = _take_worker()
    if worker is None:
        return
    assert worker.stdin is not None and worker.stdout is not None
    try:
        _send(worker.stdin, rc)
        while (i := queue.claim()) is not None:
            _send(worker.stdin, batches[i])
            charts = _receive(worker.stdout)
            if charts is None:
                break
            results[i] = charts
    except OSError:  # the worker died: what it had not answered is drawn by the caller
        pass
    finally:
        _close(worker)


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the system tells it, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def trend_charts(requests: Sequence[ChartRequest], workers: int | None = None) -> list[Chart | None]:
    """Every request's chart (``None`` where it has under two figures), in the order asked.

    Trend, SPC and benchmarking requests may be mixed: each draws its own kind of chart.

    ``workers``: worker processes beside the caller; by default one fewer than the CPUs available (or
    :data:`WORKERS_ENV`), and none for fewer than :data:`POOL_MIN_CHARTS` charts. ``0`` draws everything
    in-process.
    """
    batches = [list(requests[i : i + BATCH]) for i in range(0, len(requests), BATCH)]
    workers = _worker_count(len(requests), workers)
    canvas = TrendCanvas()  # in the caller's current settings
    results: dict[int, Any] = {}
    queue = _Queue(len(batches))
    rc = {k: v for k, v in matplotlib.rcParams.items() if k not in _NOT_COPIED}
    threads = [threading.Thread(target=_work, args=(queue, batches, rc, results), daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        while (i := queue.claim(from_back=True)) is not None:
            results[i] = _draw(canvas, batches[i])
    finally:
        queue.close()
        for thread in threads:
            thread.join()
    return [
        chart for i, batch in enumerate(batches) for chart in (results[i] if i in results else _draw(canvas, batch))
    ]
