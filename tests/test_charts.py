"""The chart module: honest value axes, lines that break at gaps and year ends, no global backend, and many
charts drawn fast (one canvas, worker processes) and stored once in the notebook."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, ROOT, examples
from goldenthread.documents import chart_pool, charts
from goldenthread.documents.report import Report, Section, anchor, build_report
from goldenthread.errors import ReportError
from goldenthread.inputs.periods import parse_period
from goldenthread.output import TYPST_MIME, render
from goldenthread.output.images import section_files

#: A tick label as the charts write it: sign, pound, number, money scale, unit.
LABEL = re.compile(
    r"^(?P<sign>[-−]?)(?P<pound>£?)(?P<number>\d{1,3}(?:,\d{3})*(?:\.(?P<places>\d+))?)"
    r"(?P<scale>[km]?)(?P<unit>%| days?)?$"
)
SCALE = {"": 0, "k": 3, "m": 6}


def parse(label: str) -> tuple[Decimal, int, str]:
    """A label back to (the value it states, its decimals, its money scale); fails on anything else."""
    m = LABEL.match(label)
    assert m, f"unreadable tick label {label!r}"
    number = Decimal(m["number"].replace(",", "")).scaleb(SCALE[m["scale"]])
    return (-number if m["sign"] else number), len(m["places"] or ""), m["scale"]


def assert_honest(ticks: list[float], labels: list[str], unit: str | None, decimals: int) -> None:
    """Every label states its tick exactly; one decimals count and one money scale per axis; no tick
    finer than the indicator's own precision."""
    assert ticks and len(ticks) == len(labels)
    parsed = [parse(label) for label in labels]
    for tick, label, (value, _, _) in zip(ticks, labels, parsed):
        assert value == Decimal(repr(float(tick))), f"label {label!r} on a gridline at {tick!r}"
        assert (value.scaleb(decimals) % 1) == 0, f"tick {tick} finer than {decimals} decimals"
    others = [p for p, label in zip(parsed, labels) if label != "£0"]  # zero money is "£0" in any scale
    assert len({places for _, places, _ in others}) <= 1, labels
    assert len({scale for _, _, scale in others}) <= 1, labels
    if unit == "percent":
        assert all(label.endswith("%") for label in labels)
    if unit == "gbp":
        assert all("£" in label for label in labels)


def shown_axis(ax) -> tuple[list[float], list[str]]:
    """The y ticks a reader sees (inside the view) and their labels, after drawing."""
    ax.figure.canvas.draw()
    lo, hi = ax.get_ylim()
    pairs = [(t, label.get_text()) for t, label in zip(ax.get_yticks(), ax.get_yticklabels()) if lo <= t <= hi]
    return [t for t, _ in pairs], [label for _, label in pairs]


# --- value axis -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lo, hi, unit, decimals",
    [
        (79.5, 84.5, "percent", 1),  # regulated providers: was 80%, 81%, 82%, 84% on 79.5, 81, 82.5, 84
        (91.5, 94.5, "percent", 2),  # broadband: was "92%" on 91.5 and "94%" on 94.5
        (91.2, 94.8, "percent", 1),
        (2.25, 2.75, "percent", 2),  # delayed transfers: was 2.2% on 2.25 and 2.8% on 2.75
        (19.5, 22.5, "days", 1),
        (0.0, 1_600_000.0, "gbp", 0),
        (-300_000.0, 900_000.0, "gbp", 0),  # an underspend below zero, in one scale
        (8_000.0, 1_200_000.0, "gbp", 0),  # £800k beside £1.6m must not happen
        (0.0, 7.0, "number", 0),
        (-12.3, -2.1, "percent", 1),  # a percentage change may be negative
        (-4.0, 3.0, "rate", 1),
        (0.1, 0.12, "ratio", 3),
        (0.0, 0.03, "percent", 2),
    ],
)
def test_tick_labels_state_their_gridlines_exactly(lo: float, hi: float, unit: str, decimals: int) -> None:
    axis = charts.value_axis(lo, hi, unit, decimals)
    assert_honest(list(axis.ticks), list(axis.labels), unit, decimals)
    assert all(lo <= t <= hi for t in axis.ticks)
    assert 3 <= len(axis.ticks) <= 5  # room for three to five on the smallest chart


def test_money_uses_one_scale_for_the_whole_axis() -> None:
    axis = charts.value_axis(0.0, 1_700_000.0, "gbp", 0)
    assert axis.labels == ("£0", "£0.5m", "£1.0m", "£1.5m")
    assert charts.value_axis(0.0, 900_000.0, "gbp", 0).labels == ("£0", "£400k", "£800k")
    assert charts.value_axis(-700_000.0, 200_000.0, "gbp", 0).labels == ("-£600k", "-£400k", "-£200k", "£0", "£200k")


def test_a_count_gets_no_gridline_between_whole_numbers() -> None:
    assert charts.value_axis(0.0, 2.4, "number", 0).ticks == (0.0, 1.0, 2.0)
    assert charts.value_axis(4.75, 5.25, "number", 0).ticks == (5.0,)  # fewer ticks rather than 4.8


@settings(max_examples=examples(300), deadline=None)
@given(
    lo=st.floats(-1e9, 1e9, allow_nan=False),
    span=st.floats(1e-3, 1e9, allow_nan=False),
    unit=st.sampled_from(["percent", "number", "gbp", "days", "rate", "ratio", "score"]),
    decimals=st.integers(0, 3),
)
def test_any_range_gets_exact_labels(lo: float, span: float, unit: str, decimals: int) -> None:
    hi = lo + span
    axis = charts.value_axis(lo, hi, unit, decimals)
    if axis.ticks:  # a range narrower than the indicator's precision may hold no tick at all
        assert_honest(list(axis.ticks), list(axis.labels), unit, decimals)
        assert all(lo <= t <= hi for t in axis.ticks)
    assert len(axis.ticks) <= 5


# --- the example report's appendix charts -------------------------------------------------------


@pytest.fixture(scope="module")
def july() -> Report:
    return build_report(EXAMPLE, "2019-07")


@pytest.fixture(scope="module")
def july_appendix(july: Report) -> Section:
    """The July report's appendix, its charts drawn once for the tests that read it."""
    return july.appendix()


def test_every_appendix_chart_of_the_july_report_labels_its_gridlines_exactly(
    july: Report, july_appendix: Section
) -> None:
    history = july.history.groupby("indicator")
    fy_start = july.dataset.organisation.financial_year_start_month
    checked = {}
    for r in july.card[july.card["kind"] == "measure"].itertuples(index=False):
        if r.id not in history.groups:
            continue
        fig = charts.trend_figure(history.get_group(r.id), r.title, r.unit, int(r.decimals), fy_start_month=fy_start)
        if fig is None:
            continue
        ticks, labels = shown_axis(fig.axes[0])
        assert_honest(ticks, labels, r.unit, int(r.decimals))
        checked[r.id] = labels
    assert len(checked) == 20  # the July report's twenty charts
    # one chart per measure with figures (a trend chart, or an SPC chart where the indicator asks for one)
    assert len([n for n in july_appendix.files if n.startswith("chart-")]) == 20


def test_the_appendix_draws_with_the_organisations_financial_year(july: Report, july_appendix: Section) -> None:
    # HR-01 is year to date: its chart must differ from one drawn as if the year started in January
    hr = july.history[july.history["indicator"] == "HR-01"]
    april = charts.trend_chart(hr, "Apprenticeships", "number", 0, fy_start_month=4)
    assert july_appendix.files[f"chart-{anchor('HR-01')}.svg"] == april.svg
    assert charts.trend_chart(hr, "Apprenticeships", "number", 0, fy_start_month=1).svg != april.svg


# --- lines: gaps and year ends --------------------------------------------------------------------


def series(
    start: str,
    figures: list[float | None],
    targets: list[float] | None = None,
    *,
    frequency: str = "monthly",
    aggregation: str = "snapshot",
    every: int = 1,
) -> pd.DataFrame:
    """Observation rows as scorecard.observations gives them (the columns the charts read)."""
    first = parse_period(start)
    return pd.DataFrame(
        {
            "period": [first + every * i for i in range(len(figures))],
            "value": [np.nan if v is None else v for v in figures],
            "target": targets if targets is not None else [np.nan] * len(figures),
            "frequency": frequency,
            "aggregation": aggregation,
        }
    )


def lines(fig, gid: str) -> list[list[int]]:
    """The periods of each drawn line with this gid, in drawing order."""
    return [[int(p) for p in line.get_xdata()] for line in fig.axes[0].lines if line.get_gid() == gid]


def test_a_year_to_date_measure_starts_again_in_april() -> None:
    ytd = series("2019-01", [30, 61, 95, 8, 20], [33, 66, 100, 10, 20], aggregation="cumulative")
    fig = charts.trend_figure(ytd, "Apprenticeship starts", "number", 0)
    mar, apr = parse_period("2019-03"), parse_period("2019-04")
    value, target = lines(fig, "value-line"), lines(fig, "target")
    assert len(value) == 2 and value[0][-1] == mar and value[1][0] == apr  # never March's total to April's
    assert len(target) == 2 and target[0][-1] == mar and target[1][0] == apr  # nor the profiled target
    assert "starts again each financial year" in fig.alt_text


def test_a_council_whose_year_starts_in_january_breaks_at_december() -> None:
    ytd = series("2018-11", [30, 61, 8, 20], aggregation="cumulative")
    assert lines(charts.trend_figure(ytd, "t", "number", 0), "value-line") == [
        [parse_period("2018-11") + i for i in range(4)]
    ]
    by_calendar = charts.trend_figure(ytd, "t", "number", 0, fy_start_month=1)
    assert [len(run) for run in lines(by_calendar, "value-line")] == [2, 2]


def test_a_gap_of_two_months_splits_a_monthly_line() -> None:
    gap = series("2019-01", [50, 52, None, None, 55, 56])
    fig = charts.trend_figure(gap, "Calls answered", "percent", 1)
    assert [len(run) for run in lines(fig, "value-line")] == [2, 2]
    assert "breaks where figures are missing" in fig.alt_text


def test_consecutive_quarter_ends_are_one_line() -> None:
    quarterly = series("2018-06", [40, 42, 45, 44, 47], [45] * 5, frequency="quarterly", every=3)
    fig = charts.trend_figure(quarterly, "Health checks taken up", "percent", 1)
    assert [len(run) for run in lines(fig, "value-line")] == [5] and [len(r) for r in lines(fig, "target")] == [5]
    # a snapshot measure is one line across the year end too
    snapshot = series("2019-01", [50, 52, 53, 55, 56])
    assert len(lines(charts.trend_figure(snapshot, "t", "percent", 1), "value-line")) == 1


@pytest.mark.parametrize(
    "periods, frequency, cumulative, expected",
    [
        ([0, 1, 2, 3], "monthly", False, [[0, 1, 2, 3]]),
        ([0, 1, 3, 4], "monthly", False, [[0, 1], [2, 3]]),  # one month missing is a gap
        ([2, 5, 8, 11], "quarterly", False, [[0, 1, 2, 3]]),
        ([2, 5, 11], "quarterly", False, [[0, 1], [2]]),
        ([3, 15, 27], "annual", True, [[0], [1], [2]]),
        ([24230, 24231], "monthly", True, [[0], [1]]),  # March 2019 to April 2019, year to date
        ([24230, 24231], "monthly", False, [[0, 1]]),
    ],
)
def test_line_runs(periods: list[int], frequency: str, cumulative: bool, expected: list[list[int]]) -> None:
    assert [list(r) for r in charts.line_runs(np.array(periods), frequency, cumulative)] == expected


def test_time_axis_labels_quarters_then_halves_then_years_and_months_inside_gaps() -> None:
    apr18, jul19 = parse_period("2018-04"), parse_period("2019-07")
    assert charts.month_ticks(apr18, jul19, 9) == [apr18 + 3 * i for i in range(6)]  # Apr, Jul, ..., Jul
    ten_years = charts.month_ticks(parse_period("2010-01"), parse_period("2019-12"), 9)
    assert len(ten_years) <= 9 and all(p % 12 == 3 for p in ten_years)  # Aprils: financial-year starts
    halves = charts.month_ticks(parse_period("2016-01"), parse_period("2019-12"), 9)
    assert [p % 12 for p in halves] == [0, 6] * 4
    # a gap in the figures still gets its quarter labels (April 2019 here)
    gap = series("2019-01", [50, 52, None, None, 55, 56]).dropna(subset=["value"])
    fig = charts.trend_figure(gap, "Calls answered", "percent", 1)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Jan\n19", "Apr\n19"]


# --- files and backends -----------------------------------------------------------------------------


def test_the_same_data_gives_the_same_svg_bytes() -> None:
    data = series("2019-01", [50, 52, 53, 55], [54] * 4)
    first, second = (charts.trend_chart(data, "t", "percent", 1) for _ in range(2))
    assert first.svg == second.svg and first.svg.startswith(b"<?xml") and b"<svg " in first.svg
    assert first.alt == "Line chart of t, January 2019 to April 2019: from 50.0% to 55.0%, against a target of 54%."


@pytest.mark.integration  # starts goldenthread or its chart workers as processes
def test_importing_and_drawing_leaves_the_analysts_backend_alone() -> None:
    # an analyst's notebook has its own backend (inline in JupyterLab); svg stands in for it here
    script = textwrap.dedent(f"""
        import matplotlib
        matplotlib.use("svg")
        import goldenthread.documents.report, goldenthread.explorer, goldenthread.documents.charts
        print(matplotlib.get_backend())
        report = goldenthread.documents.report.build_report({str(EXAMPLE)!r}, "2019-07")
        report.appendix()
        fig = goldenthread.explorer.history_chart(report.history, "ASC-01")
        fig.png(), fig.svg()
        print(matplotlib.get_backend(), type(fig.canvas).__name__)
        import matplotlib.pyplot as plt
        plt.plot([1, 2])
        print(type(plt.gcf().canvas).__module__)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "svg", "FigureCanvasAgg", "matplotlib.backends.backend_svg"]


# --- many charts: one canvas, worker processes, one copy in the notebook -----------------------------


def _july_requests(july: Report) -> list[chart_pool.TrendRequest]:
    history = july.history.groupby("indicator")
    fy_start = july.dataset.organisation.financial_year_start_month
    return [
        chart_pool.TrendRequest(history.get_group(r.id), r.title, r.unit, int(r.decimals), fy_start)
        for r in july.card[july.card["kind"] == "measure"].itertuples(index=False)
        if r.id in history.groups
    ]


#: Shapes that leave different state on a shared figure: long and short, gaps, a year-to-date
#: measure, money in millions, no target, a single figure (no chart), negative figures.
ODD_SERIES = [
    series("2017-04", [float(i) for i in range(30)], [20.0] * 30),
    series("2019-01", [5, 6], None),
    series("2019-01", [1, None, None, 4, 5], [3] * 5),
    series("2018-04", [10, 20, 30, 5, 15], [12, 24, 36, 6, 18], aggregation="cumulative"),
    series("2019-01", [1.5e6, 2.5e6, 0.8e6], [2e6] * 3),
    series("2019-01", [7], [7]),
    series("2019-01", [-3, 2, -1, 4], [0] * 4, frequency="quarterly", every=3),
]


def _odd_requests() -> list[chart_pool.TrendRequest]:
    units = ["percent", "number", "percent", "number", "gbp", "number", "gbp"]
    return [chart_pool.TrendRequest(h, f"odd {i}", units[i], 1) for i, h in enumerate(ODD_SERIES)]


#: Requests, and the charts this process draws for them alone.
DrawnAlone = tuple[list[chart_pool.TrendRequest], list[charts.Chart | None]]


@pytest.fixture(scope="module")
def drawn_alone(july: Report) -> DrawnAlone:
    """The July and odd requests, each chart drawn alone on a figure of its own: drawn once for the tests that
    compare other ways of drawing (one canvas, worker processes) with it."""
    requests = _july_requests(july) + _odd_requests()
    alone = [
        charts.trend_chart(r.history, r.title, r.unit, r.decimals, fy_start_month=r.fy_start_month) for r in requests
    ]
    return requests, alone


@pytest.fixture(scope="module")
def three_times(drawn_alone: DrawnAlone) -> DrawnAlone:
    """The July and odd requests three times over (enough batches for a worker and the caller to share them), with
    the charts drawn alone."""
    requests, alone = drawn_alone
    return requests * 3, alone * 3


def test_charts_drawn_one_after_another_on_one_canvas_are_the_charts_drawn_alone(drawn_alone: DrawnAlone) -> None:
    requests, alone = drawn_alone
    july = len(requests) - len(ODD_SERIES)
    canvas = charts.TrendCanvas()
    for i in [*range(len(requests)), *reversed(range(july))]:  # July and odd, then July backwards
        r = requests[i]
        shared = canvas.chart(r.history, r.title, r.unit, r.decimals, fy_start_month=r.fy_start_month)
        assert shared == alone[i], r.title


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_worker_process_draws_the_bytes_the_caller_draws(july: Report) -> None:
    # the worker alone takes every batch (no caller drawing beside it), so it certainly draws them
    requests = _july_requests(july) + _odd_requests()
    batches = [requests[i : i + chart_pool.BATCH] for i in range(0, len(requests), chart_pool.BATCH)]
    results: dict[int, list[charts.Chart | None]] = {}
    rc = {k: v for k, v in matplotlib.rcParams.items() if k not in chart_pool._NOT_COPIED}
    chart_pool._work(chart_pool._Queue(len(batches)), batches, rc, results)
    assert sorted(results) == list(range(len(batches)))
    drawn = [chart for i in sorted(results) for chart in results[i]]
    expected = [
        charts.trend_chart(r.history, r.title, r.unit, r.decimals, fy_start_month=r.fy_start_month) for r in requests
    ]
    assert drawn == expected
    assert sum(c is None for c in drawn) == 1  # the single figure


@pytest.mark.integration  # starts goldenthread or its chart workers as processes
def test_trend_charts_with_workers_or_without_gives_the_same_charts_in_order(three_times: DrawnAlone) -> None:
    requests, in_process = three_times
    assert chart_pool.trend_charts(requests, workers=1) == in_process


@pytest.mark.integration  # tries to start a chart worker
def test_charts_are_drawn_in_process_when_no_worker_can_start(july: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    requests = _july_requests(july)
    expected = chart_pool.trend_charts(requests, workers=0)
    monkeypatch.setattr(chart_pool.sys, "executable", str(ROOT / "no-such-python"))
    assert chart_pool.trend_charts(requests, workers=2) == expected


@pytest.fixture(autouse=True)
def _no_worker_left_ahead() -> Iterator[None]:
    """A test that starts chart workers ahead and fails before using them leaves none to the next test."""
    yield
    chart_pool._stop_started()


def test_the_environment_can_hold_a_report_to_fewer_chart_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    many = 500  # charts: enough for any number of workers
    monkeypatch.setenv(chart_pool.WORKERS_ENV, "0")
    assert chart_pool._worker_count(many, None) == 0 and chart_pool.start_workers(many) == 0
    monkeypatch.setenv(chart_pool.WORKERS_ENV, " 3 ")
    assert chart_pool._worker_count(many, None) == 3
    assert chart_pool._worker_count(many, 1) == 1  # a count given by the caller wins
    assert chart_pool._worker_count(chart_pool.POOL_MIN_CHARTS - 1, None) == 0  # too few charts for any
    for ignored in ("many", "-1", "1.5", ""):
        monkeypatch.setenv(chart_pool.WORKERS_ENV, ignored)
        assert chart_pool._worker_count(many, None) == chart_pool.available_cpus() - 1, ignored


def test_a_few_charts_start_no_worker_ahead() -> None:
    assert chart_pool.start_workers(chart_pool.POOL_MIN_CHARTS - 1) == 0
    assert chart_pool.start_workers(500, workers=0) == 0
    assert chart_pool._started == []


@pytest.mark.integration  # starts chart workers as processes
def test_workers_started_ahead_draw_the_charts_and_are_used_up(three_times: DrawnAlone) -> None:
    requests, expected = three_times
    assert chart_pool.start_workers(len(requests), workers=1) == 1
    assert chart_pool.start_workers(len(requests), workers=1) == 1  # asked again: the same one, not another
    ahead = chart_pool._started[0]
    assert chart_pool.trend_charts(requests, workers=1) == expected
    assert chart_pool._started == [] and ahead.poll() is not None  # it drew, and stopped when its input closed


@pytest.mark.integration  # starts chart workers as processes
def test_a_worker_started_ahead_that_died_is_replaced(three_times: DrawnAlone) -> None:
    requests, expected = three_times
    assert chart_pool.start_workers(len(requests), workers=1) == 1
    dead = chart_pool._started[0]
    dead.kill()
    dead.wait()
    assert chart_pool.trend_charts(requests, workers=1) == expected
    assert chart_pool._started == []


@pytest.mark.integration  # starts chart workers as processes
def test_workers_started_ahead_and_never_used_stop_with_the_caller(july: Report) -> None:
    assert chart_pool.start_workers(100, workers=1) == 1
    ahead = chart_pool._started[0]
    chart_pool._stop_started()  # what the caller's exit runs (atexit)
    assert chart_pool._started == [] and ahead.returncode == 0


def test_the_worker_loop_answers_each_batch_and_stops_at_the_end_of_its_input(july: Report) -> None:
    requests = _july_requests(july)[:3]
    stdin = io.BytesIO()
    chart_pool._send(stdin, {"font.size": 10.0})
    chart_pool._send(stdin, requests)
    stdin.seek(0)
    stdout = io.BytesIO()
    chart_pool.serve(stdin, stdout)
    stdout.seek(0)
    assert chart_pool._receive(stdout) == chart_pool.trend_charts(requests, workers=0)
    assert chart_pool._receive(stdout) is None


def test_each_chart_is_stored_once_in_the_appendixs_notebook_output(july_appendix: Section) -> None:
    section = july_appendix
    bundle = section._repr_mimebundle_()
    stored = json.dumps(bundle)
    payload = bundle[TYPST_MIME]
    charts = {name: data for name, data in section.files.items() if not name.startswith("icon-")}
    icons = len(section.files) - len(charts)
    # a chart for each of the 20 measures with figures, and a comparison chart for each of the 12 benchmarked
    assert len(charts) == 20 + 12 and icons > 0
    assert payload["files"] == {} and len(payload["html_files"]) == len(section.files)
    for data in charts.values():
        assert stored.count(base64.b64encode(data).decode("ascii")) == 1  # in the HTML only
    # no repr of the section (with every chart's bytes) as the text form
    assert bundle["text/plain"] == f"<report section: Appendix A: Performance scorecard, 32 charts, {icons} icons>"
    assert section_files(payload, bundle["text/html"]) == section.files


def test_the_pdf_step_takes_each_chart_from_the_html_and_refuses_a_missing_one(
    july_appendix: Section, tmp_path: Path
) -> None:
    section = july_appendix
    bundle = section._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data=bundle)]))
    render.typst_source(nb, tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in section.files} == section.files
    first = next(iter(section.files))
    output = nb.cells[0].outputs[0]
    output.data["text/html"] = output.data["text/html"].replace(base64.b64encode(section.files[first]).decode(), "AAAA")
    (tmp_path / "again").mkdir()
    with pytest.raises(ReportError, match=re.escape(first)):
        render.typst_source(nb, tmp_path / "again")


@pytest.mark.integration
def test_charts_drawn_by_workers_are_every_chart_in_the_html_and_the_pdf(
    example_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the example quarter: 41 measures, 20 of them charted, enough to draw them in worker processes
    monkeypatch.delenv(chart_pool.WORKERS_ENV)  # as on a council's machine (the tests draw in-process)
    folder = example_report
    html = (folder / "corporate_performance_report.html").read_text(encoding="utf-8")
    report = build_report(EXAMPLE, "2019-07")  # enough charts: its chart workers start now, before the appendix
    measures = int((report.dataset.indicators["kind"] == "measure").sum())
    assert measures >= chart_pool.POOL_MIN_CHARTS
    assert len(chart_pool._started) == chart_pool._worker_count(measures, None)
    files = report.appendix().files
    assert chart_pool._started == []
    expected = {name: data for name, data in files.items() if name.startswith("chart-ind-")}
    assert len(expected) == 20 and len(expected) >= chart_pool.POOL_MIN_CHARTS
    shown = re.findall(r'<figure class="gt-chart"><img [^>]*src="data:image/svg\+xml;base64,([^"]+)"', html)
    drawn = [data for name, data in files.items() if not name.startswith("icon-")]  # with the comparison charts
    assert sorted(shown) == sorted(base64.b64encode(b).decode("ascii") for b in drawn)
    # every chart in the PDF: its legend's words are text there, once per chart shown (copies included)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(folder / "corporate_performance_report.pdf").pages)
    trends = sum(
        report.chart_kind(name.removeprefix("chart-ind-").removesuffix(".svg")) == "trend" for name in expected
    )
    spc = len(expected) - trends
    assert text.count("Actual") == trends and text.count("Process limits") == spc > 0
    notebook = nbformat.read(folder / "corporate_performance_report.ipynb", as_version=4)
    appendix = [o for c in notebook.cells for o in c.get("outputs", []) if TYPST_MIME in o.get("data", {})][-1]
    assert len(appendix["data"][TYPST_MIME]["html_files"]) == len(files) and not appendix["data"][TYPST_MIME]["files"]


def test_the_appendix_style_is_seaborns_whitegrid() -> None:
    """The charts' style is written out (so the report's kernel need not import seaborn) and must not drift from
    seaborn's ``whitegrid``: a seaborn upgrade that changes it fails here, not silently in the charts."""
    import seaborn as sns

    from goldenthread.documents.charts import WHITEGRID

    expected = {k: v for k, v in dict(sns.axes_style("whitegrid")).items() if k != "image.cmap"}
    assert WHITEGRID == expected
