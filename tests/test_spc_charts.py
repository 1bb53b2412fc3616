"""The SPC (XmR) chart and the benchmark strip chart (issue 14): deterministic SVG in the trend chart's style,
lines per phase broken at a rebase, no limits for a phase with too few points, the council's dot at its
figure, data text kept as text, alt text that stands in for the chart, and PNG for Word."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.documents import charts
from goldenthread.documents.charts import Chart, benchmark_chart, phase_lines, spc_chart, strip_layout, strip_levels
from goldenthread.inputs.periods import parse_period
from goldenthread.measures import spc
from goldenthread.measures.benchmarking import quartiles
from goldenthread.measures.formatting import format_value
from goldenthread.output.images import chart_png

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"Smith's\" $x$ ]]>"


def months(start: str, n: int) -> list[str]:
    first = parse_period(start)
    return [f"{(first + i) // 12:04d}-{(first + i) % 12 + 1:02d}" for i in range(n)]


def texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def groups(svg: bytes, gid: str) -> int:
    """How many of the SVG's groups carry ``gid`` (matplotlib writes a line's gid as its group's id)."""
    return sum(1 for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("id") == gid)


# Example 1 of docs/spc.md (a screened spike) then, from 2021-04, a higher process of 16 points.
SPIKE = [20, 22, 21, 23, 22, 24, 23, 21, 22, 20, 21, 23, 22, 30, 22]
HIGHER = [30, 31, 29, 32, 30, 31, 33, 30, 29, 31, 30, 32, 31, 30, 29, 31]


def rebased(target: float | None = 28.0, polarity: str = "higher") -> spc.SpcResult:
    values = pd.Series(SPIKE + HIGHER, index=months("2020-01", len(SPIKE) + len(HIGHER)), dtype=float)
    return spc.xmr(values, polarity=polarity, target=target, rebase_at=["2021-04"])


def draw(result: spc.SpcResult, title: str = "Calls answered", target: float | None = 28.0, **kw: object) -> Chart:
    args: dict = {"unit": None, "decimals": 0, "polarity": "higher", "target": target} | kw
    chart = spc_chart(result.points, result.phases, title=title, **args)
    assert chart is not None
    return chart


def test_the_spc_chart_is_svg_and_the_same_data_gives_the_same_bytes() -> None:
    chart = draw(rebased())
    assert ET.fromstring(chart.svg).tag == f"{SVG}svg"
    assert chart.svg == draw(rebased()).svg
    assert chart.width == charts.TREND_WIDTH and chart.height >= charts.TREND_HEIGHT


def test_the_legend_says_in_words_what_each_line_and_mark_is() -> None:
    shown = texts(draw(rebased()).svg)
    for words in ("Figures", "Improvement", "Mean", "Process limits", "Target: 28", "Rebased"):
        assert words in shown, words
    # lower is better: the spike of example 1 is a concern, drawn and named as one
    concern = texts(draw(rebased(polarity="lower"), polarity="lower").svg)
    assert "Concern" in concern and "Improvement" not in concern
    # polarity none: a neutral special cause
    assert "Special cause" in texts(draw(rebased(polarity="none"), polarity="none").svg)


def test_every_text_is_at_least_12_css_px_on_screen_and_9_pt_on_paper() -> None:
    """Issue 13's sizes, as tests/test_svg_charts.py checks the trend chart's: the chart shown at its own
    width in the HTML, and at the PDF's chart width (9 cm) on paper."""
    for chart in (draw(rebased()), bench_chart(), bench_chart("lower", names={0: HOSTILE})):
        svg = chart.svg.decode()
        width_pt = float(ET.fromstring(chart.svg).get("width", "").removesuffix("pt"))
        sizes = {float(s) for s in re.findall(r"font-size: ([0-9.]+)px", svg)}
        assert sizes
        assert min(sizes) * chart.css_size[0] / width_pt >= 12
        assert min(sizes) * (9 / 2.54 * 72) / width_pt >= 9
        assert max(sizes) <= 10


def test_a_rebase_draws_the_mean_and_limits_once_per_phase() -> None:
    result = rebased()
    lines = phase_lines(result.phases)
    assert [(line.phase, line.start, line.end) for line in lines] == [
        (1, parse_period("2020-01"), parse_period("2021-03")),
        (2, parse_period("2021-04"), parse_period("2022-07")),
    ]
    assert lines[0].mean == pytest.approx(22.4)  # docs/spc.md example 1: 336 / 15
    assert (lines[0].lower, lines[0].upper) == pytest.approx((18.41, 26.39))
    svg = draw(result).svg
    assert groups(svg, "spc-mean") == 2 and groups(svg, "spc-limit") == 4 and groups(svg, "rebase") == 1


def test_a_phase_with_too_few_points_gets_no_mean_and_no_limits() -> None:
    values = pd.Series(SPIKE + [30, 31, 29, 32], index=months("2020-01", 19), dtype=float)
    result = spc.xmr(values, polarity="higher", target=28, rebase_at=["2021-04"])
    assert list(result.phases["status"]) == ["ok", "too_few_points"]
    assert [line.phase for line in phase_lines(result.phases)] == [1]
    chart = draw(result)
    assert groups(chart.svg, "spc-mean") == 1 and groups(chart.svg, "spc-limit") == 2
    assert "Too few points for SPC since the rebase (4 points)" in chart.alt
    # only too few points at all: the figures, and no line of the process
    alone = spc.xmr(pd.Series(SPIKE[:6], index=months("2020-01", 6), dtype=float), polarity="higher")
    chart = draw(alone, target=None)
    assert groups(chart.svg, "spc-mean") == 0 and groups(chart.svg, "spc-limit") == 0
    assert "Mean" not in texts(chart.svg) and "Too few points for SPC (6 points)" in chart.alt


def test_no_points_no_chart() -> None:
    empty = spc.xmr(pd.Series([np.nan, np.nan], index=months("2020-01", 2)), polarity="higher")
    assert (
        spc_chart(empty.points, empty.phases, title="x", unit=None, decimals=0, polarity="higher", target=None) is None
    )


@settings(max_examples=examples(40))
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=70),
    st.lists(st.integers(1, 69), max_size=3),
    st.integers(2, 20),
)
def test_phase_lines_are_one_per_reliable_phase_in_order_and_on_their_points(
    values: list[int], cuts: list[int], min_points: int
) -> None:
    periods = months("2019-04", len(values))
    result = spc.xmr(
        pd.Series(values, index=periods, dtype=float),
        polarity="higher",
        rebase_at=[periods[c] for c in cuts if c < len(values)],
        min_points=min_points,
    )
    lines = phase_lines(result.phases)
    assert len(lines) == int((result.phases["status"] == "ok").sum())
    for before, after in zip(lines, lines[1:]):
        assert before.end < after.start  # broken at each rebase: never joined, never overlapping
    points = result.points.assign(x=[parse_period(p) for p in result.points["period"]])
    for line in lines:
        own = points[points["phase"] == line.phase]
        assert len(own) >= min_points
        assert (line.start, line.end) == (own["x"].min(), own["x"].max())
        assert line.mean == pytest.approx(np.mean(own["value"]))
        assert line.lower <= line.mean <= line.upper
        assert np.allclose(own[["mean", "lower", "upper"]].to_numpy(), [line.mean, line.lower, line.upper])


@settings(max_examples=examples(25))
@given(
    st.lists(st.integers(0, 40), min_size=15, max_size=30),
    st.one_of(st.none(), st.integers(-5, 45)),
    st.sampled_from(["higher", "lower", "none"]),
)
def test_the_alt_text_gives_the_latest_limits_variation_and_assurance_as_spc_reads_them(
    values: list[int], target: int | None, polarity: str
) -> None:
    result = spc.xmr(
        pd.Series(values, index=months("2020-01", len(values)), dtype=float), polarity=polarity, target=target
    )
    chart = draw(result, target=target, polarity=polarity)
    latest = result.phases.iloc[-1]
    fmt = lambda v: format_value(v, None, 1)  # noqa: E731 - a mean and limits get one more decimal
    assert f"Mean {fmt(latest['mean'])}, process limits {fmt(latest['lower'])} to {fmt(latest['upper'])}." in chart.alt
    assert f"Latest: {spc.icon_texts(result.variation, result.side)[0]}." in chart.alt
    if result.assurance is not None:
        assert spc.ASSURANCE_TEXT[result.assurance] in chart.alt
    else:
        assert "Variation indicates" not in chart.alt
    special = int((result.points["special_cause"] != "").sum())
    assert (f"{special} of {len(values)} points" in chart.alt) == (special > 0)


def test_hostile_text_stays_text() -> None:
    chart = draw(rebased(), title=HOSTILE)
    root = ET.fromstring(chart.svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert HOSTILE in chart.alt  # the alt is plain text: every template escapes it
    bench = bench_chart(names={0: HOSTILE})
    assert not [e for e in ET.fromstring(bench.svg).iter() if e.tag.endswith("script")]
    assert any(HOSTILE.strip() in t for t in texts(bench.svg))  # the name as written, $ and all (no mathtext)


def test_periods_as_month_ordinals_draw_the_same_chart() -> None:
    result = rebased()
    points = result.points.assign(period=[parse_period(p) for p in result.points["period"]])
    phases = result.phases.assign(
        start=[parse_period(p) for p in result.phases["start"]], end=[parse_period(p) for p in result.phases["end"]]
    )
    chart = spc_chart(points, phases, title="Calls answered", unit=None, decimals=0, polarity="higher", target=28.0)
    assert chart is not None and chart.svg == draw(result).svg


# --- the benchmark chart -------------------------------------------------------------------------------

VALUES = [61.2, 55.0, 58.3, 58.3, 62.0, 64.1, 57.5, 59.9, 66.2, 53.1, 60.4, 60.4, 60.5, 58.0, 63.3, np.nan]


def group(names: dict[int, str] | None = None) -> pd.DataFrame:
    """A council (first row) and 15 neighbours, one without a figure (suppressed)."""
    area_names = [f"Area {i}" for i in range(len(VALUES))]
    area_names[0] = "Northshire"
    for i, name in (names or {}).items():
        area_names[i] = name
    return pd.DataFrame(
        {
            "area_code": [f"E0600{i:04d}" for i in range(len(VALUES))],
            "area_name": area_names,
            "value": VALUES,
            "is_us": [True] + [False] * (len(VALUES) - 1),
        }
    )


def bench_chart(polarity: str = "higher", names: dict[int, str] | None = None, **kw: object) -> Chart:
    q1, med, q3 = quartiles(VALUES)
    args: dict = {"reference": ("England", 59.1), "title": "Adults in work", "unit": "percent", "decimals": 1} | kw
    chart = benchmark_chart(group(names), median=med, lower_quartile=q1, upper_quartile=q3, polarity=polarity, **args)
    assert chart is not None
    return chart


def test_the_benchmark_chart_is_svg_small_and_deterministic() -> None:
    chart = bench_chart()
    assert ET.fromstring(chart.svg).tag == f"{SVG}svg"
    assert chart.svg == bench_chart().svg
    assert chart.width <= charts.TREND_WIDTH and chart.height <= charts.TREND_HEIGHT
    shown = texts(chart.svg)
    for words in ("Middle half of the group", "Median: 60.4%", "Other areas", "Higher is better \u2192"):
        assert words in shown, words
    assert any("Northshire 61.2%" in t for t in shown) and any("England 59.1%" in t for t in shown)
    assert "\u2190 Lower is better" in texts(bench_chart("lower").svg)
    assert not [t for t in texts(bench_chart("none").svg) if "better" in t]


def test_the_benchmark_alt_text_gives_the_figures_and_the_rank_in_words() -> None:
    # higher is better: 66.2, 64.1, 63.3, 62.0 are above Northshire's 61.2, so it is 5th of the 15 with a figure
    alt = bench_chart().alt
    assert "Northshire: 61.2%, 5th of 15." in alt
    assert "Median 60.4%; the middle half of the areas are from 58.2% to 61.6%." in alt
    assert "England: 59.1%." in alt and "Higher is better." in alt
    # lower is better: 10 areas are below 61.2
    assert "Northshire: 61.2%, 11th of 15." in bench_chart("lower").alt
    assert "11th highest" not in bench_chart("none").alt and "5th highest of 15" in bench_chart("none").alt


def test_the_councils_marker_is_at_its_figure() -> None:
    q1, med, q3 = quartiles(VALUES)
    fig = charts.benchmark_figure(
        group(),
        median=med,
        lower_quartile=q1,
        upper_quartile=q3,
        reference=None,
        title="t",
        unit="percent",
        decimals=1,
        polarity="higher",
    )
    assert fig is not None
    (us,) = [line for line in fig.axes[0].lines if line.get_gid() == "us"]
    assert np.asarray(us.get_xdata()).tolist() == [61.2]
    layout = strip_layout(group(), 0.5)
    assert len(layout) == 15  # the area without a figure has no dot
    assert layout.loc[layout["is_us"], "x"].tolist() == [61.2]


def test_no_figures_no_chart() -> None:
    empty = group().assign(value=np.nan)
    nothing = np.nan
    chart = benchmark_chart(
        empty,
        median=nothing,
        lower_quartile=nothing,
        upper_quartile=nothing,
        reference=None,
        title="t",
        unit=None,
        decimals=0,
        polarity="higher",
    )
    assert chart is None


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40), st.floats(0.0, 1e5))
def test_strip_levels_keep_every_dot_at_its_value_and_apart_in_its_row(values: list[float], gap: float) -> None:
    levels = strip_levels(values, gap)
    assert len(levels) == len(values)
    for level in set(levels.tolist()):
        row = sorted(v for v, lv in zip(values, levels) if lv == level)
        assert all(b - a >= gap for a, b in zip(row, row[1:]))
    assume(len(values) > 1)
    # rows fill from the middle out: a row is used only when every row nearer the middle is
    used = set(levels.tolist())
    for level in used:
        for nearer in range(-abs(level) + 1, abs(level)):
            assert nearer in used or -nearer in used


@pytest.mark.integration  # compiles Typst
def test_every_chart_converts_to_png_for_word() -> None:
    too_few = spc.xmr(pd.Series(SPIKE[:6], index=months("2020-01", 6), dtype=float), polarity="higher")
    for chart in (draw(rebased()), draw(too_few, target=None), bench_chart(), bench_chart("none", reference=None)):
        png = chart_png(chart.svg)
        assert png.startswith(b"\x89PNG")


def test_missing_figures_may_be_none_nan_or_pandas_na_and_zero_is_a_figure() -> None:
    result = rebased()
    nothing: list[Any] = [None, np.nan, pd.NA]
    for missing in nothing:
        chart = spc_chart(
            result.points, result.phases, title="t", unit=None, decimals=0, polarity="higher", target=missing
        )
        assert chart is not None and "Target" not in chart.alt
        bench = benchmark_chart(
            group(),
            median=missing,
            lower_quartile=missing,
            upper_quartile=missing,
            reference=("England", missing),
            title="t",
            unit=None,
            decimals=0,
            polarity="higher",
        )
        assert bench is not None and "Median" not in bench.alt and "England" not in bench.alt
    zero = group().assign(value=[0.0] * 8 + [1.0] * 8)
    bench = benchmark_chart(
        zero,
        median=0.5,
        lower_quartile=0.0,
        upper_quartile=1.0,
        reference=("England", 0.0),
        title="t",
        unit=None,
        decimals=1,
        polarity="higher",
    )
    assert bench is not None
    assert "the middle half of the areas are from 0.0 to 1.0" in bench.alt and "England: 0.0." in bench.alt
