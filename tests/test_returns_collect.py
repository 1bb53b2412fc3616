"""Owners' returns in: merging a return into the master CSV files, collecting real workbooks, status, CLI."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import examples
from goldenthread.audit.store import AuditStore
from goldenthread.errors import DataError
from goldenthread.inputs.load import Dataset, load_dataset
from goldenthread.inputs.periods import parse_period
from goldenthread.returns import collect
from goldenthread.returns import workbook as wbk
from goldenthread.returns.collect import JOURNAL, CollectResult, collect_returns, record_issued, recover
from goldenthread.returns.merge import format_number, merge_return
from goldenthread.returns.status import returns_status
from goldenthread.returns.workbook import slug, write_returns
from goldenthread.run.cli_returns import returns_app
from goldenthread.run.pipeline import COLLECT_JOURNAL, finish_interrupted_collect

# --- merge_return: pure, over the master rows ---------------------------------------------------------------


def _returned(*rows: dict[str, object], name: str = "Head of Highways 2019-10.xlsx") -> SimpleNamespace:
    """A stand-in for a read return: what merge_return uses (the path for messages, and the rows)."""
    full = [
        {
            "indicator": r["indicator"],
            "period": r.get("period", "2019-10"),
            "value": r.get("value", math.nan),
            "milestone_status": r.get("milestone_status"),
            "commentary": r.get("commentary"),
            "actions": r.get("actions"),
            "reason": r.get("reason"),
            "source_row": r.get("source_row", 5 + i),
        }
        for i, r in enumerate(rows)
    ]
    return SimpleNamespace(path=Path(name), rows=pd.DataFrame(full))


VALUES = [
    {"indicator": "A-01", "period": "2019-08", "value": "80.5", "milestone_status": "", "note": "kept"},
    {"indicator": "A-01", "period": "2019-09", "value": "84.10", "milestone_status": "", "note": ""},
    {"indicator": "M-01", "period": "2019-09", "value": "", "milestone_status": "on_track", "note": ""},
    {"indicator": "B-01", "period": "2019-09", "value": "3", "milestone_status": "", "note": ""},
]
COMMENTARY = [
    {"indicator": "A-01", "period": "2019-09", "commentary": "Old words", "actions": "", "highlight": "success"},
]


def test_new_rows_go_after_the_indicators_last_row_and_unchanged_rows_are_the_same_objects() -> None:
    m = merge_return(
        VALUES,
        COMMENTARY,
        _returned(
            {"indicator": "A-01", "value": 84.1, "commentary": "New words", "actions": "=HYPERLINK(x)"},
            {"indicator": "M-01", "milestone_status": "at_risk", "reason": "slipped"},
            {"indicator": "C-01", "value": 12.0},
        ),
    )
    assert [(r["indicator"], r["period"]) for r in m.values_rows] == [
        ("A-01", "2019-08"),
        ("A-01", "2019-09"),
        ("A-01", "2019-10"),
        ("M-01", "2019-09"),
        ("M-01", "2019-10"),
        ("B-01", "2019-09"),
        ("C-01", "2019-10"),
    ]
    assert m.values_rows[2] == {
        "indicator": "A-01",
        "period": "2019-10",
        "value": "84.1",
        "milestone_status": "",
        "note": "",
    }
    assert m.values_rows[-1]["value"] == "12"
    assert all(a is b for a, b in zip(VALUES[:2], m.values_rows[:2]))  # untouched rows are the caller's objects
    assert m.values_rows[5] is VALUES[3]
    # commentary: a new row for 2019-10 with the other columns blank; formula-like text made safe
    assert m.commentary_rows[0] is COMMENTARY[0]
    assert m.commentary_rows[1] == {
        "indicator": "A-01",
        "period": "2019-10",
        "commentary": "New words",
        "actions": "'=HYPERLINK(x)",
        "highlight": "",
    }
    assert list(m.changes.columns[:6]) == ["indicator", "period", "field", "old", "new", "reason"]
    assert set(zip(m.changes["indicator"], m.changes["field"])) == {
        ("A-01", "value"),
        ("A-01", "commentary"),
        ("A-01", "actions"),
        ("M-01", "milestone_status"),
        ("C-01", "value"),
    }
    assert m.changes.loc[m.changes["field"] == "actions", "new"].item() == "=HYPERLINK(x)"  # as the owner wrote


def test_changing_a_figure_already_there_needs_a_reason_and_names_the_row() -> None:
    ret = _returned(
        {"indicator": "A-01", "period": "2019-09", "value": 85.0, "source_row": 7},
        {"indicator": "M-01", "period": "2019-09", "milestone_status": "complete", "source_row": 8},
    )
    with pytest.raises(DataError) as e:
        merge_return(VALUES, COMMENTARY, ret)
    shown = e.value.summary()
    assert "Head of Highways 2019-10.xlsx, sheet Return, row 7, column 'Figure'" in shown
    assert "changes A-01 for 2019-09 from 84.10 to 85" in shown
    assert "row 8, column 'Milestone state'" in shown and "from on_track to complete" in shown
    assert "--reason" in shown
    m = merge_return(VALUES, COMMENTARY, ret, reason="Restated by the service")
    assert m.values_rows[1]["value"] == "85" and m.values_rows[1]["note"] == ""
    assert m.values_rows[2]["milestone_status"] == "complete"
    assert set(m.changes["reason"]) == {"Restated by the service"}
    assert m.changes.loc[m.changes["field"] == "value", "old"].item() == "84.10"
    assert VALUES[1]["value"] == "84.10"  # the caller's rows are not changed


def test_the_same_figure_written_another_way_and_commentary_rewrites_need_no_reason() -> None:
    m = merge_return(
        VALUES,
        COMMENTARY,
        _returned({"indicator": "A-01", "period": "2019-09", "value": 84.1, "commentary": "Better words"}),
    )
    assert list(m.changes["field"]) == ["commentary"]
    assert m.changes["old"].item() == "Old words" and m.changes["reason"].item() is None
    assert m.values_rows[1] is VALUES[1]
    assert m.commentary_rows[0]["highlight"] == "success"  # other commentary columns are kept


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (84.1, "84.1"),
        (12.0, "12"),
        (84.10000000000001, "84.1"),
        (1e-05, "0.00001"),
        (-0.0, "0"),
        (123456789012.5, "123456789012.5"),
    ],
)
def test_numbers_are_written_in_their_shortest_form(x: float, text: str) -> None:
    assert format_number(x) == text


@settings(max_examples=examples(50))
@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False))
def test_a_written_number_reads_back_as_the_figure_at_excels_precision(x: float) -> None:
    text = format_number(x)
    assert "e" not in text and not text.endswith(".0")
    assert float(text) == float(f"{x:.15g}")
    assert format_number(float(text)) == text


@settings(max_examples=examples(50))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A-01", "M-01", "B-01", "C-01"]),
            st.sampled_from(["2019-09", "2019-10"]),
            st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)),
            st.one_of(st.none(), st.text(min_size=1, max_size=20).filter(str.strip)),
        ),
        max_size=6,
        unique_by=lambda t: (t[0], t[1]),
    )
)
def test_merging_the_same_return_twice_gives_the_same_rows(rows: list[tuple]) -> None:
    ret = _returned(
        *(
            {"indicator": i, "period": p, "value": math.nan if v is None else v, "commentary": c, "reason": "why"}
            for i, p, v, c in rows
        )
    )
    once = merge_return(VALUES, COMMENTARY, ret)
    twice = merge_return(once.values_rows, once.commentary_rows, ret)
    assert twice.values_rows == once.values_rows and twice.commentary_rows == once.commentary_rows
    assert twice.changes.empty
    assert all(a is b for a, b in zip(once.values_rows, twice.values_rows))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "indicator,period,value,milestone_status,note\nA-01,2019-09,84.10,,\n",
            "indicator,period,value,milestone_status,note\nA-01,2019-09,84.10,,\nA-01,2019-10,90.5,,\n",
        ),
        (  # Excel's kind of file: a byte-order mark, CRLF, its own quoting, a note over two lines, a blank line,
            # no line ending at the end
            '\ufeffindicator,period,value,milestone_status,note\r\nA-01,2019-09, "84.10",,"two\r\nlines"\r\n\r\n'
            "B-01,2019-09,3,,",
            '\ufeffindicator,period,value,milestone_status,note\r\nA-01,2019-09, "84.10",,"two\r\nlines"\r\n'
            "A-01,2019-10,90.5,,\r\n\r\nB-01,2019-09,3,,",
        ),
        (  # semicolons, named on Excel's 'sep=' line
            "sep=;\nindicator;period;value;milestone_status;note\nA-01;2019-09;84,1;;\n",
            "sep=;\nindicator;period;value;milestone_status;note\nA-01;2019-09;84,1;;\nA-01;2019-10;90.5;;\n",
        ),
    ],
)
def test_the_master_file_keeps_every_byte_of_the_rows_a_merge_leaves_alone(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "values.csv"
    path.write_bytes(text.encode("utf-8"))
    master = collect.MasterCsv.read(path, ("indicator", "period", "value", "milestone_status", "note"))
    assert master.text(master.rows) == text
    merged = merge_return(master.rows, [], _returned({"indicator": "A-01", "value": 90.5}))
    assert master.text(merged.values_rows) == expected


# --- collecting real workbooks -------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
ISSUED_AT = datetime(2019, 11, 1, 9, 0, tzinfo=UTC)
DUE = date(2019, 11, 8)
ASC = "Director of Adult Social Care"  # ASC-03 (lower is better) and ASC-01, both monthly measures
FINANCE = "Director of Finance"  # FIN-01 (measure), FIN-02 and INT-02 (milestones, INT-02 restricted)


def _only(dataset: Dataset, *owners: str) -> Dataset:
    """The dataset with only these owners' indicators: their returns alone, quickly."""
    return dataclasses.replace(dataset, indicators=dataset.indicators[dataset.indicators["owner"].isin(owners)])


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example council with the adult social care and finance returns made for 2019-10 and, before
    them, the adult social care return for 2019-09, recorded as ``returns make`` records them. Tests copy the
    whole folder (data, workbooks and audit store)."""
    base = tmp_path_factory.mktemp("issued")
    shutil.copytree(EXAMPLE, base / "data")
    dataset = load_dataset(base / "data")
    with AuditStore.for_data(base / "data") as store:
        for month, ds in (("2019-09", _only(dataset, ASC)), ("2019-10", _only(dataset, ASC, FINANCE))):
            made = write_returns(ds, parse_period(month), base / "returns" / month, due=DUE, now=ISSUED_AT)
            record_issued(store, made, who="Performance Team", due=DUE, now=ISSUED_AT)
    write_returns(_only(dataset, ASC), parse_period("2019-11"), base / "never-issued", now=ISSUED_AT)
    return base


@pytest.fixture
def council(issued: Path, tmp_path: Path) -> Path:
    shutil.copytree(issued, tmp_path / "council")
    return tmp_path / "council"


def _file(council: Path, month: str, recipient: str) -> Path:
    return council / "returns" / month / f"{month}-{slug(recipient)}.xlsx"


def fill(path: Path, rows: dict[str, dict[str, object]], *, to: Path | None = None) -> Path:
    """Fill a return as its owner would in Excel: type into the shaded cells of each indicator's row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[wbk.SHEET]
    columns = {"value": wbk.FIGURE, "state": wbk.STATE, "commentary": wbk.COMMENTARY, "actions": wbk.ACTIONS}
    columns["reason"] = wbk.REASON
    at = {ws.cell(r, 1).value: r for r in range(wbk.FIRST_ROW, ws.max_row + 1)}
    for indicator, cells in rows.items():
        for key, value in cells.items():
            cell = ws.cell(at[indicator], columns[key])
            cell.value = value
            if isinstance(value, str) and key != "value":
                cell.data_type = "s"  # the shaded text cells are formatted as Text: '=...' typed there stays text
    target = to or path.with_name("returned-" + path.name)
    wb.save(target)
    return target


def _events(council: Path, action: str = "collect") -> pd.DataFrame:
    with AuditStore.for_data(council / "data") as store:
        return store.events(action=action)


def _collect(council: Path, *files: Path, **kw: object) -> list[CollectResult]:
    kw.setdefault("who", "Ann Analyst")
    return collect_returns(council / "data", list(files), **kw)  # type: ignore[arg-type]


def _masters(council: Path) -> dict[str, bytes]:
    return {n: (council / "data" / n).read_bytes() for n in ("values.csv", "commentary.csv")}


def _shown(result: CollectResult) -> str:
    return DataError(list(result.problems)).summary()


def test_a_collected_return_is_in_the_master_files_and_collecting_it_again_changes_nothing(council: Path) -> None:
    before = _masters(council)
    returned = fill(
        _file(council, "2019-10", ASC),
        {
            "ASC-03": {"value": 2.51, "commentary": '=HYPERLINK("http://x")', "actions": "Weekly calls"},
            "ASC-01": {"value": 95.20000000000001},
        },
    )
    [result] = _collect(council, returned)
    assert result.skipped_reason is None and not result.problems
    assert (result.recipient, result.period) == (ASC, "2019-10")
    assert set(zip(result.changes["indicator"], result.changes["field"], result.changes["new"])) == {
        ("ASC-03", "value", "2.51"),
        ("ASC-03", "commentary", '=HYPERLINK("http://x")'),
        ("ASC-03", "actions", "Weekly calls"),
        ("ASC-01", "value", "95.2"),
    }
    after = _masters(council)
    # every line of the old files is still there, byte for byte and in order; only the new rows are added
    for name in after:
        old_lines, new_lines = before[name].splitlines(keepends=True), after[name].splitlines(keepends=True)
        assert [line for line in new_lines if line in old_lines] == old_lines
        assert len(new_lines) - len(old_lines) == (2 if name == "values.csv" else 1)
    assert b"ASC-01,2019-10,95.2,," in after["values.csv"]
    assert b"'=HYPERLINK" in after["commentary.csv"]  # never a formula when the team opens the master file
    lines = after["values.csv"].decode().splitlines()
    asc03 = [i for i, line in enumerate(lines) if line.startswith("ASC-03,")]
    assert lines[asc03[-1]].startswith("ASC-03,2019-10,2.51") and asc03 == list(range(asc03[0], asc03[-1] + 1))
    ds = load_dataset(council / "data")
    v = ds.values.set_index(["indicator", "period"])
    assert v.loc[("ASC-03", parse_period("2019-10")), "value"] == 2.51
    c = ds.commentary.set_index(["indicator", "period"]).loc[("ASC-03", parse_period("2019-10"))]
    assert c["commentary"] == '=HYPERLINK("http://x")' and c["actions"] == "Weekly calls"
    events = _events(council)
    assert len(events) == 4 and set(events["who"]) == {"Ann Analyst"} and events["batch"].nunique() == 1
    assert set(events["source_sha256"]) == {hashlib.sha256(returned.read_bytes()).hexdigest()}
    assert set(events["source_file"]) == {str(returned)}  # outside the project: the path as given
    assert not (council / "data" / ".collect-journal.json").exists() and not list((council / "data").glob("*.new"))

    [again] = _collect(council, returned)
    assert again.changes.empty and again.skipped_reason == "already collected: nothing changed"
    assert _masters(council) == after and len(_events(council)) == 4


def test_last_periods_file_is_refused_and_a_changed_figure_needs_a_reason(council: Path) -> None:
    before = _masters(council)
    no_reason = fill(_file(council, "2019-09", ASC), {"ASC-03": {"value": 2.7}})
    [old] = _collect(council, no_reason)
    assert old.refused and f"is {ASC}'s return for 2019-09, but returns for 2019-10 have been issued" in _shown(old)
    assert "--period 2019-09" in _shown(old)

    [refused] = _collect(council, no_reason, period="2019-09")
    assert refused.refused and refused.changes.empty
    assert f"{no_reason.name}, sheet Return, row {wbk.FIRST_ROW}, column 'Figure'" in _shown(refused)
    assert "changes ASC-03 for 2019-09 from 2.64 to 2.7" in _shown(refused) and "--reason" in _shown(refused)
    assert _masters(council) == before and _events(council).empty

    with_reason = fill(_file(council, "2019-09", ASC), {"ASC-03": {"value": 2.7, "reason": "Late NHS data"}})
    other = fill(_file(council, "2019-09", ASC), {"ASC-01": {"value": 94.0}}, to=council / "asc-again.xlsx")
    done = _collect(council, with_reason, other, period="2019-09", reason="Restated", who="Bob Owner")
    assert not any(r.refused for r in done)
    first, second = (e for _, e in _events(council).iterrows())
    assert (first["indicator"], first["period"], first["field"]) == ("ASC-03", "2019-09", "value")
    assert (first["old"], first["new"], first["reason"], first["who"]) == ("2.64", "2.7", "Late NHS data", "Bob Owner")
    assert first["source_sha256"] == hashlib.sha256(with_reason.read_bytes()).hexdigest()
    assert first["details"]["recipient"] == ASC and first["details"]["source_row"] == wbk.FIRST_ROW
    assert (second["indicator"], second["old"], second["new"], second["reason"]) == (
        "ASC-01",
        "94.95",
        "94",
        "Restated",
    )
    assert first["batch"] != second["batch"]  # each file is its own step


def test_a_file_with_moved_rows_or_never_issued_is_refused_whole_and_the_other_file_still_lands(council: Path) -> None:
    before = _masters(council)
    stray_file = fill(council / "never-issued" / f"2019-11-{slug(ASC)}.xlsx", {"ASC-03": {"value": 2.4}})
    good = fill(_file(council, "2019-10", FINANCE), {"FIN-01": {"value": 0}, "FIN-02": {"state": "on track"}})
    moved = fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.5}, "ASC-01": {"value": "ninety"}})
    wb = openpyxl.load_workbook(moved)
    wb[wbk.SHEET].move_range(f"A{wbk.FIRST_ROW}:Y{wbk.FIRST_ROW + 1}", rows=1)  # the owner dragged the rows down
    wb.save(moved)
    results = _collect(council, moved, stray_file, good)
    assert results[0].refused and results[0].changes.empty and "sheet Return, row" in _shown(results[0])
    assert results[1].refused and "not a return goldenthread issued" in _shown(results[1])
    assert not results[2].refused and len(results[2].changes) == 2
    values = (council / "data" / "values.csv").read_text()
    assert "ASC-03,2019-10" not in values and "FIN-01,2019-10,0,," in values
    assert before["commentary.csv"] == _masters(council)["commentary.csv"]
    assert set(_events(council)["source_file"]) == {str(good)}


def test_a_return_is_checked_against_the_returns_issued() -> None:
    issued = pd.DataFrame(
        {
            "period": ["2019-09", "2019-10", "2019-10"],
            "details": [
                {"recipient": "A", "checksum": "a9"},
                {"recipient": "A", "checksum": "a10"},
                {"recipient": "B", "checksum": "b10"},
            ],
        }
    )

    def problems(checksum: str, recipient: str, period: str, asked: str | None) -> str:
        returned = SimpleNamespace(checksum=checksum, recipient=recipient, period=period)
        return " ".join(str(p) for p in collect._issued_problems(returned, issued, asked, "f.xlsx"))

    assert problems("a10", "A", "2019-10", None) == problems("a9", "A", "2019-09", "2019-09") == ""
    assert "issued to them since" in problems("a9", "A", "2019-09", None)
    assert "not 2019-10 as --period says" in problems("a9", "A", "2019-09", "2019-10")
    assert "not a return goldenthread issued" in problems("zz", "A", "2019-10", None)
    assert problems("b10", "B", "2019-10", None) == ""  # A's newer return says nothing about B's


def _collect_in_process(data: str, file: str, barrier: Any) -> None:
    barrier.wait()
    collect_returns(Path(data), [Path(file)], who=f"worker {os.getpid()}")


@pytest.mark.integration  # starts worker processes
def test_two_files_collected_at_once_both_land_and_the_audit_chain_holds(council: Path) -> None:
    a = fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.51, "commentary": "From A"}})
    b = fill(_file(council, "2019-10", FINANCE), {"FIN-01": {"value": 0.5, "commentary": "From B"}})
    ctx = multiprocessing.get_context("fork")  # a copy of this process: no second start-up of pandas
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_collect_in_process, args=(str(council / "data"), str(f), barrier)) for f in (a, b)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(300)
    assert [w.exitcode for w in workers] == [0, 0]
    values, commentary = (text.decode() for text in _masters(council).values())
    assert "ASC-03,2019-10,2.51,," in values and "FIN-01,2019-10,0.5,," in values
    assert "From A" in commentary and "From B" in commentary
    events = _events(council)
    assert len(events) == 4 and events["batch"].nunique() == 2 and events["who"].nunique() == 2
    with AuditStore.for_data(council / "data") as store:
        assert store.verify().ok


CRASH = """
import os, sys
from pathlib import Path
from goldenthread.returns import collect
collect._after_replace = lambda target: os._exit(9) if target.name == "values.csv" else None
collect.collect_returns(Path(sys.argv[1]), [Path(sys.argv[2])], who="Crashing Colin")
"""


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_collect_killed_after_replacing_one_file_is_rolled_forward(council: Path) -> None:
    first = fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.51, "commentary": "Half way"}})
    before, data = _masters(council), council / "data"
    killed = subprocess.run([sys.executable, "-c", CRASH, str(data), str(first)], check=False)
    assert killed.returncode == 9
    assert (data / ".collect-journal.json").exists() and (data / "commentary.csv.new").exists()
    assert _masters(council)["values.csv"] != before["values.csv"]  # half merged: values.csv only
    assert _masters(council)["commentary.csv"] == before["commentary.csv"]
    assert len(_events(council)) == 2  # the audit events go in first
    # A report build finishes it before it reads the data (the pipeline's check step), as the next collect would
    assert COLLECT_JOURNAL == JOURNAL
    assert finish_interrupted_collect(data) is True
    with AuditStore.for_data(data) as store:
        assert store.verify().ok
        assert recover(data, store) is False  # nothing left to finish
    assert not (data / ".collect-journal.json").exists() and not list(data.glob("*.new"))
    assert "Half way" in set(load_dataset(data).commentary["commentary"])
    events = _events(council)  # not recorded twice
    assert sorted(events["field"]) == ["commentary", "value"] and set(events["who"]) == {"Crashing Colin"}


class Killed(BaseException):
    """Stands in for the process dying at that point: nothing after it runs, as with os._exit."""


def _die(*_: object, **__: object) -> None:
    raise Killed


def test_the_next_collect_finishes_one_killed_before_its_audit_events(
    council: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.51, "commentary": "Half way"}})
    second = fill(_file(council, "2019-10", FINANCE), {"FIN-01": {"value": 0.5}})
    before, data = _masters(council), council / "data"
    monkeypatch.setattr(AuditStore, "append", _die)
    with pytest.raises(Killed):
        _collect(council, first)
    monkeypatch.undo()
    assert (data / ".collect-journal.json").exists() and _masters(council) == before and _events(council).empty
    [result] = _collect(council, second)  # rolls the first forward, under the lock, before its own merge
    assert not result.refused and not (data / ".collect-journal.json").exists()
    values, commentary = (text.decode() for text in _masters(council).values())
    assert "ASC-03,2019-10,2.51,," in values and "FIN-01,2019-10,0.5,," in values and "Half way" in commentary
    events = _events(council)
    assert len(events) == 3 and events["batch"].nunique() == 2 and set(events["who"]) == {"Ann Analyst"}


def test_a_collect_stopped_before_its_journal_or_its_audit_changes_nothing(
    council: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    returned = fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.51, "commentary": "Never"}})
    before, data = _masters(council), council / "data"

    def down(*_: object, **__: object) -> None:
        raise RuntimeError("the audit database is down")

    monkeypatch.setattr(AuditStore, "append", down)  # a store that cannot record: the data stays as it was
    with pytest.raises(RuntimeError):
        _collect(council, returned)
    assert _masters(council) == before and not list(data.glob("*.new"))
    assert not (data / ".collect-journal.json").exists()
    monkeypatch.undo()

    monkeypatch.setattr(collect, "_before_journal", _die)  # killed before the journal: nothing decided
    with pytest.raises(Killed):
        _collect(council, returned)
    assert _masters(council) == before and list(data.glob("*.new"))
    with AuditStore.for_data(data) as store:
        assert recover(data, store) is False
    assert _masters(council) == before and not list(data.glob("*.new")) and _events(council).empty


def test_a_merge_that_would_leave_the_data_invalid_is_refused_with_the_validators_problems(council: Path) -> None:
    # Since the return was made, ASC-01's history was withdrawn and it is first reported from 2019-11: the return
    # is still a good file, but a 2019-10 figure for it is one the data contract refuses.
    data = council / "data"
    indicators = list(csv.DictReader(io.StringIO((data / "indicators.csv").read_text(encoding="utf-8-sig"))))
    for r in indicators:
        if r["id"] == "ASC-01":
            r["first_reported"] = "2019-11"
    with (data / "indicators.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(indicators[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(indicators)
    values = (data / "values.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "values.csv").write_text("".join(v for v in values if not v.startswith("ASC-01,")), encoding="utf-8")
    before = _masters(council)
    [result] = _collect(council, fill(_file(council, "2019-10", ASC), {"ASC-01": {"value": 95.0}}))
    assert result.refused and _masters(council) == before and _events(council).empty
    assert "values.csv (as merging" in _shown(result) and "before its first_reported month" in _shown(result)


def test_a_workbook_council_cannot_be_collected_into(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data" / "hollowmere", tmp_path / "hollowmere")
    with pytest.raises(DataError) as e:
        collect_returns(tmp_path / "hollowmere", [], who="x")
    assert "values.csv and commentary.csv" in e.value.summary() and "hollowmere.xlsx" in e.value.summary()


# --- status --------------------------------------------------------------------------------------------------


def test_status_shows_who_returned_who_is_late_and_what_is_missing(council: Path) -> None:
    _collect(council, fill(_file(council, "2019-10", ASC), {"ASC-03": {"value": 2.51}}))
    # a return whose figures were already in (typed in from an email) still counts as returned, once
    same = fill(_file(council, "2019-09", ASC), {"ASC-03": {"value": 2.64}})
    [received] = _collect(council, same, period="2019-09")
    assert received.changes.empty and received.skipped_reason.startswith("nothing to change")
    [twice] = _collect(council, same, period="2019-09")
    assert twice.skipped_reason.startswith("already collected") and len(_events(council, "received")) == 1
    ds = load_dataset(council / "data")
    with AuditStore.for_data(council / "data") as store:
        on_the_day = returns_status(ds, store, parse_period("2019-10"), DUE).set_index("recipient")
        after = returns_status(ds, store, parse_period("2019-10"), date(2019, 11, 9)).set_index("recipient")
        september = returns_status(ds, store, parse_period("2019-09"), date(2019, 11, 9)).set_index("recipient")
    assert on_the_day.loc[ASC, "returned"] is not None and on_the_day.loc[ASC, "missing"] == ("ASC-01",)
    assert not on_the_day["late"].any()  # nobody is late on the due date itself
    assert after.loc[FINANCE, "late"] and after.loc[FINANCE, "returned"] is None
    assert after.loc[FINANCE, "missing"] == ("FIN-01", "FIN-02", "INT-02")
    assert not after.loc[ASC, "late"] and after.loc[FINANCE, "due"] == DUE and len(after) == 2
    assert list(september.index) == [ASC] and september.loc[ASC, "returned"] is not None


def test_status_without_returns_made_lists_the_owners_of_the_indicators_due(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    with AuditStore.for_data(tmp_path / "data") as store:
        table = returns_status(ds, store, parse_period("2019-09"), date(2019, 12, 1)).set_index("recipient")
    assert not table["late"].any() and table["returned"].isna().all() and table["due"].isna().all()
    assert set(table.loc[ASC, "indicators"]) == {"ASC-01", "ASC-03", "ASC-05"}  # ASC-05 is quarterly: due in September
    assert table.loc[ASC, "missing"] == ()  # the example has its September figures


# --- the command line ----------------------------------------------------------------------------------------


def test_returns_commands_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "250"})
    args = ["make", "--period", "2019-10", "--data", "data", "--by", "directorate", "--due", "2019-11-08"]
    made = runner.invoke(returns_app, [*args, "--by-name", "[red]Pat"])
    assert made.exit_code == 0, made.output
    folder = tmp_path / "returns" / "2019-10"
    assert len(list(folder.glob("*.xlsx"))) == 6 and not list(folder.glob(".returns-*"))
    assert "Adult Services" in made.stdout and "Wrote 6 returns" in made.output
    issued = _events(tmp_path, "returns_made")
    assert len(issued) == 6 and set(issued["who"]) == {"[red]Pat"}
    assert {d["due"] for d in issued["details"]} == {"2019-11-08"}
    assert "returns/2019-10/2019-10-finance.xlsx" in set(issued["source_file"])

    again = runner.invoke(returns_app, args)
    assert again.exit_code == 2 and "already holds 6 of these returns" in again.output and "--force" in again.output

    good = fill(folder / "2019-10-adult-services.xlsx", {"ASC-03": {"value": 2.51, "commentary": "=1+1 [bold]x[/]"}})
    bad = fill(folder / "2019-10-finance.xlsx", {"FIN-01": {"value": "about half"}})
    done = runner.invoke(returns_app, ["collect", str(good), str(bad), "--data", "data", "--by", "[b]Ann"])
    assert done.exit_code == 2, done.output
    assert "=1+1 [bold]x[/]" in done.stdout and "[b]Ann" in done.stdout  # as typed, not Rich markup
    assert f"{bad.name}, sheet Return, row" in done.output and "1 of 2 files not collected" in done.output
    [log] = (tmp_path / "data" / "returns-log").glob("*.csv")
    text = log.read_text(encoding="utf-8-sig")
    assert "'=1+1 [bold]x[/]" in text and "[b]Ann" in text  # formula-safe for the spreadsheet it is opened in
    assert log.stem == _events(tmp_path)["batch"].iat[0]

    once_more = runner.invoke(returns_app, ["collect", str(good), "--data", "data", "--by", "Ann"])
    assert once_more.exit_code == 0 and "already collected" in once_more.output

    status = runner.invoke(returns_app, ["status", "--period", "2019-10", "--data", "data", "--today", "2019-11-20"])
    assert status.exit_code == 0, status.output
    assert "LATE" in status.stdout and "Adult Services" in status.stdout

    wrong = runner.invoke(returns_app, ["status", "--period", "2019-13", "--data", "data"])
    assert wrong.exit_code == 2 and "is not a month" in wrong.output
