"""Data in, on data nobody here wrote (issue 10, items 13-20).

A real council's negative measure is accepted; an Excel workbook is read as a person sees it
(percentage cells, formulas without a stored result); things that build but look wrong are
warnings; blank rows are ignored and repeated messages grouped; quarterly and annual figures sit
in the month the report compares; and messages say exactly what to type.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, INDICATOR_COLUMNS, ROOT, indicator, monthly, write_csv, write_dataset
from goldenthread.errors import DataError, Problem
from goldenthread.inputs.load import Dataset, load_dataset, resolve_data_dir
from goldenthread.inputs.validate import _period_hint, suggest_period
from goldenthread.run.cli import app
from goldenthread.run.pipeline import run_report


def problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    return [str(p) for p in err.value.problems]


def one_problem(folder: Path) -> str:
    found = problems(folder)
    assert len(found) == 1, "\n".join(found)
    return found[0]


def dataset(tmp_path: Path, indicators: list[dict], figures: list[dict], **tables: object) -> Path:
    """A data folder in ``tmp_path/d``; indicators may use the optional columns minimum and maximum."""
    folder = write_dataset(
        tmp_path / "d", [{c: r[c] for c in INDICATOR_COLUMNS} for r in indicators], figures, **tables
    )  # type: ignore[arg-type]
    extra = [c for c in ("minimum", "maximum") if any(c in r for r in indicators)]
    if extra:
        write_csv(
            folder / "indicators.csv",
            [{c: r.get(c, "") for c in INDICATOR_COLUMNS + extra} for r in indicators],
            INDICATOR_COLUMNS + extra,
        )
    return folder


# --- item 14: the contract says which measures may be negative ----------------------------------------


def test_a_percentage_change_may_be_negative(tmp_path: Path) -> None:
    """'% reduction in violent crime' is legitimately below zero: unit percent_change has no lower limit."""
    folder = dataset(
        tmp_path,
        [indicator(id="CS-01", unit="percent_change", target=-5, polarity="lower")],
        monthly("CS-01", "2019-04", [-3.2, -12.5]),
    )
    ds = load_dataset(folder)
    assert list(ds.values["value"]) == [-3.2, -12.5]


@pytest.mark.parametrize("unit", ["number", "gbp", "ratio", "score", "percent_change"])
def test_units_without_a_default_limit_take_any_figure(tmp_path: Path, unit: str) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", unit=unit)], monthly("A1", "2019-04", [-250000.0, 1e9]))
    assert list(load_dataset(folder).values["value"]) == [-250000.0, 1e9]


def test_an_indicators_own_minimum_replaces_its_units_default(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", unit="percent", minimum=-100)], monthly("A1", "2019-04", [-4.5]))
    assert load_dataset(folder).values["value"].tolist() == [-4.5]


def test_the_units_default_minimum_is_named_with_what_to_do(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", unit="percent")], monthly("A1", "2019-04", [91.0, -4.5]))
    assert one_problem(folder) == (
        "values.csv, row 3, column 'value': indicator A1 is a percentage, which cannot be negative: its minimum is 0, "
        "the default for unit percent (found '-4.5'). Check the figure and its sign. If this measure can be negative, "
        "give it a minimum in indicators.csv or use unit percent_change for a percentage change"
    )


def test_a_figure_outside_the_indicators_own_limits_names_the_limit_and_its_row(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path,
        [indicator(id="A1"), indicator(id="B1", unit="number", minimum=10, maximum=20)],
        monthly("A1", "2019-04", [91.0]) + monthly("B1", "2019-04", [9.5, 15, 20.5]),
    )
    assert problems(folder) == [
        "values.csv, row 3, column 'value': indicator B1 is below its minimum of 10, set in indicators.csv "
        "(row 3, column 'minimum') (found '9.5'). Check the figure, or correct the indicator's minimum",
        "values.csv, row 5, column 'value': indicator B1 is above its maximum of 20, set in indicators.csv "
        "(row 3, column 'maximum') (found '20.5'). Check the figure, or correct the indicator's maximum",
    ]


def test_a_percentage_may_have_a_maximum(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", maximum=100)], monthly("A1", "2019-04", [100.0, 100.4]))
    assert "indicator A1 is above its maximum of 100" in one_problem(folder)


def test_a_minimum_above_the_maximum_is_an_error(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path, [indicator(id="A1", unit="number", minimum=50, maximum=10)], monthly("A1", "2019-04", [20.0])
    )  # the figure is not also reported against both limits
    assert one_problem(folder) == (
        "indicators.csv, row 2, column 'minimum': indicator A1: minimum (50) is greater "
        "than maximum (10) (found '50'). Swap them, or correct the one that is wrong"
    )


# --- Excel workbooks, read as a person sees them (items 15, 16, 18, 20) --------------------------------

VALUE_COLUMNS = ["indicator", "period", "value", "milestone_status", "note"]
TARGET_COLUMNS = ["indicator", "period", "target", "amber_threshold"]


def write_workbook(
    folder: Path,
    indicators: list[dict],
    values: list[dict],
    targets: list[dict] | None = None,
    sheet_names: dict[str, str] | None = None,
) -> Path:
    """A data folder with one workbook (written by openpyxl, as a script would) instead of CSV files.

    Figures are written as numbers and everything else as text, as a person types them in Excel.
    """
    write_dataset(folder, indicators, values)
    for name in ("indicators", "values"):
        (folder / f"{name}.csv").unlink()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    tables = {"indicators": (INDICATOR_COLUMNS, indicators), "values": (VALUE_COLUMNS, values)}
    if targets is not None:
        tables["targets"] = (TARGET_COLUMNS, targets)
    for name, (columns, rows) in tables.items():
        ws = wb.create_sheet((sheet_names or {}).get(name, name))
        ws.append(columns)
        for row in rows:
            ws.append([_typed(row.get(c, "")) for c in columns])
    book = folder / "council.xlsx"
    wb.save(book)
    return book


def _typed(value: object) -> object:
    if value == "" or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if re.fullmatch(r"-?\d+\.\d+", str(value)) else value
    except ValueError:
        return value


def edit_book(book: Path, sheet: str, ref: str, value: object, number_format: str | None = None) -> None:
    wb = openpyxl.load_workbook(book)
    wb[sheet][ref] = value
    if number_format:
        wb[sheet][ref].number_format = number_format
    wb.save(book)


def test_a_percentage_cell_in_a_percent_measure_is_converted_exactly_and_said(tmp_path: Path) -> None:
    """0.389 shown as 38.9% is 38.9 percent, never 0.4% in the report nor 38.900000000000006."""
    book = write_workbook(
        tmp_path / "d",
        [indicator(id="A1"), indicator(id="B1", unit="percent_change")],
        monthly("A1", "2019-04", [91.0, 92.0]) + monthly("B1", "2019-04", [-3.0]),
    )
    edit_book(book, "values", "C3", 0.389, "0.0%")
    edit_book(book, "values", "C4", -0.125, "0%")
    ds = load_dataset(book.parent)
    assert ds.values["value"].tolist() == [91.0, 38.9, -12.5]
    assert [str(w) for w in ds.warnings] == [
        "council.xlsx (sheet values), row 3, column 'value': is formatted as a percentage (shown as 38.9%, stored as "
        "0.389): read as 38.9, since indicator A1's unit is percent. Check that 38.9 is right; to avoid this warning, "
        "format the cell as Number and type 38.9",
        "council.xlsx (sheet values), row 4, column 'value': is formatted as a percentage (shown as -12.5%, stored as "
        "-0.125): read as -12.5, since indicator B1's unit is percent_change. Check that -12.5 is right; to avoid "
        "this warning, format the cell as Number and type -12.5",
    ]


def test_percentage_targets_and_thresholds_are_converted_and_a_tolerance_is_left_a_fraction(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "d",
        [indicator(id="A1")],
        monthly("A1", "2019-04", [91.0]),
        targets=[{"indicator": "A1", "period": "2019-04", "target": 95, "amber_threshold": ""}],
    )
    edit_book(book, "indicators", "M2", 0.9, "0%")  # target
    edit_book(book, "indicators", "N2", 0.05, "0%")  # tolerance: a fraction already
    edit_book(book, "targets", "C2", 0.925, "0.0%")  # target for 2019-04
    edit_book(book, "targets", "D2", 0.85, "0%")  # amber_threshold for 2019-04
    ds = load_dataset(book.parent)
    assert ds.indicators.loc[0, ["target", "tolerance"]].tolist() == [90.0, 0.05]
    assert ds.targets.loc[0, ["target", "amber_threshold"]].tolist() == [92.5, 85.0]
    assert [(w.file, w.row, w.column) for w in ds.warnings] == [
        ("council.xlsx (sheet indicators)", 2, "target"),
        ("council.xlsx (sheet targets)", 2, "amber_threshold"),
        ("council.xlsx (sheet targets)", 2, "target"),
    ]


def test_a_percentage_cell_for_a_measure_in_another_unit_is_refused(tmp_path: Path) -> None:
    book = write_workbook(
        tmp_path / "d", [indicator(id="N1", unit="number", target=400)], monthly("N1", "2019-04", [120.0])
    )
    edit_book(book, "values", "C2", 0.3, "0%")
    assert one_problem(book.parent) == (
        "council.xlsx (sheet values), row 2, column 'value': is formatted as a percentage (shown as 30%, stored as "
        "0.3), but indicator N1's unit is number, not percent (found '0.3'). Format the cell as Number and type the "
        "figure in the indicator's unit, or set its unit to percent"
    )


def test_a_percent_sign_in_quotes_is_only_a_sign(tmp_path: Path) -> None:
    """The custom format 0.0"%" shows 38.9 as 38.9% without scaling it: the figure is already in percent."""
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    edit_book(book, "values", "C2", 38.9, '0.0"%"')
    ds = load_dataset(book.parent)
    assert ds.values["value"].tolist() == [38.9] and ds.warnings == ()


def store_cached_result(book: Path, ref: str, result: str) -> None:
    """Give a formula cell the result Excel would have stored on saving (openpyxl writes none)."""
    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # the values sheet
                text = data.decode()
                text, n = re.subn(
                    rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v></v>)?', rf"\1<v>{result}</v>", text
                )
                assert n == 1, text[:500]
                data = text.encode()
            dst.writestr(item, data)
    tmp.replace(book)


def test_a_formula_without_a_stored_result_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0, 93.0]))
    edit_book(book, "values", "C3", "=C2+1")
    edit_book(book, "values", "C4", "=C2+2")
    store_cached_result(book, "C4", "93")  # saved by Excel: its result is read
    assert one_problem(book.parent) == (
        "council.xlsx (sheet values), row 3, column 'value': is a formula with no saved result, so its figure cannot "
        "be read (found '=C2+1'). Open the workbook in Excel and save it (Excel stores each formula's result), or "
        "type the figure instead of the formula"
    )
    edit_book(book, "values", "C3", 92)  # openpyxl drops stored results on saving: store C4's again
    store_cached_result(book, "C4", "93")
    assert load_dataset(book.parent).values["value"].tolist() == [91.0, 92.0, 93.0]


@pytest.mark.parametrize("name", ["Values", " values ", "VALUES"])
def test_sheet_names_match_ignoring_case_and_spaces(tmp_path: Path, name: str) -> None:
    book = write_workbook(
        tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, "x"]), sheet_names={"values": name}
    )
    assert one_problem(book.parent).startswith(f"council.xlsx (sheet {name}), row 3, column 'value'")
    edit_book(book, name, "C3", 92)
    assert load_dataset(book.parent).values["value"].tolist() == [91.0, 92.0]


def test_a_missing_sheet_lists_the_sheets_there_are(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], [], sheet_names={"values": "figures"})
    assert one_problem(book.parent) == (
        "council.xlsx (sheet values): sheet is missing. Add a sheet named 'values' (see docs/data-contract.md); "
        "the workbook's sheets are: indicators, figures"
    )


def test_blank_sheet_rows_are_ignored_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    """A stray space far below the data once gave a blank-field error and a duplicate for every row above it."""
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0, 93.0]))
    wb = openpyxl.load_workbook(book)
    ws = wb["values"]
    ws.insert_rows(3)  # an empty row between the figures
    ws["A6"], ws["B6"] = " ", "  "
    ws["C3000"] = " "
    ws["C4"] = "lots"
    wb.save(book)
    assert one_problem(book.parent).startswith(
        "council.xlsx (sheet values), row 4, column 'value': 'value' is not a plain number (found 'lots')"
    )
    edit_book(book, "values", "C4", 92)
    ds = load_dataset(book.parent)
    assert ds.values["source_row"].tolist() == [2, 4, 5]


# --- item 18: blank CSV rows, grouped messages ----------------------------------------------------------


def test_blank_csv_rows_are_ignored_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0]))
    lines = (folder / "values.csv").read_text(encoding="utf-8").splitlines()
    lines[2:2] = [",,,,", "", "  ,  , ,,"]  # rows 3, 4 and 5 are blank
    lines.append("A1,2019-06,lots,,")  # row 7
    lines += [",,,,"] * 500 + [" ,,,,"]
    (folder / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert one_problem(folder).startswith("values.csv, row 7, column 'value': 'value' is not a plain number")
    (folder / "values.csv").write_text("\n".join(lines).replace("lots", "93") + "\n", encoding="utf-8")
    assert load_dataset(folder).values["source_row"].tolist() == [2, 6, 7]


def test_repeated_messages_are_grouped_and_the_summary_is_capped() -> None:
    same = [
        Problem("values.csv", row, "value", "'value' is not a plain number", "n/a", "Use a plain number")
        for row in range(3, 1203)
    ]
    others = [Problem("values.csv", row, "period", f"problem {row}") for row in range(1300, 1500)]
    err = DataError([*same, *others])
    lines = err.summary().splitlines()
    assert lines[0] == "1,400 problems found in the input data:"
    assert lines[1] == (
        "  - values.csv, rows 3, 4, 5 and 1,197 more, column 'value': 'value' is not a plain number "
        "(found 'n/a'). Use a plain number"
    )
    assert len(lines) == 1 + 50 + 1
    assert lines[2] == "  - values.csv, row 1300, column 'period': problem 1300"
    assert lines[-1] == "  - ... and 151 more problems"  # 200 others, 49 of them shown
    assert len(err.problems) == 1400  # code that reads the problems still gets every one


def test_a_few_repeats_are_all_named_and_different_values_are_shown() -> None:
    group = [
        Problem("v.csv", r, "value", "is not a plain number", v, "Fix it") for r, v in ((4, "a"), (2, "b"), (3, "a"))
    ]
    assert DataError(group).summary().splitlines()[1] == (
        "  - v.csv, rows 2, 3 and 4, column 'value': is not a plain number (found 'b', 'a'). Fix it"
    )


def test_a_thousand_bad_figures_print_as_one_line(tmp_path: Path) -> None:
    ids = [f"A{i}" for i in range(10)]
    folder = dataset(
        tmp_path,
        [indicator(id=i, first_reported="2010-01") for i in ids],
        [row for i in ids for row in monthly(i, "2010-01", ["n/a"] * 100)],
    )
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    assert len(err.value.problems) == 1000
    assert err.value.summary().splitlines()[1:] == [
        "  - values.csv, rows 2, 3, 4 and 997 more, column 'value': 'value' is not a plain number (found 'n/a'). "
        "It is not a figure: leave the cell blank if there is no figure yet"
    ]


# --- item 17 (and 13): warnings -------------------------------------------------------------------------


def test_a_polarity_without_a_target_is_a_warning(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path,
        [indicator(id="A1", target=""), indicator(id="B1", target=""), indicator(id="C1", target="", polarity="none")],
        monthly("A1", "2019-04", [91.0]),
        targets=[{"indicator": "B1", "period": "2019-04", "target": "90"}],
    )
    ds = load_dataset(folder)
    assert [str(w) for w in ds.warnings] == [
        "indicators.csv, row 2, column 'target': indicator A1 has polarity higher but no target here or in "
        "targets.csv, so it will be shown as Data only. Give it a target, or set its polarity to none if it is only "
        "monitored"
    ]


def test_a_zero_target_with_a_relative_tolerance_is_a_warning(tmp_path: Path) -> None:
    """Item 13: tolerance x 0 is an amber band of zero width; an amber_threshold is what gives one."""
    folder = dataset(
        tmp_path,
        [
            indicator(id="A1", unit="number", polarity="lower", target=0),
            indicator(id="B1", unit="number", polarity="lower", target=0, amber_threshold=5),
            indicator(id="C1", unit="number", polarity="lower", target=0, tolerance=0),
            indicator(id="D1", unit="number", polarity="lower", target=3),
        ],
        monthly("A1", "2019-04", [1.0]),
        targets=[
            {"indicator": "D1", "period": "2019-05", "target": "0"},
            {"indicator": "B1", "period": "2019-05", "target": "0", "amber_threshold": "2"},
        ],
    )
    ds = load_dataset(folder)
    assert [str(w) for w in ds.warnings] == [
        "indicators.csv, row 2, column 'target': indicator A1 has a target of 0 and no amber_threshold, so its amber "
        "band (0.05 x the target) has zero width: any figure worse than 0 is red. Give an amber_threshold (the figure "
        "up to which it is amber) if figures near 0 should be amber",
        "targets.csv, row 2, column 'target': indicator D1 has a target of 0 and no amber_threshold, so its amber "
        "band (0.05 x the target) has zero width: any figure worse than 0 is red. Give an amber_threshold (the figure "
        "up to which it is amber) if figures near 0 should be amber",
    ]


def test_the_example_has_no_warnings() -> None:
    assert load_dataset(EXAMPLE).warnings == ()


def test_a_dataset_made_without_warnings_has_none() -> None:
    """Code that builds a Dataset itself (benchmarks, tests) need not know about warnings."""
    ds = load_dataset(EXAMPLE)
    made = Dataset(ds.organisation, ds.plan, ds.indicators, ds.targets, ds.values, ds.commentary, ds.sources)
    assert made.warnings == ()


def test_validate_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path, [indicator(id="A1", target=""), indicator(id="B1", target="")], monthly("A1", "2019-04", [91.0])
    )
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert re.search(r"OK .*: 2 indicators .*, 0 directorate plans, with 2 warnings:\n", result.output)
    assert "  - indicators.csv, row 2, column 'target': indicator A1 has polarity higher but no target" in result.output
    assert "  - indicators.csv, row 3, column 'target': indicator B1 has polarity higher but no target" in result.output


def tiny_notebook(path: Path) -> Path:
    """A notebook with a parameters cell and nothing else: enough for run_report to start a run."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('data = "data/example"\nperiod = "2019-07"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_report_says_the_warnings_before_the_build(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", target="")], monthly("A1", "2019-04", [91.0]))
    params = tmp_path / "2019-05.yaml"
    params.write_text('data: d\nperiod: "2019-05"\n', encoding="utf-8")
    said: list[str] = []
    # an undeclared notebook parameter stops the run just after the data is checked, before any kernel starts
    with pytest.raises(DataError, match="has no parameter 'directorate'"):
        run_report(
            params,
            notebook=tiny_notebook(tmp_path / "nb.ipynb"),
            out_root=tmp_path / "reports",
            progress=said.append,
            extra={"directorate": "x"},
        )
    assert said[0] == f"Checking data in {folder.resolve().as_posix()}"
    assert said[1].startswith(
        "1 warning about the data (the report is built anyway):\n"
        "  - indicators.csv, row 2, column 'target': indicator A1 has polarity higher but no target"
    )


# --- item 19: the month a quarterly or annual figure is in ----------------------------------------------


def test_a_quarterly_figure_must_be_in_the_quarters_last_month(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path,
        [indicator(id="Q1", frequency="quarterly")],
        [{"indicator": "Q1", "period": p, "value": "90"} for p in ("2019-06", "2019-08", "2020-03")],
    )
    assert one_problem(folder) == (
        "values.csv, row 3, column 'period': indicator Q1 is quarterly, but 2019-08 is in Q2 2019/20, which ends "
        "2019-09 (found '2019-08'). Put the quarter's figure in its last month, 2019-09: quarterly figures go in "
        "the quarter's last month"
    )


def test_quarters_follow_the_organisations_financial_year(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path,
        [indicator(id="Q1", frequency="quarterly")],
        [{"indicator": "Q1", "period": p, "value": "90"} for p in ("2019-03", "2019-04", "2019-06")],
        organisation={"name": "Calendar Year Council", "financial_year_start_month": 1},
    )
    assert "indicator Q1 is quarterly, but 2019-04 is in Q2 2019, which ends 2019-06" in one_problem(folder)


def test_an_annual_measure_has_one_figure_a_financial_year(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path,
        [indicator(id="Y1", frequency="annual")],
        [{"indicator": "Y1", "period": p, "value": "90"} for p in ("2019-03", "2019-06", "2020-03")],
    )
    assert one_problem(folder) == (
        "values.csv, row 4, column 'period': indicator Y1 is annual, but has 2 figures in 2019/20: rows 3 (2019-06) "
        "and 4 (2020-03) (found '2020-03'). Keep one figure per financial year (in the same month each year), or "
        "change the indicator's frequency"
    )


# --- item 20: messages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "01/06/2024",
        "1/6/2024",
        "Jun-24",
        "June 2024",
        "2024/06",
        "01-Jun-24",
        "6/2024",
        "2024-6",
        "Jun 2024",
        "6/30/2024",
    ],
)
def test_a_period_typed_as_a_spreadsheet_writes_it_gets_the_exact_month(tmp_path: Path, typed: str) -> None:
    folder = dataset(
        tmp_path, [indicator(id="A1", first_reported="2018-04")], [{"indicator": "A1", "period": typed, "value": "90"}]
    )
    assert one_problem(folder) == (
        f"values.csv, row 2, column 'period': 'period' is not a month in the form YYYY-MM "
        f"(found '{typed}'). Write it as 2024-06"
    )


def test_a_financial_year_is_not_taken_for_a_month() -> None:
    assert suggest_period("2019/20") is None  # not "2019-20"
    assert _period_hint("2019/20").startswith("It looks like a financial year, not a month")
    assert _period_hint("2019/06") == "Write it as 2019-06"


def test_polarity_none_with_only_an_amber_threshold_says_so(tmp_path: Path) -> None:
    folder = dataset(tmp_path, [indicator(id="A1", polarity="none", target="", amber_threshold=85)], [])
    assert one_problem(folder) == (
        "indicators.csv, row 2, column 'amber_threshold': indicator A1: has an amber threshold but polarity is none, "
        "so it cannot be judged against it (found '85'). Set polarity to higher or lower and give a target, or leave "
        "amber_threshold blank"
    )


def test_a_parameters_files_data_path_is_relative_to_its_project_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "example").mkdir(parents=True)  # a decoy where the current folder would look
    assert resolve_data_dir("data/example", ROOT / "parameters" / "2019-07.yaml") == ROOT / "data" / "example"


def test_outside_a_project_the_data_path_is_relative_to_the_parameters_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "council" / "mydata")
    params = tmp_path / "council" / "params" / "2019-07.yaml"
    params.parent.mkdir()
    monkeypatch.chdir(ROOT)
    with pytest.raises(DataError) as err:
        resolve_data_dir("mydata", params)
    assert str(err.value.problems[0]) == (
        f"2019-07.yaml, key 'data': data folder not found (found 'mydata'). Looked in: {params.parent / 'mydata'}. "
        "Give the folder holding organisation.yaml, plan.yaml and the CSV files (or the workbook); a data path in a "
        "parameters file is relative to the project folder that holds the file (outside a project, to the file's "
        "own folder)"
    )
    assert resolve_data_dir("../mydata", params) == tmp_path / "council" / "params" / ".." / "mydata"


def test_a_command_line_data_path_is_relative_to_the_current_folder_then_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT / "notebooks")  # where JupyterLab runs the notebooks: data/example still works
    assert resolve_data_dir("data/example") == ROOT / "data" / "example"
    with pytest.raises(DataError) as err:
        load_dataset("data/nowhere")
    assert str(err.value.problems[0]) == (
        f"data/nowhere: data folder not found. Looked in: {ROOT / 'notebooks' / 'data' / 'nowhere'}; "
        f"{ROOT / 'data' / 'nowhere'}. Give the folder holding organisation.yaml, plan.yaml and the CSV files (or the "
        "workbook)"
    )
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "example").mkdir(parents=True)
    assert resolve_data_dir("data/example") == tmp_path / "data" / "example"  # the current folder first


def test_the_areas_command_reads_the_data_path_from_the_parameters_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset(tmp_path, [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0]))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "2019-05.yaml").write_text('data: ../d\nperiod: "2019-05"\n', encoding="utf-8")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["areas", "--params", str(tmp_path / "p" / "2019-05.yaml")])
    assert result.exit_code == 0, result.output
    assert "Candidate areas for 2019-05" in result.output


# --- text that a spreadsheet or our own export quoted ----------------------------------------------------


def test_a_leading_apostrophe_before_a_formula_character_is_removed(tmp_path: Path) -> None:
    texts = [
        "'=SUM(A1:A3) is how it is worked out",
        "'+5% on last year",
        "'-2 since June",
        "'@team",
        "'quoted",
        "''=twice",
        "plain",
    ]
    folder = dataset(
        tmp_path,
        [indicator(id="A1")],
        monthly("A1", "2019-04", [91.0] * len(texts)),
        commentary=[
            {"indicator": "A1", "period": row["period"], "commentary": t}
            for row, t in zip(monthly("A1", "2019-04", [0] * len(texts)), texts)
        ],
    )
    assert load_dataset(folder).commentary["commentary"].tolist() == [
        "=SUM(A1:A3) is how it is worked out",
        "+5% on last year",
        "-2 since June",
        "@team",
        "'quoted",
        "''=twice",
        "plain",
    ]
