"""Sign-offs (issue 15, part 3): recorded in the audit store, the front sheet's Seen by filled from them, a
public build refused (or built as a DRAFT) without them, and a figure changed after a sign-off invalidating it.

One report is built for real (the draft, HTML and PDF); the other runs use a stand-in for Papermill that
runs the real front sheet with the parameters the run gives the notebook, so they take a second, not twenty.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
import typer
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, copy_example
from goldenthread.audit.signoff import SignOffState, record_signoff, signoff_state
from goldenthread.audit.store import AuditStore
from goldenthread.documents.report import build_report
from goldenthread.errors import DataError
from goldenthread.inputs.config import Organisation
from goldenthread.inputs.load import Dataset, load_dataset
from goldenthread.inputs.periods import parse_period
from goldenthread.run import pipeline
from goldenthread.run.cli_signoff import signoff

NOTEBOOK = ROOT / "notebooks" / "corporate_performance_report.ipynb"
JULY = parse_period("2019-07")
SIGN_OFF = {
    "required": [
        {"role": "Monitoring Officer"},
        {"role": "Corporate Finance"},
        {"role": "Directorate sign-off", "directorate": "Adult Services"},
    ],
    "when_missing": "refuse",
}
SIGNED = dt.datetime(2019, 9, 16, 9, 30, tzinfo=dt.UTC)


def council(tmp_path: Path, when_missing: str = "refuse") -> Path:
    """A copy of the example council whose organisation.yaml asks for three sign-offs."""
    data = tmp_path / "example"
    shutil.copytree(EXAMPLE, data, ignore=shutil.ignore_patterns("audit.sqlite"))
    org = yaml.safe_load((data / "organisation.yaml").read_text(encoding="utf-8"))
    org["sign_off"] = {**SIGN_OFF, "when_missing": when_missing}
    (data / "organisation.yaml").write_text(yaml.safe_dump(org, sort_keys=False), encoding="utf-8")
    return data


def parameters(tmp_path: Path, data: Path, audience: str = "public", **front_sheet: Any) -> Path:
    path = tmp_path / f"{audience}.yaml"
    text = {"data": str(data), "period": "2019-07", "audience": audience, "front_sheet": front_sheet}
    path.write_text(yaml.safe_dump(text), encoding="utf-8")
    return path


def sign(
    data: Path, *signers: tuple[str, str, str | None], now: dt.datetime = SIGNED, dataset: Dataset | None = None
) -> None:
    """Record each (role, name, directorate) sign-off of July 2019 (``dataset``: the data as loaded already)."""
    dataset = dataset or load_dataset(data)
    with AuditStore.for_data(data) as store:
        for role, name, directorate in signers:
            record_signoff(store, dataset, JULY, role, name, directorate, now=now)


def state(data: Path, dataset: Dataset | None = None) -> SignOffState:
    with AuditStore.for_data(data) as store:
        return signoff_state(store, dataset or load_dataset(data), JULY)


ALL = (
    ("Directorate sign-off", "Casey Brooks", "Adult Services"),
    ("Corporate Finance", "Morgan Reid", None),
    ("Monitoring Officer", "Jordan Ellis", None),
)


def change_figure(data: Path, indicator: str, period: str, old: str, new: str) -> None:
    """Edit one figure of values.csv, as a late correction would."""
    lines = (data / "values.csv").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{indicator},{period},"))
    assert lines[at].split(",")[2] == old
    lines[at] = lines[at].replace(f",{old},", f",{new},", 1)
    (data / "values.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- recording and reading -------------------------------------------------------------------------


def test_a_signoff_is_recorded_with_its_fingerprint_and_read_back(tmp_path: Path) -> None:
    data = council(tmp_path)
    dataset = load_dataset(data)
    sign(data, ("monitoring officer", "  Jordan   Ellis ", None), dataset=dataset)
    with AuditStore.for_data(data) as store:
        events = store.events(action="signoff")
    assert len(events) == 1
    row = events.iloc[0]
    assert (row["who"], row["period"], row["at"]) == ("Jordan Ellis", "2019-07", "2019-09-16T09:30:00+00:00")
    details = row["details"]
    assert (details["role"], details["directorate"]) == ("Monitoring Officer", None)  # organisation.yaml's spelling
    figures = details["fingerprints"]["indicators"]
    assert len(figures) == 41 and figures["ASC-02"]["figures"]["2019-07"]["value"] == "67.9"
    assert sorted(figures["ASC-02"]["periods"]) == [f"{y}-{m:02d}" for y, m in [(2018, 7 + i) for i in range(6)]] + [
        f"2019-{m:02d}" for m in range(1, 8)
    ]  # the 13 months up to the report month, one by one; older figures in one digest
    now = state(data, dataset)
    assert [(s.role, s.name, s.date) for s in now.valid] == [
        ("Monitoring Officer", "Jordan Ellis", dt.date(2019, 9, 16))
    ]
    assert [r.label for r in now.missing] == ["Corporate Finance", "Directorate sign-off (Adult Services)"]
    assert not now.stale and not now.complete


def test_a_directorate_signoff_covers_that_directorates_indicators_only(tmp_path: Path) -> None:
    data = council(tmp_path)
    dataset = load_dataset(data)
    sign(data, ("Directorate sign-off", "Casey Brooks", "adult services"), dataset=dataset)
    with AuditStore.for_data(data) as store:
        details = store.events(action="signoff").iloc[0]["details"]
    assert details["directorate"] == "Adult Services"
    ids = set(details["fingerprints"]["indicators"])
    indicators = dataset.indicators
    assert ids == set(indicators.loc[indicators["directorate"] == "Adult Services", "id"])
    change_figure(data, "CSC-09", "2019-07", *_figure(data, "CSC-09", "2019-07"))  # another directorate's figure
    assert [s.label for s in state(data).valid] == ["Directorate sign-off (Adult Services)"]


def _figure(data: Path, indicator: str, period: str) -> tuple[str, str]:
    """(old, new) for a figure of values.csv: new is old plus one."""
    for line in (data / "values.csv").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{indicator},{period},"):
            old = line.split(",")[2]
            return old, str(round(float(old) + 1, 1))
    raise AssertionError(f"{indicator} has no figure for {period}")


def test_seen_by_lists_the_signoffs_in_the_order_organisation_yaml_gives(tmp_path: Path) -> None:
    data = council(tmp_path)
    dataset = load_dataset(data)
    sign(data, *ALL, dataset=dataset)  # given in the reverse order
    now = state(data, dataset)
    assert now.complete
    assert [(s.role, s.name, s.date) for s in now.seen_by()] == [
        ("Monitoring Officer", "Jordan Ellis", dt.date(2019, 9, 16)),
        ("Corporate Finance", "Morgan Reid", dt.date(2019, 9, 16)),
        ("Directorate sign-off (Adult Services)", "Casey Brooks", dt.date(2019, 9, 16)),
    ]
    # a later sign-off of the same role replaces the earlier one
    sign(data, ("Corporate Finance", "Sam Patel", None), now=SIGNED + dt.timedelta(days=1), dataset=dataset)
    assert [s.name for s in state(data, dataset).seen_by()] == ["Jordan Ellis", "Sam Patel", "Casey Brooks"]


def test_a_role_or_directorate_not_asked_for_is_refused_with_what_is_allowed(tmp_path: Path) -> None:
    data = council(tmp_path)
    dataset = load_dataset(data)
    cases = {
        ("Chief Executive", None): "--role: is not a sign-off organisation.yaml asks for (found 'Chief Executive'). "
        "The sign-offs are 'Monitoring Officer', 'Corporate Finance', 'Directorate sign-off (Adult Services)'",
        ("Directorate sign-off", None): "--role: is given for a directorate (found 'Directorate sign-off'). "
        "Add --directorate with one of 'Adult Services'",
        (
            "Directorate sign-off",
            "Atlantis",
        ): "--directorate: is not a directorate of indicators.csv (found 'Atlantis')",
    }
    for (role, directorate), message in cases.items():
        with pytest.raises(DataError) as err:
            sign(data, (role, "Someone", directorate), dataset=dataset)
        assert str(err.value.problems[0]).startswith(message)
    with AuditStore.for_data(data) as store:
        assert store.events().empty  # nothing was recorded


def test_required_signoffs_are_listed_once_each() -> None:
    twice = {"required": [{"role": "Monitoring Officer"}, {"role": "monitoring  officer"}]}
    with pytest.raises(ValueError, match="lists 'Monitoring Officer' more than once"):
        Organisation.model_validate({"name": "X", "sign_off": twice})
    with pytest.raises(ValueError, match="when_missing"):
        Organisation.model_validate({"name": "X", "sign_off": {"when_missing": "publish"}})


# --- the command -----------------------------------------------------------------------------------


def command(*args: str) -> Any:
    app = typer.Typer()
    app.command()(signoff)
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})


def test_the_command_records_a_signoff_and_says_what_is_still_needed(tmp_path: Path) -> None:
    data = council(tmp_path)
    refused = command("--period", "2019-07", "--role", "Leader", "--by", "X", "--data", str(data))
    assert refused.exit_code == 2
    assert "The sign-offs are 'Monitoring Officer', 'Corporate Finance'" in refused.output
    assert not (data / "audit.sqlite").exists()  # a refused sign-off leaves nothing behind, not even a store
    assert command("--period", "2019-13", "--role", "Leader", "--by", "X", "--data", str(data)).exit_code == 2
    unknown = command(
        "--period", "2019-07", "--role", "Directorate sign-off", "--directorate", "Atlantis", "--by", "X",
        "--data", str(data),
    )  # fmt: skip
    assert unknown.exit_code == 2 and "is not a directorate of indicators.csv (found 'Atlantis')" in unknown.output

    name = "[b]Jordan[/b] Ellis :warning:"  # markup and emoji codes are printed as typed
    result = command("--period", "2019-07", "--role", "Monitoring Officer", "--by", name, "--data", str(data))
    assert result.exit_code == 0, result.output
    assert f"Monitoring Officer: {name}," in result.stdout
    assert "Still needed:\n  - Corporate Finance\n  - Directorate sign-off (Adult Services)\n" in result.stdout
    assert "2 sign-offs still needed before a public report of July 2019." in result.stdout
    assert len(state(data).valid) == 1


# --- report builds ---------------------------------------------------------------------------------


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Papermill replaced by the real front sheet built from the parameters the run passes; the parameters
    of each run are collected in the list returned."""
    given: list[dict[str, Any]] = []

    def execute(notebook_path, output, params, cwd, timeout, progress, kernel=None):  # noqa: ANN001
        given.append(params)
        keys = ("data", "period", "audience", "title", "front_sheet", "draft", "signoff_changes")
        args = {k: params[k] for k in keys if k in params}
        args["data"] = str(Path(cwd) / args["data"])
        section = build_report(**args).front_sheet()
        out = nbformat.v4.new_output("display_data", data=section._repr_mimebundle_())
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[out])]), output)

    monkeypatch.setattr(pipeline, "execute_notebook", execute)
    monkeypatch.setattr(pipeline.WarmKernel, "start", classmethod(lambda cls, root, notebook: None))  # none needed
    return given


def build(params: Path, out: Path, formats: tuple[str, ...] = ("html",)) -> pipeline.RunResult:
    return pipeline.run_report(params, notebook=NOTEBOOK, out_root=out, formats=formats)


def test_a_public_build_without_every_signoff_is_refused_listing_what_is_missing(
    tmp_path: Path, stand_in: list[dict[str, Any]]
) -> None:
    data = council(tmp_path)
    sign(data, ("Monitoring Officer", "Jordan Ellis", None))
    out = tmp_path / "reports"
    with pytest.raises(DataError) as err:
        build(parameters(tmp_path, data), out)
    assert [str(p) for p in err.value.problems] == [
        "audit store: the sign-off of Corporate Finance for 2019-07 has not been given. Record it with "
        '`goldenthread signoff --period 2019-07 --role "Corporate Finance" --by NAME`',
        "audit store: the sign-off of Directorate sign-off (Adult Services) for 2019-07 has not been given. Record "
        'it with `goldenthread signoff --period 2019-07 --role "Directorate sign-off" --directorate "Adult '
        'Services" --by NAME`',
    ]
    assert not stand_in and not list(out.glob("*/"))


@pytest.mark.integration  # runs git for the manifest
def test_a_figure_changed_after_a_signoff_invalidates_it_until_it_is_given_again(
    tmp_path: Path, stand_in: list[dict[str, Any]]
) -> None:
    data = council(tmp_path)
    sign(data, *ALL)
    change_figure(data, "ASC-02", "2019-07", "67.9", "70.1")
    dataset = load_dataset(data)
    now = state(data, dataset)
    # each sign-off covers ASC-02 (two the whole report, one Adult Services'): none holds any more
    assert [s.signoff.label for s in now.stale] == [
        "Monitoring Officer",
        "Corporate Finance",
        "Directorate sign-off (Adult Services)",
    ]
    assert all([str(c) for c in s.changes] == ["ASC-02, July 2019: figure 67.9 -> 70.1"] for s in now.stale)
    assert not now.valid and not now.missing
    with pytest.raises(DataError) as err:
        build(parameters(tmp_path, data), tmp_path / "reports")
    messages = [p.message for p in err.value.problems]
    assert len(messages) == 3 and all(
        "figures changed since (ASC-02, July 2019: figure 67.9 -> 70.1)" in m for m in messages
    )
    assert any(
        "the sign-off of Monitoring Officer by Jordan Ellis on 16/09/2019 no longer holds" in m for m in messages
    )

    sign(data, *ALL, dataset=dataset)
    assert state(data, dataset).complete
    result = build(parameters(tmp_path, data), tmp_path / "reports")
    assert result.out_dir.name == "2019-07" and stand_in[-1]["draft"] is False
    assert [s["name"] for s in stand_in[-1]["front_sheet"]["seen_by"]] == [
        "Jordan Ellis",
        "Morgan Reid",
        "Casey Brooks",
    ]
    page = result.files["html"].read_text(encoding="utf-8")
    assert "DRAFT" not in page and "Casey Brooks" in page
    manifest = json.loads(result.files["manifest"].read_text(encoding="utf-8"))
    with AuditStore.for_data(data) as store:
        check = store.verify()
    assert manifest["audit"] == {"head": check.head, "rows": 6, "ok": True}


@pytest.mark.integration  # runs git for the manifest
def test_an_internal_build_is_always_allowed_marked_draft_until_signed(
    tmp_path: Path, stand_in: list[dict[str, Any]]
) -> None:
    data = council(tmp_path)
    sign(data, ("Corporate Finance", "Morgan Reid", None))
    change_figure(data, "INT-01", "2019-07", *_figure(data, "INT-01", "2019-07"))  # restricted: internal only
    result = build(parameters(tmp_path, data, "internal"), tmp_path / "reports")
    assert result.out_dir.name == "2019-07-internal-draft"
    assert result.files["html"].name == "corporate_performance_report-DRAFT.html"
    assert stand_in[-1]["draft"] is True
    assert [c["indicator"] for c in stand_in[-1]["signoff_changes"]] == ["INT-01"]
    page = result.files["html"].read_text(encoding="utf-8")
    assert page.count("DRAFT") >= 2 and "Figures changed since sign-off" in page and "INT-01" in page


def test_a_public_report_never_names_a_restricted_figure_that_changed(tmp_path: Path) -> None:
    data = council(tmp_path)
    sign(data, *ALL)
    change_figure(data, "INT-01", "2019-07", *_figure(data, "INT-01", "2019-07"))
    change_figure(data, "ASC-02", "2019-07", "67.9", "70.1")
    dataset = load_dataset(data)
    now = state(data, dataset)
    assert [c["indicator"] for c in now.changes(dataset.for_audience("public").indicators["id"])] == ["ASC-02"]
    assert [c["indicator"] for c in now.changes()] == ["ASC-02", "INT-01"]


def test_seen_by_typed_in_the_parameters_is_refused_when_the_council_signs_off(
    tmp_path: Path, stand_in: list[dict[str, Any]]
) -> None:
    data = council(tmp_path)
    sign(data, *ALL)
    params = parameters(tmp_path, data, seen_by=[{"role": "Monitoring Officer", "name": "Jordan Ellis"}])
    with pytest.raises(DataError) as err:
        build(params, tmp_path / "reports")
    assert str(err.value.problems[0]).startswith(
        "public.yaml, key 'front_sheet.seen_by': is filled from the sign-offs, as organisation.yaml has a sign_off "
        "section. Remove seen_by from the parameters file"
    )


@pytest.mark.integration  # runs git for the manifest
def test_a_council_without_sign_off_builds_as_before(tmp_path: Path, stand_in: list[dict[str, Any]]) -> None:
    data = copy_example(tmp_path / "example")
    seen = [{"role": "Monitoring Officer", "name": "Jordan Ellis"}]
    result = build(parameters(tmp_path, data, seen_by=seen), tmp_path / "reports")
    assert result.out_dir.name == "2019-07" and "draft" not in stand_in[-1] and "signoff_changes" not in stand_in[-1]
    assert "audit" not in json.loads(result.files["manifest"].read_text(encoding="utf-8"))
    assert not (data / "audit.sqlite").exists()  # no store is made for a council that does not sign off


def test_the_word_header_says_draft(tmp_path: Path) -> None:
    import docx

    from goldenthread.output.word import REFERENCE_DOCX, finish_docx

    def header(meta: dict[str, Any]) -> str:
        document = docx.Document(io.BytesIO(finish_docx(REFERENCE_DOCX.read_bytes(), meta)))
        return "\n".join(p.text for s in document.sections for p in s.header.paragraphs)

    assert header({"classification": "Public", "draft": True}) == "DRAFT – not signed off for publication\nPublic"
    assert header({"classification": "Public"}) == "Public"


@pytest.mark.integration
def test_a_draft_public_report_says_draft_in_its_names_and_on_every_page(tmp_path: Path) -> None:
    """The whole pipeline, Papermill and Typst included: the notebook takes draft and signoff_changes."""
    from pypdf import PdfReader

    data = council(tmp_path, when_missing="draft")
    sign(data, ("Monitoring Officer", "Jordan Ellis", None))
    change_figure(data, "ASC-02", "2019-07", "67.9", "70.1")
    result = build(parameters(tmp_path, data), tmp_path / "reports", ("html", "pdf"))
    assert result.out_dir.name == "2019-07-draft"
    assert sorted(p.name for p in result.out_dir.iterdir()) == [
        "corporate_performance_report-DRAFT.html",
        "corporate_performance_report-DRAFT.pdf",
        "corporate_performance_report.ipynb",
        "manifest.json",
        "run.log",
    ]
    page = result.files["html"].read_text(encoding="utf-8")
    banner = page.index('<header class="gt-banner">')
    assert page.index("DRAFT – not signed off for publication", banner) < page.index("</header>", banner)
    assert "DRAFT: this report has not been signed off for publication" in page
    assert "Figures changed since sign-off" in page and "ASC-02 " in page and "70.1" in page
    pages = [p.extract_text() for p in PdfReader(result.files["pdf"]).pages]
    assert len(pages) > 5 and all("DRAFT" in text for text in pages)
    assert "Figures changed since sign-off" in pages[0] + pages[1]
    assert "(Q1+1 2019/20) (DRAFT)</th>" in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")


def test_each_change_is_named_figure_by_figure() -> None:
    """Older months are one digest (named, without figures); the window's months say what changed, old -> new."""
    from dataclasses import replace

    from goldenthread.audit.signoff import compare, fingerprints

    dataset = load_dataset(EXAMPLE)
    before = fingerprints(dataset, JULY)
    values, comm = dataset.values.copy(), dataset.commentary.copy()
    values.loc[(values["indicator"] == "ASC-02") & (values["period"] == parse_period("2017-07")), "value"] = 1.5
    values.loc[(values["indicator"] == "ASC-02") & (values["period"] == parse_period("2019-06")), "value"] = None
    comm.loc[(comm["indicator"] == "ASC-02") & (comm["period"] == JULY), "actions"] = "New [b]actions[/b]"
    keep = dataset.indicators["id"] != "FIN-01"
    after = replace(dataset, values=values, commentary=comm, indicators=dataset.indicators[keep])
    changes = compare(before, fingerprints(after, JULY))
    assert [str(c) for c in changes] == [
        "ASC-02, figures before July 2018: changed",
        "ASC-02, June 2019: figure 65.7 -> (blank)",
        "ASC-02, July 2019: actions Locality triage teams continue to share good practice wit... -> New [b]actions[/b]",
        "FIN-01, whole indicator: removed since the sign-off",
    ]
    assert compare(before, fingerprints(dataset, JULY)) == []  # the same figures: nothing changed


def test_the_report_shows_each_change_as_the_signoff_saw_it(tmp_path: Path) -> None:
    data = council(tmp_path)
    sign(data, ("Monitoring Officer", "Jordan Ellis", None))
    change_figure(data, "ASC-02", "2019-07", "67.9", "70.1")
    sign(data, ("Corporate Finance", "Morgan Reid", None))
    change_figure(data, "ASC-02", "2019-07", "70.1", "71.0")
    assert [(c["old"], c["new"], c["signoffs"]) for c in state(data).changes()] == [
        ("67.9", "71", "Monitoring Officer"),
        ("70.1", "71", "Corporate Finance"),
    ]
