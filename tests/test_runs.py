"""Runs and the command line (issue 11, part F): every CSV cell formula-safe, bad paths and options are
messages, manifests are read defensively, data is printed as text, the kernel's environment is checked,
a killed run's leftovers are matched exactly, the published notebook shows only what the report shows,
and verify finds what it should from anywhere."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import (
    ROOT,
    ended_or_stacks,
    indicator,
    monthly,
    start_cli,
    tidied_up,
    wait_until_executing,
    write_dataset,
)
from goldenthread.documents.report import build_report
from goldenthread.errors import DataError, ReportError
from goldenthread.inputs.load import load_dataset
from goldenthread.narrative.areas import candidates_as_commentary
from goldenthread.output.export import safe_frame, write_csv
from goldenthread.output.index import report_entries, write_index
from goldenthread.run import pipeline
from goldenthread.run.cli import app
from goldenthread.run.pipeline import RunResult, clean_leftovers, run_report, verify

PARAMS = ROOT / "parameters" / "2019-07.yaml"
NOTEBOOK = ROOT / "notebooks" / "corporate_performance_report.ipynb"
FORMULA = ("=", "+", "-", "@")
#: Text a spreadsheet would run, and Rich markup that would crash, vanish or turn into an emoji.
HOSTILE_TITLE = "Ratio of staff [/] agency [provisional] [b]bold :warning:"


def cli(*args: str) -> object:
    """The command in process (fast), wide enough that table cells are not folded."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A small data folder where every text a CSV carries starts like a formula, and titles hold markup."""
    inds = [
        indicator(id="=1+1", title=HOSTILE_TITLE, owner="-Head of Service", directorate="@Adults"),
        indicator(id="B2", title="@SUM(A1)", owner="+Owner", description='=HYPERLINK("x")'),
    ]
    vals = monthly("=1+1", "2018-04", [50, 55, 60, 65, 70, 75, 80, 85, 90, 91, 92, 93, 94, 95, 96, 97]) + monthly(
        "B2", "2018-04", [95, 90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 20]
    )
    comm = [
        {
            "indicator": "B2",
            "period": "2019-07",
            "commentary": "+44 calls a day",
            "actions": "=HYPERLINK(1)",
            "page_title": "-x",
            "override_reason": "@team",
        },
        {"indicator": "B2", "period": "2019-06", "commentary": "June's words stay"},
    ]
    return write_dataset(tmp_path / "hostile", inds, vals, commentary=comm)


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


# --- item 5: every cell of every CSV is formula-safe -----------------------------------------------


def test_safe_frame_covers_every_column_whatever_its_type() -> None:
    df = pd.DataFrame(
        {
            "object": pd.Series(["=1+1"], dtype=object),
            "string": pd.Series(["+1"], dtype="string"),
            "category": pd.Series(["@SUM(A1)"], dtype="category"),
            "number": [-5.0],
            "flag": [True],
        }
    )
    out = safe_frame(df)
    assert out.iloc[0].tolist() == ["'=1+1", "'+1", "'@SUM(A1)", -5.0, True]


def test_every_cell_of_the_scorecard_and_areas_csv_is_formula_safe(hostile: Path, tmp_path: Path) -> None:
    report = build_report(hostile, "2019-07")
    scorecard = tmp_path / "scorecard.csv"
    write_csv(report.scorecard_table(), scorecard)
    full = load_dataset(hostile)
    drafts = tmp_path / "draft.csv"
    write_csv(candidates_as_commentary(report.area_candidates(), "2019-07", full.commentary, full.indicators), drafts)
    for path in (scorecard, drafts):
        cells = [c for row in csv_cells(path)[1:] for c in row]
        assert not [c for c in cells if c.startswith(FORMULA)], path.name
    scorecard_rows = csv_cells(scorecard)
    assert ["'=1+1", HOSTILE_TITLE] == scorecard_rows[1][:2] and ["B2", "'@SUM(A1)"] == scorecard_rows[2][:2]
    assert {row[0] for row in csv_cells(drafts)[1:]} == {"'=1+1", "B2"}


def test_goldenthread_reads_its_own_areas_csv_back_unchanged(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.csv"
    result = cli("areas", "--params", str(PARAMS), "--data", str(hostile), "--csv", str(out))
    assert result.exit_code == 0, result.output
    before = load_dataset(hostile).commentary
    # Paste the month's rows back in place of July's, as the message tells the analyst to.
    kept = pd.read_csv(hostile / "commentary.csv", dtype=str, keep_default_na=False)
    kept = kept[kept["period"] != "2019-07"]
    pasted = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.concat([kept, pasted]).fillna("").to_csv(hostile / "commentary.csv", index=False, lineterminator="\n")
    after = load_dataset(hostile).commentary
    columns = ["indicator", "period", "commentary", "actions", "override_reason", "page_title", "highlight"]
    old = before[columns].sort_values(["indicator", "period"]).reset_index(drop=True)
    same = after[after.set_index(["indicator", "period"]).index.isin(old.set_index(["indicator", "period"]).index)]
    assert same[columns].sort_values(["indicator", "period"]).reset_index(drop=True).equals(old)
    assert set(after["indicator"]) == {"=1+1", "B2"}  # the new row's id is read back without the apostrophe
    assert after.loc[after["indicator"] == "=1+1", "draft"].iloc[0].startswith("This measure has seen")


# --- item 6: paths that cannot be written --------------------------------------------------------


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_out_naming_a_file_is_a_message_and_nothing_is_written(tmp_path: Path) -> None:
    afile = tmp_path / "reports.txt"
    afile.write_text("mine")
    for out, reason in (
        (afile, f"{afile} is a file, not a folder"),
        (afile / "sub", f"{afile / 'sub'} cannot be made: {afile} is a file, not a folder"),
    ):
        result = cli("report", "--params", str(PARAMS), "--out", str(out))
        assert result.exit_code == 2, result.output
        assert (
            f"--out: cannot hold the reports: {reason}. Give a folder you can write in (it is created if "
            "missing), for example --out reports"
        ) in " ".join(result.output.split())
    assert afile.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["reports.txt"]


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_an_out_folder_that_cannot_be_made_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "reports"
    real_mkdir = Path.mkdir

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        if self == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refused)
    with pytest.raises(DataError) as err:
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    assert str(err.value.problems[0]) == (
        f"--out: could not make {out}: Permission denied. Give a folder you can "
        "write in (it is created if missing), for example --out reports"
    )


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_staging_folder_that_cannot_be_made_fails_the_build_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(".staging-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(ReportError, match=r"could not write the report: Permission denied \(.*\.staging-2019-07-"):
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    assert list(out.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_out_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(DataError, match=r"--out: cannot hold the reports: .* is read-only for you"):
            run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    finally:
        out.chmod(stat.S_IRWXU)


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_report_folder_name_taken_by_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "2019-07").write_text("someone's notes")
    with pytest.raises(DataError, match=r"2019-07: is a file, not a report folder"):
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    assert (out / "2019-07").read_text() == "someone's notes" and len(list(out.iterdir())) == 1


def test_areas_csv_naming_a_folder_or_a_data_file_is_refused(hostile: Path, tmp_path: Path) -> None:
    comm = (hostile / "commentary.csv").read_bytes()
    for target, message in (
        (tmp_path, f"--csv: {tmp_path} is a folder, not a file. Give a file name such as draft.csv"),
        (
            hostile / "commentary.csv",
            f"--csv: {hostile / 'commentary.csv'} is one of the data "
            "files: the drafts would replace every other month's rows "
            "in it",
        ),
    ):
        result = cli("areas", "--params", str(PARAMS), "--data", str(hostile), "--csv", str(target))
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split())
    assert (hostile / "commentary.csv").read_bytes() == comm


# --- item 7: manifests read defensively ------------------------------------------------------------


def report_folder(out: Path, name: str, manifest: str, files: tuple[str, ...] = ("r.html",)) -> Path:
    folder = out / name
    folder.mkdir(parents=True)
    for f in files:
        (folder / f).write_text("x")
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    return folder


def test_the_index_survives_any_manifest(tmp_path: Path) -> None:
    good = {
        "period": "2019-07",
        "notebook": "notebooks/corporate_performance_report.ipynb",
        "title": "Good",
        "outputs": {"r.html": "0" * 64, "../../secret.html": "0" * 64},
    }
    report_folder(tmp_path, "2019-07", json.dumps(good))
    report_folder(tmp_path, "2019-06", json.dumps({**good, "period": "2019-06", "outputs": None}))
    report_folder(tmp_path, "2019-05", json.dumps({**good, "period": "2019-05", "outputs": ["r.html"]}))
    report_folder(tmp_path, "2019-04", json.dumps(good)[:40])  # truncated
    report_folder(tmp_path, "2019-03", "[" * 100_000 + "]" * 100_000)  # nested past the recursion limit
    report_folder(tmp_path, "2019-02", json.dumps([good]))
    report_folder(tmp_path, "javascript:alert(1)", json.dumps({**good, "period": "2019-01"}))
    entries = report_entries(tmp_path)
    assert [(e["period"], len(e["links"])) for e in entries] == [
        ("2019-07", 1),
        ("2019-06", 0),
        ("2019-05", 0),
        ("2019-01", 1),
    ]
    html = write_index(tmp_path).read_text(encoding="utf-8")
    assert 'href="javascript%3Aalert%281%29/r.html"' in html and "secret" not in html


def test_the_index_is_readable_like_every_other_report_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        mode = stat.S_IMODE(write_index(tmp_path).stat().st_mode)
    finally:
        os.umask(old)
    assert mode == 0o644


@pytest.mark.integration  # runs git for the manifest
def test_verify_reports_a_broken_manifest_instead_of_crashing(tmp_path: Path) -> None:
    folder = report_folder(tmp_path, "2019-07", '{"inputs": {"data/example/values.csv": "ab')
    result = cli("verify", str(folder))
    assert result.exit_code == 1
    assert "manifest.json: manifest.json is not valid JSON (Unterminated string" in " ".join(result.output.split())
    (folder / "manifest.json").write_text(json.dumps({"inputs": None, "outputs": {"r.html": 5}}))
    assert verify(folder)[:2] == [
        "manifest.json: 'inputs' is not a table of file names and SHA-256 digests, so they cannot be checked "
        "(the manifest has been edited: rebuild the report)",
        "manifest.json: 'outputs' is not a table of file names and SHA-256 digests, so they cannot be checked "
        "(the manifest has been edited: rebuild the report)",
    ]


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_report_folder_whose_manifest_cannot_be_read_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    report_folder(out, "2019-07", '{"organisation": "Another Coun')
    with pytest.raises(
        DataError,
        match=r"2019-07: holds a report whose manifest cannot be read \(manifest.json is "
        r"not valid JSON",
    ):
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    (out / "2019-07" / "manifest.json").write_text('["Another Council"]')
    with pytest.raises(DataError, match="holds a JSON list, not an object"):
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)


# --- item 9: data and paths are printed as text ------------------------------------------------------


def test_areas_prints_titles_with_brackets_and_colons_as_typed(hostile: Path) -> None:
    result = cli("areas", "--params", str(PARAMS), "--data", str(hostile))
    assert result.exit_code == 0, result.output
    assert f"=1+1 {HOSTILE_TITLE}" in result.output


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_paths_and_messages_with_markup_are_printed_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = tmp_path / "[/x] [b]"
    missing = cli("report", "--params", str(PARAMS), "--notebook", str(odd / "nb.ipynb"))
    assert missing.exit_code == 2 and f"Notebook not found: {odd / 'nb.ipynb'}" in missing.output
    unverified = cli("verify", str(odd))
    assert unverified.exit_code == 1 and f"{odd} does not match its manifest" in unverified.output

    def failing(*args: object, **kwargs: object) -> None:
        raise ReportError("cell 4 (x: 'title = \"[/] :warning:\"') raised KeyError: '[b]'")

    monkeypatch.setattr(pipeline, "run_report", failing)
    failed = cli("report", "--params", str(PARAMS))
    assert failed.exit_code == 1
    assert "Report failed: cell 4 (x: 'title = \"[/] :warning:\"') raised KeyError: '[b]'" in failed.output

    def built(*args: object, **kwargs: object) -> RunResult:
        return RunResult(odd, {"html": odd / "r.html"})

    monkeypatch.setattr(pipeline, "run_report", built)
    done = cli("report", "--params", str(PARAMS), "--out", str(odd))
    assert done.exit_code == 0 and f"{odd / 'r.html'}" in done.output and f"{odd / 'index.html'}" in done.output


# --- item 11: the kernel's environment ------------------------------------------------------------


@pytest.mark.parametrize("value", ["yesterday", "", "1e9", "-1", "99999999999999", "1564617600 "])
def test_a_malformed_source_date_epoch_is_refused_before_a_kernel_starts(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(DataError) as err:
        run_report(PARAMS, notebook=NOTEBOOK, out_root=tmp_path / "reports")
    assert str(err.value.problems[0]) == (
        f"SOURCE_DATE_EPOCH (environment variable): is not a whole number of seconds since 1 January 1970 "
        f"(found {value!r}). Unset it (unset SOURCE_DATE_EPOCH: the PDF is then dated the end of the report month) "
        "or set it to a number such as 1564617600"
    )
    assert not (tmp_path / "reports").exists()


def test_a_whole_number_source_date_epoch_is_accepted() -> None:
    from goldenthread.run.pipeline import check_environment

    check_environment({"SOURCE_DATE_EPOCH": "1564617600"})
    check_environment({})


def test_a_kernel_that_does_not_start_is_a_report_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel

    for failure, said in (
        (
            RuntimeError("Kernel didn't respond in 60 seconds"),
            "the notebook's kernel did not start (Kernel didn't respond in 60 seconds)",
        ),
        (NoSuchKernel("python3"), "no Jupyter kernel called 'python3' is installed"),
    ):

        def fail(*args: object, failure: Exception = failure, **kwargs: object) -> None:
            raise failure

        monkeypatch.setattr(papermill, "execute_notebook", fail)
        with pytest.raises(ReportError, match=said.replace("(", r"\(").replace(")", r"\)")):
            pipeline.execute_notebook(NOTEBOOK, tmp_path / "out.ipynb", {}, ROOT, 10, False)


# --- item 12: a killed run's leftovers are matched exactly ----------------------------------------------


def test_a_killed_internal_run_is_never_put_back_as_the_public_report(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    internal = out / ".old-2019-07-internal-4242"  # set aside by an internal run killed mid-swap
    internal.mkdir(parents=True)
    (internal / "corporate_performance_report.html").write_text("RESTRICTED")
    staging = out / ".staging-2019-07-internal-999999999"  # a dead internal run's half-built folder
    staging.mkdir()
    clean_leftovers(out, "2019-07")  # a public run starting
    assert not (out / "2019-07").exists()
    assert internal.is_dir() and staging.is_dir()
    clean_leftovers(out, "2019-07-internal")  # the next internal run puts its own report back
    assert (out / "2019-07-internal" / "corporate_performance_report.html").read_text() == "RESTRICTED"
    assert sorted(p.name for p in out.iterdir()) == ["2019-07-internal"]


def test_only_leftovers_with_a_process_number_are_tidied(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    for name in (".old-2019-07-draft", ".staging-2019-07-backup", "2019-07"):
        (out / name).mkdir(parents=True)
    (out / ".old-2019-07-4242").mkdir()
    clean_leftovers(out, "2019-07")
    assert sorted(p.name for p in out.iterdir()) == [".old-2019-07-draft", ".staging-2019-07-backup", "2019-07"]


# --- weak answers: empty reports and formats --------------------------------------------------------


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_period_before_any_figure_is_refused(tmp_path: Path) -> None:
    params = tmp_path / "2010-01.yaml"
    params.write_text(PARAMS.read_text(encoding="utf-8").replace('period: "2019-07"', 'period: "2010-01"'))
    with pytest.raises(DataError) as err:
        run_report(params, notebook=NOTEBOOK, out_root=tmp_path / "out", data=str(ROOT / "data/example"))
    values = (ROOT / "data/example/values.csv").read_text(encoding="utf-8").splitlines()
    first = min(row["period"] for row in csv.DictReader(values))
    assert str(err.value.problems[0]) == (
        f"2010-01.yaml, key 'period': no indicator has a figure at or before 2010-01; the data starts in {first} "
        "(found '2010-01'). Check the period: a report is for a month the data covers"
    )
    areas = cli("areas", "--params", str(params), "--data", str(ROOT / "data/example"))
    assert areas.exit_code == 2 and "no indicator has a figure at or before 2010-01" in areas.output
    assert not (tmp_path / "out").exists()


def test_an_empty_format_list_is_refused(tmp_path: Path) -> None:
    result = cli("report", "--params", str(PARAMS), "--format", ",", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--format: names no format, so there would be no report to write" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


# --- probes: arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--period", "../../etc"), "--period: is not a month (found '../../etc')"),
        (("--params", "parameters"), "--params: names a folder, not a parameters file"),
        (("--period", "2019-07", "--timeout", "0"), "Invalid value for '--timeout'"),
        (("--period", "2019-07", "--workers", "0"), "Invalid value for '--workers'"),
        pytest.param(  # the run has started its kernel by then
            ("--period", "2019-07", "--notebook", str(ROOT / "README.md")),
            "README.md: is not a notebook that can be run",
            marks=pytest.mark.integration,
        ),
        pytest.param(
            ("--period", "2019-07", "--out", "/tmp/" + "a" * 300), "File name too long", marks=pytest.mark.integration
        ),
    ],
)
def test_bad_arguments_are_messages_with_exit_2(args: tuple[str, ...], said: str) -> None:
    result = cli("report", *args)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split())
    assert "Traceback" not in result.output


# --- weak answers: the published notebook, verify -----------------------------------------------------


def test_the_published_notebook_drops_analyst_views_printed_output_and_paths() -> None:
    from goldenthread.run.pipeline import published_notebook

    cell = nbformat.v4.new_code_cell
    out = nbformat.v4.new_output
    nb = nbformat.v4.new_notebook(
        cells=[
            cell(
                "report.area_candidates()",
                metadata={"tags": ["analyst-only"]},
                outputs=[out("execute_result", {"text/plain": "ASC-03 excluded: draft wording"})],
            ),
            cell(
                "report.areas()",
                outputs=[
                    out("stream", name="stderr", text="/home/analyst/.venv/warnings.py: x"),
                    out("display_data", {"text/html": "<p>Areas</p>"}),
                ],
            ),
        ],
        metadata={
            "papermill": {
                "input_path": "/home/analyst/project/notebooks/cpr.ipynb",
                "output_path": "/home/analyst/project/reports/.staging-2019-07-1/cpr.ipynb",
            }
        },
    )
    published = published_notebook(nb, "notebooks/cpr.ipynb")
    assert published.cells[0].outputs == [] and published.cells[0].source == "report.area_candidates()"
    assert [o.output_type for o in published.cells[1].outputs] == ["display_data"]
    assert published.metadata.papermill == {"input_path": "notebooks/cpr.ipynb", "output_path": "cpr.ipynb"}
    assert len(nb.cells[0].outputs) == 1  # the executed notebook itself is left alone


@pytest.mark.integration
def test_the_built_notebook_carries_only_what_the_report_shows(example_report: Path) -> None:
    path = example_report / "corporate_performance_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    analyst = [c for c in nb.cells if "analyst-only" in c.metadata.get("tags", [])]
    assert analyst and all(not c.get("outputs") for c in analyst)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type in ("stream", "error")]
    text = path.read_text(encoding="utf-8")
    assert str(ROOT) not in text and 'data = \\"data/example\\"' in text
    assert "area_candidates()" in text  # the code stays, to re-run
    manifest = json.loads((example_report / "manifest.json").read_text())
    assert manifest["outputs"]["corporate_performance_report.ipynb"] == pipeline.sha256(path)


@pytest.mark.integration
def test_verify_works_from_any_folder_and_lists_files_the_manifest_does_not_know(
    example_report: Path, tmp_path: Path
) -> None:
    elsewhere = subprocess.run(
        [sys.executable, "-m", "goldenthread.run.cli", "verify", str(example_report)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert elsewhere.returncode == 0, elsewhere.stderr
    copy = tmp_path / "2019-07"
    shutil.copytree(example_report, copy)
    (copy / "evil.html").write_text("<script>alert(1)</script>")
    (copy / "sub").mkdir()
    (copy / "sub" / "x.js").write_text("")
    assert [p for p in verify(copy) if "not in its manifest" in p] == [
        "evil.html is in the report folder but not in its manifest: it was not built with the report (remove it, "
        "or rebuild the report)",
        "sub/x.js is in the report folder but not in its manifest: it was not built with the report (remove it, "
        "or rebuild the report)",
    ]


# --- probe: Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.integration
def test_ctrl_c_keeps_the_last_good_report_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    (out / "2019-07").mkdir(parents=True)
    (out / "2019-07" / "manifest.json").write_text("{}")
    (out / "2019-07" / "corporate_performance_report.html").write_text("<p>last good report</p>")
    proc = start_cli("report", "--period", "2019-07", "--out", str(out))
    wait_until_executing(out, proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the command's process group (the kernel has its own)
    stderr = ended_or_stacks(proc)
    assert proc.returncode == 130, stderr
    assert (out / "2019-07" / "corporate_performance_report.html").read_text() == "<p>last good report</p>"
    assert [p.name for p in out.iterdir() if not p.name.startswith(".staging-")] == ["2019-07"]
    if tidied_up(stderr):
        assert (
            "Interrupted - no report was left half-built; every report already in place (the last good one "
            "included) is unchanged."
        ) in stderr
        assert "Traceback" not in stderr
        assert sorted(p.name for p in out.iterdir()) == ["2019-07"]


@pytest.mark.integration
def test_ctrl_c_during_all_starts_no_further_directorate_plan(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    proc = start_cli(
        "report",
        "--notebook",
        "directorate_plan",
        "--all",
        "--period",
        "2019-07",
        "--out",
        str(out),
        "--format",
        "html",
        "--workers",
        "1",
    )
    wait_until_executing(out, proc)
    os.kill(proc.pid, signal.SIGINT)  # to the command alone: it passes the stop on to its workers
    stderr = ended_or_stacks(proc)
    assert proc.returncode == 130, stderr
    built = [p.name for p in out.iterdir() if p.name != "index.html"]
    assert not [name for name in built if not name.startswith(".staging-")]  # nothing built
    if tidied_up(stderr):
        assert "Traceback" not in stderr
        assert not built  # nothing half-built either


@pytest.mark.integration
def test_the_notebook_client_of_an_early_kernel_starts_no_heartbeat_thread() -> None:
    """Papermill's client of a kernel started early asks its manager whether the kernel lives: no heartbeat
    thread, which a Ctrl-C's tidying up could catch still making its socket (a traceback on the terminal)."""
    import threading

    from jupyter_client.channels import HBChannel
    from jupyter_core.utils import run_sync

    from goldenthread.run.kernel import WarmKernel

    kernel = WarmKernel.start(ROOT, NOTEBOOK)
    assert kernel is not None
    try:
        manager = kernel.take()
        client = manager.client()  # as nbclient makes it, and starts every channel it has
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)
        assert run_sync(client.is_alive)()
        assert not [t for t in threading.enumerate() if isinstance(t, HBChannel)]
        assert client.shell_channel.is_alive() and client.iopub_channel.is_alive()
    finally:
        kernel.stop()
    assert not manager.has_kernel and manager.clients == []


@pytest.mark.integration
def test_the_early_kernel_reads_the_data_ahead_for_the_notebooks_own_load() -> None:
    """The run asks the kernel to load the data as the notebook names it (``data/example``, from the project
    folder); the notebook's load then takes that dataset instead of reading the files again."""
    from jupyter_client.blocking import BlockingKernelClient

    from goldenthread.run.kernel import WarmKernel

    kernel = WarmKernel.start(ROOT, NOTEBOOK)
    assert kernel is not None
    try:
        kernel.read_ahead("data/example")
        manager = kernel.take()  # ready once the read-ahead is done too
        assert manager is not None
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels()
        printed: list[str] = []

        def run(code: str) -> None:
            def keep(message: dict) -> None:
                if message["msg_type"] == "stream":
                    printed.append(message["content"]["text"])

            reply = client.execute_interactive(code, timeout=60, output_hook=keep)
            assert reply["content"]["status"] == "ok", reply["content"]

        run("from goldenthread.inputs import load; print(sorted(load._read_ahead))")
        run("from goldenthread.documents.report import build_report\nr = build_report(data='data/example')")
        run("print(len(load._read_ahead), len(r.dataset.indicators))")
        client.stop_channels()
    finally:
        kernel.stop()
    assert printed[0].strip() == repr([("data/example", str(ROOT))])  # waiting, under the notebook's own key
    assert printed[1].split() == ["0", "38"]  # taken by the notebook's load: 38 public indicators


def test_a_cell_a_ctrl_c_left_running_ends_later_without_a_traceback() -> None:
    """After Ctrl-C, the cell nbclient was running stays on jupyter_core's loop; stopping the kernel runs the loop
    again and the cell ends in DeadKernelError, which asyncio printed ("Task exception was never retrieved")."""
    import asyncio
    import gc

    from jupyter_core.utils import ensure_event_loop

    from goldenthread.run.notebook import cancel_what_papermill_left_running

    loop = ensure_event_loop()
    printed: list[str] = []
    loop.set_exception_handler(lambda _loop, context: printed.append(context["message"]))

    async def cell() -> None:
        try:
            await asyncio.sleep(3600)  # waiting for the kernel's reply
        except asyncio.CancelledError:
            raise RuntimeError("Kernel died") from None  # what nbclient makes of a cancelled wait

    try:
        task = loop.create_task(cell())
        loop.run_until_complete(asyncio.sleep(0))  # under way when the Ctrl-C comes
        cancel_what_papermill_left_running()
        loop.run_until_complete(asyncio.sleep(0.01))  # the next call on the loop: stopping the kernel
        assert task.done() and not task.cancelled()
        del task
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert printed == []


# --- issue 12: one settings object, a log per run, a kernel started early ---------------------------------


def test_run_settings_keep_the_formats_in_order_and_name_the_subject(tmp_path: Path) -> None:
    from goldenthread.run.settings import RunSettings, split_formats

    settings = RunSettings(PARAMS, NOTEBOOK, tmp_path, formats=split_formats("pdf, html,,pdf"), extra={"x": None})
    assert settings.formats == ("pdf", "html") and settings.extra == {} and settings.subject is None
    eci = settings.about({"directorate": "eci"})
    assert eci.subject == "eci" and eci.formats == settings.formats and settings.subject is None


def test_the_kernel_is_warmed_with_the_modules_the_notebook_imports() -> None:
    from goldenthread.run.kernel import imported_modules

    assert "goldenthread.documents.report" in imported_modules(NOTEBOOK)
    assert imported_modules(ROOT / "notebooks" / "no-such.ipynb") == []


def test_a_successful_build_logs_its_stages_beside_the_manifest(example_report: Path) -> None:
    log = (example_report / "run.log").read_text(encoding="utf-8").splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING) ", line) for line in log), log
    said = [line.split(" ", 3)[3].strip() for line in log]
    for stage in (
        "Checking data in data/example",
        "Running corporate_performance_report.ipynb for 2019-07 (public)",
        "Writing HTML",
        "Writing PDF",
        f"Moving the report into {example_report}",
    ):
        assert stage in said, stage
    assert any(s.startswith("Timings (seconds): validate ") for s in said)
    manifest = json.loads((example_report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["log"] == "run.log" and "run.log" not in manifest["outputs"]
    assert not [p for p in verify(example_report) if "run.log" in p]


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_verbose_shows_the_debug_lines_and_plain_runs_do_not(tmp_path: Path) -> None:
    # a month before the data starts: refused after the settings are logged, quickly, with nothing written
    params = tmp_path / "2010-01.yaml"
    params.write_text(PARAMS.read_text(encoding="utf-8").replace('period: "2019-07"', 'period: "2010-01"'))
    assert 'period: "2010-01"' in params.read_text(encoding="utf-8")
    args = ("report", "--params", str(params), "--data", str(ROOT / "data" / "example"), "--out", str(tmp_path / "o"))
    verbose = cli(*args, "--verbose")
    assert verbose.exit_code == 2, verbose.output
    assert "debug: Run settings: RunSettings(" in verbose.output
    assert "debug: Asked the kernel to read data/example ahead" in verbose.output  # as the notebook names it
    plain = cli(*args)
    assert plain.exit_code == 2 and "debug:" not in plain.output
    assert not (tmp_path / "o").exists()


@pytest.mark.integration  # starts goldenthread or a worker as a process, runs git for the manifest
def test_a_failed_run_keeps_its_log_and_notebook_in_the_failed_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_cell(notebook, output, parameters, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), output)
        raise ReportError("cell 1 (x: '1 / 0') raised ZeroDivisionError: division by zero")

    monkeypatch.setattr(pipeline, "execute_notebook", failing_cell)
    out = tmp_path / "reports"
    (out / "2019-07").mkdir(parents=True)
    (out / "2019-07" / "corporate_performance_report.html").write_text("last good report")
    with pytest.raises(ReportError) as err:
        run_report(PARAMS, notebook=NOTEBOOK, out_root=out)
    failed = out / "2019-07.failed"
    assert str(err.value) == (
        "corporate_performance_report.ipynb: cell 1 (x: '1 / 0') raised ZeroDivisionError: division by zero; "
        f"the failed notebook is kept in {failed / 'corporate_performance_report.ipynb'}; "
        f"the last good report in {out / '2019-07'} is unchanged"
    )
    assert sorted(p.name for p in failed.iterdir()) == ["corporate_performance_report.ipynb", "run.log"]
    log = (failed / "run.log").read_text(encoding="utf-8")
    assert "INFO    Running corporate_performance_report.ipynb" in log
    assert "ERROR   Report failed: corporate_performance_report.ipynb: cell 1" in log
    assert [p.name for p in (out / "2019-07").iterdir()] == ["corporate_performance_report.html"]
    assert sorted(p.name for p in out.iterdir()) == ["2019-07", "2019-07.failed"]


def test_quarto_has_one_home_for_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.run.checks import check_run_arguments
    from goldenthread.run.quarto import quarto_path

    monkeypatch.setenv("PATH", str(tmp_path))
    for check in (quarto_path, lambda: check_run_arguments(("html",), "quarto", tmp_path / "out")):
        with pytest.raises(ReportError, match=r"Quarto is not installed \(no 'quarto' on PATH\)"):
            check()


def test_the_run_log_names_no_folder_of_this_machine(tmp_path: Path) -> None:
    """run.log is published with the report: the project folder is written "." and the home folder "~"."""
    import logging

    from goldenthread.run.logging_config import capture_run_log

    project = tmp_path / "council project"
    project.mkdir()
    with capture_run_log(project) as run_log:
        logging.getLogger("goldenthread.run.test").info("Reading %s and %s", project / "data" / "x.csv", Path.home())
    text = run_log.write(tmp_path / "run.log").read_text(encoding="utf-8")
    assert "Reading ./data/x.csv and ~" in text, text
    assert str(project) not in text and str(Path.home()) not in text
