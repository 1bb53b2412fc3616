"""The owners' return workbook (issue 15, sections 1 and 2): written, filled in as an owner would, read back.

Every test works on real .xlsx files written by goldenthread and changed with openpyxl the way a person
in Excel would change them: a figure typed, a row moved or deleted, text in a number cell. A return that
cannot be taken as it is must be refused with the row and what to do, never misread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, examples, indicator, monthly, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs.load import Dataset, load_dataset
from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.returns import IssuedReturn, due_indicators, read_return, write_returns
from goldenthread.returns.workbook import (
    ACTIONS,
    COMMENTARY,
    FIGURE,
    FIRST_ROW,
    HEADER_ROW,
    HIDDEN,
    NOT_A_RETURN,
    REASON,
    SHEET,
    STATE,
    slug,
)

JULY = parse_period("2019-07")
NOW = dt.datetime(2019, 8, 1, 9, 30, tzinfo=dt.UTC)
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","click")'


def _state_rows(ind: str, start: str, states: list[str]) -> list[dict[str, object]]:
    rows = monthly(ind, start, [None] * len(states))
    for row, state in zip(rows, states):
        row["milestone_status"] = state
    return rows


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """Two owners: a percentage, a milestone and a quarterly measure for one; a number with a formula-looking
    title and a restricted indicator for the other; an annual survey for a third."""
    indicators = [
        indicator(id="A1", title="Adults helped at home", owner="Head of Service", directorate="Adults"),
        indicator(
            id="M1",
            title="New care home opened",
            owner="Head of Service",
            directorate="Adults",
            kind="milestone",
            unit="",
            polarity="",
            target="",
        ),
        indicator(id="Q1", owner="Head of Service", directorate="Adults", frequency="quarterly"),
        indicator(
            id="N1",
            title=FORMULA_TITLE,
            owner="Other Owner",
            directorate="Place",
            unit="number",
            decimals="0",
            target="",
            polarity="none",
        ),
        indicator(
            id="R1", title="Restricted one", owner="Other Owner", directorate="Adults", classification="restricted"
        ),
        indicator(id="Y1", title="Annual survey", owner="Survey Lead", directorate="Place", frequency="annual"),
    ]
    values = [
        *monthly("A1", "2018-06", [80 + i for i in range(13)]),
        *_state_rows("M1", "2019-04", ["not_started", "on_track", "on_track"]),
        *monthly("N1", "2019-05", [-4, 12]),
        *monthly("R1", "2019-06", [50]),
        *monthly("Y1", "2018-07", [61.5]),
    ]
    commentary = [
        {"indicator": "A1", "period": "2019-06", "commentary": "June was steady.", "classification": "public"}
    ]
    folder = write_dataset(tmp_path_factory.mktemp("data"), indicators, values, commentary=commentary)
    return load_dataset(folder)


def _issued(dataset: Dataset, out: Path, **kw: object) -> dict[str, IssuedReturn]:
    return {r.recipient: r for r in write_returns(dataset, JULY, out, now=NOW, **kw)}  # type: ignore[arg-type]


def _row_of(path: Path, ind: str) -> int:
    ws = openpyxl.load_workbook(path)[SHEET]
    return next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == ind)


class TypedText(str):
    """Text typed into a cell formatted as text: Excel stores it as text even when it starts with '='."""


def _fill(
    path: Path, cells: dict[tuple[int, int], object], number_formats: dict[tuple[int, int], str] | None = None
) -> None:
    """Type into cells as an owner would, and save."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for (r, c), value in cells.items():
        ws.cell(r, c).value = str(value) if isinstance(value, TypedText) else value
        if isinstance(value, TypedText):
            ws.cell(r, c).data_type = "s"
    for (r, c), fmt in (number_formats or {}).items():
        ws.cell(r, c).number_format = fmt
    wb.save(path)


def _problems(path: Path, dataset: Dataset) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_return(path, dataset)
    return [str(p) for p in caught.value.problems]


# --- writing ------------------------------------------------------------------------------------------


def test_one_return_per_owner_with_their_due_indicators(dataset: Dataset, tmp_path: Path) -> None:
    issued = _issued(dataset, tmp_path / "out", due=dt.date(2019, 8, 15))
    # July: Q1 (quarterly) is not due, nor Y1 (annual, last reported in July 2018: due in July) - Y1 is due.
    assert {k: v.indicators for k, v in issued.items()} == {
        "Head of Service": ("A1", "M1"),
        "Other Owner": ("N1", "R1"),
        "Survey Lead": ("Y1",),
    }
    ret = issued["Head of Service"]
    assert ret.path.name == "2019-07-head-of-service.xlsx" and ret.period == "2019-07"
    wb = openpyxl.load_workbook(ret.path)
    assert wb.sheetnames == [SHEET, "Instructions", HIDDEN]
    assert wb[HIDDEN].sheet_state == "veryHidden"
    ws = wb[SHEET]
    title_block = [ws.cell(r, 1).value for r in range(1, 5)]
    assert title_block == [
        "Test Borough Council",
        "Performance return for July 2019",
        "For: Head of Service",
        "Please return by 15 August 2019",
    ]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[:5] == ["Indicator", "Title", "Unit", "Polarity", "Target for Jul 2019"]
    assert header[5] == "Jun 2018" and header[17] == "Jun 2019"
    assert header[FIGURE - 1 :] == ["Figure", "Milestone state", "Commentary", "Actions", "Reason for change"]
    a1 = [c.value for c in ws[FIRST_ROW]]
    assert a1[:5] == ["A1", "Adults helped at home", "per cent", "Higher is better", 90]
    assert a1[5:18] == list(range(80, 93))  # the 13 months before July, June 2018 to June 2019
    assert a1[19] == "June 2019: June was steady."
    m1 = [c.value for c in ws[FIRST_ROW + 1]]
    assert m1[2] == "milestone" and m1[15:18] == ["not started", "on track", "on track"]
    # Only the cells to fill are unlocked, and the sheet is protected.
    assert ws.protection.sheet
    assert ws.cell(FIRST_ROW, 2).protection.locked
    assert not ws.cell(FIRST_ROW, FIGURE).protection.locked
    assert ws.cell(FIRST_ROW, STATE).protection.locked  # a measure has no state
    assert not ws.cell(FIRST_ROW + 1, STATE).protection.locked
    assert ws.cell(FIRST_ROW + 1, FIGURE).protection.locked  # a milestone has no figure
    assert all(not ws.cell(FIRST_ROW, c).protection.locked for c in (COMMENTARY, ACTIONS, REASON))
    assert ws.freeze_panes == f"C{FIRST_ROW}"
    instructions = " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "15 August 2019" in instructions and "Do not change the grey cells" in instructions


def test_data_validation_guards_figures_and_states(dataset: Dataset, tmp_path: Path) -> None:
    ret = _issued(dataset, tmp_path / "out")["Head of Service"]
    ws = openpyxl.load_workbook(ret.path)[SHEET]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    figure = rules[ws.cell(FIRST_ROW, FIGURE).coordinate]
    assert (figure.type, figure.operator, figure.formula1) == ("decimal", "between", "0")  # a percentage
    assert figure.showErrorMessage and "number" in figure.error and figure.prompt
    state = rules[ws.cell(FIRST_ROW + 1, STATE).coordinate]
    assert state.type == "list"
    assert state.formula1 == '"complete,on track,at risk,off track,not started"'
    assert all(len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255 for dv in rules.values())  # Excel's limits


def test_text_from_data_is_never_a_formula(dataset: Dataset, tmp_path: Path) -> None:
    ret = _issued(dataset, tmp_path / "out")["Other Owner"]
    ws = openpyxl.load_workbook(ret.path)[SHEET]
    cell = ws.cell(_row_of(ret.path, "N1"), 2)
    assert cell.value == FORMULA_TITLE and cell.data_type == "s"
    assert read_return(ret.path, dataset).rows.empty  # and the file still reads back


def test_restricted_indicator_only_in_its_owners_return(dataset: Dataset, tmp_path: Path) -> None:
    by_owner = _issued(dataset, tmp_path / "owners")
    assert [k for k, v in by_owner.items() if "R1" in v.indicators] == ["Other Owner"]
    by_directorate = _issued(dataset, tmp_path / "directorates", by="directorate")
    assert {k: v.indicators for k, v in by_directorate.items()} == {"Adults": ("A1", "M1", "R1"), "Place": ("N1", "Y1")}
    for ret in [*by_owner.values(), *by_directorate.values()]:
        ws = openpyxl.load_workbook(ret.path)[SHEET]
        ids = [ws.cell(r, 1).value for r in range(FIRST_ROW, ws.max_row + 1)]
        assert ids == list(ret.indicators)


def test_file_names_are_safe_readable_and_unique(tmp_path: Path, dataset: Dataset) -> None:
    assert slug("Head of Children's Services") == "head-of-children-s-services"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("Directrice générale") == "directrice-generale"
    assert slug("..") == slug("") == "recipient"
    ind = dataset.indicators.copy()
    ind.loc[ind["id"] == "A1", "owner"] = "Head of Service!"
    ind.loc[ind["id"] == "Y1", "owner"] = "../Head/of\\Service"
    out = tmp_path / "out"
    names = sorted(r.path.name for r in write_returns(dataclasses.replace(dataset, indicators=ind), JULY, out))
    assert names == [
        "2019-07-head-of-service-2.xlsx",
        "2019-07-head-of-service-3.xlsx",
        "2019-07-head-of-service.xlsx",
        "2019-07-other-owner.xlsx",
    ]
    assert sorted(p.name for p in out.iterdir()) == names  # nothing written anywhere else


def test_same_inputs_same_bytes(dataset: Dataset, tmp_path: Path) -> None:
    first = _issued(dataset, tmp_path / "a")
    second = _issued(dataset, tmp_path / "b")
    for who, ret in first.items():
        assert ret.path.read_bytes() == second[who].path.read_bytes()
        assert ret.checksum == second[who].checksum
    props = openpyxl.load_workbook(first["Head of Service"].path).properties
    assert props.created == props.modified == NOW.replace(tzinfo=None)


# --- reading back ---------------------------------------------------------------------------------------


def test_round_trip(dataset: Dataset, tmp_path: Path) -> None:
    ret = _issued(dataset, tmp_path / "out")["Head of Service"]
    a1, m1 = _row_of(ret.path, "A1"), _row_of(ret.path, "M1")
    _fill(
        ret.path,
        {
            (a1, FIGURE): 93.4,
            (a1, COMMENTARY): TypedText("=better than June"),  # the cell is formatted as text: Excel keeps it so
            (a1, ACTIONS): "Keep going.",
            (m1, STATE): "On track",
        },
    )
    back = read_return(ret.path, dataset)
    assert back.sha256 == hashlib.sha256(ret.path.read_bytes()).hexdigest()
    assert (back.period, back.recipient, back.checksum) == ("2019-07", "Head of Service", ret.checksum)
    rows = back.rows.to_dict("records")
    assert rows == [
        {
            "indicator": "A1",
            "period": "2019-07",
            "value": 93.4,
            "milestone_status": None,
            "commentary": "=better than June",
            "actions": "Keep going.",
            "reason": None,
            "source_row": a1,
        },
        {
            "indicator": "M1",
            "period": "2019-07",
            "value": rows[1]["value"],
            "milestone_status": "on_track",
            "commentary": None,
            "actions": None,
            "reason": None,
            "source_row": m1,
        },
    ]
    assert math.isnan(rows[1]["value"])
    assert list(back.rows.columns) == [
        "indicator",
        "period",
        "value",
        "milestone_status",
        "commentary",
        "actions",
        "reason",
        "source_row",
    ]


def test_blank_rows_dropped_commentary_only_kept(dataset: Dataset, tmp_path: Path) -> None:
    ret = _issued(dataset, tmp_path / "out")["Head of Service"]
    _fill(ret.path, {(_row_of(ret.path, "M1"), COMMENTARY): "  Contractor appointed.  "})
    rows = read_return(ret.path, dataset).rows
    assert rows["indicator"].tolist() == ["M1"] and rows["commentary"].tolist() == ["Contractor appointed."]
    assert rows["milestone_status"].tolist() == [None]


def test_numbers_written_as_people_write_them(dataset: Dataset, tmp_path: Path) -> None:
    """'1,234', '12%' for a percentage, and a cell Excel formatted as a percentage after '85.5%' was typed."""
    ret = _issued(dataset, tmp_path / "out")
    other, mine = ret["Other Owner"].path, ret["Head of Service"].path
    _fill(other, {(_row_of(other, "N1"), FIGURE): "-1,234.5", (_row_of(other, "R1"), FIGURE): "12%"})
    assert read_return(other, dataset).rows["value"].tolist() == [-1234.5, 12.0]
    a1 = _row_of(mine, "A1")
    _fill(mine, {(a1, FIGURE): 0.855}, {(a1, FIGURE): "0.0%"})
    assert read_return(mine, dataset).rows["value"].tolist() == [85.5]


def test_text_in_a_number_cell_is_refused_with_what_to_do(dataset: Dataset, tmp_path: Path) -> None:
    ret = _issued(dataset, tmp_path / "out")
    path = ret["Other Owner"].path
    n1, r1 = _row_of(path, "N1"), _row_of(path, "R1")
    _fill(path, {(n1, FIGURE): "12%", (r1, FIGURE): "n/a", (r1, COMMENTARY): "fine"})
    problems = _problems(path, dataset)
    name = f"{path.name}, sheet Return"
    assert problems == [
        f"{name}, row {n1}, column 'Figure': has a % sign, but N1's unit is number (found '12%'). "
        "Type the figure in the indicator's unit, as a plain number",
        f"{name}, row {r1}, column 'Figure': is not a number (found 'n/a'). Type a number, like 85.5, with no words; "
        "leave it blank if there is no figure yet and say why in Commentary",
    ]


def test_figure_out_of_range_and_formula_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Other Owner"].path
    n1, r1 = _row_of(path, "N1"), _row_of(path, "R1")
    _fill(path, {(n1, FIGURE): "=B7*2", (r1, FIGURE): -3})
    problems = _problems(path, dataset)
    assert len(problems) == 2
    assert f"row {n1}, column 'Figure': holds a formula" in problems[0] and "'=B7*2'" in problems[0]
    assert f"row {r1}, column 'Figure': is below R1's lowest figure, 0 (found '-3')" in problems[1]


def test_milestone_state_misspelt_and_wrong_kind_of_cell(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    a1, m1 = _row_of(path, "A1"), _row_of(path, "M1")
    _fill(path, {(m1, STATE): "on trak", (m1, FIGURE): 5, (a1, STATE): "complete"})
    problems = _problems(path, dataset)
    assert any(
        f"row {m1}, column 'Milestone state': is not a milestone state (found 'on trak'). Choose one of: complete, "
        "on track, at risk, off track, not started" in p
        for p in problems
    )
    assert any(f"row {m1}, column 'Figure': M1 is a milestone, which has a state, not a figure" in p for p in problems)
    assert any(
        f"row {a1}, column 'Milestone state': A1 is a measure, which has a figure, not a milestone state" in p
        for p in problems
    )
    assert len(problems) == 3


def _swap_rows(path: Path, a: int, b: int) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for c in range(1, ws.max_column + 1):
        ws.cell(a, c).value, ws.cell(b, c).value = ws.cell(b, c).value, ws.cell(a, c).value
    wb.save(path)


def test_moved_rows_refused_naming_them(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    _fill(path, {(FIRST_ROW, FIGURE): 91})  # A1's figure, which after the swap sits on M1's row
    _swap_rows(path, FIRST_ROW, FIRST_ROW + 1)
    problems = _problems(path, dataset)
    assert problems == [
        f"{path.name}, sheet Return, row 7, column 'Indicator': row 7 was moved: it holds M1 but the return made it "
        "row 8 (found 'M1'). Put the rows back in their order, or ask the performance team for a new return",
        f"{path.name}, sheet Return, row 8, column 'Indicator': row 8 was moved: it holds A1 but the return made it "
        "row 7 (found 'A1'). Put the rows back in their order, or ask the performance team for a new return",
    ]


def test_deleted_row_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    wb = openpyxl.load_workbook(path)
    wb[SHEET].delete_rows(FIRST_ROW)
    wb.save(path)
    problems = _problems(path, dataset)
    assert any(
        "row 7, column 'Indicator': the row for A1 was deleted (the return made it row 7)" in p for p in problems
    )
    assert any("row 7 was moved: it holds M1 but the return made it row 8" in p for p in problems)


def test_added_row_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    _fill(path, {(FIRST_ROW + 2, 1): "X9", (FIRST_ROW + 2, FIGURE): 4, (FIRST_ROW + 4, COMMENTARY): "A stray note"})
    problems = _problems(path, dataset)
    assert problems == [
        f"{path.name}, sheet Return, row 9, column 'Indicator': row 9 was added: the return made no row 9 "
        "(found 'X9'). Delete it; to report an indicator that is not in the return, ask the performance team",
        f"{path.name}, sheet Return, row 11, column 'Indicator': row 11 was added: the return made no row 11. "
        "Delete it; to report an indicator that is not in the return, ask the performance team",
    ]


def test_indicator_id_overwritten_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    _fill(path, {(FIRST_ROW, 1): "Z9"})
    problems = _problems(path, dataset)
    assert problems == [
        f"{path.name}, sheet Return, row 7, column 'Indicator': row 7 was changed: it is A1's row, but its indicator "
        "is Z9 (found 'Z9'). Put A1 back in column 'Indicator', or ask the performance team for a new return"
    ]


def test_copied_row_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for c in range(1, ws.max_column + 1):
        ws.cell(FIRST_ROW + 2, c).value = ws.cell(FIRST_ROW, c).value
    wb.save(path)
    assert any("row 9 repeats A1, whose row is 7" in p for p in _problems(path, dataset))


def test_changed_reference_cell_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    _fill(path, {(FIRST_ROW, 5): 50})  # the target, with the sheet's protection removed
    problems = _problems(path, dataset)
    assert len(problems) == 1 and "row 7: the locked reference cells of this row" in problems[0]


def test_changed_header_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    wb = openpyxl.load_workbook(path)
    wb[SHEET].insert_cols(3)
    wb.save(path)
    problems = _problems(path, dataset)
    assert problems[0].startswith(f"{path.name}, sheet Return, row 6, column 'Unit': column C was changed")


def test_tampered_identity_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    wb = openpyxl.load_workbook(path)
    hidden = wb[HIDDEN]
    row = next(r for r in range(1, hidden.max_row + 1) if hidden.cell(r, 1).value == "recipient")
    hidden.cell(row, 2).value = "Someone Else"
    wb.save(path)
    assert _problems(path, dataset) == [
        f"{path.name}: the return's hidden identity does not match its checksum, so it cannot be trusted. "
        "Ask the performance team for a new return"
    ]


def test_return_from_a_newer_goldenthread_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    wb = openpyxl.load_workbook(path)
    wb[HIDDEN]["B2"] = "2"  # the format version
    wb.save(path)
    (problem,) = _problems(path, dataset)
    assert "was made by a newer goldenthread (return format 2; this one reads up to 1)" in problem


def test_file_for_another_council_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    other = dataclasses.replace(
        dataset, organisation=dataset.organisation.model_copy(update={"name": "Another Council"})
    )
    problems = _problems(path, other)
    assert problems == [
        f"{path.name}: is a return for Test Borough Council, not Another Council (found 'Test Borough Council'). "
        "Collect it into that council's data, or check that the right file was sent"
    ]


def test_indicator_unknown_to_the_data_refused(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    fewer = dataclasses.replace(dataset, indicators=dataset.indicators[dataset.indicators["id"] != "M1"])
    problems = _problems(path, fewer)
    assert problems == [
        f"{path.name}, sheet Return, row 8, column 'Indicator': indicator M1 is not in Test Borough Council's "
        "indicators (found 'M1'). Check that it was not renamed or removed since the return was made; "
        "ask the performance team for a new return"
    ]


def test_files_that_are_not_returns(dataset: Dataset, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "indicator"
    wb.save(plain)
    text = tmp_path / "notes.xlsx"
    text.write_text("indicator,value\nA1,90\n", encoding="utf-8")
    for path in (plain, text):
        assert _problems(path, dataset) == [f"{path.name}: {NOT_A_RETURN}"]


def test_example_council_round_trip(tmp_path: Path) -> None:
    example = load_dataset(EXAMPLE)
    issued = write_returns(example, JULY, tmp_path, now=NOW)
    assert sum(len(r.indicators) for r in issued) == len(due_indicators(example, JULY))
    for ret in issued:
        assert read_return(ret.path, example).rows.empty


# --- due this period --------------------------------------------------------------------------------------


def _due(dataset: Dataset, month: str, start: int = 4) -> list[str]:
    org = dataset.organisation.model_copy(update={"financial_year_start_month": start})
    return due_indicators(dataclasses.replace(dataset, organisation=org), parse_period(month))["id"].tolist()


def test_quarterly_due_at_each_financial_quarter_end(dataset: Dataset) -> None:
    ends = {"2019-06", "2019-09", "2019-12", "2020-03"}
    months = [format_period(parse_period("2019-04") + i) for i in range(12)]
    for start in (4, 1):  # April and January years share their quarter ends
        assert {m for m in months if "Q1" in _due(dataset, m, start)} == ends
    assert {m for m in months if "Q1" in _due(dataset, m, 2)} == {"2019-04", "2019-07", "2019-10", "2020-01"}


def test_annual_due_a_year_after_its_last_figure_else_at_year_end(dataset: Dataset) -> None:
    months = [format_period(parse_period("2019-04") + i) for i in range(24)]
    assert [m for m in months if "Y1" in _due(dataset, m)] == ["2019-07", "2020-07"]
    no_figures = dataclasses.replace(dataset, values=dataset.values[dataset.values["indicator"] != "Y1"])
    assert [m for m in months if "Y1" in _due(no_figures, m)] == ["2020-03", "2021-03"]
    assert [m for m in months if "Y1" in _due(no_figures, m, 1)] == ["2019-12", "2020-12"]


def test_nothing_due_before_first_reported(dataset: Dataset) -> None:
    assert "A1" not in _due(dataset, "2018-03") and "A1" in _due(dataset, "2018-04")


@settings(max_examples=examples(50), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(1, 12),
    month=st.integers(parse_period("2015-01"), parse_period("2030-12")),
    frequency=st.sampled_from(["monthly", "quarterly", "annual"]),
    last=st.one_of(st.none(), st.integers(1, 60)),
)
def test_due_frequency_rule(dataset: Dataset, start: int, month: int, frequency: str, last: int | None) -> None:
    """Against the rule written out another way: the calendar months that close a quarter of a year starting in
    ``start``; for annual, the calendar month of the last figure, else the month before the year starts."""
    ind = dataset.indicators[dataset.indicators["id"] == "A1"].assign(frequency=frequency, first_reported=pd.NA)
    values = pd.DataFrame(
        {
            "indicator": ["A1"] * (last is not None),
            "period": pd.array([month - last] if last is not None else [], dtype="Int64"),
            "value": [1.0] * (last is not None),
            "milestone_status": [None] * (last is not None),
        }
    )
    org = dataset.organisation.model_copy(update={"financial_year_start_month": start})
    ds = dataclasses.replace(dataset, organisation=org, indicators=ind.reset_index(drop=True), values=values)
    calendar_month = month % 12 + 1
    if frequency == "monthly":
        expected = True
    elif frequency == "quarterly":
        expected = calendar_month in {(start - 1 + 3 * k - 1) % 12 + 1 for k in (1, 2, 3, 4)}
    elif last is not None:
        expected = calendar_month == (month - last) % 12 + 1
    else:
        expected = calendar_month == (start - 2) % 12 + 1
    assert (due_indicators(ds, month)["id"].tolist() == ["A1"]) is expected


@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=st.floats(min_value=-9.99e14, max_value=9.99e14, allow_nan=False, allow_infinity=False))
def test_figures_read_back_exactly(dataset: Dataset, tmp_path: Path, x: float) -> None:
    """Any figure Excel can hold (15 significant digits) typed into a number cell reads back as the same float."""
    x = float(f"{x:.15g}")
    path = tmp_path / "out" / "2019-07-other-owner.xlsx"
    if not path.exists():  # written once; each example fills a copy
        _issued(dataset, tmp_path / "out")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        copy.write_bytes(path.read_bytes())
        _fill(copy, {(FIRST_ROW, FIGURE): x})
        back = read_return(copy, dataset)
    assert back.rows["value"].tolist() == [x]


def test_problem_names_file_sheet_row_and_column(dataset: Dataset, tmp_path: Path) -> None:
    path = _issued(dataset, tmp_path / "out")["Head of Service"].path
    _fill(path, {(FIRST_ROW, FIGURE): "about 90"})
    with pytest.raises(DataError) as caught:
        read_return(path, dataset)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        f"{path.name}, sheet Return",
        FIRST_ROW,
        "Figure",
        "about 90",
    )
    assert re.match(r"\d{4}-\d{2}-[a-z0-9-]+\.xlsx$", path.name)
