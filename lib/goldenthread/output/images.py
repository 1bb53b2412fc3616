"""A section's images stored once in the notebook: embedded in its HTML, referenced from its Typst payload.

A section (:class:`goldenthread.documents.report.Section`) is shown as HTML, whose charts are
``data:`` URIs, and carries a Typst payload for the PDF that needs the same charts as files. Both
used to hold every chart in base64, so each chart was stored twice in the executed notebook (and a
410-indicator report's notebook reached 30 MB). Now the payload names each image that its HTML
already embeds by the SHA-256 of its bytes (``html_files``), and the PDF step takes the bytes
from the HTML (:func:`section_files`): the HTML and the PDF get the very bytes they got before.
An image the HTML does not show stays in the payload's ``files``, in base64, as before.

Charts are SVG (``data:image/svg+xml;base64``), found and matched like any other image. For a format
that wants pixels (Word), :func:`chart_png` rasterises one with Typst and the report's own fonts, and
:func:`png_data_uri` does it for a chart's ``data:`` URI.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from goldenthread.errors import ReportError

__all__ = ["embedded_images", "payload_files", "section_files", "chart_png", "png_data_uri", "WORD_PPI"]

#: A base64 ``data:`` URI of an image, as the section templates write it (``src="data:image/svg+xml;base64,..."``).
DATA_URI = re.compile(r"data:image/[a-z0-9.+-]+;base64,([A-Za-z0-9+/]+={0,2})")


def embedded_images(html: str) -> set[str]:
    """The base64 text of every image embedded in ``html`` as a ``data:`` URI."""
    return set(DATA_URI.findall(html))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_files(files: Mapping[str, bytes], html: str) -> dict[str, dict[str, str]]:
    """A section's files as its Typst payload stores them.

    ``files``: name -> base64 of each file the HTML does not embed; ``html_files`` (only if there
    are any): name -> SHA-256 of each file it does (read back from the HTML, see :func:`section_files`).
    """
    shown = embedded_images(html) if files else set()
    inline: dict[str, str] = {}
    in_html: dict[str, str] = {}
    for name, data in files.items():
        text = base64.b64encode(data).decode("ascii")
        if text in shown:
            in_html[name] = _digest(data)
        else:
            inline[name] = text
    return {"files": inline, "html_files": in_html} if in_html else {"files": inline}


def section_files(payload: Mapping[str, Any], html: str) -> dict[str, bytes]:
    """Every file of a section's Typst payload, by name: those stored in the payload and those its HTML embeds.

    A referenced image that the HTML does not hold (a notebook edited by hand, or cut short) is a
    :class:`goldenthread.errors.ReportError` naming the file, never a PDF with a chart missing.
    """
    files = {name: base64.b64decode(text) for name, text in payload.get("files", {}).items()}
    wanted: Mapping[str, str] = payload.get("html_files", {})
    if not wanted:
        return files
    by_digest: dict[str, bytes] = {}
    for text in embedded_images(html):
        try:
            data = base64.b64decode(text, validate=True)
        except binascii.Error:
            continue
        by_digest[_digest(data)] = data
    for name, digest in wanted.items():
        if digest not in by_digest:
            raise ReportError(
                f"the PDF could not be made: the image {name!r} of a report section is missing from the "
                "section's HTML in the executed notebook. Run the notebook again rather than editing its outputs"
            )
        files[name] = by_digest[digest]
    return files


# --- pixels for formats that want them (Word) ----------------------------------------------------------

#: Resolution of a chart rasterised for Word: twice a screen's 96, so it stays sharp printed and zoomed.
WORD_PPI = 192.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: An SVG ``data:`` URI, as the section templates write charts in an ``src`` attribute.
SVG_DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/]+={0,2})")


def _with_resolution(png: bytes, ppi: float) -> bytes:
    """``png`` with a ``pHYs`` chunk saying its resolution, so Word (python-docx, pandoc) shows it at the
    chart's own size rather than taking every pixel for a 96th of an inch. Typst writes none."""
    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = len(PNG_SIGNATURE) + 8 + 13 + 4  # signature, then the IHDR chunk (length, type, data, crc)
    rest = png[end_of_header:]
    if b"pHYs" in rest[:64]:
        return png
    return png[:end_of_header] + chunk + rest


def chart_png(image: bytes, ppi: float = WORD_PPI) -> bytes:
    """A chart as PNG, for a format that takes pixels (Word): an SVG is drawn by Typst, with the fonts the
    PDF uses (bundled, never the system's) and so with the same text, at ``ppi`` pixels per inch; any other
    image (a PNG an analyst's cell made) is returned unchanged.

    pip-only and offline: the ``typst`` package the PDF already needs does the drawing.
    """
    if not image.lstrip().startswith((b"<?xml", b"<svg")):
        return image
    import typst

    from goldenthread.output.render import font_dirs  # render imports this module
    from goldenthread.output.typst_markup import string

    source = (
        "#set page(width: auto, height: auto, margin: 0pt)\n"
        f'#image(bytes({string(image.decode("utf-8"))}), format: "svg")\n'
    )
    fonts = typst.Fonts(include_system_fonts=False, font_paths=font_dirs())
    png = typst.compile(source.encode("utf-8"), format="png", ppi=ppi, font_paths=fonts, ignore_system_fonts=True)
    assert isinstance(png, bytes), "one page gives one PNG"
    return _with_resolution(png, ppi)


def png_data_uri(uri: str, ppi: float = WORD_PPI) -> str:
    """A chart's SVG ``data:`` URI as a PNG one (:func:`chart_png`), for a format that shows PNG everywhere
    (Word); any other URI, or one whose base64 is broken, is returned unchanged."""
    found = SVG_DATA_URI.fullmatch(uri)
    if not found:
        return uri
    try:
        svg = base64.b64decode(found.group(1), validate=True)
    except binascii.Error:
        return uri
    return "data:image/png;base64," + base64.b64encode(chart_png(svg, ppi)).decode("ascii")
