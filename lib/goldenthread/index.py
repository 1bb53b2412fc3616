"""``reports/index.html``: one page listing every report built, with links to each format.

Performance managers, reviewers and councillors find reports by period and type rather than by
folder name. The page is made from the ``manifest.json`` each run writes, so it always matches
what is on disk, and it is rebuilt after every run (atomically, as parallel runs may finish at
the same moment). It is plain HTML with inline CSS: nothing fetched, readable offline.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from goldenthread.formatting import format_period_name
from goldenthread.periods import parse_period

TEMPLATES = Path(__file__).parent / "templates"
#: Shown for a report built before manifests recorded the council's name.
UNKNOWN_ORGANISATION = "Council not recorded (rebuild the report to show it)"
FORMAT_LABELS = {"html": "Web page (HTML)", "pdf": "PDF", "csv": "Scorecard (CSV)", "ipynb": "Notebook"}
KINDS = {"corporate_performance_report": "Corporate Performance Report", "business_plan": "Business plan",
         "directorate_plan": "Directorate plan", "indicator_explorer": "Indicator explorer"}


def report_entries(out_root: Path) -> list[dict[str, Any]]:
    """Every built report under ``out_root``, newest period first, then by type and title.

    Staging, failed and hidden folders are skipped; so is a folder whose manifest cannot be read.
    """
    entries = []
    for manifest_path in sorted(out_root.glob("*/manifest.json")):
        folder = manifest_path.parent
        if folder.name.startswith(".") or folder.name.endswith(".failed"):
            continue
        try:
            m = json.loads(manifest_path.read_text(encoding="utf-8"))
            period = str(m["period"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        stem = Path(str(m.get("notebook", ""))).stem
        outputs = [name for name in m.get("outputs", {}) if (folder / name).is_file()]
        order = {f: i for i, f in enumerate(("html", "pdf", "csv", "ipynb"))}
        links = sorted(({"label": FORMAT_LABELS.get(Path(n).suffix.lstrip("."), n), "href": f"{folder.name}/{n}",
                         "format": Path(n).suffix.lstrip(".")} for n in outputs if n != "manifest.json"),
                       key=lambda x: order.get(x["format"], 9))
        entries.append({
            "folder": folder.name, "period": period, "period_label": _period_label(period),
            "organisation": str(m.get("organisation") or UNKNOWN_ORGANISATION),
            "kind": KINDS.get(stem, stem.replace("_", " ").capitalize()),
            "title": str(m.get("title", stem)), "audience": str(m.get("audience", "public")),
            "built": str(m.get("built_at", ""))[:10], "links": links,
        })
    entries.sort(key=lambda e: (e["kind"], e["title"]))
    entries.sort(key=lambda e: e["period"], reverse=True)
    return entries


def _period_label(period: str) -> str:
    """"July 2019" (the financial year start is the organisation's, which the manifest does not hold)."""
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
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "html"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("index.html.j2").render(entries=entries, groups=by_organisation(entries), css=css)


def write_index(out_root: Path) -> Path:
    """(Re)write ``out_root/index.html`` from the manifests; returns its path."""
    html = render_index(report_entries(out_root))
    target = out_root / "index.html"
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=out_root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, target)  # readers see the old page or the new one, never half of it
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
