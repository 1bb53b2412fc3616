import pytest

from goldenthread.inputs.periods import (
    financial_year_label,
    financial_year_start,
    format_period,
    month_name,
    month_of_year,
    parse_period,
    quarter_label,
)


@pytest.mark.parametrize(
    "text, label",
    [
        ("2019-06", "Q1 2019/20"),
        ("2019-07", "Q1+1 2019/20"),
        ("2019-08", "Q1+2 2019/20"),
        ("2019-09", "Q2 2019/20"),
        ("2019-12", "Q3 2019/20"),
        ("2020-01", "Q3+1 2019/20"),
        ("2020-03", "Q4 2019/20"),
        ("2019-04", "Q4+1 2018/19"),
        ("2019-05", "Q4+2 2018/19"),
    ],
)
def test_quarter_labels_follow_the_uk_financial_year(text: str, label: str) -> None:
    assert quarter_label(parse_period(text)) == label


def test_financial_year_runs_april_to_march() -> None:
    assert financial_year_label(parse_period("2019-04")) == "2019/20"
    assert financial_year_label(parse_period("2020-03")) == "2019/20"
    assert financial_year_label(parse_period("2019-03")) == "2018/19"
    assert format_period(financial_year_start(parse_period("2020-02"))) == "2019-04"
    assert month_of_year(parse_period("2019-04")) == 1 and month_of_year(parse_period("2020-03")) == 12


def test_calendar_year_councils_are_supported() -> None:
    p = parse_period("2019-07")
    assert financial_year_label(p, start_month=1) == "2019"
    assert quarter_label(p, start_month=1) == "Q2+1 2019"
    assert quarter_label(parse_period("2019-12"), start_month=1) == "Q4 2019"


def test_round_trip_and_names() -> None:
    p = parse_period("2018-12")
    assert format_period(p) == "2018-12"
    assert month_name(p) == "December 2018"
    assert month_name(p, with_year=False) == "December"
    assert parse_period("2019-01") - parse_period("2018-01") == 12


@pytest.mark.parametrize("bad", ["2019-13", "2019-7", "July 2019", "2019/07", "", "19-07"])
def test_bad_periods_say_what_is_expected(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period(bad)
