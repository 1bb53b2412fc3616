"""The synthetic national set (benchmarks/national.py): valid councils, each its own, made the same way each time.

The batch benchmarks (issue 16) build reports for hundreds of these; a set that failed validation, or
changed between runs of the generator, would measure the wrong thing. Three organisations are enough
to see every property: the generator treats the first, the others and the shared file differently.
The last tests check benchmarks/batch.py's arithmetic (the breakdown and the projection docs/batch-scale.md
states) on hand-made files, without building anything.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from goldenthread.inputs.load import load_dataset
from national import NOISE, area_code, disk_bytes, make_national, org_name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"


def _values(folder: Path) -> dict[tuple[str, str], str]:
    with (folder / "values.csv").open(encoding="utf-8", newline="") as f:
        return {(r["indicator"], r["period"]): r["value"] for r in csv.DictReader(f)}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_national(tmp_path_factory.mktemp("national") / "set", count=3, seed=7)


def test_every_organisation_is_valid_and_named_apart(national: list[Path]) -> None:
    datasets = [load_dataset(folder) for folder in national]
    assert [d.organisation.name for d in datasets] == [org_name(i) for i in (1, 2, 3)]
    assert len({d.organisation.name for d in datasets}) == 3
    for folder, d in zip(national, datasets, strict=True):
        assert d.organisation.sign_off is None  # a council that does not sign off: public reports build
        assert not (folder / "audit.sqlite").exists()
        assert not (folder / "make_example.py").exists()  # the example's generator would rewrite the example


def test_figures_are_perturbed_within_bounds_and_milestones_kept(national: list[Path]) -> None:
    example = load_dataset(EXAMPLE)
    original = _values(EXAMPLE)
    units = example.indicators.set_index("id")["unit"].to_dict()
    kinds = example.indicators.set_index("id")["kind"].to_dict()
    for folder in national:
        changed = 0
        for (indicator, period), value in _values(folder).items():
            before = original[(indicator, period)]
            if kinds[indicator] == "milestone" or before == "":
                assert value == before
                continue
            old, new = float(before), float(value)
            changed += value != before
            if units[indicator] == "percent":
                assert 0 <= new <= 100
            assert old * new >= 0, "no figure changes sign"
            if old and not (units[indicator] == "percent" and new == 100):
                assert 0.9 * (1 - NOISE) - 0.01 <= new / old <= 1.1 * (1 + NOISE) + 0.01 or abs(new - old) <= 1
        assert changed > 100  # the figures are the organisation's own, not the example's
    assert _values(national[1]) != _values(national[2])


def test_the_same_seed_makes_the_same_files_and_another_seed_other_figures(
    national: list[Path], tmp_path: Path
) -> None:
    again = make_national(tmp_path / "again", count=3, seed=7)
    other = make_national(tmp_path / "other", count=3, seed=8)
    for first, second in zip(national, again, strict=True):
        assert _files(first) == _files(second)
    assert _values(national[0]) != _values(other[0])
    assert (national[0] / "commentary.csv").read_bytes() == (EXAMPLE / "commentary.csv").read_bytes()


def test_the_comparators_are_shared(national: list[Path]) -> None:
    datasets = [load_dataset(folder) for folder in national]
    first = (national[0] / "benchmarks.csv").read_bytes()
    for i, (folder, d) in enumerate(zip(national, datasets, strict=True), start=1):
        assert (folder / "benchmarks.csv").read_bytes() == first  # one file for the whole set
        assert d.comparators is not None and d.comparators.us == area_code(i)
        codes = set(d.benchmarks["area_code"])
        assert {area_code(j) for j in (1, 2, 3)} | {"E92000001"} == codes  # the set and England, no invented neighbours
        neighbours = d.comparators.groups[0]
        assert neighbours.name == "Nearest neighbours" and set(neighbours.areas) == {
            area_code(j) for j in (1, 2, 3)
        } - {area_code(i)}
    # one copy on disk: the shared file is counted once
    assert disk_bytes(national[0].parent) < sum(disk_bytes(f) for f in national)


def test_an_organisations_benchmark_figure_is_its_march_figure(national: list[Path]) -> None:
    d = load_dataset(national[1])
    ours = d.benchmarks[d.benchmarks["area_code"] == area_code(2)]
    values = _values(national[1])
    matched = 0
    for r in ours.itertuples():
        year = int(str(r.period_label)[:4]) + 1
        figure = values.get((str(r.indicator), f"{year}-03"))
        if figure:
            assert float(figure) == pytest.approx(r.value)
            matched += 1
    assert matched >= 30


# --- benchmarks/batch.py's arithmetic: the breakdown read from a run's files, and the projection ------------


def test_a_runs_stages_are_read_from_its_manifest_and_log(tmp_path: Path) -> None:
    from batch import run_stages

    timings = {"validate": 1.0, "execute": 6.0, "html": 1.0, "pdf": 2.0, "total": 10.5}
    (tmp_path / "manifest.json").write_text(json.dumps({"timings_seconds": timings}), encoding="utf-8")
    (tmp_path / "run.log").write_text(
        "2019-09-01 10:00:00,000 DEBUG   Run settings: ...\n"
        "2019-09-01 10:00:00,100 DEBUG   Started a kernel (pid 1) while the data is checked\n"
        "2019-09-01 10:00:01,000 INFO    Running corporate_performance_report.ipynb for 2019-07 (public)\n"
        "2019-09-01 10:00:02,600 DEBUG   The kernel's imports are done\n"
        "2019-09-01 10:00:02,600 DEBUG   Kernel ready after 2.60s\n",
        encoding="utf-8",
    )
    stages = run_stages(tmp_path)
    assert stages["kernel_wait"] == pytest.approx(1.6)
    assert stages["notebook"] == pytest.approx(4.4)
    assert stages["publish"] == pytest.approx(0.5)  # 10.5 - (1 + 1.6 + 4.4 + 1 + 2)
    assert stages["kernel_start"] == pytest.approx(2.5)
    assert stages["kernel_ready_after"] == pytest.approx(2.6)


def test_the_projection_is_runs_over_throughput_times_cores() -> None:
    from batch import project

    measured = {
        "engines": {"processes": {"reports_per_minute_per_core": 5.0, "memory": {}}},
        "output_bytes_per_run": 10,
    }
    p = project(measured, councils=300, quarters=4, cores=32, engine=None)
    assert p["runs"] == 1200 and p["from_engine"] == "processes"
    assert p["minutes_linear"] == pytest.approx(7.5)  # 1200 / (5 x 32)
    assert p["minutes_in_waves"] == pytest.approx(7.6)  # ceil(1200 / 32) = 38 waves of a fifth of a minute
    assert p["output_bytes_total"] == 12000
