"""The whole pipeline as a performance manager runs it: one command, HTML and PDF out.

Runs the real CLI in a subprocess (kernel, Papermill, nbconvert, Typst), so it is the slowest
module in the suite; the report is built once and shared by the checks.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, ROOT, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(example_report: Path) -> Path:
    return example_report


@pytest.fixture(scope="module")
def html(built: Path) -> str:
    return (built / "corporate_performance_report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / "indicators.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def highlights() -> pd.DataFrame:
    comm = pd.read_csv(EXAMPLE / "commentary.csv", dtype=str, keep_default_na=False)
    return comm[(comm["period"] == "2019-07") & comm["highlight"].isin(["success", "concern"])]


def text_of(html: str) -> str:
    """Visible text, roughly: tags dropped and entities for apostrophes and ampersands decoded."""
    import html as h

    return re.sub(r"\s+", " ", h.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_all_outputs_written(built: Path) -> None:
    names = {p.name for p in built.iterdir()}
    assert names == {
        "corporate_performance_report.ipynb",
        "corporate_performance_report.html",
        "corporate_performance_report.pdf",
        "manifest.json",
        "run.log",
    }


def test_html_front_sheet_and_summary(html: str) -> None:
    text = text_of(html)
    assert "Corporate Performance Report - End of July 2019 (Q1+1 2019/20)" in text
    for label in (
        "Cabinet Member(s)",
        "Lead Officer",
        "Report Author",
        "Seen by",
        "Forward Plan Reference",
        "Recommendations",
        "Financial Implications",
        "Legal Implications",
    ):
        assert label in text
    assert "Priya Shah, Director - Corporate Affairs" in text
    assert (
        "This report consists of 38 performance indicators for 2019/20: 22 continued from 2018/19 and 16 new "
        "this year." in text
    )
    assert "4 indicators do not yet have sufficient information" in text


def test_html_lists_the_new_indicators(html: str, indicators: pd.DataFrame) -> None:
    text = text_of(html)
    new = indicators[(indicators["first_reported"] >= "2019-04") & (indicators["classification"] == "public")]
    assert len(new) == 16
    for title in new["title"]:
        assert title in text


def test_html_areas_of_success_and_concern(html: str, highlights: pd.DataFrame, indicators: pd.DataFrame) -> None:
    areas = text_of(html.split('id="gt-areas-h"')[1].split('id="gt-appendix-h"')[0])
    success, concern = areas.split("2.3 Areas of concern")
    titles = indicators.set_index("id")["title"]
    for r in highlights.itertuples():
        headline = r.page_title or titles[r.indicator]
        assert headline in (success if r.highlight == "success" else concern)
    assert "consistent improvement for 8 months, from 81.73% in December to 94.41% in July" in success
    assert "67.9%" in success and "highest it has ever been" in success
    assert "2.53% in June and 2.96% in July" in concern


def test_html_has_every_public_indicator_and_no_restricted_one(html: str, indicators: pd.DataFrame) -> None:
    text = text_of(html)
    for r in indicators.itertuples():
        if r.classification == "restricted":
            assert r.title not in text and f'id="ind-{r.id}"' not in html
        else:
            assert f'id="ind-{r.id}"' in html and r.title in text


def test_html_is_offline_and_shows_no_code(html: str) -> None:
    # nothing that a browser would fetch: scripts, stylesheets, images, CSS url() or JS import()
    assert not re.search(r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert not re.search(r'(url|import)\(\s*["\']?(https?:)?//', html)
    assert "<script" not in html  # the report page needs no JavaScript at all
    assert "build_report" not in html and "injected-parameters" not in html
    assert 'lang="en-GB"' in html
    assert "@media print" in html
    assert "No description has been provided" not in html  # every chart has real alt text


def test_pdf_has_pages_text_and_bookmarks(built: Path, highlights: pd.DataFrame) -> None:
    reader = PdfReader(built / "corporate_performance_report.pdf")
    assert len(reader.pages) >= 8
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Corporate Performance Report - End of July 2019 (Q1+1 2019/20)" in text
    assert "This report consists of 38 performance indicators" in text
    assert "Delayed Transfers Of Care (DToC)" in text
    assert "Appendix A, page" in text
    assert "Internal:" not in text
    assert len(reader.outline) > 0
    assert reader.metadata.title.startswith("Corporate Performance Report")


def test_manifest_records_inputs_outputs_and_versions(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["period"] == "2019-07" and manifest["audience"] == "public"
    values = ROOT / "data/example/values.csv"
    assert manifest["inputs"]["data/example/values.csv"] == hashlib.sha256(values.read_bytes()).hexdigest()
    assert "parameters/2019-07.yaml" in manifest["inputs"]
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest
    pdf = built / "corporate_performance_report.pdf"
    assert manifest["pdf_pages"] == {pdf.name: len(PdfReader(pdf).pages)}  # what the list of reports shows
    assert {"pandas", "papermill", "typst"} <= set(manifest["versions"])
    assert manifest["git"]["commit"] and "dirty" in manifest["git"]
    assert manifest["timings_seconds"]["total"] > 0


def test_failing_cell_keeps_last_good_report(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    shutil.copytree(built, out / "2019-07")
    before = {p.name: p.read_bytes() for p in (out / "2019-07").iterdir()}
    nb = nbformat.read(ROOT / "notebooks/corporate_performance_report.ipynb", as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('figures did not add up')", id="boom"))
    broken = tmp_path / "broken" / "corporate_performance_report.ipynb"  # same name: same report folder
    broken.parent.mkdir()
    nbformat.write(nb, broken)
    result = run_cli("report", "--period", "2019-07", "--out", str(out), "--notebook", str(broken), "--format", "html")
    assert result.returncode == 1
    assert "cell 5 (boom" in result.stderr and "RuntimeError: figures did not add up" in result.stderr
    assert (out / "2019-07.failed" / "corporate_performance_report.ipynb").is_file()
    assert {p.name: p.read_bytes() for p in (out / "2019-07").iterdir()} == before
    assert not list(out.glob(".staging-*"))


def test_bad_data_exits_2_and_writes_nothing(tmp_path: Path, example_copy: Path) -> None:
    (example_copy / "values.csv").write_text(
        (example_copy / "values.csv").read_text().replace("94.41", "94.41%", 1), encoding="utf-8"
    )
    out = tmp_path / "reports"
    result = run_cli("report", "--period", "2019-07", "--out", str(out), "--data", str(example_copy))
    assert result.returncode == 2
    assert "values.csv, row" in result.stderr and "'94.41%'" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_quarto_renderer_says_it_is_not_installed(tmp_path: Path) -> None:
    if shutil.which("quarto"):
        pytest.skip("Quarto is installed here")
    result = run_cli("report", "--period", "2019-07", "--out", str(tmp_path), "--renderer", "quarto")
    assert result.returncode == 1
    assert "Quarto is not installed" in result.stderr


def test_html_has_the_variation_and_benchmarking_sections(html: str) -> None:
    headings = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html)
    titles = [text_of(t).strip() for _, t in headings]
    at = titles.index("1. Summary")
    assert titles[at + 1 : at + 3] == ["1.1 Variation and assurance", "1.2 How we compare with similar councils"]
    assert titles.index("2. Areas for consideration") > at + 2
    text = text_of(html)
    assert "How to read this table" in text and "Benchmarked measures compared with Nearest neighbours" in text
    appendix = text_of(html.split('id="gt-appendix-h"')[1])
    assert "Special cause" in appendix and "Variation indicates" in appendix  # icons' words beside them
    assert "Compared with Nearest neighbours" in appendix and "Forecast for March 2020:" in appendix
    assert 'alt="Statistical process control (XmR) chart of' in html


def test_pdf_has_the_variation_and_benchmarking_sections(built: Path) -> None:
    reader = PdfReader(built / "corporate_performance_report.pdf")
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for words in (
        "1.1 Variation and assurance",
        "1.2 How we compare with similar councils",
        "Compared with Nearest neighbours",
        "Forecast for March 2020:",
        "Variation: Special cause",
    ):
        assert words in text, words

    def titles(items: list) -> list[str]:
        return [t for item in items for t in (titles(item) if isinstance(item, list) else [item.title])]

    assert "1.1 Variation and assurance" in titles(reader.outline)  # a bookmark
