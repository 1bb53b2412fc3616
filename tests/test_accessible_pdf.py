"""The PDF is accessible (issue 13, items 6 to 9): PDF/UA-1 with its identifier and the title shown, header
cells in every table, real headings for "Commentary" and "Actions", alt text on every figure (analysts' images
too), committee-paper type sizes, and the front sheet's risk rating and background papers, checked as given."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pydantic import ValidationError
from pypdf import PdfReader

from conftest import ROOT, signed_front_sheet
from goldenthread.documents.report import Report, build_report
from goldenthread.errors import DataError, ReportError
from goldenthread.inputs.config import FrontSheet
from goldenthread.output import render
from goldenthread.run.pipeline import read_parameters

PARAMETERS = ROOT / "parameters" / "2019-07.yaml"
LEFT_MARGIN = 1.8 / 2.54 * 72  # points, as goldenthread.typ sets the page


def example_report() -> Report:
    """The example quarter with the front sheet of parameters/2019-07.yaml (risk rating, background papers)."""
    params = yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))
    return build_report(ROOT / "data" / "example", "2019-07", front_sheet=signed_front_sheet(params["front_sheet"]))


def section_notebook(*bundles: dict[str, Any], markdown: str | None = None) -> nbformat.NotebookNode:
    """An executed notebook as the pipeline reads it back: one display output per section, and optionally an
    analyst's Markdown cell."""
    cells = [
        nbformat.v4.new_code_cell("report.section()", outputs=[nbformat.v4.new_output("display_data", data=b)])
        for b in bundles
    ]
    if markdown is not None:
        cells.append(nbformat.v4.new_markdown_cell(markdown))
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def report() -> Report:
    return example_report()


#: The tests that read the example's PDF are integration tests: it is compiled by Typst, once for the module.
INTEGRATION_FIXTURES = ("pdf",)


@pytest.fixture(scope="module")
def pdf(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report's PDF, built in-process from its sections (no kernel)."""
    folder = tmp_path_factory.mktemp("pdf")
    sections = [report.front_sheet(), report.indicator_summary(), report.areas(), report.appendix()]
    nb = section_notebook(*(s._repr_mimebundle_() for s in sections))
    render.export_pdf(nb, folder / "report.pdf", folder / "work")
    return folder / "report.pdf"


@pytest.fixture(scope="module")
def reader(pdf: Path) -> PdfReader:
    return PdfReader(pdf, strict=True)


def elements(reader: PdfReader) -> Iterator[dict[str, Any]]:
    """Every element of the structure tree, depth first."""
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue
        if "/S" in node:
            yield node
        kids = node.get("/K")
        for kid in reversed(kids if isinstance(kids, list) else [kids] if kids is not None else []):
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                stack.append(kid)


def descendants(node: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The elements of type ``kind`` under ``node``."""
    found, stack = [], [node]
    while stack:
        kids = stack.pop().get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            obj = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(obj, dict) and "/S" in obj:
                if obj["/S"] == kind:
                    found.append(obj)
                stack.append(obj)
    return found


def attributes(node: dict[str, Any]) -> dict[str, Any]:
    """A structure element's attributes (/A: one dictionary or a list of them), merged."""
    a = node.get("/A")
    merged: dict[str, Any] = {}
    for d in a if isinstance(a, list) else [a] if a is not None else []:
        merged.update(d.get_object() if hasattr(d, "get_object") else d)
    return merged


# --- item 7: PDF/UA-1 ---------------------------------------------------------------------------------


def test_the_pdf_declares_pdf_ua_1_and_shows_its_title(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject, not the bool True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp), "no PDF/UA-1 identifier"
    assert reader.metadata.title.startswith("Corporate Performance Report - End of July 2019")


def test_every_figure_has_alt_text(reader: PdfReader) -> None:
    figures = [e for e in elements(reader) if e["/S"] == "/Figure"]
    assert len(figures) >= 10  # the example's charts
    for figure in figures:
        assert str(figure.get("/Alt", "")).strip(), "a Figure without /Alt"


@pytest.mark.integration  # runs pdfinfo
def test_poppler_reads_the_structure_without_complaint(pdf: Path, reader: PdfReader) -> None:
    """``pdfinfo -struct`` printed "Attribute BorderColor value is of wrong type" and "Suspects object is wrong
    type": both entries are blanked, and the file is still sound (pypdf reads it strictly)."""
    data = pdf.read_bytes()
    assert b"/BorderColor[" not in data and b"/Suspects" not in data
    assert len(reader.pages) > 10
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    done = subprocess.run(["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True)
    assert "Table" in done.stdout
    assert not re.search(r"Warning|Error", done.stderr), done.stderr


def test_blanking_keeps_every_offset() -> None:
    pdf = b"1 0 obj\n<</Marked true/Suspects false>>\nendobj\n2 0 obj\n<</O/Layout/BorderColor[0.5 0.5 1]>>\nendobj\n"
    quiet = render.quiet_poppler(pdf)
    assert len(quiet) == len(pdf) and quiet.index(b"2 0 obj") == pdf.index(b"2 0 obj")
    assert b"Suspects" not in quiet and b"BorderColor" not in quiet and b"/O/Layout" in quiet


# --- item 6: tables and headings ----------------------------------------------------------------------


def test_every_table_has_header_cells_with_a_scope(reader: PdfReader) -> None:
    tables = [e for e in elements(reader) if e["/S"] == "/Table"]
    assert len(tables) >= 4  # seen by, informed, risk rating, indicators by status
    for table in tables:
        headers = descendants(table, "/TH")
        assert headers, "a Table without TH cells"
        assert all(attributes(th).get("/Scope") in ("/Column", "/Row", "/Both") for th in headers)


def test_label_value_pairs_are_labelled_lists_not_tables_without_headers(reader: PdfReader, report: Report) -> None:
    """The front sheet's details and each indicator's figures: L > LI > Lbl + LBody."""
    lists = [e for e in elements(reader) if e["/S"] == "/L"]
    labelled = [x for x in lists if descendants(x, "/Lbl") and descendants(x, "/LBody")]
    assert len(labelled) >= len(report.card) + 1


def test_commentary_and_actions_are_headings_kept_out_of_the_outline(reader: PdfReader, report: Report) -> None:
    headings = [e for e in elements(reader) if re.fullmatch(r"/H[1-6]", str(e["/S"]))]
    titled = [(str(e["/S"]), str(e.get("/T", ""))) for e in headings]
    commentary = report.card["commentary"].fillna("").str.strip().ne("").sum()
    actions = report.card["actions"].fillna("").str.strip().ne("").sum()
    assert titled.count(("/H5", "Commentary")) == commentary > 0
    assert titled.count(("/H5", "Actions")) == actions > 0
    assert ("/H2", "Summary") in titled and ("/H2", "Recommendations") in titled  # the front sheet's labels

    def outline_titles(items: list[Any]) -> list[str]:
        return [t for i in items for t in (outline_titles(i) if isinstance(i, list) else [i.title])]

    bookmarks = outline_titles(reader.outline)
    assert "Appendix A: Performance scorecard" in bookmarks and len(bookmarks) < 80
    assert "Commentary" not in bookmarks and "Actions" not in bookmarks and "Summary" not in bookmarks


def test_heading_levels_never_skip(reader: PdfReader) -> None:
    levels = [int(str(e["/S"])[2]) for e in elements(reader) if re.fullmatch(r"/H[1-6]", str(e["/S"]))]
    assert levels[0] == 1 and levels.count(1) == 1  # the front sheet's title; the layout adds none of its own
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


# --- item 8: reading size and layout ------------------------------------------------------------------


def text_runs(reader: PdfReader, page: int) -> list[tuple[str, float, float]]:
    """(text, font size in points, x) for each text run on a page."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((" ".join(text.split()), size * abs(tm[0]) * abs(cm[0]), cm[4] + tm[4]))

    reader.pages[page].extract_text(visitor_text=visit)
    return runs


def test_body_text_is_at_least_11_points_and_page_furniture_9(reader: PdfReader) -> None:
    runs = [r for p in range(len(reader.pages)) for r in text_runs(reader, p)]
    body = [size for text, size, _ in runs if text.startswith("This report consists of 38 performance")]
    assert body == [11.0]
    furniture = {size for text, size, _ in runs if text.startswith(("Example County Council", "Page "))}
    assert furniture and min(furniture) >= 9
    assert min(size for _, size, _ in runs) >= 9  # nothing smaller: meta lines 9.5 pt, badges 10 pt


def test_the_table_caption_sits_at_the_left_margin_like_everything_else(reader: PdfReader) -> None:
    runs = [r for p in range(len(reader.pages)) for r in text_runs(reader, p)]
    caption = [x for text, _, x in runs if text.startswith("Table 1")]
    assert caption and abs(caption[0] - LEFT_MARGIN) < 1


def test_the_last_page_never_holds_one_indicator_alone(reader: PdfReader) -> None:
    last = reader.pages[-1].extract_text()
    assert last.count("Owner:") >= 2


def test_charts_sit_beside_the_figures_at_their_drawn_width(report: Report) -> None:
    """The chart is placed at the width it is drawn for (9 cm, 340 CSS px), so its text prints at that size."""
    layout = (render.TEMPLATES / "typst" / "goldenthread.typ").read_text(encoding="utf-8")
    assert "#let gt-chart-width = 9cm" in layout and "#let gt-body-size = 11pt" in layout


# --- item 9: the risk rating and background papers ----------------------------------------------------


def test_risk_rating_and_background_papers_reach_html_and_pdf(report: Report, reader: PdfReader) -> None:
    html = report.front_sheet().html
    assert re.search(r"<th scope=\"col\">Likelihood</th>.*<td>2</td><td>3</td><td>6</td>", html, re.S)
    assert '<a href="https://www.example-county.gov.uk/business-plan">' in html
    assert "Corporate Risk Register (July 2019) – Available on request from the report author" in html
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages[:4]))
    assert "Risk Rating" in text and "Likelihood Impact Risk Score" in text
    assert "Council Business Plan 2019-2022" in text and "Background Papers" in text
    uris = {
        a.get_object()["/A"].get("/URI")
        for p in reader.pages[:4]
        for a in p.get("/Annots", [])
        if "/A" in a.get_object()
    }
    assert "https://www.example-county.gov.uk/business-plan" in uris


def test_risk_and_papers_are_left_off_when_not_given() -> None:
    section = build_report(ROOT / "data" / "example", "2019-07").front_sheet()
    assert "Risk Rating" not in section.html and "Background Papers" not in section.html
    assert "risk: none" in section.typst and "background_papers: ()" in section.typst


def test_text_of_a_background_paper_stays_text() -> None:
    paper = {"title": '<script>x</script> #set page(fill: red) "q"', "location": "Room <b>1</b> #link"}
    report = build_report(ROOT / "data" / "example", "2019-07", front_sheet={"background_papers": [paper]})
    section = report.front_sheet()
    assert "<script>" not in section.html and "&lt;script&gt;x&lt;/script&gt;" in section.html
    assert "Room &lt;b&gt;1&lt;/b&gt; #link" in section.html and "<a href" not in section.html
    assert '"<script>x</script> #set page(fill: red) \\"q\\""' in section.typst


@given(st.integers(min_value=-3, max_value=30), st.integers(min_value=-3, max_value=30))
def test_likelihood_and_impact_are_1_to_5_and_the_score_their_product(likelihood: int, impact: int) -> None:
    valid = 1 <= likelihood <= 5 and 1 <= impact <= 5
    try:
        risk = FrontSheet.model_validate({"risk": {"likelihood": likelihood, "impact": impact}}).risk
    except ValidationError as err:
        assert not valid
        assert "is not a rating: write a whole number from 1 to 5, or N/A" in str(err)
    else:
        assert valid and risk is not None and risk.score == likelihood * impact


@given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=5), st.integers(0, 26))
def test_a_score_that_contradicts_the_ratings_is_refused(likelihood: int, impact: int, score: int) -> None:
    given_risk = {"likelihood": likelihood, "impact": impact, "score": score}
    if score == likelihood * impact:
        assert FrontSheet.model_validate({"risk": given_risk}).risk is not None
    else:
        with pytest.raises(ValidationError, match="is not|needs"):
            FrontSheet.model_validate({"risk": given_risk})


@pytest.mark.parametrize(
    ("risk_or_papers", "message"),
    [
        ({"risk": {"likelihood": True, "impact": 2}}, "key 'front_sheet.risk.likelihood': is not a rating"),
        ({"risk": {"likelihood": 2.5, "impact": 2}}, "key 'front_sheet.risk.likelihood': is not a rating"),
        ({"risk": {"likelihood": "high", "impact": 2}}, "key 'front_sheet.risk.likelihood': is not a rating"),
        ({"risk": {"likelihood": 3, "impact": 4, "score": 13}}, "score 13 is not likelihood x impact (3 x 4 = 12)"),
        ({"risk": {"likelihood": "N/A", "impact": 4, "score": 8}}, "risk score 8 needs a likelihood and an impact"),
        ({"risk": {"impact": 4}}, "key 'front_sheet.risk.likelihood': required key is missing"),
        ({"background_papers": [{"location": "x"}]}, "front_sheet.background_papers.0.title': required key"),
        ({"background_papers": [{"title": "  "}]}, "background_papers.0.title': is blank"),
        ({"background_papers": [{"title": 2019}]}, "background_papers.0.title': is not text"),
        (
            {"background_papers": [{"title": "t", "location": "ftp://x.org/p"}]},
            "background_papers.0.location': is not a web address goldenthread links to",
        ),
        (
            {"background_papers": [{"title": "t", "location": 'https://x.org/a"onclick=1'}]},
            "background_papers.0.location': is not a web address goldenthread can link to",
        ),
    ],
)
def test_bad_risk_or_papers_are_refused_with_the_key_and_what_to_write(
    tmp_path: Path, risk_or_papers: dict[str, Any], message: str
) -> None:
    path = tmp_path / "2019-07.yaml"
    path.write_text(yaml.safe_dump({"period": "2019-07", "front_sheet": risk_or_papers}), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_parameters(path)
    assert message in caught.value.summary()


def test_n_a_ratings_give_an_n_a_score() -> None:
    risk = FrontSheet.model_validate({"risk": {"likelihood": "N/A", "impact": "n/a"}}).risk
    assert risk is not None and (risk.likelihood, risk.impact, risk.score) == ("N/A", "N/A", "N/A")


def test_the_example_parameters_give_a_risk_rating_and_papers() -> None:
    front = read_parameters(PARAMETERS).front_sheet
    assert front.risk is not None and front.risk.score == 6
    assert [p.link is not None for p in front.background_papers] == [True, True, False]


# --- analysts' images (the pandoc route) --------------------------------------------------------------


def png() -> str:
    """A small PNG, base64-encoded, as an HTML output embeds an image."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "#1d70b8").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


PIXEL = png()


@pytest.mark.integration  # compiles Typst, runs pandoc
def test_an_analysts_image_keeps_its_alt_text_in_the_pdf(tmp_path: Path) -> None:
    html = f'<p>Our chart <img src="data:image/png;base64,{PIXEL}" alt="Calls answered rose in July"></p>'
    nb = section_notebook({"text/html": html}, markdown="# Notes\n\nA note from the analyst.")
    render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")
    figures = [e for e in elements(PdfReader(tmp_path / "a.pdf")) if e["/S"] == "/Figure"]
    assert [str(f["/Alt"]) for f in figures] == ["Calls answered rose in July"]


@pytest.mark.integration  # runs pandoc
def test_an_analysts_image_without_alt_text_stops_the_pdf_with_what_to_do(tmp_path: Path) -> None:
    nb = section_notebook({"text/html": f'<p><img src="data:image/png;base64,{PIXEL}"></p>'})
    with pytest.raises(ReportError, match=r"has no alt text\. Describe what it shows: .*alt=\"description\" in HTML"):
        render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.integration  # compiles Typst, runs pandoc
def test_a_heading_that_skips_a_level_says_why_the_pdf_refuses_it(tmp_path: Path) -> None:
    nb = section_notebook(markdown="# Notes\n\n#### Too deep")
    with pytest.raises(ReportError, match=r"PDF/UA-1.*no heading may skip a level"):
        render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")


@pytest.mark.integration  # compiles Typst
def test_a_notebook_that_starts_with_a_section_gets_the_title_as_its_first_heading(
    report: Report, tmp_path: Path
) -> None:
    """PDF/UA-1 refuses a document whose first heading is not of level 1: an appendix on its own (or an analyst's
    notebook) gets the document's title as that heading, on the same page as the appendix."""
    nb = section_notebook(report.appendix(charts=False)._repr_mimebundle_())
    render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")
    reader = PdfReader(tmp_path / "a.pdf")
    headings = [(str(e["/S"]), str(e.get("/T", ""))) for e in elements(reader) if str(e["/S"]).startswith("/H")]
    assert headings[0] == ("/H1", report.heading) and headings[1] == ("/H2", "Appendix A: Performance scorecard")
    assert "Appendix A: Performance scorecard" in reader.pages[0].extract_text()


@pytest.mark.integration  # compiles Typst
def test_a_line_break_inside_a_paragraph_is_a_space_as_in_the_html(tmp_path: Path) -> None:
    front = {"summary": "The first line\nwraps here.\n\nA second paragraph."}
    section = build_report(ROOT / "data" / "example", "2019-07", front_sheet=front).front_sheet()
    render.export_pdf(section_notebook(section._repr_mimebundle_()), tmp_path / "f.pdf", tmp_path / "work")
    text = PdfReader(tmp_path / "f.pdf").pages[0].extract_text()
    assert "The first line wraps here." in text
