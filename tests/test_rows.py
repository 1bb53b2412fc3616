"""One indicator in words (documents/rows.py): the report, the plans and the explorer print it alike."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import EXAMPLE
from goldenthread import explorer
from goldenthread.documents.business_plan import BusinessPlan, build_business_plan
from goldenthread.documents.rows import direction_text, status_text
from goldenthread.measures.formatting import is_missing


@pytest.fixture(scope="module")
def plan() -> BusinessPlan:
    return build_business_plan(EXAMPLE, "2019-07", audience="internal")


def test_the_report_the_plan_and_the_explorer_print_every_indicator_alike(plan: BusinessPlan) -> None:
    # Three renderings of one scorecard row: Appendix A (Report._entry), the business plan's
    # "measured by" rows and the explorer's indicator table. Figures, month, status and direction agree.
    styles = plan.dataset.organisation.status_scheme.statuses
    table = explorer.indicator_table(plan.card, plan.dataset.organisation.status_scheme).set_index("id")
    compared = 0
    for r in plan.card.itertuples(index=False):
        entry, row, shown = plan._entry(r), plan._measure_row(r), table.loc[r.id]
        assert entry["latest"] == row["latest"] == shown["latest"], r.id
        assert entry["kind"] == row["kind"] == shown["kind"], r.id
        assert entry["polarity"] == shown["polarity"], r.id
        badge = f"{entry['status']['symbol']} {entry['status']['label']}"
        assert status_text(r.status, styles, bool(r.overridden)) == shown["status"], r.id
        assert badge + (" (overridden)" if entry["overridden"] else "") == shown["status"], r.id
        assert f"{entry['previous']['symbol']} {entry['previous']['label']}" == shown["vs previous"] or (
            r.aggregation == "cumulative"  # a year-to-date measure is never compared with the month before
        ), r.id
        assert f"{entry['year']['symbol']} {entry['year']['label']}" == shown["vs last year"], r.id
        if r.aggregation != "cumulative":  # the appendix adds "year to date" to these
            assert entry["as_at"] == row["as_at"] == shown["as at"], r.id
            if r.kind == "measure" and not is_missing(shown["target"]) and shown["target"] != "No target":
                assert entry["target"] == row["target"] == shown["target"], r.id
                compared += 1
    assert compared > 10  # the example has plenty of plain measures with targets


def test_an_indicators_history_ends_with_what_the_table_shows(plan: BusinessPlan) -> None:
    # The status history (explorer/history.py) prints its rows with the same functions as the table.
    table = explorer.indicator_table(plan.card, plan.dataset.organisation.status_scheme).set_index("id")
    current = plan.card[(plan.card["as_at"] == plan.period) & (plan.card["aggregation"] == "snapshot")]
    assert len(current) > 5
    for r in current.itertuples(index=False):
        history = explorer.status_history(
            plan.history, r.id, unit=r.unit, scheme=plan.dataset.organisation.status_scheme
        )
        latest = history.iloc[0]  # newest first
        assert latest["value"] == table.loc[r.id, "latest"], r.id
        assert latest["status"] == table.loc[r.id, "status"], r.id
        assert latest["vs previous period"] == table.loc[r.id, "vs previous"], r.id


@pytest.mark.parametrize("blank", [None, pd.NA, math.nan, np.float64("nan"), float("nan")])
def test_every_kind_of_blank_is_missing(blank: object) -> None:
    assert is_missing(blank)


@pytest.mark.parametrize("value", [0, 0.0, "", "nan", False, np.float64(1.5)])
def test_a_zero_or_a_word_is_not_missing(value: object) -> None:
    assert not is_missing(value)


def test_an_unknown_direction_reads_as_not_comparable() -> None:
    assert direction_text("sideways") == direction_text("not_comparable") == "– Not comparable"
