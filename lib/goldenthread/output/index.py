"""``reports/index.html``: one page listing every report built, with links to each format.

Performance managers, reviewers and councillors find reports by period and type rather than by
folder name. The page is made from the ``manifest.json`` each run writes, so it always matches
what is on disk, and it is rebuilt after every run (atomically, as parallel runs may finish at
the same moment). It is plain HTML with inline CSS: nothing fetched, readable offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from goldenthread.inputs.periods import parse_period
from goldenthread.measures.formatting import format_period_name
from goldenthread.output import TEMPLATES
from goldenthread.output.export import write_atomically

#: Shown for a report built before manifests recorded the council's name.
UNKNOWN_ORGANISATION = "Council not recorded (rebuild the report to show it)"
FORMAT_LABELS = {"html": "Web page (HTML)", "pdf": "PDF", "csv": "Scorecard (CSV)", "ipynb": "Notebook"}
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
        order = {f: i for i, f in enumerate(("html", "pdf", "csv", "ipynb"))}
        links = sorted(
            (
                {
                    "label": FORMAT_LABELS.get(Path(n).suffix.lstrip("."), n),
                    "href": _href(folder.name, n),
                    "format": Path(n).suffix.lstrip("."),
                }
                for n in outputs
                if n != "manifest.json"
            ),
            key=lambda x: order.get(x["format"], 9),
        )
        entries.append(
            {
                "folder": folder.name,
                "period": period,
                "period_label": _period_label(period),
                "organisation": str(m.get("organisation") or UNKNOWN_ORGANISATION),
                "kind": KINDS.get(stem, stem.replace("_", " ").capitalize()),
                "title": str(m.get("title") or stem),
                "audience": str(m.get("audience") or "public"),
                "built": str(m.get("built_at") or "")[:10],
                "links": links,
            }
        )
    entries.sort(key=lambda e: (e["kind"], e["title"]))
    entries.sort(key=lambda e: e["period"], reverse=True)
    return entries


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


def render_index(entries: list[dict[str, Any]]) -> str:
    from goldenthread.output.markup import printable

    # finalize: titles and names from manifests lose invisible controls, as on the report pages
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "html"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=printable,
    )
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("index.html.j2").render(entries=entries, groups=by_organisation(entries), css=css)


def write_index(out_root: Path) -> Path:
    """(Re)write ``out_root/index.html`` from the manifests; returns its path.

    Written whole (parallel runs may finish at the same moment: readers see the old page or the
    new one) and readable like every other report file, so a web server can serve it.
    """
    html = render_index(report_entries(out_root))
    target = out_root / "index.html"
    write_atomically(target, lambda f: f.write(html))
    return target
