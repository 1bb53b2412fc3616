"""What reaches the reader is inert and intact (issue 11, defect 1 and the bidi weak answer).

Every free-text field a council fills in (organisation.yaml, plan.yaml, directorates/*.yaml, the
parameters file and every text column of the CSV files) is planted with the same hostile payload,
each behind its own marker, and the three documents (the Corporate Performance Report, the business
plan and a directorate plan) are built once, as HTML, PDF and Word (tests/test_word.py reads the Word
files of the same build). Then, for every document:

- the HTML, parsed, holds no live tag or attribute the payload could have made (no script, no event
  handler, no image from anywhere but the report itself, no link but http(s), mailto and its own
  anchors), and every field the document shows reads as the payload, character for character;
- the PDF builds, and shows every one of those fields literally (so ``#read("/etc/passwd")`` was
  text, not code) - its title and author too;
- no invisible control that reorders text reaches either.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, copy_example, run_cli
from shared_builds import built_once

pytestmark = pytest.mark.integration

#: Script, event handler, Typst code, template syntax (Jinja and others), the ends of CDATA and
#: comments, both quotes, Typst math and references, an ampersand and a backslash.
PAYLOAD = (
    '<script>alert(1)</script> <img src=x onerror=alert(1)> #read("/etc/passwd") {{7*7}} '
    "{% if 1 %}IF{% endif %} ${x}$ ]]> --> \"' $x$ @ref <label> AT&T \\ end"
)
#: A right-to-left override, in the commentary (YAML refuses it; CSV readers drop it with a warning).
OVERRIDE = "\u202e%05 revo"


def marked(code: str) -> str:
    return f"ZQ{code} {PAYLOAD}"


# Where each field is planted. Codes: O organisation.yaml, P plan.yaml, D directorates/<id>.yaml,
# F the parameters file (report title and front sheet), I/V/C indicators, values and commentary CSV.
DIRECTORATE = "adult-services"


def plant(folder: Path) -> dict[str, Path]:
    """Copy data/example into ``folder`` with every free-text field hostile; returns the parameters files."""
    data = folder / "example"
    copy_example(data)

    org = yaml.safe_load((data / "organisation.yaml").read_text(encoding="utf-8"))
    org["name"] = marked("O-name")
    org["report_defaults"].update(
        title=marked("O-title"),
        meeting=marked("O-meeting"),
        cabinet_member=marked("O-cabinet"),
        lead_officer=marked("O-lead"),
        author=marked("O-author"),
        contact=marked("O-contact"),
    )
    org["status_scheme"]["statuses"] = {
        "green": {"label": marked("O-green"), "symbol": "✓", "colour": "#00703c"},
        "red": {"label": "Off target", "symbol": marked("O-redsym"), "colour": "#d4351c"},
    }
    _yaml(data / "organisation.yaml", org)

    plan = yaml.safe_load((data / "plan.yaml").read_text(encoding="utf-8"))
    plan["title"] = marked("P-title")
    plan["vision"] = marked("P-vision")
    plan["principles"] = [marked("P-principle")]
    plan["outcomes"][0]["title"] = marked("P-outcome")
    plan["outcomes"][0]["priorities"][0]["title"] = marked("P-priority")
    plan["outcomes"][0]["priorities"][0]["activities"] = [marked("P-activity")]
    _yaml(data / "plan.yaml", plan)

    path = data / "directorates" / f"{DIRECTORATE}.yaml"
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    old_name = d["name"]
    d.update(
        name=marked("D-name"),
        director=marked("D-director"),
        cabinet_members=[marked("D-cabinet")],
        purpose=marked("D-purpose"),
        social_value=[marked("D-social")],
        services_in_house=[marked("D-inhouse")],
        services_external=[marked("D-external")],
    )
    d["priorities"][0].update(title=marked("D-priority"), description=marked("D-pdesc"))
    d["commissioned_services"][0].update(
        service=marked("D-service"), provider=marked("D-provider"), contract_length=marked("D-length")
    )
    d["key_decisions"][0].update(decision=marked("D-decision"), description=marked("D-ddesc"))
    d["trading_company_slas"][0].update(company=marked("D-company"), service=marked("D-slaservice"))
    _yaml(path, d)

    ind = _csv(data / "indicators.csv")
    public = ind.index[
        (ind["classification"] == "public") & (ind["kind"] == "measure") & (ind["directorate"] == old_name)
    ]
    first, second = public[0], public[1]
    ind.loc[ind["directorate"] == old_name, "directorate"] = marked("D-name")  # the directorate's indicators
    ind.loc[first, ["title", "owner", "description", "source"]] = [
        marked("I-title"),
        marked("I-owner"),
        marked("I-description"),
        marked("I-source"),
    ]
    ind.to_csv(data / "indicators.csv", index=False, lineterminator="\n")
    hostile_id, other_id = ind.loc[first, "id"], ind.loc[second, "id"]

    vals = _csv(data / "values.csv")
    vals.loc[vals["indicator"] == hostile_id, "note"] = marked("V-note")
    vals.to_csv(data / "values.csv", index=False, lineterminator="\n")

    comm = _csv(data / "commentary.csv")
    comm = comm[~((comm["period"] == "2019-07") & comm["indicator"].isin([hostile_id, other_id]))]
    rows = [
        {
            "indicator": hostile_id,
            "period": "2019-07",
            "commentary": marked("C-commentary") + OVERRIDE,
            "actions": marked("C-actions"),
            "highlight": "success",
            "page_title": marked("C-page"),
            "classification": "public",
        },
        {
            "indicator": other_id,
            "period": "2019-07",
            "commentary": "Reviewed.",
            "status_override": "amber",
            "override_reason": marked("C-override"),
            "highlight": "concern",
            "classification": "public",
        },
    ]
    extra = pd.DataFrame(rows).reindex(columns=comm.columns).fillna("")
    pd.concat([comm, extra]).to_csv(data / "commentary.csv", index=False, lineterminator="\n")

    # Benchmarking (issue 14): the comparator groups' names and source, the figures' source, an area's name and a
    # rebase's reason. The main group and the reference group (England) are both shown by name.
    comparators = yaml.safe_load((data / "comparators.yaml").read_text(encoding="utf-8"))
    names = {comparators["main_group"]: marked("B-group"), "England": marked("B-england")}
    for group in comparators["groups"]:
        group["name"] = names.get(group["name"], group["name"])
    comparators["main_group"] = marked("B-group")
    comparators["source"] = marked("B-source")
    _yaml(data / "comparators.yaml", comparators)
    bench = _csv(data / "benchmarks.csv")
    bench["source"] = marked("B-figures")
    bench.loc[bench["area_code"] == bench["area_code"].iloc[1], "area_name"] = marked("B-area")
    bench.to_csv(data / "benchmarks.csv", index=False, lineterminator="\n")
    pd.DataFrame([{"indicator": hostile_id, "period": "2019-04", "reason": marked("R-reason")}]).to_csv(
        data / "rebases.csv", index=False, lineterminator="\n"
    )

    params = yaml.safe_load((ROOT / "parameters" / "2019-07.yaml").read_text(encoding="utf-8"))
    params["data"] = str(data)
    params["title"] = marked("F-title")
    fs = params["front_sheet"]
    for key in (
        "meeting",
        "division",
        "forward_plan_reference",
        "summary",
        "reasons",
        "links_to_priorities",
        "consultations",
        "scrutiny_comments",
    ):
        fs[key] = marked(f"F-{key}")
    for key in ("cabinet_member", "lead_officer", "author", "contact"):  # from organisation.yaml instead
        fs.pop(key, None)
    fs["recommendations"] = [marked("F-recommendation")]
    fs["implications"] = {k: marked(f"F-{k}") for k in ("financial", "legal", "hr", "risk", "other")}
    fs["seen_by"] = [{"role": marked("F-seenrole"), "name": marked("F-seenname"), "date": "2019-09-16"}]
    fs["informed"] = [{"role": marked("F-inrole"), "name": marked("F-inname"), "date": "2019-09-16"}]
    report_params = folder / PLANTED["report"]
    _yaml(report_params, params)
    plan_params = folder / PLANTED["plan"]  # no title: the business plan is titled from plan.yaml
    _yaml(plan_params, {"data": str(data), "period": "2019-07", "audience": "public"})
    return {"report": report_params, "plan": plan_params}


def _yaml(path: Path, obj: object) -> None:
    path.write_text(yaml.safe_dump(obj, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


#: What each document shows of the planted fields (every output format of it: HTML and PDF alike).
#: Not shown anywhere, and so only checked to be inert: an indicator's description and source and
#: a figure's note (the analysts' explorer shows them), and the organisation's default title and
#: meeting, which the parameters file overrides here (see test_defaults_from_organisation_yaml_...).
FRONT_SHEET = [
    "F-title",
    "F-meeting",
    "F-division",
    "F-forward_plan_reference",
    "F-summary",
    "F-recommendation",
    "F-reasons",
    "F-links_to_priorities",
    "F-consultations",
    "F-scrutiny_comments",
    "F-financial",
    "F-legal",
    "F-hr",
    "F-risk",
    "F-other",
    "F-seenrole",
    "F-seenname",
    "F-inrole",
    "F-inname",
    "O-cabinet",
    "O-lead",
    "O-author",
    "O-contact",
]
SCORECARD = [
    "O-name",
    "O-green",
    "O-redsym",
    "P-outcome",
    "I-title",
    "I-owner",
    "D-name",
    "C-commentary",
    "C-actions",
    "C-override",
    "R-reason",
]
#: Benchmarking's names and sources, in the report's summary and appendix (an area's name, B-area, is drawn in
#: the strip chart only, and so only checked to be inert).
BENCHMARKING = ["B-group", "B-england", "B-source", "B-figures"]
DIRECTORATE_PLAN = [
    "D-director",
    "D-cabinet",
    "D-purpose",
    "D-priority",
    "D-pdesc",
    "D-social",
    "D-inhouse",
    "D-external",
    "D-service",
    "D-provider",
    "D-length",
    "D-decision",
    "D-ddesc",
    "D-company",
    "D-slaservice",
]
DOCUMENTS = {
    "corporate_performance_report": ("2019-07", FRONT_SHEET + SCORECARD + BENCHMARKING + ["C-page"]),
    "business_plan": (
        "business-plan-2019-07",
        [
            "O-name",
            "O-green",
            "O-redsym",
            "P-title",
            "P-vision",
            "P-principle",
            "P-outcome",
            "P-priority",
            "P-activity",
            "I-title",
        ],
    ),
    "directorate_plan": (f"directorate-plan-{DIRECTORATE}-2019-07", SCORECARD + DIRECTORATE_PLAN),
}


#: The parameters files :func:`plant` writes, by document.
PLANTED = {"report": "report.yaml", "plan": "plan.yaml"}

#: The three builds from the planted parameters (arguments after ``goldenthread report``).
BUILDS = (
    ("report",),
    ("plan", "--notebook", "business_plan"),
    ("plan", "--notebook", "directorate_plan", "--directorate", DIRECTORATE),
)


def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted data (``hostile/``) and the three documents built from it (``out/``), as HTML, PDF and Word,
    once per test session: tests/test_word.py reads the Word files of the same build. Read it, never write in it.
    """

    def build(folder: Path) -> None:
        planted = plant(folder / "hostile")
        for name, *args in BUILDS:
            out = ["--out", str(folder / "out"), "--format", "html,pdf,docx"]
            result = run_cli("report", "--params", str(planted[name]), *args, *out)
            assert result.returncode == 0, result.stderr

    return built_once(tmp_path_factory, "hostile", build)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = hostile_build(tmp_path_factory) / "hostile"
    return {name: folder / file for name, file in PLANTED.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three documents built from the hostile data, once (see :func:`hostile_build`)."""
    return hostile_build(tmp_path_factory) / "out"


class Page(HTMLParser):
    """An HTML page as a browser sees it: its elements (with attributes) and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), tuple(self.open)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_pi(self, data: str) -> None:
        self.comments.append(data)

    def unknown_decl(self, data: str) -> None:  # <![CDATA[ ... ]]>
        self.comments.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


VOID = {"meta", "img", "br", "hr", "link", "input"}
#: Every element a goldenthread page is made of (templates, nbconvert's page, sanitised commentary).
ELEMENTS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "main",
    "footer",
    "section",
    "article",
    "figure",
    "div",
    "span",
    "p",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "br",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "img",
}


def assert_inert(page: Page) -> None:
    """No element, attribute or link the data could have made live."""
    tags = {tag for tag, _, _ in page.elements}
    assert tags <= ELEMENTS, f"unexpected elements: {tags - ELEMENTS}"
    assert not page.comments, page.comments[:3]  # no comment or CDATA section was opened (or closed) by data
    for tag, attrs, parents in page.elements:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "style":
            assert parents == ("html", "head"), "a style element outside the page's head"
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/svg+xml;base64,"), attrs.get("src", "")[:80]
        if tag == "a":
            href = attrs.get("href") or ""
            assert re.match(r"#|https?://|mailto:", href), href
        if tag == "meta":
            assert set(attrs) <= {"charset", "name", "content"}, attrs  # no http-equiv refresh
        assert "javascript:" not in " ".join(str(v) for v in attrs.values()).lower()


@pytest.mark.parametrize("document", DOCUMENTS)
def test_html_is_inert_and_shows_every_field_as_typed(built: Path, document: str) -> None:
    folder, fields = DOCUMENTS[document]
    html = (built / folder / f"{document}.html").read_text(encoding="utf-8")
    page = Page(html)
    assert_inert(page)
    for code in fields:
        assert f"ZQ{code} {PAYLOAD}" in page.words, f"{code} is not shown as typed in {document}.html"
    assert "\u202e" not in html  # the right-to-left override planted in the commentary


@pytest.mark.parametrize("document", DOCUMENTS)
def test_page_title_banner_and_footer_are_text(built: Path, document: str) -> None:
    """Issue 11, defect 1: the organisation's name and the title were written unescaped into every page."""
    folder, _ = DOCUMENTS[document]
    path = built / folder / f"{document}.html"
    title = {"corporate_performance_report": "F-title", "business_plan": "P-title"}.get(document, "D-name")
    for tag, shown in (("title", [title]), ("header", ["O-name"]), ("footer", ["O-name", title])):
        for code in shown:
            assert f"ZQ{code} {PAYLOAD}" in _text_of(path, tag), (tag, code)


def _text_of(path: Path, tag: str) -> str:
    """The text inside the first ``tag`` element of a page."""

    class One(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.depth, self.done, self.parts = 0, False, []

        def handle_starttag(self, t: str, attrs: list) -> None:
            if t == tag and not self.done:
                self.depth += 1
            elif self.depth and t not in VOID:
                self.depth += 1

        def handle_endtag(self, t: str) -> None:
            if self.depth:
                self.depth -= 1
                self.done = self.done or self.depth == 0

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.parts.append(data)

    one = One()
    one.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(one.parts).split())


def _squeezed(text: str) -> str:
    """Text without whitespace: a PDF's text comes back with its line breaks wherever lines wrapped."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_pdf_builds_and_shows_every_field_literally(built: Path, document: str) -> None:
    folder, fields = DOCUMENTS[document]
    reader = PdfReader(built / folder / f"{document}.pdf")
    text = _squeezed(" ".join(page.extract_text() for page in reader.pages))
    for code in fields:
        assert _squeezed(f"ZQ{code} {PAYLOAD}") in text, f"{code} is not shown as typed in {document}.pdf"
    assert "root:" not in text  # nothing was read from /etc/passwd
    assert "\u202e" not in text
    title = {"corporate_performance_report": "F-title", "business_plan": "P-title"}.get(document, "D-name")
    assert f"ZQ{title} {PAYLOAD}" in (reader.metadata.title or "")
    assert f"ZQO-name {PAYLOAD}" in (reader.metadata.author or "")


def test_defaults_from_organisation_yaml_are_text_too(planted: dict[str, Path], tmp_path: Path) -> None:
    """The organisation's defaults, shown when the parameters give none, and the front sheet's people from
    the parameters (the three builds take those from organisation.yaml)."""
    import nbformat

    from goldenthread.documents.report import build_report
    from goldenthread.output import render

    data = yaml.safe_load(planted["report"].read_text(encoding="utf-8"))["data"]
    section = build_report(data, "2019-07").front_sheet()  # no title, no front sheet: the organisation's
    page = Page(section.html)
    assert_inert(page)
    for code in ("O-title", "O-meeting", "O-cabinet", "O-lead", "O-author", "O-contact"):
        assert f"ZQ{code} {PAYLOAD}" in page.words, code
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "report.front_sheet()",
                outputs=[nbformat.v4.new_output("display_data", data=section._repr_mimebundle_())],
            )
        ]
    )
    render.export_html(nb, tmp_path / "front.html")
    assert_inert(Page((tmp_path / "front.html").read_text(encoding="utf-8")))
    render.export_pdf(nb, tmp_path / "front.pdf", tmp_path / "work")
    text = _squeezed(" ".join(p.extract_text() for p in PdfReader(tmp_path / "front.pdf").pages))
    for code in ("O-title", "O-meeting"):
        assert _squeezed(f"ZQ{code} {PAYLOAD}") in text, code

    people = {key: marked(f"F-{key}") for key in ("cabinet_member", "lead_officer", "author", "contact")}
    page = Page(build_report(data, "2019-07", front_sheet=people).front_sheet().html)
    assert_inert(page)
    for code in people:
        assert f"ZQF-{code} {PAYLOAD}" in page.words, code
