"""Directorate business plans (``directorates/<id>.yaml``): the example loads, and every mistake gets a clear message.

Messages are tested as a performance officer reads them (file, key, what is wrong, what to do), not
only that loading failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import EXAMPLE, PLAN, ROOT, indicator
from goldenthread.errors import DataError
from goldenthread.inputs.config import Plan
from goldenthread.inputs.directorates import (
    CommissionedService,
    Directorate,
    DirectoratePriority,
    KeyDecision,
    TradingCompanySLA,
    directorate_indicators,
    load_directorates,
)
from goldenthread.inputs.load import load_dataset

TEST_PLAN = Plan.model_validate(PLAN)  # outcomes O1 (priority O1.1) and O2 (priority O2.1)
TEST_INDICATORS = pd.DataFrame(
    [
        indicator(id="A1", directorate="Adult Services"),
        indicator(id="A2", directorate="Adult Services"),
        indicator(id="C1", directorate="Children's Services"),
    ]
)


def plan_text(**changes: object) -> dict[str, object]:
    """A valid directorate file's keys; ``changes`` replace them (``None`` removes a key)."""
    body: dict[str, object] = {
        "name": "Adult Services",
        "director": "Robin Vale, Director of Adult Social Care",
        "cabinet_members": ["Cllr Jo Bright, Cabinet Member for Adult Social Care"],
        "purpose": "Help adults live independently.",
        "priorities": [{"title": "Get people home from hospital", "outcome": "O1"}],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def write(folder: Path, file: str, body: object) -> Path:
    """Write ``directorates/<file>`` (a mapping as YAML, or text as it is) under ``folder``."""
    d = folder / "directorates"
    d.mkdir(parents=True, exist_ok=True)
    text = body if isinstance(body, str) else yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    (d / file).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path, indicators: pd.DataFrame | None = TEST_INDICATORS) -> list[str]:
    """The messages loading ``folder`` gives, as printed."""
    with pytest.raises(DataError) as err:
        load_directorates(folder, TEST_PLAN, indicators)
    return [str(p) for p in err.value.problems]


# --- the example data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> tuple[object, dict[str, Directorate]]:
    ds = load_dataset(EXAMPLE)
    return ds, load_directorates(EXAMPLE, ds.plan, ds.indicators)


def test_the_example_has_all_six_directorates(example) -> None:
    ds, plans = example
    assert list(plans) == [
        "adult-services",
        "childrens-services",
        "corporate-affairs",
        "eci",
        "finance",
        "public-health",
    ]
    assert {d.id for d in plans.values()} == set(plans)
    assert {d.name for d in plans.values()} == set(ds.indicators["directorate"])
    outcomes = {o.id for o in ds.plan.outcomes}
    assert all(p.outcome in outcomes for d in plans.values() for p in d.priorities)
    assert [d.id for d in plans.values() if d.classification == "restricted"] == ["finance"]


def test_the_example_eci_plan_is_modelled_on_seed_004(example) -> None:
    _, plans = example
    eci = plans["eci"]
    assert eci.name == "Economic and Community Infrastructure"
    assert {p.outcome for p in eci.priorities} == {"O1", "O2", "O3", "O4", "O5"}
    assert eci.social_value and eci.services_in_house and eci.services_external and eci.trading_company_slas
    assert all(c.annual_value > 1_000_000 for c in eci.commissioned_services) and len(eci.commissioned_services) >= 3
    years = {k.date for k in eci.key_decisions if "/" in k.date}
    assert {"2019/20", "2020/21", "2021/22"} <= years
    full = [d for d in plans.values() if d.commissioned_services and d.key_decisions and d.social_value]
    assert len(full) >= 3


def test_directorate_indicators_are_the_rows_with_its_name(example) -> None:
    ds, plans = example
    before = ds.indicators.copy()
    eci = directorate_indicators(ds.indicators, plans["eci"])
    assert len(eci) == (ds.indicators["directorate"] == "Economic and Community Infrastructure").sum() > 0
    assert set(eci["directorate"]) == {"Economic and Community Infrastructure"}
    assert "INF-01" in set(eci["id"])
    pd.testing.assert_frame_equal(ds.indicators, before)  # pure: the input is untouched


def test_the_example_files_say_the_figures_are_invented() -> None:
    for path in sorted((EXAMPLE / "directorates").glob("*.yaml")):
        head = path.read_text(encoding="utf-8").split("\nname:")[0].lower()
        assert "invented" in head and "illustrative" in head, path.name


# --- valid files ------------------------------------------------------------------------------


def test_a_minimal_file_loads_with_defaults_and_its_id_from_the_file_name(tmp_path: Path) -> None:
    plans = load_directorates(write(tmp_path, "adults.yaml", plan_text()), TEST_PLAN, TEST_INDICATORS)
    d = plans["adults"]
    assert d.id == "adults" and d.name == "Adult Services"
    assert d.classification == "public"
    assert d.social_value == [] and d.commissioned_services == [] and d.key_decisions == []


def test_no_directorates_folder_means_no_plans(tmp_path: Path) -> None:
    assert load_directorates(tmp_path, TEST_PLAN, TEST_INDICATORS) == {}
    (tmp_path / "directorates").mkdir()
    assert load_directorates(tmp_path, TEST_PLAN, TEST_INDICATORS) == {}


def test_files_are_read_in_file_name_order(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", plan_text(name="Children's Services"))
    write(tmp_path, "a.yaml", plan_text())
    assert list(load_directorates(tmp_path, TEST_PLAN, TEST_INDICATORS)) == ["a", "b"]


def test_a_single_cabinet_member_may_be_written_without_a_list(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(cabinet_members="Cllr Jo Bright"))
    assert load_directorates(tmp_path, TEST_PLAN)["adults"].cabinet_members == ["Cllr Jo Bright"]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("2020-03", "2020-03"),
        ("2020/21", "2020/21"),
        ("1999/00", "1999/00"),
        ("2020-03-15", "2020-03"),
    ],
)
def test_a_decision_date_is_a_month_or_a_financial_year(written: str, kept: str, tmp_path: Path) -> None:
    text = yaml.safe_dump(plan_text()) + f"key_decisions:\n  - decision: Recommission home care\n    date: {written}\n"
    plans = load_directorates(write(tmp_path, "adults.yaml", text), TEST_PLAN)
    assert plans["adults"].key_decisions[0].date == kept


def test_the_public_models_build_directly() -> None:
    d = Directorate(
        id="adults",
        name="Adult Services",
        director="R",
        cabinet_members=["C"],
        purpose="P",
        priorities=[DirectoratePriority(title="T", outcome="O1")],
        commissioned_services=[
            CommissionedService(service="S", provider="P", contract_length="5 years", annual_value=1_500_000)
        ],
        key_decisions=[KeyDecision(decision="D", date="2020/21", value=None)],
        trading_company_slas=[TradingCompanySLA(company="Co", service="S", annual_value=None)],
    )
    assert d.key_decisions[0].value is None and d.commissioned_services[0].annual_value == 1_500_000.0
    with pytest.raises(ValueError):
        Directorate(**{**d.model_dump(), "id": "Adult Services"})  # an id is a file name: lower-case, hyphens


# --- mistakes: one clear message each, naming the file and the key ----------------------------


def test_an_outcome_not_in_the_plan(tmp_path: Path) -> None:
    write(
        tmp_path,
        "adults.yaml",
        plan_text(priorities=[{"title": "T", "outcome": "O1"}, {"title": "T", "outcome": "O9"}]),
    )
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'priorities.1.outcome': outcome is not in plan.yaml (found 'O9'). "
        "Use one of: O1, O2"
    ]


def test_a_key_priority_given_as_the_outcome_points_to_its_outcome(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(priorities=[{"title": "T", "outcome": "O2.1"}]))
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'priorities.0.outcome': outcome is not in plan.yaml (found 'O2.1'). "
        "'O2.1' is a key priority; give its outcome, 'O2'"
    ]


def test_a_misspelt_key_gets_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(social_valeu=["Real living wage"]))
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'social_valeu': unknown key. Did you mean 'social_value'?"
    ]


def test_a_misspelt_nested_key_gets_did_you_mean(tmp_path: Path) -> None:
    write(
        tmp_path,
        "adults.yaml",
        plan_text(
            commissioned_services=[
                {"service": "Home care", "provider": "P", "contract_length": "5 years", "anual_value": 2_000_000}
            ]
        ),
    )
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'commissioned_services.0.annual_value': required key is missing. "
        "Rename key 'anual_value' to 'annual_value'"
    ]


def test_a_misspelt_required_key_is_one_rename(tmp_path: Path) -> None:
    body = plan_text(director=None)
    body["directer"] = "Robin Vale"
    write(tmp_path, "adults.yaml", body)
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'director': required key is missing. Rename key 'directer' to 'director'"
    ]


def test_a_name_not_in_indicators_gets_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(name="Adult Service"))
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'name': no indicator in indicators.csv has this directorate "
        "(found 'Adult Service'). Did you mean 'Adult Services'?"
    ]


def test_a_name_differing_only_in_case_gets_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(name="adult services"))
    assert problems(tmp_path)[0].endswith("Did you mean 'Adult Services'?")


def test_a_name_far_from_any_in_indicators_lists_them(tmp_path: Path) -> None:
    write(tmp_path, "highways.yaml", plan_text(name="Highways"))
    assert problems(tmp_path) == [
        "directorates/highways.yaml, key 'name': no indicator in indicators.csv has this directorate "
        "(found 'Highways'). Use the name exactly as in the directorate column of indicators.csv, one of: "
        "Adult Services, Children's Services"
    ]


def test_without_indicators_the_name_is_not_checked(tmp_path: Path) -> None:
    write(tmp_path, "highways.yaml", plan_text(name="Highways"))
    assert list(load_directorates(tmp_path, TEST_PLAN)) == ["highways"]


def test_two_files_with_the_same_name(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text())
    write(tmp_path, "asc.yaml", plan_text())
    assert problems(tmp_path) == [
        "directorates/asc.yaml, key 'name': has the same name as directorates/adults.yaml (found 'Adult Services'). "
        "Keep one file per directorate: merge them, or correct the name"
    ]


def test_a_bad_file_name_is_reported_and_the_file_still_checked(tmp_path: Path) -> None:
    write(tmp_path, "Adult Services.yaml", plan_text(priorities=[{"title": "T", "outcome": "O9"}]))
    assert problems(tmp_path) == [
        "directorates/Adult Services.yaml: file name is not a directorate id: use lower-case letters, digits and "
        "hyphens only (found 'Adult Services'). Rename the file to adult-services.yaml",
        "directorates/Adult Services.yaml, key 'priorities.0.outcome': outcome is not in plan.yaml (found 'O9'). "
        "Use one of: O1, O2",
    ]


def test_a_yml_file_is_reported_not_skipped(tmp_path: Path) -> None:
    write(tmp_path, "adults.yml", plan_text())
    assert problems(tmp_path) == [
        "directorates/adults.yml: is not read: directorate files end in .yaml. Rename it to adults.yaml"
    ]


def test_an_id_key_in_the_file(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", {"id": "asc", **plan_text()})
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'id': unknown key (found 'asc'). The id is the file name, so leave this key "
        "out (rename the file to change the id)"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "March 2020",
            'is not a month or a financial year: write a month as "YYYY-MM" (for example "2020-03") or a '
            'financial year as "YYYY/YY" (for example "2020/21"), in quotes (found \'March 2020\')',
        ),
        ("2020", "is not a month or a financial year"),
        ("2020-13", "is not a month or a financial year"),
        ("2020/2021", "is not a month or a financial year"),
        (
            "2020/22",
            "is not a financial year: the second year must follow the first, for example \"2020/21\" (found '2020/22')",
        ),
    ],
)
def test_a_bad_decision_date(written: str, message: str, tmp_path: Path) -> None:
    text = yaml.safe_dump(plan_text()) + f"key_decisions:\n  - decision: Recommission home care\n    date: {written}\n"
    [found] = problems(write(tmp_path, "adults.yaml", text))
    assert found.startswith(f"directorates/adults.yaml, key 'key_decisions.0.date': {message}")


@pytest.mark.parametrize(
    ("key", "entry"),
    [
        ("commissioned_services", {"service": "Home care", "provider": "P", "contract_length": "5 years"}),
        ("trading_company_slas", {"company": "Example Care Ltd", "service": "Supported living"}),
    ],
)
def test_a_negative_annual_value(key: str, entry: dict, tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(**{key: [{**entry, "annual_value": -250000}]}))
    assert problems(tmp_path) == [
        f"directorates/adults.yaml, key '{key}.0.annual_value': is negative: give the value in pounds as 0 or more "
        "(found '-250000')"
    ]


def test_a_negative_decision_value(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(key_decisions=[{"decision": "D", "date": "2020/21", "value": -1}]))
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'key_decisions.0.value': is negative: give the "
        "value in pounds as 0 or more (found '-1')"
    ]


@pytest.mark.parametrize("typed", ["£2.5m", "1,200,000", "2.5m"])
def test_money_typed_as_text(typed: str, tmp_path: Path) -> None:
    write(
        tmp_path,
        "adults.yaml",
        plan_text(
            commissioned_services=[
                {"service": "Home care", "provider": "P", "contract_length": "5 years", "annual_value": typed}
            ]
        ),
    )
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'commissioned_services.0.annual_value': is not a plain number: give pounds as "
        f"a number such as 2500000 (no £ sign, commas or 'm') (found '{typed}')"
    ]


def test_a_bad_classification(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(classification="Unrestricted"))
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml, key 'classification': ")
    assert "'public' or 'restricted'" in found and "(found 'Unrestricted')" in found


def test_blank_required_text(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(director="  "))
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml, key 'director': ")


def test_a_missing_required_key(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(purpose=None))
    assert problems(tmp_path) == [
        "directorates/adults.yaml, key 'purpose': required key is missing. Add it; see docs/data-contract.md"
    ]


@pytest.mark.parametrize("text", ["- a list\n- not a mapping\n", "just text\n"])
def test_not_a_mapping(text: str, tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", text)
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml: must be a mapping of keys to values")


def test_not_valid_yaml(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", "name: Adult Services\n  director: [unclosed\n")
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml, row ") and "is not valid YAML" in found


def test_every_problem_in_two_broken_files_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "adults.yaml",
        plan_text(name="Adult Service", priorities=[{"title": "T", "outcome": "O9"}], social_valu=["x"]),
    )
    write(
        tmp_path,
        "childrens.yaml",
        plan_text(
            name="Children's Services",
            director=None,
            key_decisions=[{"decision": "D", "date": "next year"}],
            commissioned_services=[{"service": "S", "provider": "P", "contract_length": "3 years", "annual_value": -1}],
        ),
    )
    found = problems(tmp_path)
    where = [re.match(r"(directorates/\S+?)(?:, key '([^']+)')?:", f).groups() for f in found]
    assert sorted(where) == sorted(
        [
            ("directorates/adults.yaml", "name"),
            ("directorates/adults.yaml", "priorities.0.outcome"),
            ("directorates/adults.yaml", "social_valu"),
            ("directorates/childrens.yaml", "director"),
            ("directorates/childrens.yaml", "key_decisions.0.date"),
            ("directorates/childrens.yaml", "commissioned_services.0.annual_value"),
        ]
    )
    with pytest.raises(DataError) as err:
        load_directorates(tmp_path, TEST_PLAN, TEST_INDICATORS)
    assert err.value.summary().startswith("6 problems found in the input data:")


# --- the data contract page -------------------------------------------------------------------


def _contract_section() -> str:
    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    start = page.index("## Directorate business plans (`directorates/<id>.yaml`)")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else None]


def test_the_data_contract_documents_every_key() -> None:
    section = _contract_section()
    for model in (Directorate, DirectoratePriority, CommissionedService, KeyDecision, TradingCompanySLA):
        for key in model.model_fields:
            if key != "id":
                assert f"`{key}`" in section, f"{model.__name__}.{key} is not documented"


def test_the_data_contract_example_is_valid(tmp_path: Path) -> None:
    snippet = re.search(r"```yaml\n(.*?)```", _contract_section(), flags=re.S).group(1)
    plans = load_directorates(
        write(tmp_path, "eci.yaml", snippet),
        Plan.model_validate({"vision": "v", "outcomes": [{"id": "O1", "title": "t"}, {"id": "O2", "title": "t"}]}),
    )
    assert plans["eci"].key_decisions[1].date == "2021/22"


# --- issue 11: what PyYAML accepts silently or fails on with a traceback ---------------------------


def test_a_file_nested_thousands_deep_is_a_message_not_a_recursion_error(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", yaml.safe_dump(plan_text()) + "social_value: " + "[" * 20000 + "]" * 20000 + "\n")
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml, row 9, key 'social_value.0.0.0.")
    assert "is nested too deeply: more than 20 lists and mappings inside each other" in found


def test_a_key_given_twice_is_not_silently_the_last(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", yaml.safe_dump(plan_text(), sort_keys=False) + "name: Children's Services\n")
    found = problems(tmp_path)
    assert found[0] == (
        "directorates/adults.yaml, row 9, key 'name': is given twice in the same mapping (first on "
        "line 1). Keep one: otherwise the last would be used and the first silently ignored"
    )


def test_a_right_to_left_override_is_refused_with_its_key(tmp_path: Path) -> None:
    write(tmp_path, "adults.yaml", plan_text(services_in_house=["Home care", "Day centres \u202e%05 revo"]))
    [found] = problems(tmp_path)
    assert found.startswith(
        "directorates/adults.yaml, row 11, key 'services_in_house.1': contains an invisible "
        "control character: U+202E (right-to-left override)"
    )


@pytest.mark.parametrize("written", [".inf", ".nan", "1.0e400", pytest.param("9" * 400, id="400-digits"), "2e15"])
def test_money_that_is_no_sum_of_money(written: str, tmp_path: Path) -> None:
    text = yaml.safe_dump(plan_text()) + (
        f"trading_company_slas:\n  - {{company: C, service: S, annual_value: {written}}}\n"
    )
    [found] = problems(write(tmp_path, "adults.yaml", text))
    assert found.startswith(
        "directorates/adults.yaml, key 'trading_company_slas.0.annual_value': is not a sum of "
        "money: give pounds as an ordinary number smaller than 10^15"
    )


def test_money_given_as_a_list_gets_pydantics_type_message_not_a_traceback(tmp_path: Path) -> None:
    write(
        tmp_path, "adults.yaml", plan_text(trading_company_slas=[{"company": "C", "service": "S", "annual_value": [1]}])
    )
    [found] = problems(tmp_path)
    assert found.startswith("directorates/adults.yaml, key 'trading_company_slas.0.annual_value': ")
