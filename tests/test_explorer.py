"""The indicator explorer: choosing indicators, their history, chart, findings and offline table."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from conftest import EXAMPLE, indicator, monthly, write_dataset
from goldenthread import explorer
from goldenthread.documents.charts import ChartFigure
from goldenthread.documents.report import Report, build_report
from test_charts import assert_honest, shown_axis

SELF_DIRECTED = "ASC-01"  # Percentage of users using self-directed support: 94.41% in July 2019


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(EXAMPLE, "2019-07", audience="internal")


def card_row(report: Report, ind: str) -> pd.Series:
    return report.card.set_index("id", drop=False).loc[ind]


def bands(fig: explorer.HistoryFigure) -> dict[str, PolyCollection]:
    ax = fig.axes[0]
    return {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("band-")}


def target_lines(fig: explorer.HistoryFigure) -> list:
    return [line for line in fig.axes[0].lines if line.get_gid() == "target"]


# --- select_indicators ---------------------------------------------------------------------------


def test_filters_combine_and_none_means_any(report: Report) -> None:
    card = report.card
    assert len(explorer.select_indicators(card)) == len(card)
    o4 = explorer.select_indicators(card, outcome="O4")
    assert set(o4["outcome"]) == {"O4"} and SELF_DIRECTED in set(o4["id"])
    adults = explorer.select_indicators(card, outcome="O4", directorate="adult services")  # case is forgiven
    assert set(adults["directorate"]) == {"Adult Services"} and set(adults["outcome"]) == {"O4"}
    one = explorer.select_indicators(card, directorate="Adult Services", indicator=SELF_DIRECTED)
    assert list(one["id"]) == [SELF_DIRECTED]


@pytest.mark.parametrize(
    "parameter, bad, suggestion",
    [
        ("indicator", "ASC01", "'ASC-01'"),
        ("directorate", "Adult Service", "'Adult Services'"),
        ("outcome", "O9", "O5"),
    ],
)
def test_a_typo_names_the_parameter_the_value_and_the_allowed_values(
    report: Report, parameter: str, bad: str, suggestion: str
) -> None:
    with pytest.raises(ValueError) as err:
        explorer.select_indicators(report.card, **{parameter: bad})
    message = str(err.value)
    assert f"{parameter} = {bad!r}" in message
    assert "Did you mean" in message and suggestion in message
    assert f"Allowed values of {parameter}:" in message


def test_an_indicator_outside_the_chosen_outcome_says_where_it_is(report: Report) -> None:
    with pytest.raises(
        ValueError,
        match=r"No indicator matches all of outcome = 'O1', indicator = 'ASC-01'\. "
        r"ASC-01 is in outcome 'O4'",
    ):
        explorer.select_indicators(report.card, outcome="O1", indicator=SELF_DIRECTED)


def test_restricted_indicators_are_not_offered_to_a_public_report() -> None:
    public = build_report(EXAMPLE, "2019-07")
    with pytest.raises(ValueError, match="indicator = 'INT-01' is not in the data"):
        explorer.select_indicators(public.card, indicator="INT-01")


def test_indicator_table_reads_like_the_report(report: Report) -> None:
    table = explorer.indicator_table(report.card, report.dataset.organisation.status_scheme)
    row = table.set_index("id").loc[SELF_DIRECTED]
    assert (row["latest"], row["target"], row["status"]) == ("94.41%", "90%", "✓ On target")
    assert (row["vs previous"], row["as at"]) == ("▲ Improving", "July 2019")
    assert len(table) == len(report.card)


# --- status_history ------------------------------------------------------------------------------


def test_status_history_of_self_directed_support(report: Report) -> None:
    table = explorer.status_history(
        report.history, card_row(report, SELF_DIRECTED), scheme=report.dataset.organisation.status_scheme
    )
    history = report.history[report.history["indicator"] == SELF_DIRECTED]
    assert len(table) == len(history)
    july = table.iloc[0]  # newest first
    assert july.to_dict() == {
        "month": "Jul 2019",
        "quarter": "Q1+1 2019/20",
        "value": "94.41%",
        "target": "90%",
        "status": "✓ On target",
        "vs previous period": "▲ Improving",
        "vs same month last year": "▲ Improving",
        "note": "",
    }
    by_month = table.set_index("month")
    assert by_month.loc["May 2019", "status"] == "! Near target"  # 89.96% is within 5% of 90%
    assert by_month.loc["Apr 2016", "vs previous period"] == "– Not comparable"  # the first figure
    oldest_first = explorer.status_history(report.history, SELF_DIRECTED, unit="percent", newest_first=False)
    assert oldest_first.iloc[0][["month", "value"]].tolist() == ["Apr 2016", "79.04%"]


def test_status_history_of_a_milestone_shows_delivery_states(report: Report) -> None:
    table = explorer.status_history(report.history, "INF-02")
    assert table.iloc[0][["value", "target", "status"]].tolist() == ["Off track", "", "✗ Off target"]


def test_an_indicator_with_no_figures_yet_gives_an_empty_table_and_says_so_in_the_chart(report: Report) -> None:
    new = card_row(report, "INF-03")  # a new annual measure: no survey result yet
    table = explorer.status_history(report.history, new)
    assert table.empty and "status" in table.columns
    fig = explorer.history_chart(report.history, new)
    assert "no figures have been reported yet" in fig.alt_text
    assert any("No figures reported yet." in t.get_text() for t in fig.texts)


def test_status_history_of_an_unknown_indicator_suggests_one(report: Report) -> None:
    with pytest.raises(ValueError, match="Did you mean 'ASC-01'"):
        explorer.status_history(report.history, "ASC-1")


# --- history_chart -------------------------------------------------------------------------------


def test_chart_has_target_line_status_bands_and_markers(report: Report) -> None:
    fig = explorer.history_chart(
        report.history, card_row(report, SELF_DIRECTED), scheme=report.dataset.organisation.status_scheme
    )
    (target,) = target_lines(fig)
    assert set(np.asarray(target.get_ydata(), dtype=float)) == {90.0}
    assert set(bands(fig)) == {"band-green", "band-amber", "band-red"}
    # higher is better: on target above 90%, near target between 85.5% (5% tolerance) and 90%, off below
    green = bands(fig)["band-green"].get_paths()[0].vertices[:, 1]
    amber = bands(fig)["band-amber"].get_paths()[0].vertices[:, 1]
    assert green.min() == pytest.approx(90.0) and amber.min() == pytest.approx(85.5)
    gids = {c.get_gid() for c in fig.axes[0].collections}
    assert {"status-green", "status-amber", "status-red"} <= gids  # a marker per month in its status
    history = report.history[report.history["indicator"] == SELF_DIRECTED]
    points = sum(len(c.get_offsets()) for c in fig.axes[0].collections if (c.get_gid() or "").startswith("status-"))
    assert points == history["value"].notna().sum()  # the full history, every month
    assert "94.41%" in fig.alt_text and "target of 90%" in fig.alt_text
    bundle, metadata = fig._repr_mimebundle_()
    assert 'alt="Line chart of ASC-01' in bundle["text/html"] and bundle["text/plain"] == fig.alt_text
    assert bundle["image/svg+xml"].startswith("<?xml") and metadata["image/svg+xml"]["alt"] == fig.alt_text


def test_bands_follow_polarity_and_the_amber_threshold(report: Report) -> None:
    scheme = report.dataset.organisation.status_scheme
    # FIN-01: lower is better, target 0, amber up to an absolute threshold of 500,000
    fig = explorer.history_chart(report.history, card_row(report, "FIN-01"), scheme=scheme)
    green = bands(fig)["band-green"].get_paths()[0].vertices[:, 1]
    amber = bands(fig)["band-amber"].get_paths()[0].vertices[:, 1]
    assert green.max() == pytest.approx(0.0) and amber.max() == pytest.approx(500_000)


def test_changing_targets_give_a_stepped_target_line(report: Report) -> None:
    # HR-01 is year to date, with a target profiled month by month
    fig = explorer.history_chart(report.history, card_row(report, "HR-01"))
    targets = target_lines(fig)
    assert all(t.get_drawstyle() == "steps-mid" for t in targets)
    assert len({y for t in targets for y in t.get_ydata()}) > 10
    # and the lines start again each financial year instead of falling from March to April:
    # the figure's and the profiled target's, 2018/19 up to March 2019, then 2019/20 from April
    runs = [line for line in fig.axes[0].lines if line.get_gid() == "value-line"]
    assert [(r.get_xdata()[0] % 12, r.get_xdata()[-1] % 12) for r in runs] == [(3, 2), (3, 6)]
    assert [(t.get_xdata()[0] % 12, t.get_xdata()[-1] % 12) for t in targets] == [(3, 2), (3, 6)]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    # one legend entry for the broken target line, naming the latest target in words
    assert [text for text in legend if text.startswith("Target")] == ["Target: 133 (latest)"]


def test_every_explorer_chart_labels_its_gridlines_exactly(report: Report) -> None:
    # the same value axis as the report's charts: regulated providers (ASC-04) once read 80%, 81%, 82%, 84%
    # on gridlines at 79.5, 81, 82.5 and 84
    scheme = report.dataset.organisation.status_scheme
    measures = report.card[(report.card["kind"] == "measure") & report.card["id"].isin(report.history["indicator"])]
    for _, row in measures.iterrows():
        fig = explorer.history_chart(report.history, row, scheme=scheme)
        ticks, labels = shown_axis(fig.axes[0])
        assert_honest(ticks, labels, row["unit"], int(row["decimals"]))
    assert len(measures) >= 20


def test_no_bands_for_polarity_none_or_no_target(tmp_path: Path) -> None:
    # polarity none must come without a target (the data contract says so): monitored, never rated
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="N1", polarity="none", target=""), indicator(id="T0", target=""), indicator(id="H1")],
        monthly("N1", "2019-01", [5, 6, 7, 8])
        + monthly("T0", "2019-01", [5, 6, 7, 8])
        + monthly("H1", "2019-01", [85, 88, 91, 92]),
    )
    small = build_report(folder, "2019-04")
    unrated = explorer.history_chart(small.history, card_row(small, "N1"))
    assert bands(unrated) == {} and target_lines(unrated) == []
    assert {c.get_gid() for c in unrated.axes[0].collections} == {"status-data_only"}
    untargeted = explorer.history_chart(small.history, card_row(small, "T0"))
    assert bands(untargeted) == {} and target_lines(untargeted) == []
    rated = explorer.history_chart(small.history, "H1")  # an id alone is enough
    assert set(bands(rated)) == {"band-green", "band-amber", "band-red"}


def test_milestone_chart_shows_delivery_states_without_bands(report: Report) -> None:
    fig = explorer.history_chart(report.history, card_row(report, "INF-02"))
    assert bands(fig) == {} and target_lines(fig) == []
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "Not started",
        "Off track",
        "At risk",
        "On track",
        "Complete",
    ]
    assert "delivery state now off track" in fig.alt_text


# --- findings_for --------------------------------------------------------------------------------


def test_findings_for_self_directed_support_include_its_sustained_improvement(report: Report) -> None:
    found = explorer.findings_for(report, SELF_DIRECTED)
    assert set(found["indicator"]) == {SELF_DIRECTED}
    lead = found.iloc[0]
    assert (lead["kind"], lead["direction"], lead["role"], lead["in_report"]) == (
        "improving_run",
        "success",
        "lead",
        True,
    )
    assert lead["draft"] == (
        "This measure has seen consistent improvement for 8 months, from 81.73% in December 2018 to 94.41% in July."
    )
    assert lead["source"] == "chosen" and lead["report_text"]
    assert "record_best" in set(found["kind"]) and lead["score"] >= found["score"].max()


def test_findings_cover_every_candidate_area(report: Report) -> None:
    found = explorer.findings_for(report)
    assert set(report.area_candidates()["indicator"]) <= set(found["indicator"])
    # a milestone the leadership team chose, with no finding in the data, still appears
    chosen = found.set_index("indicator").loc["INF-01"]
    assert (chosen["role"], chosen["source"], chosen["in_report"]) == ("chosen", "chosen", True)
    # findings that were not used are marked as such
    assert not found.loc[found["role"] == "other", "in_report"].any()
    several = explorer.findings_for(report, ["ASC-01", "ASC-03"])
    assert set(several["indicator"]) == {"ASC-01", "ASC-03"}
    with pytest.raises(ValueError, match="Did you mean 'ASC-01'"):
        explorer.findings_for(report, "ASC01")


# --- interactive_table and picker ---------------------------------------------------------------


def test_interactive_table_is_self_contained(report: Report) -> None:
    table = explorer.interactive_table(explorer.indicator_table(report.card), caption="Indicators")
    html = table._repr_html_()
    assert "<table" in html and "ASC-01" in html  # the static preview carries the data too
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)  # no script fetched from anywhere
    assert not re.search(r"""(import|from)\s*['"]https?://""", html)  # no ES module loaded from a URL
    for cdn in ("https://cdn", "unpkg.com", "jsdelivr", "cdnjs", "code.jquery.com", "cdn.datatables.net"):
        assert cdn not in html
    assert "injectModule" in html  # the DataTables bundle is embedded
    later = explorer.interactive_table(pd.DataFrame({"a": [1]}), include_library=False)._repr_html_()
    assert len(later) < len(html) / 10


def test_interactive_table_falls_back_to_the_dataframe_without_itables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "itables", None)  # import itables now raises ImportError
    df = pd.DataFrame({"a": [1, 2]})
    assert explorer.interactive_table(df) is df


def test_picker_narrows_indicators_and_calls_back(report: Report) -> None:
    pytest.importorskip("ipywidgets")
    calls = []
    box = explorer.picker(report.card, on_change=lambda *args: calls.append(args), indicator=SELF_DIRECTED)
    (outcome, directorate), ind = box.children[0].children, box.children[1]
    assert ind.value == SELF_DIRECTED and not calls  # nothing runs until the analyst changes something
    outcome.value = "O4"
    assert all(v is None or v in set(report.card.loc[report.card["outcome"] == "O4", "id"]) for _, v in ind.options)
    assert calls[-1] == ("O4", None, SELF_DIRECTED)
    directorate.value = "Finance"  # ASC-01 is not in Finance: the indicator falls back to the first
    assert ind.value is None and calls[-1] == ("O4", "Finance", None)


# --- SPC and benchmarking views ------------------------------------------------------------------------

DTOC = "ASC-03"  # Delayed Transfers of Care: lower is better, an XmR chart in the example (chart: spc)


def test_spc_points_name_every_rule_and_match_the_report(report: Report) -> None:
    table = explorer.spc_points(report, DTOC)
    assert list(table.columns) == explorer.variation.SPC_POINT_COLUMNS
    points = report.variation.points
    mine = points[points["indicator"].astype(str) == DTOC]
    assert len(table) == len(mine)  # every observed point, newest first
    assert table["month"].iloc[0] == "July 2019"
    latest = mine.iloc[-1]
    decided = explorer.variation.RULE_WORDS.get(latest["special_cause"], "")
    assert table["decided by"].iloc[0] == decided
    # a rule met is listed even where another rule decides the point
    for row, point in zip(table.iloc[::-1].itertuples(index=False), mine.itertuples(index=False), strict=True):
        for rule, words in explorer.variation.RULE_WORDS.items():
            assert (words in row[6]) is bool(getattr(point, rule))
    assert set(table["variation"]) <= {"common cause", "special cause: improvement", "special cause: concern"}


def test_spc_view_is_the_chart_or_the_plain_reason(report: Report) -> None:
    chart = explorer.spc_view(report, DTOC)
    assert isinstance(chart, ChartFigure)  # with its alt text
    assert chart.alt_text.startswith("Statistical process control (XmR) chart of")
    cumulative = report.card[(report.card["aggregation"] == "cumulative") & (report.card["kind"] == "measure")]
    reason = explorer.spc_view(report, cumulative["id"].iloc[0])
    assert isinstance(reason, str) and "SPC does not apply" in reason
    assert explorer.spc_reading(report, DTOC).startswith("Special cause concerning variation - higher")
    assert explorer.spc_points(report, "INF-01").empty  # a milestone has no points


def test_benchmark_figures_best_first_with_the_council_marked(report: Report) -> None:
    table = explorer.benchmark_figures(report, DTOC)  # lower is better: the smallest figure ranks 1st
    assert list(table.columns) == explorer.variation.BENCHMARK_COLUMNS
    values = [float(v.rstrip("%")) for v in table["value"]]
    assert values == sorted(values)
    assert table["us"].tolist().count("◀ us") == 1
    ours = report.comparison[(report.comparison["indicator"] == DTOC) & report.comparison["main"]].iloc[0]
    us = table[table["us"] != ""].iloc[0]
    assert ours["rank_text"].replace("joint ", "").startswith(us["rank"].replace("joint ", ""))
    assert explorer.benchmark_figures(report, "INF-01").empty  # not benchmarked
    chart = explorer.benchmark_view(report, DTOC)
    assert not isinstance(chart, str) and chart.alt_text
    assert "no comparator figures" in str(explorer.benchmark_view(report, "INF-01"))


def test_the_views_refuse_an_unknown_indicator(report: Report) -> None:
    for view in (explorer.spc_points, explorer.spc_view, explorer.benchmark_figures, explorer.benchmark_view):
        with pytest.raises(ValueError, match="ASC-99"):
            view(report, "ASC-99")
