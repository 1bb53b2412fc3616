"""A section's images stored once in the notebook: embedded in its HTML, referenced from its Typst payload.

A section (:class:`goldenthread.documents.report.Section`) is shown as HTML, whose charts are
``data:`` URIs, and carries a Typst payload for the PDF that needs the same charts as files. Both
used to hold every chart in base64, so each chart was stored twice in the executed notebook (and a
410-indicator report's notebook reached 30 MB). Now the payload names each image that its HTML
already embeds by the SHA-256 of its bytes (``html_files``), and the PDF step takes the bytes
from the HTML (:func:`section_files`): the HTML and the PDF get the very bytes they got before.
An image the HTML does not show stays in the payload's ``files``, in base64, as before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from goldenthread.errors import ReportError

__all__ = ["embedded_images", "payload_files", "section_files"]

#: A base64 ``data:`` URI of an image, as the section templates write it (``src="data:image/png;base64,..."``).
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
