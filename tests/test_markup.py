"""Commentary Markdown to safe HTML and Typst (goldenthread.markup)."""
from __future__ import annotations

from pathlib import Path

import pytest

from goldenthread import markup
from goldenthread.render import font_dirs


def test_markdown_becomes_html_and_raw_html_is_inert() -> None:
    html = markup.to_html("**Bold** and [a link](https://example.org)\n\n<script>alert(1)</script>"
                          "<img src=x onerror=alert(2)> [bad](javascript:alert(3))")
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "alert(1)" in html  # the text is kept, as text


def test_one_paragraph_is_inline_content_so_it_runs_on_in_a_sentence() -> None:
    typst = markup.to_typst("Up for **8 months**.")
    assert typst == '[#[#"Up for "#strong[#"8 months"]#"."]]'
    assert "#par" not in typst and "parbreak" not in typst


@pytest.mark.parametrize(("text", "expected"), [
    ("One.\n\nTwo.", '[#[#"One."]#parbreak()#[#"Two."]]'),
    ("Intro\n\n- a\n- b\n\nAfter", '[#[#"Intro"]#list([#"a"], [#"b"], )#parbreak()#[#"After"]]'),
    ("- loose\n\n  second\n- b", '[#list([#[#"loose"]#parbreak()#[#"second"]], [#[#"b"]], )]'),
    ("> quoted\n>\n> two", '[#quote(block: true)[#[#"quoted"]#parbreak()#[#"two"]]]'),
])
def test_paragraphs_are_separated_by_breaks_between_them(text: str, expected: str) -> None:
    assert markup.to_typst(text) == expected


def test_typst_syntax_in_commentary_is_only_ever_text(tmp_path: Path) -> None:
    import typst

    hostile = '#import "/etc/passwd" $x^2$ @ref <label> *not bold in typst* \\ ] [ #{1/0}'
    content = markup.to_typst(hostile)
    (tmp_path / "t.typ").write_text(f"#let c = {content}\n#c\n", encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "t.typ"), font_paths=font_dirs(), ignore_system_fonts=True)
    assert pdf[:4] == b"%PDF"  # compiles: nothing was read, run or left unbalanced
