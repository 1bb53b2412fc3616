"""The reference document goldenthread ships: the house style of the Word file, made reproducibly.

pandoc takes a Word file's styles, page size, margins, header and footer from a *reference
document*. ``templates/docx/reference.docx`` is pandoc's own default (``pandoc
--print-default-data-file reference.docx``) with a committee paper's house style applied here:
A4 with 2.5 cm margins, Arial throughout, body text 12 pt and nothing under 11 pt, near-black
headings (pandoc's blue ones are below the 4.5:1 contrast normal-size text needs), GOV.UK link blue,
tables with ruled cells and a shaded header row, and Header, Footer and Status styles. A council
replaces the file with its own (``report_defaults.reference_docx``, see ``docs/word.md``); this
module only makes goldenthread's.

Rebuild it with ``make reference-docx`` (``python -m goldenthread.output.word_reference``) after
changing the style below; the same pandoc gives the same bytes, and a test checks the shipped file
is what this module makes.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from goldenthread.output.word import REFERENCE_DOCX, fixed_zip

#: The face of every style: on every Windows and Mac machine, and metric-compatible with Liberation
#: Sans where LibreOffice stands in for it.
FONT = "Arial"
#: Near-black text (GOV.UK's #0b0c0c): 19:1 on white.
TEXT = "0B0C0C"
#: Link blue (GOV.UK's #1d70b8): 5.2:1 on white.
LINK = "1D70B8"
#: Table rules and the header row's shading.
RULE, SHADE = "505A5F", "F3F2F1"
#: (size in points, bold, space before, space after) of each paragraph style the report uses.
PARAGRAPH_STYLES: dict[str, tuple[float, bool, float, float]] = {
    "Normal": (12, False, 0, 0),
    "Body Text": (12, False, 0, 8),
    "First Paragraph": (12, False, 0, 8),
    "Compact": (11, False, 0, 2),
    "Heading 1": (20, True, 0, 12),
    "Heading 2": (16, True, 18, 8),
    "Heading 3": (14, True, 14, 6),
    "Heading 4": (13, True, 14, 4),
    "Heading 5": (12, True, 8, 2),
    "Heading 6": (12, True, 8, 2),
    "Title": (24, True, 0, 12),
    "Subtitle": (14, False, 0, 12),
    "Table Caption": (11, True, 8, 4),
    "Image Caption": (11, False, 2, 8),
    "Figure": (12, False, 4, 4),
    "Captioned Figure": (12, False, 4, 4),
    "Definition Term": (12, True, 8, 2),
    "Definition": (12, False, 0, 6),
    "Block Text": (12, False, 4, 8),
    "Footnote Text": (11, False, 0, 2),
    "Header": (11, False, 0, 0),
    "Footer": (11, False, 0, 0),
}
#: The date inside the shipped file, fixed so it is reproducible.
CREATED = dt.datetime(2026, 1, 1)


def _fonts(element: Any) -> None:
    """Set ``element``'s run fonts to :data:`FONT` for every script, dropping theme fonts (which win
    over a named font in Word, so a style would otherwise keep pandoc's Cambria or Calibri)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), FONT)


def _paragraph_style(document: Any, name: str, size: float, bold: bool, before: float, after: float) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    try:
        style = document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor.from_string(TEXT)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    _fonts(style.element.get_or_add_rPr())
    if name.startswith("Heading") or name == "Table Caption":  # never alone at the foot of a page
        style.paragraph_format.keep_with_next = True


def _character_styles(document: Any) -> None:
    """Links in link blue, underlined; a status in bold (:data:`goldenthread.output.word.STATUS_STYLE`)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import RGBColor

    from goldenthread.output.word import STATUS_STYLE

    link = document.styles["Hyperlink"]
    link.font.color.rgb = RGBColor.from_string(LINK)
    link.font.underline = True
    try:
        status = document.styles[STATUS_STYLE]
    except KeyError:
        status = document.styles.add_style(STATUS_STYLE, WD_STYLE_TYPE.CHARACTER)
    status.font.bold = True


def _table_style(document: Any) -> None:
    """pandoc's "Table" style with every cell ruled, a shaded bold header row and a bold first column
    (used by tables whose first column holds the row labels)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    style = document.styles["Table"].element
    for old in style.findall(qn("w:tblPr")) + style.findall(qn("w:tblStylePr")):
        style.remove(old)
    edges = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    style.append(
        parse_xml(
            f"<w:tblPr {nsdecls('w')}><w:tblBorders>{edges}</w:tblBorders>"
            '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        )
    )
    style.append(
        parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
            f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/></w:tcPr></w:tblStylePr>'
        )
    )
    style.append(
        parse_xml(f'<w:tblStylePr {nsdecls("w")} w:type="firstCol"><w:rPr><w:b/><w:bCs/></w:rPr></w:tblStylePr>')
    )


def _page(document: Any) -> None:
    """A4, 2.5 cm margins, header and footer 1.25 cm from the edge."""
    from docx.shared import Cm, Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.header_distance = section.footer_distance = Cm(1.25)
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False


def _defaults(document: Any) -> None:
    """The document's default run font (what any style without its own uses)."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if run is not None:
            _fonts(run)


def pandoc_reference() -> bytes:
    """pandoc's own default reference document (what the house style starts from)."""
    import pypandoc

    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "reference.docx"
        command = [pypandoc.get_pandoc_path(), "-o", str(out), "--print-default-data-file", "reference.docx"]
        subprocess.run(command, check=True, capture_output=True)
        return out.read_bytes()


def make_reference_docx(out: Path = REFERENCE_DOCX) -> Path:
    """Write goldenthread's reference document to ``out`` (the same bytes every time)."""
    import docx

    document = docx.Document(io.BytesIO(pandoc_reference()))
    _defaults(document)
    for name, (size, bold, before, after) in PARAGRAPH_STYLES.items():
        _paragraph_style(document, name, size, bold, before, after)
    _character_styles(document)
    _table_style(document)
    _page(document)
    props = document.core_properties
    props.title = "goldenthread reference document: the house style of the Word report"
    props.author = props.last_modified_by = "goldenthread"
    props.language = "en-GB"
    props.created = props.modified = CREATED
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(fixed_zip(buffer.getvalue()))
    return out


if __name__ == "__main__":  # make reference-docx
    print(make_reference_docx(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE_DOCX))
