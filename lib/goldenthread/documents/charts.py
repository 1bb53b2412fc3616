"""One chart module for every chart the library draws: the report's trend charts and the explorer's.

The shared primitives live here, so the appendix, the plans and the indicator explorer cannot
disagree about how a figure is drawn:

* :func:`value_axis`: value-axis ticks that sit on numbers which print exactly, with one number
  of decimals and one money scale (£, £k or £m) for the whole axis, so a gridline is never
  labelled with a rounded neighbour of its value ("92%" on a gridline at 91.5%);
* :func:`line_runs`: the runs a line is drawn in, broken where periods are missing and, for a
  year-to-date (cumulative) measure, at the financial-year end, where the total starts again;
* :func:`new_figure` and :func:`svg_bytes`: figures on their own Agg canvas, never through
  pyplot or the global backend, so importing the library leaves an analyst's own pyplot charts
  alone (JupyterLab's inline backend keeps working), and compact SVG with no date, no software
  version and ids from a fixed salt, so the same data gives the same bytes;
* the colours.

Charts are SVG (vector: sharp at any zoom and on paper) with their text as text in DejaVu Sans,
the face matplotlib ships and the PDF is set in, so the layout is measured with the same font on
every machine and Typst draws it with the font it embeds; a browser without DejaVu Sans falls back
to the page's own faces (Segoe UI, Arial), which are narrower, so the text still fits. Text as
paths would be font-proof too but would make each chart about twice as large, and a 410-indicator
report holds 410 of them.

Besides the trend chart, two charts of issue 14 share the same look: :func:`spc_chart`, an XmR chart
as Making Data Count draws it, and :func:`benchmark_chart`, a strip of a comparison group's figures with
the council's picked out.

Charts are made with matplotlib's object API (no global pyplot state, so a notebook can draw
dozens quickly) and seaborn's plain style.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any, TypeVar

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath
from matplotlib.ticker import Formatter, Locator
from matplotlib.transforms import Bbox

from goldenthread.documents.icons import COMMON, CONCERN, IMPROVEMENT, NEUTRAL
from goldenthread.inputs.periods import MONTH_NAMES, financial_year, parse_period
from goldenthread.measures.benchmarking import rank_phrase, rank_with_ties
from goldenthread.measures.direction_of_travel import FREQUENCY_STEP
from goldenthread.measures.formatting import format_period_name, format_target, format_value
from goldenthread.measures.spc import ASSURANCE_TEXT, icon_texts

__all__ = [
    "Chart",
    "ValueAxis",
    "value_axis",
    "nice_ticks",
    "tick_labels",
    "value_range",
    "use_value_axis",
    "line_runs",
    "month_ticks",
    "draw_runs",
    "ChartFigure",
    "new_figure",
    "png_bytes",
    "svg_bytes",
    "CHART_FONTS",
    "trend_figure",
    "trend_chart",
    "target_label",
    "compact_svg",
    "TREND_WIDTH",
    "TREND_HEIGHT",
    "TREND_FONT_SIZE",
    "TrendCanvas",
    "LINE",
    "TARGET",
    "PhaseLine",
    "phase_lines",
    "spc_figure",
    "spc_chart",
    "strip_levels",
    "strip_layout",
    "benchmark_figure",
    "benchmark_chart",
]

LINE = "#1d70b8"  # the figure: GOV.UK blue
TARGET = "#0b0c0c"  # the target: near black, readable on white and on the explorer's light status bands

#: Tick spacings, widest first, times a power of ten. No 2.5: every tick is then a whole number of
#: the spacing's last digit, so the axis needs no more decimals than the spacing itself. 4 sits
#: between 5 and 2 so that an axis never needs more than five ticks to have three.
NICE_STEPS = (5, 4, 2, 1)
#: At least this many ticks when the indicator's precision allows: with the widest spacing that
#: achieves it, an axis gets three to five, which the small appendix charts have room for.
MIN_TICKS = 3
#: Money scales, largest first: an axis whose largest tick reaches the threshold uses the scale.
#: The thresholds are formatting.format_value's, so an axis reads like the figures beside it.
MONEY_SCALES = ((1_000_000, 6, "m"), (10_000, 3, "k"), (0, 0, ""))

FigureT = TypeVar("FigureT", bound="ChartFigure")
#: Resolution of a chart's PNG (:meth:`ChartFigure.png`: Word, and front ends without SVG).
TREND_DPI = 150
#: The appendix chart's size in inches (9 x 5.08 cm) and its text size in points. The chart is drawn at the
#: size it is shown: in the HTML at 96 CSS px an inch (340 x 192 px, text 12.7 px) and in the PDF at 9 cm
#: wide (``gt-chart-width`` in goldenthread.typ, text 9.5 pt), so its text meets the 12 px on screen and
#: 9 pt on paper that issue 13 asks for.
TREND_WIDTH, TREND_HEIGHT = 9 / 2.54, 2.0
TREND_FONT_SIZE = 9.5
#: The face every chart's text is measured and set in (matplotlib ships DejaVu Sans, and it is the PDF's
#: own face), then the page's faces for a browser that lacks it: the SVG's text names them all, in order.
CHART_FONTS = ("DejaVu Sans", "Segoe UI", "Arial")
#: Salt for the ids matplotlib writes into an SVG (clip paths, markers): fixed, so the ids, and so the
#: bytes, are the same every build.
SVG_SALT = "goldenthread"
#: How matplotlib writes every chart's SVG: text as text (a twentieth of the size of glyph outlines,
#: searchable in the PDF), in :data:`CHART_FONTS`, with ids from :data:`SVG_SALT`.
SVG_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": SVG_SALT,
    "font.family": ["sans-serif"],
    "font.sans-serif": list(CHART_FONTS),
}


# --- the value axis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueAxis:
    """Ticks of a value axis and their labels: one decimals count and one money scale for all."""

    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def _decimal(value: float | Decimal) -> Decimal:
    """A tick as the decimal number it was chosen as: ``repr`` of a float is its shortest exact
    spelling, so 91.5 stays 91.5 and never becomes 91.4999999999999971578..."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _multiples(low: Decimal, high: Decimal, step: Decimal) -> list[Decimal]:
    return [k * step for k in range(math.ceil(low / step), math.floor(high / step) + 1)]


def nice_ticks(lo: float, hi: float, decimals: int, min_ticks: int = MIN_TICKS) -> list[Decimal]:
    """Tick values within ``[lo, hi]``: whole multiples of 1, 2, 4 or 5 times a power of ten.

    The spacing is the widest such step that still puts ``min_ticks`` ticks on the axis (so
    three to five), and never finer than the indicator's own precision (``decimals``): a count
    shown as whole numbers gets no gridline at 2.5, even if that leaves fewer ticks. Ticks are
    exact decimals, so they print exactly.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return []
    finest = Decimal(1).scaleb(-max(0, int(decimals)))
    low, high = _decimal(lo), _decimal(hi)
    if high == low:
        return _multiples(low, high, finest)
    power = Decimal(1).scaleb((high - low).adjusted() + 1)  # a step wider than the whole range
    while power >= finest:
        for s in NICE_STEPS:
            step = s * power
            ticks = _multiples(low, high, step) if step >= finest else []
            if len(ticks) >= min_ticks:
                return ticks
        power = power.scaleb(-1)
    return _multiples(low, high, finest)


def _money_scale(ticks: Sequence[Decimal]) -> tuple[int, str]:
    """One scale for the whole axis, from its largest tick: £800k beside £1.6m reads as a
    jump in units rather than in money, so both become £m (£0.8m, £1.6m)."""
    top = max((abs(t) for t in ticks), default=Decimal(0))
    return next((power, suffix) for threshold, power, suffix in MONEY_SCALES if top >= threshold)


def _places(numbers: Sequence[Decimal]) -> int:
    """The fewest decimals (at least 0) at which every number prints exactly."""
    return max((max(0, -int(n.normalize().as_tuple().exponent)) for n in numbers if n.is_finite()), default=0)


def tick_labels(ticks: Sequence[float | Decimal], unit: str | None) -> list[str]:
    """Labels for an axis's ticks, each exactly its tick's value, all at one decimals count.

    Money is written in one scale chosen for the whole axis; other units as
    :func:`goldenthread.measures.formatting.format_value` writes them (the figure is exact at the chosen
    decimals, so no rounding rule can change it).
    """
    numbers = [_decimal(t) for t in ticks]
    if unit == "gbp":
        power, suffix = _money_scale(numbers)
        scaled = [n.scaleb(-power) for n in numbers]
        places = _places(scaled)
        # zero is £0 in any scale ("£0k" reads as a typo)
        return ["£0" if n == 0 else f"{'-' if n < 0 else ''}£{abs(n):,.{places}f}{suffix}" for n in scaled]
    places = _places(numbers)
    return [format_value(float(n), unit, places) for n in numbers]


def value_axis(lo: float, hi: float, unit: str | None, decimals: int, min_ticks: int = MIN_TICKS) -> ValueAxis:
    """Ticks and labels for a value axis showing ``lo`` to ``hi`` of an indicator in ``unit``
    at ``decimals`` places: every label states its gridline's value exactly."""
    ticks = nice_ticks(lo, hi, decimals, min_ticks)
    return ValueAxis(tuple(float(t) for t in ticks), tuple(tick_labels(ticks, unit)))


def value_range(shown: np.ndarray, unit: str | None, pad: float = 0.12) -> tuple[float, float]:
    """Axis limits around the figures, targets and bands shown, with a margin.

    A count or a percentage that is never negative keeps the axis at or above zero; money can
    go below (an underspend), and so can any measure whose figures do.
    """
    shown = np.asarray(shown, dtype=float)
    shown = shown[np.isfinite(shown)]
    lo, hi = (float(shown.min()), float(shown.max())) if len(shown) else (0.0, 1.0)
    margin = (hi - lo) * pad or max(abs(hi) * 0.05, 1.0)
    low, high = lo - margin, hi + margin
    if unit != "gbp" and lo >= 0:
        low = max(low, 0.0)
    return low, high


class _ValueLocator(Locator):
    """:func:`nice_ticks` for whatever range the axis shows, so the ticks stay honest if an
    analyst changes the limits of a returned figure."""

    def __init__(self, decimals: int, min_ticks: int = MIN_TICKS) -> None:
        self.decimals, self.min_ticks = decimals, min_ticks

    def __call__(self) -> list[float]:
        assert self.axis is not None, "a locator is called only once set on an axis"
        lo, hi = self.axis.get_view_interval()
        return self.tick_values(lo, hi)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        lo, hi = sorted((float(vmin), float(vmax)))
        return [float(t) for t in nice_ticks(lo, hi, self.decimals, self.min_ticks)]


class _ValueFormatter(Formatter):
    """:func:`tick_labels` over all of an axis's ticks at once (one decimals count, one scale)."""

    def __init__(self, unit: str | None) -> None:
        self.unit = unit

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return tick_labels(values, self.unit)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return tick_labels([x], self.unit)[0]


def use_value_axis(ax: Any, lo: float, hi: float, unit: str | None, decimals: int) -> None:
    """Show ``lo`` to ``hi`` on ``ax``'s y axis with :func:`value_axis` ticks and labels."""
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(_ValueLocator(decimals))
    ax.yaxis.set_major_formatter(_ValueFormatter(unit))


# --- lines ----------------------------------------------------------------------------------------


def line_runs(
    periods: np.ndarray, frequency: str = "monthly", cumulative: bool = False, fy_start_month: int = 4
) -> list[np.ndarray]:
    """Positions of ``periods`` (ascending month ordinals) split into the runs a line may join.

    A run breaks where more than one period of the indicator's frequency is missing (a line
    across a gap would invent the figures in between), and, for a year-to-date measure, where
    the financial year changes: its total starts again from zero, and a line joining March's
    total to April's would suggest a collapse that never happened.
    """
    x = np.asarray(periods, dtype=np.int64)
    if not len(x):
        return []
    cut = np.diff(x) > FREQUENCY_STEP.get(str(frequency), 1)
    if cumulative:
        cut |= np.diff(financial_year(x, fy_start_month)) != 0
    return np.split(np.arange(len(x)), np.flatnonzero(cut) + 1)


def month_ticks(first: int, last: int, max_ticks: int, fy_start_month: int = 4) -> list[int]:
    """Month ordinals to label on a time axis from ``first`` to ``last``, at most ``max_ticks``.

    Quarter starts (Jan, Apr, Jul, Oct) when they fit, then half-year starts (Jan, Jul), then the
    start of every financial year (or every second, fifth ... for a long history), so a ten-year
    history of monthly figures does not print forty overlapping labels. Months in a gap in the
    figures are labelled too: the axis is time, not the list of figures.
    """
    for every, offset in ((3, 0), (6, 0)):
        ticks = [p for p in range(first, last + 1) if p % every == offset]
        if len(ticks) <= max_ticks:
            return ticks
    years = [p for p in range(first, last + 1) if p % 12 == fy_start_month - 1]
    stride = next(s for s in (1, 2, 5, 10, 20, 50, 100) if len(years[::s]) <= max_ticks or s == 100)
    return years[::stride]


def draw_runs(
    ax: Any,
    x: np.ndarray,
    y: np.ndarray,
    runs: list[np.ndarray],
    *,
    label: str | None = None,
    gid: str | None = None,
    lone_marker: str | None = None,
    **style: Any,
) -> list[Line2D]:
    """One line per run (the legend label on the first only). A run of one point would draw
    nothing as a line, so it gets ``lone_marker`` if one is given."""
    lines: list[Line2D] = []
    for run in runs:
        extra = {"marker": lone_marker} if lone_marker and len(run) == 1 else {}
        (line,) = ax.plot(x[run], y[run], label=label if not lines else "_nolegend_", gid=gid, **style, **extra)
        lines.append(line)
    return lines


# --- figures ---------------------------------------------------------------------------------------


class ChartFigure(Figure):
    """A matplotlib Figure that carries its alt text and shows itself with it in a notebook.

    A bare image in a notebook or its HTML export has no text alternative; the report's charts
    all have one, and a chart shown in a notebook should too: there it shows as
    ``<img alt=...>`` (see ``_repr_mimebundle_``).
    """

    alt_text: str = ""

    def png(self, dpi: float | None = None) -> bytes:
        """PNG bytes at ``dpi`` (the figure's own by default); see :func:`png_bytes`."""
        return png_bytes(self, dpi)

    def svg(self) -> bytes:
        """SVG bytes; see :func:`svg_bytes`."""
        return svg_bytes(self)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """SVG in an ``<img>`` with alt text for notebooks and their HTML export (an image keeps its
        own ids and styles apart from the page's, and a screen reader reads its alt as it reads any
        image's), the SVG itself for other front ends, with the alt text in its metadata, and the alt
        text as plain text (what a terminal gets)."""
        svg = self.svg()  # drawn once for all
        data = base64.b64encode(svg).decode("ascii")
        width, height = (round(v * 96) for v in self.get_size_inches())
        html = (
            f'<figure style="margin:0"><img src="data:image/svg+xml;base64,{data}" alt="{escape(self.alt_text)}" '
            f'width="{width}" height="{height}" style="max-width:100%;height:auto"></figure>'
        )
        bundle = {"text/html": html, "image/svg+xml": svg.decode("utf-8"), "text/plain": self.alt_text}
        return bundle, {"image/svg+xml": {"alt": self.alt_text}}


def new_figure(figure_class: type[FigureT], width: float, height: float, dpi: int) -> FigureT:
    """A figure on its own Agg canvas: drawn without pyplot and without touching the global
    backend, so importing the library never changes what an analyst's own ``plt`` cells show."""
    fig = figure_class(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """PNG bytes of ``fig``; no software version in the metadata, so the same data gives the same bytes."""
    buf = io.BytesIO()
    fonts: dict[Any, Any] = {k: v for k, v in SVG_STYLE.items() if k.startswith("font.")}
    with matplotlib.rc_context(fonts):
        fig.savefig(buf, format="png", dpi=dpi if dpi is not None else "figure", metadata={"Software": None})
    return buf.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    """Compact SVG of ``fig``: the same figure gives the same bytes (no date, no software version,
    ids from a fixed salt), whatever matplotlib settings are in force when it is saved.

    matplotlib writes the SVG's font names and ids when it saves, from the settings of that moment, so
    they are fixed here (:data:`SVG_STYLE`) rather than left to the caller's.
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return compact_svg(buf.getvalue().decode("utf-8")).encode("utf-8")


#: The ids matplotlib numbers every group with (``line2d_3``, ``xtick_2`` ...): nothing refers to them.
_AUTO_ID = re.compile(
    r' id="(?:figure|axes|patch|line2d|text|xtick|ytick|matplotlib\.axis|legend|PathCollection|LineCollection)_\d+"'
)
#: Attributes that hold coordinates (a path's data, positions, transforms).
_COORDINATES = re.compile(r'( (?:d|x|y|transform|viewBox|width|height)=")([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")
#: The font names as matplotlib writes them on each text in :data:`CHART_FONTS`.
_FAMILIES = ", ".join(f"'{name}'" for name in CHART_FONTS) + ", sans-serif"


def _short_number(found: re.Match[str]) -> str:
    """A coordinate to a hundredth of a point (a fortieth of a pixel at 400% zoom), without trailing zeros."""
    text = f"{float(found.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _coordinates(found: re.Match[str]) -> str:
    value = _NUMBER.sub(_short_number, found.group(2))
    value = re.sub(r"\s+", " ", value).strip()
    value = re.sub(r" ?([MLCQZz]) ?", r"\1", value) if found.group(1) == ' d="' else value
    return f'{found.group(1)}{value}"'


def _unwrap_bare_groups(svg: str) -> str:
    """Drop every ``<g>`` without attributes (matplotlib's numbered groups, once their ids are gone),
    keeping what it holds: it groups nothing a renderer needs."""
    out: list[str] = []
    bare: list[bool] = []
    last = 0
    for tag in re.finditer(r"<g>|<g [^>]*>|</g>", svg):
        out.append(svg[last : tag.start()])
        last = tag.end()
        if tag.group() == "</g>":
            if not bare.pop():
                out.append(tag.group())
        else:
            bare.append(tag.group() == "<g>")
            if not bare[-1]:
                out.append(tag.group())
    out.append(svg[last:])
    return "".join(out)


def compact_svg(svg: str) -> str:
    """matplotlib's SVG without what a reader never sees: the DOCTYPE and metadata, numbered group ids,
    coordinates beyond a hundredth of a point, indentation, and the font names repeated on every
    text (named once, on the root, where every text inherits them). About half the size; drawn the same."""
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<[^>]+>", lambda tag: _compact_tag(tag.group()), svg)  # text never holds a bare < or >
    svg = _unwrap_bare_groups(svg)
    svg = re.sub(r">\s+<", "><", svg)
    return svg.replace("<svg ", f'<svg font-family="{_FAMILIES}" ', 1).strip() + "\n"


def _compact_tag(tag: str) -> str:
    """One tag of :func:`compact_svg`: its attributes only, so a chart's text (an indicator's title in the
    explorer) is never touched, whatever it says."""
    tag = _AUTO_ID.sub("", tag)
    tag = _COORDINATES.sub(_coordinates, tag)
    return tag.replace(f"font-family: {_FAMILIES}; ", "").replace(f'; font-family: {_FAMILIES}"', '"')


# --- the report's trend chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart as a report stores it: SVG bytes, its alt text, and its size in inches (the size it is shown at)."""

    svg: bytes
    alt: str
    width: float = TREND_WIDTH
    height: float = TREND_HEIGHT

    @property
    def css_size(self) -> tuple[int, int]:
        """Width and height in CSS pixels (96 an inch): the ``<img>`` size at which its text is the size intended."""
        return round(self.width * 96), round(self.height * 96)


def _first(h: pd.DataFrame, column: str, default: str) -> str:
    """A per-indicator column (``frequency``, ``aggregation``) of an observations frame; a bare
    frame of periods and values is taken as a monthly snapshot."""
    return str(h[column].iloc[0]) if column in h.columns and pd.notna(h[column].iloc[0]) else default


@dataclass(frozen=True)
class _Trend:
    """One indicator's figures as the trend chart draws them: oldest first, with their runs."""

    h: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    target: np.ndarray
    runs: list[np.ndarray]


def _trend(history: pd.DataFrame, fy_start_month: int) -> _Trend | None:
    """The figures to draw, or ``None`` with under two (no line to show)."""
    h = history.dropna(subset=["value"]).sort_values("period")
    if len(h) < 2:
        return None
    x = h["period"].to_numpy(dtype=np.int64)
    cumulative = _first(h, "aggregation", "snapshot") == "cumulative"
    runs = line_runs(x, _first(h, "frequency", "monthly"), cumulative, fy_start_month)
    return _Trend(h, x, h["value"].to_numpy(dtype=float), h["target"].to_numpy(dtype=float), runs)


#: seaborn's ``whitegrid`` style (``seaborn.axes_style("whitegrid")``, seaborn 0.13) as matplotlib settings, less
#: its ``image.cmap`` (no chart here draws an image). Written out rather than asked of seaborn so that the report's
#: kernel does not import seaborn (half a second, and ipywidgets with it) on the way to drawing its charts;
#: ``tests/test_charts.py`` checks it still equals seaborn's.
WHITEGRID: dict[Any, Any] = {
    "figure.facecolor": "white",
    "axes.labelcolor": ".15",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.color": ".15",
    "ytick.color": ".15",
    "axes.axisbelow": True,
    "grid.linestyle": "-",
    "text.color": ".15",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.top": False,
    "ytick.right": False,
    "axes.grid": True,
    "axes.facecolor": "white",
    "axes.edgecolor": ".8",
    "grid.color": ".8",
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "xtick.bottom": False,
    "ytick.left": False,
}


def _trend_style() -> Any:
    """The appendix charts' look: seaborn's white grid, text at :data:`TREND_FONT_SIZE` in :data:`CHART_FONTS`
    (a context manager)."""
    stack = contextlib.ExitStack()
    stack.enter_context(matplotlib.rc_context(WHITEGRID))
    stack.enter_context(matplotlib.rc_context({"font.size": TREND_FONT_SIZE, **SVG_STYLE}))
    return stack


def _trend_axes(fig: Figure) -> Any:
    """The chart's one axes, without the top and right frame (its margins are set per chart, see :func:`_fit`)."""
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0, pad=3)
    return ax


_text_widths: TextToPath | None = None


def _text_width(text: str, size: float) -> float:
    """The width of ``text`` in points, set in DejaVu Sans at ``size``: measured from the font, without drawing."""
    global _text_widths
    _text_widths = _text_widths or TextToPath()
    width, _, _ = _text_widths.get_text_width_height_descent(
        text, FontProperties(family=CHART_FONTS[0], size=size), False
    )
    return float(width)


#: The legend's spacing, in font sizes: the sample line, the gap after it, and the gap between entries.
LEGEND_HANDLE, LEGEND_PAD, LEGEND_GAP = 2.4, 0.8, 1.4


def _legend_columns(labels: Sequence[str], width_pt: float) -> int:
    """The legend's entries side by side when they fit across the chart, else one under another (a long
    target such as "Target: 1,234,567.5 (latest)" would otherwise run off the edge)."""
    em = TREND_FONT_SIZE
    across = sum((LEGEND_HANDLE + LEGEND_PAD) * em + _text_width(label, em) for label in labels)
    across += LEGEND_GAP * em * (len(labels) - 1)
    return len(labels) if across <= width_pt - 8 else 1


def _fit(fig: Figure, axis: ValueAxis, legend_rows: int) -> None:
    """Margins that fit the chart's own labels: the widest value label on the left, the legend's rows above,
    two lines of month and year below, half a month label on the right. Measured rather than fixed, so
    "£1,500k" is never cut off and "5" leaves no wide gap."""
    width_pt, height_pt = (v * 72 for v in fig.get_size_inches())
    label = max((_text_width(text, TREND_FONT_SIZE) for text in axis.labels), default=0.0)
    left = (label + 3 + 5) / width_pt
    right = 1 - (_text_width("Mmm", TREND_FONT_SIZE) / 2 + 3) / width_pt
    top = 1 - TREND_FONT_SIZE * (0.8 + 1.3 * legend_rows) / height_pt
    bottom = (TREND_FONT_SIZE * 2.6 + 4) / height_pt
    fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom)


def target_label(target: np.ndarray, unit: str | None, decimals: int) -> str | None:
    """The target line's legend entry, in words and with its figure ("Target: 90%"), so the line is never
    explained by its dashes alone; a target that changed over the chart gives its latest ("Target: 36
    (latest)"). ``None`` without any target."""
    set_ = target[~np.isnan(target)]
    if not len(set_):
        return None
    text = f"Target: {format_target(float(set_[-1]), unit, decimals)}"
    return text if np.all(set_ == set_[-1]) else f"{text} (latest)"


def _draw_trend(ax: Any, trend: _Trend, unit: str | None, decimals: int, fy_start_month: int) -> None:
    """The figures (the latest one larger), the target (stepped, dashed), a legend naming both with the
    target's figure, month ticks and the value axis."""
    x, y, t, runs = trend.x, trend.y, trend.target, trend.runs
    target = target_label(t, unit, decimals)
    targets = (
        draw_runs(
            ax,
            x,
            t,
            runs,
            label=target,
            gid="target",
            lone_marker="_",
            color=TARGET,
            linestyle="--",
            linewidth=1.2,
            drawstyle="steps-mid",
        )
        if target is not None
        else []
    )
    figures = draw_runs(
        ax, x, y, runs, label="Actual", gid="value-line", color=LINE, marker="o", markersize=3.5, linewidth=1.6
    )
    handles = figures[:1] + targets[:1]  # the figures first in the legend, drawn over the target
    width_pt = ax.figure.get_size_inches()[0] * 72
    columns = _legend_columns([str(h.get_label()) for h in handles], width_pt)
    ax.plot(x[-1:], y[-1:], color=LINE, marker="o", markersize=6.5)
    ticks = month_ticks(int(x[0]), int(x[-1]), 9, fy_start_month) or list(x[:: max(1, len(x) // 4)])
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{MONTH_NAMES[p % 12][:3]}\n{p // 12 % 100:02d}" for p in ticks])
    lo, hi = value_range(np.concatenate([y, t]), unit, pad=0.08)
    use_value_axis(ax, lo, hi, unit, decimals)
    ax.legend(
        handles=handles,
        loc="upper left",  # from the chart's top left corner, so the whole width is the legend's
        bbox_to_anchor=(3 / width_pt, 1 - 3 / (ax.figure.get_size_inches()[1] * 72)),
        bbox_transform=ax.figure.transFigure,
        ncols=columns,
        frameon=False,
        borderaxespad=0,
        borderpad=0,
        handlelength=LEGEND_HANDLE,
        handletextpad=LEGEND_PAD,
        columnspacing=LEGEND_GAP,
        labelspacing=0.3,
    ).set_gid("legend")
    _fit(ax.figure, value_axis(lo, hi, unit, decimals), len(handles) // columns)


def trend_figure(
    history: pd.DataFrame,
    title: str,
    unit: str | None,
    decimals: int,
    *,
    fy_start_month: int = 4,
    width: float = TREND_WIDTH,
    height: float = TREND_HEIGHT,
) -> ChartFigure | None:
    """The appendix's small chart of one indicator's figures against its target, as a Figure,
    or ``None`` with under two figures.

    ``history`` is the indicator's rows of :func:`goldenthread.measures.scorecard.observations`
    (``period``, ``value``, ``target``, ``frequency``, ``aggregation``). Lines break at gaps and,
    for a year-to-date measure, at the end of the financial year starting in ``fy_start_month``.
    """
    trend = _trend(history, fy_start_month)
    if trend is None:
        return None
    with _trend_style():
        fig = new_figure(ChartFigure, width, height, TREND_DPI)
        _draw_trend(_trend_axes(fig), trend, unit, decimals, fy_start_month)
    fig.alt_text = _trend_alt(trend, title, unit, decimals)
    return fig


def trend_chart(
    history: pd.DataFrame,
    title: str,
    unit: str | None,
    decimals: int,
    *,
    fy_start_month: int = 4,
    width: float = TREND_WIDTH,
    height: float = TREND_HEIGHT,
) -> Chart | None:
    """:func:`trend_figure` as SVG bytes with its alt text, or ``None`` with under two figures."""
    fig = trend_figure(history, title, unit, decimals, fy_start_month=fy_start_month, width=width, height=height)
    if fig is None:
        return None
    return Chart(fig.svg(), fig.alt_text, width, height)


class TrendCanvas:
    """Many :func:`trend_chart` charts drawn on one figure, each the same bytes as on a new one.

    Making a figure, its axes and their ticks is about half of a small chart's cost; drawing a
    batch of charts on one figure, with only the lines, the legend and the axes' settings replaced
    between them, skips it. ``tests/test_charts.py`` holds the two ways to the same bytes.
    """

    def __init__(self, width: float = TREND_WIDTH, height: float = TREND_HEIGHT) -> None:
        with _trend_style():
            self.fig = new_figure(ChartFigure, width, height, TREND_DPI)
            self.ax = _trend_axes(self.fig)
        self.width, self.height = width, height

    def chart(
        self, history: pd.DataFrame, title: str, unit: str | None, decimals: int, *, fy_start_month: int = 4
    ) -> Chart | None:
        """:func:`trend_chart` on this canvas."""
        trend = _trend(history, fy_start_month)
        if trend is None:
            return None
        ax = self.ax
        for line in list(ax.lines):
            line.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.dataLim.set_points(Bbox.null().get_points())
        ax.ignore_existing_data_limits = True
        ax.set_autoscalex_on(True)
        ax.set_autoscaley_on(True)
        with _trend_style():
            _draw_trend(ax, trend, unit, decimals, fy_start_month)
            svg = svg_bytes(self.fig)
        return Chart(svg, _trend_alt(trend, title, unit, decimals), self.width, self.height)


def _trend_alt(trend: _Trend, title: str, unit: str | None, decimals: int) -> str:
    return _alt_text(trend.h, title, unit, decimals, len(trend.runs) > 1)


def _alt_text(h: pd.DataFrame, title: str, unit: str | None, decimals: int, broken: bool) -> str:
    first, last = h.iloc[0], h.iloc[-1]
    text = (
        f"Line chart of {title}, {format_period_name(first['period'])} to {format_period_name(last['period'])}: "
        f"from {format_value(first['value'], unit, decimals)} to {format_value(last['value'], unit, decimals)}"
    )
    if not np.isnan(last["target"]):
        text += f", against a target of {format_target(last['target'], unit, decimals)}"
    text += "."
    if broken:
        text += (
            " The line starts again each financial year (a year-to-date total)."
            if _first(h, "aggregation", "snapshot") == "cumulative"
            else " The line breaks where figures are missing."
        )
    return text


# --- shared by the SPC and benchmark charts ------------------------------------------------------------


def _plain_text_style() -> Any:
    """:func:`_trend_style` with mathtext off, so a ``$`` in an area's name is a dollar sign, never maths."""
    stack = _trend_style()
    stack.enter_context(matplotlib.rc_context({"text.parse_math": False}))
    return stack


#: The SPC and benchmark charts' legend spacing, in font sizes (a shorter sample line than the trend chart's,
#: as these legends have more entries).
KEY_HANDLE, KEY_PAD, KEY_GAP = 1.8, 0.6, 1.2


def legend_columns(labels: Sequence[str], width_pt: float, size: float = TREND_FONT_SIZE) -> int:
    """The most columns a legend of ``labels`` fits across ``width_pt`` in (matplotlib fills a legend's
    columns top to bottom, and each column is as wide as its widest entry), at least one."""
    widths = [(KEY_HANDLE + KEY_PAD) * size + _text_width(label, size) for label in labels]
    for columns in range(len(widths), 1, -1):
        rows = math.ceil(len(widths) / columns)
        per_column = [max(widths[i : i + rows]) for i in range(0, len(widths), rows)]
        if sum(per_column) + KEY_GAP * size * (len(per_column) - 1) <= width_pt - 8:
            return len(per_column)
    return 1


def _key(fig: Figure, handles: list[Any], columns: int) -> None:
    """The legend above the axes from the figure's top left corner, as the trend chart's."""
    width_pt, height_pt = (v * 72 for v in fig.get_size_inches())
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(3 / width_pt, 1 - 3 / height_pt),
        ncols=columns,
        frameon=False,
        borderaxespad=0,
        borderpad=0,
        handlelength=KEY_HANDLE,
        handletextpad=KEY_PAD,
        columnspacing=KEY_GAP,
        labelspacing=0.3,
    ).set_gid("legend")


def _legend_height(rows: int) -> float:
    """Inches the legend's rows beyond the first add to a chart (so extra rows never squeeze the plot)."""
    return max(0, rows - 1) * 1.3 * TREND_FONT_SIZE / 72


def _number(value: Any) -> float | None:
    """A figure as a float, or None when there is none (None, NaN, pandas' NA, an infinity)."""
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _or_nan(value: Any) -> float:
    """:func:`_number`, with NaN for none (a median of 0 stays 0)."""
    number = _number(value)
    return np.nan if number is None else number


def _ordinals(periods: pd.Series) -> np.ndarray:
    """Periods as month ordinals: spc's 'YYYY-MM' text, or ordinals already."""
    if pd.api.types.is_numeric_dtype(periods):
        numbers: np.ndarray = periods.to_numpy(dtype=np.int64)
        return numbers
    return np.array([parse_period(str(p)) for p in periods], dtype=np.int64)


# --- the SPC (XmR) chart ----------------------------------------------------------------------------------

SPC_LINE = COMMON  # the figures and their common-cause points: dark grey, as Making Data Count
SPC_MEAN = "#0b0c0c"  # the mean: solid, near black
SPC_LIMIT = "#6f777b"  # the process limits: dashed, mid grey (4.6:1 on white)
#: Special-cause points: the icons' colours, and a different marker for each, so colour is never the only cue.
SPECIAL_MARKERS: dict[str, tuple[str, str, str]] = {
    "improvement": (IMPROVEMENT, "o", "Improvement"),
    "concern": (CONCERN, "D", "Concern"),
    "neutral": (NEUTRAL, "s", "Special cause"),
}


@dataclass(frozen=True)
class PhaseLine:
    """The mean and process limits of one phase, drawn from its first point (``start``) to its last
    (``end``, month ordinals)."""

    phase: int
    start: int
    end: int
    mean: float
    lower: float
    upper: float


def phase_lines(phases: pd.DataFrame) -> list[PhaseLine]:
    """The mean and limits an XmR chart draws: one :class:`PhaseLine` per phase with enough points, in order.

    ``phases`` is one indicator's rows of ``SpcTable.phases``. Each phase has its own lines, so a rebase
    breaks them (a line joining two phases' means would invent a change in between); a phase with too few
    points for SPC gets none (its limits would be unreliable, and the caller says so in words).
    """
    ok = phases[phases["status"].astype(str) == "ok"].sort_values("phase")
    starts, ends = _ordinals(ok["start"]), _ordinals(ok["end"])
    return [
        PhaseLine(int(row.phase), int(a), int(b), float(row.mean), float(row.lower), float(row.upper))
        for row, a, b in zip(ok.itertuples(index=False), starts, ends)
    ]


def _assurance(target: float | None, line: PhaseLine | None, polarity: str) -> str | None:
    """spc's assurance rule on the latest phase's limits (a target on a limit is hit and miss)."""
    if target is None or not np.isfinite(target) or line is None or polarity not in ("higher", "lower"):
        return None
    if target > line.upper:
        return "consistently_failing" if polarity == "higher" else "consistently_passing"
    if target < line.lower:
        return "consistently_passing" if polarity == "higher" else "consistently_failing"
    return "hit_and_miss"


def _month_axis(ax: Any, first: int, last: int, fy_start_month: int, x: np.ndarray) -> None:
    ticks = month_ticks(first, last, 9, fy_start_month) or list(x[:: max(1, len(x) // 4)])
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{MONTH_NAMES[p % 12][:3]}\n{p // 12 % 100:02d}" for p in ticks])


def spc_figure(
    points: pd.DataFrame,
    phases: pd.DataFrame,
    *,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
    target: float | None,
    fy_start_month: int = 4,
    width: float = TREND_WIDTH,
    height: float = TREND_HEIGHT,
) -> ChartFigure | None:
    """One indicator's XmR chart as Making Data Count draws it, as a Figure; ``None`` without points.

    The figures as a grey line with points; each phase's mean (solid) and process limits (dashed), broken
    at a rebase, which is marked "Rebased"; special-cause points in the icons' colours with their own
    markers (improvement a blue circle, concern an orange diamond, neutral a purple square); the target
    as a dotted line. A phase with too few points has no mean or limits. ``points`` and ``phases`` are
    one indicator's rows of ``SpcTable.points`` and ``SpcTable.phases``. The legend grows a row at a time
    as it needs, and the chart grows with it, so the plot keeps the trend chart's height.
    """
    p = points.dropna(subset=["value"])
    if p.empty:
        return None
    x = _ordinals(p["period"])
    order = np.argsort(x, kind="stable")
    p, x = p.iloc[order], x[order]
    y = p["value"].to_numpy(dtype=float)
    variation = p["variation"].to_numpy(dtype=object) if "variation" in p.columns else np.full(len(p), None)
    lines = phase_lines(phases)
    target = _number(target)
    handles: list[Any] = []
    with _plain_text_style():
        fig = new_figure(ChartFigure, width, height, TREND_DPI)
        ax = _trend_axes(fig)
        (figures,) = ax.plot(
            x, y, color=SPC_LINE, marker="o", markersize=3, linewidth=1.2, label="Figures", gid="value-line"
        )
        handles.append(figures)
        for kind, (colour, marker, label) in SPECIAL_MARKERS.items():
            special = variation == kind
            if special.any():
                (dots,) = ax.plot(
                    x[special],
                    y[special],
                    linestyle="none",
                    marker=marker,
                    markersize=5.5 if marker == "o" else 5,
                    color=colour,
                    markeredgecolor="white",
                    markeredgewidth=0.6,
                    label=label,
                    gid=f"spc-{kind}",
                    zorder=4,
                )
                handles.append(dots)
        for i, line in enumerate(lines):
            span = [line.start, line.end]
            (mean,) = ax.plot(
                span,
                [line.mean] * 2,
                color=SPC_MEAN,
                linewidth=1.1,
                gid="spc-mean",
                label="Mean" if i == 0 else "_nolegend_",
            )
            (upper,) = ax.plot(
                span,
                [line.upper] * 2,
                color=SPC_LIMIT,
                linewidth=1.1,
                linestyle=(0, (4, 2)),
                gid="spc-limit",
                label="Process limits" if i == 0 else "_nolegend_",
            )
            ax.plot(
                span,
                [line.lower] * 2,
                color=SPC_LIMIT,
                linewidth=1.1,
                linestyle=(0, (4, 2)),
                gid="spc-limit",
                label="_nolegend_",
            )
            if i == 0:
                handles += [mean, upper]
        if target is not None:
            label = f"Target: {format_target(target, unit, decimals)}"
            handles.append(ax.axhline(target, color=TARGET, linestyle=":", linewidth=1.5, label=label, gid="target"))
        shown = [y, [target if target is not None else np.nan]]
        shown += [[line.mean, line.lower, line.upper] for line in lines]
        lo, hi = value_range(np.concatenate([np.asarray(v, dtype=float) for v in shown]), unit, pad=0.08)
        starts = sorted({int(s) for s in _ordinals(phases["start"])} - {int(x[0])}) if len(phases) else []
        starts = [s for s in starts if x[0] < s <= x[-1]]
        if starts:
            hi += (hi - lo) * 0.16  # room for the "Rebased" labels above the figures
        for s in starts:
            edge = s - 0.5
            ax.axvline(edge, color=SPC_LIMIT, linewidth=0.8, linestyle=(0, (1, 1.5)), gid="rebase")
            before = (edge - x[0]) / max(int(x[-1] - x[0]), 1) > 0.6  # near the right edge: the label goes left
            ax.text(
                edge - 0.4 if before else edge + 0.4,
                0.98,
                "Rebased",
                transform=ax.get_xaxis_transform(),
                ha="right" if before else "left",
                va="top",
                fontsize=TREND_FONT_SIZE,
                color=SPC_LINE,
                gid="rebase-label",
            )
        _month_axis(ax, int(x[0]), int(x[-1]), fy_start_month, x)
        ax.set_xlim(x[0] - 0.6, x[-1] + 0.6)
        use_value_axis(ax, lo, hi, unit, decimals)
        labels = [str(h.get_label()) for h in handles]
        columns = legend_columns(labels, width * 72)
        rows = math.ceil(len(labels) / columns)
        fig.set_size_inches(width, height + _legend_height(rows))
        _key(fig, handles, columns)
        _fit(fig, value_axis(lo, hi, unit, decimals), rows)
    fig.alt_text = _spc_alt(p, x, lines, phases, title, unit, decimals, polarity, target)
    return fig


def spc_chart(
    points: pd.DataFrame,
    phases: pd.DataFrame,
    *,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
    target: float | None,
    fy_start_month: int = 4,
) -> Chart | None:
    """:func:`spc_figure` as SVG bytes with its alt text and size, or ``None`` without points."""
    return _stored(
        spc_figure(
            points,
            phases,
            title=title,
            unit=unit,
            decimals=decimals,
            polarity=polarity,
            target=target,
            fy_start_month=fy_start_month,
        )
    )


def _stored(fig: ChartFigure | None) -> Chart | None:
    """A drawn figure as the report stores it (SVG bytes, alt text, the size it is drawn at), or None."""
    if fig is None:
        return None
    width, height = (float(v) for v in fig.get_size_inches())
    return Chart(fig.svg(), fig.alt_text, width, height)


def _spc_alt(
    p: pd.DataFrame,
    x: np.ndarray,
    lines: list[PhaseLine],
    phases: pd.DataFrame,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
    target: float | None,
) -> str:
    """What the chart shows, so a screen-reader user can do without it: the span, the latest phase's mean
    and limits (or that it has too few points), how many points are special cause, and the latest
    variation and assurance in the icons' words."""
    places = decimals + 1  # a mean or a limit is finer than the figures it is made of

    def fmt(v: float) -> str:
        return format_value(v, unit, places)

    text = (
        f"Statistical process control (XmR) chart of {title}, {format_period_name(x[0])} "
        f"to {format_period_name(x[-1])}, {len(x)} points."
    )
    last_phase = int(p["phase"].iloc[-1]) if "phase" in p.columns else 1
    latest = next((line for line in lines if line.phase == last_phase), None)
    rebased = len(phases) > 1
    if latest is not None:
        limits = f"mean {fmt(latest.mean)}, process limits {fmt(latest.lower)} to {fmt(latest.upper)}."
        text += f" Since the rebase in {format_period_name(latest.start)}: {limits}" if rebased else f" M{limits[1:]}"
    else:
        count = int((p["phase"] == last_phase).sum()) if "phase" in p.columns else len(p)
        since = " since the rebase" if rebased else ""
        text += f" Too few points for SPC{since} ({count} points), so no mean or limits are drawn for them."
    variation = p["variation"].to_numpy(dtype=object) if "variation" in p.columns else np.full(len(p), None)
    counts = {kind: int((variation == kind).sum()) for kind in SPECIAL_MARKERS}
    special = sum(counts.values())
    if special:
        parts = [f"{n} {kind}" for kind, n in counts.items() if n and kind != "neutral"]
        parts += [f"{counts['neutral']} neutral"] if counts["neutral"] else []
        verb = "shows" if special == 1 else "show"
        text += f" {special} of {len(x)} points {verb} special cause variation ({', '.join(parts)})."
    elif lines:
        text += " No point shows special cause variation."
    last = p.iloc[-1]
    if latest is not None:
        side = str(last["side"]) if "side" in p.columns and isinstance(last["side"], str) else ""
        kind = last["variation"] if "variation" in p.columns else None
        words, _ = icon_texts(kind if isinstance(kind, str) else None, side)
        text += f" Latest: {words}."
    if target is not None:
        text += f" Target {format_target(target, unit, decimals)}."
        assurance = _assurance(target, latest, polarity)
        if assurance is not None:
            text += f" {ASSURANCE_TEXT[assurance]}."
    return text


# --- the benchmark (strip) chart ---------------------------------------------------------------------------

BENCH_US = IMPROVEMENT  # the council: GOV.UK blue, filled and larger
BENCH_OTHER = COMMON  # the other areas: dark grey rings
BENCH_BAND = "#d2e2f1"  # the middle half of the group: a pale blue band (described in the legend and alt text)
BENCH_MEDIAN = "#0b0c0c"
BENCH_REFERENCE = CONCERN  # England: a dashed dark orange line (5.0:1 on white)
#: The benchmark chart's size: the trend chart's width and a little lower (the appendix has one per indicator).
BENCH_WIDTH, BENCH_HEIGHT = TREND_WIDTH, 1.7
#: A label's background on the strip chart: white, so a line behind the label never runs through its words.
_LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
#: Dots closer than this share of the axis's width stack in rows above and below the middle one.
STRIP_GAP = 0.035


def strip_levels(values: Sequence[float], gap: float) -> np.ndarray:
    """The row of each dot of a strip chart: 0 the middle row, then 1, -1, 2, -2 ... so that no two dots in
    a row are closer than ``gap`` (in the values' units) and every dot stays at its value across.

    Dots are placed smallest value first, each in the first row whose last dot is at least ``gap`` to
    its left; equal figures therefore stack rather than hide one another.
    """
    v = np.asarray(values, dtype=float)
    levels = np.zeros(len(v), dtype=np.int64)
    last: dict[int, float] = {}
    candidates = [0] + [k * s for k in range(1, len(v) + 1) for s in (1, -1)]
    for i in np.argsort(v, kind="stable"):
        level = next(c for c in candidates if c not in last or v[i] - last[c] >= gap)
        levels[i], last[level] = level, float(v[i])
    return levels


def strip_layout(figures: pd.DataFrame, gap: float) -> pd.DataFrame:
    """The areas with a figure and where their dots go: ``figures`` (``group_figures``'s frame: area_code,
    area_name, value, is_us) without the areas lacking a figure, plus ``x`` (the value) and ``y`` (the
    row, :func:`strip_levels`), in the order given."""
    have = figures[figures["value"].notna()].copy()
    have["value"] = have["value"].astype(float)
    have["x"] = have["value"]
    have["y"] = strip_levels(have["value"].to_numpy(), gap)
    return have.reset_index(drop=True)


def _x_value_axis(ax: Any, lo: float, hi: float, unit: str | None, decimals: int) -> None:
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(_ValueLocator(decimals))
    ax.xaxis.set_major_formatter(_ValueFormatter(unit))


def _edge_align(x: float, lo: float, hi: float) -> str:
    """A label's alignment at ``x`` that keeps it inside the axes: from the left third it runs right, from
    the right third it runs left, in the middle it is centred."""
    where = (x - lo) / (hi - lo) if hi > lo else 0.5
    return "left" if where < 1 / 3 else "right" if where > 2 / 3 else "center"


def benchmark_figure(
    figures: pd.DataFrame,
    *,
    median: float,
    lower_quartile: float,
    upper_quartile: float,
    reference: tuple[str, float] | None,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
    width: float = BENCH_WIDTH,
    height: float = BENCH_HEIGHT,
) -> ChartFigure | None:
    """A comparison group's figures as a strip of dots, one per area, the council's larger, blue and named;
    the middle half of the group (quartile to quartile) shaded, the median a solid line, the reference
    (England) a labelled dashed line, and which way is better in words. ``None`` without any figure."""
    layout = strip_layout(figures, 0.0)
    if layout.empty:
        return None
    ref_value = _number(reference[1]) if reference is not None else None
    median, lower_quartile, upper_quartile = (_or_nan(v) for v in (median, lower_quartile, upper_quartile))
    shown = np.concatenate([layout["x"].to_numpy(), [median, lower_quartile, upper_quartile]])
    if ref_value is not None:
        shown = np.append(shown, ref_value)
    lo, hi = value_range(shown, unit, pad=0.06)
    layout = strip_layout(figures, STRIP_GAP * (hi - lo))
    top = int(max(layout["y"].max(), 0))
    bottom = int(min(layout["y"].min(), 0))
    us = layout[layout["is_us"].astype(bool)]
    others = layout[~layout["is_us"].astype(bool)]
    handles: list[Any] = []
    with _plain_text_style():
        fig = new_figure(ChartFigure, width, height, TREND_DPI)
        ax = _trend_axes(fig)
        ax.grid(axis="y", visible=False)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        if np.isfinite(lower_quartile) and np.isfinite(upper_quartile) and upper_quartile > lower_quartile:
            handles.append(
                ax.axvspan(
                    lower_quartile,
                    upper_quartile,
                    color=BENCH_BAND,
                    linewidth=0,
                    gid="iqr",
                    label="Middle half of the group",
                )
            )
        if np.isfinite(median):
            handles.append(
                ax.axvline(
                    median,
                    color=BENCH_MEDIAN,
                    linewidth=1.4,
                    gid="median",
                    label=f"Median: {format_value(median, unit, decimals)}",
                )
            )
        if len(others):
            (dots,) = ax.plot(
                others["x"],
                others["y"],
                linestyle="none",
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=BENCH_OTHER,
                markeredgewidth=1.1,
                gid="areas",
                label="Other areas",
                zorder=3,
            )
            handles.append(dots)
        if ref_value is not None and reference is not None:
            ax.axvline(ref_value, color=BENCH_REFERENCE, linewidth=1.3, linestyle=(0, (4, 2)), gid="reference")
            ax.text(
                ref_value,
                0.02,
                f" {reference[0]} {format_value(ref_value, unit, decimals)} ",
                ha=_edge_align(ref_value, lo, hi),
                va="bottom",
                transform=ax.get_xaxis_transform(),
                color=BENCH_REFERENCE,
                fontsize=TREND_FONT_SIZE,
                gid="reference-label",
                bbox=_LABEL_BOX,
            )
        for row in us.itertuples(index=False):
            ax.plot(
                [row.x],
                [row.y],
                linestyle="none",
                marker="o",
                markersize=8.5,
                color=BENCH_US,
                markeredgecolor="white",
                markeredgewidth=0.8,
                gid="us",
                zorder=5,
            )
            ax.text(
                row.x,
                0.98,
                f" {row.area_name} {format_value(row.x, unit, decimals)} ",
                ha=_edge_align(row.x, lo, hi),
                va="top",
                transform=ax.get_xaxis_transform(),
                color=BENCH_US,
                fontsize=TREND_FONT_SIZE,
                fontweight="bold",
                gid="us-label",
                bbox=_LABEL_BOX,
            )
        _x_value_axis(ax, lo, hi, unit, decimals)
        better = {"higher": ("Higher is better \u2192", "right"), "lower": ("\u2190 Lower is better", "left")}
        if polarity in better:
            words, side = better[polarity]
            ax.set_xlabel(words, loc=side, fontsize=TREND_FONT_SIZE, labelpad=2)
        labels = [str(h.get_label()) for h in handles]
        columns = legend_columns(labels, width * 72) if labels else 1
        rows = math.ceil(len(labels) / columns) if labels else 0
        fig.set_size_inches(width, height + _legend_height(rows))
        if handles:
            _key(fig, handles, columns)
        _fit_strip(fig, value_axis(lo, hi, unit, decimals), rows, polarity in better)
        ax.set_ylim(_strip_rows(bottom, top, ax.get_position().height * fig.get_size_inches()[1] * 72))
    fig.alt_text = _benchmark_alt(
        layout, median, lower_quartile, upper_quartile, ref_value, reference, title, unit, decimals, polarity
    )
    return fig


def _strip_rows(bottom: int, top: int, height_pt: float) -> tuple[float, float]:
    """The y limits that put the rows of dots ``bottom`` to ``top`` in the middle of an axes ``height_pt``
    high, with a line of label text free above them (the council's name) and below (the reference's)."""
    label = min(TREND_FONT_SIZE * 1.5 / max(height_pt, 1.0), 0.4)  # a label's share of the axes' height
    rows = top - bottom + 1
    whole = rows / (1 - 2 * label)
    return bottom - 0.5 - label * whole, top + 0.5 + label * whole


def _fit_strip(fig: Figure, axis: ValueAxis, legend_rows: int, words_below: bool) -> None:
    """Margins for the strip chart: half a value label each side, the legend above, the value labels and the
    "better" words below."""
    width_pt, height_pt = (v * 72 for v in fig.get_size_inches())
    half = max((_text_width(text, TREND_FONT_SIZE) for text in axis.labels), default=0.0) / 2 + 3
    top = 1 - TREND_FONT_SIZE * (0.8 + 1.3 * legend_rows) / height_pt if legend_rows else 1 - 4 / height_pt
    bottom = (TREND_FONT_SIZE * (1.4 + (1.3 if words_below else 0)) + 4) / height_pt
    fig.subplots_adjust(left=half / width_pt, right=1 - half / width_pt, top=top, bottom=bottom)


def benchmark_chart(
    figures: pd.DataFrame,
    *,
    median: float,
    lower_quartile: float,
    upper_quartile: float,
    reference: tuple[str, float] | None,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
) -> Chart | None:
    """:func:`benchmark_figure` as SVG bytes with its alt text and size, or ``None`` without any figure."""
    return _stored(
        benchmark_figure(
            figures,
            median=median,
            lower_quartile=lower_quartile,
            upper_quartile=upper_quartile,
            reference=reference,
            title=title,
            unit=unit,
            decimals=decimals,
            polarity=polarity,
        )
    )


def _benchmark_alt(
    layout: pd.DataFrame,
    median: float,
    lower_quartile: float,
    upper_quartile: float,
    ref_value: float | None,
    reference: tuple[str, float] | None,
    title: str,
    unit: str | None,
    decimals: int,
    polarity: str,
) -> str:
    """The chart in words: the council's figure and rank, the median and quartiles, the reference figure."""

    def fmt(v: float) -> str:
        return format_value(v, unit, decimals)

    text = f"Chart of {title} for {len(layout)} area{'' if len(layout) == 1 else 's'} with a figure."
    us = np.flatnonzero(layout["is_us"].astype(bool).to_numpy())
    if len(us):
        i = int(us[0])
        text += f" {layout['area_name'].iloc[i]}: {fmt(float(layout['x'].iloc[i]))}"
        if polarity in ("higher", "lower", "none"):
            ranks, tied = rank_with_ties(layout["x"].to_numpy(), polarity)
            text += f", {rank_phrase(int(ranks[i]), len(layout), bool(tied[i]), judged=polarity != 'none')}"
        text += "."
    if np.isfinite(median):
        text += f" Median {fmt(median)}"
        if np.isfinite(lower_quartile) and np.isfinite(upper_quartile):
            text += f"; the middle half of the areas are from {fmt(lower_quartile)} to {fmt(upper_quartile)}"
        text += "."
    if ref_value is not None and reference is not None:
        text += f" {reference[0]}: {fmt(ref_value)}."
    text += {"higher": " Higher is better.", "lower": " Lower is better."}.get(polarity, "")
    return text
