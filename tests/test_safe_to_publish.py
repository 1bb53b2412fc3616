"""Safe to publish: restricted data never leaks, hostile text is inert, failures keep the last good
report, and the same inputs give the same report."""

from __future__ import annotations

import errno
import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import ROOT, copy_example, run_cli, wait_until_executing
from goldenthread.errors import DataError, ReportError
from goldenthread.run.pipeline import clean_leftovers, read_parameters, run_report

pytestmark = pytest.mark.integration

MARKERS = ("ZQXLEAKTITLE", "ZQXLEAKDESC", "ZQXLEAKNOTE", "ZQXLEAKCOMMENT", "ZQXLEAKPUBLICROW")
HOSTILE = (
    "**Bold claim** <script>alert('x')</script> <img src=x onerror=alert(1)> "
    "[click me](javascript:alert(1)) [a real link](https://example.org/report)\n\n"
    "- first point\n- second point\n\n"
    "Gwasanaethau Cymdeithasol: ŵŷ âêîôû 🙂 العربية עברית " + "long text " * 400
)
WELSH, EMOJI, ARABIC = "Gwasanaethau Cymdeithasol", "🙂", "العربية"


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/example with secrets planted in restricted rows and hostile commentary on a public indicator."""
    folder = tmp_path_factory.mktemp("planted") / "example"
    copy_example(folder)
    ind = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    restricted = ind["classification"] == "restricted"
    first = ind.index[restricted][0]
    ind.loc[first, "title"] += " " + MARKERS[0]
    ind.loc[restricted, "description"] = MARKERS[1]
    public_measure = ind.index[(~restricted) & (ind["kind"] == "measure")][0]
    ind.loc[public_measure, "title"] = '=HYPERLINK("https://example.org") ' + ind.loc[public_measure, "title"]
    ind.to_csv(folder / "indicators.csv", index=False, lineterminator="\n")
    vals = pd.read_csv(folder / "values.csv", dtype=str, keep_default_na=False)
    vals.loc[vals["indicator"].isin(ind.loc[restricted, "id"]), "note"] = MARKERS[2]
    vals.to_csv(folder / "values.csv", index=False, lineterminator="\n")
    comm = pd.read_csv(folder / "commentary.csv", dtype=str, keep_default_na=False)
    comm.loc[comm["indicator"].isin(ind.loc[restricted, "id"]), "commentary"] = MARKERS[3]
    public_ids = list(ind.loc[~restricted, "id"])
    hostile_id, secret_id = public_ids[0], public_ids[1]
    comm = comm[~((comm["period"] == "2019-07") & comm["indicator"].isin([hostile_id, secret_id]))]
    extra = (
        pd.DataFrame(
            [
                {
                    "indicator": hostile_id,
                    "period": "2019-07",
                    "commentary": HOSTILE,
                    "highlight": "success",
                    "classification": "public",
                },
                {
                    "indicator": secret_id,
                    "period": "2019-07",
                    "commentary": MARKERS[4],
                    "highlight": "concern",
                    "classification": "restricted",
                },
            ]
        )
        .reindex(columns=comm.columns)
        .astype(object)
        .fillna("")
    )
    pd.concat([comm, extra]).to_csv(folder / "commentary.csv", index=False, lineterminator="\n")
    return folder


@pytest.fixture(scope="module")
def public_build(planted: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("public")
    result = run_cli(
        "report", "--period", "2019-07", "--data", str(planted), "--out", str(out), "--format", "html,pdf,csv"
    )
    assert result.returncode == 0, result.stderr
    return out


def test_restricted_content_is_in_no_public_output(public_build: Path) -> None:
    files = [p for p in public_build.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {
        "corporate_performance_report.html",
        "corporate_performance_report.pdf",
        "corporate_performance_report.ipynb",
        "manifest.json",
        "scorecard.csv",
    }
    for path in files:
        data = path.read_bytes()
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} leaked into {path.name}"
    text = " ".join(pdf_text(public_build / "2019-07" / "corporate_performance_report.pdf"))
    assert not any(marker in text for marker in MARKERS)
    assert "Internal" not in text.replace("Internal: ", "")  # no internal marking on a public report


def test_hostile_commentary_is_inert_in_html(public_build: Path) -> None:
    html = (public_build / "2019-07" / "corporate_performance_report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in html and "<img src=x" not in html
    assert "<strong>Bold claim</strong>" in html and "<li>first point</li>" in html
    assert '<a href="https://example.org/report" rel="noopener noreferrer">a real link</a>' in html
    for text in (WELSH, "ŵŷ", EMOJI, ARABIC, "עברית"):
        assert text in html


def test_awkward_text_renders_in_the_pdf(public_build: Path) -> None:
    text = " ".join(pdf_text(public_build / "2019-07" / "corporate_performance_report.pdf"))
    assert "Bold claim" in text and "alert(1)" in text  # shown as text, not run
    for part in (WELSH, "ŵŷ", EMOJI):
        assert part in text
    assert text.count("long text") >= 400  # very long commentary flows over pages, none lost


def test_scorecard_csv_cannot_run_formulas(public_build: Path) -> None:
    rows = pd.read_csv(
        public_build / "2019-07" / "scorecard.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    hostile = rows[rows["title"].str.contains("HYPERLINK")]
    assert len(hostile) == 1 and hostile.iloc[0]["title"].startswith("'=HYPERLINK")
    assert not rows.map(lambda v: v.startswith(("=", "+", "@"))).any().any()


def test_internal_report_includes_restricted_and_is_marked_on_every_page(planted: Path, tmp_path: Path) -> None:
    params = tmp_path / "internal.yaml"
    params.write_text(
        (ROOT / "parameters" / "2019-07.yaml").read_text().replace("audience: public", "audience: internal")
    )
    result = run_cli("report", "--params", str(params), "--data", str(planted), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "2019-07-internal"
    assert not (tmp_path / "out" / "2019-07").exists()  # never the public report's folder
    pages = pdf_text(folder / "corporate_performance_report.pdf")
    assert all("Internal - not for publication" in page for page in pages)
    assert MARKERS[0] in " ".join(pages)
    html = (folder / "corporate_performance_report.html").read_text(encoding="utf-8")
    assert "Internal - not for publication" in html and MARKERS[0] in html


# --- failures ------------------------------------------------------------------------------------


def previous_report(out: Path) -> dict[str, bytes]:
    """A stand-in 'last good report' in ``out/2019-07``; returns its files' bytes."""
    folder = out / "2019-07"
    folder.mkdir(parents=True)
    (folder / "corporate_performance_report.html").write_text("<p>last good report</p>")
    (folder / "manifest.json").write_text("{}")
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_killed_run_leaves_the_last_good_report_whole(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    before = previous_report(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "goldenthread.run.cli", "report", "--period", "2019-07", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_executing(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert snapshot(out / "2019-07") == before
    assert list(out.glob(".staging-*"))  # the killed run's half-built folder, beside the report
    clean_leftovers(out, "2019-07")
    assert not list(out.glob(".staging-*")) and snapshot(out / "2019-07") == before


def test_a_swap_cut_short_is_undone(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    before = previous_report(out)
    (out / "2019-07").rename(out / ".old-2019-07-4242")  # killed after moving the old report aside
    clean_leftovers(out, "2019-07")
    assert snapshot(out / "2019-07") == before


def test_a_run_that_fails_while_its_pdf_is_being_laid_out_stops_the_compiler(tmp_path: Path, monkeypatch) -> None:
    """The PDF's own process is started before the HTML is written; if the HTML fails, it is stopped, not left."""
    from goldenthread.output import render, typst_process
    from goldenthread.run import pipeline

    def fake_execute(notebook, output, parameters, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Report\n\nText.")]), output)

    def html_fails(nb, out):  # noqa: ANN001
        raise ReportError("the HTML could not be written")

    started: list[typst_process.Compiling] = []

    class Recorded(typst_process.Compiling):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(pipeline, "execute_notebook", fake_execute)
    monkeypatch.setattr(render, "export_html", html_fails)
    monkeypatch.setattr(typst_process, "Compiling", Recorded)
    out = tmp_path / "reports"
    before = previous_report(out)
    with pytest.raises(ReportError, match="the HTML could not be written"):
        run_report(
            ROOT / "parameters" / "2019-07.yaml",
            notebook=ROOT / "notebooks/corporate_performance_report.ipynb",
            out_root=out,
        )
    assert len(started) == 1 and started[0].process.returncode is not None  # stopped and waited for
    assert snapshot(out / "2019-07") == before


def test_full_disk_fails_clearly_and_keeps_the_last_good_report(tmp_path: Path, monkeypatch) -> None:
    from goldenthread.output import render
    from goldenthread.run import pipeline

    def fake_execute(notebook, output, parameters, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Report")]), output)

    def full_disk(nb, out, workdir, timestamp=None):  # noqa: ANN001
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(pipeline, "execute_notebook", fake_execute)
    monkeypatch.setattr(render, "start_pdf", full_disk)
    out = tmp_path / "reports"
    before = previous_report(out)
    with pytest.raises(
        ReportError,
        match=r"could not write the report: No space left on device .*"
        r"corporate_performance_report.pdf.*last good report .* is unchanged",
    ):
        run_report(
            ROOT / "parameters" / "2019-07.yaml",
            notebook=ROOT / "notebooks/corporate_performance_report.ipynb",
            out_root=out,
        )
    assert snapshot(out / "2019-07") == before
    assert not list(out.glob(".staging-*"))


def run_with_extra_cell(
    tmp_path: Path, cell_id: str, source: str, *options: str, position: int = 3
) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, bytes]]:
    """Run the report notebook with one cell added at ``position`` (cell 4 by default, after the setup
    cell), over a previous good report.

    Returns the CLI's result, the report folder and a snapshot of it taken before the run.
    """
    nb = nbformat.read(ROOT / "notebooks/corporate_performance_report.ipynb", as_version=4)
    nb.cells.insert(position, nbformat.v4.new_code_cell(source, id=cell_id))
    notebook = tmp_path / cell_id / "corporate_performance_report.ipynb"  # same name: same report folder
    notebook.parent.mkdir()
    nbformat.write(nb, notebook)
    out = tmp_path / "reports"
    before = previous_report(out)
    result = run_cli(
        "report",
        "--period",
        "2019-07",
        "--out",
        str(out),
        "--notebook",
        str(notebook),
        "--format",
        "html",
        *options,
        timeout=120,
    )
    return result, out / "2019-07", before


def test_a_hanging_cell_hits_the_timeout(tmp_path: Path) -> None:
    # The limit applies to every cell, so the hanging cell goes first, as cell 2 after the title: Papermill
    # injects the parameters after the notebook's parameters cell, which now follows it, so no other cell
    # runs before the hanging one and only it can reach the limit, however slow the machine.
    result, folder, before = run_with_extra_cell(
        tmp_path, "hang", "import time\ntime.sleep(600)", "--timeout", "2", position=1
    )
    assert result.returncode == 1
    assert "cell 2 (hang: 'import time') did not finish within 2 seconds" in result.stderr
    assert "raise --timeout" in result.stderr and "2019-07.failed" in result.stderr
    assert snapshot(folder) == before
    # The notebook as far as it ran is kept for debugging, the cell that was stopped marked as started.
    kept = nbformat.read(folder.parent / "2019-07.failed" / "corporate_performance_report.ipynb", as_version=4)
    hang = next(c for c in kept.cells if c.get("id") == "hang")
    assert hang.metadata["papermill"]["start_time"] and "the failed notebook is kept in" in result.stderr


def test_parameters_cannot_escape_the_output_folder_or_run_code(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text('period: "../../outside"\n')
    with pytest.raises(DataError, match="period"):
        read_parameters(evil)
    evil.write_text("period: !!python/object/apply:os.system ['echo owned > owned.txt']\n")
    with pytest.raises(DataError, match="not valid YAML"):
        read_parameters(evil)
    assert not (ROOT / "owned.txt").exists() and not (tmp_path / "owned.txt").exists()


# --- reproducible --------------------------------------------------------------------------------


def test_same_inputs_give_identical_html_and_pdf(example_report: Path, published_quarter: Path) -> None:
    # two builds of the same inputs by two runs of the command (the quarter's asked for Word as well)
    again = published_quarter / "reports" / "2019-07"
    for name in ("corporate_performance_report.html", "corporate_performance_report.pdf"):
        assert (again / name).read_bytes() == (example_report / name).read_bytes(), name


def test_verify_checks_a_report_against_its_manifest(example_report: Path, tmp_path: Path) -> None:
    ok = run_cli("verify", str(example_report))
    assert ok.returncode == 0 and "inputs and outputs match" in ok.stderr
    copy = tmp_path / "2019-07"
    shutil.copytree(example_report, copy)
    (copy / "corporate_performance_report.html").write_text("tampered")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["inputs"]["data/example/values.csv"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    bad = run_cli("verify", str(copy))
    assert bad.returncode == 1
    assert "input data/example/values.csv has changed" in bad.stderr
    assert "output corporate_performance_report.html has been changed" in bad.stderr
    assert "manifest.json" not in re.findall(r"output (\S+)", bad.stderr)


def test_a_dying_kernel_is_reported_clearly(tmp_path: Path) -> None:
    result, folder, before = run_with_extra_cell(tmp_path, "die", "import os\nos._exit(1)")
    assert result.returncode == 1
    assert "the notebook's kernel died while running cell 4 (die: 'import os')" in result.stderr
    assert snapshot(folder) == before
