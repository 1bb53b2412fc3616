"""Ranking and selection of areas of success and concern, and the leadership team's choices."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from conftest import indicator, monthly, write_dataset
from goldenthread.documents.report import build_report
from goldenthread.run.cli import app


def without_highlights(folder: Path) -> Path:
    comm = pd.read_csv(folder / "commentary.csv", dtype=str, keep_default_na=False)
    comm["highlight"] = ""
    comm.to_csv(folder / "commentary.csv", index=False, lineterminator="\n")
    return folder


def test_acceptance_drafted_from_the_example_data_alone(example_copy: Path) -> None:
    report = build_report(without_highlights(example_copy), "2019-07")
    success = " ".join(report.selection.success["text"])
    concern = report.selection.concern.set_index("indicator")
    sds = report.selection.success.set_index("indicator").loc["ASC-01", "text"]
    for part in ("8 months", "81.73%", "December", "94.41%"):
        assert part in sds
    assert "67.9% in July – the highest it has ever been" in success
    dtoc = concern.loc["ASC-03", "text"]
    assert "target of 2.5%" in dtoc and "2.53% in June" in dtoc and "2.96% in July" in dtoc
    assert set(report.area_candidates()["source"]) <= {"drafted", "below threshold", "over cap", "excluded"}


def test_acceptance_with_the_leadership_teams_choices() -> None:
    report = build_report("data/example", "2019-07")
    success, concern = report.selection.success, report.selection.concern
    assert {"ASC-01", "ASC-02", "FIN-01", "FIN-02", "INF-01", "ECO-01", "ECO-02", "ENV-01", "CSC-02"} == set(
        success["indicator"]
    )
    assert {"ASC-03", "INF-02"} <= set(concern["indicator"]) and len(concern) <= 5
    html = report.areas().html
    assert "consistent improvement for 8 months, from 81.73% in December to 94.41% in July" in html
    assert 'href="#ind-ASC-01"' in html


def test_choices_force_exclude_and_replace_wording(tmp_path: Path) -> None:
    inds = [indicator(id=i) for i in ("A1", "A2", "A3")]
    vals = (
        monthly("A1", "2019-01", [80, 81, 82, 83, 84, 85])
        + monthly("A2", "2019-01", [80, 81, 82, 83, 84, 85])
        + monthly("A3", "2019-01", [95, 95, 95, 95, 95, 95])
    )
    comm = [
        {"indicator": "A1", "period": "2019-06", "highlight": "exclude"},
        {"indicator": "A2", "period": "2019-06", "highlight": "success", "commentary": "Our words."},
        {"indicator": "A3", "period": "2019-06", "highlight": "concern", "override_reason": "Budget pressure"},
    ]
    report = build_report(write_dataset(tmp_path / "d", inds, vals, commentary=comm), "2019-06")
    cands = report.area_candidates().set_index("indicator")
    assert cands.loc["A1", "source"] == "excluded" and not cands.loc["A1", "in_report"]
    assert cands.loc["A2", "text"] == "Our words." and cands.loc["A2", "source"] == "chosen"
    assert cands.loc["A2", "draft"].startswith("This measure has seen consistent improvement for 6 months")
    assert cands.loc["A3", "direction"] == "concern" and cands.loc["A3", "override_reason"] == "Budget pressure"
    assert list(report.selection.success["indicator"]) == ["A2"]


def test_caps_keep_the_strongest_and_order_is_deterministic(tmp_path: Path) -> None:
    inds = [indicator(id=f"A{i}", target=70) for i in range(1, 6)]
    # every series ends in August; A1 improves for 4 months, A5 for 8
    vals = [
        row
        for i in range(1, 6)
        for row in monthly(f"A{i}", f"2019-{8 - (3 + i):02d}", [90] + [80 + k for k in range(3 + i)])
    ]
    folder = write_dataset(tmp_path / "d", inds, vals)
    first = build_report(folder, "2019-08", max_successes=2)
    again = build_report(folder, "2019-08", max_successes=2)
    assert list(first.selection.success["indicator"]) == ["A5", "A4"]  # the longest runs lead
    pd.testing.assert_frame_equal(first.area_candidates(), again.area_candidates())
    assert (first.area_candidates().set_index("indicator").loc[["A3", "A2", "A1"], "source"] == "over cap").all()


def test_one_item_per_indicator(example_copy: Path) -> None:
    report = build_report(without_highlights(example_copy), "2019-07")
    assert report.area_candidates()["indicator"].is_unique


def test_nothing_notable_gives_a_short_sensible_section(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", [indicator(id="A1")], monthly("A1", "2019-01", [95, 94, 95, 96, 95, 95]))
    report = build_report(folder, "2019-06")
    assert report.selection.success.empty and report.selection.concern.empty
    html = report.areas().html
    assert "No areas of success were identified this period." in html
    assert "No areas of concern were identified this period." in html


def test_summary_counts_statuses_and_unjudged() -> None:
    html = build_report("data/example", "2019-07").indicator_summary().html
    assert "Of the 34 indicators that can be judged, 22 are on target, 8 are near target and 4 are off target." in html
    assert "4 indicators do not yet have sufficient information" in html


def test_areas_command_prints_ranked_candidates_and_writes_commentary_rows(tmp_path: Path) -> None:
    out = tmp_path / "draft.csv"
    result = CliRunner().invoke(app, ["areas", "--period", "2019-07", "--csv", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Candidate areas for 2019-07" in result.output and "improving_run" in result.output
    with out.open(encoding="utf-8-sig") as f:  # a byte-order mark, so that Excel reads UTF-8
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "indicator",
        "period",
        "commentary",
        "actions",
        "status_override",
        "override_reason",
        "highlight",
        "page_title",
        "classification",
        "draft",
        "draft_area",
    ]
    assert {r["highlight"] for r in rows} <= {"success", "concern", "exclude", ""}
    asc = next(r for r in rows if r["indicator"] == "ASC-01")
    # the owner's commentary stays where it was; the draft has its own column
    assert asc["period"] == "2019-07" and "81.73% in December 2018" in asc["draft"]
    source = pd.read_csv("data/example/commentary.csv", dtype=str, keep_default_na=False)
    owner = source[(source["indicator"] == "ASC-01") & (source["period"] == "2019-07")]["commentary"].iloc[0]
    assert asc["commentary"] == owner


def test_exported_cells_cannot_become_formulas() -> None:
    from goldenthread.narrative.areas import candidates_as_commentary

    cands = pd.DataFrame(
        {
            "indicator": ["A1", "A2"],
            "direction": ["success", "concern"],
            "in_report": [True, False],
            "text": ["fine", "fine"],
            "draft": ['=HYPERLINK("x")', "-1 worse"],
        }
    )
    rows = candidates_as_commentary(cands, "2019-07")
    assert list(rows["draft"]) == ['\'=HYPERLINK("x")', "'-1 worse"]
    assert list(rows["highlight"]) == ["", ""]  # nothing is chosen on the leadership team's behalf
    assert list(rows["draft_area"]) == ["success", "concern"]


def test_extra_findings_are_ranked_with_the_others(tmp_path: Path) -> None:
    """SPC and benchmarking findings join the candidates: strongest first, one per family."""
    from goldenthread.narrative.areas import drafted
    from goldenthread.narrative.findings import COLUMNS

    folder = write_dataset(
        tmp_path / "d",
        [indicator(id="A1"), indicator(id="A2")],
        [
            *monthly("A1", "2019-01", [80, 82, 84, 86, 88, 90]),
            *monthly("A2", "2019-01", [91, 91, 92, 91, 92, 91]),
        ],
    )
    report = build_report(folder, "2019-06")
    plain = drafted(report.card, report.history, report.period, {})
    assert plain.equals(drafted(report.card, report.history, report.period, {}, extra=pd.DataFrame(columns=COLUMNS)))

    def finding(ind: str, kind: str, score: float, **kw: object) -> dict[str, object]:
        return {
            "indicator": ind,
            "kind": kind,
            "direction": "success",
            "score": score,
            "period": report.period,
            "value": 90.0,
            "target": 90.0,
            "polarity": "higher",
            "status": "green",
            "aggregation": "snapshot",
            **kw,
        }

    extra = pd.DataFrame(
        [
            finding(
                "A1",
                "benchmark_best",
                99.0,
                start_period=report.period - 3,
                group="Neighbours",
                rank=1,
                n=8,
                tied=True,
                period_label="2018/19",
                value=91.5,
            ),
            finding("A2", "special_cause_improvement", 70.0, rule="outside_limits", side="high", length=1),
            finding("ZZ", "benchmark_best", 99.0),  # not in this report (a restricted indicator): ignored
        ],
        columns=COLUMNS,
    )
    cands = drafted(report.card, report.history, report.period, {}, extra=extra).set_index("indicator")
    assert "ZZ" not in cands.index
    assert cands.loc["A1", "kind"] == "benchmark_best" and cands.loc["A1", "score"] == 99
    a1 = cands.loc["A1", "text"]
    assert a1.startswith("In 2018/19 the council ranked joint best of 8 in Neighbours, at 91.5%.")
    # the run (another family) still supports it
    assert a1.endswith(
        " This measure has seen consistent improvement for 6 months, from 80.0% in January 2019 to 90.0% in June."
    )
    assert cands.loc["A2", "kind"] == "special_cause_improvement"
    assert list(cands.index) == ["A1", "A2"]  # strongest first
