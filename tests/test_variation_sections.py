"""Variation (SPC), benchmarking and forecasts in the report: the appendix entry and the two summary sections.

Built on the example council and on small hand-built folders (too few points, no target, polarity none,
no benchmarks, a comparator group of our own), read back from the HTML and the Typst payload, and laid
out as a PDF/UA-1 document to show the new Typst compiles with hostile text in every new field.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import indicator, monthly, write_csv, write_dataset
from goldenthread.documents.report import (
    ASSURANCE_COLUMNS,
    VARIATION_ROWS,
    Report,
    build_report,
    forecast_text,
    movement_text,
    period_text,
)
from goldenthread.measures import spc
from goldenthread.output import TYPST_MIME
from goldenthread.output.render import export_pdf

HOSTILE = '<script>alert(1)</script> #read("/etc/passwd") {{7*7}} $x$ "q" \\ AT&T'

#: 15 steady months, then 5 far above them: the last points are outside the upper limit.
STEP_UP = [50, 51, 49, 50, 52, 48, 50, 51, 49, 50, 50, 51, 49, 50, 52, 70, 72, 71, 73, 74]


@pytest.fixture(scope="module")
def example() -> Report:
    return build_report("data/example", "2019-07")


def text_of(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def matrix(html: str) -> dict[str, list[int]]:
    """The variation summary's counts by row label, read back from its HTML table."""
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html, re.S):
        label = text_of(row.split("</th>")[0])
        rows[label] = [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]
    return rows


def entry_of(html: str, indicator_id: str) -> str:
    start = html.index(f'id="ind-{indicator_id}"')
    end = html.find("<article", start)
    return html[start : end if end > 0 else len(html)]


# --- the variation summary -----------------------------------------------------------------------------


def test_variation_summary_counts_every_measure_once(example: Report) -> None:
    section = example.variation_summary()
    counts = matrix(section.html)
    measures = example.card[example.card["kind"] == "measure"]["id"]
    assert sum(counts.pop("Total")[:-1]) == len(measures)
    assert set(counts) == {label for _, label in VARIATION_ROWS}
    # each measure in the cell its own SPC summary names (a measure SPC does not chart, in the last row)
    s = example.variation.summary
    expected = {label: [0] * len(ASSURANCE_COLUMNS) for _, label in VARIATION_ROWS}
    labels = dict(VARIATION_ROWS)
    columns = [key for key, _ in ASSURANCE_COLUMNS]
    for i in measures:
        charted = s.at[i, "status"] == "ok" and not isinstance(s.at[i, "reason"], str)
        row = labels[s.at[i, "variation"] if charted else "not_charted"]
        column = s.at[i, "assurance"] if charted and s.at[i, "assurance"] else "none"
        expected[row][columns.index(column)] += 1
    assert {k: v[:-1] for k, v in counts.items()} == expected
    assert all(v[-1] == sum(v[:-1]) for v in counts.values())  # the Total column
    text = text_of(section.html)
    milestones = int((example.card["kind"] == "milestone").sum())
    assert f"The {milestones} milestones are not included." in text
    assert f"fewer than {spc.MIN_POINTS} points" in text


def test_variation_summary_headers_carry_icons_with_their_words(example: Report) -> None:
    section = example.variation_summary()
    bundle = section._repr_mimebundle_()
    for key in spc.ASSURANCES:
        assert f'alt="{html_lib.escape(spc.ASSURANCE_TEXT[key], quote=True)}"' in section.html
    assert f'alt="{spc.VARIATION_TEXT[("common_cause", "")]}"' in section.html
    icons = bundle[TYPST_MIME]["html_files"]  # each icon once, read back from the HTML for the PDF
    assert icons and all(name.startswith("icon-") for name in icons)
    for name in icons:
        assert f'file: "{name}"' in section.typst
    assert section.typst.startswith("#gt-variation-summary(")


def test_too_few_points_is_said_in_words_and_counted_as_not_charted(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1"), indicator(id="A2", first_reported="2019-04")],
        monthly("A1", "2019-01", [91, 92, 93, 94, 95, 96]),
    )
    report = build_report(folder, "2019-06")
    entry = entry_of(report.appendix().html, "A1")
    assert "too few points for SPC: 6 points, 15 needed" in text_of(entry)
    assert "Variation too few points for SPC: no figures yet" in text_of(entry_of(report.appendix().html, "A2"))
    assert "icon-" not in "".join(report.appendix().files)  # no variation icon to mislead
    counts = matrix(report.variation_summary().html)
    assert counts["Too few points, or not charted"] == [0, 0, 0, 2, 2]
    assert 'spc_note: "too few points for SPC: 6 points, 15 needed"' in report.appendix().typst


def test_special_cause_without_a_target_has_no_assurance_and_polarity_none_is_neutral(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [
            indicator(id="A1", target="", first_reported="2018-04"),
            indicator(id="A2", polarity="none", target="", first_reported="2018-04"),
            indicator(id="A3", target="60", first_reported="2018-04"),
        ],
        monthly("A1", "2018-04", STEP_UP) + monthly("A2", "2018-04", STEP_UP) + monthly("A3", "2018-04", STEP_UP),
    )
    report = build_report(folder, "2019-11")
    appendix = report.appendix().html
    a1, a2, a3 = (text_of(entry_of(appendix, i)) for i in ("A1", "A2", "A3"))
    assert "Variation Special cause improving variation - higher" in a1 and "Assurance" not in a1
    assert "Special cause neutral variation - higher" in a2 and "Assurance" not in a2
    assert "Assurance" in a3  # a target and a direction: assured (or not) against it
    counts = matrix(report.variation_summary().html)
    none = [key for key, _ in ASSURANCE_COLUMNS].index("none")
    assert counts["Special cause improvement"][none] == 1
    assert counts["Special cause neutral (no better direction)"][none] == 1
    assert sum(counts["Special cause improvement"][:none]) == 1  # A3, in one of the assurance columns


def test_the_appendix_draws_an_spc_chart_where_the_indicator_asks_for_one(example: Report) -> None:
    appendix = example.appendix()
    kinds = example.variation.summary["chart"]
    spc_ids = [i for i in kinds.index if kinds[i] == "spc" and example.variation.summary.at[i, "status"] == "ok"]
    trend_ids = [i for i in kinds.index if kinds[i] == "trend" and example.variation.summary.at[i, "status"] == "ok"]
    assert spc_ids and trend_ids
    for i in spc_ids:
        assert 'alt="Statistical process control (XmR) chart of' in entry_of(appendix.html, i)
    for i in trend_ids:
        assert 'alt="Line chart of' in entry_of(appendix.html, i)


def test_the_organisations_default_chart_applies_where_an_indicator_does_not_choose(example_copy: Path) -> None:
    """report_defaults.chart: spc draws an XmR chart for every measure with enough points, and its trend
    chart for one without (never limits it cannot trust); an indicator's own 'trend' still wins."""
    org_file = example_copy / "organisation.yaml"
    org = yaml.safe_load(org_file.read_text(encoding="utf-8"))
    org.setdefault("report_defaults", {})["chart"] = "spc"
    org_file.write_text(yaml.safe_dump(org, sort_keys=False), encoding="utf-8")
    inds = pd.read_csv(example_copy / "indicators.csv", dtype=str, keep_default_na=False)
    inds.loc[inds["id"] == "ASC-01", "chart"] = "trend"
    inds.to_csv(example_copy / "indicators.csv", index=False)
    report = build_report(example_copy, "2019-07")
    summary = report.variation.summary
    appendix = report.appendix().html
    reliable = [i for i in summary.index if summary.at[i, "status"] == "ok" and i in set(report.card["id"])]
    too_few = [i for i in summary.index if summary.at[i, "status"] == "too_few_points" and i in set(report.card["id"])]
    assert "ASC-01" in reliable and len(reliable) > 3 and too_few
    assert report.chart_kind("ASC-01") == "trend" and 'alt="Line chart of' in entry_of(appendix, "ASC-01")
    for i in (i for i in reliable if i != "ASC-01"):
        assert report.chart_kind(i) == "spc"
        assert 'alt="Statistical process control (XmR) chart of' in entry_of(appendix, i), i
    for i in too_few:
        assert "Statistical process control (XmR) chart of" not in entry_of(appendix, i), i


def test_the_new_findings_reach_the_areas(example: Report) -> None:
    kinds = set(example.selection.candidates["kind"])
    assert kinds & {"special_cause_improvement", "special_cause_concern", "consistently_failing"}


# --- benchmarking -------------------------------------------------------------------------------------


def test_no_benchmarks_gives_a_plain_sentence_and_no_block(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91, 92, 93]))
    report = build_report(folder, "2019-06")
    section = report.benchmarking_summary()
    assert "The council has no benchmarking figures for this report" in text_of(section.html)
    assert "<table" not in section.html and 'empty: "The council has no benchmarking' in section.typst
    assert "Compared with" not in report.appendix().html


def benchmarked(folder: Path, group: str, reference: str, source: str, area: str) -> Path:
    """A folder with A1 benchmarked against seven neighbours and a reference area, and A2 with too few."""
    write_dataset(
        folder,
        [indicator(id="A1", title="Indicator one"), indicator(id="A2", title="Indicator two")],
        monthly("A1", "2019-04", [91, 92, 93]) + monthly("A2", "2019-04", [91, 92, 93]),
    )
    neighbours = [f"N{k}" for k in range(7)]
    comparators = {
        "us": "US",
        "source": source,
        "groups": [
            {"name": group, "kind": "comparison", "areas": neighbours},
            {"name": reference, "kind": "reference", "areas": ["ENG"]},
        ],
    }
    (folder / "comparators.yaml").write_text(yaml.safe_dump(comparators, allow_unicode=True), encoding="utf-8")
    rows = []
    for year, shift in (("2017/18", 0.0), ("2018/19", 2.0)):
        figures = {
            "US": 88 + shift,
            "ENG": 89.5,
            **{n: 85 + k + (shift if k % 2 else 0) for k, n in enumerate(neighbours)},
        }
        for code, value in figures.items():
            name = area if code == "N0" else f"Area {code}"
            rows.append(
                {
                    "indicator": "A1",
                    "area_code": code,
                    "area_name": name,
                    "period": year,
                    "value": value,
                    "source": "Stats",
                }
            )
        for code in ("US", "N1", "N2"):
            rows.append(
                {
                    "indicator": "A2",
                    "area_code": code,
                    "area_name": f"Area {code}",
                    "period": year,
                    "value": 50,
                    "source": "Stats",
                }
            )
    write_csv(folder / "benchmarks.csv", rows, ["indicator", "area_code", "area_name", "period", "value", "source"])
    return folder


def test_benchmarking_summary_and_entry_on_a_group_of_our_own(tmp_path: Path) -> None:
    folder = benchmarked(tmp_path / "d", "Neighbours", "England", "Invented groups", "Area N0")
    report = build_report(folder, "2019-06")
    summary = text_of(report.benchmarking_summary().html)
    # A1 in 2018/19: 90 against 85..91 with the odd ones shifted by 2: ranked among 8 areas, 1 = best
    ours = report.comparison[(report.comparison["indicator"] == "A1") & report.comparison["main"]].iloc[0]
    assert f"Indicator one 90.0% {ours['rank_text']} {ours['position']}" in summary
    assert "England" in summary and "89.5%" in summary
    assert "Indicator two 50.0%" in summary and "at least 5 are needed" in summary  # too few: a reason
    assert "compared in 2018/19 with the 7 other areas of the Neighbours group" in summary
    assert "Sources of the figures: Stats." in summary and "Comparator groups: Invented groups." in summary
    appendix = report.appendix()
    entry = text_of(entry_of(appendix.html, "A1"))
    assert "Compared with Neighbours (2018/19)" in entry
    assert f"Rank {ours['rank_text']} Quartile {ours['position']}" in entry
    assert "Figures for 2018/19. Source: Stats. Comparator groups: Invented groups." in entry
    assert "benchmark-ind-A1.svg" in appendix.files  # the strip chart, with its alt text
    assert re.search(
        r'<figure class="gt-chart"><img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+"',
        entry_of(appendix.html, "A1"),
    )


def test_each_entry_lists_its_own_rebases_up_to_the_report_month_oldest_first(tmp_path: Path) -> None:
    folder = benchmarked(tmp_path / "d", "Neighbours", "England", "Stats", "Area N0")
    rebases = [
        {"indicator": "A1", "period": "2019-05", "reason": "A new way of counting"},
        {"indicator": "A2", "period": "2019-07", "reason": "After the report month"},
        {"indicator": "A1", "period": "2018-11", "reason": "A new team"},
    ]
    write_csv(folder / "rebases.csv", rebases)
    appendix = build_report(folder, "2019-06").appendix(charts=False)
    one, two = (text_of(entry_of(appendix.html, i)) for i in ("A1", "A2"))
    assert "Limits recalculated from November 2018: A new team Limits recalculated from May 2019: A new way of" in one
    assert one.count("Limits recalculated") == 2
    assert "Limits recalculated" not in two  # its only rebase comes after June 2019
    assert "Limits recalculated" not in text_of(build_report(folder, "2018-10").appendix(charts=False).html)


@pytest.mark.integration  # compiles Typst
def test_hostile_names_and_sources_are_text_in_html_and_the_pdf(tmp_path: Path) -> None:
    folder = benchmarked(tmp_path / "d", f"ZQg {HOSTILE}", f"ZQr {HOSTILE}", f"ZQs {HOSTILE}", f"ZQa {HOSTILE}")
    write_csv(folder / "rebases.csv", [{"indicator": "A1", "period": "2019-05", "reason": f"ZQb {HOSTILE}"}])
    report = build_report(folder, "2019-06")
    sections = [
        report.indicator_summary(),
        report.variation_summary(),
        report.benchmarking_summary(),
        report.appendix(),
    ]
    html = "".join(s.html for s in sections)
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = text_of(html)
    for code in ("ZQg", "ZQr", "ZQs", "ZQb"):
        assert f"{code} {HOSTILE}" in text, code
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("s", outputs=[nbformat.v4.new_output("display_data", data=s._repr_mimebundle_())])
            for s in sections
        ]
    )
    export_pdf(nb, tmp_path / "r.pdf", tmp_path / "typst")
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "r.pdf").pages)
    for code in ("ZQg", "ZQr", "ZQb"):
        assert f'{code} <script>alert(1)</script> #read("/etc/passwd")' in pdf, code


# --- pure helpers ---------------------------------------------------------------------------------------


def forecast_row(**kw: object) -> pd.Series:
    row = {
        "year_end": 2020 * 12 + 2,
        "projected": 93.0,
        "low": 91.25,
        "high": 94.5,
        "target": 90.0,
        "likelihood": "likely",
    }
    row.update(kw)
    return pd.Series(row)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "Forecast for March 2020: between 91.3% and 94.5% (target 90%): likely to meet the target"),
        (
            {"likelihood": "unlikely"},
            "Forecast for March 2020: between 91.3% and 94.5% (target 90%): unlikely to meet the target",
        ),
        (
            {"likelihood": "uncertain"},
            "Forecast for March 2020: between 91.3% and 94.5% (target 90%): too close to call",
        ),
        ({"target": None, "likelihood": None}, "Forecast for March 2020: between 91.3% and 94.5%"),
        ({"low": 93.01, "high": 92.98}, "Forecast for March 2020: 93.0% (target 90%): likely to meet the target"),
    ],
)
def test_forecast_line(changes: dict[str, object], expected: str) -> None:
    assert forecast_text(forecast_row(**changes), "percent", 1) == expected


@given(
    low=st.floats(-1e6, 1e6),
    width=st.floats(0, 1e6),
    target=st.none() | st.floats(-1e6, 1e6),
    likelihood=st.sampled_from(["likely", "unlikely", "uncertain", None]),
)
def test_forecast_line_never_shows_nan_and_says_the_month(
    low: float, width: float, target: float | None, likelihood: str | None
) -> None:
    text = forecast_text(
        forecast_row(low=low, high=low + width, projected=low, target=target, likelihood=likelihood), None, 2
    )
    assert text.startswith("Forecast for March 2020: ") and "nan" not in text.lower()
    assert ("(target " in text) is (target is not None)


def test_movement_words() -> None:
    base = {"position_last_year": "third quartile", "period_last_year": "2017/18"}
    assert movement_text({**base, "movement": "improving"}) == "▲ Improving (was third quartile in 2017/18)"
    assert movement_text({**base, "movement": "no_change"}, short=True) == "► No change (was third quartile)"
    assert movement_text({"movement": "not_comparable", "position_last_year": None, "period_last_year": None}) == (
        "– Not comparable: no comparison for the year before"
    )


@given(st.integers(1900, 2200), st.integers(1, 12))
def test_benchmark_periods_read_as_written_or_as_a_month(year: int, month: int) -> None:
    assert re.fullmatch(r"[A-Z][a-z]+ \d{4}", period_text(f"{year}-{month:02d}"))
    assert period_text(f"{year}/{(year + 1) % 100:02d}") == f"{year}/{(year + 1) % 100:02d}"


def test_the_reading_guide_counts_in_words() -> None:
    from goldenthread.documents.report import variation_guide

    assert variation_guide(0, 2) == (
        "This report has no measures to read with statistical process control (SPC). The 2 milestones are not included."
    )
    assert variation_guide(1, 1).startswith("How to read this table: the one measure is read")
    assert variation_guide(1, 1).endswith("The one milestone is not included.")
    assert "each of the 7 measures" in variation_guide(7, 0) and "milestone" not in variation_guide(7, 0)
