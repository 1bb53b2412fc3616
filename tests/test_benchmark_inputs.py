"""Issue 14's inputs: benchmarks.csv, comparators.yaml, rebases.csv and the chart columns of indicators.csv.

A small council folder with all three files loads into the typed frames the interface promises; a
financial year is stored at its last month for every financial-year start; restricted indicators' rows
leave a public dataset; the workbook's sheets read as the CSV files do; what builds but looks wrong is a
warning. The one-message-per-mistake cases are in ``test_bad_inputs.py``.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import INDICATOR_COLUMNS, ORGANISATION, indicator, monthly, write_csv, write_dataset
from goldenthread.errors import DataError
from goldenthread.inputs.load import BENCHMARK_COLUMNS, REBASE_COLUMNS, load_dataset
from goldenthread.inputs.periods import financial_year, financial_year_label, format_period, month_of_year
from goldenthread.inputs.validate import parse_period_or_year, parse_periods_or_years
from goldenthread.measures.benchmarking import MIN_COMPARATORS

AREAS = [("E1", "Test Borough"), *((f"E{i}", f"Area {i}") for i in range(2, 8)), ("ENG", "England")]
COMPARATORS = {
    "us": "E1",
    "source": "CIPFA nearest neighbours (illustrative)",
    "groups": [
        {"name": "Nearest neighbours", "areas": [c for c, _ in AREAS[1:-1]]},
        {"name": "England", "areas": ["ENG"], "kind": "reference"},
    ],
    "main_group": "Nearest neighbours",
}


def benchmark_rows(indicator_id: str, period: str, start: float = 80.0) -> list[dict[str, object]]:
    return [
        {"indicator": indicator_id, "area_code": c, "area_name": n, "period": period, "value": start + i, "source": ""}
        for i, (c, n) in enumerate(AREAS)
    ]


def council(
    folder: Path,
    benchmarks: list[dict[str, object]] | None = None,
    comparators: dict | None = None,
    rebases: list[dict[str, object]] | None = None,
    organisation: dict | None = None,
) -> Path:
    """A small valid council: A1 (a public percentage, an SPC chart with a baseline), R1 (restricted) and a
    milestone, with benchmarks, comparators and rebases unless told otherwise."""
    columns = [*INDICATOR_COLUMNS, "chart", "spc_baseline"]
    inds = [
        {**indicator(id="A1"), "chart": "spc", "spc_baseline": "12"},
        {
            **indicator(id="R1", classification="restricted", polarity="lower", target="5"),
            "chart": "",
            "spc_baseline": "",
        },
        {
            **indicator(id="M1", kind="milestone", unit="", polarity="", target="", decimals=""),
            "chart": "",
            "spc_baseline": "",
        },
    ]
    write_dataset(
        folder,
        [],
        monthly("A1", "2018-04", [float(80 + i % 5) for i in range(16)]) + monthly("R1", "2019-04", [4.0, 6.0]),
        organisation=organisation,
    )
    write_csv(folder / "indicators.csv", inds, columns)
    rows = benchmarks if benchmarks is not None else benchmark_rows("A1", "2018/19") + benchmark_rows("R1", "2019-03")
    write_csv(folder / "benchmarks.csv", rows, ["indicator", "area_code", "area_name", "period", "value", "source"])
    (folder / "comparators.yaml").write_text(yaml.safe_dump(comparators or COMPARATORS), encoding="utf-8")
    rebase = (
        rebases
        if rebases is not None
        else [
            {"indicator": "A1", "period": "2019-01", "reason": "New triage service"},
            {"indicator": "R1", "period": "2019-05", "reason": "Restricted reason"},
        ]
    )
    write_csv(folder / "rebases.csv", rebase, ["indicator", "period", "reason"])
    return folder


# --- a valid council ----------------------------------------------------------------------------------


def test_a_council_with_all_three_files_loads_typed_as_the_interface_says(tmp_path: Path) -> None:
    ds = load_dataset(council(tmp_path / "c"))
    bench = ds.benchmarks
    assert list(bench.columns[: len(BENCHMARK_COLUMNS)]) == BENCHMARK_COLUMNS
    assert str(bench["period"].dtype) == "int64" and bench["value"].dtype == float
    a1 = bench[bench["indicator"] == "A1"]
    # 2018/19 with an April start is March 2019; the label keeps what was written
    assert set(a1["period"].map(format_period)) == {"2019-03"} and set(a1["period_label"]) == {"2018/19"}
    assert set(bench.loc[bench["indicator"] == "R1", "period_label"]) == {"2019-03"}
    assert a1.set_index("area_code").loc["E3", "value"] == 82.0
    assert ds.comparators is not None and ds.comparators.us == "E1"
    assert ds.comparators.main is not None and ds.comparators.main.name == "Nearest neighbours"
    assert list(ds.rebases.columns[: len(REBASE_COLUMNS)]) == REBASE_COLUMNS
    assert str(ds.rebases["period"].dtype) == "int64"
    assert ds.rebases.set_index("indicator").loc["A1", "period"] == 2019 * 12
    ind = ds.indicators.set_index("id")
    assert ind.loc["A1", "chart"] == "spc" and ind.loc["A1", "spc_baseline"] == 12
    # not given: blank, so whoever draws the chart applies report_defaults.chart
    assert pd.isna(ind.loc["R1", "chart"]) and pd.isna(ind.loc["R1", "spc_baseline"])
    names = {p.name for p in ds.sources}
    assert {"benchmarks.csv", "comparators.yaml", "rebases.csv"} <= names
    assert ds.warnings == ()


def test_a_council_without_the_new_files_gets_empty_frames(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "c", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    ds = load_dataset(folder)
    assert ds.benchmarks.empty and list(ds.benchmarks.columns[:6]) == BENCHMARK_COLUMNS
    assert ds.rebases.empty and ds.comparators is None
    assert {"chart", "spc_baseline"} <= set(ds.indicators.columns)
    assert {p.name for p in ds.sources}.isdisjoint({"benchmarks.csv", "comparators.yaml", "rebases.csv"})


def test_a_public_dataset_has_no_benchmarks_or_rebases_of_restricted_indicators(tmp_path: Path) -> None:
    ds = load_dataset(council(tmp_path / "c"))
    assert "R1" in set(ds.benchmarks["indicator"]) and "R1" in set(ds.rebases["indicator"])
    public = ds.for_audience("public")
    assert set(public.benchmarks["indicator"]) == {"A1"} and set(public.rebases["indicator"]) == {"A1"}
    assert "Restricted reason" not in public.rebases["reason"].tolist()
    assert ds.for_audience("internal").benchmarks.equals(ds.benchmarks)


def test_a_blank_benchmark_value_is_no_figure(tmp_path: Path) -> None:
    rows = benchmark_rows("A1", "2018/19")
    rows[3]["value"] = ""  # suppressed
    ds = load_dataset(council(tmp_path / "c", benchmarks=rows))
    assert ds.benchmarks["value"].isna().sum() == 1


def test_a_financial_year_follows_the_councils_start_month(tmp_path: Path) -> None:
    ds = load_dataset(council(tmp_path / "c", organisation={**ORGANISATION, "financial_year_start_month": 7}))
    a1 = ds.benchmarks[ds.benchmarks["indicator"] == "A1"]
    assert set(a1["period"].map(format_period)) == {"2019-06"}  # July 2018 to June 2019


# --- warnings: it builds ------------------------------------------------------------------------------


def test_an_area_without_figures_and_a_small_group_are_warnings(tmp_path: Path) -> None:
    comparators = {
        "us": "E1",
        "groups": [
            {"name": "Nearest neighbours", "areas": [c for c, _ in AREAS[1:-1]]},
            {"name": "Region", "areas": ["E2", "E3", "E99"]},
            {"name": "England", "areas": ["ENG"], "kind": "reference"},
        ],
    }
    ds = load_dataset(council(tmp_path / "c", comparators=comparators))
    messages = [str(w) for w in ds.warnings]
    assert any(
        "comparators.yaml, key 'groups.1.areas': area E99 of group 'Region' has no figures in benchmarks.csv" in m
        for m in messages
    ), messages
    assert any(
        f"group 'Region' has 3 other areas besides the council; benchmarking needs at least {MIN_COMPARATORS}" in m
        for m in messages
    ), messages
    assert len(messages) == 2


def test_the_council_listed_in_its_own_group_is_not_counted_as_a_comparator(tmp_path: Path) -> None:
    comparators = {"us": "E1", "groups": [{"name": "Five", "areas": ["E1", "E2", "E3", "E4", "E5"]}]}
    ds = load_dataset(council(tmp_path / "c", comparators=comparators))
    assert [w.message for w in ds.warnings if "other area" in w.message] == [
        f"group 'Five' has 4 other areas besides the council; benchmarking needs at least {MIN_COMPARATORS} with a "
        "figure, so its rows will say there are too few to compare"
    ]


def test_every_new_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = benchmark_rows("A1", "2018/19")
    rows.append({**rows[2], "area_name": "Another name", "period": "2017/18"})
    rows.append({**rows[1], "period": "2019-03"})
    comparators = {**COMPARATORS, "us": "X1"}
    rebase = [
        {"indicator": "A1", "period": "2019-01", "reason": "a"},
        {"indicator": "M1", "period": "2019-02", "reason": "b"},
    ]
    with pytest.raises(DataError) as err:
        load_dataset(council(tmp_path / "c", benchmarks=rows, comparators=comparators, rebases=rebase))
    columns = sorted((p.file, p.column) for p in err.value.problems)
    assert columns == [
        ("benchmarks.csv", "area_name"),
        ("benchmarks.csv", "period"),
        ("comparators.yaml", "us"),
        ("rebases.csv", "indicator"),
    ]


# --- Excel ---------------------------------------------------------------------------------------------


def test_benchmarks_and_rebases_sheets_read_as_the_csv_files(tmp_path: Path) -> None:
    folder = council(tmp_path / "c")
    as_csv = load_dataset(folder)
    book = folder / "council.xlsx"
    names = ("indicators", "values", "benchmarks", "rebases")
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name in names:
            pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
                xl, sheet_name=name, index=False
            )
    for name in names:
        (folder / f"{name}.csv").unlink()
    wb = openpyxl.load_workbook(book)
    ws = wb["benchmarks"]
    ws["E3"] = 0.8125  # a percentage-formatted cell: 81.25% for the percentage indicator A1
    ws["E3"].number_format = "0.00%"
    wb.save(book)
    ds = load_dataset(folder)
    expected = as_csv.benchmarks.copy()
    expected.loc[1, "value"] = 81.25
    pd.testing.assert_frame_equal(ds.benchmarks.drop(columns="source"), expected.drop(columns="source"))
    pd.testing.assert_frame_equal(ds.rebases, as_csv.rebases)
    [warning] = [w for w in ds.warnings if w.column == "value"]
    assert warning.file == "council.xlsx (sheet benchmarks)" and warning.row == 3
    assert "read as 81.25" in warning.message
    assert {p.name for p in ds.sources} >= {"council.xlsx", "comparators.yaml"}


# --- the period of a benchmark: property-based -------------------------------------------------------

years = st.integers(min_value=1990, max_value=2090)
start_months = st.integers(min_value=1, max_value=12)


@given(year=years, month=st.integers(min_value=1, max_value=12), start=start_months)
def test_a_month_is_itself_whatever_the_financial_year(year: int, month: int, start: int) -> None:
    text = f"{year}-{month:02d}"
    assert format_period(parse_period_or_year(text, start)) == text


@given(year=years, start=start_months)
def test_a_financial_year_is_its_last_month(year: int, start: int) -> None:
    """2018/19 is the year starting in 2018's start month; it is stored at that year's twelfth month."""
    ordinal = parse_period_or_year(f"{year}/{(year + 1) % 100:02d}", start)
    assert financial_year(ordinal, start) == year
    assert month_of_year(ordinal, start) == 12
    assert ordinal - (year * 12 + start - 1) == 11  # eleven months after the first month of the year
    if start != 1:  # a calendar financial year is labelled "2018" alone
        assert financial_year_label(ordinal, start) == f"{year}/{(year + 1) % 100:02d}"


@given(year=years, gap=st.integers(min_value=0, max_value=99).filter(lambda g: g != 1), start=start_months)
def test_a_financial_year_whose_second_year_does_not_follow_is_refused(year: int, gap: int, start: int) -> None:
    text = f"{year}/{(year + gap) % 100:02d}"
    with pytest.raises(ValueError, match="is not a month"):
        parse_period_or_year(text, start)
    assert parse_periods_or_years(pd.Series([text]), start).isna().all()


@given(
    texts=st.lists(
        st.one_of(
            st.builds(lambda y, m: f"{y}-{m:02d}", years, st.integers(1, 12)),
            st.builds(lambda y: f"{y}/{(y + 1) % 100:02d}", years),
            st.text(max_size=8),
        ),
        max_size=20,
    ),
    start=start_months,
)
def test_the_column_is_parsed_as_each_cell_is(texts: list[str], start: int) -> None:
    """The vectorised reading agrees with the one-cell reading, and anything else is missing, not guessed."""
    parsed = parse_periods_or_years(pd.Series(texts, dtype="string"), start)
    for text, got in zip(texts, parsed):
        try:
            expected = parse_period_or_year(text, start)
        except ValueError:
            assert pd.isna(got), text
        else:
            assert got == expected, text


def test_validate_counts_the_comparator_figures_groups_and_rebases(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from goldenthread.run.cli import app

    with_files = CliRunner().invoke(app, ["validate", str(council(tmp_path / "c"))])
    assert with_files.exit_code == 0, with_files.output
    # 8 areas x 2 indicators (the restricted one too: validate checks every row), 2 groups, 2 rebases
    assert "0 directorate plans, 16 comparator figures (2 groups), 2 SPC rebases." in with_files.output
    folder = write_dataset(tmp_path / "plain", [indicator(id="A1")], monthly("A1", "2019-04", [91.0]))
    without = CliRunner().invoke(app, ["validate", str(folder)])
    assert without.exit_code == 0 and "0 directorate plans." in without.output and "comparator" not in without.output
