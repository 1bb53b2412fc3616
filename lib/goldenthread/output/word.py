"""Executed notebook -> a Word document (.docx) a committee clerk can drop into the council's template.

Councils put Cabinet papers into a committee system (Modern.gov and the like) as Word, in their own
house style. The Word file carries the same content as the HTML page: the section HTML the notebook
displayed (already escaped by the section templates), each analyst Markdown cell and each image output.

How it is made, and why that way:

1. **pandoc** (``pypandoc-binary``, a dependency already) reads each visible cell into its document
   tree (JSON), so every piece of text from the data reaches Word as text, never as markup. The tree
   is adjusted where Word needs something else than a web page (:func:`adjust_for_word`): charts drawn
   as SVG become PNG (Word's own SVG support is patchy), every picture keeps its alt text, tables of
   labels and values become a header row or terms (Word has no row-header cells), header cells are
   bold and columns as wide as their text needs, and the numbered areas of success and concern are
   paragraphs numbered as the report numbers them ("2.2.1"), not a Word list numbering them again.
2. pandoc writes the ``.docx`` with the **reference document** (``templates/docx/reference.docx``, or
   the council's own, see ``docs/word.md``): its styles, page size, margins, header and footer are the
   document's. Headings are Word's Heading 1-5 (the navigation pane), tables are Word tables whose
   header rows repeat on every page, pictures carry their alt text (``wp:docPr descr``).
3. **python-docx** finishes what pandoc cannot: the classification marking in the header and footer,
   "Page N of M" (Word fields), rows that do not break across pages, captions the page hides kept as
   the table's title only, the core properties (title, language en-GB, organisation, classification)
   and a fixed date, so the same notebook gives the same bytes (like the PDF).

pandoc runs with ``--sandbox``: it reads no file and no URL that a cell names, only the reference
document, so the build stays offline whatever an analyst's cell links to.
"""

from __future__ import annotations

import base64
import datetime as dt
import html as html_lib
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from goldenthread.errors import ReportError
from goldenthread.output import TEMPLATES, TYPST_MIME
from goldenthread.output import typst_markup as ty
from goldenthread.output.images import png_data_uri
from goldenthread.output.render import DEFAULT_ALT, displayed_outputs, output_image, visible_cells

__all__ = [
    "HEADING_STYLES",
    "LANGUAGE",
    "REFERENCE_DOCX",
    "USED_STYLES",
    "export_docx",
    "reference_docx_problems",
    "word_document_tree",
]

#: The house style goldenthread ships; a council points ``report_defaults.reference_docx`` at its own.
REFERENCE_DOCX = TEMPLATES / "docx" / "reference.docx"
#: The document's language: Word's spelling and a screen reader's voice follow it.
LANGUAGE = "en-GB"
#: Word styles the headings use: they make the navigation pane, so a reference document must have them.
HEADING_STYLES = tuple(f"Heading {level}" for level in range(1, 6))
#: Every other style the Word file uses (a reference document without one shows that text as Normal).
USED_STYLES = (
    "Normal",
    "Body Text",
    "First Paragraph",
    "Compact",
    "Table",
    "Table Caption",
    "Figure",
    "Captioned Figure",
    "Image Caption",
    "Definition Term",
    "Definition",
    "Hyperlink",
    "Status",
    "Header",
    "Footer",
)
#: The character style of a status ("On target") and of a direction of travel: bold, so it stands out
#: without colour (the HTML's badge colours do not survive a council's template, and need not).
STATUS_STYLE = "Status"
#: Spans of these classes (the section templates') are set in :data:`STATUS_STYLE`.
STATUS_CLASSES = {"gt-status", "gt-dot"}
#: A list item starting with a span of this class is an area of success or concern, numbered in its text.
NUMBERED_ITEM_CLASS = "gt-num"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
#: Zip entries get this date, so the same document gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Node = dict[str, Any]


# --- pandoc ------------------------------------------------------------------------------------


def _pandoc(source: str, to: str, fmt: str, extra: Iterable[str] = (), outputfile: str | None = None) -> str:
    """One pandoc conversion, sandboxed (no file or URL named in ``source`` is read).

    pandoc is run directly (the binary ``pypandoc-binary`` ships): ``pypandoc.convert_text`` starts it
    three times a call to check the formats, which tripled the time the Word file took.
    """
    import pypandoc

    command = [pypandoc.get_pandoc_path(), "--sandbox", "--from", fmt, "--to", to, *extra]
    command += ["--output", outputfile] if outputfile else []
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, check=False)
    except OSError as err:
        failure = str(err)
    else:
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
        failure = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
    first = " ".join(re.sub(r"<[^>]*>", " ", source).split())[:60]
    raise ReportError(
        f"the Word document could not be made: pandoc could not convert a notebook cell or output "
        f"beginning {first!r} ({failure}). Simplify that cell, or tag it analyst-only to keep it out of the report"
    )


def _tree(source: str, fmt: str) -> Node:
    """pandoc's document tree of ``source``. Headings get no made-up identifiers (``-auto_identifiers``):
    the sections' own ids are unique in the report, and identifiers made per cell could repeat."""
    extension = "-gfm_auto_identifiers" if fmt == "gfm" else "-auto_identifiers"
    tree: Node = json.loads(_pandoc(source, "json", fmt + extension))
    return tree


# --- the notebook as one document tree ------------------------------------------------------------


#: An image embedded in HTML as a ``data:`` URI, as the section templates write it.
_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")(data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2})"')


class Pictures:
    """The report's pictures, kept out of pandoc's way until Word needs them.

    Each ``data:`` URI in a section's HTML is swapped for a short key before pandoc reads the HTML
    (reading twenty base64 charts cost pandoc a second), and the key for the picture as Word gets it
    (:meth:`for_word`: a chart drawn as SVG becomes PNG, several at once) when the tree is adjusted.
    """

    def __init__(self) -> None:
        self.uris: dict[str, str] = {}

    def set_aside(self, html: str) -> str:
        """``html`` with each embedded image's ``data:`` URI replaced by its key."""

        def key(found: re.Match[str]) -> str:
            name = f"goldenthread-picture-{len(self.uris) + 1}"
            self.uris[name] = found.group(2)
            return f'{found.group(1)}{name}"'

        return _IMG_SRC.sub(key, html)

    def add(self, data: bytes, mime: str) -> str:
        """The key of an image output (an analyst's plot)."""
        name = f"goldenthread-picture-{len(self.uris) + 1}"
        self.uris[name] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return name

    def for_word(self) -> dict[str, str]:
        """Key -> the ``data:`` URI Word gets (charts rasterised in parallel: Typst frees the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return dict(zip(self.uris, pool.map(png_data_uri, self.uris.values()), strict=True))


def _image_block(key: str, alt: str) -> Node:
    """A picture of its own (an analyst's plot), as pandoc's tree holds one."""
    image = {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": alt}], [key, ""]]}
    return {"t": "Para", "c": [image]}


def _cell_blocks(cell: nbformat.NotebookNode, pictures: Pictures) -> Iterable[list[Node] | Node]:
    """What one visible cell shows, as pandoc blocks (or a whole tree, for text pandoc reads)."""
    if cell.cell_type == "markdown":
        if cell.source.strip():
            yield _tree(cell.source, "gfm")
        return
    if cell.cell_type != "code":
        return
    for out in displayed_outputs(cell):
        data = out.get("data", {})
        image = output_image(out)
        if "text/html" in data and (TYPST_MIME in data or image is None):
            # a section (its HTML is escaped already), or an analyst's table
            yield _tree(pictures.set_aside(data["text/html"]), "html")
        elif image is not None:
            kind, content, alt = image
            yield [_image_block(pictures.add(content, kind), alt)]
        elif "text/markdown" in data:
            yield _tree(data["text/markdown"], "gfm")
        elif "text/plain" in data:
            yield [{"t": "CodeBlock", "c": [["", [], []], str(data["text/plain"])]}]


def word_document_tree(nb: nbformat.NotebookNode) -> Node:
    """The visible cells of ``nb`` as one pandoc document, adjusted for Word (:func:`adjust_for_word`)."""
    blocks: list[Node] = []
    version: list[int] | None = None
    pictures = Pictures()
    for cell in visible_cells(nb):
        for part in _cell_blocks(cell, pictures):
            if isinstance(part, dict):
                version = version or part["pandoc-api-version"]
                blocks.extend(part["blocks"])
            else:
                blocks.extend(part)
    if version is None:  # nothing pandoc read: ask it for its tree version
        version = _tree("", "html")["pandoc-api-version"]
    blocks = adjust_for_word(blocks, pictures.for_word(), hidden_captions(nb))
    return {"pandoc-api-version": version, "meta": {}, "blocks": blocks}


# --- adjusting the tree for Word ------------------------------------------------------------------


def _walk(node: Any, change: Callable[[Node], Node | None]) -> Any:
    """``node`` with every element ``change`` returns a replacement for replaced (children first)."""
    if isinstance(node, list):
        return [_walk(item, change) for item in node]
    if isinstance(node, dict):
        walked = {key: _walk(value, change) for key, value in node.items()}
        if "t" in walked:
            replaced = change(walked)
            return walked if replaced is None else replaced
        return walked
    return node


def _classes(attr: list[Any]) -> list[str]:
    return list(attr[1])


def _stringify(inlines: list[Node]) -> str:
    """The plain text of pandoc inlines (what an alt text reads)."""
    parts: list[str] = []

    def collect(node: Node) -> None:
        if node["t"] == "Str":
            parts.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")

    _walk(inlines, lambda n: collect(n))
    return " ".join("".join(parts).split())


def _image(node: Node, pictures: Mapping[str, str]) -> Node:
    """A picture as Word should get it: its data (see :class:`Pictures`), with alt text (the section's,
    else :data:`DEFAULT_ALT`)."""
    attr, alt, (url, title) = node["c"]
    if not _stringify(alt):
        alt = [{"t": "Str", "c": DEFAULT_ALT}]
    return {"t": "Image", "c": [attr, alt, [pictures.get(url, url), title]]}


def _status_span(node: Node) -> Node | None:
    """A status or direction of travel, in the :data:`STATUS_STYLE` character style."""
    attr = node["c"][0]
    if not set(_classes(attr)) & STATUS_CLASSES:
        return None
    keyvals = [kv for kv in attr[2] if kv[0] not in ("style", "custom-style")] + [["custom-style", STATUS_STYLE]]
    return {"t": "Span", "c": [[attr[0], attr[1], keyvals], node["c"][1]]}


def _inlines_of(blocks: list[Node]) -> list[Node]:
    """The inline content of a list item's blocks, joined by spaces (one paragraph of them)."""
    joined: list[Node] = []
    for block in blocks:
        if block["t"] in ("Plain", "Para"):
            inlines = block["c"]
        elif block["t"] == "Div":
            inlines = _inlines_of(block["c"][1])
        else:
            continue
        if inlines:
            joined.extend(([{"t": "Space"}] if joined else []) + inlines)
    return joined


def _starts_numbered(item: list[Node]) -> bool:
    first = item[0] if item else None
    if not first or first["t"] not in ("Plain", "Para") or not first["c"]:
        return False
    span = first["c"][0]
    return bool(span["t"] == "Span" and NUMBERED_ITEM_CLASS in _classes(span["c"][0]))


def _numbered_paragraphs(node: Node) -> Node | None:
    """An ordered list whose items carry their own numbers ("2.2.1 ...") as one paragraph per item."""
    items: list[list[Node]] = node["c"][1]
    if not items or not all(_starts_numbered(item) for item in items):
        return None
    return {"t": "Div", "c": [["", [], []], [{"t": "Para", "c": _inlines_of(item)} for item in items]]}


#: About how many characters of 11 pt table text fill a line of A4 between 2.5 cm margins.
LINE_CHARACTERS = 76
#: A column is given room for at most this many characters on one line (longer text wraps).
WIDEST_COLUMN = 40


def _column_widths(rows: list[list[str]]) -> list[float]:
    """Each column's share of the text width, from what it holds. Every column gets room for its
    longest word (a word is never broken); the rest of the line goes to the columns whose text would
    like more (up to :data:`WIDEST_COLUMN` characters); a table with little in it stays narrow.
    (Word otherwise gives every column the same width, so an indicator's title was squeezed into a
    column as narrow as its target's.)"""
    columns = max((len(row) for row in rows), default=0)
    least: list[int] = []
    wanted: list[int] = []
    for i in range(columns):
        cells = [row[i] for row in rows if i < len(row)]
        least.append(max((len(word) for cell in cells for word in cell.split()), default=1) + 3)
        wanted.append(max(least[-1], min(max((len(cell) for cell in cells), default=1) + 3, WIDEST_COLUMN)))
    if sum(wanted) <= LINE_CHARACTERS:
        return [width / LINE_CHARACTERS for width in wanted]
    spare = LINE_CHARACTERS - sum(least)
    if spare <= 0:
        return [width / sum(least) for width in least]
    more = sum(wanted) - sum(least)
    return [(low + spare * (want - low) / more) / LINE_CHARACTERS for low, want in zip(least, wanted, strict=True)]


def _cell_text(cell: list[Any]) -> str:
    return _stringify(cell[4])


def _table(node: Node) -> Node:
    """A table as Word should get it: header cells in bold, columns as wide as their content needs.

    Bold: the header rows, and the first column of a table whose rows have headers ("Latest",
    "Target"). Word tables have no row-header cells, and a template's table style may not make header
    rows bold (LibreOffice ignores that part of a style), so the labels are bold in the text itself.
    """
    attr, caption, specs, head, bodies, foot = node["c"]
    rows = [*head[1], *(row for body in bodies for row in [*body[2], *body[3]])]
    if all(spec[1]["t"] == "ColWidthDefault" for spec in specs):
        widths = _column_widths([[_cell_text(cell) for cell in row[1]] for row in rows])
        if len(widths) == len(specs):
            specs = [[spec[0], {"t": "ColWidth", "c": width}] for spec, width in zip(specs, widths, strict=True)]
    for row in head[1]:
        for cell in row[1]:
            cell[4] = [_bold_block(block) for block in cell[4]]
    for body in bodies:
        for row in [*body[2], *body[3]]:
            for cell in row[1][: body[1]]:
                cell[4] = [_bold_block(block) for block in cell[4]]
    return {"t": "Table", "c": [attr, caption, specs, head, bodies, foot]}


def _bold_block(block: Node) -> Node:
    if block["t"] in ("Plain", "Para") and block["c"]:
        return {"t": block["t"], "c": [{"t": "Strong", "c": block["c"]}]}
    return block


#: Label/value tables of these classes (an indicator's figures: "Latest", "Target", "Status"...) become
#: one row of values under a header row of the labels; any other (the front sheet's details, whose
#: values are long) becomes a list of terms.
ONE_ROW_CLASSES = {"gt-figures"}

_DEFAULT_SPEC = [{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]
_NO_ATTR: list[Any] = ["", [], []]


def _new_cell(blocks: list[Node]) -> list[Any]:
    return [_NO_ATTR, {"t": "AlignDefault"}, 1, 1, blocks]


def _label_values(node: Node, hidden: set[str]) -> Node | None:
    """A table of labels and values (its rows have headers: "Latest", "Target"...) in a shape Word can
    mark up, since Word tables have header rows but no row-header cells (the PDF makes them term
    lists). An indicator's figures (:data:`ONE_ROW_CLASSES`): one row of values under a header row of
    the labels, which is read out with each value (and keeps 38 indicators compact). Any other (the
    front sheet's details): a list of terms, each label a Definition Term paragraph above its value,
    with the caption above it unless the page hides it."""
    attr, caption, specs, head, bodies, foot = node["c"]
    rows = [row for body in bodies for row in [*body[2], *body[3]]]
    if head[1] or foot[1] or len(specs) != 2 or not rows or any(body[1] != 1 for body in bodies):
        return None
    if any(len(row[1]) != 2 for row in rows):
        return None
    labels, values = [row[1][0] for row in rows], [row[1][1] for row in rows]
    if set(_classes(attr)) & ONE_ROW_CLASSES:
        header = [_NO_ATTR, [_new_cell(label[4]) for label in labels]]
        body = [_NO_ATTR, 0, [], [[_NO_ATTR, [_new_cell(value[4]) for value in values]]]]
        table = [attr, caption, [_DEFAULT_SPEC] * len(rows), [_NO_ATTR, [header]], [body], foot]
        return _table({"t": "Table", "c": table})
    title = _stringify(_inlines_of(caption[1]))
    items = [[_inlines_of(label[4]), [value[4]]] for label, value in zip(labels, values, strict=True)]
    above = (
        [] if not title or title in hidden else [{"t": "Para", "c": [{"t": "Strong", "c": _inlines_of(caption[1])}]}]
    )
    return {"t": "Div", "c": [attr, [*above, {"t": "DefinitionList", "c": items}]]}


def adjust_for_word(
    blocks: list[Node], pictures: Mapping[str, str] | None = None, hidden: Iterable[str] = ()
) -> list[Node]:
    """The report's blocks as Word should get them; see the module docstring (step 1). ``pictures``:
    each picture's key (:class:`Pictures`) and the ``data:`` URI Word gets for it; ``hidden``: the
    captions the page shows only to screen readers (:func:`hidden_captions`)."""
    hidden = set(hidden)

    def change(node: Node) -> Node | None:
        kind = node["t"]
        if kind == "Image":
            return _image(node, pictures or {})
        if kind == "Span":
            return _status_span(node)
        if kind == "OrderedList":
            return _numbered_paragraphs(node)
        if kind == "Table":
            return _label_values(node, hidden) or _table(node)
        return None

    walked: list[Node] = _walk(blocks, change)
    return walked


# --- writing and finishing the .docx -------------------------------------------------------------


def export_docx(
    nb: nbformat.NotebookNode, out: Path, reference: Path | None = None, timestamp: int | None = None
) -> None:
    """Write the report as a Word document; see the module docstring.

    ``reference`` is the council's reference document (default :data:`REFERENCE_DOCX`); ``timestamp``
    (seconds since 1970) the document's date, so the same notebook gives the same bytes.
    ``SOURCE_DATE_EPOCH`` in the environment, if set, wins (as for the PDF).
    """
    from goldenthread.output.render import document_meta

    reference = reference or REFERENCE_DOCX
    problems = reference_docx_problems(reference)
    if problems:
        raise ReportError(f"the Word document could not be made: {problems[0]}")
    tree = word_document_tree(nb)
    with tempfile.TemporaryDirectory(prefix=".docx-", dir=out.parent) as work:
        made = Path(work) / "pandoc.docx"
        _pandoc(
            json.dumps(tree),
            "docx",
            "json",
            ["--reference-doc", str(reference), "--metadata", f"lang={LANGUAGE}"],
            outputfile=str(made),
        )
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        data = finish_docx(
            made.read_bytes(), document_meta(nb), int(epoch) if epoch else timestamp, hidden_captions(nb)
        )
    out.write_bytes(data)


def finish_docx(data: bytes, meta: dict[str, Any], timestamp: int | None = None, hidden: Iterable[str] = ()) -> bytes:
    """pandoc's ``.docx`` with what it cannot write: marking, page numbers, properties (step 3).
    ``hidden``: the captions the page shows only to screen readers (:func:`hidden_captions`)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    classification = ty.visible(str(meta.get("classification") or ""))
    _mark_pages(document, classification, draft=bool(meta.get("draft")))
    _finish_tables(document, set(hidden))
    _describe_pictures(document)
    _set_properties(document, meta, classification, timestamp)
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def _style(document: Any, name: str, base: str = "Normal") -> Any:
    """The paragraph style ``name``, added (based on ``base``) if the reference document lacks it."""
    from docx.enum.style import WD_STYLE_TYPE

    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles[base]
        return style


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``paragraph``: Word fills in the number when it lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (
        ("begin", None),
        ("instr", f" {instruction} "),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = paragraph.add_run()._r
        if kind == "instr":
            child = OxmlElement("w:instrText")
            child.set(qn("xml:space"), "preserve")
            child.text = text
        elif kind == "text":
            child = OxmlElement("w:t")
            child.text = text
        else:
            child = OxmlElement("w:fldChar")
            child.set(qn("w:fldCharType"), kind)
        run.append(child)


def _clear(part: Any) -> None:
    """Empty a header or footer (the reference document's own text is replaced, its styles kept)."""
    for paragraph in part.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    for table in part.tables:
        table._tbl.getparent().remove(table._tbl)
    first = part.paragraphs[0]
    for child in list(first._p):
        if not child.tag.endswith("}pPr"):
            first._p.remove(child)


#: The header line of a report built without every sign-off (docs/signoff.md), above the classification.
DRAFT_MARK = "DRAFT – not signed off for publication"


def _mark_pages(document: Any, classification: str, draft: bool = False) -> None:
    """The classification centred at the top and bottom of every page (the UK government convention),
    and "Page N of M" in the footer; a draft's marking above the classification in the header."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    header_style, footer_style = _style(document, "Header"), _style(document, "Footer")
    for section in document.sections:
        section.different_first_page_header_footer = False
        header, footer = section.header, section.footer
        header.is_linked_to_previous = footer.is_linked_to_previous = False
        _clear(header)
        _clear(footer)
        top = header.paragraphs[0]
        top.style, top.alignment = header_style, WD_ALIGN_PARAGRAPH.CENTER
        if draft:
            mark = top.add_run(DRAFT_MARK)
            mark.bold = True
            mark.font.color.rgb = RGBColor(0xD4, 0x35, 0x1C)
            mark.add_break()
        top.add_run(classification).bold = True
        bottom = footer.paragraphs[0]
        bottom.style, bottom.alignment = footer_style, WD_ALIGN_PARAGRAPH.CENTER
        bottom.add_run(classification).bold = True
        pages = footer.add_paragraph(style=footer_style)
        pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pages.add_run("Page ")
        _field(pages, "PAGE")
        pages.add_run(" of ")
        _field(pages, "NUMPAGES")


#: The class of a caption the page shows only to screen readers (a heading above already says it).
HIDDEN_CAPTION = re.compile(r'<caption\b[^>]*\bclass="[^"]*\bgt-visually-hidden\b[^"]*"[^>]*>(.*?)</caption>', re.S)


def hidden_captions(nb: nbformat.NotebookNode) -> set[str]:
    """The text of each table caption the HTML hides (an indicator's figures, under its heading)."""
    found: set[str] = set()
    for cell in visible_cells(nb):
        for out in cell.get("outputs", []):
            for caption in HIDDEN_CAPTION.findall(str(out.get("data", {}).get("text/html", ""))):
                found.add(" ".join(html_lib.unescape(re.sub(r"<[^>]*>", "", caption)).split()))
    return found


def _printed_caption(table: Any) -> tuple[Any, str] | None:
    """The caption paragraph pandoc printed above ``table`` and its text, if it is the table's title."""
    from docx.oxml.ns import qn

    title = table.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}")
    above = table.getprevious()
    if title is None or above is None or above.tag != qn("w:p"):
        return None
    style = above.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    text = " ".join("".join(t.text or "" for t in above.iter(qn("w:t"))).split())
    if style is None or style.get(qn("w:val")) != "TableCaption" or text != title.get(qn("w:val")):
        return None
    return above, text


#: A table of at most this many rows (an indicator's figures) stays on a page with the paragraph
#: before it (the indicator's details) and the one after it (its chart, or "Commentary").
SHORT_TABLE = 3


def _keep_with_next(paragraphs: list[Any]) -> None:
    """Word's "keep with next" on each of ``paragraphs`` (those that are paragraphs)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for paragraph in paragraphs:
        if paragraph is None or paragraph.tag != qn("w:p"):
            continue
        props = paragraph.find(qn("w:pPr"))
        if props is None:
            props = OxmlElement("w:pPr")
            paragraph.insert(0, props)
        if props.find(qn("w:keepNext")) is None:
            keep = OxmlElement("w:keepNext")
            style = props.find(qn("w:pStyle"))
            props.insert(0 if style is None else list(props).index(style) + 1, keep)


def _unprint(caption: Any) -> None:
    """Take a caption paragraph off the page; emptied rather than removed when a table is right above
    it, since Word joins two tables with nothing between them into one."""
    from docx.oxml.ns import qn

    before = caption.getprevious()
    if before is not None and before.tag == qn("w:tbl"):
        for child in list(caption):
            if child.tag != qn("w:pPr"):
                caption.remove(child)
    else:
        caption.getparent().remove(caption)


def _finish_tables(document: Any, hidden: set[str]) -> None:
    """Rows never split across a page; a table without a header row has its first column marked as
    headers in the table's look (pandoc marks header rows to repeat, ``w:tblHeader``, itself).

    A caption the page hides stays the table's title (``w:tblCaption``, what Word's Alt Text pane and
    a screen reader give) but is not printed above it, as on the page.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for table in list(document.element.body.iter(qn("w:tbl"))):
        printed = _printed_caption(table)
        if printed is not None and printed[1] in hidden:
            _unprint(printed[0])
        rows = table.findall(qn("w:tr"))
        for row in rows:
            props = row.find(qn("w:trPr"))
            if props is None:
                props = OxmlElement("w:trPr")
                row.insert(0, props)
            if props.find(qn("w:cantSplit")) is None:
                props.insert(0, OxmlElement("w:cantSplit"))
        if len(rows) <= SHORT_TABLE:
            _keep_with_next([table.getprevious()])
        has_header = bool(rows) and rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        look = table.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
        if look is not None and not has_header:
            look.set(qn("w:firstColumn"), "1")
            look.set(qn("w:val"), "0080")


def _describe_pictures(document: Any) -> None:
    """Each picture's inner description is its alt text too (pandoc puts the image's source there:
    for a chart, its whole ``data:`` URI, which a screen reader may read out)."""
    for drawing in document.element.body.iter(f"{{{_WP}}}inline", f"{{{_WP}}}anchor"):
        doc_pr = drawing.find(f"{{{_WP}}}docPr")
        alt = doc_pr.get("descr", "") if doc_pr is not None else ""
        for inner in drawing.iter(f"{{{_PIC}}}cNvPr"):
            inner.set("descr", alt)


def _set_properties(document: Any, meta: dict[str, Any], classification: str, timestamp: int | None) -> None:
    """Title (what Word shows in its title bar and a screen reader announces), language, organisation,
    classification, and a fixed date."""
    props = document.core_properties
    props.title = ty.visible(str(meta.get("title") or ""))
    props.language = LANGUAGE
    props.author = ty.visible(str(meta.get("organisation") or ""))
    props.category = classification
    props.subject = ty.visible(str(meta.get("period") or ""))
    props.last_modified_by = "goldenthread"
    props.revision = 1
    when = dt.datetime.fromtimestamp(timestamp or 0, tz=dt.UTC).replace(tzinfo=None)
    props.created = props.modified = when


def fixed_zip(data: bytes) -> bytes:
    """The same ``.docx`` with every zip entry dated :data:`_ZIP_DATE`: same document, same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()


# --- the reference document ----------------------------------------------------------------------


def reference_docx_problems(path: Path) -> list[str]:
    """What is wrong with ``path`` as a reference document (empty if nothing): it must be a Word
    document (.docx) with the heading styles :data:`HEADING_STYLES`."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not path.is_file():
        return [f"the reference document {str(path)!r} {'is a folder' if path.is_dir() else 'does not exist'}"]
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        return [f"the reference document {str(path)!r} is not a Word document (.docx): {err}"]
    names = {style.name for style in document.styles}
    missing = [name for name in HEADING_STYLES if name not in names]
    if missing:
        return [
            f"the reference document {str(path)!r} has no {', '.join(missing)} style "
            "(the headings of the report and Word's navigation pane need them)"
        ]
    return []
