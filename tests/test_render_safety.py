"""What reaches the reader (issue 11): anchors one to one, page furniture escaped, controls dropped
by the writers themselves, and a PDF that cannot be laid out reported like a failing cell."""

from __future__ import annotations

import copy
import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import typst
import yaml
from bs4 import BeautifulSoup
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup as SafeHTML
from nbconvert import HTMLExporter

from conftest import ROOT, indicator, monthly, run_cli, write_dataset
from goldenthread.documents.report import _env, anchor, build_report
from goldenthread.errors import ReportError
from goldenthread.output import TEMPLATES, TYPST_MIME, render
from goldenthread.output import typst_markup as ty

# --- anchors (issue 11, defect 3) ----------------------------------------------------------------


def unanchor(text: str) -> str:
    """The id an anchor was made from: read back, to show that no two ids can share one."""
    assert text.startswith("ind-")
    body, raw, i = text[4:], bytearray(), 0
    while i < len(body):
        if body[i] == "_":
            raw.append(int(body[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(body[i].encode("ascii"))
            i += 1
    return raw.decode("utf-8")


@given(st.text(min_size=1, max_size=30))
@example("ASC.01")
@example("ASC 01")
@example("ASC_01")
@example("A_2e01")
@example("Ünits/£")
def test_an_anchor_is_one_to_one_and_valid_as_html_id_and_typst_label(indicator_id: str) -> None:
    a = anchor(indicator_id)
    assert unanchor(a) == indicator_id  # so distinct ids always give distinct anchors
    assert re.fullmatch(r"ind-[A-Za-z0-9_-]+", a)  # an HTML id, a Typst <label>, a file name on any system


@pytest.mark.parametrize(
    ("one", "other"),
    [("ASC-01", "ASC.01"), ("ASC-01", "ASC 01"), ("ASC-01", "ASC_01"), ("A_2e01", "A.01"), ("ASC/01", "ASC\\01")],
)
def test_ids_that_look_alike_get_different_anchors(one: str, other: str) -> None:
    assert anchor(one) != anchor(other)


def test_anchors_of_plain_ids_are_unchanged() -> None:
    """Links into reports already published (``#ind-ASC-01``) still work."""
    assert anchor("ASC-01") == "ind-ASC-01" and anchor("hr01") == "ind-hr01"


@pytest.mark.integration  # compiles Typst
def test_anchors_are_typst_labels() -> None:
    ids = ["ASC-01", "ASC.01", "ASC 01", "Ünits/£", "🙂"]
    body = "".join(f'#heading("h") <{anchor(i)}>\n#link(<{anchor(i)}>)[x]\n' for i in ids)
    assert typst.compile(body.encode())[:4] == b"%PDF"


@pytest.mark.integration
def test_asc_01_and_asc_dot_01_each_keep_their_own_entry_chart_and_link(tmp_path: Path) -> None:
    """Both became ``ind-ASC-01``: the PDF died ("label occurs multiple times") and the HTML showed one chart twice."""
    folder = write_dataset(
        tmp_path / "data",
        [
            indicator(id="ASC-01", title="Dash indicator"),
            indicator(id="ASC.01", title="Dot indicator", outcome="O2", priority="O2.1"),
        ],
        monthly("ASC-01", "2019-01", [50, 60, 70, 80, 95, 96]) + monthly("ASC.01", "2019-01", [99, 90, 80, 70, 60, 50]),
        commentary=[
            {"indicator": "ASC-01", "period": "2019-06", "commentary": "Dash up.", "highlight": "success"},
            {"indicator": "ASC.01", "period": "2019-06", "commentary": "Dot down.", "highlight": "concern"},
        ],
    )
    params = tmp_path / "2019-06.yaml"
    params.write_text(yaml.safe_dump({"data": str(folder), "period": "2019-06", "audience": "public"}))
    result = run_cli("report", "--params", str(params), "--out", str(tmp_path / "out"), "--format", "html,pdf")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "2019-06" / "corporate_performance_report.html").read_text(encoding="utf-8")
    articles = _articles(html)
    assert set(articles) == {anchor("ASC-01"), anchor("ASC.01")}
    dash, dot = articles[anchor("ASC-01")], articles[anchor("ASC.01")]
    assert "Dash indicator" in dash["text"] and "Dot indicator" in dot["text"]
    assert dash["img"] != dot["img"]  # each its own chart
    assert "Dash indicator" in dash["alt"] and "Dot indicator" in dot["alt"]
    links = re.findall(r'href="#(ind-[^"]+)"', html)
    assert sorted(links) == sorted([anchor("ASC-01"), anchor("ASC.01")])
    from pypdf import PdfReader

    text = " ".join(
        p.extract_text() for p in PdfReader(tmp_path / "out" / "2019-06" / "corporate_performance_report.pdf").pages
    )
    assert "Dash indicator" in text and "Dot indicator" in text


def _articles(html: str) -> dict[str, dict[str, str]]:
    """Each appendix entry by its id: its text, and its chart's bytes and alt text."""

    class Articles(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: dict[str, dict[str, str]] = {}
            self.current: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "article":
                self.current = a.get("id") or ""
                self.found[self.current] = {"text": "", "img": "", "alt": ""}
            elif tag == "img" and self.current:
                self.found[self.current].update(img=a.get("src") or "", alt=a.get("alt") or "")

        def handle_endtag(self, tag: str) -> None:
            if tag == "article":
                self.current = None

        def handle_data(self, data: str) -> None:
            if self.current:
                self.found[self.current]["text"] += data

    parser = Articles()
    parser.feed(html)
    return parser.found


# --- the page around the sections (issue 11, defect 1) ----------------------------------------------


def notebook(document: dict[str, str], typst_source: str = "", html: str = "<p>Body</p>") -> nbformat.NotebookNode:
    """An executed report notebook with one section output, as the pipeline reads it back."""
    output = nbformat.v4.new_output(
        "display_data", data={"text/html": html, TYPST_MIME: {"typst": typst_source, "files": {}, "document": document}}
    )
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("report.appendix()", outputs=[output])])


HOSTILE_META = {
    "title": "Q1 <script>alert(1)</script> \u202e%05 revo",
    "organisation": "X <img src=x onerror=alert(1)>",
    "classification": "Public</strong><script>alert(2)</script>",
}


def test_title_organisation_and_classification_are_text_on_the_page(tmp_path: Path) -> None:
    """The banner, the footer and the page title were written unescaped (nbconvert does not autoescape)."""
    out = tmp_path / "r.html"
    render.export_html(notebook(HOSTILE_META), out)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "\u202e" not in html
    assert "<title>Q1 &lt;script&gt;alert(1)&lt;/script&gt; %05 revo</title>" in html
    assert (
        '<header class="gt-banner"><span>X &lt;img src=x onerror=alert(1)&gt;</span>'
        "<strong>Public&lt;/strong&gt;&lt;script&gt;alert(2)&lt;/script&gt;</strong></header>" in html
    )
    assert "X &lt;img src=x onerror=alert(1)&gt; · Q1 &lt;script&gt;alert(1)&lt;/script&gt; %05 revo · " in html


@pytest.mark.integration  # compiles Typst
def test_the_pdf_title_and_author_are_the_text_as_typed(tmp_path: Path) -> None:
    from pypdf import PdfReader

    render.export_pdf(notebook(HOSTILE_META, '#gt-paras(("Body",))'), tmp_path / "r.pdf", tmp_path / "work")
    meta = PdfReader(tmp_path / "r.pdf").metadata
    assert meta.title == "Q1 <script>alert(1)</script> %05 revo"
    assert meta.author == "X <img src=x onerror=alert(1)>"


def test_section_templates_drop_controls_whatever_the_readers_let_by() -> None:
    """Defence in depth: the readers remove controls, and the writers do too (issue 11, weak answer)."""
    page = _env.from_string("{{ a }}|{{ b }}|{{ c }}").render(a="Over \u202e%05 <b>", b=SafeHTML("<i>\u2066x</i>"), c=3)
    assert page == "Over %05 &lt;b&gt;|<i>x</i>|3"
    assert ty.string("a\u202eb\x1bc\x00d\u2067e\tf\ng") == '"abcde\\tf\\ng"'


def test_a_title_with_a_control_character_reaches_neither_html_nor_typst() -> None:
    report = build_report(ROOT / "data" / "example", "2019-07")
    report.card.loc[report.card.index[0], "title"] = "Over \u202e%05 revo\x1b[31m"
    section = report.appendix(charts=False)
    assert "Over %05 revo[31m" in section.html and "\u202e" not in section.html and "\x1b" not in section.html
    assert '"Over %05 revo[31m"' in section.typst and "\u202e" not in section.typst


# --- nbconvert's last step, left out where it changes nothing (issue 12, section 4) -------------------


def stock_page(nb: nbformat.NotebookNode) -> str:
    """The page as nbconvert's own HTMLExporter.from_notebook_node writes it, with the report's template,
    settings and resources: its last step (a BeautifulSoup round trip) included."""
    exporter, resources = render.page_exporter(nb)
    page, _ = HTMLExporter.from_notebook_node(exporter, copy.deepcopy(nb), resources=resources)
    return page


def page(nb: nbformat.NotebookNode, tmp_path: Path) -> str:
    render.export_html(nb, tmp_path / "page.html")
    return (tmp_path / "page.html").read_text(encoding="utf-8")


def example_sections_notebook() -> nbformat.NotebookNode:
    """The example's front sheet, summaries and areas, displayed as the report notebook displays them, and an
    analyst's Markdown cell with an image that has alt text."""
    report = build_report(ROOT / "data" / "example", "2019-07")
    sections = (report.front_sheet(), report.indicator_summary(), report.variation_summary(), report.areas())
    cells = [
        nbformat.v4.new_code_cell("report.section()", outputs=[nbformat.v4.new_output("display_data", data=bundle)])
        for bundle in (s._repr_mimebundle_() for s in sections)
    ]
    cells.append(nbformat.v4.new_markdown_cell('A note & a <img src="data:image/png;base64,AAAA" alt="A picture">'))
    return nbformat.v4.new_notebook(cells=cells)


def test_the_page_is_nbconverts_page_but_for_its_serialisation(tmp_path: Path) -> None:
    nb = example_sections_notebook()
    ours = page(nb, tmp_path)
    assert not render.nbconvert_would_change(ours)  # the page skipped nbconvert's last step
    assert str(BeautifulSoup(ours, "html.parser")) == stock_page(nb)  # ... which would only re-serialise it


def test_an_image_without_alt_text_still_gets_nbconverts(tmp_path: Path) -> None:
    nb = notebook(HOSTILE_META)
    nb.cells.append(nbformat.v4.new_markdown_cell('<img src="data:image/png;base64,AAAA">'))
    ours = page(nb, tmp_path)
    assert '<img alt="No description has been provided for this image"' in ours
    assert ours == stock_page(nb)


#: Attribute names that are, or look like, alt; values that hold quotes, > and the text alt=.
_NAMES = st.sampled_from(["alt", "ALT", "Alt", "src", "title", "data-alt", "alt-text", "class"])
_VALUES = st.one_of(st.none(), st.sampled_from(["", "x", "a > b", ' alt="', "alt=1", "it's", "jp-Notebook-cell"]))


@st.composite
def img_tag(draw: st.DrawFn) -> str:
    """An ``<img>`` tag as an analyst might type it: any case, attributes with no value or a quoted one."""
    parts = [draw(st.sampled_from(["<img", "<IMG", "<Img"]))]
    for name, value in draw(st.lists(st.tuples(_NAMES, _VALUES), max_size=4)):
        if value is None:
            parts.append(name)
        elif draw(st.booleans()):
            parts.append(f'{name}="{escape(value, quote=True)}"')
        else:
            parts.append(f"{name}='{value.replace(chr(39), '')}'")
    return " ".join(parts) + draw(st.sampled_from([">", "/>", " />"]))


_WRAPPERS = st.sampled_from(["", '<div class="jp-Notebook">', '<p class="jp-Notebook-cell">'])


@given(st.lists(img_tag(), max_size=3), _WRAPPERS)
def test_a_page_skips_nbconverts_step_exactly_where_the_step_changes_nothing(tags: list[str], wrapper: str) -> None:
    html = f"<html><body>{wrapper}<p>Chart</p>{''.join(tags)}</body></html>"
    missing_alt = bool(BeautifulSoup(html, "html.parser").select("img:not([alt])"))
    if 'class="jp-Notebook"' in wrapper:
        assert render.nbconvert_would_change(html)  # cells inside it would get a tabindex
    else:
        assert render.nbconvert_would_change(html) == missing_alt


@pytest.mark.integration
def test_the_example_reports_page_is_nbconverts_page_but_for_its_serialisation(example_report: Path) -> None:
    ours = (example_report / "corporate_performance_report.html").read_text(encoding="utf-8")
    nb = nbformat.read(example_report / "corporate_performance_report.ipynb", as_version=4)
    assert not render.nbconvert_would_change(ours)
    assert str(BeautifulSoup(ours, "html.parser")) == stock_page(nb)


# --- a PDF that cannot be laid out (issue 11, defect 4) --------------------------------------------


def broken_appendix(indicator_id: str) -> str:
    """An appendix whose commentary is invalid Typst, as ``#raw()`` from an empty code fence used to be."""
    entry = {
        "id": indicator_id,
        "anchor": anchor(indicator_id),
        "title": "A title",
        "commentary": ty.Markup("[#raw()]"),
    }
    return ty.call(
        "gt-appendix",
        {
            "heading": "Appendix A",
            "outcomes": [
                {
                    "id": "O1",
                    "title": "Outcome",
                    "indicators": [
                        {"id": "OTHER", "anchor": anchor("OTHER"), "title": "x", "commentary": ty.Markup('[#"fine"]')},
                        entry,
                    ],
                }
            ],
            "legend": [],
        },
    )


@pytest.mark.integration  # compiles Typst
def test_a_typst_failure_names_the_document_section_and_indicator(tmp_path: Path) -> None:
    nb = notebook(
        {"title": "Corporate Performance Report", "organisation": "X", "classification": "Public"},
        broken_appendix('ASC "01"'),
    )
    with pytest.raises(ReportError) as caught:
        render.export_pdf(nb, tmp_path / "corporate_performance_report.pdf", tmp_path / "work")
    message = str(caught.value)
    assert message.startswith(
        "could not lay out the PDF corporate_performance_report.pdf "
        "(Corporate Performance Report): Typst says 'missing argument: text' in the appendix, "
        'in the entry for indicator ASC "01". Check indicator ASC "01"\'s commentary'
    )
    assert "--format html" in message
    assert not (tmp_path / "corporate_performance_report.pdf").exists()


@pytest.mark.integration  # compiles Typst
def test_a_typst_failure_outside_an_indicator_still_names_the_document(tmp_path: Path) -> None:
    nb = notebook({"title": "Business Plan"}, "#gt-plan-cover((title: [#raw()],))")
    with pytest.raises(
        ReportError,
        match=r"^could not lay out the PDF plan.pdf \(Business Plan\): Typst says "
        r"'missing argument: text' in the plan cover\. If nothing in the data",
    ):
        render.export_pdf(nb, tmp_path / "plan.pdf", tmp_path / "work")


@pytest.mark.integration
def test_a_pdf_that_cannot_be_laid_out_fails_the_build_and_keeps_the_last_good_report(
    tmp_path: Path, monkeypatch
) -> None:
    from goldenthread.run import pipeline

    def fake_execute(notebook_path, output, parameters, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        nbformat.write(notebook({"title": "Corporate Performance Report"}, broken_appendix("ASC-01")), output)

    monkeypatch.setattr(pipeline, "execute_notebook", fake_execute)
    out = tmp_path / "reports"
    (out / "2019-07").mkdir(parents=True)
    (out / "2019-07" / "corporate_performance_report.html").write_text("last good report")
    with pytest.raises(
        ReportError,
        match=r"could not lay out the PDF corporate_performance_report.pdf .* "
        r"in the entry for indicator ASC-01",
    ):
        pipeline.run_report(
            ROOT / "parameters" / "2019-07.yaml",
            notebook=ROOT / "notebooks" / "corporate_performance_report.ipynb",
            out_root=out,
        )
    assert (out / "2019-07" / "corporate_performance_report.html").read_text() == "last good report"
    assert [p.name for p in (out / "2019-07").iterdir()] == ["corporate_performance_report.html"]


# --- layout: nothing from the data runs off the page ----------------------------------------------


def appendix_pdf(tmp_path: Path, rows: dict[int, dict[str, str]] | None = None, **first_indicator: str) -> Path:
    """The example's Appendix A as a PDF, with the first indicator's fields replaced (and those of other
    ``rows``, by their place in the scorecard); returns the PDF."""
    report = build_report(ROOT / "data" / "example", "2019-07")
    for row, fields in {0: first_indicator, **(rows or {})}.items():
        for column, text in fields.items():
            report.card.loc[report.card.index[row], column] = text
    section = report.appendix(charts=False)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "report.appendix()", outputs=[nbformat.v4.new_output("display_data", data=section._repr_mimebundle_())]
            )
        ]
    )
    render.export_pdf(nb, tmp_path / "appendix.pdf", tmp_path / "work")
    return tmp_path / "appendix.pdf"


A4_HEIGHT, TOP_MARGIN, BOTTOM_MARGIN = 841.89, 2.2 / 2.54 * 72, 2.0 / 2.54 * 72  # points, as goldenthread.typ sets


def baselines(pdf: Path, containing: str = "") -> list[float]:
    """The height above the page's foot (points) of each piece of text in ``pdf`` that contains ``containing``."""
    from pypdf import PdfReader

    heights: list[float] = []

    def where(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip() and containing in text:
            heights.append(cm[1] * tm[4] + cm[3] * tm[5] + cm[5])

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=where)
    return heights


@pytest.mark.integration  # compiles Typst
def test_a_commentary_longer_than_a_page_flows_over_pages_not_off_the_bottom(tmp_path: Path) -> None:
    """An appendix entry is kept on one page; one taller than a page ran off its bottom, its text lost to the reader."""
    from pypdf import PdfReader

    pdf = appendix_pdf(tmp_path, commentary="lorem ipsum dolor sit amet " * 1200)
    heights = baselines(pdf, "lorem")
    pages = PdfReader(pdf).pages
    assert heights and all(BOTTOM_MARGIN < y < A4_HEIGHT - TOP_MARGIN for y in heights), (min(heights), max(heights))
    text = " ".join(p.extract_text() for p in pages)
    assert text.count("lorem") == 1200


@pytest.mark.integration  # compiles Typst
def test_every_entry_of_the_appendix_is_kept_whole_on_its_page(tmp_path: Path) -> None:
    """An indicator's entry (its title to the end of its commentary) is never split across two pages."""
    from pypdf import PdfReader

    report = build_report(ROOT / "data" / "example", "2019-07")
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(appendix_pdf(tmp_path)).pages]
    checked = 0
    for row in report.card.itertuples():
        if not isinstance(row.commentary, str) or not row.commentary.strip():
            continue
        title_pages = [n for n, text in enumerate(pages) if " ".join(row.title.split()) in text]
        last_words = " ".join(row.commentary.split()[-3:])
        end_pages = [n for n, text in enumerate(pages) if last_words in text]
        assert title_pages and title_pages[-1] in end_pages, (row.id, title_pages, end_pages)
        checked += 1
    assert checked >= 30


@pytest.mark.integration  # compiles Typst
def test_entries_taller_than_a_page_are_found_in_one_layout_that_settles(tmp_path: Path) -> None:
    """An entry is laid out unbroken, and made breakable only where the last layout found it taller than 0.9 of a
    page: with entries of about one page and of three pages, the layout still settles (no Typst warning), and no
    text runs off a page."""
    from pypdf import PdfReader

    tall = {0: {"commentary": "lorem ipsum dolor sit amet " * 600}, 2: {"commentary": "nisi ut aliquip ex ea " * 150}}
    appendix_pdf(tmp_path, rows=tall)
    _, warnings = typst.compile_with_warnings(
        str(tmp_path / "work" / "report.typ"),
        root=str(tmp_path / "work"),
        font_paths=render.font_dirs(),
        ignore_system_fonts=True,
    )
    assert not [w.message for w in warnings]
    heights = baselines(tmp_path / "appendix.pdf")
    assert all(BOTTOM_MARGIN * 0.5 < y < A4_HEIGHT for y in heights), (min(heights), max(heights))
    pages = PdfReader(tmp_path / "appendix.pdf").pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert text.count("lorem") == 600 and text.count("aliquip") == 150


def test_an_entry_whose_marks_are_not_unique_is_measured_instead(tmp_path: Path) -> None:
    """Two entries under one key cannot be told apart by their marks: each is measured, and the tall ones break."""
    from pypdf import PdfReader

    shutil.copy(TEMPLATES / "typst" / "goldenthread.typ", tmp_path / "goldenthread.typ")
    body = " ".join(f"word{n}" for n in range(1500))
    (tmp_path / "report.typ").write_text(
        '#import "goldenthread.typ": *\n#show: gt-report.with((title: "Twice",))\n= Twice\n'
        + f'#gt-entry-block([{body}], "same")\n' * 2,
        encoding="utf-8",
    )
    pdf, warnings = typst.compile_with_warnings(
        str(tmp_path / "report.typ"), root=str(tmp_path), font_paths=render.font_dirs(), ignore_system_fonts=True
    )
    assert not [w.message for w in warnings]
    (tmp_path / "twice.pdf").write_bytes(pdf)
    heights = baselines(tmp_path / "twice.pdf")
    assert all(BOTTOM_MARGIN * 0.5 < y < A4_HEIGHT for y in heights), (min(heights), max(heights))  # none off a page
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "twice.pdf").pages)
    assert text.count("word1499") == 2


@pytest.mark.integration  # compiles Typst
def test_a_long_unbroken_word_wraps_inside_the_margins(tmp_path: Path) -> None:
    """A 300-character run with nowhere to break ran past the right margin, over the page's edge."""
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfReader

    word = "Supercalifragilistic" * 15
    appendix_pdf(
        tmp_path, title=f"Title {word}", commentary=f"{word} and https://example.org/{'abcdefghij' * 20}", owner=word
    )
    pages = typst.compile(
        str(tmp_path / "work" / "report.typ"),
        root=str(tmp_path / "work"),
        format="png",
        ppi=36,
        font_paths=render.font_dirs(),
        ignore_system_fonts=True,
    )
    right_margin = int((21.0 - 1.8) / 2.54 * 36) + 2  # pixels: the text area ends 1.8 cm from the right edge
    for png in pages if isinstance(pages, list) else [pages]:
        image = Image.open(BytesIO(png)).convert("L")
        margin = image.crop((right_margin, 0, image.width, image.height))
        assert margin.getextrema()[0] > 200, "text in the right margin"
    text = _squeeze(" ".join(p.extract_text() for p in PdfReader(tmp_path / "appendix.pdf").pages))
    assert text.count(word) >= 3  # title, owner, commentary: every character kept, no hyphen or space added


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.integration  # compiles Typst
def test_a_long_id_still_gets_its_chart_in_the_pdf(tmp_path: Path) -> None:
    """A chart is named after its id; a long one made a file name too long to write ("File name too long")."""
    from pypdf import PdfReader

    long_id = "Ä" * 30 + "A" * 230
    folder = write_dataset(
        tmp_path / "data",
        [indicator(id=long_id, title="Long id indicator")],
        monthly(long_id, "2019-01", [50, 60, 70, 80, 95, 96]),
    )
    section = build_report(folder, "2019-06").appendix()
    assert [len(n.encode()) for n in section.files] and max(len(n.encode()) for n in section.files) > 255
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "report.appendix()", outputs=[nbformat.v4.new_output("display_data", data=section._repr_mimebundle_())]
            )
        ]
    )
    render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")
    reader = PdfReader(tmp_path / "a.pdf")
    assert "Long id indicator" in reader.pages[0].extract_text()
    # the chart is there: an SVG chart is drawn as paths, not a raster image, so look for its tagged figure
    figures, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        kids = node.get("/K") if isinstance(node, dict) else None
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                stack.append(kid)
        if isinstance(node, dict) and node.get("/S") == "/Figure":
            figures.append(str(node.get("/Alt", "")))
    assert len(figures) == 1 and figures[0].strip()
    assert all(len(p.name.encode()) <= 255 for p in (tmp_path / "work").iterdir())
