"""Other documents through the same pipeline: folder names, the reports index, the business plan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_cli
from goldenthread.errors import DataError
from goldenthread.output.index import report_entries, write_index
from goldenthread.run.pipeline import notebook_parameters, report_folder_name, run_report


@pytest.mark.parametrize(
    ("args", "folder"),
    [
        (("2019-07", "public"), "2019-07"),
        (("2019-07", "internal"), "2019-07-internal"),
        (("2019-07", "public", "business_plan"), "business-plan-2019-07"),
        (("2019-09", "internal", "directorate_plan", "eci"), "directorate-plan-eci-2019-09-internal"),
    ],
)
def test_each_document_period_and_audience_has_its_own_folder(args: tuple[str, ...], folder: str) -> None:
    assert report_folder_name(*args) == folder


def test_only_the_notebooks_declared_parameters_are_passed() -> None:
    assert notebook_parameters(ROOT / "notebooks/business_plan.ipynb") == {
        "data",
        "period",
        "audience",
        "title",
        "rollup",
    }
    assert "front_sheet" in notebook_parameters(ROOT / "notebooks/corporate_performance_report.ipynb")


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_parameter_the_notebook_does_not_declare_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        run_report(
            ROOT / "parameters/2019-07.yaml",
            notebook=ROOT / "notebooks/business_plan.ipynb",
            out_root=tmp_path,
            extra={"directorate": "eci"},
        )
    assert str(err.value.problems[0]) == (
        "business_plan.ipynb: has no parameter 'directorate'. Its parameters cell "
        "declares: audience, data, period, rollup, title"
    )
    assert not list(tmp_path.iterdir())


def fake_report(out: Path, folder: str, **manifest: object) -> None:
    d = out / folder
    d.mkdir(parents=True)
    outputs = {}
    for name in manifest.pop("files", ["report.html", "report.pdf"]):  # type: ignore[union-attr]
        (d / name).write_text("x")
        outputs[name] = "0" * 64
    (d / "manifest.json").write_text(json.dumps({"outputs": outputs, **manifest}))


def test_the_index_lists_every_report_newest_period_first(tmp_path: Path) -> None:
    fake_report(
        tmp_path,
        "2019-06",
        notebook="notebooks/corporate_performance_report.ipynb",
        period="2019-06",
        audience="public",
        title="Corporate Performance Report - End of June",
        built_at="2026-11-20T10:00:00Z",
    )
    fake_report(
        tmp_path,
        "2019-07-internal",
        notebook="notebooks/corporate_performance_report.ipynb",
        period="2019-07",
        audience="internal",
        title="CPR July",
        files=["r.pdf", "r.html", "r.ipynb"],
    )
    fake_report(
        tmp_path,
        "business-plan-2019-07",
        notebook="notebooks/business_plan.ipynb",
        period="2019-07",
        audience="public",
        title="Business Plan 2019-2022",
    )
    (tmp_path / "2019-08.failed").mkdir()
    (tmp_path / "2019-08.failed" / "manifest.json").write_text("{}")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json")
    entries = report_entries(tmp_path)
    assert [(e["period"], e["kind"]) for e in entries] == [
        ("2019-07", "Business plan"),
        ("2019-07", "Corporate Performance Report"),
        ("2019-06", "Corporate Performance Report"),
    ]
    assert [link["format"] for link in entries[1]["links"]] == ["html", "pdf", "ipynb"]
    html = write_index(tmp_path).read_text(encoding="utf-8")
    assert html.count("<tr>") == 4  # header and three reports
    assert 'href="2019-07-internal/r.pdf"' in html and 'href="business-plan-2019-07/report.html"' in html
    assert "June 2019" in html and "2026-11-20" in html and "Internal</span>" in html
    assert re.search(r'(src|href)="https?:|url\(https?:', html) is None  # nothing fetched
    assert '"Segoe UI"' in html  # the stylesheet is not HTML-escaped
    assert not list(tmp_path.glob(".index-*"))


def test_an_empty_index_says_how_to_build_a_report(tmp_path: Path) -> None:
    assert "goldenthread report --period" in write_index(tmp_path).read_text(encoding="utf-8")


@pytest.mark.integration
def test_business_plan_through_the_cli(published_quarter: Path) -> None:
    reports = published_quarter / "reports"  # conftest's QUARTER: the business plan beside the quarter's others
    folder = reports / "business-plan-2019-07"
    html = (folder / "business_plan.html").read_text(encoding="utf-8")
    assert "Business Plan 2019-2022" in html and "The golden thread: what measures the plan" in html
    assert "Percentage of users using self-directed support" in html
    text = "\n".join(p.extract_text() for p in PdfReader(folder / "business_plan.pdf").pages)
    assert "Our outcomes at a glance" in text and "Key priorities measured by nothing" in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parameters"] == {"data": "data/example", "period": "2019-07", "audience": "public", "title": None}
    assert manifest["title"].startswith("Business Plan 2019-2022: progress to the end of July 2019")
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="business-plan-2019-07/business_plan.pdf"' in index


# --- directorate plans -----------------------------------------------------------------------------


def test_a_directorate_plan_holds_only_its_own_indicators() -> None:
    from goldenthread.documents.directorate_plan import build_directorate_plan

    plan = build_directorate_plan(str(ROOT / "data/example"), "eci", "2019-07")
    assert plan.heading == "Economic and Community Infrastructure Directorate Business Plan 2019/20"
    assert set(plan.card["directorate"]) == {"Economic and Community Infrastructure"} and len(plan.card) == 9
    delivery = plan.delivery().html
    assert (
        "Commissioned services over £1m" in delivery and "£51.7m" in delivery
    )  # the total of five contracts (£51,650,000, half up)
    months = [delivery.index(m) for m in ("August 2019", "February 2020", "March 2020", "2021/22")]
    assert months == sorted(months)  # key decisions in date order
    assert "How our indicators are doing" in plan.indicator_summary().html
    assert "Directorate scorecard" in plan.scorecard(charts=False).html


def test_a_restricted_or_unknown_directorate_plan_is_refused_for_the_public() -> None:
    from goldenthread.documents.directorate_plan import build_directorate_plan, directorates_for

    data = str(ROOT / "data/example")
    with pytest.raises(DataError) as err:
        build_directorate_plan(data, "finance", "2019-07", "public")
    assert str(err.value.problems[0]) == (
        "directorates/finance.yaml, key 'classification': is restricted, so it is "
        "not built for the public (found 'restricted'). Build it with audience: "
        "internal in the parameters file"
    )
    assert (
        build_directorate_plan(data, "finance", "2019-07", "internal").classification
        == "Internal - not for publication"
    )
    with pytest.raises(DataError, match=r"directorates/ecl.yaml: no such directorate plan. Use one of: adult-services"):
        build_directorate_plan(data, "ecl", "2019-07")
    assert directorates_for(data, "public") == (
        ["adult-services", "childrens-services", "corporate-affairs", "eci", "public-health"],
        ["finance"],
    )


@pytest.mark.integration  # starts goldenthread or its chart workers as processes
def test_the_cli_refuses_a_restricted_directorate_before_starting_a_kernel(tmp_path: Path) -> None:
    result = run_cli(
        "report",
        "--notebook",
        "directorate_plan",
        "--directorate",
        "finance",
        "--period",
        "2019-07",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 2
    assert "directorates/finance.yaml, key 'classification': is restricted" in result.stderr
    assert not list(tmp_path.iterdir())
    other = run_cli("report", "--all", "--period", "2019-07", "--out", str(tmp_path))
    assert other.returncode == 2 and "has no 'directorate' parameter" in other.stderr


@pytest.mark.integration
def test_every_directorate_plan_in_parallel_with_an_index(published_quarter: Path) -> None:
    # conftest's QUARTER: `report --notebook directorate_plan --all --period 2019-07`, beside the quarter's others
    stderr = (published_quarter / "stderr" / "directorate-plans.txt").read_text(encoding="utf-8")
    assert "Leaving out restricted directorate plan(s) finance" in stderr
    assert "5 of 5 directorate plans built" in stderr
    reports = published_quarter / "reports"
    built = sorted(p.name for p in reports.iterdir() if p.is_dir() and p.name.startswith("directorate-plan-"))
    assert built == [
        f"directorate-plan-{d}-2019-07"
        for d in ("adult-services", "childrens-services", "corporate-affairs", "eci", "public-health")
    ]
    html = (reports / "directorate-plan-adult-services-2019-07" / "directorate_plan.html").read_text("utf-8")
    assert "Adult Services Directorate Business Plan 2019/20" in html
    assert "Percentage of users using self-directed support" in html
    assert "Colley Lane" not in html  # an Economic and Community Infrastructure milestone
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert index.count("Directorate plan</strong>") == 5
    assert 'href="directorate-plan-eci-2019-07/directorate_plan.html"' in index


def test_a_directorate_id_cannot_reach_outside_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    with pytest.raises(DataError, match=r"--directorate: is not a directorate id \(found '\.\./\.\./escape'\)"):
        run_report(
            ROOT / "parameters/2019-07.yaml",
            notebook=ROOT / "notebooks/directorate_plan.ipynb",
            out_root=out,
            extra={"directorate": "../../escape"},
        )
    assert not out.exists() and not list(tmp_path.rglob("*escape*"))


def test_validate_checks_the_directorate_plans_too(example_copy: Path) -> None:
    from typer.testing import CliRunner

    from goldenthread.run.cli import app

    ok = CliRunner().invoke(app, ["validate", str(example_copy)])
    assert ok.exit_code == 0 and "6 directorate plans" in ok.output
    eci = example_copy / "directorates" / "eci.yaml"
    eci.write_text(eci.read_text(encoding="utf-8").replace("outcome: O1", "outcome: O9", 1), encoding="utf-8")
    bad = CliRunner().invoke(app, ["validate", str(example_copy)])
    assert bad.exit_code == 2
    assert "directorates/eci.yaml, key 'priorities.0.outcome': outcome is not in plan.yaml (found 'O9')" in bad.output
