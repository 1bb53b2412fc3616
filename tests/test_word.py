"""The Word document (``--format docx``, issue 13 items 10 and 11), read back with python-docx.

Each document (the Corporate Performance Report of both example councils, the business plan and a
directorate plan) is built in-process from its sections, as the notebook displays them, and written
as Word: its headings are Word headings in the page's order, its tables Word tables whose header
rows repeat, its pictures carry their alt text, every page carries the classification and its number,
and the file says its title and language. Text from the data stays text; the council's own reference
document is used and checked; a failing Word step keeps the last good report. Tests that run the
whole pipeline are marked ``integration``.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import nbformat
import pytest
import yaml
from docx.oxml.ns import qn

from conftest import ROOT, copy_example, indicator, monthly, run_cli, write_dataset
from goldenthread.errors import DataError, ReportError
from goldenthread.inputs.load import load_dataset
from goldenthread.output import word
from goldenthread.output.word import HEADING_STYLES, LANGUAGE, REFERENCE_DOCX, export_docx
from goldenthread.output.word_reference import make_reference_docx

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
PERIOD_END = 1564617600  # 2019-08-01T00:00:00Z

# Word output is pandoc run as a process, so these tests are left to `make test` (not `make test-fast`).
pytestmark = pytest.mark.integration


# --- building documents in-process ------------------------------------------------------------


def notebook_of(sections: list[Any], markdown: list[str] = ()) -> nbformat.NotebookNode:  # type: ignore[assignment]
    """A notebook as the kernel leaves it: one display output per section (and Markdown cells first)."""
    cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    cells += [
        nbformat.v4.new_code_cell(
            "section", outputs=[nbformat.v4.new_output("display_data", data=s._repr_mimebundle_())]
        )
        for s in sections
    ]
    return nbformat.v4.new_notebook(cells=cells)


def report_sections() -> list[Any]:
    from goldenthread.documents.report import build_report

    r = build_report("data/example", "2019-07")
    return [
        r.front_sheet(),
        r.indicator_summary(),
        r.variation_summary(),
        r.benchmarking_summary(),
        r.areas(),
        r.appendix(),
    ]


def hollowmere_sections() -> list[Any]:
    from goldenthread.documents.report import build_report

    r = build_report("data/hollowmere", "2025-03")
    return [
        r.front_sheet(),
        r.indicator_summary(),
        r.variation_summary(),
        r.benchmarking_summary(),
        r.areas(),
        r.appendix(),
    ]


def business_plan_sections() -> list[Any]:
    from goldenthread.documents.business_plan import build_business_plan

    p = build_business_plan("data/example", "2019-07")
    return [p.cover(), p.plan(), p.coverage()]


def directorate_plan_sections() -> list[Any]:
    from goldenthread.documents.directorate_plan import build_directorate_plan

    p = build_directorate_plan("data/example", "eci", "2019-07")
    return [p.cover(), p.priorities(), p.delivery(), p.indicator_summary(), p.scorecard()]


DOCUMENTS: dict[str, Callable[[], list[Any]]] = {
    "report": report_sections,
    "hollowmere report": hollowmere_sections,
    "business plan": business_plan_sections,
    "directorate plan": directorate_plan_sections,
}


class Built:
    """One document written as Word, with the HTML it was made from."""

    def __init__(self, sections: list[Any], out: Path) -> None:
        self.html = "\n".join(s.html for s in sections)
        self.meta = sections[0].document
        self.nb = notebook_of(sections)
        self.path = out
        export_docx(self.nb, out, timestamp=PERIOD_END)
        self.doc = docx.Document(str(out))


@pytest.fixture(scope="module", params=list(DOCUMENTS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("word")
    return Built(DOCUMENTS[request.param](), folder / "document.docx")


class Table:
    """One table of the page: its caption (and whether the page hides it), header row, row labels."""

    def __init__(self) -> None:
        self.caption, self.hidden, self.has_head = "", False, False
        self.labels: list[str] = []  # the row headers (<th scope="row">) of a table without a header row


class Html(HTMLParser):
    """The parts of section HTML the Word file must keep: headings, tables, images."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.tables: list[Table] = []
        self.alts: list[str] = []
        self.sources: list[str] = []
        self._text: list[str] | None = None  # the text of the heading, caption or row header being read
        self._in: tuple[str, int] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) or tag == "caption" or (tag == "th" and a.get("scope") == "row"):
            self._text, self._in = [], (tag, len(self.tables))
            if tag == "caption":
                self.tables[-1].hidden = "gt-visually-hidden" in (a.get("class") or "")
        elif tag == "table":
            self.tables.append(Table())
        elif tag == "thead":
            self.tables[-1].has_head = True
        elif tag == "img":
            self.alts.append(a.get("alt") or "")
            self.sources.append(a.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._in is None or self._text is None or tag != self._in[0]:
            return
        text = " ".join("".join(self._text).split())
        if tag == "caption":
            self.tables[-1].caption = text
        elif tag == "th":
            self.tables[-1].labels.append(text)
        else:
            self.headings.append((int(tag[1]), text))
        self._text = self._in = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def all_text(document: Any) -> str:
    """Every piece of text in the body (tables included), as Word stores it."""
    return "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


# --- structure ---------------------------------------------------------------------------------


def test_headings_are_word_headings_in_the_pages_order(built: Built) -> None:
    page = Html(built.html)
    headings = [
        (int(p.style.name.split()[-1]), " ".join(p.text.split()))
        for p in built.doc.paragraphs
        if p.style.name.startswith("Heading ")
    ]
    assert headings == page.headings
    assert headings[0][0] == 1 and all(b[0] - a[0] <= 1 for a, b in zip(headings, headings[1:]))  # none skipped
    body = {p.style.name for p in built.doc.paragraphs}
    assert "Title" not in body  # the report's own heading is its first Heading 1, not a made-up title


def _is_header(row: Any) -> bool:
    return row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


def _text(element: Any) -> str:
    return " ".join("".join(t.text or "" for t in element.iter(qn("w:t"))).split())


def _bold(element: Any) -> bool:
    """Whether every run of text is bold (a run that holds only a picture, such as a header's icon, has no text
    to be bold)."""
    runs = [run for run in element.iter(qn("w:r")) if run.find(qn("w:t")) is not None]
    return bool(runs) and all(run.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None for run in runs)


def test_every_table_has_a_bold_header_row_that_repeats_on_every_page(built: Built) -> None:
    tables = list(built.doc.element.body.iter(qn("w:tbl")))
    assert tables
    for table in tables:
        rows = table.findall(qn("w:tr"))
        assert _is_header(rows[0]) and not any(_is_header(r) for r in rows[1:])  # repeats at each page top
        assert _bold(rows[0])
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)  # never split


def test_tables_of_labels_become_a_header_row_or_terms(built: Built) -> None:
    """Word tables have no row-header cells: an indicator's figures ("Latest", "Target"...) are one row
    of values under a header row of those labels; other label/value tables a list of terms."""
    page = Html(built.html)
    header_rows = {
        t.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}").get(qn("w:val")): [
            _text(c) for c in t.find(qn("w:tr")).findall(qn("w:tc"))
        ]
        for t in built.doc.element.body.iter(qn("w:tbl"))
    }
    terms = [p.text for p in built.doc.paragraphs if p.style.name == "Definition Term"]
    for table in page.tables:
        if table.has_head:
            assert table.caption in header_rows
        elif table.caption in header_rows:
            assert header_rows[table.caption] == table.labels
            assert one_row(table.caption)  # an indicator's figures, or its benchmarking figures
        else:
            at = terms.index(table.labels[0])
            assert terms[at : at + len(table.labels)] == table.labels
    assert len(header_rows) == sum(1 for t in page.tables if t.has_head or one_row(t.caption))


def one_row(caption: str) -> bool:
    """Whether a table is an indicator's own figures (its scorecard, or how it compares with a group), which Word
    shows as one row of values under a header row of the labels."""
    return "latest figure, target, status" in caption or re.search(r"\): compared with .+, ", caption) is not None


def test_each_table_is_titled_by_its_caption_printed_where_the_page_shows_it(built: Built) -> None:
    page = Html(built.html)
    assert all(table.caption for table in page.tables)  # every table on the page has a caption
    captions = {table.caption for table in page.tables}
    titles = [t.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}") for t in built.doc.element.body.iter(qn("w:tbl"))]
    assert all(title is not None and title.get(qn("w:val")) in captions for title in titles)
    paragraphs = {" ".join(p.text.split()) for p in built.doc.paragraphs}
    for table in page.tables:
        assert (table.caption in paragraphs) is not table.hidden, table.caption


def test_tables_stay_apart(built: Built) -> None:
    """Word joins two tables with nothing between them into one (the report's two sign-off tables)."""
    for table in built.doc.element.body.iter(qn("w:tbl")):
        after = table.getnext()
        assert after is None or after.tag != qn("w:tbl")


def test_every_picture_is_a_png_with_its_charts_alt_text(built: Built) -> None:
    page = Html(built.html)
    pictures = list(built.doc.element.body.iter(f"{WP}inline"))
    assert [p.find(f"{WP}docPr").get("descr") for p in pictures] == page.alts
    assert all(alt.strip() for alt in page.alts)
    for picture in pictures:
        assert [c.get("descr") for c in picture.iter(f"{PIC}cNvPr")] == [picture.find(f"{WP}docPr").get("descr")]
    media = [n for n in zipfile.ZipFile(built.path).namelist() if n.startswith("word/media/")]
    # Word keeps each distinct picture once (an icon shown beside many indicators is one file)
    assert len(media) == len(set(page.sources)) and all(n.endswith(".png") for n in media)


def _field_codes(part: Any) -> list[str]:
    return [" ".join((i.text or "").split()) for i in part._element.iter(qn("w:instrText"))]


def test_every_page_carries_the_classification_and_its_number(built: Built) -> None:
    classification = built.meta["classification"]
    for section in built.doc.sections:
        assert [p.text for p in section.header.paragraphs] == [classification]
        footer = [p.text for p in section.footer.paragraphs]
        assert footer[0] == classification and footer[1].startswith("Page ")
        assert _field_codes(section.footer) == ["PAGE", "NUMPAGES"]


def test_the_file_says_its_title_language_and_organisation(built: Built) -> None:
    props = built.doc.core_properties
    assert props.title == built.meta["title"] and props.title
    assert props.language == LANGUAGE == "en-GB"
    assert props.author == built.meta["organisation"]
    assert props.created.year == 2019 and props.created.month == 8
    styles = zipfile.ZipFile(built.path).read("word/styles.xml").decode("utf-8")
    assert re.search(r'<w:lang [^>]*w:val="en-GB"', styles)  # Word's spelling and a screen reader's voice


def test_the_same_notebook_gives_the_same_bytes(built: Built, tmp_path: Path) -> None:
    export_docx(built.nb, tmp_path / "again.docx", timestamp=PERIOD_END)
    assert (tmp_path / "again.docx").read_bytes() == built.path.read_bytes()


def test_internal_reports_are_marked_internal_on_every_page(tmp_path: Path) -> None:
    from goldenthread.documents.report import build_report

    report = build_report("data/example", "2019-07", audience="internal")
    export_docx(notebook_of([report.front_sheet()]), tmp_path / "internal.docx")
    document = docx.Document(str(tmp_path / "internal.docx"))
    assert [p.text for p in document.sections[0].header.paragraphs] == ["Internal - not for publication"]
    assert document.sections[0].footer.paragraphs[0].text == "Internal - not for publication"


# --- text from the data stays text ------------------------------------------------------------


HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror=alert(1)> #read("/etc/passwd") {{7*7}} '
    "${x}$ ]]> --> \"' $x$ @ref <label> AT&T \\ end [link](javascript:alert(1)) <w:p/>"
)


def test_text_from_the_data_reaches_word_as_typed(tmp_path: Path) -> None:
    from goldenthread.documents.report import build_report

    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", title=f"ZQtitle {HOSTILE}")],
        monthly("A1", "2019-04", [91, 92, 93]),
        commentary=[{"indicator": "A1", "period": "2019-06", "commentary": f"ZQc {HOSTILE}", "highlight": "success"}],
    )
    report = build_report(folder, "2019-06", title=f"ZQreport {HOSTILE}")
    nb = notebook_of([report.front_sheet(), report.areas(), report.appendix(charts=False)])
    export_docx(nb, tmp_path / "hostile.docx")
    document = docx.Document(str(tmp_path / "hostile.docx"))
    text = all_text(document)
    squeezed = " ".join(text.split())
    for code in ("ZQtitle", "ZQreport"):
        assert f"{code} {HOSTILE}" in squeezed, code
    assert "ZQc <script>alert(1)</script>" in squeezed and '#read("/etc/passwd")' in squeezed
    assert not list(document.element.body.iter(f"{WP}inline"))  # no picture from "x"
    rels = zipfile.ZipFile(tmp_path / "hostile.docx").read("word/_rels/document.xml.rels").decode("utf-8")
    assert "javascript:" not in rels and "/etc/passwd" not in rels
    assert document.core_properties.title.startswith(f"ZQreport {HOSTILE}"[:40])


def test_analyst_cells_are_shown_and_nothing_is_fetched(tmp_path: Path) -> None:
    """A Markdown cell, a table and a plot an analyst adds appear in Word as in the HTML; an image an
    output links to (a URL, a file on this machine) is not fetched: pandoc runs sandboxed, offline."""
    import base64

    from goldenthread.output.images import chart_png

    png = chart_png(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>'
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("## An analyst's note\n\nWith **bold** text.\n\n![](/etc/passwd)"),
            nbformat.v4.new_code_cell(
                "plot",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={"image/png": base64.b64encode(png).decode("ascii"), "text/plain": "<Figure>"},
                        metadata={"image/png": {"alt": "A plot of the figures"}},
                    ),
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "text/html": "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody>"
                            '</table><img src="https://example.com/x.png" alt="remote"><img src="file:///etc/hosts">',
                            "text/plain": "table",
                        },
                    ),
                ],
            ),
            nbformat.v4.new_code_cell(
                "hidden",
                metadata={"tags": ["analyst-only"]},
                outputs=[nbformat.v4.new_output("display_data", data={"text/plain": "ZQ analyst only"})],
            ),
        ]
    )
    export_docx(nb, tmp_path / "analyst.docx")
    document = docx.Document(str(tmp_path / "analyst.docx"))
    assert [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")] == [
        ("Heading 2", "An analyst's note")
    ]
    assert "ZQ analyst only" not in all_text(document)
    assert len(document.tables) == 1 and _is_header(document.tables[0]._tbl.findall(qn("w:tr"))[0])
    alts = [p.find(f"{WP}docPr").get("descr") for p in document.element.body.iter(f"{WP}inline")]
    assert alts == ["A plot of the figures"]
    media = [n for n in zipfile.ZipFile(tmp_path / "analyst.docx").namelist() if n.startswith("word/media/")]
    assert len(media) == 1


# --- the reference document -------------------------------------------------------------------


def test_the_shipped_reference_document_is_what_its_maker_makes(tmp_path: Path) -> None:
    made = make_reference_docx(tmp_path / "reference.docx")
    assert made.read_bytes() == REFERENCE_DOCX.read_bytes(), (
        "templates/docx/reference.docx is not what goldenthread.output.word_reference makes: "
        "run `make reference-docx` and commit the file"
    )


def test_the_house_style_is_a4_arial_and_nothing_under_11_pt() -> None:
    document = docx.Document(str(REFERENCE_DOCX))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    names = {s.name for s in document.styles}
    assert set(HEADING_STYLES) <= names and set(word.USED_STYLES) <= names
    for name in word.USED_STYLES:
        style = document.styles[name]
        if name in ("Hyperlink", "Status", "Table"):
            continue
        size = style.font.size or document.styles["Normal"].font.size
        assert size is not None and size.pt >= 11, name
        assert style.font.name in ("Arial", None), name
    assert document.styles["Normal"].font.name == "Arial"
    assert document.styles["Heading 1"].font.color.rgb != document.styles["Hyperlink"].font.color.rgb


def _reference_with(tmp_path: Path, change: Callable[[Any], None]) -> Path:
    document = docx.Document(str(REFERENCE_DOCX))
    change(document)
    path = tmp_path / "council.docx"
    document.save(str(path))
    return path


def test_a_councils_reference_document_gives_the_word_file_its_styles(tmp_path: Path) -> None:
    from docx.shared import Pt

    def house_style(document: Any) -> None:
        document.styles["Heading 1"].font.size = Pt(30)

    reference = _reference_with(tmp_path, house_style)
    from goldenthread.documents.report import build_report

    nb = notebook_of([build_report("data/example", "2019-07").front_sheet()])
    export_docx(nb, tmp_path / "council-style.docx", reference=reference)
    document = docx.Document(str(tmp_path / "council-style.docx"))
    assert document.styles["Heading 1"].font.size == Pt(30)
    assert document.paragraphs[1].style.name == "Heading 1" or any(
        p.style.name == "Heading 1" for p in document.paragraphs
    )


def _council(tmp_path: Path, setting: str | None) -> Path:
    data = tmp_path / "data"
    copy_example(data)
    org = yaml.safe_load((data / "organisation.yaml").read_text(encoding="utf-8"))
    org["report_defaults"]["reference_docx"] = setting
    (data / "organisation.yaml").write_text(yaml.safe_dump(org), encoding="utf-8")
    return data


def test_report_defaults_reference_docx_is_found_beside_the_data(tmp_path: Path) -> None:
    from goldenthread.run.pipeline import reference_docx

    data = _council(tmp_path, "style/council.docx")
    (data / "style").mkdir()
    shutil.copy(REFERENCE_DOCX, data / "style" / "council.docx")
    assert reference_docx(data, load_dataset(data)) == data / "style" / "council.docx"
    assert reference_docx(_council(tmp_path / "b", None), load_dataset(tmp_path / "b" / "data")) is None


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda folder: None, "does not exist"),
        (lambda folder: (folder / "council.docx").mkdir(), "is a folder"),
        (lambda folder: (folder / "council.docx").write_text("not a document"), "is not a Word document (.docx)"),
        (
            lambda folder: (
                docx.Document().save(str(folder / "council.docx")) or _strip_headings(folder / "council.docx")
            ),
            "has no Heading 4, Heading 5 style",
        ),
    ],
)
def test_an_unusable_reference_document_is_refused_with_a_clear_message(
    tmp_path: Path, make: Callable[[Path], None], said: str
) -> None:
    from goldenthread.run.pipeline import reference_docx

    data = _council(tmp_path, "council.docx")
    make(data)
    with pytest.raises(DataError) as refused:
        reference_docx(data, load_dataset(data))
    message = str(refused.value)
    assert "organisation.yaml" in message and "report_defaults.reference_docx" in message
    assert said in message and "'council.docx'" in message and "docs/word.md" in message


def _strip_headings(path: Path) -> None:
    """A Word file whose styles stop at Heading 3 (as a template saved from Word can be)."""
    document = docx.Document(str(path))
    for name in ("Heading 4", "Heading 5"):
        element = document.styles[name].element
        element.getparent().remove(element)
    document.save(str(path))


def test_an_unusable_reference_document_fails_the_word_step_not_silently(tmp_path: Path) -> None:
    (tmp_path / "broken.docx").write_bytes(b"PK not really")
    with pytest.raises(ReportError, match=r"the Word document could not be made: .*not a Word document"):
        export_docx(notebook_of([]), tmp_path / "out.docx", reference=tmp_path / "broken.docx")
    assert not (tmp_path / "out.docx").exists()


def test_the_zip_is_dated_so_the_bytes_do_not_depend_on_the_clock() -> None:
    dates = {i.date_time for i in zipfile.ZipFile(io.BytesIO(REFERENCE_DOCX.read_bytes())).infolist()}
    assert dates == {(1980, 1, 1, 0, 0, 0)}


# --- the run ------------------------------------------------------------------------------------


@pytest.mark.integration
def test_a_failing_word_step_keeps_the_last_good_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.run import pipeline

    def fake_execute(notebook, output, parameters, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Report")]), output)

    def failing(nb, out, reference=None, timestamp=None):  # noqa: ANN001
        out.write_bytes(b"half a document")
        raise ReportError("the Word document could not be made: pandoc failed")

    monkeypatch.setattr(pipeline, "execute_notebook", fake_execute)
    monkeypatch.setattr(word, "export_docx", failing)
    out = tmp_path / "reports"
    folder = out / "2019-07"
    folder.mkdir(parents=True)
    (folder / "corporate_performance_report.html").write_text("<p>last good report</p>")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(ReportError, match=r"pandoc failed; the last good report in .* is unchanged"):
        pipeline.run_report(
            ROOT / "parameters" / "2019-07.yaml",
            notebook=ROOT / "notebooks/corporate_performance_report.ipynb",
            out_root=out,
            formats=("html", "docx"),
        )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not list(out.glob(".staging-*"))


@pytest.mark.integration
def test_word_is_built_listed_verified_and_linked(published_quarter: Path) -> None:
    import json

    out = published_quarter / "reports"  # conftest's QUARTER, built with --format html,pdf,docx
    folder = out / "2019-07"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "corporate_performance_report.docx" in manifest["outputs"]
    assert "docx" in manifest["timings_seconds"]
    assert run_cli("verify", str(folder)).returncode == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2019-07/corporate_performance_report.docx"' in index and "Word document" in index
    document = docx.Document(str(folder / "corporate_performance_report.docx"))
    assert document.core_properties.title == manifest["title"]


@pytest.mark.integration
def test_a_bad_reference_document_is_exit_2_before_anything_is_written(tmp_path: Path) -> None:
    data = _council(tmp_path, "missing.docx")
    out = tmp_path / "reports"
    result = run_cli("report", "--period", "2019-07", "--data", str(data), "--out", str(out), "--format", "docx")
    assert result.returncode == 2, result.stderr
    assert "report_defaults.reference_docx" in result.stderr + result.stdout
    assert not (out / "2019-07").exists()


@pytest.mark.integration
def test_hostile_data_reaches_word_as_typed_in_all_three_documents(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The planted data of tests/test_hostile_text.py (every free-text field a council fills in),
    built as Word (the same build as that file's, made once for both): every field each document shows reads
    as typed."""
    from test_hostile_text import DOCUMENTS as SHOWN
    from test_hostile_text import PAYLOAD, hostile_build

    out = hostile_build(tmp_path_factory) / "out"
    for document, (folder, fields) in SHOWN.items():
        text = " ".join(all_text(docx.Document(str(out / folder / f"{document}.docx"))).split())
        for code in fields:
            assert " ".join(f"ZQ{code} {PAYLOAD}".split()) in text, f"{code} is not shown as typed in {document}.docx"
        assert "\u202e" not in text


def test_an_analysts_svg_plot_reaches_word_as_it_reaches_the_pdf(tmp_path: Path) -> None:
    """An output that displays only SVG (a goldenthread chart shown in a cell) is a picture with its alt text
    in Word too, as in the PDF (:func:`goldenthread.output.render.output_image` serves both)."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>'
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "chart",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={"image/svg+xml": svg, "text/plain": "Rates by month"},
                        metadata={"image/svg+xml": {"alt": "Rates by month, 2018 to 2019"}},
                    )
                ],
            )
        ]
    )
    export_docx(nb, tmp_path / "svg.docx")
    document = docx.Document(str(tmp_path / "svg.docx"))
    alts = [p.find(f"{WP}docPr").get("descr") for p in document.element.body.iter(f"{WP}inline")]
    assert alts == ["Rates by month, 2018 to 2019"]
    assert "Rates by month" not in all_text(document)  # the picture, not its plain-text stand-in
    media = [n for n in zipfile.ZipFile(tmp_path / "svg.docx").namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0].endswith(".png")
