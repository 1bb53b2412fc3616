"""Broken inputs, one at a time: every file of the data contract, CSV and Excel alike.

One table, ``CASES``, drives the suite. Each case breaks a fresh copy of ``data/example`` (or a
small dataset made with ``write_dataset``) in one way and checks the single message the library
gives for it: the file (and for a workbook the sheet), the row, the column, the bad value as
``(found '...')`` and a phrase of the hint saying what is expected. A case that inherently gives
more than one message says how many.

Covered:

* ``indicators.csv``: missing, empty, misspelt required and optional columns, duplicated
  indicator, outcome missing from the plan, target or amber threshold on polarity none, a minimum
  above the maximum, first_reported not a month.
* ``values.csv``: missing, misspelt column, cp1252 (Excel's plain 'CSV') encoding, thousands
  separators and percent signs, nan/inf, negative percent and days, a month in the future, a value
  before first_reported, unknown and blank indicator, misspelt milestone status, a date as period
  (ISO and as Excel writes it), a figure above the indicator's maximum, a quarterly figure outside a
  quarter's last month, two annual figures in one financial year.
* ``targets.csv``: unknown indicator, text as target, target for a milestone, misspelt column.
* ``commentary.csv``: unknown indicator, misspelt highlight, a quarter as period, misspelt column.
* ``organisation.yaml`` and ``plan.yaml``: missing, not a mapping, unknown or misspelt keys,
  invalid YAML, repeated outcome ids.
* an Excel workbook: text in a numeric cell, an error cell (#DIV/0!), a missing sheet, merged
  cells, a title row above the header, a misspelt column, a date in the period column, a workbook
  beside CSV files, a file that is not a workbook, a formula with no saved result, a
  percentage-formatted cell for a measure that is not a percentage.
* a parameters file (``read_parameters``): unknown keys, a period not in YYYY-MM, an unknown
  audience, a list instead of a mapping, invalid YAML, a missing file.

* issue 11, data in as years in Excel leave it: a key repeated with a space (or a non-breaking one)
  after it; YAML nested thousands deep (every YAML file) and a key given twice; numbers out of
  range in the CSV columns (decimals, tolerance, figures of 10^15 and more) and the YAML keys
  (``.inf``, a tolerance of 5, ``yes`` for a number, max_successes); UTF-16 files, a workbook named
  ``.csv``, an ``.xls`` workbook, ``Values.csv``; a second ``value`` column (CSV and sheet); a
  semicolon file's decimal commas, the Unicode minus, spaces between thousands, ``N/A`` and ``-``;
  a period as an Excel serial number or ``201906``; the header row pasted in again; an id in other
  capitals; ``meeting_date: 18/09/2019`` and a date that does not exist; ``id: 1`` and ``yes`` where
  text is expected; control characters and a ``!!binary`` tag in YAML.

* issue 14, SPC and benchmarking: ``chart`` and ``spc_baseline`` in indicators.csv (a misspelt chart, a
  baseline under 12 or not whole, a baseline for a milestone); ``benchmarks.csv`` (a repeated figure, a month
  and its financial year for one area, two names for one area code, benchmarks without comparators.yaml, a
  negative percentage or a figure above the indicator's maximum, a financial year that skips a year or is
  written in full, a milestone, an unknown indicator, a blank area code); ``comparators.yaml`` (without
  benchmarks, ``us`` not in benchmarks.csv, a reference group of two areas or of the council, a group name
  twice, a main group that is a reference group or no group, a group without areas, a misspelt key);
  ``rebases.csv`` (a repeated month, no reason, a milestone, a financial year as the period, a misspelt column).

Then what must be accepted (a byte-order mark and CRLF line endings, as Excel's 'CSV UTF-8'
saves), and one run of the real command line on broken data: exit status 2, the message on
stderr, and the previous report for the period left byte-for-byte as it was.

The CLI prints each message as typed (not as Rich markup), so a bad value such as ``[b]94`` is
quoted whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, indicator, monthly, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs.contract import TABLES
from goldenthread.inputs.load import load_dataset
from goldenthread.run.cli import app
from goldenthread.run.pipeline import read_parameters

#: Every table of the contract the example has a CSV file for (the optional benchmarks and rebases too).
EXAMPLE_TABLES = tuple(t.name for t in TABLES if (EXAMPLE / t.file).is_file())


def _values_rows() -> list[tuple[str, str]]:
    with (EXAMPLE / "values.csv").open(encoding="utf-8", newline="") as f:
        return [(r["indicator"], r["period"]) for r in csv.DictReader(f)]


#: Rows of the example's values.csv the cases name, found rather than written in, so that the example
#: may gain history: ASC-01's July 2019 figure, and the row after the last.
ASC_JULY = _values_rows().index(("ASC-01", "2019-07")) + 2
NEXT_VALUES_ROW = len(_values_rows()) + 2
#: The first figure of HR-01, a measure in unit number.
HR_ROW = [i for i, _ in _values_rows()].index("HR-01") + 2
BOOK = "example.xlsx"
Mutation = Callable[[Path], object]


# --- ways to break a data folder ----------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, columns: list[str], rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the spreadsheet row (the header is row 1)."""
    columns, rows = read_rows(path)
    assert column in columns, column
    rows[row - 2][column] = value
    write_rows(path, columns, rows)


def edit(name: str, row: int, column: str, value: str) -> Mutation:
    return lambda folder: set_cell(folder / name, row, column, value)


def repeat_row(name: str, row: int) -> Mutation:
    """Append a copy of spreadsheet row ``row`` at the end of the file."""

    def mutate(folder: Path) -> None:
        columns, rows = read_rows(folder / name)
        write_rows(folder / name, columns, [*rows, dict(rows[row - 2])])

    return mutate


def rename_column(name: str, old: str, new: str) -> Mutation:
    def mutate(folder: Path) -> None:
        columns, rows = read_rows(folder / name)
        write_rows(
            folder / name,
            [new if c == old else c for c in columns],
            [{(new if k == old else k): v for k, v in r.items()} for r in rows],
        )

    return mutate


def add_column(name: str, column: str, value: str) -> Mutation:
    """Add an (optional) column to every row of a file."""

    def mutate(folder: Path) -> None:
        columns, rows = read_rows(folder / name)
        write_rows(folder / name, [*columns, column], [{**r, column: value} for r in rows])

    return mutate


def edit_yaml(name: str, change: Callable[[dict], object]) -> Mutation:
    def mutate(folder: Path) -> None:
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        change(data)
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return mutate


def write_text(name: str, text: str) -> Mutation:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def delete(name: str) -> Mutation:
    return lambda folder: (folder / name).unlink()


def small(*then: Mutation, **tables: object) -> Mutation:
    """Replace the folder with a small dataset (indicator A1, a monthly percentage, by default), then break it.

    A small dataset loads about twice as fast as the example, which keeps the module quick.
    """

    def mutate(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        tables.setdefault("indicators", [indicator(id="A1")])
        tables.setdefault("values", monthly("A1", "2019-04", [91.0, 92.0]))
        write_dataset(folder, **tables)  # type: ignore[arg-type]
        for m in then:
            m(folder)

    return mutate


def cp1252_note(folder: Path) -> None:
    """values.csv saved by Excel as plain 'CSV' (Windows-1252), with an accented note on row 362."""
    columns, rows = read_rows(folder / "values.csv")
    rows[362 - 2]["note"] = "Révisé"
    write_rows(folder / "values.csv", columns, rows, encoding="cp1252")


def append_line(name: str, line: str) -> Mutation:
    """Add one line, exactly as typed, at the end of a text file."""

    def mutate(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8", newline="") as f:
            f.write(line + "\n")

    return mutate


def write_bytes(name: str, data: bytes) -> Mutation:
    return lambda folder: (folder / name).write_bytes(data)


def resave(name: str, encoding: str) -> Mutation:
    """Save a file again in another encoding, as Excel's 'Unicode Text' or Notepad's 'Unicode' do."""

    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return mutate


def rename_file(old: str, new: str) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / old).rename(folder / new)

    return mutate


def nested(depth: int) -> str:
    """A YAML list ``depth`` lists deep, in flow style: ``[[[...]]]``."""
    return "[" * depth + "]" * depth


VALUES_HEADER = "indicator,period,value,milestone_status,note\n"


def values(*figures: object, indicator_id: str = "A1") -> list[dict[str, object]]:
    """values.csv rows for A1 from 2019-04 (row 2), one per figure, as typed."""
    return monthly(indicator_id, "2019-04", list(figures))  # type: ignore[arg-type]


BENCHMARKS_HEADER = "indicator,area_code,area_name,period,value,source\n"
#: A valid comparators.yaml for the benchmarks below: the council E1, five neighbours and England.
COMPARATORS = {
    "us": "E1",
    "source": "CIPFA nearest neighbours (illustrative)",
    "groups": [
        {"name": "Nearest neighbours", "areas": ["E2", "E3", "E4", "E5", "E6"]},
        {"name": "England", "areas": ["ENG"], "kind": "reference"},
    ],
}


def benchmark_lines(indicator_id: str = "A1", period: str = "2018/19") -> str:
    """benchmarks.csv rows (2 to 8) for the council E1, five neighbours and England, as typed."""
    areas = [("E1", "Test Borough"), *((f"E{i}", f"Area {i}") for i in range(2, 7)), ("ENG", "England")]
    return "".join(
        f"{indicator_id},{code},{name},{period},{80 + i},LG Inform\n" for i, (code, name) in enumerate(areas)
    )


def benchmarked(*then: Mutation, extra: str = "", comparators: dict | None = None, **tables: object) -> Mutation:
    """A small dataset with valid benchmarks.csv (plus ``extra`` lines) and comparators.yaml, then broken."""

    def write(folder: Path) -> None:
        (folder / "benchmarks.csv").write_text(BENCHMARKS_HEADER + benchmark_lines() + extra, encoding="utf-8")
        (folder / "comparators.yaml").write_text(
            yaml.safe_dump(comparators or COMPARATORS, sort_keys=False), encoding="utf-8"
        )

    return small(write, *then, **tables)


def with_comparators(change: Callable[[dict], object]) -> Mutation:
    return benchmarked(edit_yaml("comparators.yaml", change))


def rebases(text: str) -> Mutation:
    return write_text("rebases.csv", "indicator,period,reason\n" + text)


MILESTONE = indicator(id="M1", kind="milestone", unit="", polarity="", target="", decimals="")


# --- Excel: data/example as one workbook ----------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/example as one workbook with a sheet per table, written once for the module."""
    book = tmp_path_factory.mktemp("book") / BOOK
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name in EXAMPLE_TABLES:
            pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
                xl, sheet_name=name, index=False
            )
    return book


def use_workbook(folder: Path, book: Path) -> None:
    """Put the workbook in the folder in place of the CSV files."""
    for name in EXAMPLE_TABLES:
        (folder / f"{name}.csv").unlink(missing_ok=True)
    shutil.copy(book, folder / BOOK)


def excel(change: Callable[[openpyxl.Workbook], object]) -> Mutation:
    """A change to the workbook through openpyxl, as a person would make it in Excel."""

    def mutate(folder: Path) -> None:
        wb = openpyxl.load_workbook(folder / BOOK)
        change(wb)
        wb.save(folder / BOOK)

    return mutate


def excel_cell(sheet: str, ref: str, value: object) -> Mutation:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][ref] = value

    return excel(change)


def percent_cell(sheet: str, ref: str, fraction: float) -> Callable[[openpyxl.Workbook], None]:
    """A figure typed with Excel's percentage format: 22% is stored as 0.22."""

    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][ref] = fraction
        wb[sheet][ref].number_format = "0%"

    return change


def title_row(wb: openpyxl.Workbook) -> None:
    ws = wb["values"]
    ws.insert_rows(1)
    ws["A1"] = "Example County Council - performance values"


def params(content: object) -> Callable[[Path], Path]:
    """Write a parameters file (a mapping is dumped as YAML, text is written as it is); returns its path."""

    def mutate(folder: Path) -> Path:
        path = folder / "2019-07.yaml"
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
        return path

    return mutate


# --- the cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One broken input and what its message must say.

    ``mutate`` breaks a fresh copy of data/example; if it returns a path, that is a parameters
    file, read with ``read_parameters`` instead of loading the folder. ``expected`` are substrings
    of one message; ``count`` is how many messages the case gives in all (one per problem).
    ``excel`` first swaps the CSV files for the example workbook.
    """

    id: str
    mutate: Mutation
    expected: tuple[str, ...]
    count: int = 1
    excel: bool = False


CASES: list[Case] = [
    # --- indicators.csv
    Case(
        "indicators-missing",
        delete("indicators.csv"),
        ("indicators.csv: file is missing", "indicators.csv (see docs/data-contract.md)"),
    ),
    Case(
        "indicators-empty",
        write_text("indicators.csv", ""),
        ("indicators.csv: is empty", "It needs at least a header row"),
    ),
    # a misspelt required column is one problem (not also 'unknown column'), and the rows of the other
    # tables are not then reported against an indicators table that could not be read
    Case(
        "indicators-misspelt-required-column",
        rename_column("indicators.csv", "first_reported", "first_reportd"),
        (
            "indicators.csv, column 'first_reported': required column is missing",
            "Rename column 'first_reportd' to 'first_reported'",
        ),
    ),
    Case(
        "indicators-misspelt-optional-column",
        rename_column("indicators.csv", "polarity", "polarty"),
        ("indicators.csv, column 'polarty': unknown column", "Did you mean 'polarity'?"),
    ),
    Case(
        "indicators-duplicated-indicator",
        repeat_row("indicators.csv", 29),
        (
            "indicators.csv, row 43, column 'id'",
            "id=ASC-01 appears more than once (rows 29, 43)",
            "Keep one row and delete the others",
        ),
    ),
    Case(
        "indicators-outcome-not-in-plan",
        edit("indicators.csv", 29, "outcome", "O9"),
        (
            "indicators.csv, row 29, column 'outcome'",
            "outcome is not in plan.yaml",
            "(found 'O9')",
            "Use one of: O1, O2, O3, O4, O5",
        ),
    ),
    # the value is quoted as the parsed number ('90.0'), not as typed ('90'): match either
    Case(
        "indicators-target-on-polarity-none",
        edit("indicators.csv", 29, "polarity", "none"),
        (
            "indicators.csv, row 29, column 'target'",
            "has a target but polarity is none",
            "(found '90",
            "Set polarity to higher or lower, or leave target blank",
        ),
    ),
    Case(
        "indicators-amber-threshold-on-polarity-none",
        small(indicators=[indicator(id="A1", polarity="none", target="", amber_threshold=85)]),
        (
            "indicators.csv, row 2, column 'amber_threshold'",
            "has an amber threshold but polarity is none",
            "(found '85')",
            "leave amber_threshold blank",
        ),
    ),
    Case(
        "indicators-minimum-above-maximum",
        small(
            add_column("indicators.csv", "minimum", "10"),
            add_column("indicators.csv", "maximum", "5"),
            indicators=[indicator(id="A1", unit="number")],
            values=values(7),
        ),
        (
            "indicators.csv, row 2, column 'minimum'",
            "minimum (10) is greater than maximum (5)",
            "(found '10')",
            "Swap them",
        ),
    ),
    Case(
        "indicators-first-reported-not-a-month",
        edit("indicators.csv", 29, "first_reported", "April 2018"),
        (
            "indicators.csv, row 29, column 'first_reported'",
            "is not a month in the form YYYY-MM",
            "(found 'April 2018')",
            "Write it as 2018-04",
        ),
    ),
    # --- values.csv
    Case(
        "values-missing",
        delete("values.csv"),
        ("values.csv: file is missing", "values.csv (see docs/data-contract.md)"),
    ),
    Case(
        "values-misspelt-column",
        rename_column("values.csv", "value", "vaule"),
        ("values.csv, column 'vaule': unknown column", "Did you mean 'value'?"),
    ),
    Case(
        "values-cp1252-encoding",
        cp1252_note,
        (
            "values.csv, row 362: is not UTF-8 text",
            "Windows-1252",
            "(found 'é')",
            "choose 'CSV UTF-8 (Comma delimited)'",
        ),
    ),
    Case(
        "values-thousands-separator",
        small(indicators=[indicator(id="A1", unit="number", decimals=0, target=1000)], values=values(1100, "1,204")),
        (
            "values.csv, row 3, column 'value'",
            "is not a plain number",
            "(found '1,204')",
            "Write it without thousands separators, as 1204",
        ),
    ),
    Case(
        "values-percent-sign",
        small(values=values(91.0, "94.4%")),
        (
            "values.csv, row 3, column 'value'",
            "is not a plain number",
            "(found '94.4%')",
            "Write it without the % sign, as 94.4",
        ),
    ),
    Case(
        "values-nan",
        small(values=values(91.0, "nan")),
        (
            "values.csv, row 3, column 'value'",
            "is not a plain number",
            "(found 'nan')",
            "leave the cell blank if there is no figure yet",
        ),
    ),
    Case(
        "values-inf",
        small(values=values(91.0, "inf")),
        (
            "values.csv, row 3, column 'value'",
            "is not a plain number",
            "(found 'inf')",
            "leave the cell blank if there is no figure yet",
        ),
    ),
    Case(
        "values-negative-percent",
        small(values=values(91.0, -4.5)),
        (
            "values.csv, row 3, column 'value'",
            "indicator A1 is a percentage, which cannot be negative",
            "(found '-4.5')",
            "Check the figure and its sign",
        ),
    ),
    Case(
        "values-negative-days",
        small(indicators=[indicator(id="A1", unit="days", polarity="lower", target=20)], values=values(18.6, -18.2)),
        (
            "values.csv, row 3, column 'value'",
            "indicator A1 is a number of days, which cannot be negative",
            "(found '-18.2')",
        ),
    ),
    Case(
        "values-future-period",
        edit("values.csv", 364, "period", "2099-09"),
        ("values.csv, row 364, column 'period'", "is a month in the future", "(found '2099-09')", "Check the year"),
    ),
    Case(
        "values-before-first-reported",
        small(indicators=[indicator(id="A1", first_reported="2019-05")], values=values(91.0, 92.0)),
        (
            "values.csv, row 2, column 'period'",
            "indicator A1 has a value before its first_reported month (2019-05)",
            "(found '2019-04')",
            "Correct the period, or first_reported in indicators.csv",
        ),
    ),
    Case(
        "values-unknown-indicator",
        edit("values.csv", 362, "indicator", "ASC-99"),
        (
            "values.csv, row 362, column 'indicator'",
            "indicator is not in indicators.csv",
            "(found 'ASC-99')",
            "Check the id",
        ),
    ),
    Case(
        "values-blank-indicator",
        small(values=values(91.0, indicator_id="")),
        ("values.csv, row 2, column 'indicator'", "is blank but must be filled in"),
    ),
    Case(
        "values-milestone-status-misspelt",
        small(
            indicators=[indicator(id="M1", kind="milestone", unit="", polarity="", target="")],
            values=[{"indicator": "M1", "period": "2019-04", "milestone_status": "on track"}],
        ),
        (
            "values.csv, row 2, column 'milestone_status'",
            "is not an allowed value",
            "(found 'on track')",
            "Did you mean 'on_track'?",
        ),
    ),
    Case(
        "values-period-as-date",
        small(values=[{"indicator": "A1", "period": "2019-04-30", "value": "91"}]),
        (
            "values.csv, row 2, column 'period'",
            "is not a month in the form YYYY-MM",
            "(found '2019-04-30')",
            "It looks like a date",
        ),
    ),
    Case(
        "values-period-as-excel-writes-a-date",
        small(values=[{"indicator": "A1", "period": "01/06/2019", "value": "91"}]),
        ("values.csv, row 2, column 'period'", "(found '01/06/2019')", "Write it as 2019-06"),
    ),
    Case(
        "values-above-maximum",
        small(
            add_column("indicators.csv", "maximum", "45"),
            indicators=[indicator(id="A1", unit="number", target=40)],
            values=values(12, 48),
        ),
        (
            "values.csv, row 3, column 'value'",
            "indicator A1 is above its maximum of 45, set in indicators.csv (row 2, column 'maximum')",
            "(found '48')",
            "correct the indicator's maximum",
        ),
    ),
    Case(
        "values-quarterly-not-at-quarter-end",
        small(
            indicators=[indicator(id="A1", frequency="quarterly")],
            values=[{"indicator": "A1", "period": "2019-08", "value": "91"}],
        ),
        (
            "values.csv, row 2, column 'period'",
            "2019-08 is in Q2 2019/20, which ends 2019-09",
            "(found '2019-08')",
            "Put the quarter's figure in its last month, 2019-09",
        ),
    ),
    Case(
        "values-annual-twice-in-a-year",
        small(
            indicators=[indicator(id="A1", frequency="annual")],
            values=[{"indicator": "A1", "period": p, "value": "91"} for p in ("2019-04", "2020-03")],
        ),
        (
            "values.csv, row 3, column 'period'",
            "indicator A1 is annual, but has 2 figures in 2019/20: rows 2 (2019-04) and 3 (2020-03)",
            "Keep one figure per financial year",
        ),
    ),
    # --- targets.csv
    Case(
        "targets-unknown-indicator",
        edit("targets.csv", 2, "indicator", "HR-10"),
        ("targets.csv, row 2, column 'indicator'", "indicator is not in indicators.csv", "(found 'HR-10')"),
    ),
    Case(
        "targets-text",
        small(targets=[{"indicator": "A1", "period": "2019-04", "target": "about 90"}]),
        (
            "targets.csv, row 2, column 'target'",
            "is not a plain number",
            "(found 'about 90')",
            "Use a plain number such as 94.41",
        ),
    ),
    Case(
        "targets-for-a-milestone",
        edit("targets.csv", 19, "indicator", "INF-01"),
        (
            "targets.csv, row 19, column 'target'",
            "indicator INF-01 cannot have a target",
            "(found '200')",
            "Delete the row",
        ),
    ),
    Case(
        "targets-misspelt-column",
        rename_column("targets.csv", "target", "Target"),
        ("targets.csv, column 'target': required column is missing", "Rename column 'Target' to 'target'"),
    ),
    # --- commentary.csv
    Case(
        "commentary-unknown-indicator",
        edit("commentary.csv", 32, "indicator", "ASC-1"),
        ("commentary.csv, row 32, column 'indicator'", "indicator is not in indicators.csv", "(found 'ASC-1')"),
    ),
    Case(
        "commentary-highlight-misspelt",
        small(commentary=[{"indicator": "A1", "period": "2019-05", "highlight": "sucess"}]),
        (
            "commentary.csv, row 2, column 'highlight'",
            "is not an allowed value",
            "(found 'sucess')",
            "Did you mean 'success'?",
        ),
    ),
    Case(
        "commentary-period-quarter",
        small(commentary=[{"indicator": "A1", "period": "Q1 2019/20", "commentary": "On track."}]),
        ("commentary.csv, row 2, column 'period'", "(found 'Q1 2019/20')", "Use the month as YYYY-MM"),
    ),
    Case(
        "commentary-misspelt-column",
        rename_column("commentary.csv", "indicator", "indicator id"),
        (
            "commentary.csv, column 'indicator': required column is missing",
            "Rename column 'indicator id' to 'indicator'",
        ),
    ),
    # --- organisation.yaml
    Case(
        "organisation-missing",
        small(delete("organisation.yaml")),
        ("organisation.yaml: file is missing", "organisation.yaml (see docs/data-contract.md)"),
    ),
    Case(
        "organisation-not-a-mapping",
        small(write_text("organisation.yaml", "Example County Council\n")),
        ("organisation.yaml: must be a mapping of keys to values", "(found 'str')", "See docs/data-contract.md"),
    ),
    Case(
        "organisation-unknown-key",
        small(
            edit_yaml("organisation.yaml", lambda d: d.update(financial_year_start=d.pop("financial_year_start_month")))
        ),
        (
            "organisation.yaml, key 'financial_year_start': unknown key",
            "(found '4')",
            "Did you mean 'financial_year_start_month'?",
        ),
    ),
    Case(
        "organisation-invalid-yaml",
        small(write_text("organisation.yaml", "name: Example\n  tolerance: 0.05\n")),
        ("organisation.yaml, row 2: is not valid YAML", "Check indentation and quoting on that line"),
    ),
    # --- plan.yaml
    Case(
        "plan-missing",
        small(delete("plan.yaml")),
        ("plan.yaml: file is missing", "plan.yaml (see docs/data-contract.md)"),
    ),
    # the misspelt key is one problem: the required key is missing, with the rename that fixes it
    Case(
        "plan-misspelt-key",
        small(edit_yaml("plan.yaml", lambda d: d.update(visoin=d.pop("vision")))),
        ("plan.yaml, key 'vision': required key is missing", "Rename key 'visoin' to 'vision'"),
    ),
    Case(
        "plan-repeated-outcome-id",
        small(edit_yaml("plan.yaml", lambda d: d["outcomes"][1].update(id="O1"))),
        ("plan.yaml: ", "outcome ids repeated: O1"),
    ),
    # --- one Excel workbook in place of the CSV files
    Case(
        "excel-text-in-number",
        excel_cell("values", "C362", "94.4%"),
        (
            "example.xlsx (sheet values), row 362, column 'value'",
            "is not a plain number",
            "(found '94.4%')",
            "without the % sign",
        ),
        excel=True,
    ),
    Case(
        "excel-error-cell",
        excel_cell("values", "C362", "#DIV/0!"),
        (
            "example.xlsx (sheet values), row 362, column 'value'",
            "holds a spreadsheet error instead of a figure",
            "(found '#DIV/0!')",
            "Fix the formula",
        ),
        excel=True,
    ),
    Case(
        "excel-missing-sheet",
        excel(lambda wb: wb.remove(wb["values"])),
        ("example.xlsx (sheet values): sheet is missing", "Add a sheet named 'values'"),
        excel=True,
    ),
    Case(
        "excel-merged-cells",
        excel(lambda wb: wb["values"].merge_cells("D2:D3")),
        ("example.xlsx (sheet values), row 2: cells D2:D3 are merged", "Unmerge them and put a value in every cell"),
        excel=True,
    ),
    Case(
        "excel-title-row",
        excel(title_row),
        (
            "example.xlsx (sheet values), row 2: the column names are not on the first row",
            "Delete the 1 row(s) above the column names",
        ),
        excel=True,
    ),
    Case(
        "excel-misspelt-column",
        excel_cell("values", "D1", "milestone status"),
        ("example.xlsx (sheet values), column 'milestone status': unknown column", "Did you mean 'milestone_status'?"),
        excel=True,
    ),
    Case(
        "excel-date-in-period",
        excel_cell("values", "B362", dt.datetime(2019, 7, 31)),
        (
            "example.xlsx (sheet values), row 362, column 'period'",
            "(found '2019-07-31 00:00:00')",
            "It looks like a date: format the column as Text",
        ),
        excel=True,
    ),
    Case(
        "excel-formula-without-a-result",
        excel_cell("values", "C362", "=94+0.41"),
        (
            "example.xlsx (sheet values), row 362, column 'value'",
            "is a formula with no saved result",
            "(found '=94+0.41')",
            "Open the workbook in Excel and save it",
        ),
        excel=True,
    ),
    # HR-01 (row 244) counts apprenticeship starts: a percentage cell is no figure of its
    Case(
        "excel-percent-cell-in-a-number-measure",
        excel(percent_cell("values", f"C{HR_ROW}", 0.22)),
        (
            f"example.xlsx (sheet values), row {HR_ROW}, column 'value'",
            "is formatted as a percentage (shown as 22%, stored as 0.22), but indicator HR-01's unit is number",
            "(found '0.22')",
            "Format the cell as Number",
        ),
        excel=True,
    ),
    Case(
        "excel-beside-csv-files",
        lambda f: (f / "values.csv").write_bytes((EXAMPLE / "values.csv").read_bytes()),
        ("example: holds both CSV files and an Excel workbook", "Keep one"),
        excel=True,
    ),
    Case(
        "excel-not-a-workbook",
        write_text(BOOK, "indicator,period\n"),
        ("example.xlsx: cannot be read as an Excel workbook", "save it again as .xlsx"),
        excel=True,
    ),
    # --- a parameters file
    # a misspelt required key is one problem: the key is missing, with the rename that fixes it
    Case(
        "parameters-unknown-key",
        params({"data": "data/example", "perod": "2019-07"}),
        ("2019-07.yaml, key 'period': required key is missing", "Rename key 'perod' to 'period'"),
    ),
    Case(
        "parameters-unknown-optional-key",
        params({"period": "2019-07", "max_success": 3}),
        ("2019-07.yaml, key 'max_success': unknown key", "(found '3')", "Did you mean 'max_successes'?"),
    ),
    Case(
        "parameters-period-not-a-month",
        params({"period": "2019-7"}),
        ("2019-07.yaml, key 'period'", "(found '2019-7')", "write it as YYYY-MM in quotes"),
    ),
    Case(
        "parameters-unknown-audience",
        params({"period": "2019-07", "audience": "everyone"}),
        ("2019-07.yaml, key 'audience'", "'public' or 'internal'", "(found 'everyone')"),
    ),
    Case(
        "parameters-front-sheet-key",
        params({"period": "2019-07", "front_sheet": {"meting": "Cabinet"}}),
        ("2019-07.yaml, key 'front_sheet.meting': unknown key", "(found 'Cabinet')", "Did you mean 'meeting'?"),
    ),
    Case(
        "parameters-not-a-mapping",
        params("- period: 2019-07\n- audience: public\n"),
        ("2019-07.yaml: must be a mapping of keys to values", "(found 'list')", "See docs/data-contract.md"),
    ),
    Case(
        "parameters-invalid-yaml",
        params("period: [2019-07\n"),
        ("2019-07.yaml, row 2: is not valid YAML", "expected ',' or ']'", "Check indentation and quoting"),
    ),
    Case(
        "parameters-missing",
        lambda f: f / "2019-06.yaml",
        ("2019-06.yaml: file is missing", "Create it (copy parameters/2019-07.yaml) or pass --params FILE"),
    ),
    # --- issue 11 item 2: keys are compared as they will be used, without spaces around them
    Case(
        "values-key-with-a-trailing-space",
        append_line("values.csv", "ASC-01 ,2019-07,95.0,,"),
        (
            f"values.csv, row {NEXT_VALUES_ROW}, column 'period': indicator=ASC-01, period=2019-07 appears more "
            f"than once (rows {ASC_JULY}, {NEXT_VALUES_ROW}; typed as 'ASC-01 ')",
            "spaces before or after a value do not make it a different one",
        ),
    ),
    Case(
        "indicators-id-with-a-trailing-space",
        small(indicators=[indicator(id="A1"), indicator(id="A1 ")]),
        (
            "indicators.csv, row 3, column 'id': id=A1 appears more than once (rows 2, 3; typed as 'A1 ')",
            "Keep one row and delete the others",
        ),
    ),
    Case(
        "commentary-key-with-a-non-breaking-space",
        small(
            commentary=[
                {"indicator": "A1", "period": "2019-05", "commentary": "One."},
                {"indicator": "A1\u00a0", "period": "2019-05", "commentary": "Two."},
            ]
        ),
        (
            "commentary.csv, row 3, column 'period': indicator=A1, period=2019-05 appears more than once "
            "(rows 2, 3; typed as 'A1\\xa0')",
        ),
    ),
    # --- item 8: YAML nested thousands deep is a message, not a RecursionError
    Case(
        "organisation-nested-too-deeply",
        small(write_text("organisation.yaml", f"name: X\nfoo: {nested(20000)}\n")),
        (
            "organisation.yaml, row 2, key 'foo.0.0.0",
            "is nested too deeply: more than 20 lists and mappings",
            "Check the brackets and indentation on that line",
        ),
    ),
    Case(
        "plan-nested-too-deeply",
        small(write_text("plan.yaml", "vision: v\noutcomes:\n" + "".join("  " * i + "- \n" for i in range(1, 2000)))),
        ("plan.yaml, row 22, key 'outcomes.0.0.0", "is nested too deeply"),
    ),
    Case(
        "parameters-nested-too-deeply",
        params(f'period: "2019-07"\nfront_sheet:\n  summary: {nested(5000)}\n'),
        ("2019-07.yaml, row 3, key 'front_sheet.summary.0.0", "is nested too deeply"),
    ),
    # --- item 10: every number of the contract within its range
    Case(
        "indicators-decimals-too-many",
        small(indicators=[indicator(id="A1", decimals="99999999999")]),
        (
            "indicators.csv, row 2, column 'decimals': 'decimals' is above the maximum of 6 (found '99999999999'). "
            "Use a whole number from 0 to 6",
        ),
    ),
    Case(
        "indicators-tolerance-in-percent",
        small(indicators=[indicator(id="A1", tolerance="5")]),
        (
            "indicators.csv, row 2, column 'tolerance': 'tolerance' is above the maximum of 1 (found '5'). "
            "The tolerance is a fraction of the target: for 5% write 0.05",
        ),
    ),
    Case(
        "indicators-tolerance-with-a-percent-sign",
        small(indicators=[indicator(id="A1", tolerance="7.5%")]),
        (
            "indicators.csv, row 2, column 'tolerance': 'tolerance' is not a plain number (found '7.5%'). "
            "The tolerance is a fraction of the target: for 7.5% write 0.075",
        ),
    ),
    Case(
        "indicators-target-too-large",
        small(indicators=[indicator(id="A1", target="1e300")]),
        ("indicators.csv, row 2, column 'target'", "is too large to be a figure", "(found '1e300')"),
    ),
    Case(
        "values-figure-too-large",
        small(values=values(91.0, "99999999999999999999")),
        (
            "values.csv, row 3, column 'value'",
            "is too large to be a figure: every figure must be smaller than 10^15",
            "(found '99999999999999999999')",
            "a typing or export mistake",
        ),
    ),
    Case(
        "targets-target-too-large",
        small(targets=[{"indicator": "A1", "period": "2019-04", "target": "-2e15"}]),
        ("targets.csv, row 2, column 'target'", "is too large to be a figure", "(found '-2e15')"),
    ),
    Case(
        "organisation-tolerance-inf",
        small(edit_yaml("organisation.yaml", lambda d: d.update(status_scheme={"tolerance": float("inf")}))),
        (
            "organisation.yaml, key 'status_scheme.tolerance': Input should be a finite number (found 'inf')",
            "Give an ordinary number: .inf and .nan are not figures",
        ),
    ),
    Case(
        "organisation-tolerance-in-percent",
        small(edit_yaml("organisation.yaml", lambda d: d.update(status_scheme={"tolerance": 5}))),
        (
            "organisation.yaml, key 'status_scheme.tolerance': Input should be less than or equal to 1 (found '5')",
            "for 5% write 0.05",
        ),
    ),
    Case(
        "organisation-no-change-band-yes",
        small(write_text("organisation.yaml", "name: X\nstatus_scheme:\n  no_change_band: yes\n")),
        ("organisation.yaml, key 'status_scheme.no_change_band': is true or false, not a number",),
    ),
    Case(
        "organisation-exceeding-margin-above-one",
        small(edit_yaml("organisation.yaml", lambda d: d.update(status_scheme={"exceeding_margin": 1.5}))),
        ("organisation.yaml, key 'status_scheme.exceeding_margin'", "less than or equal to 1", "(found '1.5')"),
    ),
    Case(
        "parameters-max-successes-huge",
        params({"period": "2019-07", "max_successes": 99999999999}),
        ("2019-07.yaml, key 'max_successes': Input should be less than or equal to 50 (found '99999999999')",),
    ),
    # --- weak answers: what years in Excel leave behind
    Case(
        "values-utf16",
        small(resave("values.csv", "utf-16")),
        ("values.csv: is saved as UTF-16 (Excel's 'Unicode Text'", "choose 'CSV UTF-8 (Comma delimited)'"),
    ),
    Case(
        "values-utf16-without-byte-order-mark",
        small(resave("values.csv", "utf-16-le")),
        ("values.csv: is saved as UTF-16",),
    ),
    Case("plan-utf16", small(resave("plan.yaml", "utf-16")), ("plan.yaml: is saved as UTF-16", "UTF-8")),
    Case(
        "values-a-workbook-named-csv",
        lambda f: shutil.copy(ROOT / "data/hollowmere/hollowmere.xlsx", f / "values.csv"),
        ("values.csv: is a spreadsheet workbook, not a text file", "CSV UTF-8"),
    ),
    Case(
        "values-semicolons-and-decimal-commas",
        small(write_text("values.csv", VALUES_HEADER.replace(",", ";") + "A1;2019-04;94,41;;\n")),
        ("values.csv, row 2, column 'value'", "(found '94,41')", "Use a full stop for the decimal point, as 94.41"),
    ),
    Case(
        "values-a-web-page",
        small(write_text("values.csv", "<!DOCTYPE html>\n<html><title>Sign in</title>\n")),
        ("values.csv: is a web page, not a CSV file (a download that needed signing in?)", "Download the file again"),
    ),
    Case(
        "values-unclosed-quote",
        small(write_text("values.csv", VALUES_HEADER + 'A1,2019-04,91,,"Revised\nA1,2019-05,92,,\n')),
        (
            'values.csv, row 2: has a quote mark (") that starts a value and is never closed',
            "with each quote mark inside it doubled",
        ),
    ),
    Case(
        "values-comma-in-unquoted-text",
        small(write_text("values.csv", VALUES_HEADER + "A1,2019-04,91,,ok\nA1,2019-05,92,,Revised, twice\n")),
        (
            "values.csv, row 3: has 6 values, but the header row names 5 columns (the values are separated by commas). "
            "Put text holding a separator in double quotes",
        ),
    ),
    Case(
        "old-excel-workbook",
        lambda f: [p.unlink() for p in f.glob("*.csv")] + [(f / "council.xls").write_bytes(b"\xd0\xcf\x11\xe0")],
        ("council.xls: is an Excel 97-2003 workbook (.xls), which cannot be read", "choosing 'Excel Workbook (.xlsx)'"),
    ),
    Case(
        "values-file-name-in-capitals",
        rename_file("values.csv", "Values.csv"),
        ("values.csv: file is missing", "Rename Values.csv to values.csv"),
    ),
    Case(
        "values-second-value-column",
        small(write_text("values.csv", "indicator,period,value,milestone_status,note,value\nA1,2019-04,91,,,95\n")),
        ("values.csv, column 'value': is the name of 2 columns in the header row", "Keep one column named 'value'"),
    ),
    Case(
        "excel-second-value-column",
        excel_cell("values", "F1", "value"),
        ("example.xlsx (sheet values), column 'value': is the name of 2 columns in the header row",),
        excel=True,
    ),
    Case(
        "organisation-key-given-twice",
        small(write_text("organisation.yaml", "name: A\nname: B\n")),
        (
            "organisation.yaml, row 2, key 'name': is given twice in the same mapping (first on line 1)",
            "the first silently ignored",
        ),
    ),
    Case(
        "plan-nested-key-given-twice",
        small(write_text("plan.yaml", "vision: v\noutcomes:\n  - id: O1\n    title: One\n    title: Uno\n")),
        ("plan.yaml, row 5, key 'outcomes.0.title': is given twice in the same mapping (first on line 4)",),
    ),
    Case(
        "parameters-key-given-twice",
        params('period: "2019-07"\nperiod: "2019-08"\n'),
        ("2019-07.yaml, row 2, key 'period': is given twice",),
    ),
    Case(
        "values-unicode-minus",
        small(indicators=[indicator(id="A1", unit="number")], values=values("\u2212250000")),
        (
            "values.csv, row 2, column 'value'",
            "(found '\u2212250000')",
            "Use the ordinary minus sign -, as -250000 (this one was typed as U+2212)",
        ),
    ),
    Case(
        "values-spaces-between-thousands",
        small(indicators=[indicator(id="A1", unit="number")], values=values("1\u00a0250\u00a0000")),
        ("values.csv, row 2, column 'value'", "Write it without spaces between the thousands, as 1250000"),
    ),
    Case(
        "values-n/a",
        small(values=values(91.0, "N/A")),
        ("values.csv, row 3, column 'value'", "(found 'N/A')", "leave the cell blank if there is no figure yet"),
    ),
    Case(
        "values-a-dash",
        small(values=values(91.0, "-")),
        ("values.csv, row 3, column 'value'", "(found '-')", "A dash is not a figure", "write 0 if it means zero"),
    ),
    Case(
        "values-period-as-an-excel-serial-number",
        small(values=[{"indicator": "A1", "period": "43646", "value": "91"}]),
        (
            "values.csv, row 2, column 'period'",
            "(found '43646')",
            "It looks like a date Excel stored as a number "
            "(43646 is 30 June 2019): format the column as Text and write it as 2019-06",
        ),
    ),
    Case(
        "values-period-without-a-hyphen",
        small(values=[{"indicator": "A1", "period": "201906", "value": "91"}]),
        ("values.csv, row 2, column 'period'", "Write it as 2019-06"),
    ),
    Case(
        "values-header-row-repeated",
        append_line("values.csv", VALUES_HEADER.strip()),
        (f"values.csv, row {NEXT_VALUES_ROW}: repeats the column names (two files pasted together?). Delete this row",),
    ),
    Case(
        "commentary-id-in-other-capitals",
        edit("commentary.csv", 32, "indicator", "asc-01"),
        (
            "commentary.csv, row 32, column 'indicator'",
            "(found 'asc-01')",
            "Did you mean 'ASC-01'? Ids must match exactly, capitals and spaces included",
        ),
    ),
    Case(
        "parameters-meeting-date-day-first",
        params('period: "2019-07"\nfront_sheet:\n  meeting_date: 18/09/2019\n'),
        (
            "2019-07.yaml, key 'front_sheet.meeting_date': is not a date in the form YYYY-MM-DD (found '18/09/2019'). "
            "Write it as 2019-09-18",
        ),
    ),
    Case(
        "parameters-meeting-date-that-does-not-exist",
        params('period: "2019-07"\nfront_sheet:\n  meeting_date: 2019-02-30\n'),
        (
            "2019-07.yaml, row 3: has a value that cannot be read: '2019-02-30' (day is out of range for month)",
            "a date must be a day that exists",
        ),
    ),
    Case(
        "plan-id-a-number",
        small(write_text("plan.yaml", "vision: v\noutcomes:\n  - id: 1\n    title: One\n")),
        (
            "plan.yaml, key 'outcomes.0.id': Input should be a valid string (found '1')",
            'Put it in quotes ("1"), so it is read as text exactly as typed',
        ),
    ),
    Case(
        "parameters-yes-for-text",
        params('period: "2019-07"\nfront_sheet:\n  summary: yes\n'),
        (
            "2019-07.yaml, key 'front_sheet.summary'",
            "(found 'True')",
            "YAML reads yes, no, true, false, on and off",
            "put it in quotes",
        ),
    ),
    Case(
        "organisation-right-to-left-override",
        small(write_text("organisation.yaml", 'name: "X \\u202e lol"\n')),
        (
            "organisation.yaml, row 1, key 'name': contains an invisible control character: U+202E (right-to-left "
            "override) (found 'X \\u202e lol')",
            "Delete it",
        ),
    ),
    Case(
        "organisation-escape-character",
        small(write_text("organisation.yaml", "name: X \x1b[31m\n")),
        (
            "organisation.yaml, row 1: contains an invisible control character, U+001B (escape), which YAML does not "
            "allow",
            "Delete it",
        ),
    ),
    Case(
        "parameters-binary-tag",
        params('period: "2019-07"\ntitle: !!binary G1szMW0=\n'),
        ("2019-07.yaml, row 2, key 'title': uses the YAML tag '!!binary'", "Remove the tag"),
    ),
    # --- issue 14: SPC and benchmarking inputs
    Case(
        "indicators-chart-not-trend-or-spc",
        small(add_column("indicators.csv", "chart", "xmr")),
        ("indicators.csv, row 2, column 'chart'", "(found 'xmr')", "Use one of: trend, spc"),
    ),
    Case(
        "indicators-spc-baseline-under-12",
        small(add_column("indicators.csv", "spc_baseline", "6")),
        ("indicators.csv, row 2, column 'spc_baseline'", "below the minimum of 12", "(found '6')", "Use 12 or more"),
    ),
    Case(
        "indicators-spc-baseline-not-whole",
        small(add_column("indicators.csv", "spc_baseline", "18.5")),
        ("indicators.csv, row 2, column 'spc_baseline'", "is not a whole number", "(found '18.5')"),
    ),
    Case(
        "indicators-spc-baseline-for-a-milestone",
        small(
            add_column("indicators.csv", "spc_baseline", ""),
            edit("indicators.csv", 3, "spc_baseline", "24"),
            indicators=[indicator(id="A1"), MILESTONE],
        ),
        (
            "indicators.csv, row 3, column 'spc_baseline': indicator M1: a milestone has no figures",
            "(found '24')",
            "Leave spc_baseline blank for milestones",
        ),
    ),
    Case(
        "benchmarks-repeated-figure",
        benchmarked(extra="A1,E3,Area 3,2018/19,70,\n"),
        (
            "benchmarks.csv, row 9, column 'period': indicator=A1, area_code=E3, period=2018/19 appears more than "
            "once (rows 4, 9)",
            "Keep one row",
        ),
    ),
    Case(
        "benchmarks-a-month-and-its-financial-year",
        benchmarked(extra="A1,E3,Area 3,2019-03,70,\n"),
        (
            "benchmarks.csv, row 9, column 'period': indicator A1 has two figures for area E3 in 2019-03: "
            "2018/19 (row 4) and 2019-03 (row 9)",
            "(found '2019-03')",
            "Keep one of the two rows",
        ),
    ),
    Case(
        "benchmarks-two-names-for-one-area",
        benchmarked(extra="A1,E3,Area Three,2017/18,70,\n"),
        (
            "benchmarks.csv, row 9, column 'area_name': area E3 is named 'Area 3' on row 4 but 'Area Three' here",
            "(found 'Area Three')",
            "Give each area code one name",
        ),
    ),
    Case(
        "benchmarks-without-comparators",
        benchmarked(delete("comparators.yaml")),
        ("benchmarks.csv: has figures for comparison but there is no comparators.yaml", "Create"),
    ),
    Case(
        "benchmarks-negative-percentage",
        benchmarked(extra="A1,E7,Area 7,2018/19,-4,\n"),
        (
            "benchmarks.csv, row 9, column 'value': indicator A1 is a percentage, which cannot be negative",
            "(found '-4')",
            "give it a minimum in indicators.csv",
        ),
    ),
    Case(
        "benchmarks-above-the-indicator-maximum",
        benchmarked(add_column("indicators.csv", "maximum", "100"), extra="A1,E7,Area 7,2018/19,104,\n"),
        ("benchmarks.csv, row 9, column 'value': indicator A1 is above its maximum of 100", "(found '104')"),
    ),
    Case(
        "benchmarks-financial-year-that-skips-a-year",
        benchmarked(extra="A1,E3,Area 3,2017/19,70,\n"),
        (
            "benchmarks.csv, row 9, column 'period': 'period' is not a month (YYYY-MM) or a financial year (YYYY/YY)",
            "(found '2017/19')",
            "The second year of a financial year must follow the first: 2017/18 is the year starting in 2017",
        ),
    ),
    Case(
        "benchmarks-financial-year-in-full",
        benchmarked(extra="A1,E3,Area 3,2017/2018,70,\n"),
        ("benchmarks.csv, row 9, column 'period'", "(found '2017/2018')", "Write the financial year as 2017/18"),
    ),
    Case(
        "benchmarks-for-a-milestone",
        benchmarked(extra="M1,E3,Area 3,2018/19,70,\n", indicators=[indicator(id="A1"), MILESTONE]),
        (
            "benchmarks.csv, row 9, column 'indicator': indicator M1 is a milestone, and benchmarks are figures for "
            "measures only",
            "Delete the row",
        ),
    ),
    Case(
        "benchmarks-unknown-indicator",
        benchmarked(extra="B9,E3,Area 3,2018/19,70,\n"),
        ("benchmarks.csv, row 9, column 'indicator': indicator is not in indicators.csv", "(found 'B9')"),
    ),
    Case(
        "benchmarks-blank-area-code",
        benchmarked(extra="A1,,Area 3,2017/18,70,\n"),
        ("benchmarks.csv, row 9, column 'area_code'", "is blank but must be filled in"),
    ),
    Case(
        "comparators-without-benchmarks",
        benchmarked(delete("benchmarks.csv")),
        ("comparators.yaml: names comparison groups but there are no figures to compare", "Add benchmarks.csv"),
    ),
    Case(
        "comparators-us-not-in-benchmarks",
        with_comparators(lambda c: c.update(us="e1")),
        (
            "comparators.yaml, key 'us': the council's area code is not an area_code in benchmarks.csv",
            "(found 'e1')",
            "Did you mean 'E1'?",
        ),
    ),
    Case(
        "comparators-reference-group-of-two",
        with_comparators(lambda c: c["groups"][1].update(areas=["ENG", "WLS"])),
        (
            "comparators.yaml, key 'groups.1'",
            "group 'England' is a reference group, which is one area (such as England), but lists 2",
        ),
    ),
    Case(
        "comparators-group-name-twice",
        with_comparators(lambda c: c["groups"][1].update(name="Nearest neighbours")),
        ("comparators.yaml, key 'groups'", "group name 'Nearest neighbours' is used more than once"),
    ),
    Case(
        "comparators-main-group-is-a-reference-group",
        with_comparators(lambda c: c.update(main_group="England")),
        (
            "comparators.yaml, key 'main_group': is a reference group: main_group must be a comparison group's name",
            "(found 'England')",
            "'Nearest neighbours'",
        ),
    ),
    Case(
        "comparators-main-group-unknown",
        with_comparators(lambda c: c.update(main_group="Statistical neighbours")),
        ("comparators.yaml, key 'main_group': names no group", "(found 'Statistical neighbours')"),
    ),
    Case(
        "comparators-us-is-the-reference-area",
        with_comparators(lambda c: c["groups"][1].update(areas=["E1"])),
        ("comparators.yaml, key 'groups'", "reference group 'England' is the council itself (E1)"),
    ),
    Case(
        "comparators-group-without-areas",
        with_comparators(lambda c: c["groups"][0].update(areas=[])),
        ("comparators.yaml, key 'groups.0.areas'", "has no areas"),
    ),
    Case(
        "comparators-misspelt-key",
        with_comparators(lambda c: c.update(main_grup=c.pop("source"))),
        ("comparators.yaml, key 'main_grup': unknown key", "Did you mean 'main_group'?"),
    ),
    Case(
        "rebases-repeated-month",
        small(rebases("A1,2019-05,New triage service\nA1,2019-05,New triage service again\n")),
        ("rebases.csv, row 3, column 'period': indicator=A1, period=2019-05 appears more than once (rows 2, 3)",),
    ),
    Case(
        "rebases-without-a-reason",
        small(rebases("A1,2019-05,\n")),
        ("rebases.csv, row 2, column 'reason': 'reason' is blank but must be filled in",),
    ),
    Case(
        "rebases-for-a-milestone",
        small(rebases("M1,2019-05,Re-planned\n"), indicators=[indicator(id="A1"), MILESTONE]),
        ("rebases.csv, row 2, column 'indicator': indicator M1 is a milestone", "Delete the row"),
    ),
    Case(
        "rebases-financial-year-as-period",
        small(rebases("A1,2019/20,New triage service\n")),
        ("rebases.csv, row 2, column 'period'", "(found '2019/20')", "It looks like a financial year, not a month"),
    ),
    Case(
        "rebases-missing-reason-column",
        small(write_text("rebases.csv", "indicator,period,reasons\nA1,2019-05,New triage service\n")),
        ("rebases.csv, column 'reason': required column is missing", "Rename column 'reasons' to 'reason'"),
    ),
]


def problems_for(case: Case, folder: Path, book: Path | None = None) -> list[str]:
    """Break ``folder`` (a copy of data/example) as ``case`` says; every message the library gives."""
    if case.excel:
        assert book is not None
        use_workbook(folder, book)
    target = case.mutate(folder)
    with pytest.raises(DataError) as err:
        if isinstance(target, Path):
            read_parameters(target)
        else:
            load_dataset(folder)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_broken_input_gives_one_clear_message(case: Case, example_copy: Path, request: pytest.FixtureRequest) -> None:
    book = request.getfixturevalue("workbook") if case.excel else None
    messages = problems_for(case, example_copy, book)
    assert len(messages) == case.count, "\n".join(messages[:10])
    assert any(all(s in m for s in case.expected) for m in messages), "\n".join(messages)


def test_the_cases_cover_every_file_of_the_contract() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 32
    prefixes = ("indicators", "values", "targets", "commentary", "benchmarks", "comparators", "rebases")
    for prefix in (*prefixes, "organisation", "plan", "parameters"):
        assert sum(i.startswith(f"{prefix}-") for i in ids) >= 3, prefix
    assert sum(c.excel for c in CASES) >= 6


# --- what must be accepted ------------------------------------------------------------------------------


def test_byte_order_mark_and_windows_line_endings_are_accepted(example_copy: Path) -> None:
    """Excel's 'CSV UTF-8' starts the file with a byte-order mark; Windows ends lines with CRLF."""
    for name in (*(f"{t}.csv" for t in EXAMPLE_TABLES), "organisation.yaml", "plan.yaml"):
        path = example_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    ds, as_saved = load_dataset(example_copy), load_dataset(EXAMPLE)
    assert len(ds.indicators) == len(as_saved.indicators) == 41 and len(ds.values) == len(as_saved.values)
    assert list(ds.indicators.columns[:2]) == ["id", "title"]
    assert ds.organisation.name == "Example County Council"


# --- through the command line ---------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder``, with the bytes of each file."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))
    }


@pytest.mark.integration  # starts goldenthread or its chart workers as processes
def test_cli_refuses_broken_data_and_keeps_the_previous_report(example_copy: Path, tmp_path: Path) -> None:
    set_cell(example_copy / "values.csv", 362, "value", "94.4%")
    out = tmp_path / "reports"
    previous = out / "2019-07"
    previous.mkdir(parents=True)
    (previous / "corporate_performance_report.html").write_text("<p>previous good report</p>\n", encoding="utf-8")
    (previous / "corporate_performance_report.pdf").write_bytes(b"%PDF-1.7 previous good report\n")
    (previous / "manifest.json").write_text('{"period": "2019-07"}\n', encoding="utf-8")
    before = snapshot(out)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "goldenthread.run.cli",
            "report",
            "--period",
            "2019-07",
            "--data",
            str(example_copy),
            "--out",
            str(out),
            "--format",
            "html",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    expected = (
        "values.csv, row 362, column 'value': 'value' is not a plain number (found '94.4%'). "
        "Write it without the % sign, as 94.4"
    )
    assert result.returncode == 2, result.stderr
    assert "Input data problem - nothing was written" in result.stderr
    assert "1 problem found in the input data" in result.stderr
    assert expected in result.stderr
    assert snapshot(out) == before  # same files, same bytes; no staging, .failed or other folder

    # `goldenthread validate` says the same with the same status (in process: a second interpreter is slow)
    checked = CliRunner().invoke(app, ["validate", str(example_copy)])
    assert checked.exit_code == 2, checked.output
    assert expected in checked.output


def test_cli_quotes_a_bad_value_in_square_brackets_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    small(values=values(91.0, "[b]94"))(folder)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "values.csv, row 3, column 'value': 'value' is not a plain number (found '[b]94')" in result.output
