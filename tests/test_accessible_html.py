"""The HTML pages as a screen reader, a keyboard and a phone meet them (issue 13, items 1 to 4), without a browser.

Every document's sections are parsed with BeautifulSoup: each table has a caption and header cells, each wide
table scrolls inside a labelled, focusable region, headings never skip a level, the sign-off is a heading, and
the point about indicators without enough information is made once. ``reports/index.html``: every link names
its report (uniquely), with the file's size and a PDF's page count; the page has a real title. The stylesheet
carries focus indicators with enough contrast and the narrow-screen layout. The browser checks (axe-core, 320 px
reflow) are elsewhere; these hold the markup they rely on.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given
from hypothesis import strategies as st

from conftest import indicator, monthly, signed_front_sheet, write_dataset
from goldenthread.documents.business_plan import build_business_plan
from goldenthread.documents.directorate_plan import build_directorate_plan
from goldenthread.documents.report import build_report
from goldenthread.output import TEMPLATES
from goldenthread.output.index import (
    file_size_text,
    link_names,
    page_title,
    pdf_page_count,
    recorded_page_count,
    report_entries,
    write_index,
)

INSUFFICIENT = "do not yet have sufficient information"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    """Each document's sections, in the notebook's order, as one page body (charts left out: not this file's
    business, and slow)."""
    import yaml

    front = yaml.safe_load(Path("parameters/2019-07.yaml").read_text(encoding="utf-8")).get("front_sheet")
    report = build_report("data/example", "2019-07", front_sheet=signed_front_sheet(front))
    plan = build_business_plan("data/example", "2019-07")
    directorate = build_directorate_plan("data/example", "eci", "2019-07")
    return {
        "report": "".join(
            s.html
            for s in (
                report.front_sheet(),
                report.indicator_summary(),
                report.variation_summary(),
                report.benchmarking_summary(),
                report.areas(),
                report.appendix(False),
            )
        ),
        "business plan": "".join(s.html for s in (plan.cover(), plan.plan(), plan.coverage())),
        "directorate plan": "".join(
            s.html
            for s in (
                directorate.cover(),
                directorate.priorities(),
                directorate.delivery(),
                directorate.indicator_summary(),
                directorate.scorecard(False),
            )
        ),
    }


def text(tag: Tag) -> str:
    """What a tag says, whitespace collapsed (inline parts, such as a link's hidden words, joined as written)."""
    return " ".join(tag.get_text().split())


# --- item 4: captions and header cells; headings ------------------------------------------------------------


def check_tables(page: BeautifulSoup) -> int:
    """Every table has a non-empty caption and header cells; returns how many tables there were."""
    tables = page.find_all("table")
    for table in tables:
        caption = table.find("caption")
        assert caption is not None and text(caption), f"a table without a caption: {str(table)[:200]}"
        assert table.find("th"), f"a table without header cells: {text(caption)}"
        assert all(th.get("scope") in ("row", "col") for th in table.find_all("th")), text(caption)
    return len(tables)


def test_every_table_has_a_caption_and_header_cells(documents: dict[str, str]) -> None:
    counts = {name: check_tables(soup(html)) for name, html in documents.items()}
    # every scorecard, the front sheet, the sign off, the counts, the variation matrix and the benchmarking table
    assert counts["report"] >= 38 + 5
    assert all(counts.values())


def test_a_scorecard_caption_says_which_indicator_it_is(documents: dict[str, str]) -> None:
    article = soup(documents["report"]).find("article", id="ind-ASC-01")
    assert article is not None
    caption = article.find("caption")
    assert caption is not None
    assert text(caption).startswith(text(article.find("h4")))  # type: ignore[arg-type]
    assert "(ASC-01): latest figure, target, status and direction of travel" in text(caption)


def heading_levels(page: BeautifulSoup) -> list[tuple[int, str]]:
    return [(int(h.name[1]), text(h)) for h in page.find_all(re.compile(r"^h[1-6]$"))]


def test_headings_start_at_one_and_never_skip_a_level(documents: dict[str, str]) -> None:
    for name, html in documents.items():
        levels = heading_levels(soup(html))
        assert levels[0][0] == 1, name
        assert sum(level == 1 for level, _ in levels) == 1, name
        for (before, _), (level, words) in zip(levels, levels[1:], strict=False):
            assert level <= before + 1, f"{name}: {words!r} is h{level} after an h{before}"
            assert words, f"{name}: an empty heading"


def test_report_sign_off_is_a_heading_and_the_front_sheet_parts_are_headed(documents: dict[str, str]) -> None:
    levels = heading_levels(soup(documents["report"]))
    front = levels[: [w for _, w in levels].index("1. Summary")]
    assert (2, "Report sign off") in front
    # after the sign off, Summary and Recommendations are headings of their own, not part of the sign off
    assert (2, "Summary") in front and (2, "Recommendations") in front
    assert "gt-small-heading" not in documents["report"]


def test_the_insufficient_information_point_is_made_once_in_the_summary(documents: dict[str, str]) -> None:
    report = build_report("data/example", "2019-07")
    summary, areas = report.indicator_summary(), report.areas()
    assert summary.html.count(INSUFFICIENT) == 1 and INSUFFICIENT not in areas.html
    # the PDF is built from the same view models, so it says it once too
    assert summary.typst.count(INSUFFICIENT) == 1 and INSUFFICIENT not in areas.typst
    words = text(soup(documents["report"]))
    assert words.count(INSUFFICIENT) == 1
    assert (
        "4 indicators do not yet have sufficient information to provide a judgement on performance (all of them "
        "new this year). They are included to show the measures that are intended to be reported on throughout "
        "the year." in words
    )


def test_one_indicator_without_enough_information_is_singular(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", first_reported="2019-04"), indicator(id="A2")],
        monthly("A1", "2019-04", [91, 92]),
    )
    html = build_report(folder, "2019-05").indicator_summary().html
    assert "1 indicator does not yet have sufficient information" in html and "It is included" in html


# --- item 1: scroll regions and reflow ----------------------------------------------------------------------


def check_scroll_regions(page: BeautifulSoup) -> int:
    """Every data table but a stacking label table sits in a focusable region named by its own caption."""
    ids = [t["id"] for t in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), "an id is used twice in one page"
    regions = page.find_all("div", class_="table-scroll")
    for region in regions:
        assert region.get("role") == "region" and region.get("tabindex") == "0"
        table = region.find("table")
        caption = table.find("caption") if table else None
        assert caption is not None and region.get("aria-labelledby") == caption.get("id")
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", str(caption["id"]))  # one IDREF, not a list
    for table in page.find_all("table"):
        if "gt-front" not in (table.get("class") or []):  # label tables stack on a narrow screen instead
            assert table.parent is not None and "table-scroll" in (table.parent.get("class") or [])
    return len(regions)


def test_wide_tables_scroll_inside_labelled_focusable_regions(documents: dict[str, str]) -> None:
    for html in documents.values():
        assert check_scroll_regions(soup(html))


def css_rules(css: str) -> dict[str, str]:
    """Selector -> declarations of the stylesheet's top-level rules (later rules of a selector appended)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: dict[str, str] = {}
    for selector, body in re.findall(r"([^{}@]+)\{([^{}]*)\}", css):
        rules[" ".join(selector.split())] = rules.get(" ".join(selector.split()), "") + body
    return rules


def media_block(css: str, query: str) -> str:
    start = css.index(f"@media {query}")
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i + 1 : j]
    raise AssertionError(f"unclosed @media {query}")


CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")


def test_label_columns_stack_on_a_narrow_screen() -> None:
    narrow = css_rules(media_block(CSS, "(max-width: 40rem)"))
    stacked = next(body for sel, body in narrow.items() if ".gt-front th" in sel and ".gt-front td" in sel)
    assert "display: block" in stacked and "width: auto" in stacked
    assert "grid-template-columns: 1fr" in narrow[".gt-front-text"]
    assert "overflow-x: auto" in css_rules(CSS)[".table-scroll"]


# --- item 2: focus indicators -------------------------------------------------------------------------------


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_focus_indicators_have_three_to_one_against_white_and_their_neighbours() -> None:
    rules = css_rules(CSS)
    link, region = rules["a:focus"], rules[".table-scroll:focus"]
    assert "background-color: #ffdd00" in link and "#0b0c0c" in link.split("box-shadow", 1)[1]
    assert "outline: 3px solid #ffdd00" in region and "box-shadow: 0 0 0 3px #0b0c0c" in region
    # the black part is what shows focus on white, and it is next to the yellow: both pairs well above 3:1
    assert contrast("#0b0c0c", "#ffffff") >= 3 and contrast("#0b0c0c", "#ffdd00") >= 3
    assert contrast("#ffdd00", "#ffffff") < 3  # why yellow alone was not enough
    assert contrast("#0b0c0c", "#ffdd00") >= 4.5  # the focused link's text on its yellow background


# --- item 3: reports/index.html -----------------------------------------------------------------------------


def typst_pdf(folder: Path, pages: int) -> bytes:
    """A real PDF of ``pages`` pages, as Typst (the report's typesetter) writes it."""
    import typst

    source = folder / f"pages-{pages}.typ"
    source.write_text('#set text(font: "DejaVu Sans")\n' + "\n#pagebreak()\n".join(f"Page {n}" for n in range(pages)))
    return bytes(typst.compile(str(source), ignore_system_fonts=True))


@pytest.mark.integration  # compiles Typst
def test_a_typst_pdfs_page_count_matches_pypdf(tmp_path: Path) -> None:
    import typst
    from pypdf import PdfReader

    source = tmp_path / "doc.typ"
    source.write_text('#set text(font: "DejaVu Sans")\n' + "\n#pagebreak()\n".join(f"Page {n}" for n in range(5)))
    pdf = tmp_path / "doc.pdf"
    typst.compile(str(source), output=str(pdf), ignore_system_fonts=True)
    assert pdf_page_count(pdf) == len(PdfReader(pdf).pages) == 5
    pdf.write_bytes(b"not a pdf at all" + bytes(range(256)))
    assert pdf_page_count(pdf) is None  # the index is still written, without the page count
    assert pdf_page_count(tmp_path / "missing.pdf") is None


def test_the_list_takes_a_pdfs_page_count_from_its_manifest_while_the_pdf_is_the_one_listed(tmp_path: Path) -> None:
    folder = tmp_path / "2019-07"
    folder.mkdir()
    pdf = folder / "corporate_performance_report.pdf"
    pdf.write_bytes(b"not a pdf: pypdf could count no pages in it")
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    manifest = {"period": "2019-07", "outputs": {pdf.name: digest}, "pdf_pages": {pdf.name: 17}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert recorded_page_count(pdf, manifest) == 17
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "17 pages" in page  # from the manifest: the file itself was never read as a PDF
    for odd in (True, -1, "17", 17.0, None):  # a hand-edited count is not trusted
        assert recorded_page_count(pdf, {**manifest, "pdf_pages": {pdf.name: odd}}) is None, odd
    assert recorded_page_count(pdf, {"outputs": manifest["outputs"]}) is None  # an older manifest: none recorded
    pdf.write_bytes(b"another file, put in its place by hand")
    assert recorded_page_count(pdf, manifest) is None
    assert "pages" not in write_index(tmp_path).read_text(encoding="utf-8")  # read from the file: none to show
    pdf.unlink()
    assert recorded_page_count(pdf, manifest) is None


@given(st.integers(min_value=0, max_value=10**13))
def test_file_sizes_read_as_a_person_reads_them(size: int) -> None:
    shown = file_size_text(size)
    number, unit = re.fullmatch(r"([\d,]+(?:\.\d)?) (bytes?|KB|MB)", shown).groups()  # type: ignore[union-attr]
    value = float(number.replace(",", "")) * {"byte": 1, "bytes": 1, "KB": 1024, "MB": 1024**2}[unit]
    assert abs(value - size) <= {"byte": 0, "bytes": 0, "KB": 512, "MB": 0.05 * 1024**2}[unit]
    assert (unit == "byte") == (size == 1)
    assert unit != "KB" or 1 <= float(number.replace(",", "")) <= 1023  # never "1,024 KB"


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (1023, "1,023 bytes"), (1024, "1 KB"), (1_048_063, "1,023 KB"), (1_048_064, "1.0 MB")],
)
def test_file_size_boundaries(size: int, shown: str) -> None:
    assert file_size_text(size) == shown


entry_fields = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["Report", "Plan", "Report, July 2019"]),
        "period_label": st.sampled_from(["July 2019", "June 2019"]),
        "audience": st.sampled_from(["public", "internal"]),
        "organisation": st.sampled_from(["A Council", "B Council"]),
    }
)


@given(st.lists(entry_fields, max_size=12))
def test_every_link_name_is_unique_and_names_its_report(fields: list[dict[str, str]]) -> None:
    entries: list[dict[str, Any]] = [{**f, "folder": f"folder-{i}"} for i, f in enumerate(fields)]
    names = link_names(entries)
    assert len(set(names)) == len(names)
    assert all(n.startswith(e["title"]) for n, e in zip(names, entries, strict=True))


def fake_report(root: Path, folder: str, files: dict[str, bytes], **manifest: object) -> None:
    d = root / folder
    d.mkdir()
    for name, content in files.items():
        (d / name).write_bytes(content)
    (d / "manifest.json").write_text(json.dumps({"outputs": {n: "0" * 64 for n in files}, **manifest}))


@pytest.mark.integration  # compiles Typst
def test_the_index_names_each_links_report_with_size_and_pages(tmp_path: Path) -> None:
    common = {"notebook": "notebooks/directorate_plan.ipynb", "organisation": "Example County Council"}
    files = {"directorate_plan.html": b"x" * 2048, "directorate_plan.pdf": typst_pdf(tmp_path, 3)}
    # the same title in two months and for two audiences: the links must still differ
    fake_report(tmp_path, "eci-2019-07", files, period="2019-07", title="ECI Plan 2019/20", **common)
    fake_report(tmp_path, "eci-2019-06", files, period="2019-06", title="ECI Plan 2019/20", **common)
    fake_report(
        tmp_path,
        "eci-2019-07-internal",
        files,
        period="2019-07",
        audience="internal",
        title="ECI Plan 2019/20",
        **common,
    )
    fake_report(tmp_path, "odd", {"r.html": b"<p>"}, period="2019-05", built_at="2026-11-20T09:00:00Z", title="<b>")
    page = soup(write_index(tmp_path).read_text(encoding="utf-8"))
    title = page.find("title")
    assert title is not None
    assert text(title) == "Reports - Example County Council and Council not recorded (rebuild the report to show it)"
    assert check_tables(page) == 2 and check_scroll_regions(page) == 2
    links = page.find_all("a")
    names = [text(a) for a in links]
    assert len(names) == 7 and len(set(names)) == len(names), names
    assert "PDF: ECI Plan 2019/20, July 2019, internal" in names
    assert "Web page (HTML): ECI Plan 2019/20, June 2019" in names
    assert "Web page (HTML): <b>" in names  # a title from a manifest is text
    for row in page.find_all("tbody")[0].find_all("tr") + page.find_all("tbody")[1].find_all("tr"):
        header = row.find("th", scope="row")
        assert header is not None
        for a in row.find_all("a"):  # "PDF: <title>, <what tells it apart>", the title as the row header says it
            assert text(a).split(": ", 1)[1].split(", ")[0] in text(header)
    details = [text(s) for s in page.find_all(class_="gt-file-details")]
    assert "(3 bytes)" in details and "(2 KB)" in details
    assert any(re.fullmatch(r"\((\d+ bytes|\d+ KB), 3 pages\)", d) for d in details), details
    built = page.find("time")
    assert built is not None and built["datetime"] == "2026-11-20"
    assert built.get_text() == "20\u00a0November\u00a02026"  # never wraps mid-date
    assert "gt-nowrap" in built.parent["class"]  # type: ignore[index]


def test_the_index_title_names_every_council() -> None:
    assert page_title([]) == "Reports"
    assert page_title([("A", []), ("B", []), ("C", [])]) == "Reports - A, B and C"


def test_a_new_file_kind_is_one_line_in_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from goldenthread.output import index

    monkeypatch.setitem(index.FORMAT_LABELS, "odt", "OpenDocument")
    fake_report(tmp_path, "2019-07", {"r.odt": b"x", "r.html": b"x"}, period="2019-07", title="T")
    links = report_entries(tmp_path)[0]["links"]
    assert [(link["format"], link["label"]) for link in links] == [("html", "Web page (HTML)"), ("odt", "OpenDocument")]


# --- the built report ---------------------------------------------------------------------------------------


def test_the_built_report_page(example_report: Path) -> None:
    """The real page nbconvert writes: one h1, no skipped level, captions, regions, the point made once."""
    page = soup((example_report / "corporate_performance_report.html").read_text(encoding="utf-8"))
    assert check_tables(page) >= 41 and check_scroll_regions(page) >= 39
    levels = heading_levels(page)
    assert levels[0][0] == 1 and all(b <= a + 1 for (a, _), (b, _) in zip(levels, levels[1:], strict=False))
    assert text(page).count(INSUFFICIENT) == 1
    index = soup((example_report.parent / "index.html").read_text(encoding="utf-8"))
    from pypdf import PdfReader

    pages = len(PdfReader(example_report / "corporate_performance_report.pdf").pages)
    pdf_link = index.find("a", href=re.compile(r"\.pdf$"))
    assert pdf_link is not None and pdf_link.find_next_sibling(class_="gt-file-details")
    assert f", {pages} pages)" in text(pdf_link.find_next_sibling(class_="gt-file-details"))  # type: ignore[arg-type]
