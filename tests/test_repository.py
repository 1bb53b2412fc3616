"""House rules a reviewer would otherwise check by hand."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT
from goldenthread.inputs.config import ReportParameters
from goldenthread.inputs.contract import TABLES
from goldenthread.run.pipeline import SIGNOFF_PARAMETERS, read_parameters

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"strip {path.name} with nbstripout"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_keep_their_names(path) -> None:
    """Failure messages name cells by id ("cell 4 (setup: ...)"): nbstripout without --keep-id numbers them."""
    ids = [c.get("id", "") for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert all(i and not i.isdigit() for i in ids) and len(set(ids)) == len(ids), (
        f"give {path.name}'s cells names, and strip it with nbstripout --keep-id"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_have_one_tagged_parameters_cell(path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


def test_notebook_parameters_match_the_parameters_model() -> None:
    nb = json.loads((ROOT / "notebooks/corporate_performance_report.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    names = set(re.findall(r"^(\w+)\s*=", "".join(cell["source"]), flags=re.M))
    # draft and signoff_changes are set by the run from the sign-offs (docs/signoff.md), never by a parameters file
    assert names == set(ReportParameters.model_fields) | set(SIGNOFF_PARAMETERS)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "parameters").rglob("*.yaml")), ids=lambda p: p.relative_to(ROOT / "parameters").as_posix()
)
def test_parameters_files_are_valid(path) -> None:
    params = read_parameters(path)
    assert path.stem == params.period


def test_data_contract_page_documents_every_column() -> None:
    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert table.file in page
        for column in table.columns:
            assert f"`{column.name}`" in page, f"{table.file}: {column.name} is not documented"


@pytest.mark.integration  # runs git for the manifest
def test_lib_is_tracked_by_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "lib/goldenthread/__init__.py"], cwd=ROOT)
    assert ignored.returncode == 1, "lib/ must not be git-ignored"


LOCKS = ROOT / "requirements"
LAB_ONLY = {"jupyterlab", "itables", "ipywidgets"}


def _pins(lock: Path) -> dict[str, str]:
    """``name: version`` for every ``name==version`` line pip-compile wrote."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if m := re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line.strip()):
            pins[canonicalize_name(m[1])] = m[2]
    return pins


def _declared() -> dict[str, list[Requirement]]:
    """pyproject.toml's requirements: the core list under "build", then each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"build": project["dependencies"], **project["optional-dependencies"]}
    return {group: [Requirement(r) for r in reqs] for group, reqs in groups.items()}


def test_every_lock_pins_the_same_version_as_the_dev_lock() -> None:
    """make lock resolves the others within dev.lock: switching from make report to make test or make lab
    never changes a version the report was built with."""
    dev = _pins(LOCKS / "dev.lock")
    build = _pins(LOCKS / "build.lock")
    for name in ("build", "test", "lab"):
        pins = _pins(LOCKS / f"{name}.lock")
        shared = pins.keys() & dev.keys()
        assert {n: pins[n] for n in shared} == {n: dev[n] for n in shared}, f"{name}.lock differs from dev.lock"
        assert build.items() <= pins.items(), f"{name}.lock lacks part of build.lock: run make lock"
    assert _pins(LOCKS / "test.lock").items() <= dev.items(), "make check's venv must hold what make test needs"


def test_the_checks_and_tests_run_without_jupyterlab() -> None:
    """dev.lock (make check, then make test in the same venv in CI) leaves JupyterLab to make lab: its
    jupyter-events brings a URI grammar that makes every process importing nbformat ~3 s slower."""
    dev = _pins(LOCKS / "dev.lock")
    assert "jupyterlab" not in dev and "rfc3987-syntax" not in dev
    assert "jupyterlab" in _pins(LOCKS / "lab.lock")


@pytest.mark.parametrize("group", ["build", "test", "lab", "dev"])
def test_each_lock_satisfies_pyproject(group: str) -> None:
    """A requirement added or raised in pyproject.toml without make lock fails here, not on a fresh machine."""
    pins = _pins(LOCKS / f"{group}.lock")
    declared = _declared()
    # dev.lock holds the test and dev extras; each other lock its own extra
    wanted = [
        r for g in declared if g == "build" or g == group or (group == "dev" and g == "test") for r in declared[g]
    ]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements/{group}.lock: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{group}.lock pins {req.name}=={pins[name]}, outside {req}: run make lock"
        )


def test_the_quarterly_build_installs_no_analyst_or_test_tools() -> None:
    """make report installs build.lock: JupyterLab, the explorer's widgets and the test tools stay out of it."""
    build = _pins(LOCKS / "build.lock").keys()
    declared = _declared()
    extras = {canonicalize_name(r.name) for g in ("lab", "test", "dev") for r in declared[g]}
    core = {canonicalize_name(r.name) for r in declared["build"]}
    assert not LAB_ONLY & core
    assert not (extras - core) & build, "an extra's package is in build.lock"


def test_pre_commit_hooks_are_local_and_pinned_as_the_dev_lock() -> None:
    """Only the package registry is reachable: no hook may clone a repository, and each installs the
    version make check's mypy and ruff runs were locked to."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    dev = _pins(LOCKS / "dev.lock")
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {"ruff-check", "ruff-format", "nbstripout", "check-yaml"} <= {hook["id"] for hook in hooks}
    for hook in hooks:
        for dep in hook.get("additional_dependencies", []):
            req = Requirement(dep)
            assert str(req.specifier) == f"=={dev[canonicalize_name(req.name)]}", (
                f"hook {hook['id']} installs {dep}; requirements/dev.lock pins "
                f"{req.name}=={dev[canonicalize_name(req.name)]}"
            )


@pytest.mark.integration  # starts a process and compiles Typst, to see both noted
def test_a_process_or_a_typst_compile_is_noted_for_the_unit_test_rule() -> None:
    """`make test-fast` runs no process and no renderer: conftest notes each process a test starts and each Typst
    compile, and fails a unit test (one without the integration mark) that caused one."""
    import typst

    import conftest

    conftest._STARTED.clear()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    typst.compile(b"Hello")
    assert conftest._STARTED == [f"the process {Path(sys.executable).name}", "a Typst compile"]


@pytest.mark.integration  # its own test file starts processes
def test_a_unit_test_that_starts_a_process_fails_saying_which_mark_it_needs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule itself: pytest, run in this process on a test file of its own, with this conftest's two hooks."""
    import conftest

    monkeypatch.setitem(sys.modules, "goldenthread_unit_test_rule", conftest)
    pytester.makeconftest(
        "from goldenthread_unit_test_rule import pytest_runtest_call, pytest_runtest_setup  # noqa: F401\n"
        "def pytest_configure(config):\n"
        "    config.addinivalue_line('markers', 'integration: starts processes')\n"
    )
    pytester.makepyfile(
        "import subprocess, sys, pytest\n"
        "def test_unit():\n"
        "    subprocess.run([sys.executable, '-c', 'pass'])\n"
        "@pytest.mark.integration\n"
        "def test_marked():\n"
        "    subprocess.run([sys.executable, '-c', 'pass'])\n"
        "def test_quiet():\n"
        "    assert True\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:cov")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*this unit test started the process python*: mark it @pytest.mark.integration*"])


def test_a_shared_build_is_held_by_one_worker_at_a_time(tmp_path: Path) -> None:
    """The lock ``built_once`` takes shuts out any other holder (another xdist worker opens the file afresh)."""
    fcntl = pytest.importorskip("fcntl")
    from shared_builds import one_worker_at_a_time

    lock = tmp_path / "built-example.lock"
    with one_worker_at_a_time(lock) as shared, lock.open("a") as other:
        assert shared
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with lock.open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the build is done


@pytest.mark.integration  # runs pytest with two xdist workers, as processes
def test_a_shared_build_is_built_once_for_both_workers(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Two test files on two workers ask for the same build: it is built once, and both read it."""
    log = tmp_path / "log.txt"
    pytester.makeconftest(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "import os, pytest\nfrom shared_builds import built_once\n\n"
        "def build(out):\n"
        "    out.mkdir()\n"
        "    (out / 'report.html').write_text('<p>built</p>')\n"
        f"    with open({str(log)!r}, 'a') as f:\n"
        "        f.write('built\\n')\n\n"
        "@pytest.fixture(scope='session')\n"
        "def report(tmp_path_factory):\n"
        f"    with open({str(log)!r}, 'a') as f:\n"
        "        f.write('asked by ' + os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n"
        "    return built_once(tmp_path_factory, 'report', build)\n"
    )
    test = "def test_reads(report):\n    assert (report / 'report.html').read_text() == '<p>built</p>'\n"
    pytester.makepyfile(test_one=test, test_two=test)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    lines = log.read_text().splitlines()
    assert sorted(lines) == ["asked by gw0", "asked by gw1", "built"]
