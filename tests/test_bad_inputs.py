"""placeholder"""
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
from goldenthread.cli import app
from goldenthread.errors import DataError
from goldenthread.load import load_dataset
from goldenthread.pipeline import read_parameters

TABLE_NAMES = ("indicators", "values", "targets", "commentary")
BOOK = "example.xlsx"


# --- ways to break a data folder ---------------------------------------------------------------------

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


def repeat_row(path: Path, row: int) -> None:
    """Append a copy of spreadsheet row ``row`` at the end."""
    columns, rows = read_rows(path)
    rows.append(dict(rows[row - 2]))
    write_rows(path, columns, rows)


def rename_column(path: Path, old: str, new: str) -> None:
    columns, rows = read_rows(path)
    write_rows(path, [new if c == old else c for c in columns],
               [{(new if k == old else k): v for k, v in r.items()} for r in rows])


def edit(path: Path, row: int, column: str, value: str) -> Callable[[Path], None]:
    """A mutation setting ``file`` row/column to ``value``."""
    return lambda folder: set_cell(folder / path, row, column, value)


def edit_yaml(name: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        change(data)
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return mutate


def write_text(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def delete(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def small(folder: Path, **kw: object) -> None:
    """Replace the folder's contents with a small hand-made dataset (write_dataset)."""
    shutil.rmtree(folder)
    kw.setdefault("indicators", [indicator(id="A1")])
    kw.setdefault("values", monthly("A1", "2019-04", [91.0, 92.0]))
    write_dataset(folder, **kw)  # type: ignore[arg-type]


def cp1252_note(folder: Path) -> None:
    """values.csv saved by Excel as plain 'CSV' (Windows-1252), with an accented note on row 362."""
    path = folder / "values.csv"
    columns, rows = read_rows(path)
    rows[362 - 2]["note"] = "Révisé"
    write_rows(path, columns, rows, encoding="cp1252")


# --- Excel --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/example as one workbook with a sheet per table, written once for the module."""
    book = tmp_path_factory.mktemp("book") / BOOK
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name in TABLE_NAMES:
            pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
                xl, sheet_name=name, index=False)
    return book


def use_workbook(folder: Path, book: Path) -> Path:
    for name in TABLE_NAMES:
        (folder / f"{name}.csv").unlink()
    shutil.copy(book, folder / BOOK)
    return folder / BOOK


def excel(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """A mutation on the workbook (already copied into the folder by the test), through openpyxl."""
    def mutate(folder: Path) -> None:
        wb = openpyxl.load_workbook(folder / BOOK)
        change(wb)
        wb.save(folder / BOOK)
    return mutate


def excel_cell(sheet: str, ref: str, value: object) -> Callable[[Path], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][ref] = value
    return excel(change)


def merge(wb: openpyxl.Workbook) -> None:
    wb["values"].merge_cells("A5:A6")


def title_row(wb: openpyxl.Workbook) -> None:
    ws = wb["values"]
    ws.insert_rows(1)
    ws["A1"] = "Example County Council - performance values"


def no_values_sheet(wb: openpyxl.Workbook) -> None:
    del wb["values"]


def merge(cells: str) -> Callable[[Path], None]:
    return excel(lambda wb: wb["values"].merge_cells(cells))


def params(content: object) -> Callable[[Path], Path]:
    """A mutation writing a parameters file (a mapping is dumped as YAML, text written as it is)."""
    def mutate(folder: Path) -> Path:
        path = folder / "2019-07.yaml"
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
        return path
    return mutate


# --- the cases ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One broken input: how to break a fresh copy of data/example, and what the one message must say.

    ``mutate`` may return a path: it is then a parameters file, read with ``read_parameters``
    instead of loading the folder. ``count`` is the number of problems expected (one, unless the
    case inherently gives more). ``xfail`` marks a case the library gets wrong today.
    """

    id: str
    mutate: Callable[[Path], object]
    expected: tuple[str, ...]
    count: int = 1
    excel: bool = False
    xfail: str | None = None


CASCADE = ("a misspelt indicators column empties the indicators table, so every row of values, targets and "
           "commentary is also reported as 'indicator is not in indicators.csv'")
NONE_VALUE = "a blank indicator cell is also reported as \"indicator is not in indicators.csv (found 'None')\""

CASES: list[Case] = [
    # --- indicators.csv
    Case("indicators-missing", delete("indicators.csv"),
         ("indicators.csv: file is missing", "indicators.csv (see docs/data-contract.md)")),
    Case("indicators-empty", write_text("indicators.csv", ""),
         ("indicators.csv: is empty", "It needs at least a header row")),
    # a misspelt required column gives "required column is missing" and "unknown column": two messages
    Case("indicators-misspelt-required-column",
         lambda f: rename_column(f / "indicators.csv", "first_reported", "first_reportd"),
         ("indicators.csv, column 'first_reported': required column is missing",
          "Rename column 'first_reportd' to 'first_reported'"), count=2, xfail=CASCADE),
    Case("indicators-misspelt-optional-column",
         lambda f: rename_column(f / "indicators.csv", "polarity", "polarty"),
         ("indicators.csv, column 'polarty': unknown column", "Did you mean 'polarity'?"),
         xfail="a misspelt polarity column is also reported as 'a measure needs a polarity' on every measure row"),
    Case("indicators-duplicated-indicator", lambda f: repeat_row(f / "indicators.csv", 29),
         ("indicators.csv, row 43, column 'id'", "id=ASC-01 appears more than once (rows 29, 43)",
          "Keep one row and delete the others")),
    Case("indicators-outcome-not-in-plan", edit("indicators.csv", 29, "outcome", "O9"),
         ("indicators.csv, row 29, column 'outcome'", "outcome is not in plan.yaml", "(found 'O9')",
          "Use one of: O1, O2, O3, O4, O5")),
    Case("indicators-target-on-polarity-none", edit("indicators.csv", 29, "polarity", "none"),
         ("indicators.csv, row 29, column 'target'", "has a target but polarity is none", "(found '90",
          "Set polarity to higher or lower, or leave target blank")),
    Case("indicators-first-reported-not-a-month", edit("indicators.csv", 29, "first_reported", "April 2018"),
         ("indicators.csv, row 29, column 'first_reported'", "is not a month in the form YYYY-MM",
          "(found 'April 2018')", "for example 2019-07")),
    # text in an integer column fails both the number and the whole-number check: two messages, one cell
    Case("indicators-decimals-text", edit("indicators.csv", 29, "decimals", "two"),
         ("indicators.csv, row 29, column 'decimals'", "is not a whole number", "(found 'two')",
          "Use a whole number"), count=2),
    Case("indicators-negative-tolerance", edit("indicators.csv", 28, "tolerance", "-0.05"),
         ("indicators.csv, row 28, column 'tolerance'", "is below the minimum of 0", "(found '-0.05')")),
    # --- values.csv
    Case("values-missing", delete("values.csv"),
         ("values.csv: file is missing", "values.csv (see docs/data-contract.md)")),
    Case("values-misspelt-column", lambda f: rename_column(f / "values.csv", "value", "vaule"),
         ("values.csv, column 'vaule': unknown column", "Did you mean 'value'?")),
    Case("values-cp1252-encoding", cp1252_note,
         ("values.csv, row 362: is not UTF-8 text", "Windows-1252", "(found 'é')", "CSV UTF-8")),
    Case("values-thousands-separator", edit("values.csv", 175, "value", "1,204"),
         ("values.csv, row 175, column 'value'", "is not a plain number", "(found '1,204')",
          "without thousands separators, as 1204")),
    Case("values-percent-sign", edit("values.csv", 362, "value", "94.4%"),
         ("values.csv, row 362, column 'value'", "is not a plain number", "(found '94.4%')",
          "without the % sign, as 94.4")),
    Case("values-nan", edit("values.csv", 362, "value", "nan"),
         ("values.csv, row 362, column 'value'", "(found 'nan')", "leave the cell blank if there is no figure yet")),
    Case("values-inf", edit("values.csv", 362, "value", "inf"),
         ("values.csv, row 362, column 'value'", "(found 'inf')", "leave the cell blank if there is no figure yet")),
    Case("values-negative-percent", edit("values.csv", 362, "value", "-94.41"),
         ("values.csv, row 362, column 'value'", "measured in percent, which cannot be negative", "(found '-94.41')",
          "Check the figure and its sign")),
    Case("values-negative-days", edit("values.csv", 428, "value", "-18.6"),
         ("values.csv, row 428, column 'value'", "measured in days, which cannot be negative", "(found '-18.6')")),
    Case("values-future-period", edit("values.csv", 364, "period", "2099-09"),
         ("values.csv, row 364, column 'period'", "is a month in the future", "(found '2099-09')", "Check the year")),
    Case("values-before-first-reported", edit("values.csv", 268, "period", "2019-03"),
         ("values.csv, row 268, column 'period'", "before its first_reported month (2019-07)", "(found '2019-03')",
          "Correct the period, or first_reported")),
    Case("values-unknown-indicator", edit("values.csv", 362, "indicator", "ASC-99"),
         ("values.csv, row 362, column 'indicator'", "indicator is not in indicators.csv", "(found 'ASC-99')",
          "Check the id")),
    Case("values-blank-indicator", edit("values.csv", 362, "indicator", ""),
         ("values.csv, row 362, column 'indicator'", "is blank but must be filled in"), xfail=NONE_VALUE),
    Case("values-milestone-status-misspelt", edit("values.csv", 2, "milestone_status", "on track"),
         ("values.csv, row 2, column 'milestone_status'", "is not an allowed value", "(found 'on track')",
          "Did you mean 'on_track'?")),
    Case("values-period-with-slash", edit("values.csv", 362, "period", "07/2019"),
         ("values.csv, row 362, column 'period'", "(found '07/2019')", "Write the month as YYYY-MM: 2019-07")),
    Case("values-period-as-date", edit("values.csv", 362, "period", "2019-07-31"),
         ("values.csv, row 362, column 'period'", "(found '2019-07-31')", "It looks like a date")),
    # --- targets.csv
    Case("targets-unknown-indicator", edit("targets.csv", 2, "indicator", "HR-10"),
         ("targets.csv, row 2, column 'indicator'", "indicator is not in indicators.csv", "(found 'HR-10')")),
    Case("targets-text", edit("targets.csv", 2, "target", "about 30"),
         ("targets.csv, row 2, column 'target'", "is not a plain number", "(found 'about 30')")),
    Case("targets-for-a-milestone", edit("targets.csv", 19, "indicator", "INF-01"),
         ("targets.csv, row 19, column 'target'", "indicator INF-01 cannot have a target", "(found '200')",
          "Delete the row")),
    Case("targets-future-period", edit("targets.csv", 19, "period", "2091-09"),
         ("targets.csv, row 19, column 'period'", "is a month in the future", "(found '2091-09')")),
    Case("targets-misspelt-column", lambda f: rename_column(f / "targets.csv", "target", "Target"),
         ("targets.csv, column 'target': required column is missing", "Rename column 'Target' to 'target'"),
         count=2),
    # --- commentary.csv
    Case("commentary-unknown-indicator", edit("commentary.csv", 32, "indicator", "ASC-1"),
         ("commentary.csv, row 32, column 'indicator'", "indicator is not in indicators.csv", "(found 'ASC-1')")),
    Case("commentary-highlight-misspelt", edit("commentary.csv", 32, "highlight", "sucess"),
         ("commentary.csv, row 32, column 'highlight'", "(found 'sucess')", "Did you mean 'success'?")),
    Case("commentary-period-quarter", edit("commentary.csv", 32, "period", "Q1 2019/20"),
         ("commentary.csv, row 32, column 'period'", "(found 'Q1 2019/20')", "YYYY-MM")),
    Case("commentary-misspelt-column", lambda f: rename_column(f / "commentary.csv", "indicator", "indicator id"),
         ("commentary.csv, column 'indicator': required column is missing",
          "Rename column 'indicator id' to 'indicator'"), count=2),
    Case("commentary-empty", write_text("commentary.csv", ""),
         ("commentary.csv: is empty", "It needs at least a header row")),
    # --- organisation.yaml
    Case("organisation-missing", delete("organisation.yaml"),
         ("organisation.yaml: file is missing", "organisation.yaml (see docs/data-contract.md)")),
    Case("organisation-not-a-mapping", write_text("organisation.yaml", "Example County Council\n"),
         ("organisation.yaml: must be a mapping of keys to values", "(found 'str')", "See docs/data-contract.md")),
    Case("organisation-unknown-key", edit_yaml("organisation.yaml", lambda d: d.update(
        financial_year_start=d.pop("financial_year_start_month"))),
         ("organisation.yaml, column 'financial_year_start': unknown key", "(found '4')", "Check the spelling")),
    Case("organisation-month-out-of-range", edit_yaml("organisation.yaml", lambda d: d.update(
        financial_year_start_month=13)),
         ("organisation.yaml, column 'financial_year_start_month'", "less than or equal to 12", "(found '13')")),
    Case("organisation-invalid-yaml", write_text("organisation.yaml", "name: Example\n  tolerance: 0.05\n"),
         ("organisation.yaml, row 2: is not valid YAML", "Check indentation and quoting on that line")),
    # --- plan.yaml
    Case("plan-missing", delete("plan.yaml"),
         ("plan.yaml: file is missing", "plan.yaml (see docs/data-contract.md)")),
    # the misspelt key is unknown and the real one missing: two messages
    Case("plan-misspelt-key", edit_yaml("plan.yaml", lambda d: d.update(visoin=d.pop("vision"))),
         ("plan.yaml, column 'visoin': unknown key", "Check the spelling"), count=2),
    Case("plan-duplicated-outcome", edit_yaml("plan.yaml", lambda d: d["outcomes"][4].update(id="O4")),
         ("plan.yaml: ", "outcome ids repeated: O4")),
    # --- one Excel workbook instead of the CSV files
    Case("excel-percent-sign", excel_cell("values", "C362", "94.4%"),
         ("example.xlsx (sheet values), row 362, column 'value'", "(found '94.4%')", "without the % sign"),
         excel=True),
    Case("excel-error-cell", excel_cell("values", "C362", "#DIV/0!"),
         ("example.xlsx (sheet values), row 362, column 'value'", "#DIV/0!", "not a usable figure"), excel=True,
         xfail="an Excel error cell (#DIV/0!) is read as blank, so the data loads as 'no figure yet'"),
    Case("excel-missing-sheet", excel(no_values_sheet),
         ("example.xlsx (sheet values): sheet is missing", "Add a sheet named 'values'"), excel=True),
    # merging A5:A6 blanks the indicator on row 6 as well: the merge and the blank cell, two messages
    Case("excel-merged-indicator-cells", merge("A5:A6"),
         ("example.xlsx (sheet values), row 5: cells A5:A6 are merged", "Unmerge them"), count=2, excel=True,
         xfail=NONE_VALUE),
    Case("excel-merged-status-cells", merge("D2:D3"),
         ("example.xlsx (sheet values), row 2: cells D2:D3 are merged", "Unmerge them and put a value in every cell"),
         excel=True),
    Case("excel-title-row", excel(title_row),
         ("example.xlsx (sheet values), row 2: the column names are not on the first row",
          "Delete the 1 row(s) above the column names"), excel=True),
    Case("excel-misspelt-column", excel_cell("values", "D1", "milestone status"),
         ("example.xlsx (sheet values), column 'milestone status': unknown column",
          "Did you mean 'milestone_status'?"), excel=True),
    Case("excel-date-in-period", excel_cell("values", "B362", dt.datetime(2019, 7, 31)),
         ("example.xlsx (sheet values), row 362, column 'period'", "(found '2019-07-31 00:00:00')",
          "It looks like a date: format the column as Text"), excel=True),
    Case("excel-and-csv-files", lambda f: (f / "values.csv").write_bytes((EXAMPLE / "values.csv").read_bytes()),
         ("example: holds both CSV files and an Excel workbook", "Keep one"), excel=True),
    Case("excel-not-a-workbook", write_text(BOOK, "indicator,period\n"),
         ("example.xlsx: cannot be read as an Excel workbook", "save it again as .xlsx"), excel=True),
    # --- a parameters file (read_parameters)
    Case("parameters-unknown-key", params({"data": "data/example", "perod": "2019-07"}),
         ("2019-07.yaml, column 'perod': unknown key", "(found '2019-07')", "Check the spelling"), count=2),
    Case("parameters-period-not-a-month", params({"period": "2019-7"}),
         ("2019-07.yaml, column 'period'", "(found '2019-7')", "YYYY-MM"),
         xfail="the message is pydantic's regex (\"String should match pattern '^\\d{4}-...'\"), with no YYYY-MM hint"),
    Case("parameters-unknown-audience", params({"period": "2019-07", "audience": "everyone"}),
         ("2019-07.yaml, column 'audience'", "'public' or 'internal'", "(found 'everyone')")),
    Case("parameters-front-sheet-key", params({"period": "2019-07", "front_sheet": {"meting": "Cabinet"}}),
         ("2019-07.yaml, column 'front_sheet.meting': unknown key", "(found 'Cabinet')")),
    Case("parameters-not-a-mapping", params("- period: 2019-07\n- audience: public\n"),
         ("2019-07.yaml: must be a mapping of keys to values", "See parameters/2019-07.yaml")),
    Case("parameters-invalid-yaml", params("period: [2019-07\n"),
         ("2019-07.yaml: is not valid YAML", "line 1, column 9")),
    Case("parameters-missing", lambda f: f / "2019-06.yaml",
         ("2019-06.yaml: parameters file not found", "pass --params FILE")),
]


def problems_for(case: Case, folder: Path, book: Path | None) -> list[str]:
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


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else [])
    for c in CASES])
def test_broken_input_gives_one_clear_message(case: Case, example_copy: Path,
                                              request: pytest.FixtureRequest) -> None:
    book = request.getfixturevalue("workbook") if case.excel else None
    messages = problems_for(case, example_copy, book)
    assert len(messages) == case.count, "\n".join(messages[:10])
    assert any(all(s in m for s in case.expected) for m in messages), "\n".join(messages)


def test_case_table_covers_the_contract() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 32
    for prefix in ("indicators", "values", "targets", "commentary", "organisation", "plan", "parameters"):
        assert sum(i.startswith(prefix + "-") for i in ids) >= 3, prefix
    assert sum(c.excel for c in CASES) >= 6


# --- what must be accepted ------------------------------------------------------------------------------

def test_byte_order_mark_and_windows_line_endings_are_accepted(example_copy: Path) -> None:
    """Excel's 'CSV UTF-8' starts the file with a byte-order mark and ends lines with CRLF."""
    for name in (*(f"{t}.csv" for t in TABLE_NAMES), "organisation.yaml", "plan.yaml"):
        path = example_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    ds = load_dataset(example_copy)
    assert len(ds.indicators) == 41 and len(ds.values) == 501
    assert ds.indicators.columns[0] == "id"


# --- through the command line ---------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "goldenthread.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


def test_cli_refuses_broken_data_and_keeps_the_previous_report(example_copy: Path, tmp_path: Path) -> None:
    set_cell(example_copy / "values.csv", 362, "value", "94.4%")
    out = tmp_path / "reports"
    previous = out / "2019-07"
    previous.mkdir(parents=True)
    (previous / "corporate_performance_report.html").write_text("<p>previous good report</p>\n", encoding="utf-8")
    (previous / "corporate_performance_report.pdf").write_bytes(b"%PDF-1.7 previous good report\n")
    (previous / "manifest.json").write_text('{"period": "2019-07"}\n', encoding="utf-8")
    before = snapshot(out)

    result = run_cli("report", "--period", "2019-07", "--data", str(example_copy), "--out", str(out),
                     "--format", "html")
    expected = ("values.csv, row 362, column 'value': 'value' is not a plain number (found '94.4%'). "
                "Write it without the % sign, as 94.4")
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "1 problem found in the input data" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(out) == before  # same files, same bytes, no staging or .failed folder left behind

    # `goldenthread validate` gives the same message and status, in process (a second interpreter is slow)
    checked = CliRunner().invoke(app, ["validate", str(example_copy)])
    assert checked.exit_code == 2, checked.output
    assert expected in checked.output
