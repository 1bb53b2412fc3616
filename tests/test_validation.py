"""Bad input gives a clear message naming file, row and column, and every problem at once."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import indicator, monthly, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs.contract import TABLES
from goldenthread.inputs.load import load_dataset
from goldenthread.run.cli import app


def problems(folder: Path) -> list[str]:
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    return [str(p) for p in err.value.problems]


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set a cell; ``row`` is the spreadsheet row (header = 1)."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_example_data_is_valid() -> None:
    ds = load_dataset("data/example")
    assert len(ds.indicators) == 41
    assert (ds.indicators["classification"] == "public").sum() == 38


def test_misspelt_polarity_names_file_row_column_value_and_hint(example_copy: Path) -> None:
    edit_csv(example_copy / "indicators.csv", 5, "polarity", "hgher")
    msgs = problems(example_copy)
    assert msgs == [
        "indicators.csv, row 5, column 'polarity': 'polarity' is not an allowed value (found 'hgher'). "
        "Did you mean 'higher'? Use one of: higher, lower, none"
    ]


def test_every_problem_is_reported_not_just_the_first(example_copy: Path) -> None:
    edit_csv(example_copy / "indicators.csv", 3, "kind", "project")
    edit_csv(example_copy / "values.csv", 10, "period", "July 2019")
    edit_csv(example_copy / "values.csv", 12, "value", "n/a")
    edit_csv(example_copy / "commentary.csv", 2, "highlight", "great")
    msgs = problems(example_copy)
    assert any(m.startswith("indicators.csv, row 3, column 'kind'") and "project" in m for m in msgs)
    assert any(m.startswith("values.csv, row 10, column 'period'") and "YYYY-MM" in m for m in msgs)
    assert any(
        m.startswith("values.csv, row 12, column 'value'") and "'n/a'" in m and "plain number" in m for m in msgs
    )
    assert any(
        m.startswith("commentary.csv, row 2, column 'highlight'") and "success, concern, exclude" in m for m in msgs
    )


def test_unknown_outcome_and_priority_from_another_outcome(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", outcome="O9"), indicator(id="A2", outcome="O1", priority="O2.1")],
        monthly("A1", "2019-04", [91.0]),
    )
    msgs = problems(folder)
    assert (
        "indicators.csv, row 2, column 'outcome': indicator A1: outcome is not in plan.yaml (found 'O9'). "
        "Use one of: O1, O2" in msgs
    )
    assert any("row 3, column 'priority'" in m and "belongs to outcome O2, not O1" in m for m in msgs)


def test_duplicate_indicator_names_both_rows(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1"), indicator(id="B1"), indicator(id="A1")], [])
    msgs = problems(folder)
    assert msgs == [
        "indicators.csv, row 4, column 'id': id=A1 appears more than once (rows 2, 4). "
        "Keep one row and delete the others"
    ]


def test_value_for_unknown_indicator_and_duplicate_period(tmp_path: Path) -> None:
    values = monthly("A1", "2019-04", [91.0, 92.0]) + monthly("ZZ9", "2019-04", [1.0]) + monthly("A1", "2019-05", [93])
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], values)
    msgs = problems(folder)
    assert any(
        m.startswith("values.csv, row 4, column 'indicator': indicator is not in indicators.csv (found 'ZZ9')")
        for m in msgs
    )
    assert any("indicator=A1, period=2019-05 appears more than once (rows 3, 5)" in m for m in msgs)


def test_target_on_polarity_none_is_refused(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1", polarity="none", target=5)],
        [],
        targets=[{"indicator": "A1", "period": "2019-04", "target": "3", "amber_threshold": ""}],
    )
    msgs = problems(folder)
    assert any("indicators.csv, row 2, column 'target'" in m and "polarity is none" in m for m in msgs)
    assert any(m.startswith("targets.csv, row 2, column 'target'") and "cannot have a target" in m for m in msgs)


def test_missing_and_misspelt_columns(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    df = pd.read_csv(folder / "values.csv", dtype=str).rename(columns={"period": "perod"})
    df.to_csv(folder / "values.csv", index=False)
    msgs = problems(folder)
    assert "values.csv, column 'period': required column is missing. Rename column 'perod' to 'period'" in msgs


def test_missing_file_and_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], [])
    (folder / "values.csv").unlink()
    (folder / "plan.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    msgs = problems(folder)
    assert any(m.startswith("values.csv: file is missing") for m in msgs)
    assert any(m.startswith("plan.yaml: must be a mapping") for m in msgs)


def test_unknown_key_in_organisation_yaml(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d", [indicator(id="A1")], [], organisation={"name": "X", "finacial_year_start_month": 4}
    )
    msgs = problems(folder)
    assert [
        "organisation.yaml, key 'finacial_year_start_month': unknown key (found '4'). "
        "Did you mean 'financial_year_start_month'?"
    ] == msgs


def test_milestone_rules(tmp_path: Path) -> None:
    rows = [indicator(id="M1", kind="milestone", unit="", polarity="", target="")]
    values = [
        {"indicator": "M1", "period": "2019-04", "value": "5", "milestone_status": "on_track", "note": ""},
        {"indicator": "M1", "period": "2019-05", "value": "", "milestone_status": "ontrack", "note": ""},
    ]
    msgs = problems(write_dataset(tmp_path / "d", rows, values))
    assert any("values.csv, row 2, column 'value': indicator M1 is a milestone but has a value" in m for m in msgs)
    assert any("values.csv, row 3, column 'milestone_status'" in m and "on_track" in m for m in msgs)


def test_override_needs_a_reason(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1")],
        monthly("A1", "2019-04", [91.0]),
        commentary=[{"indicator": "A1", "period": "2019-04", "status_override": "red"}],
    )
    assert problems(folder) == [
        "commentary.csv, row 2, column 'override_reason': indicator A1: a status override "
        "needs a reason. Say why the computed status was overridden; the reason is shown in "
        "the report"
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    path = folder / "indicators.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert list(load_dataset(folder).indicators["id"]) == ["A1"]


def test_excel_workbook_is_read_like_the_csv_files(tmp_path: Path, example_copy: Path) -> None:
    book = example_copy / "example.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for table in TABLES:  # every table the example has, the optional benchmarks and rebases too
            if (example_copy / table.file).is_file():
                pd.read_csv(example_copy / table.file, dtype=str, keep_default_na=False).to_excel(
                    xl, sheet_name=table.name, index=False
                )
                (example_copy / table.file).unlink()
    ds = load_dataset(example_copy)
    csv_ds = load_dataset("data/example")
    for name in ("values", "benchmarks", "rebases"):
        pd.testing.assert_frame_equal(
            getattr(ds, name).drop(columns="source_row"), getattr(csv_ds, name).drop(columns="source_row")
        )
    # and errors name the workbook and sheet
    with pd.ExcelWriter(book, engine="openpyxl", mode="a", if_sheet_exists="replace") as xl:
        df = pd.read_excel(book, sheet_name="values", dtype=str, keep_default_na=False)
        df.loc[0, "value"] = "lots"
        df.to_excel(xl, sheet_name="values", index=False)
    assert any(m.startswith("example.xlsx (sheet values), row 2, column 'value'") for m in problems(example_copy))


def test_cli_validate_exit_codes(example_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(example_copy)])
    assert ok.exit_code == 0, ok.output
    edit_csv(example_copy / "values.csv", 2, "period", "2019-13")
    bad = runner.invoke(app, ["validate", str(example_copy)])
    assert bad.exit_code == 2
    assert "values.csv, row 2, column 'period'" in bad.output
