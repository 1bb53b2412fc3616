"""The golden thread's coverage and each outcome's rolled-up status (goldenthread.measures.coverage)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import EXAMPLE, indicator, monthly, write_dataset
from goldenthread.documents.business_plan import build_business_plan
from goldenthread.inputs.config import Plan
from goldenthread.inputs.load import load_dataset
from goldenthread.measures import coverage as cov

PLAN = Plan.model_validate(
    {
        "vision": "v",
        "outcomes": [
            {
                "id": "O1",
                "title": "One",
                "priorities": [{"id": "O1.1", "title": "P11"}, {"id": "O1.2", "title": "P12"}],
            },
            {"id": "O2", "title": "Two", "priorities": [{"id": "O2.1", "title": "P21"}]},
            {"id": "O3", "title": "Three"},
        ],
    }
)


def indicators(*rows: tuple[str, str, str | None, str]) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, "outcome": o, "priority": p, "kind": k} for i, o, p, k in rows])


def test_coverage_counts_measures_and_milestones_per_priority_in_plan_order() -> None:
    ind = indicators(
        ("A", "O1", "O1.1", "measure"),
        ("B", "O1", "O1.1", "milestone"),
        ("C", "O1", "O1.1", "measure"),
        ("D", "O2", "O2.1", "milestone"),
    )
    table = cov.coverage(PLAN, ind)
    assert list(table["priority"]) == ["O1.1", "O1.2", "O2.1"]
    assert table.set_index("priority")[["measures", "milestones"]].to_dict("index") == {
        "O1.1": {"measures": 2, "milestones": 1},
        "O1.2": {"measures": 0, "milestones": 0},
        "O2.1": {"measures": 0, "milestones": 1},
    }
    assert table.set_index("priority").loc["O1.1", "indicators"] == ["A", "B", "C"]
    assert list(cov.unmeasured_priorities(table)["priority"]) == ["O1.2"]


def test_indicators_on_no_priority_get_their_own_row_and_are_listed() -> None:
    ind = indicators(("A", "O1", "O1.1", "measure"), ("E", "O3", None, "measure"), ("F", "O1", None, "milestone"))
    table = cov.coverage(PLAN, ind)
    loose = table[table["priority"].isna()]
    assert list(loose["outcome"]) == ["O1", "O3"]
    assert list(loose["priority_title"]) == ["No key priority", "No key priority"]
    assert table["measures"].sum() + table["milestones"].sum() == len(ind)  # each indicator counted once
    assert list(cov.unlinked_indicators(ind)["id"]) == ["E", "F"]
    assert cov.unmeasured_priorities(table)["priority"].tolist() == ["O1.2", "O2.1"]  # loose rows are not gaps


@pytest.mark.parametrize(
    ("counts", "worst", "majority"),
    [
        ({"green": 3, "amber": 1}, "amber", "green"),
        ({"green": 2, "red": 2}, "red", "red"),  # a tie goes to the worse status
        ({"blue": 1, "green": 1}, "green", "green"),
        ({"red": 1, "green": 5, "amber": 2}, "red", "green"),
        ({}, "not_available", "not_available"),  # nothing can be judged
    ],
)
def test_rolled_up_status_by_rule(counts: dict[str, int], worst: str, majority: str) -> None:
    assert cov.rolled_up_status(counts, "worst") == worst
    assert cov.rolled_up_status(counts, "majority") == majority


def test_rollup_counts_every_status_but_only_judged_ones_vote() -> None:
    card = pd.DataFrame(
        {"outcome": ["O1", "O1", "O1", "O2", "O2"], "status": ["green", "not_available", "data_only", "amber", "green"]}
    )
    table = cov.rollup(card, PLAN, "worst").set_index("outcome")
    assert table.loc["O1", ["green", "not_available", "data_only", "indicators", "judged"]].tolist() == [1, 1, 1, 3, 1]
    assert table["status"].to_dict() == {"O1": "green", "O2": "amber", "O3": "not_available"}
    assert table.loc["O3", "indicators"] == 0
    with pytest.raises(ValueError, match="unknown roll-up rule 'best'"):
        cov.rollup(card, PLAN, "best")  # type: ignore[arg-type]


def test_example_coverage_and_rollup() -> None:
    """The example plan: 21 key priorities, two of them (O5.2, O5.4) measured by nothing."""
    ds = load_dataset(EXAMPLE).for_audience("public")
    table = cov.coverage(ds.plan, ds.indicators)
    assert table["priority"].notna().sum() == 21
    assert cov.unmeasured_priorities(table)["priority"].tolist() == ["O5.2", "O5.4"]
    assert table["measures"].sum() + table["milestones"].sum() == len(ds.indicators) == 38
    plan = build_business_plan(str(EXAMPLE), "2019-07")
    worst = plan.rollup_table.set_index("outcome")
    assert worst["indicators"].sum() == 38
    assert worst["status"].to_dict() == {"O1": "red", "O2": "amber", "O3": "red", "O4": "red", "O5": "amber"}
    majority = build_business_plan(str(EXAMPLE), "2019-07", rollup="majority").rollup_table
    assert set(majority["status"]) == {"green"}


def test_the_rule_comes_from_organisation_yaml_unless_the_notebook_sets_one(tmp_path: Path) -> None:
    org = {"name": "T", "status_scheme": {"rollup": "majority"}}
    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1"), indicator(id="A2"), indicator(id="A3", target=99)],
        monthly("A1", "2019-04", [95]) + monthly("A2", "2019-04", [95]) + monthly("A3", "2019-04", [80]),
        organisation=org,
    )
    assert build_business_plan(str(folder), "2019-04").rollup_table.set_index("outcome").loc["O1", "status"] == "green"
    assert build_business_plan(str(folder), "2019-04", rollup="worst").rollup_table.loc[0, "status"] == "red"
    with pytest.raises(ValueError, match="rollup must be one of worst, majority"):
        build_business_plan(str(folder), "2019-04", rollup="average")  # type: ignore[arg-type]


def test_business_plan_sections_show_the_thread_and_its_gaps() -> None:
    plan = build_business_plan(str(EXAMPLE), "2019-07")
    cover, body, coverage = plan.cover().html, plan.plan().html, plan.coverage().html
    assert "Business Plan 2019-2022" in cover and "Our vision" in cover and "Our principles" in cover
    assert "worst status" in cover
    # every key priority and activity of the plan is in the document, with its indicators
    for outcome in plan.dataset.plan.outcomes:
        assert f'id="outcome-{outcome.id}"' in body
        for priority in outcome.priorities:
            assert priority.title.replace("'", "&#39;") in body
    asc01 = body[body.index("Percentage of users using self-directed support") :]
    assert "94.41%" in asc01[:600] and "On target" in asc01[:900]
    assert body.count("No indicator or milestone measures this priority yet.") == 2
    assert "19 of the plan's 21 key priorities" in coverage
    assert "O5.2 Prepare for transition to new local government arrangements" in coverage
    assert "None: every indicator is linked to a key priority." in coverage
    # the PDF gets the same content as Typst
    assert "#gt-plan-coverage(" in plan.coverage().typst and '"O5.2"' in plan.coverage().typst
