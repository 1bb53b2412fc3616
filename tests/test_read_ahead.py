"""A dataset read ahead (the report's kernel loads the data while the command checks it) is what a load
would give: taken once, and only if no file of the folder has changed, appeared or gone since.

The run's side (the kernel is asked, and the notebook's load takes it) is in test_runs.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import indicator, monthly, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs import load
from goldenthread.inputs.load import folder_fingerprint, load_dataset, read_ahead


@pytest.fixture
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A small data folder, ``data`` in the working folder (as a notebook names it)."""
    monkeypatch.chdir(tmp_path)
    write_dataset(tmp_path / "data", indicators=[indicator(id="A1")], values=monthly("A1", "2019-04", [91.0, 92.0]))
    (tmp_path / "data" / "README.md").write_text("Our council's figures.\n")
    yield tmp_path / "data"
    load._read_ahead.clear()


def figures(dataset: load.Dataset) -> list[float]:
    return dataset.values.sort_values("period")["value"].tolist()


def test_the_next_load_takes_the_dataset_read_ahead_once(council: Path) -> None:
    read_ahead("data")
    ahead = load._read_ahead[("data", str(council.parent))][1]
    assert load_dataset("data") is ahead  # taken as it is, not read again
    again = load_dataset("data")  # a second load reads the files
    assert again is not ahead and not load._read_ahead
    pd.testing.assert_frame_equal(again.values, ahead.values)
    pd.testing.assert_frame_equal(again.indicators, ahead.indicators)
    assert again.sources == ahead.sources and again.warnings == ahead.warnings


def _edit(folder: Path) -> None:
    values = folder / "values.csv"
    values.write_text(values.read_text().replace("92.0", "97.0"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # the same number of bytes, straight after the read: a clock tick could miss it, the content does not
        pytest.param(_edit, [91.0, 97.0], id="edit"),
        pytest.param(lambda d: (d / "notes.txt").write_text("added"), [91.0, 92.0], id="file-added"),
        pytest.param(lambda d: (d / "README.md").unlink(), [91.0, 92.0], id="file-removed"),
    ],
)
def test_a_folder_changed_after_the_read_ahead_is_read_again(council: Path, change, expected: list[float]) -> None:
    read_ahead("data")
    fingerprint, ahead = load._read_ahead[("data", str(council.parent))]
    change(council)
    assert folder_fingerprint(council) != fingerprint
    loaded = load_dataset("data")
    assert loaded is not ahead and not load._read_ahead
    assert figures(loaded) == expected


def test_the_same_path_from_another_working_folder_is_another_folder(
    council: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_ahead("data")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write_dataset(elsewhere / "data", indicators=[indicator(id="A1")], values=monthly("A1", "2019-04", [50.0, 60.0]))
    monkeypatch.chdir(elsewhere)
    assert figures(load_dataset("data")) == [50.0, 60.0]
    monkeypatch.chdir(council.parent)
    assert figures(load_dataset("data")) == [91.0, 92.0]  # still waiting there, and taken


def test_broken_data_read_ahead_raises_nothing_and_the_load_says_what_is_wrong(council: Path) -> None:
    (council / "values.csv").write_text("indicator,period,value\nA1,2019-04,lots\n")
    read_ahead("data")  # no error here: the notebook's own load reports it
    assert not load._read_ahead
    with pytest.raises(DataError, match="lots"):
        load_dataset("data")


def test_the_fingerprint_covers_the_files_not_the_sub_folders(council: Path) -> None:
    first = folder_fingerprint(council)
    assert {name for name, _, _ in first} >= {"indicators.csv", "values.csv", "organisation.yaml", "plan.yaml"}
    (council / "directorates").mkdir()
    (council / "directorates" / "eci.yaml").write_text("id: eci\n")
    assert folder_fingerprint(council) == first
