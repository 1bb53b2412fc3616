"""Executed notebook -> offline HTML (nbconvert) and PDF (Typst), with no code and no CDN.

The PDF is assembled from the notebook's own outputs: every section the library displays
carries a Typst payload (see :class:`goldenthread.report.Section`), laid out by
``templates/typst/goldenthread.typ``. Anything else an analyst adds (a Markdown cell, a table,
a plot) is converted with pandoc (``pypandoc-binary``) or embedded as an image, so the PDF shows
what the HTML shows. Fonts come from matplotlib's bundled DejaVu, so the PDF is the same on
every machine and needs no system fonts.
"""
from __future__ import annotations

import base64
import copy
import os
import shutil
from pathlib import Path
from typing import Any

import matplotlib
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from goldenthread import typst_markup as ty
from goldenthread.report import TEMPLATES, TYPST_MIME

#: Cells with these tags never reach a rendered report.
HIDDEN_TAGS = ("parameters", "injected-parameters", "analyst-only")
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_dirs() -> list[str]:
    """DejaVu (from matplotlib) and Noto fallbacks for emoji and other scripts: pip-installed, no system fonts."""
    import manimgx_fonts

    return [str(FONT_DIR), str(Path(manimgx_fonts.__file__).parent)]


class _DropStreams(Preprocessor):
    """Remove printed output and warnings: a report shows only what the library displays."""

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001 - nbconvert's signature
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") not in ("stream", "error")]
        return cell, resources


def document_meta(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The report's title, organisation and classification, as the sections declared them."""
    meta: dict[str, Any] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(TYPST_MIME)
            if payload:
                meta.update(payload.get("document", {}))
    return meta


def _visible_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & set(HIDDEN_TAGS)]


def export_html(nb: nbformat.NotebookNode, out: Path) -> None:
    """Write a self-contained HTML page of the report (inputs and hidden cells removed)."""
    meta = document_meta(nb)
    exporter = HTMLExporter(
        template_name="goldenthread",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.language_code = "en-GB"
    remove = TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    exporter.register_preprocessor(_DropStreams(), enabled=True)
    resources = {
        "metadata": {"name": meta.get("title", "Report")},
        "goldenthread_css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "goldenthread_org": meta.get("organisation", ""),
        "goldenthread_classification": meta.get("classification", ""),
        "goldenthread_footer": f"{meta.get('organisation', '')} · {meta.get('title', '')} · "
                               f"{meta.get('classification', '')}",
    }
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    out.write_text(body, encoding="utf-8")


def _pandoc_to_typst(text: str, fmt: str) -> str:
    import pypandoc

    return pypandoc.convert_text(text, "typst", format=fmt, extra_args=["--wrap=preserve"])


def typst_source(nb: nbformat.NotebookNode, workdir: Path) -> str:
    """The report as one Typst document; images and the layout template are written to ``workdir``."""
    body: list[str] = []
    counter = 0
    for cell in _visible_cells(nb):
        if cell.cell_type == "markdown" and cell.source.strip():
            body.append(_pandoc_to_typst(cell.source, "gfm"))
            continue
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            if TYPST_MIME in data:
                payload = data[TYPST_MIME]
                for name, b64 in payload.get("files", {}).items():
                    (workdir / Path(name).name).write_bytes(base64.b64decode(b64))
                body.append(payload["typst"])
            elif "image/png" in data:
                counter += 1
                name = f"output-{counter}.png"
                (workdir / name).write_bytes(base64.b64decode(data["image/png"]))
                alt = out.get("metadata", {}).get("image/png", {}).get("alt", "Chart")
                body.append(f"#figure(image({ty.string(name)}, width: 80%, alt: {ty.string(alt)}))")
            elif "text/markdown" in data:
                body.append(_pandoc_to_typst(data["text/markdown"], "gfm"))
            elif "text/html" in data:
                body.append(_pandoc_to_typst(data["text/html"], "html"))
            elif "text/plain" in data:
                body.append(f"#raw({ty.string(data['text/plain'])}, block: true)")
    # goldenthread.typ holds the page layout and shared pieces; each other .typ file lays out the
    # sections of one kind of document (the business plan, a directorate plan...).
    layouts = sorted((TEMPLATES / "typst").glob("*.typ"))
    for layout in layouts:
        shutil.copy(layout, workdir / layout.name)
    doc = document_meta(nb)
    head = [f'#import "{layout.name}": *' for layout in layouts] + [f"#show: gt-report.with({ty.value(doc)})", ""]
    return "\n".join(head + body) + "\n"


def export_pdf(nb: nbformat.NotebookNode, out: Path, workdir: Path, timestamp: int | None = None) -> None:
    """Write the PDF: tagged, with bookmarks, page numbers and a running header.

    ``timestamp`` (seconds since 1970) is the PDF's creation date; the same notebook and timestamp
    give the same bytes. ``SOURCE_DATE_EPOCH`` in the environment, if set, wins.
    """
    import typst

    workdir.mkdir(parents=True, exist_ok=True)
    main = workdir / "report.typ"
    main.write_text(typst_source(nb, workdir), encoding="utf-8")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    typst.compile(
        str(main), output=str(out), root=str(workdir), font_paths=font_dirs(), ignore_system_fonts=True,
        timestamp=int(epoch) if epoch else timestamp,
    )
