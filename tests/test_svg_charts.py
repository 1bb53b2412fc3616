"""Charts as SVG (issue 13, item 5): vector and deterministic, text large enough to read on screen and on paper,
the target line explained in words with its figure, the alt text kept, in the HTML, the PDF, the explorer and Word."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.formatters import DisplayFormatter
from PIL import Image, ImageChops

from conftest import EXAMPLE, ROOT, examples
from goldenthread import explorer
from goldenthread.documents import chart_pool, charts
from goldenthread.documents.report import Report, anchor, build_report
from goldenthread.inputs.periods import parse_period
from goldenthread.measures.formatting import format_target
from goldenthread.output import TYPST_MIME, render
from goldenthread.output.images import chart_png, embedded_images, png_data_uri

SVG = "{http://www.w3.org/2000/svg}"
#: The Typst layout's chart width (goldenthread.typ), read from the template rather than assumed.
TYPST_LAYOUT = ROOT / "lib" / "goldenthread" / "output" / "templates" / "typst" / "goldenthread.typ"


def series(start: str, figures: list[float], targets: list[float] | None = None) -> pd.DataFrame:
    """Observation rows as scorecard.observations gives them (the columns the charts read)."""
    first = parse_period(start)
    return pd.DataFrame(
        {
            "period": [first + i for i in range(len(figures))],
            "value": figures,
            "target": targets if targets is not None else [np.nan] * len(figures),
            "frequency": "monthly",
            "aggregation": "snapshot",
        }
    )


def texts(svg: bytes) -> list[str]:
    """Every text the SVG shows, in order."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def july() -> Report:
    return build_report(EXAMPLE, "2019-07")


@pytest.fixture(scope="module")
def appendix(july: Report):
    return july.appendix()


def trend_files(appendix, july: Report) -> dict[str, bytes]:
    """The appendix's trend (line) charts: not the SPC or comparison charts, nor the icons."""
    return {
        name: data
        for name, data in appendix.files.items()
        if name.startswith("chart-ind-")
        and july.chart_kind(name.removeprefix("chart-ind-").removesuffix(".svg")) == "trend"
    }


def chart_files(appendix) -> dict[str, bytes]:
    """Every chart of the appendix (trend, SPC, comparison), without the icons, which have no text."""
    return {name: data for name, data in appendix.files.items() if not name.startswith("icon-")}


# --- the file: vector, valid, deterministic ----------------------------------------------------------


def test_every_appendix_chart_is_valid_svg_with_no_raster_inside(appendix, july: Report) -> None:
    assert len([n for n in appendix.files if n.startswith("chart-ind-")]) == 20  # a chart per measure with figures
    trends = trend_files(appendix, july)
    assert 0 < len(trends) < 20  # the example asks for SPC on some measures
    for name, data in appendix.files.items():
        assert name.endswith(".svg")
        root = ET.fromstring(data)  # well-formed XML, or this raises
        assert root.tag == f"{SVG}svg"
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert "image" not in tags and b"data:image" not in data, f"{name} embeds a raster"
        if name.startswith("icon-"):
            assert (
                "text" not in tags and root.find(f"{SVG}title") is not None
            )  # letters drawn as paths; words in the title
            continue
        assert {"path", "text"} <= tags  # lines drawn as paths, labels as text
        if name in trends:
            assert root.get("width") == f"{charts.TREND_WIDTH * 72:.2f}".rstrip("0").rstrip(".") + "pt"


def test_the_same_chart_is_the_same_bytes_whatever_the_callers_matplotlib_settings() -> None:
    data = series("2019-01", [50, 52, 53, 55], [54] * 4)
    plain = charts.trend_chart(data, "t", "percent", 1)
    # settings that change how matplotlib saves an SVG: glyphs as outlines, random ids, another font
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": None, "font.sans-serif": ["DejaVu Serif"]}):
        assert charts.trend_chart(data, "t", "percent", 1) == plain
    assert b"dc:date" not in plain.svg and b"Matplotlib v" not in plain.svg and b"<metadata" not in plain.svg


@pytest.mark.integration  # starts Python processes
def test_another_process_draws_the_same_bytes(tmp_path: Path, appendix) -> None:
    script = textwrap.dedent(f"""
        import sys
        from goldenthread.documents.report import build_report
        files = build_report({str(EXAMPLE)!r}, "2019-07").appendix().files
        sys.stdout.buffer.write(files["chart-{anchor("ASC-01")}.svg"])
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=tmp_path) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr.decode()
    assert runs[0].stdout == runs[1].stdout == appendix.files[f"chart-{anchor('ASC-01')}.svg"]


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_the_worker_processes_path_gives_the_in_process_bytes(july: Report) -> None:
    history = july.history.groupby("indicator")
    requests = [
        chart_pool.TrendRequest(history.get_group(r.id), r.title, r.unit, int(r.decimals))
        for r in july.card[july.card["kind"] == "measure"].itertuples(index=False)
        if r.id in history.groups
    ]
    batches = [requests[i : i + chart_pool.BATCH] for i in range(0, len(requests), chart_pool.BATCH)]
    results: dict[int, list[charts.Chart | None]] = {}
    rc = {k: v for k, v in matplotlib.rcParams.items() if k not in chart_pool._NOT_COPIED}
    chart_pool._work(chart_pool._Queue(len(batches)), batches, rc, results)  # the worker takes every batch
    drawn = [chart for i in sorted(results) for chart in results[i]]
    assert drawn == chart_pool.trend_charts(requests, workers=0)
    assert all(chart is not None and chart.svg.startswith(b"<?xml") for chart in drawn)


@pytest.mark.integration  # compiles Typst
def test_compacting_the_svg_changes_nothing_a_reader_sees() -> None:
    fig = charts.trend_figure(series("2018-04", [80.5, 81.25, 79.75, 84.125, 83.5], [82] * 5), "t", "percent", 2)
    assert fig is not None
    raw = io.BytesIO()
    with matplotlib.rc_context(charts.SVG_STYLE):
        fig.savefig(raw, format="svg")
    compact = fig.svg()
    assert len(compact) < 0.75 * len(raw.getvalue())
    images = [Image.open(io.BytesIO(chart_png(svg, 144))).convert("L") for svg in (raw.getvalue(), compact)]
    assert images[0].size == images[1].size
    difference = np.asarray(ImageChops.difference(*images), dtype=float)
    assert difference.mean() < 0.5 and (difference > 64).mean() < 0.002  # anti-aliasing at most


def test_compacting_never_touches_a_charts_text(july: Report) -> None:
    # an explorer chart shows the indicator's title, which is data: text that looks like attributes stays as typed
    title = """x="1.23456" id="text_1" d="M 0.123456 1" font-family: 'Segoe UI'; <g> & </g>"""  # one line
    fig = explorer.history_chart(july.history, "ASC-01", title=title)
    shown = texts(fig.svg())
    assert any(title in text for text in shown), shown[:3]


# --- what a reader sees: text size, the target explained ---------------------------------------------


def font_sizes(svg: bytes) -> list[float]:
    return [float(size) for size in re.findall(rb"font-size: ([\d.]+)px", svg)]


def test_chart_text_is_at_least_12_css_px_in_the_html_and_9_pt_in_the_pdf(appendix) -> None:
    html = appendix.html
    chart_width_cm = float(re.search(r"#let gt-chart-width = ([\d.]+)cm", TYPST_LAYOUT.read_text()).group(1))
    for name, data in chart_files(appendix).items():
        root = ET.fromstring(data)
        width_pt = float(root.get("width").removesuffix("pt"))
        uri = re.escape(base64.b64encode(data).decode())
        img = re.search(rf'<img src="data:image/svg\+xml;base64,{uri}"[^>]*>', html)
        assert img, name
        css_width = int(re.search(r'width="(\d+)"', img.group()).group(1))
        sizes = font_sizes(data)
        assert sizes and min(sizes) * css_width / width_pt >= 12, (name, min(sizes))  # on screen at 100%
        assert min(sizes) * (chart_width_cm / 2.54 * 72) / width_pt >= 9, name  # on paper, as wide as the PDF sets


def test_the_target_line_is_named_with_its_figure(july: Report) -> None:
    asc = july.history[july.history["indicator"] == "ASC-01"]
    chart = charts.trend_chart(asc, "Self-directed support", "percent", 2)
    shown = texts(chart.svg)
    assert "Actual" in shown and "Target: 90%" in shown
    # a target that changed over the chart names its latest; no target, no target entry
    hr = charts.trend_chart(july.history[july.history["indicator"] == "HR-01"], "Apprenticeships", "number", 0)
    assert "Target: 133 (latest)" in texts(hr.svg)
    untargeted = charts.trend_chart(series("2019-01", [5, 6, 7]), "t", "number", 0)
    assert not [t for t in texts(untargeted.svg) if t.startswith("Target")]


@settings(max_examples=examples(200), deadline=None)
@given(
    targets=st.lists(st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False)), min_size=1, max_size=12),
    unit=st.sampled_from(["percent", "number", "gbp", "days"]),
    decimals=st.integers(0, 3),
)
def test_the_target_label_states_the_latest_target(targets: list[float | None], unit: str, decimals: int) -> None:
    array = np.array([np.nan if t is None else t for t in targets], dtype=float)
    label = charts.target_label(array, unit, decimals)
    set_ = array[~np.isnan(array)]
    if not len(set_):
        assert label is None
        return
    assert label is not None and label.startswith(f"Target: {format_target(float(set_[-1]), unit, decimals)}")
    assert label.endswith("(latest)") == bool(np.any(set_ != set_[-1]))


@settings(max_examples=examples(25), deadline=None)
@given(
    scale=st.sampled_from([1.0, 1e3, 1e6, 1e9]),
    decimals=st.integers(0, 3),
    unit=st.sampled_from(["percent", "number", "gbp", "days"]),
    changed=st.booleans(),
)
def test_legend_and_value_labels_stay_inside_the_chart(scale: float, decimals: int, unit: str, changed: bool) -> None:
    figures = [v * scale + 0.123456 for v in (1.0, 1.3, 1.25, 1.4)]
    targets = [1.2345 * scale] * 2 + [(1.3456 if changed else 1.2345) * scale] * 2
    fig = charts.trend_figure(series("2018-04", figures, targets), "t", unit, decimals)
    assert fig is not None
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1 + 0.5 and legend.y1 <= box.y1 + 0.5
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 0.5  # above the plot, never over the lines
    for label in ax.get_yticklabels():
        if label.get_text():
            assert label.get_window_extent(renderer).x0 >= box.x0 - 0.5, label.get_text()


# --- alt text, the HTML, the PDF ----------------------------------------------------------------------


def test_each_chart_keeps_its_alt_text_in_the_html(appendix, july: Report) -> None:
    asc = july.history[july.history["indicator"] == "ASC-01"]
    row = july.card[july.card["id"] == "ASC-01"].iloc[0]
    chart = charts.trend_chart(asc, row["title"], row["unit"], int(row["decimals"]))
    data = base64.b64encode(chart.svg).decode()
    img = re.search(rf'<img src="data:image/svg\+xml;base64,{re.escape(data)}" alt="([^"]+)"', appendix.html)
    assert img and img.group(1) == chart.alt.replace("'", "&#39;") and chart.alt.startswith("Line chart of")
    assert len(re.findall(r'<img [^>]*alt="Line chart of', appendix.html)) == len(trend_files(appendix, july))


@pytest.mark.integration  # compiles Typst
def test_the_pdf_draws_each_chart_as_vector_with_its_text(july: Report, appendix, tmp_path: Path) -> None:
    bundles = [july.front_sheet()._repr_mimebundle_(), appendix._repr_mimebundle_()]  # a document starts at H1
    outputs = [nbformat.v4.new_output("display_data", data=b) for b in bundles]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("r", outputs=[out]) for out in outputs])
    render.export_pdf(nb, tmp_path / "a.pdf", tmp_path / "work")
    reader = pypdf.PdfReader(tmp_path / "a.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    trends = len(trend_files(appendix, july))
    assert text.count("Actual") == trends and "Target: 90%" in text  # the chart's words are text in the PDF
    # drawn as vector paths in the pages (Typst draws an SVG into the page itself): no picture anywhere
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject") or {}
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    assert b"/Subtype /Image" not in (tmp_path / "a.pdf").read_bytes()


def test_an_analysts_chart_reaches_the_pdf_as_svg_with_its_alt_text(july: Report, tmp_path: Path) -> None:
    fig = explorer.history_chart(july.history, "ASC-01")
    data, metadata = fig._repr_mimebundle_()
    out = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("fig", outputs=[out])])
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # as read back from disk
    source = render.typst_source(nb, tmp_path)
    assert (tmp_path / "output-1.svg").read_bytes() == fig.svg()
    assert 'image("output-1.svg"' in source and "Line chart of ASC-01" in source


# --- the explorer in JupyterLab -------------------------------------------------------------------------


def test_the_explorer_chart_displays_as_svg_with_alt_text(july: Report) -> None:
    fig = explorer.history_chart(july.history, "ASC-01")
    data, metadata = DisplayFormatter().format(fig)  # what IPython sends to JupyterLab
    assert {"text/html", "image/svg+xml", "text/plain"} <= set(data)
    assert "image/png" not in data  # one copy of the picture, in vector form
    ET.fromstring(data["image/svg+xml"])
    assert metadata["image/svg+xml"]["alt"] == fig.alt_text == data["text/plain"]
    img = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', data["text/html"])
    assert img and base64.b64decode(img.group(1)).decode() == data["image/svg+xml"]
    assert img.group(2).startswith("Line chart of ASC-01")


# --- Word: pixels from the SVG ---------------------------------------------------------------------------


@pytest.mark.integration  # compiles Typst
def test_chart_png_gives_pixels_at_the_charts_own_size(appendix, july: Report) -> None:
    svg = next(iter(trend_files(appendix, july).values()))
    png = chart_png(svg, 192)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (round(charts.TREND_WIDTH * 192), round(charts.TREND_HEIGHT * 192))
    assert [round(v) for v in image.info["dpi"]] == [192, 192]  # so Word shows it at its own size
    assert chart_png(png) == png  # a picture already is left alone


@pytest.mark.integration  # compiles Typst
def test_each_chart_uri_becomes_a_png_uri_for_word(appendix) -> None:
    uris = sorted({f"data:image/svg+xml;base64,{data}" for data in embedded_images(appendix.html)})
    assert len(uris) == len(appendix.files)  # every chart and every distinct icon
    for uri in uris:
        png = png_data_uri(uri, 96)
        assert png.startswith("data:image/png;base64,")
        assert base64.b64decode(png.split(",", 1)[1]).startswith(b"\x89PNG")
    for other in ("data:image/png;base64,iVBORw0KGgo=", "data:image/svg+xml;base64,%%%", "https://example.com/x.svg"):
        assert png_data_uri(other) == other  # a picture already, broken base64, or not a data URI: left alone


def test_the_notebook_stores_each_svg_once(appendix) -> None:
    bundle = appendix._repr_mimebundle_()
    stored = str(bundle)
    for name, data in appendix.files.items():
        if name.startswith("icon-"):  # an icon (under 1 KB) is shown beside every measure it applies to
            assert len(data) < 1024
            continue
        assert stored.count(base64.b64encode(data).decode()) == 1, name
    assert bundle[TYPST_MIME]["files"] == {} and all(n.endswith(".svg") for n in bundle[TYPST_MIME]["html_files"])
