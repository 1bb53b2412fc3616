"""Merge one owner's return into the master rows of values.csv and commentary.csv, without touching the rest.

The master files are the published record, so the merge works on their rows exactly as read (every cell
a string): a row the return does not change is handed back as the same object, and the collect step
writes it back byte for byte. Only the cells a return fills are set - a value or a milestone state in
values.csv, the commentary and actions in commentary.csv - and every other column (a note, a status
override, a page title) is kept.

Never a silent overwrite: any figure already in values.csv (a value or a milestone state that is not
blank) counts as published - the master data *is* the published record, and nothing says which
figures went out in a report - so changing it needs a reason, from the row's reason cell or the
command's ``--reason``. Commentary and actions may be rewritten without one (they are words about a
figure, not the figure); every change, with or without a reason, is listed in :attr:`Merge.changes`
and recorded in the audit trail by :mod:`goldenthread.returns.collect`.

The merge is idempotent: a return whose figures and words are already in the rows changes nothing.
Figures are compared as numbers (``84.10`` in the file and ``84.1`` in the return are the same figure),
words as the report reads them (the apostrophe that keeps ``=text`` from being a formula is ignored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from goldenthread.errors import DataError, Problem
from goldenthread.inputs.contract import COMMENTARY, VALUES
from goldenthread.output.export import FORMULA_START
from goldenthread.returns.workbook import FILL_HEADERS, SHEET

if TYPE_CHECKING:
    from goldenthread.returns.workbook import ReturnedFile

#: The columns of the two master files, for a file that has no rows to copy the columns from: the contract's.
VALUES_COLUMNS = tuple(c.name for c in VALUES.columns)
COMMENTARY_COLUMNS = tuple(c.name for c in COMMENTARY.columns)
#: The columns of :attr:`Merge.changes`.
CHANGE_COLUMNS = ["indicator", "period", "field", "old", "new", "reason", "source_row"]
#: Significant digits a figure keeps: Excel's own precision. Digits past it are binary noise (Excel
#: shows ``0.1+0.2`` as 0.3 but may store 0.30000000000000004), not part of what the owner gave.
SIGNIFICANT_DIGITS = 15
#: The return's column each field of values.csv is filled from, for messages.
SHEET_COLUMNS = {"value": FILL_HEADERS[0], "milestone_status": FILL_HEADERS[1]}
REASON_HINT = (
    "Write why the figure changed in the row's reason cell, or collect with --reason TEXT; "
    "the reason is recorded in the audit trail with the old and new figures"
)


@dataclass
class Merge:
    """The master rows after a merge, and what changed (one row per cell set: indicator, period, field,
    old, new, reason, source_row). ``old`` is None where the cell was blank or the row is new."""

    values_rows: list[dict[str, str]]
    commentary_rows: list[dict[str, str]]
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))


def format_number(x: float) -> str:
    """A figure as it is written in values.csv: the shortest text that reads back as the same number
    (``84.1``, ``12``, ``0.00001``; never ``84.10000001``, ``12.0`` or ``1e-05``).

    The figure is first taken to :data:`SIGNIFICANT_DIGITS` significant digits, Excel's precision.
    """
    if not math.isfinite(x):
        raise ValueError(f"{x!r} is not a figure")
    rounded = float(f"{x:.{SIGNIFICANT_DIGITS}g}")
    text = np.format_float_positional(rounded, trim="-")
    return "0" if text in ("-0", "0") else text


def read_number(text: str | None) -> float | None:
    """A values.csv cell as a number; None when blank or not a number (the validator reports those)."""
    if text is None or not text.strip():
        return None
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def cell_for_text(text: str) -> str:
    """Words for a commentary.csv cell: text starting with = + - @ gets an apostrophe in front, so a
    spreadsheet opening the master file never runs it as a formula (goldenthread reads it back without).
    So does text that already starts with an apostrophe and one of those, or it would lose its own."""
    text = text.strip()
    quoted = text.startswith("'") and text[1:2] in ("=", "+", "-", "@")
    return "'" + text if text.startswith(FORMULA_START) or quoted else text


def text_of_cell(cell: str | None) -> str:
    """A commentary.csv cell as the report reads it: trimmed, without the apostrophe before = + - @."""
    text = (cell or "").strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def _blank(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    return isinstance(x, str) and not x.strip()


def _text(x: object) -> str | None:
    return None if _blank(x) else str(x).strip()


def _key(row: dict[str, str]) -> tuple[str, str]:
    return (row.get("indicator") or "").strip(), (row.get("period") or "").strip()


class _Rows:
    """One master file's rows while a merge sets cells in them.

    Rows are found by (indicator, period) through an index made once, so a large file is not scanned per
    cell. A row is copied before its first change, so the caller's rows are never changed. New rows wait
    until :meth:`result`, which places each after its indicator's last row (at the end for an indicator
    with none), in the order the return gave them.
    """

    def __init__(self, rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
        self.rows = list(rows)
        self.columns = tuple(rows[0].keys()) if rows else columns
        self.at: dict[tuple[str, str], int] = {}
        for i, row in enumerate(self.rows):
            self.at.setdefault(_key(row), i)
        self.new: dict[tuple[str, str], dict[str, str]] = {}
        self.copied: set[int] = set()  # positions of the rows already copied

    def get(self, indicator: str, period: str) -> dict[str, str]:
        """The row for (indicator, period) as it stands; an empty dict when there is none."""
        key = (indicator, period)
        i = self.at.get(key)
        return self.rows[i] if i is not None else self.new.get(key, {})

    def writable(self, indicator: str, period: str) -> dict[str, str]:
        """The row for (indicator, period) to set cells in: a copy of the existing row, or a new row."""
        key = (indicator, period)
        i = self.at.get(key)
        if i is None:
            if key not in self.new:
                self.new[key] = dict.fromkeys(self.columns, "") | {"indicator": indicator, "period": period}
            return self.new[key]
        if i not in self.copied:
            self.rows[i] = dict(self.rows[i])
            self.copied.add(i)
        return self.rows[i]

    def result(self) -> list[dict[str, str]]:
        last = {_key(row)[0]: i for i, row in enumerate(self.rows)}
        after: dict[int, list[dict[str, str]]] = {}
        tail: list[dict[str, str]] = []
        for (indicator, _), row in self.new.items():
            if indicator in last:
                after.setdefault(last[indicator], []).append(row)
            else:
                tail.append(row)
        out: list[dict[str, str]] = []
        for i, row in enumerate(self.rows):
            out.append(row)
            out.extend(after.get(i, ()))
        return out + tail


def merge_return(
    values_rows: list[dict[str, str]],
    commentary_rows: list[dict[str, str]],
    returned: ReturnedFile,
    *,
    reason: str | None = None,
) -> Merge:
    """The master rows with ``returned``'s figures and words set in them (see the module docstring).

    ``reason`` (the command's ``--reason``) covers every changed figure whose row gives none. Raises
    :class:`DataError` listing every figure the return would change without a reason; nothing is merged.
    """
    values = _Rows(values_rows, VALUES_COLUMNS)
    comments = _Rows(commentary_rows, COMMENTARY_COLUMNS)
    changes: list[dict[str, object]] = []
    problems: list[Problem] = []
    label = _file_label(returned)
    for r in returned.rows.to_dict("records"):
        indicator, period = str(r["indicator"]).strip(), str(r["period"]).strip()
        why = _text(r.get("reason")) or _text(reason)
        source_row = int(r["source_row"]) if not _blank(r.get("source_row")) else None

        figures: list[tuple[str, str, bool]] = []  # (field, new cell, same as the old cell)
        old_row = values.get(indicator, period)
        if not _blank(r.get("value")):
            new_value = format_number(float(r["value"]))
            old_value = read_number(old_row.get("value"))
            figures.append(("value", new_value, old_value is not None and old_value == float(new_value)))
        if not _blank(r.get("milestone_status")):
            new_state = str(r["milestone_status"]).strip()
            figures.append(
                ("milestone_status", new_state, (old_row.get("milestone_status") or "").strip() == new_state)
            )
        for fld, new, same in figures:
            if same:
                continue
            old = _text(old_row.get(fld))
            if old is not None and why is None:
                problems.append(
                    Problem(
                        label,
                        source_row,
                        SHEET_COLUMNS[fld],
                        f"changes {indicator} for {period} from {old} to {new}, a figure already in values.csv "
                        "(it may have been published), but gives no reason",
                        new,
                        REASON_HINT,
                    )
                )
                continue
            values.writable(indicator, period)[fld] = new
            changes.append(_change(indicator, period, fld, old, new, why, source_row))

        for fld in ("commentary", "actions"):
            new_text = _text(r.get(fld))
            if new_text is None:
                continue
            old_text = text_of_cell(comments.get(indicator, period).get(fld))
            if old_text == new_text:
                continue
            comments.writable(indicator, period)[fld] = cell_for_text(new_text)
            changes.append(_change(indicator, period, fld, old_text or None, new_text, why, source_row))
    if problems:
        raise DataError(problems)
    return Merge(values.result(), comments.result(), pd.DataFrame(changes, columns=CHANGE_COLUMNS))


def _change(
    indicator: str, period: str, fld: str, old: str | None, new: str, reason: str | None, source_row: int | None
) -> dict[str, object]:
    return dict(zip(CHANGE_COLUMNS, (indicator, period, fld, old, new, reason, source_row)))


def _file_label(returned: ReturnedFile) -> str:
    """The return as messages name it, as :func:`~goldenthread.returns.workbook.read_return` does."""
    return f"{returned.path.name}, sheet {SHEET}"
