"""The load's quick answers for a whole table agree with the checks they stand in front of.

Most tables hold no repeated key and no control character, so :func:`load_dataset` asks first, for the
whole table at once (``any_repeated_key``, ``any_control_characters``), and runs the checks that name each
row only when the answer is yes. A wrong "no" would let a repeat or a control character through unreported,
so each quick answer is tried against its full check on tables made to hold the awkward cases: keys with
spaces (non-breaking ones too) before and after, blank and missing keys, two-part keys, and every kind of
control character beside text, numbers and missing cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from goldenthread.errors import Problem
from goldenthread.inputs.contract import TABLES_BY_NAME
from goldenthread.inputs.load import _cells_without_control_characters, any_control_characters
from goldenthread.inputs.validate import _repeated_keys, any_repeated_key, check_duplicates

#: A one-part key (indicators: id) and a two-part one (values: indicator, period).
INDICATORS, VALUES = TABLES_BY_NAME["indicators"], TABLES_BY_NAME["values"]

KEY_CELLS = st.sampled_from(["A", "A ", " A", "\u00a0A", "B", "b", "", " ", None, np.nan, "2019-07", "2019-07 "])


def _frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


@given(st.lists(KEY_CELLS, min_size=1, max_size=8))
def test_a_one_part_key_is_repeated_exactly_when_the_check_names_a_repeat(ids: list[object]) -> None:
    df = _frame({"id": ids, "title": ["t"] * len(ids)})
    assert any_repeated_key(df, INDICATORS.key) == bool(_repeated_keys(INDICATORS, df, "indicators.csv"))
    assert check_duplicates(INDICATORS, df, "indicators.csv") == _repeated_keys(INDICATORS, df, "indicators.csv")


@given(st.lists(st.tuples(KEY_CELLS, KEY_CELLS), min_size=1, max_size=8))
def test_a_two_part_key_is_repeated_exactly_when_the_check_names_a_repeat(keys: list[tuple[object, object]]) -> None:
    df = _frame({"indicator": [k[0] for k in keys], "period": [k[1] for k in keys], "value": ["1"] * len(keys)})
    assert any_repeated_key(df, VALUES.key) == bool(_repeated_keys(VALUES, df, "values.csv"))
    assert check_duplicates(VALUES, df, "values.csv") == _repeated_keys(VALUES, df, "values.csv")


CELLS = st.one_of(
    st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\t", "\x00", "\x0b", "\x7f", "\x85", "\u200b", "\u202e"])),
    st.sampled_from([None, np.nan, 1.5, 0, "over 50%", "\ufeffid"]),
)


@given(st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=6))
def test_a_table_holds_a_control_character_exactly_when_a_cell_is_cleaned(rows: list[tuple[object, object]]) -> None:
    df = _frame({"title": [r[0] for r in rows], "commentary": [r[1] for r in rows]})
    warnings: list[Problem] = []
    cleaned = _cells_without_control_characters(df.copy(), "commentary.csv", warnings)
    assert any_control_characters(df) == bool(warnings)
    assert any_control_characters(df) == (not cleaned.equals(df))
