"""Accessibility checks of the published files, as an auditor runs them: shared by the tests.

Each function returns a list of problems (empty when the file passes), each a sentence naming the
file and what is wrong, so a failing test says what to fix rather than that a count differed.

- :func:`pdf_problems`: the PDF/UA-1 points a reader's assistive technology relies on (tagged,
  language, title shown, the PDF/UA identifier, alt text on every figure, header cells in every table).
- :func:`docx_problems`: a Word document's headings, repeating table header rows and image alt text.
- :func:`axe_violations` and :func:`reflow_problems`: a page in a real browser (Chromium), with
  axe-core's WCAG 2.0/2.1/2.2 A and AA rules, and at 320 CSS pixels wide (WCAG 1.4.10).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: axe-core's tags for WCAG 2.0, 2.1 and 2.2, levels A and AA: what the Public Sector Bodies
#: Accessibility Regulations 2018 require (WCAG 2.2 AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def chromium() -> str | None:
    """The Chromium to drive: ``GOLDENTHREAD_CHROMIUM``, else ``chromium`` on PATH (Debian's package)."""
    return os.environ.get("GOLDENTHREAD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# --- PDF ---------------------------------------------------------------------------------------------


def _struct_elements(node: Any, role_map: dict[str, str]) -> Iterator[tuple[str, Any]]:
    """Every structure element under ``node``, with its standard type (custom types through the RoleMap)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _struct_elements(kid, role_map)
        return
    if not isinstance(node, DictionaryObject):
        return  # a marked-content id: content, not structure
    kind = node.get("/S")
    if kind is not None:
        name = str(kind).lstrip("/")
        seen = set()
        while name in role_map and name not in seen:  # a custom type maps (perhaps in steps) to a standard one
            seen.add(name)
            name = role_map[name]
        yield name, node
    if "/K" in node:
        yield from _struct_elements(node["/K"], role_map)


def pdf_problems(path: Path) -> list[str]:
    """What stops ``path`` being a tagged, PDF/UA-1 document a screen reader can navigate."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    problems: list[str] = []
    name = f"{path.parent.name}/{path.name}"
    if not root.get("/MarkInfo", {}).get("/Marked"):
        problems.append(f"{name}: not tagged (/MarkInfo /Marked is not true)")
    if not str(root.get("/Lang", "")).strip():
        problems.append(f"{name}: no document language (/Lang)")
    if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        problems.append(f"{name}: the title bar shows the file name, not the title (/DisplayDocTitle)")
    meta = reader.metadata or {}
    if not str(meta.get("/Title") or "").strip():
        problems.append(f"{name}: no document title")
    xmp = root.get("/Metadata")
    xmp_text = xmp.get_object().get_data().decode("utf-8", "replace") if xmp is not None else ""
    if "pdfuaid:part" not in xmp_text:
        problems.append(f"{name}: no PDF/UA identifier (pdfuaid:part) in the XMP metadata")
    tree = root.get("/StructTreeRoot")
    if tree is None:
        return [*problems, f"{name}: no structure tree"]
    tree = tree.get_object()
    role_map = {str(k).lstrip("/"): str(v).lstrip("/") for k, v in (tree.get("/RoleMap") or {}).items()}
    elements = list(_struct_elements(tree.get("/K"), role_map))
    figures = [node for kind, node in elements if kind == "Figure"]
    for i, node in enumerate(figures, 1):
        if not str(node.get("/Alt") or node.get("/ActualText") or "").strip():
            problems.append(f"{name}: figure {i} of {len(figures)} has no alternative text (/Alt)")
    tables = [node for kind, node in elements if kind == "Table"]
    for i, table in enumerate(tables, 1):
        cells = [kind for kind, _ in _struct_elements(table.get("/K"), role_map)]
        if "TH" not in cells:
            problems.append(f"{name}: table {i} of {len(tables)} has no header cells (TH)")
    return problems


# --- Word ----------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def docx_problems(path: Path) -> list[str]:
    """What stops ``path`` being a Word document a committee clerk and a screen reader can use."""
    import docx

    document = docx.Document(str(path))
    name = f"{path.parent.name}/{path.name}"
    problems: list[str] = []
    levels = [
        int(p.style.name.split()[-1])
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ") and p.style.name.split()[-1].isdigit()
    ]
    if not levels:
        problems.append(f"{name}: no paragraph uses a Heading style (the navigation pane is empty)")
    for before, after in zip([0, *levels], levels, strict=False):
        if after > before + 1:
            problems.append(f"{name}: a Heading {after} follows a Heading {before or '(none)'}: a level is skipped")
            break
    for i, table in enumerate(document.tables, 1):
        first = table.rows[0]._tr if table.rows else None
        if first is None or first.find(f"{_W}trPr/{_W}tblHeader") is None:
            problems.append(f"{name}: table {i}'s first row is not marked to repeat as a header row")
    for i, drawing in enumerate(document.element.body.iter(f"{_WP}docPr"), 1):
        if not (drawing.get("descr") or "").strip():
            problems.append(f"{name}: picture {i} has no alternative text (descr)")
    if not (document.core_properties.title or "").strip():
        problems.append(f"{name}: no document title in its properties")
    if not (document.core_properties.language or "").strip():
        problems.append(f"{name}: no document language in its properties")
    return problems


# --- HTML in a browser -----------------------------------------------------------------------------------


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on the loaded ``page``, one line each with where."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
    ]


#: The elements holding prose, which must fit 320 px without scrolling sideways (WCAG 1.4.10). Data tables
#: are excepted by the criterion (they need two dimensions) and scroll inside their own region.
_REFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) {
    out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
  }
  for (const el of document.querySelectorAll('p, li, h1, h2, h3, h4, dt, dd, figcaption, caption')) {
    if (el.closest('table, .table-scroll, pre')) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      const text = el.textContent.trim().slice(0, 50);
      const span = `${Math.round(box.left)}px to ${Math.round(box.right)}px`;
      out.push(`${el.tagName.toLowerCase()} "${text}" runs from ${span}`);
    }
  }
  return out.slice(0, 10);
}"""


def reflow_problems(page: Any) -> list[str]:
    """Prose that does not fit the loaded ``page``'s window (set it to 320 px wide first)."""
    return list(page.evaluate(_REFLOW_SCRIPT))
