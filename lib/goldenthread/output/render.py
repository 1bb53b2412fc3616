"""Executed notebook -> offline HTML (nbconvert) and PDF (Typst), with no code and no CDN.

The PDF is assembled from the notebook's own outputs: every section the library displays
carries a Typst payload (see :class:`goldenthread.documents.report.Section`), laid out by
``templates/typst/goldenthread.typ``. Anything else an analyst adds (a Markdown cell, a table,
a plot) is converted with pandoc (``pypandoc-binary``) or embedded as an image, so the PDF shows
what the HTML shows.

Accessibility: every PDF is PDF/UA-1 (:data:`PDF_STANDARD`): tagged, with its language, its title shown
in the window, alt text on every image (an analyst's images too: ``templates/pandoc/alt_text.lua``),
header cells in every table and headings that do not skip a level; the layout's choices (term lists
for label/value pairs, label headings kept out of the outline, 11 pt body text) are explained at the
top of ``templates/typst/goldenthread.typ``.

Fonts: the PDF is set in DejaVu Sans (regular, bold, oblique), the copy matplotlib ships, which
covers Latin (Welsh included), Greek, Cyrillic, Hebrew and the common Arabic letters. What DejaVu
lacks comes from two Noto files vendored in ``output/fonts/`` (SIL OFL 1.1; upstream release and
SHA-256 in its ``FONTS.md``): Noto Emoji (monochrome) for emoji, and Noto Sans Arabic for the rest
of Arabic script (Urdu's letters, ligatures such as U+FDFA). Any other character falls back to the
other faces in matplotlib's folder (STIX, Last Resort) or Typst's own. System fonts are never
read, so the same notebook gives the same PDF on every machine.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import importlib.util
import os
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from goldenthread.errors import ReportError
from goldenthread.output import TEMPLATES, TYPST_MIME, typst_process
from goldenthread.output import typst_markup as ty
from goldenthread.output.images import section_files

#: Cells with these tags never reach a rendered report.
HIDDEN_TAGS = ("parameters", "injected-parameters", "analyst-only")


def _matplotlib_data_path() -> Path:
    """``matplotlib.get_data_path()``, found without importing matplotlib: the command's own process needs only
    the folder's name, and importing matplotlib for it cost a fifth of a second of every build."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise ImportError("matplotlib is not installed: reinstall goldenthread, which needs it")
    return Path(spec.origin).parent / "mpl-data"


#: matplotlib's fonts: DejaVu Sans, the face of every PDF.
FONT_DIR = _matplotlib_data_path() / "fonts" / "ttf"
#: Noto Emoji and Noto Sans Arabic, vendored unchanged with their licence and checksums.
NOTO_DIR = Path(__file__).parent / "fonts"


def font_dirs() -> list[str]:
    """The only folders Typst reads fonts from: DejaVu from matplotlib, then the vendored Noto files.

    Both ship inside installed packages, so a build needs no system fonts and no font download.
    """
    return [str(FONT_DIR), str(NOTO_DIR)]


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


def visible_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The cells a reader sees, in every format: none tagged with one of :data:`HIDDEN_TAGS`."""
    return [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & set(HIDDEN_TAGS)]


class PageExporter(HTMLExporter):
    """nbconvert's HTML exporter, without the last step of its ``from_notebook_node`` where that step can
    change nothing.

    That step parses the whole page with BeautifulSoup, gives an ``alt`` to each ``<img>`` that has none and a
    ``tabindex`` to the cells inside a ``.jp-Notebook``, and writes the page out again. The report's template
    writes no ``.jp-Notebook`` and every image it writes has its alt text, so on a report the step only
    re-serialises the page (attribute order, ``<meta/>``, blank lines): the same page to a browser or a screen
    reader. It was most of the HTML stage's time, and grew with the page: 1.9 s of 2.2 s for a 410-indicator
    report (``benchmarks/scale.py``), 0.15 s of 0.8 s for the example. So a page where the step would change
    something (an analyst's ``<img>`` without alt, a ``.jp-Notebook`` anywhere) goes through nbconvert's own
    ``from_notebook_node`` unchanged; any other page is written as the template renders it.
    ``tests/test_render_safety.py`` checks that the page, once through that step, is nbconvert's page byte for byte.
    """

    # Overrides as nbconvert's HTMLExporter does: its str return differs from Exporter's declared NotebookNode.
    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        # HTMLExporter.from_notebook_node's preparation (nbconvert 7), then TemplateExporter's rendering.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        prepared = self._init_resources(copy.deepcopy(resources) if resources is not None else None)
        data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=prepared)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", data_types)
        html, prepared = TemplateExporter.from_notebook_node(self, nb, prepared, **kw)
        if nbconvert_would_change(html):
            return super().from_notebook_node(nb, resources, **kw)
        return html, prepared


#: An ``<img>`` start tag, quoted attribute values (which may hold ``>``) and all.
_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
#: The class nbconvert's last step looks for (``.jp-Notebook``), as a whole word anywhere in the page.
_JP_NOTEBOOK = re.compile(r"(?<![\w-])jp-Notebook(?![\w-])")


class _ImgAttributes(HTMLParser):
    """The attribute names of the ``<img>`` tags fed to it, read by the parser BeautifulSoup uses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[set[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.names.append({name for name, _ in attrs})

    handle_startendtag = handle_starttag


def nbconvert_would_change(html: str) -> bool:
    """Whether nbconvert's last HTML step would change more than the page's serialisation: an ``<img>``
    without ``alt`` (it adds one) or a ``jp-Notebook`` class (it makes cells in one focusable). Errs on
    the side of yes: a page it cannot be sure of goes through nbconvert's step."""
    if _JP_NOTEBOOK.search(html):
        return True
    parser = _ImgAttributes()
    tags = _IMG_TAG.findall(html)
    for tag in tags:
        parser.feed(tag)
    parser.close()
    # a tag the parser did not read as one (so its attributes are unknown) counts as one that would change
    return len(parser.names) != len(tags) or any("alt" not in names for names in parser.names)


def page_exporter(nb: nbformat.NotebookNode) -> tuple[PageExporter, dict[str, Any]]:
    """The exporter and resources that write ``nb`` as the report's HTML page (see :func:`export_html`)."""
    meta = document_meta(nb)
    exporter = PageExporter(
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
    # Plain text from the data: the nbconvert template escapes it (its Jinja does not autoescape).
    org, title, classification = (
        ty.visible(str(meta.get(k) or "")) for k in ("organisation", "title", "classification")
    )
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    resources = {
        "metadata": {"name": title or "Report"},
        # A draft's marking is added only to a draft, so every other page is as it always was.
        "goldenthread_css": css + DRAFT_CSS if meta.get("draft") else css,
        "goldenthread_draft": bool(meta.get("draft")),
        "goldenthread_org": org,
        "goldenthread_classification": classification,
        "goldenthread_footer": f"{org} · {title} · {classification}",
    }
    return exporter, resources


def export_html(nb: nbformat.NotebookNode, out: Path) -> None:
    """Write a self-contained HTML page of the report (inputs and hidden cells removed)."""
    exporter, resources = page_exporter(nb)
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    out.write_text(body, encoding="utf-8")


#: The marking of a report built without every sign-off (docs/signoff.md): "DRAFT" in the banner, which
#: print repeats at the top of every page (it is position: fixed there), and the front sheet's notice.
DRAFT_CSS = """
.gt-draft-mark { padding: 0 8px; background: #fff; color: #d4351c; font-weight: 700; letter-spacing: 0.05em; }
.gt-draft { border: 4px solid #d4351c; padding: 8px 12px; margin: 0 0 1em; }
@media print { .gt-draft-mark { padding: 0; } }
"""

#: The pandoc filter that keeps the alt text of images in analysts' cells (PDF/UA-1 needs it).
ALT_TEXT_FILTER = TEMPLATES / "pandoc" / "alt_text.lua"


def _pandoc_to_typst(text: str, fmt: str, workdir: Path) -> str:
    """Typst for an analyst's Markdown cell or HTML output; its images keep their alt text, and an image
    given as data is written into ``workdir`` (see ``templates/pandoc/alt_text.lua``)."""
    import pypandoc

    args = ["--wrap=preserve", "--lua-filter", str(ALT_TEXT_FILTER), "-M", f"gt-workdir={workdir}"]
    try:
        return str(pypandoc.convert_text(text, "typst", format=fmt, extra_args=args))
    except (RuntimeError, OSError) as err:
        first = " ".join(text.split())[:60]
        described = re.search(r"goldenthread: (an image .*?has no alt text\..*?HTML)", str(err), re.S)
        if described:
            raise ReportError(
                f"the PDF could not be made: in the notebook cell or output beginning {first!r}, "
                f"{' '.join(described.group(1).split())} (an accessible PDF, like the web page, needs a "
                "description of every image), or tag the cell analyst-only to keep it out of the report"
            ) from err
        raise ReportError(
            f"the PDF could not be made: pandoc could not convert a notebook cell or output "
            f"beginning {first!r} ({str(err).strip() or type(err).__name__}). Simplify that "
            "cell, or tag it analyst-only to keep it out of the report"
        ) from err


#: Longest name a section's file (a chart) is written under. A chart is named after its indicator's
#: id, and a long id (90 accented letters) made a name longer than a file system allows (255 bytes).
MAX_FILE_NAME = 120


def _file_name(name: str, section: int) -> str:
    """The name a section's file is written under in the Typst folder: its own, if short and plain,
    or ``file-<section>-<digest><suffix>`` (the same name gives the same file name, every build)."""
    own = Path(name).name
    if own == name and len(own.encode("utf-8")) <= MAX_FILE_NAME and re.fullmatch(r"[A-Za-z0-9_.-]+", own):
        return own
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"file-{section}-{digest}{Path(own).suffix[:10]}"


#: What an image an analyst's cell displayed is called when its output gives no alt text.
DEFAULT_ALT = "Chart"


def displayed_outputs(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """What a code cell shows a reader, in every format: its displayed data, not printed streams or errors."""
    return [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]


def output_image(out: nbformat.NotebookNode) -> tuple[str, bytes, str] | None:
    """The image an output displays as (MIME type, bytes, alt text), or None if it displays none: SVG where
    the output has it (a goldenthread chart: vector, its text in the PDF's own font), else PNG (a plain
    matplotlib figure); the alt text from the output's metadata (goldenthread's charts put it there), else
    :data:`DEFAULT_ALT`."""
    data = out.get("data", {})
    if "image/svg+xml" in data:
        kind, svg = "image/svg+xml", data["image/svg+xml"]
        content = ("".join(svg) if isinstance(svg, list) else str(svg)).encode("utf-8")  # nbformat may split lines
    elif "image/png" in data:
        kind, content = "image/png", base64.b64decode(data["image/png"])
    else:
        return None
    alt = str(out.get("metadata", {}).get(kind, {}).get("alt") or DEFAULT_ALT)
    return kind, content, alt


def _output_image(image: tuple[str, bytes, str], workdir: Path, counter: int) -> str:
    """An image an analyst's cell displayed (see :func:`output_image`), as a Typst figure."""
    kind, content, alt = image
    name = f"output-{counter}.{'svg' if kind == 'image/svg+xml' else 'png'}"
    (workdir / name).write_bytes(content)
    return f"#figure(image({ty.string(name)}, width: 80%, alt: {ty.string(alt)}))"


def typst_source(nb: nbformat.NotebookNode, workdir: Path) -> str:
    """The report as one Typst document; images and the layout template are written to ``workdir``."""
    body: list[str] = []
    counter = 0
    for cell in visible_cells(nb):
        if cell.cell_type == "markdown" and cell.source.strip():
            body.append(_pandoc_to_typst(cell.source, "gfm", workdir))
            continue
        if cell.cell_type != "code":
            continue
        for out in displayed_outputs(cell):
            data = out.get("data", {})
            image = output_image(out)
            if TYPST_MIME in data:
                payload = data[TYPST_MIME]
                source = payload["typst"]
                for name, content in section_files(payload, data.get("text/html", "")).items():
                    short = _file_name(name, len(body))
                    (workdir / short).write_bytes(content)
                    source = source.replace(ty.string(name), ty.string(short)) if short != name else source
                body.append(source)
            elif image is not None:
                counter += 1
                body.append(_output_image(image, workdir, counter))
            elif "text/markdown" in data:
                body.append(_pandoc_to_typst(data["text/markdown"], "gfm", workdir))
            elif "text/html" in data:
                body.append(_pandoc_to_typst(data["text/html"], "html", workdir))
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


#: The PDF standard every PDF conforms to: PDF/UA-1 (ISO 14289-1, universal accessibility). Typst then
#: writes the PDF/UA identifier and /DisplayDocTitle, and refuses what would break it: an image
#: without alt text, a first heading not of level 1 or one that skips a level, a document without a title.
PDF_STANDARD: Final = "ua-1"

#: Two optional entries Typst writes correctly that poppler (``pdfinfo -struct``, and the viewers built
#: on it) reports as wrong: /Suspects false in /MarkInfo (poppler warns on any /Suspects but true), and a
#: table's /BorderColor given as one RGB colour for all four sides (ISO 32000-1 table 343 allows it;
#: poppler accepts only four colours). Both are descriptive layout hints, not what is drawn.
_POPPLER_MISREADS = re.compile(rb"/Suspects false|/BorderColor\[[0-9.]+ [0-9.]+ [0-9.]+\]")


def quiet_poppler(pdf: bytes) -> bytes:
    """``pdf`` with the entries of :data:`_POPPLER_MISREADS` blanked out with spaces.

    Spaces of the same length keep every byte offset, so the cross-reference table stays valid without
    rewriting the file; whitespace between dictionary entries is plain PDF syntax. Typst writes the
    structure tree's dictionaries uncompressed, so these entries are found as written.
    """
    return _POPPLER_MISREADS.sub(lambda m: b" " * len(m.group()), pdf)


def export_pdf(nb: nbformat.NotebookNode, out: Path, workdir: Path, timestamp: int | None = None) -> None:
    """Write the PDF: PDF/UA-1 (tagged, with alt text, language and title shown), with bookmarks, page
    numbers and a running header, compiled in this process (:func:`start_pdf` compiles in one of its own).

    ``timestamp`` (seconds since 1970) is the PDF's creation date; the same notebook and timestamp
    give the same bytes. ``SOURCE_DATE_EPOCH`` in the environment, if set, wins. In this process, a
    document compiled again (as the tests do) is quick: Typst keeps what it laid out.
    """
    source = _write_source(nb, workdir)
    stamp = _stamp(timestamp)
    _write_pdf(
        out,
        document_meta(nb),
        source,
        lambda: typst_process.compile_here(workdir / "report.typ", workdir, font_dirs(), stamp, PDF_STANDARD),
    )


def start_pdf(nb: nbformat.NotebookNode, out: Path, workdir: Path, timestamp: int | None = None) -> PendingPdf:
    """Start writing the PDF (as :func:`export_pdf`) in a short-lived process of its own (:mod:`.typst_process`,
    the same bytes), and return at once: the caller writes the HTML meanwhile, then calls
    :meth:`PendingPdf.finish` (or :meth:`PendingPdf.stop` if the run failed in between). A process that builds
    report after report (the pipeline, in a batch) then does not keep each one in Typst's cache."""
    source = _write_source(nb, workdir)
    compiling = typst_process.Compiling(workdir / "report.typ", workdir, font_dirs(), _stamp(timestamp), PDF_STANDARD)
    return PendingPdf(out, document_meta(nb), source, compiling)


class PendingPdf:
    """A PDF being compiled in its own process (:func:`start_pdf`)."""

    def __init__(self, out: Path, doc: dict[str, Any], source: str, compiling: typst_process.Compiling) -> None:
        self.out, self.doc, self.source, self.compiling = out, doc, source, compiling

    def finish(self) -> None:
        """Wait for the PDF and write it to ``out`` (as :func:`export_pdf` does)."""
        _write_pdf(self.out, self.doc, self.source, self.compiling.result)

    def stop(self) -> None:
        """End the compile if it is still running (the run stopped before it needed the PDF)."""
        self.compiling.stop()


def _write_pdf(out: Path, doc: dict[str, Any], source: str, compiled: Callable[[], bytes]) -> None:
    """Write the PDF that ``compiled`` returns to ``out``; a :class:`ReportError` naming the document (and the
    indicator, where Typst's message points into one) if it could not be laid out."""
    try:
        pdf = compiled()
    except typst_process.CompileFailure as err:
        raise ReportError(typst_failure(out.name, doc, source, err.message, err.where)) from err
    out.write_bytes(quiet_poppler(pdf))


def _write_source(nb: nbformat.NotebookNode, workdir: Path) -> str:
    """The notebook's Typst source, written to ``workdir/report.typ`` beside its images and layouts."""
    workdir.mkdir(parents=True, exist_ok=True)
    source = typst_source(nb, workdir)
    (workdir / "report.typ").write_text(source, encoding="utf-8")
    return source


def _stamp(timestamp: int | None) -> int | None:
    """The PDF's creation date: ``SOURCE_DATE_EPOCH`` if set, else ``timestamp``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else timestamp


def typst_failure(file: str, doc: dict[str, Any], source: str, message: str, where: str) -> str:
    """What a failed PDF layout says: the document, the part of it and the indicator, what to do.

    A Typst error is reported like a failing cell (exit 1, the last good report kept), not as a
    traceback: it names the document and, when the error's position in ``report.typ`` lies in an
    indicator's data, that indicator, so the person who can fix the text is found at once.
    """
    document = f"{file} ({doc['title']})" if doc.get("title") else file
    text = f"could not lay out the PDF {document}: Typst says {message!r}"
    if "PDF/UA" in message:
        return text + (
            ". The PDF is made to the accessibility standard PDF/UA-1, which this breaks: the first heading "
            "must be of level 1 and no heading may skip a level (a Markdown cell's '####' straight after a "
            "'##'), and every image needs a description. Correct the notebook cell that adds it, or tag that "
            "cell analyst-only"
        )
    located = _typst_location(source, where)
    if located:
        section, indicator = located
        text += f" in the {section.replace('-', ' ')}" + (
            f", in the entry for indicator {indicator}" if indicator else ""
        )
        text += (
            f". Check indicator {indicator}'s commentary, actions and titles for unusual formatting, and "
            "if nothing there explains it"
            if indicator
            else ". If nothing in the data explains it"
        )
    else:
        text += ". If nothing in the data explains it"
    return (
        text + ", report it as a fault in goldenthread with this message (the HTML can still be built with "
        "--format html)"
    )


def _typst_location(source: str, where: str) -> tuple[str, str | None] | None:
    """(section, indicator id or None) for the first ``report.typ:line:column`` in a Typst diagnostic."""
    found = re.search(r"report\.typ:(\d+):(\d+)", where)
    lines = source.split("\n")
    if not found or not 0 < int(found.group(1)) <= len(lines):
        return None
    line = lines[int(found.group(1)) - 1]
    section = re.match(r"#gt-([a-z][a-z-]*)\(", line)
    if not section:
        return None
    before = line[: int(found.group(2))]
    ids = re.findall(r'[(,] ?id: "((?:[^"\\]|\\.)*)", anchor: "ind-', before)  # an indicator's entry
    indicator = re.sub(r"\\(.)", r"\1", ids[-1]) if ids else None
    return section.group(1), indicator
