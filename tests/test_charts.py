"""The chart module: honest value axes, lines that break at gaps and year ends, and no global backend."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, ROOT
from goldenthread.documents import charts
from goldenthread.documents.report import Report, anchor, build_report
from goldenthread.inputs.periods import parse_period

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


@settings(max_examples=300, deadline=None)
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


def test_every_appendix_chart_of_the_july_report_labels_its_gridlines_exactly(july: Report) -> None:
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
    assert len(july.appendix().files) == 20


def test_the_appendix_draws_with_the_organisations_financial_year(july: Report) -> None:
    # HR-01 is year to date: its PNG must differ from one drawn as if the year started in January
    hr = july.history[july.history["indicator"] == "HR-01"]
    april = charts.trend_chart(hr, "Apprenticeships", "number", 0, fy_start_month=4)
    assert july.appendix().files[f"chart-{anchor('HR-01')}.png"] == april.png
    assert charts.trend_chart(hr, "Apprenticeships", "number", 0, fy_start_month=1).png != april.png


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


def test_the_same_data_gives_the_same_png_bytes() -> None:
    data = series("2019-01", [50, 52, 53, 55], [54] * 4)
    first, second = (charts.trend_chart(data, "t", "percent", 1) for _ in range(2))
    assert first.png == second.png and first.png.startswith(b"\x89PNG")
    assert first.alt == "Line chart of t, January 2019 to April 2019: from 50.0% to 55.0%, against a target of 54%."


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
        fig.png()
        print(matplotlib.get_backend(), type(fig.canvas).__name__)
        import matplotlib.pyplot as plt
        plt.plot([1, 2])
        print(type(plt.gcf().canvas).__module__)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "svg", "FigureCanvasAgg", "matplotlib.backends.backend_svg"]
