"""Data in, as years in Excel leave it (issue 11, items 2, 8 and 10 and the weak answers on data in).

What a council's files really hold is accepted when its meaning is certain (spaces around a value,
a semicolon- or tab-separated file, a macro workbook, invisible characters pasted from another
system, which are removed with a warning) and refused with the fix when it is not (see
``test_bad_inputs.py`` for those messages, one case each). Here: what is accepted and how it is
read, the warnings, the number ranges of the whole contract, and the YAML scan on its own.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT, indicator, monthly, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs.config import Organisation, ReportParameters
from goldenthread.inputs.contract import TABLES
from goldenthread.inputs.load import load_dataset, read_yaml
from goldenthread.inputs.validate import check_cells
from goldenthread.run.cli import app
from test_data_in import write_workbook

HEADER = "indicator,period,value,milestone_status,note"


def values_file(folder: Path, text: str) -> Path:
    """A small data folder (indicator A1 and a milestone M1) whose values.csv is ``text``, as typed."""
    write_dataset(
        folder, [indicator(id="A1"), indicator(id="M1", kind="milestone", unit="", polarity="", target="")], []
    )
    (folder / "values.csv").write_text(text, encoding="utf-8", newline="")
    return folder


def read_values(folder: Path) -> list[tuple]:
    ds = load_dataset(folder)
    v = ds.values
    return list(zip(v["indicator"], v["period"], v["value"].fillna(-1), v["milestone_status"], v["note"]))


COMMA_FILE = f'{HEADER}\nA1,2019-04,91.5,,Provisional\nA1,2019-05,92,,"Revised, twice"\nM1,2019-05,,on_track,\n'


# --- item 2: values are used without spaces around them, so keys are compared that way --------------


def test_spaces_around_values_are_read_as_the_report_uses_them(tmp_path: Path) -> None:
    """A trailing space (or a non-breaking one) no longer makes a period, a figure or an allowed value wrong,
    and an id with one is the same id."""
    spaced = (
        f'{HEADER}\nA1 ,2019-04 ,91.5\u00a0,,Provisional\nA1,\u00a02019-05,92 ,,"Revised, twice"\n'
        "M1\u00a0,2019-05,,on_track ,\n"
    )
    assert read_values(values_file(tmp_path / "spaced", spaced)) == read_values(
        values_file(tmp_path / "plain", COMMA_FILE)
    )


def test_a_key_typed_with_a_space_is_refused_by_validate_not_by_the_report(example_copy: Path) -> None:
    """It passed `validate` and the report then failed with pandas' InvalidIndexError."""
    with (example_copy / "values.csv").open("a", encoding="utf-8") as f:
        f.write("ASC-01 ,2019-07,95.0,,\n")
    rows = [
        (r["indicator"], r["period"])
        for r in csv.DictReader((example_copy / "values.csv").read_text(encoding="utf-8").splitlines())
    ]
    july, added = rows.index(("ASC-01", "2019-07")) + 2, len(rows) + 1  # the header is row 1
    result = CliRunner().invoke(app, ["validate", str(example_copy)])
    assert result.exit_code == 2
    assert (
        f"values.csv, row {added}, column 'period': indicator=ASC-01, period=2019-07 appears more than once "
        f"(rows {july}, {added}; typed as 'ASC-01 ')"
    ) in result.output
    assert "Traceback" not in result.output


# --- weak answers: separators, control characters ---------------------------------------------------


@pytest.mark.parametrize("sep", [";", "\t"], ids=["semicolons", "tabs"])
def test_a_file_separated_by_semicolons_or_tabs_is_read_like_a_comma_one(tmp_path: Path, sep: str) -> None:
    text = (
        HEADER.replace(",", sep) + f"\nA1{sep}2019-04{sep}91.5{sep}{sep}Provisional\n"
        f"A1{sep}2019-05{sep}92{sep}{sep}Revised, twice\nM1{sep}2019-05{sep}{sep}on_track{sep}\n"
    )
    assert read_values(values_file(tmp_path / "other", text)) == read_values(
        values_file(tmp_path / "comma", COMMA_FILE)
    )


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["windows", "old-mac"])
def test_excels_sep_line_and_other_line_endings_are_read(tmp_path: Path, line_end: str) -> None:
    """Excel writes (and reads) a first line ``sep=;`` naming the separator, and shows no row for it."""
    text = ("sep=;\n" + COMMA_FILE.replace(",", ";").replace("; twice", ", twice")).replace("\n", line_end)
    folder = values_file(tmp_path / "sep", text.replace("91.5", "lots"))
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    assert [str(p).split(":")[0] for p in err.value.problems] == ["values.csv, row 2, column 'value'"]
    (folder / "values.csv").write_text(text, encoding="utf-8", newline="")
    assert read_values(folder) == read_values(values_file(tmp_path / "comma", COMMA_FILE))


def test_columns_in_another_order_and_a_trailing_empty_column_are_read(tmp_path: Path) -> None:
    text = 'note,value,period,indicator,\nProvisional,91.5,2019-04,A1,\n"Revised, twice",92,2019-05,A1,\n'
    ds = load_dataset(values_file(tmp_path / "d", text))
    assert ds.values[["indicator", "value", "note"]].values.tolist() == [
        ["A1", 91.5, "Provisional"],
        ["A1", 92.0, "Revised, twice"],
    ]
    assert ds.warnings == ()


def test_control_characters_are_removed_from_every_cell_with_a_warning(tmp_path: Path) -> None:
    """U+202E makes '%05 revo' display as 'over 50%'; NUL, ESC and BEL passed through; a zero-width space or
    a byte-order mark in the middle of a file made an id that looks right unknown."""
    text = (
        f'{HEADER}\n\ufeffA1,2019-04,91.5,,"\u202e%05 revo"\nA1\u200b,2019-05,92,,"a\x00b\x1bc\x07"\n'
        'M1,2019-05,,on_track,"Line one\nline\ttwo"\n'
    )
    ds = load_dataset(values_file(tmp_path / "d", text))
    assert ds.values["indicator"].tolist() == ["A1", "A1", "M1"]
    assert ds.values["note"].tolist() == ["%05 revo", "abc", "Line one\nline\ttwo"]  # newline and tab kept
    assert [str(w) for w in ds.warnings] == [
        "values.csv, row 2, column 'indicator': held invisible control characters, which were removed: U+FEFF "
        "(byte-order mark) (found '\\ufeffA1'). Check the cell: such characters come from copying out of another "
        "system, or make text display differently from how it reads (U+202E shows '%05 revo' as 'over 50%')",
        "values.csv, row 2, column 'note': held invisible control characters, which were removed: U+202E "
        "(right-to-left override) (found '\\u202e%05 revo'). Check the cell: such characters come from copying out "
        "of another system, or make text display differently from how it reads (U+202E shows '%05 revo' as "
        "'over 50%')",
        "values.csv, row 3, column 'indicator': held invisible control characters, which were removed: U+200B "
        "(zero width space) (found 'A1\\u200b'). Check the cell: such characters come from copying out of another "
        "system, or make text display differently from how it reads (U+202E shows '%05 revo' as 'over 50%')",
        "values.csv, row 3, column 'note': held invisible control characters, which were removed: U+0000 (null), "
        "U+001B (escape), U+0007 (bell) (found 'a\\x00b\\x1bc\\x07'). Check the cell: such characters come from "
        "copying out of another system, or make text display differently from how it reads (U+202E shows "
        "'%05 revo' as 'over 50%')",
    ]


def test_a_control_character_in_a_column_name_is_removed_with_a_warning(tmp_path: Path) -> None:
    """A column name pasted with a zero-width space would otherwise be an unknown column beside a missing one."""
    folder = values_file(tmp_path / "d", COMMA_FILE.replace("period", "period\u200b", 1))
    ds = load_dataset(folder)
    assert len(ds.values) == 3
    assert [(w.file, w.row, w.column, w.value) for w in ds.warnings] == [("values.csv", 1, None, "period\u200b")]


def test_validate_prints_the_control_character_warning_and_exits_0(tmp_path: Path) -> None:
    folder = values_file(tmp_path / "d", f'{HEADER}\nA1,2019-04,91.5,,"\u202e%05 revo"\n')
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "with 1 warning:" in result.output
    assert "values.csv, row 2, column 'note': held invisible control characters, which were removed: U+202E" in (
        result.output
    )
    assert "\u202e" not in result.output  # quoted escaped, so the warning itself displays as it reads


def _must_go(c: str) -> bool:
    """What must be removed, said independently of the implementation: controls other than tab, newline and
    carriage return; the explicit bidirectional formatting characters and marks; invisible separators of ids."""
    if unicodedata.category(c) == "Cc":
        return c not in "\t\n\r"
    return (
        unicodedata.bidirectional(c) in {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
        or c in "\u200e\u200f\u061c\u200b\u2060\ufeff"
    )


def test_exactly_the_control_characters_are_removed() -> None:
    from goldenthread.inputs.contract import remove_control_characters

    wrong = [f"U+{i:04X}" for i in range(0x10000) if (remove_control_characters(chr(i)) == "") != _must_go(chr(i))]
    assert wrong == []


@given(st.text())
def test_removing_control_characters_keeps_everything_else_in_order(text: str) -> None:
    from goldenthread.inputs.contract import remove_control_characters

    assert remove_control_characters(text) == "".join(c for c in text if not _must_go(c))


# --- Excel: .xlsm, hidden parts, control characters in cells ------------------------------------------


def test_a_macro_workbook_is_read_like_an_xlsx(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0]))
    book.rename(book.with_suffix(".xlsm"))
    ds = load_dataset(tmp_path / "d")
    assert ds.values["value"].tolist() == [91.0, 92.0]
    assert [p.name for p in ds.sources if p.suffix.startswith(".xls")] == ["council.xlsm"]


def test_hidden_sheets_rows_and_columns_are_read_with_a_warning(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0, 93.0]))
    wb = openpyxl.load_workbook(book)
    wb["indicators"].sheet_state = "hidden"
    wb["values"].row_dimensions[3].hidden = True
    wb["values"].column_dimensions["E"].hidden = True  # note
    wb.save(book)
    ds = load_dataset(book.parent)
    assert ds.values["value"].tolist() == [91.0, 92.0, 93.0]
    assert [str(w) for w in ds.warnings] == [
        "council.xlsx (sheet indicators): sheet is hidden in Excel, but is read like any other. Unhide it "
        "(right-click a sheet tab, then Unhide) to check what the report is built from, or delete it if it should "
        "not be reported",
        "council.xlsx (sheet values), column 'note': column E is hidden in Excel, but is read. Unhide it to check "
        "what the report is built from, or delete it if it should not be reported",
        "council.xlsx (sheet values), row 3: is hidden in Excel (or filtered out), but is read like any other row. "
        "Clear any filter and unhide the rows to check what the report is built from, or delete them if they "
        "should not be reported",
    ]


def test_control_characters_in_workbook_cells_are_removed_with_a_warning(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    wb = openpyxl.load_workbook(book)
    wb["values"]["A2"] = "A1\u200b"
    wb["values"]["E2"] = "Revised \u202e%05 revo"
    wb.save(book)
    ds = load_dataset(book.parent)
    assert ds.values[["indicator", "note"]].values.tolist() == [["A1", "Revised %05 revo"]]
    assert [(w.file, w.row, w.column) for w in ds.warnings] == [
        ("council.xlsx (sheet values)", 2, "indicator"),
        ("council.xlsx (sheet values)", 2, "note"),
    ]


def test_a_number_stored_as_text_is_read_as_the_number(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0, 92.0]))
    wb = openpyxl.load_workbook(book)
    wb["values"]["C2"] = " 91.5 "  # Excel's green triangle: "Number stored as text"
    wb.save(book)
    assert load_dataset(book.parent).values["value"].tolist() == [91.5, 92.0]


# --- item 10: every number of the contract has a range -------------------------------------------------

NUMBER_COLUMNS = [(t, c) for t in TABLES for c in t.columns if c.type in ("number", "integer")]


def _cell_problems(table, column, text: str) -> list[str]:  # noqa: ANN001 - contract types
    row = {c.name: "" for c in table.columns}
    row[column.name] = text
    return [
        p.message for p in check_cells(table, pd.DataFrame([row], dtype=object), table.file) if p.column == column.name
    ]


@pytest.mark.parametrize(("table", "column"), NUMBER_COLUMNS, ids=[f"{t.name}.{c.name}" for t, c in NUMBER_COLUMNS])
def test_every_number_column_refuses_a_figure_out_of_range(table, column) -> None:  # noqa: ANN001
    biggest = column.maximum if column.maximum is not None else 999999999999999
    smallest = column.minimum if column.minimum is not None else -999999999999999
    assert _cell_problems(table, column, f"{biggest:g}" if column.maximum is not None else "999999999999999") == []
    assert _cell_problems(table, column, f"{smallest:g}" if column.minimum is not None else "-999999999999999") == []
    for out_of_range in ("1e15", "-1e15", "1e300", "inf", "nan"):
        assert _cell_problems(table, column, out_of_range), out_of_range


def test_decimals_and_tolerance_have_the_documented_ranges() -> None:
    indicators = next(t for t in TABLES if t.name == "indicators")
    decimals, tolerance = indicators.column("decimals"), indicators.column("tolerance")
    assert [bool(_cell_problems(indicators, decimals, d)) for d in ("0", "6", "7", "-1", "2.0")] == [
        False,
        False,
        True,
        True,
        False,
    ]
    assert [bool(_cell_problems(indicators, tolerance, t)) for t in ("0", "0.05", "1", "1.01", "-0.01")] == [
        False,
        False,
        False,
        True,
        True,
    ]


ORGANISATION_NUMBERS = [
    ("status_scheme", "tolerance", (0, 0.05, 1), (1.01, -0.1, float("inf"), float("nan"), True)),
    ("status_scheme", "exceeding_margin", (0, 0.1, 1), (2, -1, float("inf"), True)),
    ("status_scheme", "no_change_band", (0, 0.01, 1), (1.5, -0.01, float("nan"), False)),
    ("report_defaults", "news_window_months", (1, 24), (0, 25, True)),
    (None, "financial_year_start_month", (1, 12), (0, 13, True)),
]


def _organisation(tmp_path: Path, section: str | None, key: str, value: object) -> list[str]:
    body: dict[str, object] = {"name": "Test Borough Council"}
    body.update({key: value} if section is None else {section: {key: value}})
    path = tmp_path / "organisation.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    problems: list = []
    read_yaml(path, Organisation, problems)
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("section", "key", "good", "bad"), ORGANISATION_NUMBERS, ids=[k for _, k, _, _ in ORGANISATION_NUMBERS]
)
def test_every_number_in_organisation_yaml_has_a_range(tmp_path: Path, section, key, good, bad) -> None:  # noqa: ANN001
    where = key if section is None else f"{section}.{key}"
    for value in good:
        assert _organisation(tmp_path, section, key, value) == [], value
    for value in bad:
        [found] = _organisation(tmp_path, section, key, value)
        assert found.startswith(f"organisation.yaml, key '{where}': "), (value, found)


@pytest.mark.parametrize(
    ("key", "good", "bad"),
    [
        ("max_successes", (0, 9, 50), (51, -1, 99999999999, True)),
        ("max_concerns", (0, 5, 50), (51, -1, True)),
        ("news_window_months", (1, 24), (0, 25)),
    ],
)
def test_every_number_in_a_parameters_file_has_a_range(tmp_path: Path, key: str, good: tuple, bad: tuple) -> None:
    path = tmp_path / "2019-07.yaml"
    for value, ok in [(v, True) for v in good] + [(v, False) for v in bad]:
        path.write_text(yaml.safe_dump({"period": "2019-07", key: value}), encoding="utf-8")
        problems: list = []
        read_yaml(path, ReportParameters, problems)
        assert (problems == []) is ok, (value, [str(p) for p in problems])


def test_the_data_contract_documents_each_range() -> None:
    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    for table in TABLES:
        for column in table.columns:
            if column.maximum is not None:
                row = next(line for line in page.splitlines() if line.startswith(f"| `{column.name}` | No |"))
                assert f"{column.minimum:g} to {column.maximum:g}" in row, row
    for key in ("tolerance", "exceeding_margin", "no_change_band"):
        assert re.search(rf"\| `{key}` \| number, 0 to 1 \|", page), key
    for key in ("max_successes", "max_concerns"):
        assert f"| `{key}` | whole number, 0 to 50 |" in page, key
    assert "smaller than 10^15" in page


# --- item 8 and repeated keys: the YAML scan on its own -----------------------------------------------


def _scan(text: str) -> list[str]:
    from goldenthread.inputs.load import yaml_structure_problems

    return [str(p) for p in yaml_structure_problems(text, "f.yaml")]


def test_the_same_key_in_sibling_mappings_is_no_repeat() -> None:
    text = (ROOT / "data" / "example" / "plan.yaml").read_text(encoding="utf-8")
    assert _scan(text) == []
    assert _scan("a: {id: 1, title: x}\nb: [{id: 1}, {id: 2}]\nc: {id: 3}\n") == []


def test_a_repeated_key_is_named_by_its_full_path_and_both_lines() -> None:
    assert _scan("outcomes:\n  - id: O1\n    priorities:\n      - id: P1\n        title: a\n        title: b\n") == [
        "f.yaml, row 6, key 'outcomes.0.priorities.0.title': is given twice in the same mapping (first on line 5). "
        "Keep one: otherwise the last would be used and the first silently ignored"
    ]
    assert _scan("x: {a: 1, a: 2}\n") == [
        "f.yaml, row 1, key 'x.a': is given twice in the same mapping (first on line 1). Keep one: otherwise the "
        "last would be used and the first silently ignored"
    ]


def test_twenty_levels_are_read_and_twenty_one_are_too_deep() -> None:
    from goldenthread.inputs.load import TooDeep

    assert _scan("[" * 20 + "]" * 20) == []
    with pytest.raises(TooDeep) as err:
        _scan("x: " + "[" * 20 + "]" * 20)
    assert str(err.value.problem) == (
        "f.yaml, row 1, key 'x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0': is nested too deeply: more than 20 lists and "
        "mappings inside each other. Check the brackets and indentation on that line: no file of the contract "
        "needs more than 6 levels"
    )


def test_an_escaped_control_character_is_found_in_keys_values_and_list_items() -> None:
    found = _scan('a: "x\\x1by"\nb: ["ok", "\\u2066z"]\n"c\\u202e": 1\n')
    assert [f.split(": contains")[0] for f in found] == [
        "f.yaml, row 1, key 'a'",
        "f.yaml, row 2, key 'b.1'",
        "f.yaml, row 3, key 'c\u202e'",
    ]


@pytest.mark.parametrize("name", ["organisation.yaml", "plan.yaml"])
def test_a_data_folders_yaml_nested_thousands_deep_is_a_data_error(tmp_path: Path, name: str) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    (folder / name).write_text("vision: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    assert [p.message for p in err.value.problems if p.file == name] == [
        "is nested too deeply: more than 20 lists and mappings inside each other"
    ]
