"""House rules a reviewer would otherwise check by hand."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import ROOT
from goldenthread.inputs.config import ReportParameters
from goldenthread.inputs.contract import TABLES
from goldenthread.run.pipeline import read_parameters

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"strip {path.name} with nbstripout"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_keep_their_names(path) -> None:
    """Failure messages name cells by id ("cell 4 (setup: ...)"): nbstripout without --keep-id numbers them."""
    ids = [c.get("id", "") for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert all(i and not i.isdigit() for i in ids) and len(set(ids)) == len(ids), (
        f"give {path.name}'s cells names, and strip it with nbstripout --keep-id"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_have_one_tagged_parameters_cell(path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


def test_notebook_parameters_match_the_parameters_model() -> None:
    nb = json.loads((ROOT / "notebooks/corporate_performance_report.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    names = set(re.findall(r"^(\w+)\s*=", "".join(cell["source"]), flags=re.M))
    assert names == set(ReportParameters.model_fields)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "parameters").rglob("*.yaml")), ids=lambda p: p.relative_to(ROOT / "parameters").as_posix()
)
def test_parameters_files_are_valid(path) -> None:
    params = read_parameters(path)
    assert path.stem == params.period


def test_data_contract_page_documents_every_column() -> None:
    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert table.file in page
        for column in table.columns:
            assert f"`{column.name}`" in page, f"{table.file}: {column.name} is not documented"


def test_lib_is_tracked_by_git() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", "lib/goldenthread/__init__.py"], cwd=ROOT)
    assert ignored.returncode == 1, "lib/ must not be git-ignored"
