"""Read a council's Excel workbook as the same text tables the CSV files give, truthfully.

pandas reads a workbook's cached values only, and loses what a person sees in Excel: a cell
formatted as a percentage (38.9% is stored as 0.389), a formula Excel never calculated (no stored
result, so it reads as blank), merged cells, error cells. This module reads each cell with openpyxl
and turns it into the text a person would have typed in the CSV file, reporting what it cannot
read truthfully. Per-cell loops are fine here: a workbook is a few thousand rows at most.

openpyxl is imported only when a workbook is read: it took a third of a second of every process that
loads data (the command, the notebook's kernel, each test worker), CSV files or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from goldenthread.errors import Problem
from goldenthread.inputs.contract import PERCENT_UNITS, Table

#: Columns in the indicator's own unit, by sheet: a percentage-formatted cell there is converted
#: (or refused for a unit that is not a percentage). ``tolerance`` is a fraction already: left as it is.
UNIT_COLUMNS = {
    "values": ("value",),
    "benchmarks": ("value",),
    "targets": ("target", "amber_threshold"),
    "indicators": ("target", "amber_threshold", "minimum", "maximum"),
}


@dataclass
class Workbook:
    """What reading a workbook gave: text tables by name (with their sheet labels), problems and warnings."""

    tables: dict[str, tuple[pd.DataFrame, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Sheet:
    """One sheet as text, with the cells that need a second look once every sheet is read."""

    frame: pd.DataFrame
    label: str
    percent_cells: list[tuple[int, str, str]]  # (frame index, column, cell text) of percentage-formatted numbers
    letters: list[str] = field(default_factory=list)  # each frame column's letter in the sheet


def sheet_key(name: str) -> str:
    """How sheet names are compared: ``Values`` and `` values `` are the values sheet."""
    return "".join(str(name).split()).lower()


def match_sheets(book: str, names: list[str], tables: tuple[Table, ...]) -> tuple[dict[str, str], list[Problem]]:
    """Which sheet holds each table, matched ignoring case and spaces; two candidates for one table is a problem."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    wanted = {t.name: t for t in tables}
    for name in names:
        table = sheet_key(name)
        if table not in wanted:
            continue
        if table in found:
            problems.append(
                Problem(
                    f"{book} (sheets '{found[table]}' and '{name}')",
                    message=f"both look like the {table} sheet",
                    hint="Keep one, or rename the other",
                )
            )
            continue
        found[table] = name
    return found, problems


def read_workbook(book: Path, tables: tuple[Table, ...]) -> Workbook:
    """Every table's sheet as text (index = sheet row - 2, like a CSV file's), with every problem found."""
    import openpyxl

    out = Workbook()
    try:
        values_wb = openpyxl.load_workbook(book, data_only=True)
        formulas_wb = openpyxl.load_workbook(book, data_only=False, read_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        out.problems.append(
            Problem(
                book.name,
                message=f"cannot be read as an Excel workbook ({err})",
                hint="Open it in Excel and save it again as .xlsx",
            )
        )
        return out
    try:
        chosen, clashes = match_sheets(book.name, values_wb.sheetnames, tables)
        out.problems.extend(clashes)
        sheets: dict[str, _Sheet] = {}
        for t in tables:
            if t.name not in chosen:
                if t.required:
                    out.problems.append(
                        Problem(
                            f"{book.name} (sheet {t.name})",
                            message="sheet is missing",
                            hint=f"Add a sheet named '{t.name}' (see docs/data-contract.md); "
                            "the workbook's sheets are: " + ", ".join(values_wb.sheetnames),
                        )
                    )
                continue
            name = chosen[t.name]
            sheet = _read_sheet(values_wb[name], formulas_wb[name], f"{book.name} (sheet {name})", out.problems)
            header = header_row(sheet.frame, t)
            if header is not None:
                out.problems.append(
                    Problem(
                        sheet.label,
                        header,
                        None,
                        "the column names are not on the first row",
                        hint=f"Delete the {header - 1} row(s) above the column names",
                    )
                )
                continue
            out.warnings.extend(hidden_parts(values_wb[name], sheet, t))
            sheets[t.name] = sheet
    finally:
        values_wb.close()
        formulas_wb.close()
    units = _units(sheets.get("indicators"))
    for name, sheet in sheets.items():
        _convert_percentages(name, sheet, units, out)
        out.tables[name] = (sheet.frame, sheet.label)
    return out


def hidden_parts(ws, sheet: _Sheet, table: Table) -> list[Problem]:  # noqa: ANN001 - an openpyxl sheet
    """Warnings for what is read though Excel hides it: the sheet itself, rows holding data (a filter
    hides rows too) and the contract's columns. Hidden data is reported on like any other, so the
    person checking the workbook should see it."""
    why = "to check what the report is built from, or delete {} if {} should not be reported"
    found = []
    if ws.sheet_state != "visible":
        found.append(
            Problem(
                sheet.label,
                message="sheet is hidden in Excel, but is read like any other",
                hint="Unhide it (right-click a sheet tab, then Unhide) " + why.format("it", "it"),
            )
        )
    for index in sheet.frame.index:
        dim = ws.row_dimensions.get(int(index) + 2)
        if dim is not None and dim.hidden:
            found.append(
                Problem(
                    sheet.label,
                    int(index) + 2,
                    None,
                    "is hidden in Excel (or filtered out), but is read like any other row",
                    hint="Clear any filter and unhide the rows " + why.format("them", "they"),
                )
            )
    known = {c.name for c in table.columns}
    for position, column in enumerate(sheet.frame.columns):
        letter = sheet.letters[position]
        if column in known and _column_hidden(ws, letter):
            found.append(
                Problem(
                    sheet.label,
                    None,
                    column,
                    f"column {letter} is hidden in Excel, but is read",
                    hint="Unhide it " + why.format("it", "it"),
                )
            )
    return found


def _column_hidden(ws, letter: str) -> bool:  # noqa: ANN001 - an openpyxl sheet
    """Is the column hidden? openpyxl keeps a run of hidden columns as one entry, from ``min`` to ``max``."""
    from openpyxl.utils import column_index_from_string

    number = column_index_from_string(letter)
    return any(d.hidden and (d.min or 0) <= number <= (d.max or 0) for d in ws.column_dimensions.values())


def header_row(df: pd.DataFrame, table: Table) -> int | None:
    """The sheet row holding the column names, when a title or blank rows sit above it (else None)."""
    required = {c.name for c in table.columns if c.required}
    if required <= set(df.columns):
        return None
    for index, row in df.head(10).iterrows():
        if required <= {str(x).strip() for x in row}:
            return int(index) + 2  # index 0 is the sheet's row 2
    return None


def _read_sheet(ws, formulas, label: str, problems: list[Problem]) -> _Sheet:  # noqa: ANN001 - openpyxl sheets
    """One sheet's cells as text, reporting merged cells, error cells and formulas with no stored result."""
    from openpyxl.utils import get_column_letter

    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        problems.append(
            Problem(
                label,
                rng.min_row,
                None,
                f"cells {rng.coord} are merged",
                hint="Unmerge them and put a value in every cell",
            )
        )
    width = ws.max_column
    header = [_text(ws.cell(1, c).value) for c in range(1, width + 1)]
    columns = unique_columns(header)
    formula_text = _formulas(formulas)
    rows: dict[int, list[str]] = {}
    percent_cells: list[tuple[int, str, str]] = []
    for number, cells in _stored_rows(ws, formula_text):
        texts = [""] * width
        for cell in cells:
            column = columns[cell.column - 1]
            text = _cell(cell, column, label, formula_text, problems)
            if text and _is_number(cell.value) and is_percent_format(cell.number_format):
                percent_cells.append((number - 2, column, text))
            texts[cell.column - 1] = text
        if any(t.strip() for t in texts):  # fully blank rows (a stray space far below the data too) are not rows
            rows[number - 2] = texts
    frame = (
        pd.DataFrame.from_dict(rows, orient="index", columns=columns, dtype=object)
        if rows
        else (pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
    )
    keep = [
        i for i, (c, h) in enumerate(zip(columns, header)) if h.strip() or frame[c].astype(str).str.strip().ne("").any()
    ]
    return _Sheet(frame.iloc[:, keep], label, percent_cells, [get_column_letter(i + 1) for i in keep])


def _stored_rows(ws, formula_text: dict[tuple[int, int], str]):  # noqa: ANN001, ANN202 - openpyxl types
    """(row number, cells) for each data row that holds a cell, in order, without making the empty ones.

    ``ws.iter_rows`` creates every cell of the rectangle up to the last one used, so one stray space
    at row 120,000 would cost 600,000 new cells; the sheet's own store of cells does not.
    """
    stored = getattr(ws, "_cells", None)
    if stored is None:  # pragma: no cover - an openpyxl without the cell store: the slower public way
        for row in ws.iter_rows(min_row=2):
            yield row[0].row, row
        return
    by_row: dict[int, list] = {}
    for (r, _column), cell in stored.items():
        if r >= 2:
            by_row.setdefault(r, []).append(cell)
    for r, c in formula_text:  # a formula with no stored result may have no cell in the values workbook
        if (r, c) not in stored:
            by_row.setdefault(r, []).append(ws.cell(r, c))
    for r in sorted(by_row):
        yield r, by_row[r]


def _cell(
    cell,
    column: str,
    label: str,
    formula_text: dict[tuple[int, int], str],  # noqa: ANN001
    problems: list[Problem],
) -> str:
    """A cell as the text a person would type; problems for what cannot be read as a figure."""
    if cell.data_type == "e":
        problems.append(
            Problem(
                label,
                cell.row,
                column,
                "holds a spreadsheet error instead of a figure",
                str(cell.value),
                "Fix the formula, or leave the cell blank if there is no figure yet",
            )
        )
        return ""
    if cell.value is None and (cell.row, cell.column) in formula_text:
        problems.append(
            Problem(
                label,
                cell.row,
                column,
                "is a formula with no saved result, so its figure cannot be read",
                formula_text[(cell.row, cell.column)],
                "Open the workbook in Excel and save it (Excel stores each formula's result), "
                "or type the figure instead of the formula",
            )
        )
        return ""
    return _text(cell.value)


def _formulas(ws) -> dict[tuple[int, int], str]:  # noqa: ANN001 - an openpyxl read-only sheet
    """(row, column) -> formula text of every formula cell, from the workbook read without cached values."""
    found = {}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                value = cell.value
                found[(cell.row, cell.column)] = str(getattr(value, "text", value))
    return found


def _text(value: object) -> str:
    """A cell value as the text a CSV file would hold: whole floats without ``.0``, a date as ``2019-07-31 00:00:00``
    (so the period check can say it looks like a date), anything else as Python writes it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_percent_format(number_format: str | None) -> bool:
    """Does Excel show this cell x 100 with a % sign? A ``%`` in quotes or after ``\\`` is a literal sign only."""
    fmt, plain, quoted, escaped = number_format or "", [], False, False
    for ch in fmt:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted:
            plain.append(ch)
    return "%" in plain


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def unique_columns(names: Sequence[object]) -> list[str]:
    """Header cells as column names: stripped, a blank one ``Unnamed: N``, a repeat ``name.1``, as pandas
    names them (:func:`goldenthread.inputs.validate.check_columns` then reports the repeat)."""
    out: list[str] = []
    for i, h in enumerate(names):
        name = str(h).strip() or f"Unnamed: {i}"
        base, n = name, 0
        while name in out:
            n += 1
            name = f"{base}.{n}"
        out.append(name)
    return out


def _units(indicators: _Sheet | None) -> dict[str, str]:
    """Indicator id -> unit, as typed in the indicators sheet (the first row of a repeated id)."""
    if indicators is None or not {"id", "unit"} <= set(indicators.frame.columns):
        return {}
    df = indicators.frame
    ids, units = df["id"].astype(str).str.strip(), df["unit"].astype(str).str.strip()
    return dict(zip(ids[::-1], units[::-1]))


def percent_text(text: str) -> str:
    """A percentage cell's stored fraction as the figure in percent, exactly: ``0.389`` -> ``38.9``
    (never 38.900000000000006)."""
    value = (Decimal(text) * 100).normalize()
    return format(value, "f")


def _convert_percentages(table: str, sheet: _Sheet, units: dict[str, str], out: Workbook) -> None:
    """Percentage-formatted figures in percent units become percent (a warning says so); in other units, a problem."""
    df = sheet.frame
    id_column = "id" if table == "indicators" else "indicator"
    for index, column, text in sheet.percent_cells:
        if column not in UNIT_COLUMNS.get(table, ()) or index not in df.index:
            continue
        indicator = str(df.at[index, id_column]).strip() if id_column in df.columns else ""
        unit = (
            str(df.at[index, "unit"]).strip()
            if table == "indicators" and "unit" in df.columns
            else units.get(indicator, "")
        )
        try:
            percent = percent_text(text)
        except InvalidOperation:
            continue
        row = index + 2
        if unit in PERCENT_UNITS:
            df.at[index, column] = percent
            out.warnings.append(
                Problem(
                    sheet.label,
                    row,
                    column,
                    f"is formatted as a percentage (shown as {percent}%, stored as {text}): read as {percent}, "
                    f"since indicator {indicator}'s unit is {unit}",
                    None,
                    f"Check that {percent} is right; "
                    f"to avoid this warning, format the cell as Number and type {percent}",
                )
            )
        elif unit:
            out.problems.append(
                Problem(
                    sheet.label,
                    row,
                    column,
                    f"is formatted as a percentage (shown as {percent}%, stored as {text}), "
                    f"but indicator {indicator}'s unit is {unit}, not percent",
                    text,
                    "Format the cell as Number and type the figure in the indicator's unit, or set its unit to percent",
                )
            )
