"""Shared fixtures: the example data, and small hand-made datasets written to a temporary folder."""

from __future__ import annotations

import contextlib
import csv
import multiprocessing.process
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typst
import yaml
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
sys.path.insert(0, str(ROOT / "benchmarks"))
from goldenthread.documents import CHART_WORKERS_ENV as WORKERS_ENV  # noqa: E402
from scale import without_sign_off  # noqa: E402 - one home: the benchmarks' copies are made the same way
from shared_builds import built_once  # noqa: E402

# Charts are drawn in the test's own process unless a test asks for chart workers (the same bytes either way, as
# tests/test_charts.py checks): a unit test starts no process, and the suite's two workers do not each start
# chart workers on a 2-core machine. run_cli gives the command the default a council's machine has.
os.environ[WORKERS_ENV] = "0"

# Property-based tests: in CI the examples are derived from each test (the same every run), so a
# pass or a failure there is reproducible; on a developer's machine they vary, to find more cases.
# No deadline anywhere: a busy machine must not fail a test for being slow.
# `make test-fast` (the quick loop) sets GOLDENTHREAD_TEST_FAST=1 and each property is tried on a quarter of
# its examples (fast); `make test` and CI (CI set, which wins) try every example.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("fast", deadline=None, max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "fast" if os.environ.get("GOLDENTHREAD_TEST_FAST") else "dev")


def examples(full: int) -> int:
    """``max_examples`` for a property that sets its own: ``full`` when the profile tries Hypothesis' default
    100 examples (``make test``, CI), the same share of ``full`` under another profile (a quarter under
    ``make test-fast``), and never fewer than 10 (or ``full`` if that is less)."""
    return max(min(full, 10), full * settings.default.max_examples // 100)


ORGANISATION = {"name": "Test Borough Council", "financial_year_start_month": 4}
PLAN = {
    "vision": "A test vision.",
    "outcomes": [
        {"id": "O1", "title": "Outcome one", "priorities": [{"id": "O1.1", "title": "Priority one"}]},
        {"id": "O2", "title": "Outcome two", "priorities": [{"id": "O2.1", "title": "Priority two"}]},
    ],
}
INDICATOR_COLUMNS = [
    "id",
    "title",
    "outcome",
    "priority",
    "directorate",
    "owner",
    "kind",
    "unit",
    "decimals",
    "polarity",
    "frequency",
    "aggregation",
    "target",
    "tolerance",
    "amber_threshold",
    "first_reported",
    "classification",
    "description",
    "source",
]


def indicator(**kw: object) -> dict[str, object]:
    """An indicators.csv row with sensible defaults (a monthly higher-is-better percentage)."""
    row: dict[str, object] = {
        "id": "A1",
        "title": "Indicator A1",
        "outcome": "O1",
        "priority": "O1.1",
        "directorate": "Adults",
        "owner": "Head of Service",
        "kind": "measure",
        "unit": "percent",
        "decimals": "1",
        "polarity": "higher",
        "frequency": "monthly",
        "aggregation": "snapshot",
        "target": "90",
        "tolerance": "",
        "amber_threshold": "",
        "first_reported": "2018-04",
        "classification": "public",
        "description": "",
        "source": "",
    }
    row.update({k: "" if v is None else str(v) for k, v in kw.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None) -> None:
    columns = columns or (list(rows[0]) if rows else [])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_dataset(
    folder: Path,
    indicators: list[dict[str, object]],
    values: list[dict[str, object]],
    targets: list[dict[str, object]] | None = None,
    commentary: list[dict[str, object]] | None = None,
    organisation: dict | None = None,
    plan: dict | None = None,
) -> Path:
    """Write a complete data folder from rows; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organisation.yaml").write_text(yaml.safe_dump(organisation or ORGANISATION), encoding="utf-8")
    (folder / "plan.yaml").write_text(yaml.safe_dump(plan or PLAN), encoding="utf-8")
    write_csv(folder / "indicators.csv", indicators, INDICATOR_COLUMNS)
    write_csv(folder / "values.csv", values, ["indicator", "period", "value", "milestone_status", "note"])
    if targets is not None:
        write_csv(folder / "targets.csv", targets, ["indicator", "period", "target", "amber_threshold"])
    if commentary is not None:
        cols = [
            "indicator",
            "period",
            "commentary",
            "actions",
            "status_override",
            "override_reason",
            "highlight",
            "page_title",
            "classification",
        ]
        write_csv(folder / "commentary.csv", [{c: r.get(c, "") for c in cols} for r in commentary], cols)
    return folder


def monthly(indicator_id: str, start: str, figures: list[float | None]) -> list[dict[str, object]]:
    """values.csv rows for consecutive months from ``start``."""
    year, month = map(int, start.split("-"))
    rows: list[dict[str, object]] = []
    for i, v in enumerate(figures):
        m = year * 12 + month - 1 + i
        rows.append(
            {
                "indicator": indicator_id,
                "period": f"{m // 12}-{m % 12 + 1:02d}",
                "value": "" if v is None else v,
                "milestone_status": "",
                "note": "",
            }
        )
    return rows


def copy_example(dest: Path) -> Path:
    """data/example copied to ``dest`` as a council that does not sign off (no audit store, no ``sign_off``):
    a test that changes the example's figures or commentary and builds its public report is about something
    else, and the change would rightly invalidate the example's sign-offs (tests/test_signoff.py tests those)."""
    shutil.copytree(EXAMPLE, dest)
    return without_sign_off(dest)


def signed_front_sheet(front_sheet: dict[str, object], period: str = "2019-07") -> dict[str, object]:
    """A parameters file's front sheet with Seen by filled from the example council's sign-offs, as a run
    fills it (tests that build the example's Report in-process, without the run)."""
    from goldenthread.audit.signoff import signoff_state
    from goldenthread.audit.store import AuditStore
    from goldenthread.inputs.load import load_dataset
    from goldenthread.inputs.periods import parse_period

    with AuditStore.for_data(EXAMPLE) as store:
        state = signoff_state(store, load_dataset(EXAMPLE), parse_period(period))
    return {**front_sheet, "seen_by": [s.model_dump(mode="json") for s in state.seen_by()]}


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of data/example (without its sign-offs: :func:`copy_example`), for tests that break it."""
    return copy_example(tmp_path / "example")


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """The ``goldenthread`` command as a performance manager runs it, from the project root (with chart workers,
    where the report has enough charts)."""
    return subprocess.run(
        [sys.executable, "-m", "goldenthread.run.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if k != WORKERS_ENV},
    )


def wait_until_executing(out: Path, proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Wait until the report run ``proc`` is executing a notebook in a staging folder under ``out``, so a
    test can stop it mid-run.

    It waits for the run itself, not for a number of seconds a busy machine might need: the only limit is
    a guard of ten minutes (the default limit of one cell), so that a run that never gets there fails the
    test instead of hanging it.
    """
    deadline = time.monotonic() + 600
    while not list(out.glob(".staging-*/*.ipynb")):
        assert proc.poll() is None, f"the run ended (exit {proc.returncode}) before it executed a notebook"
        assert time.monotonic() < deadline, "the run did not start executing a notebook in ten minutes"
        time.sleep(0.1)


#: The environment for a run a test stops mid-way: Python dumps every thread's stack on SIGABRT, so a run that
#: does not stop shows where it is stuck (:func:`ended_or_stacks`).
STOPPABLE_ENV = {**os.environ, "PYTHONFAULTHANDLER": "1"}


def start_cli(*args: str) -> subprocess.Popen[str]:
    """The ``goldenthread`` command started in a session of its own (so a test can send its process group a
    terminal's Ctrl-C) with :data:`STOPPABLE_ENV`; wait for it with :func:`ended_or_stacks`."""
    return subprocess.Popen(
        [sys.executable, "-m", "goldenthread.run.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=STOPPABLE_ENV,
    )


def ended_or_stacks(proc: subprocess.Popen[str], timeout: float = 120) -> str:
    """``proc``'s standard error once it and what it started have ended; if that takes over ``timeout`` seconds,
    the test fails with every thread's stack (``proc`` started with :data:`STOPPABLE_ENV`) and whatever is left
    of its process group is killed, so a run that hangs after Ctrl-C says where it hangs, not only that it did.
    """
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        pass
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGABRT)  # faulthandler: each thread's stack on standard error
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)  # what it started in its group (a pool's workers) holds its output open
    stderr = proc.communicate(timeout=60)[1]
    what = "did not end" if alive else f"ended (exit {proc.returncode}) but left processes running"
    pytest.fail(f"the run {what} within {timeout} s of being stopped; its standard error:\n{stderr}")


#: What the command says when its tidying up after a Ctrl-C hung and its watchdog ended it (run/interrupt.py).
ENDED_BY_WATCHDOG = "stopping took over"


def tidied_up(stderr: str) -> bool:
    """Whether a stopped run tidied up and ended by itself. If instead its watchdog had to end it (a hang after
    Ctrl-C whose cause is not known yet: docs in run/interrupt.py), the run is still safe (exit 130, nothing
    published, a staging folder left for the next run), so the test warns, with what the run wrote (the stuck
    workers' stacks), rather than fails."""
    if ENDED_BY_WATCHDOG not in stderr:
        return True
    warnings.warn(f"a run's tidying up after Ctrl-C hung; its watchdog ended it:\n{stderr}", stacklevel=2)
    return False


def built_report(out: Path, *args: str) -> None:
    """``goldenthread report *args --out out``, which must succeed."""
    result = run_cli("report", *args, "--out", str(out))
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example quarter's public report, built once per test session (not once per xdist worker: about 10 s
    of CPU each): reports/2019-07/ in a temp folder. Tests read it; one that changes it works on a copy."""
    return built_once(tmp_path_factory, "example", lambda out: built_report(out, "--period", "2019-07")) / "2019-07"


#: The documents one quarter publishes, each a ``goldenthread report`` command (its arguments): the example's
#: report, business plan and every directorate plan, and Hollowmere's report (sparse commentary, a year end).
QUARTER = {
    "report": ("--period", "2019-07"),
    "business-plan": ("--notebook", "business_plan", "--period", "2019-07"),
    "directorate-plans": ("--notebook", "directorate_plan", "--all", "--period", "2019-07"),
    "hollowmere": ("--params", "parameters/hollowmere/2025-03.yaml"),
}


def quarter_formats() -> str:
    """Every format :data:`QUARTER` is published in: Word too, where this version of goldenthread writes it."""
    from goldenthread.run.settings import FORMATS

    return ",".join(f for f in ("html", "pdf", "docx") if f in FORMATS)


@pytest.fixture(scope="session")
def published_quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:data:`QUARTER` built once per test session into one reports folder, ``reports/`` (with its index.html),
    as a council would publish it; ``stderr/<name>.txt`` holds what each command printed. Several test files
    read it (accessibility, documents, any council, Word, safe to publish); none writes in it."""

    def build(folder: Path) -> None:
        (folder / "stderr").mkdir(parents=True)
        for name, args in QUARTER.items():
            result = run_cli("report", *args, "--format", quarter_formats(), "--out", str(folder / "reports"))
            assert result.returncode == 0, result.stderr
            (folder / "stderr" / f"{name}.txt").write_text(result.stderr, encoding="utf-8")

    return built_once(tmp_path_factory, "quarter", build)


#: The slowest test files of `make test` (each 20 to 75 s of one worker's time on an idle 2-core machine), slowest
#: first. pytest-xdist deals whole files out (--dist loadfile), by its own rule the files with the most tests
#: first; a long file of few tests (test_word.py, test_accessibility.py) then came last and kept one worker busy
#: after the other had run out of work. The Makefile passes --no-loadscope-reorder, so files are dealt in this
#: collection order instead, the longest first, and both workers finish together. Only the order of files changes,
#: never the order within one; a file missing from here, or a list out of date, costs time, not correctness.
SLOWEST_FIRST = (
    "test_safe_to_publish.py",
    "test_charts.py",
    "test_accessibility.py",
    "test_word.py",
    "test_any_council.py",
    "test_batch.py",
    "test_bad_inputs.py",
    "test_benchmarking.py",
    "test_report_integration.py",
    "test_documents.py",
    "test_svg_charts.py",
    "test_runs.py",
    "test_hostile_text.py",
    "test_render_safety.py",
    "test_benchmarking_speedpath.py",
    "test_spc.py",
    "test_signoff.py",
    "test_comparison.py",
)


def _dealing_order(item: pytest.Item) -> int:
    """Where ``item``'s file comes in :data:`SLOWEST_FIRST` (every other file after them, as collected)."""
    name = item.path.name
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first (:data:`SLOWEST_FIRST`; the sort keeps every other order).

    A test that reads the built example report is an integration test wherever it lives: the report is
    built by the whole pipeline (kernel, nbconvert, Typst), which ``make test-fast`` leaves out. So is one
    that runs on the test PostgreSQL server (tests/postgres.py starts it as a process), and one that uses a
    fixture its module names in ``INTEGRATION_FIXTURES`` (one that compiles a PDF once for the module, say:
    whichever test asks for it first starts the process)."""
    items.sort(key=_dealing_order)
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        named = getattr(getattr(item, "module", None), "INTEGRATION_FIXTURES", ())
        shared = {"example_report", "published_quarter", "postgres_url"}
        fixtures = set(getattr(item, "fixturenames", ())) & {*shared, *named}
        postgresql = any(isinstance(v, str) and v == "postgresql" for v in params.values())
        if fixtures or postgresql:
            item.add_marker(pytest.mark.integration)


# --- a unit test starts no process and compiles no document ------------------------------------------
# `make test-fast` promises the unit tests alone: no kernel, no renderer, no process. So that stays true as
# tests are added, every process started (subprocess, multiprocessing: a kernel, pandoc, a chart worker,
# Typst's child, git, a PostgreSQL server) and every Typst compile is noted, and a test without the
# ``integration`` mark that caused one (in its set-up or its body) fails, saying which mark it needs.
_STARTED: list[str] = []


def _noting(what: Callable[..., str], function: Callable[..., Any]) -> Callable[..., Any]:
    def noted(*args: Any, **kwargs: Any) -> Any:
        _STARTED.append(what(*args, **kwargs))
        return function(*args, **kwargs)

    return noted


def _program(_popen: object, args: Any, *_: Any, **__: Any) -> str:
    first = args if isinstance(args, (str, bytes, os.PathLike)) else next(iter(args), "?")
    return f"the process {Path(os.fsdecode(first)).name}"


subprocess.Popen._execute_child = _noting(_program, subprocess.Popen._execute_child)  # type: ignore[attr-defined]
multiprocessing.process.BaseProcess.start = _noting(  # type: ignore[method-assign]
    lambda *_: "a multiprocessing worker", multiprocessing.process.BaseProcess.start
)
typst.compile = _noting(lambda *_, **__: "a Typst compile", typst.compile)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    _STARTED.clear()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    result = yield
    if _STARTED and item.get_closest_marker("integration") is None:
        pytest.fail(
            f"this unit test started {', '.join(dict.fromkeys(_STARTED))}: mark it @pytest.mark.integration "
            "(make test-fast runs no process and no renderer)",
            pytrace=False,
        )
    return result
