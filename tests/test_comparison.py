"""Benchmarking as a report uses it (measures/comparison.py): each indicator at its latest comparator period."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import goldenthread.measures.comparison as comparison
from conftest import examples
from goldenthread.inputs.config import Comparators
from goldenthread.inputs.periods import parse_period
from goldenthread.measures.comparison import COLUMNS, comparison_table, group_figures

US = "E1"
OTHERS = [f"E{i}" for i in range(2, 9)]
GROUPS = Comparators(
    us=US,
    groups=[
        {"name": "Nearest neighbours", "areas": OTHERS},
        {"name": "Region", "areas": OTHERS[:5]},
        {"name": "England", "areas": ["E92"], "kind": "reference"},
    ],
    main_group="Region",
)
INDICATORS = pd.DataFrame({"id": ["A1", "B2"], "polarity": ["higher", "lower"]})


def fy_end(label: str) -> int:
    """'2018/19' -> March 2019, as the loader stores a financial year."""
    return parse_period(f"{int(label[:4]) + 1}-03")


def figures(indicator: str, label: str, values: dict[str, float | None]) -> list[dict[str, object]]:
    period = fy_end(label) if "/" in label else parse_period(label)
    return [
        {
            "indicator": indicator,
            "area_code": code,
            "area_name": f"Area {code}",
            "period": period,
            "period_label": label,
            "value": float("nan") if v is None else v,
        }
        for code, v in values.items()
    ]


def spread(us: float | None, base: float = 10.0) -> dict[str, float | None]:
    """The council's figure and the seven others 10, 11, ... 16 (and England 13)."""
    return {US: us, **{c: base + i for i, c in enumerate(OTHERS)}, "E92": 13.0}


def bench(*parts: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame([r for p in parts for r in p])


def test_each_indicator_at_its_own_latest_period_on_or_before_the_report_month(monkeypatch) -> None:
    b = bench(
        figures("A1", "2017/18", spread(9)),
        figures("A1", "2018/19", spread(20)),
        figures("B2", "2019-03", spread(9)),
        figures("B2", "2019-06", spread(20)),  # after the report month
    )
    calls: list[str] = []
    real = comparison.compare

    def counted(*args, **kw):
        calls.append(args[4])
        return real(*args, **kw)

    monkeypatch.setattr(comparison, "compare", counted)
    table = comparison_table(b, GROUPS, INDICATORS, parse_period("2019-05"))
    assert list(table.columns) == COLUMNS
    at = table.drop_duplicates("indicator").set_index("indicator")
    assert at.loc["A1", "period_label"] == "2018/19" and at.loc["A1", "period"] == parse_period("2019-03")
    assert at.loc["B2", "period_label"] == "2019-03"
    assert sorted(calls) == ["2018/19", "2019-03"]  # once per distinct period
    # A1 (higher is better) at 20 is best of 8; last year's 9 was last
    a1 = table[(table["indicator"] == "A1") & (table["group"] == "Nearest neighbours")].iloc[0]
    assert (a1["rank"], a1["n"], a1["quartile"], a1["quartile_last_year"]) == (1, 8, 1, 4)
    assert a1["period_last_year"] == "2017/18" and a1["worse_areas"] == 7
    # B2 (lower is better) at 9 is best
    b2 = table[(table["indicator"] == "B2") & (table["group"] == "Nearest neighbours")].iloc[0]
    assert b2["rank"] == 1


def test_a_financial_year_counts_from_its_last_month() -> None:
    b = bench(figures("A1", "2018/19", spread(12)), figures("A1", "2019/20", spread(15)))
    before = comparison_table(b, GROUPS, INDICATORS, parse_period("2020-02"))
    on = comparison_table(b, GROUPS, INDICATORS, parse_period("2020-03"))
    assert set(before["period_label"]) == {"2018/19"} and set(on["period_label"]) == {"2019/20"}


def test_without_the_councils_figure_an_earlier_period_is_used() -> None:
    b = bench(figures("A1", "2017/18", spread(14)), figures("A1", "2018/19", spread(None)))
    table = comparison_table(b, GROUPS, INDICATORS, parse_period("2019-12"))
    assert set(table["period_label"]) == {"2017/18"} and table["value"].iloc[0] == 14


def test_no_council_figure_at_all_is_compared_with_a_reason() -> None:
    b = bench(figures("A1", "2018/19", spread(None)))
    table = comparison_table(b, GROUPS, INDICATORS, parse_period("2019-12"))
    main = table[table["main"]].iloc[0]
    assert main["reason"] == "no_figure" and pd.isna(main["rank"]) and pd.isna(main["worse_areas"])


def test_groups_kinds_and_the_main_group() -> None:
    table = comparison_table(bench(figures("A1", "2018/19", spread(12))), GROUPS, INDICATORS, parse_period("2019-12"))
    assert list(table["group"]) == ["Nearest neighbours", "Region", "England"]
    assert list(table["group_kind"]) == ["comparison", "comparison", "reference"]
    assert list(table["main"]) == [False, True, False]
    assert table.loc[2, "reference_value"] == 13
    without_main = GROUPS.model_copy(update={"main_group": None})
    again = comparison_table(
        bench(figures("A1", "2018/19", spread(12))), without_main, INDICATORS, parse_period("2020-01")
    )
    assert list(again["main"]) == [True, False, False]  # the first comparison group


def test_joint_last_has_no_area_worse() -> None:
    values = spread(10)  # level with E2's 10, the lowest figure
    table = comparison_table(bench(figures("A1", "2018/19", values)), GROUPS, INDICATORS, parse_period("2019-12"))
    row = table[table["group"] == "Nearest neighbours"].iloc[0]
    assert row["rank"] == 7 and bool(row["tied"]) and row["worse_areas"] == 0


def test_restricted_or_absent_comparators_give_an_empty_table_with_the_columns() -> None:
    b = bench(figures("A1", "2018/19", spread(12)))
    only_b2 = INDICATORS[INDICATORS["id"] == "B2"]  # A1 restricted: not in this audience's list
    for table in (
        comparison_table(b, GROUPS, only_b2, parse_period("2019-12")),
        comparison_table(b, None, INDICATORS, parse_period("2019-12")),
        comparison_table(b.iloc[:0], GROUPS, INDICATORS, parse_period("2019-12")),
        comparison_table(b, GROUPS, INDICATORS, parse_period("2018-12")),  # nothing published yet
    ):
        assert table.empty and list(table.columns) == COLUMNS


def test_group_figures_for_the_strip_chart() -> None:
    b = bench(figures("A1", "2018/19", spread(12)), figures("A1", "2017/18", spread(1)))
    region = group_figures(b, GROUPS, "A1", "2018/19", "Region")
    assert list(region.columns) == ["area_code", "area_name", "value", "is_us"]
    assert set(region["area_code"]) == {US, *OTHERS[:5]}
    assert list(region["value"]) == sorted(region["value"], reverse=True)
    assert region.loc[region["is_us"], "value"].tolist() == [12]
    with pytest.raises(ValueError, match="no comparator group"):
        group_figures(b, GROUPS, "A1", "2018/19", "Nowhere")
    assert group_figures(b, None, "A1", "2018/19", "Region").empty


@settings(max_examples=examples(40), deadline=None)
@given(
    have=st.lists(st.booleans(), min_size=1, max_size=6),
    report=st.integers(0, 80),
)
def test_the_period_compared_is_the_latest_with_the_councils_figure(have: list[bool], report: int) -> None:
    """Quarterly periods from 2018-03: whichever the council has a figure for, the one compared is the
    latest of those on or before the report month (else the latest with any figure), never a later one."""
    start = parse_period("2018-03")
    b = bench(
        *[
            figures("A1", f"{(start + 3 * k) // 12}-{(start + 3 * k) % 12 + 1:02d}", spread(12 if ok else None))
            for k, ok in enumerate(have)
        ]
    )
    period = start + report
    table = comparison_table(b, GROUPS, INDICATORS, period)
    published = [start + 3 * k for k in range(len(have)) if start + 3 * k <= period]
    if not published:
        assert table.empty
        return
    ours = [start + 3 * k for k, ok in enumerate(have) if ok and start + 3 * k <= period]
    expected = max(ours) if ours else max(published)
    assert set(table["period"]) == {expected}


# --- the vectorised table against a plain one -------------------------------------------------------

LABELS = ["2017/18", "2018/19", "2018-03", "2019-03", "2018-07", "2019-07"]  # '2018/19' and '2019-03': one month
PLAIN_GROUPS = Comparators(
    us=US,
    groups=[
        {"name": "Nearest neighbours", "areas": [*OTHERS[:6], US]},  # the council listed too
        {"name": "Small", "areas": OTHERS[:3]},  # never more than 3 others: too few
        {"name": "England", "areas": ["E92"], "kind": "reference"},
    ],
)


def plain_table(b: pd.DataFrame, comparators: Comparators, indicators: pd.DataFrame, period: int) -> pd.DataFrame:
    """comparison_table written plainly: a loop over indicators, then one compare per period label, and
    the areas worse than the council counted one by one."""
    us = comparators.us
    groups = {g.name: list(g.areas) for g in comparators.groups}
    main = comparators.main_group or next(g.name for g in comparators.groups if g.kind == "comparison")
    figs = b[(b["period"] <= period) & b["indicator"].isin(set(indicators["id"]))]
    chosen: dict[str, tuple[int, str]] = {}
    for i in indicators["id"]:
        have = figs[(figs["indicator"] == i) & figs["value"].notna()]
        ours = have[have["area_code"] == us]
        pool = ours if len(ours) else have
        if len(pool):
            chosen[i] = max(zip(pool["period"], pool["period_label"]))
    parts = []
    for label in sorted({lab for _, lab in chosen.values()}):
        these = [i for i, (_, lab) in chosen.items() if lab == label]
        out = comparison.compare(
            figs[figs["indicator"].isin(these)].assign(period=lambda f: f["period_label"]),
            groups,
            us,
            indicators[indicators["id"].isin(these)],
            label,
        )
        at_label = figs[(figs["period_label"] == label) & figs["value"].notna()]
        worse: list[int | None] = []
        for _, row in out.iterrows():
            if row["reason"] is not None or row["kind"] != "comparison" or not row["judged"]:
                worse.append(None)
                continue
            count = 0
            for a in dict.fromkeys(groups[row["group"]]):
                theirs = at_label[(at_label["indicator"] == row["indicator"]) & (at_label["area_code"] == a)]
                if a != us and len(theirs):
                    v = float(theirs["value"].iloc[0])
                    count += v < row["value"] if row["polarity"] == "higher" else v > row["value"]
            worse.append(count)
        out["worse_areas"] = pd.array(worse, dtype="Int64")
        out["period"] = [chosen[i][0] for i in out["indicator"]]
        out["period_label"] = label
        parts.append(out)
    if not parts:
        return comparison._empty()
    table = pd.concat(parts, ignore_index=True)
    table["group_kind"] = table["group"].map({g.name: g.kind for g in comparators.groups})
    table["main"] = table["group"] == main
    position = {i: k for k, i in enumerate(indicators["id"])}
    table = table.assign(_i=table["indicator"].map(position), _g=table["group"].map(list(groups).index))
    table = table.sort_values(["_i", "_g"]).drop(columns=["_i", "_g"])
    table["period"] = table["period"].astype("Int64")
    return table.loc[:, COLUMNS].reset_index(drop=True)


@st.composite
def plain_inputs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    ids = draw(st.lists(st.sampled_from(["A1", "B2", "C3"]), min_size=1, max_size=3, unique=True))
    polarity = [draw(st.sampled_from(["higher", "lower", "none"])) for _ in ids]
    areas = [US, *OTHERS[:6], "E92", "E99"]  # E99: in no group
    value = st.sampled_from([None, 1.0, 2.0, 2.5, 3.0, 4.0])  # ties and NaN
    rows = []
    for i in [*ids, "Z9"]:  # Z9: not in the indicator list (restricted)
        for label in draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True)):
            for a in areas:
                if draw(st.integers(0, 4)) or a == US:
                    rows += [r | {"indicator": i} for r in figures("X", label, {a: draw(value)})]
    b = pd.DataFrame(rows, columns=["indicator", "area_code", "area_name", "period", "period_label", "value"])
    report = draw(st.sampled_from([parse_period(p) for p in ("2018-02", "2018-03", "2018-12", "2019-03", "2019-08")]))
    return b, pd.DataFrame({"id": ids, "polarity": polarity}), report


@settings(max_examples=examples(60), deadline=None)
@given(plain_inputs())
def test_the_table_is_the_plain_one(inputs: tuple[pd.DataFrame, pd.DataFrame, int]) -> None:
    """Random small figures (ties, NaN, polarity none, a group with too few areas, a reference group,
    months and financial years sharing a month): the vectorised table equals the plain loop's."""
    b, ind, report = inputs
    pd.testing.assert_frame_equal(
        comparison_table(b, PLAIN_GROUPS, ind, report), plain_table(b, PLAIN_GROUPS, ind, report)
    )


def test_text_columns_coded_by_stride_match_factorize() -> None:
    """Runs, repeated blocks (with a change part-way) and no pattern all code as astype(str) would."""
    blocks = [f"E{k}" for k in range(50)] * 40
    blocks[777] = "E999"
    for values in (sorted(blocks), blocks, list(reversed(blocks)), [1, "1", *blocks]):
        coded = comparison._coded(pd.Series(values, dtype=object))
        texts = pd.Series(values, dtype=object).astype(str).to_numpy(dtype=object)
        assert (coded.texts[coded.codes] == texts).all()
        assert len(set(coded.texts.tolist())) == len(coded.texts)
