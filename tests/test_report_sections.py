"""Report sections render the same content to HTML and Typst, safely."""

from __future__ import annotations

from pathlib import Path

from conftest import indicator, monthly, write_dataset
from goldenthread.documents.report import build_report
from goldenthread.output import TYPST_MIME


def test_internal_audience_is_marked_on_the_document() -> None:
    internal = build_report("data/example", "2019-07", audience="internal")
    public = build_report("data/example", "2019-07")
    assert internal.front_sheet().document["classification"] == "Internal - not for publication"
    assert public.front_sheet().document["classification"] == "Public"
    assert internal.summary.total == public.summary.total + 3


def test_no_highlights_gives_a_short_sensible_section(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91, 92, 93]))
    section = build_report(folder, "2019-06").areas()
    assert "No areas of success were identified this period." in section.html
    assert "No areas of concern were identified this period." in section.html
    assert "success: ()" in section.typst and "concern: ()" in section.typst


def test_commentary_cannot_inject_html_or_typst(tmp_path: Path) -> None:
    nasty = '<script>alert(1)</script> #set page(fill: red) *bold* $x$ "quoted" \\ back'
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1")],
        monthly("A1", "2019-04", [91, 92, 93]),
        commentary=[{"indicator": "A1", "period": "2019-06", "commentary": nasty, "highlight": "success"}],
    )
    report = build_report(folder, "2019-06")
    html = report.appendix(charts=False).html + report.areas().html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    typst = report.areas().typst
    # Markdown is honoured; everything else reaches Typst only inside escaped string literals
    assert '#"<script>alert(1)</script> #set page(fill: red) "#emph[#"bold"]#" $x$ \\"quoted\\" \\\\ back"' in typst
    assert "<p>" not in typst  # the HTML form stays out of the PDF's data


def test_item_without_commentary_states_the_figures(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", decimals=2)],
        monthly("A1", "2019-04", [91, 92, 93.5]),
        commentary=[{"indicator": "A1", "period": "2019-06", "highlight": "success"}],
    )
    html = build_report(folder, "2019-06").areas().html
    assert "93.50% in June 2019 against a target of 90%." in html
    assert 'href="#ind-A1"' in html


def test_sections_carry_typst_and_chart_files_for_the_pdf() -> None:
    report = build_report("data/example", "2019-07")
    bundle = report.appendix()._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain", TYPST_MIME}
    files = bundle[TYPST_MIME]["html_files"]  # each chart once, in the HTML (tests/test_charts.py)
    assert files and all(name.endswith(".svg") for name in files)
    for name in files:
        assert f'file: "{name}"' in bundle[TYPST_MIME]["typst"]
        assert 'alt="Line chart of' in bundle["text/html"]


def test_variation_and_benchmarking_sections_carry_the_documents_marking_and_typst() -> None:
    """The two summaries (more in tests/test_variation_sections.py) are sections like the others: marked with the
    audience, laid out by their own Typst function, and without benchmarks, a sentence rather than a table."""
    internal = build_report("data/example", "2019-07", audience="internal")
    for section, name in (
        (internal.variation_summary(), "variation"),
        (internal.benchmarking_summary(), "benchmarking"),
    ):
        assert section.document["classification"] == "Internal - not for publication"
        assert section.typst.startswith(f"#gt-{name}-summary(")
        assert f'id="gt-{name}-h"' in section.html
    assert "<table" in internal.benchmarking_summary().html  # the example council has comparators


def test_internal_indicators_are_counted_in_the_internal_variation_summary_only() -> None:
    internal = build_report("data/example", "2019-07", audience="internal")
    public = build_report("data/example", "2019-07")
    for r in (internal, public):
        measures = int((r.card["kind"] == "measure").sum())
        assert f"each of the {measures} measures" in r.variation_summary().html
    assert (internal.card["kind"] == "measure").sum() > (public.card["kind"] == "measure").sum()
    assert set(public.comparison["indicator"]) <= set(public.card["id"])
