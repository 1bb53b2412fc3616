"""``reports/index.html``: one page listing every report built, with links to each format.

Performance managers, reviewers and councillors find reports by period and type rather than by
folder name. The page is made from the ``manifest.json`` each run writes, so it always matches
what is on disk, and it is rebuilt after every run (atomically, as parallel runs may finish at
the same moment). It is plain HTML with inline CSS: nothing fetched, readable offline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from goldenthread.inputs.periods import parse_period
from goldenthread.measures.formatting import and_list, format_period_name
from goldenthread.measures.rounding import format_number, round_half_up
from goldenthread.output import TEMPLATES
from goldenthread.output.export import write_atomically

#: Shown for a report built before manifests recorded the council's name.
UNKNOWN_ORGANISATION = "Council not recorded (rebuild the report to show it)"
#: The files a report folder may hold, in the order the index lists them, with the words a link shows.
#: A new output format is one line here.
FORMAT_LABELS = {
    "html": "Web page (HTML)",
    "pdf": "PDF",
    "docx": "Word document",
    "csv": "Scorecard (CSV)",
    "ipynb": "Notebook",
}
KINDS = {
    "corporate_performance_report": "Corporate Performance Report",
    "business_plan": "Business plan",
    "directorate_plan": "Directorate plan",
    "indicator_explorer": "Indicator explorer",
}


def read_manifest(path: Path) -> dict[str, Any]:
    """A report's ``manifest.json`` as a dict; ``ValueError`` saying what is wrong when it is not one.

    Manifests are read back by the index, ``verify`` and the check for another council's report,
    and a manifest may be truncated, edited by hand or not ours: whatever is in it must give a
    message, never a crash.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path.name} is not UTF-8 text") from err
    try:
        m = json.loads(text)
    except ValueError as err:  # a truncated file, or not JSON at all
        raise ValueError(f"{path.name} is not valid JSON ({err})") from err
    except RecursionError as err:  # lists nested thousands deep
        raise ValueError(f"{path.name} is nested too deeply to be a manifest") from err
    if not isinstance(m, dict):
        raise ValueError(f"{path.name} holds a JSON {type(m).__name__}, not an object")
    return m


def is_plain_name(name: object) -> bool:
    """A file name with no folder part: the only kind of output a report folder holds."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name


def listed_outputs(manifest: dict[str, Any]) -> list[str]:
    """The output file names a manifest lists, ignoring anything that is not a plain file name."""
    outputs = manifest.get("outputs")
    return [name for name in outputs if is_plain_name(name)] if isinstance(outputs, dict) else []


def report_entries(out_root: Path) -> list[dict[str, Any]]:
    """Every built report under ``out_root``, newest period first, then by type and title.

    Staging, failed and hidden folders are skipped; so is a folder whose manifest cannot be read.
    """
    entries: list[dict[str, Any]] = []
    for manifest_path in sorted(out_root.glob("*/manifest.json")):
        folder = manifest_path.parent
        if folder.name.startswith(".") or folder.name.endswith(".failed"):
            continue
        try:
            m = read_manifest(manifest_path)
        except (OSError, ValueError):
            continue
        if m.get("period") in (None, "") or isinstance(m.get("period"), (dict, list)):
            continue
        period = str(m["period"])
        stem = Path(str(m.get("notebook") or "")).stem
        outputs = [name for name in listed_outputs(m) if (folder / name).is_file()]
        order = {f: i for i, f in enumerate(FORMAT_LABELS)}
        links = sorted(
            (_link(folder, n, m) for n in outputs if n != "manifest.json"),
            key=lambda x: order.get(x["format"], len(order)),
        )
        entries.append(
            {
                "folder": folder.name,
                "period": period,
                "period_label": _period_label(period),
                "organisation": str(m.get("organisation") or UNKNOWN_ORGANISATION),
                "kind": KINDS.get(stem, stem.replace("_", " ").capitalize()),
                # a report built without every sign-off (docs/signoff.md) says so in the list too
                "title": str(m.get("title") or stem) + (" (DRAFT)" if _is_draft(m) else ""),
                "audience": str(m.get("audience") or "public"),
                "built": str(m.get("built_at") or "")[:10],
                "built_label": _built_label(str(m.get("built_at") or "")[:10]),
                "built_iso": _iso_date(str(m.get("built_at") or "")[:10]),
                "links": links,
            }
        )
    entries.sort(key=lambda e: (e["kind"], e["title"]))
    entries.sort(key=lambda e: e["period"], reverse=True)
    for e, name in zip(entries, link_names(entries), strict=True):
        e["name"] = name
    return entries


def _is_draft(manifest: dict[str, Any]) -> bool:
    parameters = manifest.get("parameters")
    return isinstance(parameters, dict) and parameters.get("draft") is True


def _link(folder: Path, name: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """One file of a report as the index links it: what it is, where, how big and, for a PDF, how many pages.

    A reader on a slow or metered connection, or printing, decides from the size and page count
    whether to open a file (as GOV.UK shows "PDF, 583 KB, 17 pages" beside every attachment).
    """
    fmt = Path(name).suffix.lstrip(".").lower()
    path = folder / name
    details = [file_size_text(path.stat().st_size)]
    if fmt == "pdf":
        pages = recorded_page_count(path, manifest)
        if pages is None:  # a manifest from before page counts were recorded, or a PDF changed since
            pages = pdf_page_count(path)
        if pages is not None:
            details.append(f"{format_number(pages)} page{'s' if pages != 1 else ''}")
    return {
        "label": FORMAT_LABELS.get(fmt, name),
        "href": _href(folder.name, name),
        "format": fmt,
        "details": ", ".join(details),
    }


def file_size_text(size: int) -> str:
    """A file size as a person reads it: "812 bytes", "583 KB", "1.2 MB" (1 KB = 1,024 bytes), rounded half up."""
    if size < 1024:
        return f"{format_number(size)} byte{'s' if size != 1 else ''}"
    if round_half_up(size / 1024, 0) < 1024:
        return f"{format_number(size / 1024)} KB"
    return f"{format_number(size / 1024**2, 1)} MB"


def recorded_page_count(path: Path, manifest: dict[str, Any]) -> int | None:
    """The page count the report's manifest records for the PDF at ``path`` (``pdf_pages``), if the file is still
    the one the manifest lists (its SHA-256); else ``None``.

    Every build rebuilds the list of reports: reading each report's PDF for its page count took seconds once a
    council's folder held a few years of reports (tens of milliseconds a PDF); hashing one takes a millisecond or two.
    """
    pages = manifest.get("pdf_pages")
    outputs = manifest.get("outputs")
    if not isinstance(pages, dict) or not isinstance(outputs, dict):
        return None
    count, recorded = pages.get(path.name), outputs.get(path.name)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0 or not isinstance(recorded, str):
        return None
    try:
        return count if sha256(path) == recorded else None
    except OSError:
        return None


def sha256(path: Path) -> str:
    """A file's SHA-256, as a manifest records each input and output (read a megabyte at a time)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pdf_page_count(path: Path) -> int | None:
    """How many pages a PDF has (read with pypdf), or None when that cannot be read; never raises for a bad file."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(path).pages)
    except (OSError, PyPdfError, ValueError, KeyError, TypeError, RecursionError):
        return None


def link_names(entries: list[dict[str, Any]]) -> list[str]:
    """For each entry, the report's name as its links say it (for a screen reader's list of links).

    "PDF" means nothing out of context, so each link carries its report's title, and each name is
    unique on the page: where two reports share a title the period is added, then the audience,
    then the council, and as a last resort the folder, which is unique by construction.
    """
    names = [str(e["title"]) for e in entries]
    for extra in (
        lambda e: str(e["period_label"]),
        lambda e: "internal" if e["audience"] != "public" else "public",
        lambda e: str(e["organisation"]),
        lambda e: f"folder {e['folder']}",
    ):
        seen: dict[str, int] = {}
        for n in names:
            seen[n] = seen.get(n, 0) + 1
        if all(v == 1 for v in seen.values()):
            break
        names = [f"{n}, {extra(e)}" if seen[n] > 1 else n for n, e in zip(names, entries, strict=True)]
    return names


def _iso_date(day: str) -> str:
    """The manifest's build date if it is a real date ("2026-11-20"), else "" (a hand-edited manifest)."""
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        return ""


def _built_label(day: str) -> str:
    """ "20 November 2026" for the manifest's "2026-11-20", joined by no-break spaces so it never wraps mid-date."""
    iso = _iso_date(day)
    text = dt.date.fromisoformat(iso).strftime("%d %B %Y").lstrip("0") if iso else day
    return text.replace(" ", "\u00a0")


def page_title(groups: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """ "Reports - Example County Council" (or every council's name): what the browser tab and history show."""
    names = [name for name, _ in groups]
    if not names:
        return "Reports"
    return f"Reports - {and_list(names)}"


def _href(folder: str, name: str) -> str:
    """A relative link to a report file, percent-encoded: a folder named ``javascript:...`` or holding
    ``#`` or ``?`` still links to the file, never runs or goes elsewhere."""
    return f"{quote(folder, safe='')}/{quote(name, safe='')}"


def _period_label(period: str) -> str:
    """ "July 2019" (the financial year start is the organisation's, which the manifest does not hold)."""
    try:
        return format_period_name(parse_period(period))
    except (ValueError, TypeError):
        return period


def by_organisation(entries: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Entries grouped by council, councils in alphabetical order, each keeping the entries' order.

    One reports folder can hold several councils' reports (a county and its districts, a shared
    service); a reader must never have to guess whose report a row is.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        groups.setdefault(e["organisation"], []).append(e)
    return sorted(groups.items(), key=lambda kv: (kv[0] == UNKNOWN_ORGANISATION, kv[0].casefold()))


def index_environment() -> jinja2.Environment:
    """The templates of the index pages: every value escaped, and (finalize) titles and names from manifests
    without invisible controls, as on the report pages."""
    from goldenthread.output.markup import printable

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "html"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=printable,
    )


def render_index(entries: list[dict[str, Any]]) -> str:
    env = index_environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    groups = by_organisation(entries)
    return env.get_template("index.html.j2").render(
        entries=entries, groups=groups, css=css, page_title=page_title(groups)
    )


def write_index(out_root: Path) -> Path:
    """(Re)write ``out_root/index.html`` from the manifests; returns its path.

    Written whole (parallel runs may finish at the same moment: readers see the old page or the
    new one) and readable like every other report file, so a web server can serve it.
    """
    html = render_index(report_entries(out_root))
    target = out_root / "index.html"
    write_atomically(target, lambda f: f.write(html))
    return target
