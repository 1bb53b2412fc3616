"""``goldenthread batch`` (issue 16): the batch file and its expansion, the up-to-date check, the engines
(serial, process pool, Dask) with a stand-in run, and real builds: the same files whichever engine, and resume."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from conftest import ROOT, ended_or_stacks, start_cli, tidied_up, wait_until_executing
from goldenthread.errors import DataError, Problem, ReportError
from goldenthread.run import batch as b
from goldenthread.run.cli import _no_traceback
from goldenthread.run.cli_batch import batch
from goldenthread.run.engines import Dask, ProcessPool, Serial, check_shared_storage, engine_for

EXAMPLE, HOLLOWMERE = str(ROOT / "data" / "example"), str(ROOT / "data" / "hollowmere")
app = typer.Typer(add_completion=False)
app.command()(_no_traceback(batch))


@app.command()
def _other() -> None:  # pragma: no cover - a second command keeps typer from making batch the only one
    """Present so that ``batch`` is invoked by name, as under ``goldenthread``."""


def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["batch", *args], env={"COLUMNS": "400", "CI": "true", **(env or {})})


def data_folder(path: Path, name: str = "Test Council") -> Path:
    path.mkdir(parents=True)
    (path / "organisation.yaml").write_text(yaml.safe_dump({"name": name}), encoding="utf-8")
    return path


# --- periods and folders ----------------------------------------------------------------------------------


def test_periods_expand_ranges_inclusively_across_a_year_end_without_repeats() -> None:
    assert b.expand_periods(["2019-11..2020-02", "2019-12", "2020-04"], "batch.yaml") == [
        "2019-11",
        "2019-12",
        "2020-01",
        "2020-02",
        "2020-04",
    ]
    assert b.expand_periods(["2019-07..2019-07"], "batch.yaml") == ["2019-07"]


def test_a_range_that_ends_before_it_starts_or_a_non_month_is_named_with_what_to_do() -> None:
    with pytest.raises(DataError) as caught:
        b.expand_periods(["2020-03..2019-04", "2019-13", "July"], "batch.yaml")
    lines = [str(p) for p in caught.value.problems]
    hint = "Write a month as YYYY-MM (2019-07) or a range as FROM..TO (2019-04..2020-03), FROM not after TO"
    assert lines == [
        f"batch.yaml, key 'periods': is a range that ends before it starts (found '2020-03..2019-04'). {hint}",
        f"batch.yaml, key 'periods': is not a month or a range of months (found '2019-13'). {hint}",
        f"batch.yaml, key 'periods': is not a month or a range of months (found 'July'). {hint}",
    ]


def test_data_globs_find_the_organisations_folders_and_a_glob_matching_none_is_an_error(tmp_path: Path) -> None:
    data_folder(tmp_path / "data" / "b-council")
    data_folder(tmp_path / "data" / "a-council")
    (tmp_path / "data" / "notes").mkdir()  # not a data folder: no organisation.yaml, no workbook
    (tmp_path / "data" / "c-council").mkdir()
    (tmp_path / "data" / "c-council" / "c.xlsx").write_bytes(b"")
    found = b.expand_data(["data/*", "data/a-council"], tmp_path, "batch.yaml")
    assert [f.name for f in found] == ["a-council", "b-council", "c-council"]
    with pytest.raises(DataError) as caught:
        b.expand_data(["data/x*", "data/notes"], tmp_path, "batch.yaml")
    assert [(p.column, p.message, p.value) for p in caught.value.problems] == [
        ("data", "matches no data folder", "data/x*"),
        ("data", "matches no data folder", "data/notes"),
    ]


def test_two_organisations_with_the_same_folder_name_would_share_an_output_folder(tmp_path: Path) -> None:
    data_folder(tmp_path / "north" / "borough")
    data_folder(tmp_path / "south" / "borough")
    with pytest.raises(DataError, match="names two organisations' folders called borough"):
        b.expand_data(["*/borough"], tmp_path, "batch.yaml")


# --- the batch file and the flags ---------------------------------------------------------------------------


def test_a_batch_file_with_an_unknown_key_says_which_and_suggests_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text("data: [data/*]\nperiods: [2019-07]\naudience: [internal]\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        b.read_batch_file(path)
    (problem,) = caught.value.problems
    assert problem.file == "batch.yaml" and problem.column == "audience" and problem.message == "unknown key"
    assert "audiences" in (problem.hint or "")


def test_a_batch_file_takes_single_values_and_commas_and_flags_replace_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text("data: data/*\nperiods: 2019-04..2019-06, 2019-12\nformats: html\n", encoding="utf-8")
    read = b.read_batch_file(path)
    assert read.data == ["data/*"] and read.periods == ["2019-04..2019-06", "2019-12"] and read.formats == ["html"]
    assert read.audiences == ["public"] and read.notebooks == ["corporate_performance_report"]
    merged = b.with_flags(read, {"audiences": ["internal"], "periods": None, "formats": ["html,pdf"]}, "batch.yaml")
    assert merged.audiences == ["internal"] and merged.periods == read.periods and merged.formats == ["html", "pdf"]
    with pytest.raises(DataError) as caught:
        b.with_flags(read, {"formats": ["xml"]}, "batch.yaml")
    assert [p.file for p in caught.value.problems] == ["--format"]


def test_flags_alone_name_the_missing_flag_and_a_bad_value(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        b.with_flags(None, {"data": ["data/*"], "audiences": ["everyone"]}, "the flags")
    said = {(p.file, p.message) for p in caught.value.problems}
    assert ("--period", "is needed") in said
    assert any(file == "--audience" for file, _ in said)


def test_bad_batch_files_and_flags_exit_2_with_nothing_run(tmp_path: Path) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text(f"data: [{ROOT}/data/nowhere*]\nperiods: [2019-09..2019-04]\nsurprise: 1\n", encoding="utf-8")
    result = run_cli(str(path))
    assert result.exit_code == 2, result.output
    assert "Batch problem - nothing was run." in result.output
    assert "batch.yaml, key 'surprise': unknown key" in result.output
    path.write_text(f"data: [{ROOT}/data/nowhere*]\nperiods: [2019-09..2019-04]\n", encoding="utf-8")
    result = run_cli(str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "key 'data': matches no data folder" in result.output
    assert "key 'periods': is a range that ends before it starts" in result.output
    result = run_cli("--data", EXAMPLE, "--period", "2019-07", "--scheduler", "yarn")
    assert result.exit_code == 2 and "--scheduler: is not an engine (found 'yarn')" in result.output
    assert not (tmp_path / "out").exists()


# --- the plan -------------------------------------------------------------------------------------------------


def a_spec(tmp_path: Path, **kw: Any) -> b.Spec:
    values: dict[str, Any] = {
        "data": [ROOT / "data" / "example", ROOT / "data" / "hollowmere"],
        "periods": ["2019-07", "2025-03"],
        "notebooks": [ROOT / "notebooks" / "corporate_performance_report.ipynb"],
        "audiences": ["internal"],
        "formats": ("html",),
        "parameters": [],
        "out": tmp_path / "out",
        "root": ROOT,
    }
    return b.Spec(**{**values, **kw})


def test_the_plan_is_folders_by_periods_by_notebooks_by_audiences_and_each_directorate(tmp_path: Path) -> None:
    notebooks = [ROOT / "notebooks" / f"{n}.ipynb" for n in ("corporate_performance_report", "directorate_plan")]
    spec = a_spec(tmp_path, notebooks=notebooks, audiences=["public", "internal"])
    asked: list[tuple[str, str]] = []

    def directorates(folder: Path, audience: str) -> list[str]:
        asked.append((folder.name, audience))
        return ["eci", "finance"] if folder.name == "example" else []

    planned = b.plan(spec, directorates)
    labels = [j.label for j in planned.jobs]
    assert len(labels) == 2 * 2 * 2 * 1 + 2 * 2 * 2  # the reports, and example's two directorates
    assert labels[:4] == [
        "example 2019-07 public",
        "example directorate plan eci 2019-07 public",
        "example directorate plan finance 2019-07 public",
        "example 2019-07 internal",
    ]
    eci = planned.jobs[1]
    assert eci.folder == "directorate-plan-eci-2019-07" and eci.settings.extra == {"directorate": "eci"}
    assert eci.settings.out_root == tmp_path / "out" / "example" and eci.settings.formats == ("html",)
    assert eci.settings.data == str(ROOT / "data" / "example")
    assert ("hollowmere", "internal") in asked


def test_runs_without_a_parameters_file_get_a_minimal_deterministic_one(tmp_path: Path) -> None:
    planned = b.plan(a_spec(tmp_path), lambda f, a: [])
    path = tmp_path / "out" / ".batch" / "params" / "hollowmere-2025-03-internal.yaml"
    assert planned.jobs[-1].settings.params_file == path
    text = planned.params_files[path]
    assert yaml.safe_load(text) == {"audience": "internal", "data": "data/hollowmere", "period": "2025-03"}
    assert b.plan(a_spec(tmp_path), lambda f, a: []).params_files == planned.params_files
    b.write_params_files(planned.params_files)
    before = path.stat().st_mtime_ns
    b.write_params_files(planned.params_files)  # the same text: left alone
    assert path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == before


def test_a_parameters_template_is_used_as_it_is_when_its_audience_is_the_runs(tmp_path: Path) -> None:
    templates = [str(ROOT / "parameters" / "{org}" / "{period}.yaml"), str(ROOT / "parameters" / "{period}.yaml")]
    spec = a_spec(tmp_path, parameters=templates, audiences=["public", "internal"], periods=["2019-07"])
    jobs = {j.label: j for j in b.plan(spec, lambda f, a: []).jobs}
    assert jobs["example 2019-07 public"].settings.params_file == ROOT / "parameters" / "2019-07.yaml"
    internal = jobs["example 2019-07 internal"].settings.params_file
    assert internal == tmp_path / "out" / ".batch" / "params" / "example-2019-07-internal.yaml"
    written = yaml.safe_load(b.plan(spec, lambda f, a: []).params_files[internal])
    assert written["audience"] == "internal" and written["front_sheet"]["meeting"] == "Cabinet"
    # hollowmere has no parameters for 2019-07 under either template... except parameters/2019-07.yaml: the
    # first that exists wins, so a batch mixing councils lists the council's own folder first
    assert jobs["hollowmere 2019-07 public"].settings.params_file == ROOT / "parameters" / "2019-07.yaml"


# --- up to date -----------------------------------------------------------------------------------------------

EXPECTED = b.Expected(
    inputs={"data/x/values.csv": "v1", "parameters/2019-07.yaml": "p1", "notebooks/cpr.ipynb": "n1"},
    parameters={"period": "2019-07", "audience": "public", "data": "data/x", "front_sheet": {"meeting": "Cabinet"}},
    code_sha256="code1",
    versions={"python": "3.11.9", "pandas": "2.2.2"},
    formats=("html", "pdf"),
)


def a_manifest(**changes: Any) -> dict[str, Any]:
    manifest = {
        "inputs": dict(EXPECTED.inputs),
        "outputs": {"cpr.ipynb": "o1", "cpr.html": "o2", "cpr.pdf": "o3"},
        "parameters": {
            **EXPECTED.parameters,
            "front_sheet": {"meeting": "Cabinet", "seen_by": [{"role": "Monitoring Officer"}]},
            "draft": False,
            "signoff_changes": [],
        },
        "code_sha256": "code1",
        "versions": dict(EXPECTED.versions),
    }
    return {**manifest, **changes}


def stale(manifest: dict[str, Any], expected: b.Expected = EXPECTED, **now: Any) -> str | None:
    recorded = {k: manifest.get(k) if isinstance(manifest.get(k), dict) else {} for k in ("inputs", "outputs")}
    inputs_now = {**recorded["inputs"], **now.get("inputs", {})}
    outputs_now = {**recorded["outputs"], **now.get("outputs", {})}
    return b.stale_reason(manifest, expected, inputs_now, outputs_now)


def test_a_report_built_from_the_same_inputs_parameters_code_and_formats_is_up_to_date() -> None:
    assert stale(a_manifest()) is None  # the Seen by and draft the run filled from the sign-offs are not compared


@pytest.mark.parametrize(
    ("manifest", "now", "reason"),
    [
        (a_manifest(code_sha256="code0"), {}, "the code has changed"),
        ({**a_manifest(), "code_sha256": None}, {}, "it was built before manifests recorded the code's digest"),
        (a_manifest(), {"inputs": {"data/x/values.csv": "v2"}}, "data/x/values.csv has changed or is missing"),
        (a_manifest(), {"outputs": {"cpr.html": None}}, "its file cpr.html has changed or is missing"),
        (a_manifest(versions={"python": "3.11.9", "pandas": "2.1.0"}), {}, "the installed package versions"),
        (a_manifest(outputs={"cpr.ipynb": "o1", "cpr.html": "o2"}), {}, "other formats are asked for"),
        (a_manifest(parameters={**EXPECTED.parameters, "title": "New"}), {}, "its parameters have changed"),
        (a_manifest(inputs={"parameters/2019-07.yaml": "p1", "notebooks/cpr.ipynb": "n1"}), {}, "is a new input"),
        (a_manifest(audit={"head": "abc", "rows": 9}), {}, "the sign-offs have changed"),
        ({"inputs": "?"}, {}, "its manifest lists no inputs or outputs"),
    ],
)
def test_a_report_is_rebuilt_when_anything_it_was_built_from_has_changed(
    manifest: dict[str, Any], now: dict[str, Any], reason: str
) -> None:
    found = stale(manifest, **now)
    assert found is not None and reason in found


def test_a_new_sign_off_makes_the_report_stale_and_the_same_audit_head_does_not() -> None:
    signed = b.Expected(**{**EXPECTED.__dict__, "audit": {"head": "abc", "rows": 9, "ok": True}})
    assert stale(a_manifest(audit={"head": "abc", "rows": 9, "ok": True}), signed) is None
    assert stale(a_manifest(audit={"head": "abd", "rows": 10, "ok": True}), signed) == "the sign-offs have changed"


# --- the engines, with a stand-in run -------------------------------------------------------------------------


def square_or_fail(n: int) -> int:
    """A cheap stand-in for a run: any picklable top-level function will do."""
    if n == 3:
        raise ReportError("run 3 failed on purpose")
    if n == 4:
        raise DataError([Problem("values.csv", message="bad")])
    return n * n


@pytest.mark.integration  # starts worker processes
@pytest.mark.parametrize("engine", [Serial(), ProcessPool(2)], ids=["serial", "processes"])
def test_a_failing_run_never_stops_the_others(engine: Serial | ProcessPool) -> None:
    seen: list[int] = []
    outcomes = engine.map(square_or_fail, [1, 2, 3, 4, 5], lambda i, r: seen.append(i))
    assert outcomes[:2] == [1, 4] and outcomes[4] == 25
    assert isinstance(outcomes[2], ReportError) and str(outcomes[2]) == "run 3 failed on purpose"
    assert isinstance(outcomes[3], DataError) and outcomes[3].problems == [Problem("values.csv", message="bad")]
    assert sorted(seen) == [0, 1, 2, 3, 4]


def pid_of(n: int) -> tuple[int, int]:
    """Which process ran item ``n``."""
    return n, os.getpid()


@pytest.mark.integration  # starts worker processes
def test_the_pool_runs_every_item_in_its_workers_and_keeps_every_runs_place() -> None:
    seen: list[int] = []
    outcomes = ProcessPool(2).map(pid_of, list(range(9)), lambda i, r: seen.append(i))
    assert [n for n, _ in outcomes] == list(range(9)) and sorted(seen) == list(range(9))
    workers = {pid for _, pid in outcomes}
    assert 1 <= len(workers) <= 2 and os.getpid() not in workers


def chart_workers_allowed() -> functools.partial[str | None]:
    """The chart workers setting as a run in a worker process sees it: ``os.getenv(WORKERS_ENV, None)``, a
    function the worker has without importing this module (whose conftest would set it there)."""
    from goldenthread.documents import CHART_WORKERS_ENV as WORKERS_ENV

    return functools.partial(os.getenv, WORKERS_ENV)


@pytest.mark.integration  # starts worker processes
def test_the_pools_runs_start_no_chart_workers_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.documents import CHART_WORKERS_ENV as WORKERS_ENV

    monkeypatch.setenv(WORKERS_ENV, "4")  # a user's setting for single reports
    assert ProcessPool(2).map(chart_workers_allowed(), [None, None]) == ["0", "0"]  # the kernels they start inherit it
    assert os.environ.get(WORKERS_ENV) == "4"  # the command's own process is left as it was


@pytest.mark.integration  # starts a Dask LocalCluster
def test_a_dask_workers_runs_start_no_chart_workers_unless_the_worker_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.documents import CHART_WORKERS_ENV as WORKERS_ENV

    monkeypatch.delenv(WORKERS_ENV)  # the tests set it for every process they start: not for this cluster's workers
    allowed = chart_workers_allowed()
    with Dask("local", 1) as cluster:
        assert cluster.client.submit(allowed, None, pure=False).result() is None  # a worker started without it
        assert cluster.map(allowed, [None, None]) == ["0", "0"]  # a run's kernels inherit it
        cluster.client.run(lambda: os.environ.__setitem__(WORKERS_ENV, "3"))  # as if the worker was deployed with it
        assert cluster.map(allowed, [None]) == ["3"]
    assert WORKERS_ENV not in os.environ  # the command's own process is left as it was


def test_the_engines_are_chosen_by_scheduler() -> None:
    assert isinstance(engine_for(None, None), ProcessPool) and isinstance(engine_for("serial", 3), Serial)
    assert engine_for("processes", 3).workers == 3
    assert isinstance(engine_for("tcp://scheduler:8786", None), Dask)


def test_a_worker_that_cannot_see_the_folders_says_which_and_where(tmp_path: Path) -> None:
    missing = tmp_path / "not-shared"
    assert check_shared_storage([str(tmp_path)], str(tmp_path)) == []
    assert check_shared_storage([str(missing)], str(tmp_path)) == [f"{missing} does not exist on this worker"]
    assert list(tmp_path.iterdir()) == []  # the probe file is removed
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert "cannot be written from this worker" in check_shared_storage([str(tmp_path)], str(locked))[0]


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``run_job`` replaced by one that fails hollowmere's runs, in this process (the serial engine)."""
    ran: list[str] = []

    def fake(job: b.Job) -> b.Done:
        ran.append(job.label)
        if job.org == "hollowmere" and job.period == "2025-03":
            raise ReportError("a cell failed: [bold]KeyError[/] 'x'")
        if job.org == "hollowmere":
            raise DataError([Problem("p.yaml", message="no indicator has a figure at or before 2019-07")])
        return b.Done(job.settings.out_root / job.folder, 1.5)

    monkeypatch.setattr(b, "run_job", fake)
    return ran


def test_the_summary_counts_built_skipped_and_failed_with_the_reason_and_exits_1(
    tmp_path: Path, stand_in: list[str]
) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "--data", EXAMPLE, "--data", HOLLOWMERE, "--period", "2019-07,2025-03",
        "--audience", "internal", "--format", "html", "--out", str(out), "--scheduler", "serial",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert len(stand_in) == 4
    lines = [line for line in result.output.splitlines() if re.match(r"\[\d/4\]", line)]
    assert lines == [
        "[1/4] built example 2019-07 internal (1.5 s)",
        "[2/4] built example 2025-03 internal (1.5 s)",
        "[3/4] skipped (no figures) hollowmere 2019-07 internal (p.yaml: no indicator has a figure at or before "
        "2019-07)",
        "[4/4] FAILED hollowmere 2025-03 internal (a cell failed: [bold]KeyError[/] 'x')",
    ]
    assert re.search(r"│ built +│ +2 │", result.output) and re.search(r"│ failed +│ +1 │", result.output)
    assert "hollowmere 2025-03 internal │ a cell failed: [bold]KeyError[/] 'x'" in result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="example/index.html"' in page and "2 built" in page and "1 skipped (no figures), 1 failed" in page
    assert (out / "example" / "index.html").is_file() and "cdn" not in page.casefold()


def test_a_batch_without_a_failure_exits_0(tmp_path: Path, stand_in: list[str]) -> None:
    result = run_cli(
        "--data", EXAMPLE, "--period", "2019-07", "--audience", "internal", "--format", "html",
        "--out", str(tmp_path / "out"), "--scheduler", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stand_in == ["example 2019-07 internal"]


def test_the_batch_page_escapes_what_the_manifests_say(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "org" / "2019-07"
    folder.mkdir(parents=True)
    manifest = {"organisation": "<script>alert(1)</script> Council", "period": "2019-07", "outputs": {}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = b.write_indexes(tmp_path / "out", {"org": {"built": 1}}).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Council" in page


# --- real runs ------------------------------------------------------------------------------------------------

RUNS = ("--data", EXAMPLE, "--data", HOLLOWMERE, "--audience", "internal", "--format", "html")
#: Two runs: hollowmere's report for 2025-03 (from its workbook), and the example's, long after its data and
#: without every sign-off, so built as a draft
PERIODS = ("--period", "2025-03")
#: What changes from one run to the next in any engine: Papermill's timings and its parameters cell's random id
#: (a fix for published_notebook is proposed in the issue), the build's time, and the absolute out root.
VOLATILE = ("start_time", "end_time", "duration")


def normalised(path: Path, out: Path) -> Any:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            cell["metadata"].pop("execution", None)
            for key in VOLATILE:
                cell["metadata"].get("papermill", {}).pop(key, None)
            if "injected-parameters" in cell["metadata"].get("tags", []):
                cell["id"] = "injected-parameters"
        for key in VOLATILE:
            nb["metadata"].get("papermill", {}).pop(key, None)
        return nb
    if path.name == "manifest.json":
        m = json.loads(path.read_text(encoding="utf-8").replace(str(out), "OUT"))
        for key in ("built_at", "timings_seconds"):
            m.pop(key)
        m["outputs"] = {k: v for k, v in m["outputs"].items() if not k.endswith(".ipynb")}
        return m
    if path.name == "index.html":
        return re.sub(r"<time datetime=\"[^\"]*\">[^<]*</time>", "", path.read_text(encoding="utf-8"))
    return path.read_bytes()


def built_files(out: Path) -> dict[str, Any]:
    return {
        p.relative_to(out).as_posix(): normalised(p, out)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "run.log"  # the run's log has the time of each line
    }


@pytest.fixture(scope="module")
def serial_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch") / "serial"
    result = run_cli(*RUNS, *PERIODS, "--out", str(out), "--scheduler", "serial")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.integration
def test_the_same_batch_gives_the_same_files_serially_on_the_pool_and_on_a_local_dask_cluster(
    serial_batch: Path, tmp_path: Path
) -> None:
    expected = built_files(serial_batch)
    assert {k for k in expected if k.endswith(".html")} == {
        "example/2025-03-internal-draft/corporate_performance_report-DRAFT.html",
        "example/index.html",
        "hollowmere/2025-03-internal/corporate_performance_report.html",
        "hollowmere/index.html",
        "index.html",
    }
    for scheduler in ("processes", "local"):
        out = tmp_path / scheduler
        result = run_cli(*RUNS, *PERIODS, "--out", str(out), "--scheduler", scheduler, "--workers", "2")
        assert result.exit_code == 0, result.output
        found = built_files(out)
        assert sorted(found) == sorted(expected), scheduler
        for name, content in expected.items():
            assert found[name] == content, f"{scheduler}: {name} differs"


@pytest.mark.integration
def test_a_batch_resumes_rebuilding_only_what_is_missing_or_changed(serial_batch: Path) -> None:
    example = serial_batch / "example" / "2025-03-internal-draft"
    kept = (example / "manifest.json").stat().st_mtime_ns
    shutil.rmtree(serial_batch / "hollowmere" / "2025-03-internal")  # a batch killed before this run finished
    result = run_cli(*RUNS, *PERIODS, "--out", str(serial_batch))
    assert result.exit_code == 0, result.output
    assert "1 run(s) up to date: skipped" in result.output
    built = [re.sub(r" \(.*", "", line) for line in result.output.splitlines() if "] built " in line]
    assert built == ["[1/1] built hollowmere 2025-03 internal"]
    assert (example / "manifest.json").stat().st_mtime_ns == kept
    manifest = json.loads((serial_batch / "hollowmere" / "2025-03-internal" / "manifest.json").read_text())
    assert len(manifest["code_sha256"]) == 64


@pytest.mark.integration
def test_dask_runs_each_item_as_a_task_and_refuses_workers_that_cannot_see_the_folders(tmp_path: Path) -> None:
    with Dask("local", 2) as engine:
        assert engine.workers == 2
        outcomes = engine.map(square_or_fail, [1, 2, 3, 4, 5])
        assert outcomes[:2] == [1, 4] and outcomes[4] == 25 and isinstance(outcomes[2], ReportError)
        assert isinstance(outcomes[3], DataError) and outcomes[3].problems == [Problem("values.csv", message="bad")]
        engine.check([tmp_path], tmp_path)
        with pytest.raises(DataError) as caught:
            engine.check([tmp_path, tmp_path / "not-shared"], tmp_path)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 2, lines
    assert all(
        re.fullmatch(
            rf"Dask worker tcp://127\.0\.0\.1:\d+: {re.escape(str(tmp_path / 'not-shared'))} does not "
            r"exist on this worker\. The project, data and output folders must be on storage .*",
            line,
        )
        for line in lines
    ), lines


@pytest.mark.integration
@pytest.mark.parametrize("scheduler", ["serial", "processes"])
def test_ctrl_c_stops_a_batch_with_nothing_published_and_no_further_run(scheduler: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = start_cli(
        "batch",
        "--data",
        "data/example",
        "--period",
        "2019-06..2019-07",
        "--format",
        "html",
        "--out",
        str(out),
        "--scheduler",
        scheduler,
        "--workers",
        "1",
    )
    wait_until_executing(out / "example", proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at the terminal: the command and its pool's workers
    stderr = ended_or_stacks(proc)
    assert proc.returncode == 130, stderr
    assert not list(out.rglob("*.html"))  # nothing published
    if tidied_up(stderr):
        assert "Traceback" not in stderr and "Interrupted" in stderr
        assert not list(out.rglob(".staging-*"))  # nor half-built
