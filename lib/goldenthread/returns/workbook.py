"""The owners' return workbook: written for each owner, read back when it is returned.

A return is a spreadsheet because owners live in Excel; it is checked on the way back because a
spreadsheet is easy to change by accident. So the workbook carries its own identity in a sheet Excel
never shows (``_goldenthread``, state *veryHidden*): the format version, council, period, recipient,
the indicator of every row with its row number, a hash of each row's locked reference cells and a
checksum over all of it. Reading a return recomputes the checksum from that sheet and the cells as
they are now, so a row moved, deleted or added, a reference cell changed or a file for another
council is refused with a message naming the row, never read as figures for the wrong indicator.

Everything taken from the data is written as text or a number, never as a formula (a title that
starts with ``=`` is the text ``=...``), and the cells an owner fills are the only unlocked ones.
The layout (one row per indicator; reference columns, then the cells to fill) is documented in
docs/returns.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from goldenthread.errors import DataError, Problem
from goldenthread.inputs.contract import (
    MILESTONE_STATUSES,
    NUMBER_LIMIT,
    PERCENT_UNITS,
    UNIT_MINIMUMS,
    remove_control_characters,
)
from goldenthread.inputs.excel import is_percent_format, percent_text
from goldenthread.inputs.load import Dataset
from goldenthread.inputs.periods import format_period, month_name, month_of_year, parse_period
from goldenthread.output.export import FORMULA_START
from goldenthread.returns.due import due_indicators

#: What the hidden sheet says a return is, and the layout version this module writes and reads.
FORMAT = "goldenthread-return"
VERSION = 1
SHEET = "Return"
INSTRUCTIONS = "Instructions"
HIDDEN = "_goldenthread"
#: The header row of the Return sheet; the title block sits above it, the indicators below.
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
#: Months of figures shown for reference: the 13 before the return's month, so the same month last
#: year and the latest figure are both there.
HISTORY_MONTHS = 13
FILL_HEADERS = ("Figure", "Milestone state", "Commentary", "Actions", "Reason for change")
NOT_A_RETURN = "not a goldenthread return (was it made by `goldenthread returns make`?)"
NEW_RETURN = "ask the performance team for a new return"

UNIT_WORDS = {
    "percent": "per cent",
    "percent_change": "per cent change",
    "number": "number",
    "gbp": "pounds (£)",
    "days": "days",
    "rate": "rate",
    "ratio": "ratio",
    "score": "score",
}
POLARITY_WORDS = {"higher": "Higher is better", "lower": "Lower is better", "none": "Neither (context)"}
MILESTONE_WORDS = {s: s.replace("_", " ") for s in MILESTONE_STATUSES}

_FILL = "FFF2CC"  # pale yellow: the cells to fill
_NOT_APPLICABLE = "BFBFBF"  # grey: the figure of a milestone, the state of a measure
_HEADER = "D9E1F2"


@dataclass(frozen=True)
class IssuedReturn:
    """One return written: who it is for, where, for which month, its indicators in row order and its checksum."""

    recipient: str
    path: Path
    period: str
    indicators: tuple[str, ...]
    checksum: str


@dataclass(frozen=True)
class ReturnedFile:
    """A return read back and checked: the file's SHA-256, what the return was for, and the rows filled.

    ``rows``: indicator, period ('YYYY-MM'), value (float, NaN when blank), milestone_status (code or
    None), commentary, actions, reason (text or None) and source_row (the Excel row). A row with
    nothing filled is left out.
    """

    path: Path
    sha256: str
    period: str
    recipient: str
    checksum: str
    rows: pd.DataFrame


ROW_COLUMNS = ["indicator", "period", "value", "milestone_status", "commentary", "actions", "reason", "source_row"]


# --- layout --------------------------------------------------------------------------------------------


def _short_month(ordinal: int) -> str:
    """``Jul 2019``: a column label that fits a narrow column."""
    return f"{month_name(ordinal, with_year=False)[:3]} {ordinal // 12}"


def headers(period: int) -> tuple[str, ...]:
    """The Return sheet's column headers for ``period``: the locked reference columns, then the cells to fill."""
    month = _short_month(period)
    history = [_short_month(p) for p in range(period - HISTORY_MONTHS, period)]
    return (
        "Indicator",
        "Title",
        "Unit",
        "Polarity",
        f"Target for {month}",
        *history,
        f"Already recorded for {month}",
        "Last commentary",
        *FILL_HEADERS,
    )


REFERENCE_COLUMNS = 5 + HISTORY_MONTHS + 2  # id..last commentary: locked, in the checksum
FIGURE, STATE, COMMENTARY, ACTIONS, REASON = range(REFERENCE_COLUMNS + 1, REFERENCE_COLUMNS + 6)
LAST_COLUMN = REASON


def _norm(value: object) -> str:
    """A cell value as the checksum sees it: numbers at Excel's 15 significant digits (Excel may save 0.1
    as 0.10000000000000001), line endings as ``\\n``, a blank as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format(float(value), ".15g")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _row_hash(values: Iterable[object]) -> str:
    return hashlib.sha256(json.dumps([_norm(v) for v in values], ensure_ascii=False).encode()).hexdigest()


def _checksum(identity: dict[str, Any], rows: list[tuple[str, int, str]]) -> str:
    """SHA-256 of the return's identity and its rows (indicator, Excel row, hash of the locked cells)."""
    payload = {**identity, "rows": [list(r) for r in rows]}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- writing -------------------------------------------------------------------------------------------


def write_returns(
    dataset: Dataset,
    period: int,
    out_dir: Path,
    *,
    by: Literal["owner", "directorate"] = "owner",
    due: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[IssuedReturn]:
    """One return workbook per owner (or directorate) with an indicator due in ``period``, written to ``out_dir``.

    Each indicator goes to its own owner's return only (by directorate: to its directorate's), so a
    restricted indicator is only ever seen by whoever owns it. File names are ``<period>-<recipient>.xlsx``
    with the recipient made safe for a file name (and numbered when two recipients come out the same).
    The same data and ``now`` write the same bytes.
    """
    if by not in ("owner", "directorate"):
        raise ValueError(f"returns go to each 'owner' or 'directorate', not {by!r}")
    stamp = _utc_naive(now or dt.datetime.now(dt.UTC))
    rows = due_indicators(dataset, period)
    groups: dict[str, list[int]] = {}
    for i, who in enumerate(rows[by]):
        groups.setdefault(_recipient(who), []).append(i)
    recipients = sorted(groups, key=lambda r: (r.casefold(), r))
    names = _file_names(period, recipients)
    facts = _Facts(dataset, period)
    out_dir.mkdir(parents=True, exist_ok=True)
    issued = []
    for who in recipients:
        chosen = rows.iloc[groups[who]].reset_index(drop=True)
        wb, checksum = _workbook(dataset, facts, period, who, by, chosen, due, stamp)
        path = out_dir / names[who]
        _save(wb, path, stamp)
        issued.append(IssuedReturn(who, path, format_period(period), tuple(map(str, chosen["id"])), checksum))
    return issued


def _utc_naive(now: dt.datetime) -> dt.datetime:
    """``now`` in UTC to the second, without a zone (as Excel's document properties hold it); a time without a
    zone is taken to be UTC already."""
    utc = now.astimezone(dt.UTC) if now.tzinfo is not None else now
    return utc.replace(tzinfo=None, microsecond=0)


def _recipient(who: object) -> str:
    text = "" if who is None or (isinstance(who, float) and math.isnan(who)) else str(who)
    return " ".join(remove_control_characters(text).split()) or "No owner named"


def slug(text: str) -> str:
    """``Head of Children's Services`` -> ``head-of-children-s-services``: ASCII letters, digits and hyphens only,
    so never a path separator, ``..`` or a name a file system refuses."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cut = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return cut or "recipient"


def _file_names(period: int, recipients: list[str]) -> dict[str, str]:
    """Recipient -> file name, unique: a second recipient with the same slug gets ``-2`` (in recipient order)."""
    used: set[str] = set()
    names = {}
    for who in recipients:
        base = slug(who)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        names[who] = f"{format_period(period)}-{candidate}.xlsx"
    return names


class _Facts:
    """The reference figures a return shows, looked up once for every recipient."""

    def __init__(self, dataset: Dataset, period: int) -> None:
        v = dataset.values
        window = v[(v["period"] >= period - HISTORY_MONTHS) & (v["period"] <= period)]
        self.figures: dict[tuple[str, int], object] = {}
        for r in window.itertuples(index=False):
            shown: object = r.value if not pd.isna(r.value) else None
            if shown is None and isinstance(r.milestone_status, str):
                shown = MILESTONE_WORDS.get(r.milestone_status, r.milestone_status)
            self.figures[(str(r.indicator), int(r.period))] = shown
        t = dataset.targets
        t = t[t["period"] == period] if not t.empty else t
        self.targets = {str(k): float(x) for k, x in zip(t["indicator"], t["target"]) if not pd.isna(x)}
        c = dataset.commentary
        c = c[(c["period"] < period) & c["commentary"].notna()] if not c.empty else c
        self.commentary: dict[str, str] = {}
        for r in c.sort_values("period", kind="stable").itertuples(index=False):
            self.commentary[str(r.indicator)] = f"{month_name(int(r.period))}: {r.commentary}"
        self.start = dataset.organisation.financial_year_start_month
        self.period = period

    def target(self, ind: pd.Series) -> float | None:
        """The month's own target (targets.csv), else the indicator's, profiled for a year-to-date measure
        as the scorecard does."""
        own = self.targets.get(str(ind["id"]))
        if own is not None:
            return own
        target = ind["target"]
        if pd.isna(target):
            return None
        if ind["aggregation"] == "cumulative":
            return float(target) * int(month_of_year(self.period, self.start)) / 12.0
        return float(target)


def _reference_values(ind: pd.Series, facts: _Facts, period: int) -> list[object]:
    """The locked cells of one row, in column order."""
    milestone = ind["kind"] == "milestone"
    unit = ind["unit"] if isinstance(ind["unit"], str) else ""
    history = [facts.figures.get((str(ind["id"]), p)) for p in range(period - HISTORY_MONTHS, period)]
    return [
        str(ind["id"]),
        str(ind["title"]),
        "milestone" if milestone else UNIT_WORDS.get(unit, unit),
        "" if milestone else POLARITY_WORDS.get(str(ind["polarity"]), str(ind["polarity"])),
        None if milestone else facts.target(ind),
        *history,
        facts.figures.get((str(ind["id"]), period)),
        facts.commentary.get(str(ind["id"])),
    ]


def _put(ws: Any, row: int, column: int, value: object) -> Any:
    """Write a value as data, never as a formula: text stays text even when it starts with ``=``."""
    cell = ws.cell(row=row, column=column)
    if value is None or value == "":
        return cell
    if isinstance(value, str):
        text = remove_control_characters(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited, too
    else:
        cell.value = value
    return cell


def _limits(ind: pd.Series) -> tuple[float, float]:
    """The lowest and highest figure an indicator takes: its own minimum and maximum, else its unit's
    (0 for percent, days and rate; a rate can pass 100%, so no unit has a maximum), else Excel's limit."""
    low, high = ind.get("minimum"), ind.get("maximum")
    unit = ind["unit"] if isinstance(ind["unit"], str) else ""
    lo = float(low) if low is not None and not pd.isna(low) else UNIT_MINIMUMS.get(unit, -NUMBER_LIMIT)
    hi = float(high) if high is not None and not pd.isna(high) else NUMBER_LIMIT
    return lo, hi


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _workbook(
    dataset: Dataset,
    facts: _Facts,
    period: int,
    who: str,
    by: str,
    rows: pd.DataFrame,
    due: dt.date | None,
    stamp: dt.datetime,
) -> tuple[Any, str]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    council = dataset.organisation.name
    month = month_name(period)
    wb = Workbook()
    wb.properties.creator = "goldenthread"
    wb.properties.title = remove_control_characters(f"{council}: performance return for {month}")
    wb.properties.created = stamp
    wb.properties.modified = stamp
    ws = wb.worksheets[0]
    ws.title = SHEET
    _put(ws, 1, 1, council).font = Font(bold=True, size=14)
    _put(ws, 2, 1, f"Performance return for {month}").font = Font(bold=True, size=12)
    _put(ws, 3, 1, f"For: {who}")
    if due is not None:
        _put(ws, 4, 1, f"Please return by {_date_words(due)}").font = Font(bold=True)
    _put(ws, 5, 1, "Fill in the shaded cells only. The Instructions sheet says what goes in each.")
    cols = headers(period)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, text in enumerate(cols, start=1):
        cell = _put(ws, HEADER_ROW, c, text)
        cell.font = Font(bold=True)
        cell.alignment = wrap
        cell.fill = PatternFill("solid", fgColor=_HEADER)
    fill = PatternFill("solid", fgColor=_FILL)
    grey = PatternFill("solid", fgColor=_NOT_APPLICABLE)
    allowed = _allowed_states(dataset)
    states = DataValidation(
        type="list",
        formula1='"' + ",".join(MILESTONE_WORDS[s] for s in allowed) + '"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Not a milestone state",
        error="Choose the state from the list: " + ", ".join(MILESTONE_WORDS[s] for s in allowed) + ".",
        promptTitle="Milestone state",
        prompt=f"Choose this milestone's state at the end of {month} from the list.",
    )
    figures: dict[tuple[float, float, str], DataValidation] = {}
    entries: list[tuple[str, int, str]] = []
    for i, ind in rows.iterrows():
        r = FIRST_ROW + int(i)
        reference = _reference_values(ind, facts, period)
        entries.append((str(ind["id"]), r, _row_hash(reference)))
        decimals = int(ind["decimals"]) if not pd.isna(ind["decimals"]) else 0
        number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        for c, value in enumerate(reference, start=1):
            cell = _put(ws, r, c, value)
            cell.alignment = wrap
            if isinstance(value, float):
                cell.number_format = number_format
        milestone = ind["kind"] == "milestone"
        for c in range(FIGURE, LAST_COLUMN + 1):
            cell = ws.cell(row=r, column=c)
            cell.alignment = wrap
            if (c == FIGURE and milestone) or (c == STATE and not milestone):
                cell.fill = grey
                continue
            cell.fill = fill
            cell.protection = Protection(locked=False)
            if c != FIGURE:
                cell.number_format = "@"  # what is typed stays text: '- fewer visits' is not a formula
        if milestone:
            states.add(ws.cell(row=r, column=STATE))
        else:
            lo, hi = _limits(ind)
            unit = ind["unit"] if isinstance(ind["unit"], str) else ""
            key = (lo, hi, unit)
            if key not in figures:
                figures[key] = _figure_validation(lo, hi, unit, month)
            figures[key].add(ws.cell(row=r, column=FIGURE))
    for dv in [*figures.values(), states]:
        if dv.sqref:
            ws.add_data_validation(dv)
    _layout(ws, cols)
    _instructions(wb, council, who, month, due, allowed, dataset.organisation.report_defaults.contact)
    identity = {
        "format": FORMAT,
        "version": VERSION,
        "council": council,
        "period": format_period(period),
        "recipient": who,
        "by": by,
        "columns": list(cols),
    }
    checksum = _checksum(identity, entries)
    _hidden(wb, identity, entries, checksum, stamp)
    wb.security = WorkbookProtection(lockStructure=True)
    return wb, checksum


def _figure_validation(lo: float, hi: float, unit: str, month: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if lo > -NUMBER_LIMIT and hi < NUMBER_LIMIT:
        span = f" from {_number_text(lo)} to {_number_text(hi)}"
    elif lo > -NUMBER_LIMIT:
        span = f" of {_number_text(lo)} or more"
    elif hi < NUMBER_LIMIT:
        span = f" of {_number_text(hi)} or less"
    else:
        span = ""
    unit_words = UNIT_WORDS.get(unit, unit)
    example = "85.5 for 85.5%" if unit in PERCENT_UNITS else "1234.5"
    return DataValidation(
        type="decimal",
        operator="between",
        formula1=_number_text(lo),
        formula2=_number_text(hi),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Type a number",
        error=f"Type the figure as a number{span}, in {unit_words}, with no words. Leave it blank if there "
        "is no figure yet and say why in Commentary.",
        promptTitle="Figure",
        prompt=f"The figure for {month} in {unit_words}, a number{span}: for example {example}.",
    )


def _allowed_states(dataset: Dataset) -> list[str]:
    """The milestone states a council uses (its status scheme's), in the contract's order."""
    scheme = dataset.organisation.status_scheme.milestones
    return [s for s in MILESTONE_STATUSES if s in scheme]


def _date_words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _layout(ws: Any, cols: tuple[str, ...]) -> None:
    """Freeze the ids and headers, size the columns, print landscape on one page wide, and protect the sheet
    (no password: it stops accidents, not people; columns and rows may still be resized)."""
    from openpyxl.utils import get_column_letter

    widths = {1: 11, 2: 40, 3: 12, 4: 14, 5: 11, REFERENCE_COLUMNS - 1: 12, REFERENCE_COLUMNS: 45}
    widths |= {FIGURE: 12, STATE: 14, COMMENTARY: 50, ACTIONS: 45, REASON: 30}
    for c in range(1, len(cols) + 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(c, 10)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=3).coordinate
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _instructions(
    wb: Any, council: str, who: str, month: str, due: dt.date | None, allowed: list[str], contact: str | None
) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(INSTRUCTIONS)
    states = ", ".join(MILESTONE_WORDS[s] for s in allowed)
    lines: list[tuple[str, bool]] = [
        ("How to fill in this return", True),
        (f"{council} asks {who} for the figures for {month}, for its performance report.", False),
        ("", False),
        ("What to fill in", True),
        ("On the Return sheet there is one row per indicator due this month. Fill in the shaded cells only:", False),
        (
            f"Figure: the figure for {month}, as a number in the indicator's unit (column Unit). Type 85.5, "
            "not 'about 85' or '85.5 (provisional)'. For a percentage type 85.5 (85.5% is read the same).",
            False,
        ),
        (f"Milestone state: for a milestone, choose its state from the list: {states}.", False),
        ("Commentary: what the figure shows and why, in plain words for the people who read the report.", False),
        ("Actions: what is being done, especially where a figure is off target or a milestone is at risk.", False),
        (
            "Reason for change: only when you correct a figure already recorded (column 'Already recorded for "
            "...'), say why it changed. A changed figure is not accepted without one.",
            False,
        ),
        (
            "Leave a row blank if you have nothing for it yet. If a figure is not available, leave the figure "
            "blank and say why in Commentary.",
            False,
        ),
        ("", False),
        ("What not to change", True),
        (
            "Do not change the grey cells, the order of the rows or the sheets, and do not add or delete rows "
            "or columns. Each return is checked when it comes back and a changed one is refused, with a "
            "message saying what changed. If something in the grey cells is wrong, tell the performance team.",
            False,
        ),
        ("", False),
        ("When and how to send it back", True),
        (
            f"Please return it by {_date_words(due)}." if due else "Please return it as soon as you can.",
            False,
        ),
        ("Save it as an Excel workbook (.xlsx), keeping its name, and send it to the performance team.", False),
        (f"Questions: {contact}" if contact else "Questions: ask the performance team.", False),
    ]
    for r, (text, bold) in enumerate(lines, start=1):
        cell = _put(ws, r, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=14 if r == 1 else 11)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


def _hidden(wb: Any, identity: dict[str, Any], entries: list[tuple[str, int, str]], checksum: str, stamp: Any) -> None:
    """The ``_goldenthread`` sheet: key/value rows, then one row per indicator (id, Excel row, hash). Excel
    cannot show a *veryHidden* sheet from its menus."""
    ws = wb.create_sheet(HIDDEN)
    pairs = [*identity.items(), ("made", stamp.isoformat() + "+00:00"), ("checksum", checksum)]
    for r, (key, value) in enumerate(pairs, start=1):
        _put(ws, r, 1, key)
        _put(ws, r, 2, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value))
    start = len(pairs) + 2
    for c, text in enumerate(("indicator", "row", "hash"), start=1):
        _put(ws, start, c, text)
    for r, (ind, row, digest) in enumerate(entries, start=start + 1):
        _put(ws, r, 1, ind)
        _put(ws, r, 2, str(row))
        _put(ws, r, 3, digest)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _save(wb: Any, path: Path, stamp: dt.datetime) -> None:
    """Save with every zip entry dated ``stamp`` and the document properties as set, so the same return is
    the same bytes (openpyxl stamps the save time otherwise); written beside the target, then moved in."""
    from openpyxl.xml.functions import tostring

    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.modified = stamp
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    when = max(stamp, dt.datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    part = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        part.write_bytes(out.getvalue())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Identity:
    fields: dict[str, Any]
    entries: list[tuple[str, int, str]]
    checksum: str


def read_return(path: Path, dataset: Dataset) -> ReturnedFile:
    """Check a returned workbook and read what its owner filled in; a :class:`DataError` with every problem
    (file, sheet, Excel row, column, the value found and what to do) when it cannot be taken as it is."""
    import openpyxl

    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError([Problem(name, message=f"cannot be read ({err.strerror or err})")]) from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise DataError([Problem(name, message=NOT_A_RETURN)]) from None
    identity = _read_identity(wb) if HIDDEN in wb.sheetnames else None
    if identity is None:
        raise DataError([Problem(name, message=NOT_A_RETURN)])
    label = f"{name}, sheet {SHEET}"
    fields = identity.fields
    if int(fields["version"]) > VERSION:
        raise DataError(
            [
                Problem(
                    name,
                    message=f"was made by a newer goldenthread (return format {fields['version']}; this one reads "
                    f"up to {VERSION})",
                    hint="Collect it with the goldenthread that made it, or update goldenthread",
                )
            ]
        )
    council = dataset.organisation.name
    if fields["council"] != council:
        raise DataError(
            [
                Problem(
                    name,
                    message=f"is a return for {fields['council']}, not {council}",
                    value=str(fields["council"]),
                    hint="Collect it into that council's data, or check that the right file was sent",
                )
            ]
        )
    if SHEET not in wb.sheetnames:
        raise DataError([Problem(name, message=f"has no sheet named '{SHEET}'", hint=NEW_RETURN.capitalize())])
    ws = wb[SHEET]
    problems = _header_problems(ws, identity, label)
    if problems:
        raise DataError(problems)
    placed, structure = _structure_problems(ws, identity, label)
    problems.extend(structure)
    known = set(map(str, dataset.indicators["id"]))
    for ind, row, _ in identity.entries:
        if ind not in known:
            problems.append(
                Problem(
                    label,
                    row,
                    "Indicator",
                    f"indicator {ind} is not in {council}'s indicators",
                    ind,
                    "Check that it was not renamed or removed since the return was made; " + NEW_RETURN,
                )
            )
    problems.extend(_checksum_problems(ws, identity, placed, bool(structure), label, name))
    by_id = dataset.indicators.set_index(dataset.indicators["id"].astype(str))
    period = fields["period"]
    allowed = _allowed_states(dataset)
    records = []
    for ind, row, _ in identity.entries:
        if row not in placed or ind not in known:
            continue
        record = _read_row(ws, row, by_id.loc[ind], _headers_of(identity), allowed, label, problems)
        if record is not None:
            records.append({"indicator": ind, "period": period, **record, "source_row": row})
    if problems:
        raise DataError(problems)
    rows = pd.DataFrame(records, columns=ROW_COLUMNS)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    rows["source_row"] = rows["source_row"].astype(np.int64)
    for column in ("milestone_status", "commentary", "actions", "reason"):
        rows[column] = rows[column].astype(object).where(rows[column].notna(), None)
    return ReturnedFile(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        period=str(period),
        recipient=str(fields["recipient"]),
        checksum=identity.checksum,
        rows=rows,
    )


def _headers_of(identity: _Identity) -> list[str]:
    return [str(h) for h in identity.fields["columns"]]


def _read_identity(wb: Any) -> _Identity | None:
    """The hidden sheet's identity, or None when it is not one goldenthread wrote."""
    ws = wb[HIDDEN]
    fields: dict[str, Any] = {}
    r = 1
    while r <= ws.max_row:
        key, value = ws.cell(r, 1).value, ws.cell(r, 2).value
        r += 1
        if key is None:
            break
        fields[str(key)] = value
    if fields.get("format") != FORMAT:
        return None
    try:
        fields["version"] = int(fields["version"])
        fields["columns"] = json.loads(str(fields["columns"]))
        parse_period(str(fields["period"]))
        checksum = str(fields.pop("checksum"))
        fields.pop("made", None)
        for key in ("council", "recipient", "by"):
            fields[key] = str(fields[key])
        if not isinstance(fields["columns"], list) or [ws.cell(r, c).value for c in (1, 2, 3)] != [
            "indicator",
            "row",
            "hash",
        ]:
            return None
        entries = []
        for row in range(r + 1, ws.max_row + 1):
            ind, at, digest = (ws.cell(row, c).value for c in (1, 2, 3))
            if ind is None:
                break
            entries.append((str(ind), int(str(at)), str(digest)))
    except (KeyError, ValueError, TypeError):
        return None
    return _Identity(fields, entries, checksum)


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _header_problems(ws: Any, identity: _Identity, label: str) -> list[Problem]:
    """Columns inserted, deleted or moved: every cell to fill would be read from the wrong column."""
    expected = _headers_of(identity)
    width = max(ws.max_column, len(expected))
    problems = []
    for c in range(1, width + 1):
        found = _cell_text(ws.cell(HEADER_ROW, c).value)
        wanted = expected[c - 1] if c <= len(expected) else ""
        if found != wanted:
            from openpyxl.utils import get_column_letter

            problems.append(
                Problem(
                    label,
                    HEADER_ROW,
                    wanted or found,
                    f"column {get_column_letter(c)} was changed: the return made its header "
                    + (f"'{wanted}'" if wanted else "blank"),
                    found,
                    "Columns were added, deleted or moved; put them back as they were, or " + NEW_RETURN,
                )
            )
    return problems


def _row_is_blank(ws: Any, row: int) -> bool:
    return all(_cell_text(ws.cell(row, c).value) == "" for c in range(1, max(ws.max_column, LAST_COLUMN) + 1))


def _structure_problems(ws: Any, identity: _Identity, label: str) -> tuple[set[int], list[Problem]]:
    """The rows in their place, and a problem for each row moved, copied, deleted or added."""
    expected_at = {row: ind for ind, row, _ in identity.entries}
    row_of = {ind: row for ind, row, _ in identity.entries}
    placed: set[int] = set()
    overwritten: set[str] = set()
    found: dict[str, list[int]] = {}
    problems = []
    fix = "put the rows back in their order, or " + NEW_RETURN
    last = max([ws.max_row, *expected_at]) if expected_at else ws.max_row
    for row in range(FIRST_ROW, last + 1):
        held = _cell_text(ws.cell(row, 1).value)
        if held:
            found.setdefault(held, []).append(row)
        if expected_at.get(row) == held and held:
            placed.add(row)
    for row in range(FIRST_ROW, last + 1):
        held = _cell_text(ws.cell(row, 1).value)
        if row in placed or (not held and _row_is_blank(ws, row)):
            continue
        if held in row_of and row_of[held] in placed:
            message = f"row {row} repeats {held}, whose row is {row_of[held]}"
            hint = "Delete the copy, or " + NEW_RETURN
        elif held in row_of:
            message = f"row {row} was moved: it holds {held} but the return made it row {row_of[held]}"
            hint = fix[0].upper() + fix[1:]
        elif row in expected_at:
            message = f"row {row} was changed: it is {expected_at[row]}'s row, but its indicator is " + (
                held or "blank"
            )
            hint = f"Put {expected_at[row]} back in column 'Indicator', or " + NEW_RETURN
            overwritten.add(expected_at[row])
        else:
            message = f"row {row} was added: the return made no row {row}"
            hint = "Delete it; to report an indicator that is not in the return, ask the performance team"
        problems.append(Problem(label, row, "Indicator", message, held or None, hint))
    for ind, row, _ in identity.entries:
        if ind not in found and ind not in overwritten:
            problems.append(
                Problem(
                    label,
                    row,
                    "Indicator",
                    f"the row for {ind} was deleted (the return made it row {row})",
                    None,
                    "Put it back, or " + NEW_RETURN,
                )
            )
    return placed, problems


def _checksum_problems(
    ws: Any, identity: _Identity, placed: set[int], explained: bool, label: str, name: str
) -> list[Problem]:
    """The checksum of the identity and the locked cells as they are now; where it differs, which rows changed."""
    now = [
        (ind, row, _row_hash(ws.cell(row, c).value for c in range(1, REFERENCE_COLUMNS + 1)))
        for ind, row, _ in identity.entries
    ]
    identity_fields = {k: v for k, v in identity.fields.items()}
    if _checksum(identity_fields, now) == identity.checksum:
        return []
    changed = [
        row for (ind, row, digest), (_, _, current) in zip(identity.entries, now) if row in placed and digest != current
    ]
    problems = [
        Problem(
            label,
            row,
            None,
            "the locked reference cells of this row (title, unit, target, earlier figures...) were changed",
            None,
            "They are the figures the return was made with; undo the change, or " + NEW_RETURN,
        )
        for row in changed
    ]
    if not problems and not explained:
        problems.append(
            Problem(
                name,
                message="the return's hidden identity does not match its checksum, so it cannot be trusted",
                hint=NEW_RETURN.capitalize(),
            )
        )
    return problems


# --- reading one row -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"([+-]?)(£?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(%?)")


def _read_row(
    ws: Any,
    row: int,
    ind: pd.Series,
    cols: list[str],
    allowed: list[str],
    label: str,
    problems: list[Problem],
) -> dict[str, Any] | None:
    """What the owner filled in on one row (None when nothing), appending a problem for each cell that cannot be
    read as it must be."""
    milestone = ind["kind"] == "milestone"
    figure = ws.cell(row, FIGURE)
    state = ws.cell(row, STATE)
    value: float | None = None
    status: str | None = None
    if milestone:
        if _filled(figure):
            problems.append(
                Problem(
                    label,
                    row,
                    cols[FIGURE - 1],
                    f"{ind['id']} is a milestone, which has a state, not a figure",
                    _shown(figure.value),
                    f"Clear the figure and choose the state in column '{cols[STATE - 1]}'",
                )
            )
        status = _read_state(state, row, cols[STATE - 1], allowed, label, problems)
    else:
        if _filled(state):
            problems.append(
                Problem(
                    label,
                    row,
                    cols[STATE - 1],
                    f"{ind['id']} is a measure, which has a figure, not a milestone state",
                    _shown(state.value),
                    f"Clear the state and type the figure in column '{cols[FIGURE - 1]}'",
                )
            )
        value = _read_figure(figure, row, ind, cols[FIGURE - 1], label, problems)
    texts = {
        key: _read_text(ws.cell(row, c), row, cols[c - 1], label, problems)
        for key, c in (("commentary", COMMENTARY), ("actions", ACTIONS), ("reason", REASON))
    }
    if value is None and status is None and not any(texts.values()):
        return None
    return {"value": math.nan if value is None else value, "milestone_status": status, **texts}


def _filled(cell: Any) -> bool:
    return _cell_text(cell.value) != ""


def _shown(value: object) -> str:
    return str(value).strip()


def _formula_problem(cell: Any, row: int, column: str, label: str, problems: list[Problem], what: str) -> bool:
    """A formula or an Excel error where data must be: a problem, and True."""
    if cell.data_type == "f":
        problems.append(
            Problem(
                label,
                row,
                column,
                "holds a formula; a return holds what is typed, not a calculation",
                str(getattr(cell.value, "text", cell.value)),
                f"Type {what} itself (to start text with = + - or @, type an apostrophe ' first)",
            )
        )
        return True
    if cell.data_type == "e":
        problems.append(
            Problem(label, row, column, "holds a spreadsheet error", str(cell.value), f"Type {what} instead")
        )
        return True
    return False


def _read_figure(cell: Any, row: int, ind: pd.Series, column: str, label: str, problems: list[Problem]) -> float | None:
    """A figure: a number cell (a percentage-formatted one in percent units is read as per cent) or text that is
    plainly a number: ``1,234``, ``12%`` for a percent unit, ``£1,200`` for pounds."""
    if not _filled(cell) or _formula_problem(cell, row, column, label, problems, "the figure"):
        return None
    raw = cell.value
    unit = ind["unit"] if isinstance(ind["unit"], str) else ""
    number: float | None = None
    if isinstance(raw, bool) or isinstance(raw, (dt.date, dt.datetime, dt.time)):
        problems.append(
            Problem(
                label,
                row,
                column,
                "is not a number" + (" (Excel read it as a date)" if not isinstance(raw, bool) else ""),
                _shown(raw),
                "Type the figure as a number, for example 85.5",
            )
        )
        return None
    if isinstance(raw, (int, float)):
        if is_percent_format(cell.number_format):
            if unit not in PERCENT_UNITS:
                problems.append(
                    Problem(
                        label,
                        row,
                        column,
                        f"is a percentage, but {ind['id']}'s unit is {UNIT_WORDS.get(unit, unit)}",
                        f"{percent_text(repr(float(raw)))}%",
                        "Type the figure in the indicator's unit, without a % sign",
                    )
                )
                return None
            number = float(percent_text(repr(float(raw))))
        else:
            number = float(raw)
    else:
        number = _number_from_text(str(raw), unit, ind, row, column, label, problems)
        if number is None:
            return None
    if not math.isfinite(number) or abs(number) >= NUMBER_LIMIT:
        problems.append(
            Problem(label, row, column, "is too large to be a figure", _shown(raw), "Check the figure (and its unit)")
        )
        return None
    lo, hi = _limits(ind)
    if number < lo or number > hi:
        edge = f"below {ind['id']}'s lowest figure, {_number_text(lo)}" if number < lo else ""
        edge = edge or f"above {ind['id']}'s highest figure, {_number_text(hi)}"
        problems.append(
            Problem(
                label,
                row,
                column,
                f"is {edge}",
                _shown(raw),
                f"Check the figure: it is in {UNIT_WORDS.get(unit, unit)}",
            )
        )
        return None
    return number


def _number_from_text(
    text: str, unit: str, ind: pd.Series, row: int, column: str, label: str, problems: list[Problem]
) -> float | None:
    m = _NUMBER.fullmatch(text.strip().replace("\u00a0", " ").strip())
    if m is None:
        problems.append(
            Problem(
                label,
                row,
                column,
                "is not a number",
                _shown(text),
                "Type a number, like 85.5, with no words; leave it blank if there is no figure yet "
                "and say why in Commentary",
            )
        )
        return None
    sign, pounds, digits, percent = m.groups()
    wrong = (percent and unit not in PERCENT_UNITS and "a % sign") or (pounds and unit != "gbp" and "a £ sign")
    if wrong:
        problems.append(
            Problem(
                label,
                row,
                column,
                f"has {wrong}, but {ind['id']}'s unit is {UNIT_WORDS.get(unit, unit)}",
                _shown(text),
                "Type the figure in the indicator's unit, as a plain number",
            )
        )
        return None
    try:
        return float(Decimal(sign + digits.replace(",", "")))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return None


def _read_state(
    cell: Any, row: int, column: str, allowed: list[str], label: str, problems: list[Problem]
) -> str | None:
    """A milestone state as its code: ``On track``, ``on_track`` and ``on-track`` are all ``on_track``."""
    if not _filled(cell) or _formula_problem(cell, row, column, label, problems, "the state"):
        return None
    text = _shown(cell.value)
    code = re.sub(r"[\s_\-]+", "_", text.lower())
    if code in allowed:
        return code
    words = ", ".join(MILESTONE_WORDS[s] for s in allowed)
    problems.append(
        Problem(label, row, column, "is not a milestone state", text, f"Choose one of: {words} (the cell has a list)")
    )
    return None


def _read_text(cell: Any, row: int, column: str, label: str, problems: list[Problem]) -> str | None:
    """Commentary, actions or a reason as text (invisible control characters removed); None when blank."""
    if not _filled(cell) or _formula_problem(cell, row, column, label, problems, "the text"):
        return None
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = remove_control_characters(_norm(value)).strip()
    return text or None
