"""Every published file passes the accessibility checks a council's auditor would run (issue 13).

One quarter's documents for both councils are built by the ``goldenthread`` command (the
example's report, business plan and every directorate plan; Hollowmere's report, which has sparse
commentary and a year end), with ``reports/index.html`` beside them: conftest's ``published_quarter``,
built once per test session and read by test_documents and test_any_council too. Then:

- each HTML page: axe-core, WCAG 2.0/2.1/2.2 A and AA, 0 violations, in Debian's Chromium; and at
  320 CSS px wide no prose runs off the window or makes the page scroll sideways (WCAG 1.4.10);
- each PDF: tagged, language, title shown in the title bar, PDF/UA identifier, every figure with
  alternative text, every table with header cells;
- each Word document: Heading styles in order, table header rows that repeat, pictures with alt text.

The browser checks need Chromium (``apt-get install chromium``, or ``GOLDENTHREAD_CHROMIUM`` naming
one); without it they skip with that reason. Nothing is downloaded: Playwright drives the installed
browser, and axe-core comes inside the ``axe-playwright-python`` package.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from a11y import axe_violations, chromium, docx_problems, pdf_problems, reflow_problems
from goldenthread.run.settings import FORMATS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published(published_quarter: Path) -> Path:
    """A reports folder holding every document of the quarter, as a council would publish it (conftest's
    ``QUARTER``, in every format goldenthread writes)."""
    return published_quarter / "reports"


def _files(out: Path, suffix: str) -> list[Path]:
    found = sorted(out.rglob(f"*{suffix}"))
    assert found, f"no {suffix} file was built"
    return found


def test_every_pdf_is_tagged_titled_and_pdf_ua(published: Path) -> None:
    problems = [p for pdf in _files(published, ".pdf") for p in pdf_problems(pdf)]
    assert not problems, "\n".join(problems)


@pytest.mark.skipif("docx" not in FORMATS, reason="this version writes no Word documents")
def test_every_word_document_has_headings_header_rows_and_alt_text(published: Path) -> None:
    documents = _files(published, ".docx")
    assert len(documents) == len(_files(published, ".pdf")), "each document is published in Word too"
    problems = [p for doc in documents for p in docx_problems(doc)]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, headless, driven by Playwright (no browser download: the installed one is used)."""
    executable = chromium()
    if executable is None:
        pytest.skip("no Chromium to run axe-core in: apt-get install chromium (or set GOLDENTHREAD_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def _pages(out: Path) -> list[Path]:
    return _files(out, ".html")


def test_the_quarter_publishes_every_kind_of_page(published: Path) -> None:
    names = {p.name for p in _pages(published)}
    assert {"index.html", "corporate_performance_report.html", "business_plan.html"} <= names
    assert any(n.startswith("directorate_plan") for n in names)


def test_every_page_has_no_wcag_22_aa_violation(published: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    for html in _pages(published):
        page.goto(html.as_uri())
        problems += [f"{html.relative_to(published)}: {v}" for v in axe_violations(page)]
    page.close()
    assert not problems, "\n".join(problems)


def test_every_page_reflows_at_320_pixels(published: Path, browser: Any) -> None:
    # 320 CSS px: a 1280 px window zoomed to 400% (WCAG 1.4.10). Data tables may scroll, inside their region.
    page = browser.new_page(viewport={"width": 320, "height": 640})
    problems = []
    for html in _pages(published):
        page.goto(html.as_uri())
        problems += [f"{html.relative_to(published)}: {p}" for p in reflow_problems(page)]
    page.close()
    assert not problems, "\n".join(problems)


def test_the_checks_find_what_they_look_for(tmp_path: Path, browser: Any) -> None:
    """The checks are not vacuous: a page with an image without alt text and a fixed-width paragraph fails
    both, and a PDF made without tags fails the PDF check."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="width:900px">'
        + "word " * 200
        + "</p></main></body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(bad.as_uri())
    assert any(v.startswith("image-alt") for v in axe_violations(page))
    assert reflow_problems(page)
    page.close()

    import typst

    source = tmp_path / "plain.typ"
    source.write_text("#table(columns: 2, [a], [b])\n#image(bytes(\"<svg xmlns='http://www.w3.org/2000/svg'/>\"))")
    plain = tmp_path / "plain.pdf"
    typst.compile(str(source), output=str(plain))
    problems = pdf_problems(plain)
    assert any("DisplayDocTitle" in p for p in problems)
    assert any("pdfuaid" in p for p in problems)
    assert any("header cells" in p for p in problems)
