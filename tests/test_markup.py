"""Commentary Markdown to safe HTML and Typst (goldenthread.output.markup)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typst
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.output import markup
from goldenthread.output.render import font_dirs
from goldenthread.output.typst_markup import INVISIBLE, visible


def test_markdown_becomes_html_and_raw_html_is_inert() -> None:
    html = markup.to_html(
        "**Bold** and [a link](https://example.org)\n\n<script>alert(1)</script>"
        "<img src=x onerror=alert(2)> [bad](javascript:alert(3))"
    )
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "alert(1)" in html  # the text is kept, as text


def test_one_paragraph_is_inline_content_so_it_runs_on_in_a_sentence() -> None:
    typst = markup.to_typst("Up for **8 months**.")
    assert typst == '[#[#"Up for "#strong[#"8 months"]#"."]]'
    assert "#par" not in typst and "parbreak" not in typst


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\n\nTwo.", '[#[#"One."]#parbreak()#[#"Two."]]'),
        ("Intro\n\n- a\n- b\n\nAfter", '[#[#"Intro"]#list([#"a"], [#"b"], )#parbreak()#[#"After"]]'),
        ("- loose\n\n  second\n- b", '[#list([#[#"loose"]#parbreak()#[#"second"]], [#[#"b"]], )]'),
        ("> quoted\n>\n> two", '[#quote(block: true)[#[#"quoted"]#parbreak()#[#"two"]]]'),
    ],
)
def test_paragraphs_are_separated_by_breaks_between_them(text: str, expected: str) -> None:
    assert markup.to_typst(text) == expected


@pytest.mark.integration  # compiles Typst
def test_typst_syntax_in_commentary_is_only_ever_text(tmp_path: Path) -> None:
    import typst

    hostile = '#import "/etc/passwd" $x^2$ @ref <label> *not bold in typst* \\ ] [ #{1/0}'
    content = markup.to_typst(hostile)
    (tmp_path / "t.typ").write_text(f"#let c = {content}\n#c\n", encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "t.typ"), font_paths=font_dirs(), ignore_system_fonts=True)
    assert pdf[:4] == b"%PDF"  # compiles: nothing was read, run or left unbalanced


# --- issue 11: no commentary text can break the PDF, reorder what is read, or fetch anything ---------

#: Pieces of Markdown-ish text an owner (or someone out to embarrass the council) might type.
MARKDOWNISH = st.sampled_from(
    [
        "```",
        "```python",
        "~~~",
        "    ",
        "`",
        "``",
        "#",
        "# ",
        "## ",
        "###### ",
        "$",
        "$$",
        "\\",
        "\\\\",
        "*",
        "**",
        "***",
        "_",
        "__",
        "- ",
        "+ ",
        "* ",
        "1. ",
        "3) ",
        "  - ",
        "    - ",
        "> ",
        ">> ",
        "<script>",
        "</p>",
        "<b>",
        "<img src=x onerror=alert(1)>",
        "&amp;",
        "&#x202e;",
        "&#0;",
        "&nbsp;",
        "| a | b |",
        "|---|---|",
        "---",
        "===",
        "[",
        "]",
        "(",
        ")",
        "[x](javascript:alert(1))",
        "[x](https://example.org)",
        "![alt](http://x/y.png)",
        "<https://example.org>",
        "@ref",
        "<label>",
        '"',
        "'",
        "{",
        "}",
        "#{1/0}",
        '#read("/etc/passwd")',
        "]]>",
        "-->",
        "\u202e",
        "\u2066",
        "\x00",
        "\x1b",
        "\t",
        "\n",
        "\n\n",
        "  \n",
        "text",
        "Über",
        "🙂",
        "👩\u200d👩\u200d👧",
        "ﷺ",
        "a" * 40,
    ]
)
COMMENTARY = st.lists(st.one_of(MARKDOWNISH, st.text(max_size=8)), max_size=30).map("".join)


@pytest.fixture(scope="module")
def typst_check():
    """Compile a piece of Typst content as the report does (same fonts); raises TypstError if invalid.

    The fonts are loaded once and each document compiled from memory, so checking hundreds of
    examples stays cheap. (A reused ``typst.Compiler`` re-parses edits incrementally and can panic
    on some edits: not a behaviour of the report, which compiles each document once.)
    """
    fonts = typst.Fonts(include_system_fonts=False, font_paths=font_dirs())

    def check(content: str) -> bytes:
        return typst.compile(f"#let c = {content}\n#par(c)\n#c\n".encode(), font_paths=fonts)

    return check


@pytest.mark.integration  # compiles Typst
def test_an_empty_code_fence_compiles(typst_check) -> None:
    """Issue 11, defect 4: commentary ending in an empty fence wrote ``#raw()`` and stopped the PDF."""
    for text in ("Done.\n\n```\n```", "```\n```", "````\n````", "~~~\n~~~", "`` ``"):
        assert typst_check(markup.to_typst(text))[:4] == b"%PDF", text
    assert markup.to_typst("```\n```") == '[#raw("", block: true)]'


@pytest.mark.integration  # compiles Typst
@settings(max_examples=examples(300))
@given(COMMENTARY)
@example("text\n\n```\n```")
@example("- a\n  - b\n    - c\n\n> - q\n>   ```\n>   code\n>   ```")
def test_no_commentary_can_make_invalid_typst(typst_check, text: str) -> None:
    """Whatever is typed, the Typst compiles: no owner can stop the PDF (issue 11, defect 4)."""
    assert typst_check(markup.to_typst(text))[:4] == b"%PDF"


@settings(max_examples=examples(300))
@given(COMMENTARY)
def test_commentary_html_has_only_allowed_tags_and_safe_links(text: str) -> None:
    html = markup.to_html(text)
    found = _Tags()
    found.feed(html)
    assert {t for t, _ in found.tags} <= markup.ALLOWED_TAGS
    for tag, attrs in found.tags:
        assert set(attrs) <= markup.ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        href = attrs.get("href")
        assert href is None or re.match(r"(?i)(https?://|mailto:)", href), href
    assert not INVISIBLE.search(html) and not INVISIBLE.search(markup.to_typst(text))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize(
    "control",
    ["\u202e", "\u202b", "\u2067", "\u2069", "\u200f", "\x00", "\x07", "\x1b", "\x85", "\ufeff", "&#x202e;", "&#8238;"],
)
def test_reordering_and_control_characters_never_reach_the_reader(control: str) -> None:
    """Issue 11 (weak answer): U+202E made '%05 revo' display as 'over 50%'. Typed or as an entity, it is dropped."""
    r = markup.rich(f"Spend is {control}%05 revo budget")
    assert r.html == "<p>Spend is %05 revo budget</p>"
    assert r.typst == '[#[#"Spend is %05 revo budget"]]'


def test_tab_newline_and_joined_emoji_are_kept() -> None:
    family = "👩\u200d👩\u200d👧"
    assert visible(f"a\tb\nc {family}") == f"a\tb\nc {family}"
    assert family in markup.to_html(family) and family in markup.to_typst(family)


def test_template_values_lose_controls_but_keep_their_type() -> None:
    from markupsafe import Markup as SafeHTML

    assert markup.printable("Over \u202e%05") == "Over %05"
    safe = markup.printable(SafeHTML("<p>\u2066x</p>"))
    assert isinstance(safe, SafeHTML) and safe == "<p>x</p>"
    assert markup.printable(5) == 5


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>"),
        ("[x](//evil.example/a)", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](../../secret.html)", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](vbscript:msgbox)", "<p>[x](vbscript:msgbox)</p>"),
        ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
        (
            "[x](mailto:performance@example.org)",
            '<p><a href="mailto:performance@example.org" rel="noopener noreferrer">x</a></p>',
        ),
    ],
)
def test_links_go_only_somewhere_absolute_and_harmless(text: str, html: str) -> None:
    assert markup.to_html(text) == html


def test_images_are_links_and_nothing_is_fetched() -> None:
    html = markup.to_html(
        "See ![the chart](https://tracker.example/pixel.png?who=cabinet) and ![](data:image/png;base64,AAAA)"
    )
    assert "<img" not in html and "src=" not in html
    assert '<a href="https://tracker.example/pixel.png?who=cabinet" rel="noopener noreferrer">the chart</a>' in html
    assert "data:image" not in markup.to_typst("![](data:image/png;base64,AAAA)")


def test_headings_are_bold_paragraphs_not_report_structure() -> None:
    assert markup.to_html("# Big\u200b news\nText") == "<p><strong>Big news</strong></p>\n<p>Text</p>"
    assert markup.to_html("Heading\n---\nText") == "<p><strong>Heading</strong></p>\n<p>Text</p>"
    assert markup.to_typst("## Big news") == '[#[#strong[#"Big news"]]]'


def test_a_numbered_list_keeps_its_numbers() -> None:
    """'3. Third point' must not be renumbered 1 (the sanitiser used to drop ``start``)."""
    assert markup.to_html("3. third\n4. fourth").startswith('<ol start="3">')
    assert markup.to_typst("3. third\n4. fourth") == '[#enum(start: 3, [#"third"], [#"fourth"], )]'


def test_code_blocks_are_code_blocks_and_keep_their_text() -> None:
    assert markup.to_typst('```\nx = "#read()"\n```') == '[#raw("x = \\"#read()\\"\\n", block: true)]'
    assert markup.to_typst("a `b` c") == '[#[#"a "#raw("b")#" c"]]'


def test_html_entities_show_as_the_characters_they_name() -> None:
    assert markup.to_html("Fish &amp; chips &lt;b&gt; &copy;") == "<p>Fish &amp; chips &lt;b&gt; ©</p>"
    assert markup.to_typst("Fish &amp; chips &lt;b&gt;") == '[#[#"Fish & chips <b>"]]'


def test_a_control_character_written_as_an_entity_is_replaced_visibly() -> None:
    """``&#x1b;`` is not a character a document may hold: markdown-it shows it as U+FFFD, never as ESC."""
    r = markup.rich("a &#x1b; &#0; b")
    assert "\x1b" not in r.html and "\x00" not in r.html and "\x1b" not in r.typst


@pytest.mark.parametrize("text", ["[Note]: provisional", '[1]: https://example.org "Source"', "[a]: b\n[c]: d"])
def test_a_line_that_looks_like_a_link_definition_is_kept(text: str) -> None:
    """Markdown reads "[Note]: provisional" as a link definition and shows nothing: the owner's words vanished."""
    words = re.findall(r"\w+", text)
    shown = markup.to_html(text)
    assert words and all(w in shown for w in words)
    assert all(w in markup.to_typst(text) for w in words)


class _Shown(HTMLParser):
    """What a reader sees of a commentary's HTML: its text, and the number a numbered list starts at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ol":
            self.parts.append(dict(attrs).get("start") or "1")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


WORDS = st.sampled_from(["alpha", "beta", "gamma", "x1", "note", "provisional", "2019", "Über"])
SYNTAX = st.sampled_from(
    [
        "```",
        "~~~",
        "    ",
        "`",
        "#",
        "# ",
        "## ",
        "$",
        "\\",
        "*",
        "**",
        "_",
        "__",
        "- ",
        "+ ",
        "  - ",
        "> ",
        "<",
        ">",
        "[",
        "]",
        "(",
        ")",
        "|",
        "---",
        "===",
        "\n",
        "\n\n",
        "  \n",
        " ",
        "!",
        ":",
        '"',
        "'",
        ". ",
    ]
)


@settings(max_examples=examples(300))
@given(st.lists(st.one_of(SYNTAX, WORDS), max_size=25).map("".join))
@example("```alpha")
@example("[Note]: provisional")
@example("Heading\n===\n\n> - 2019) note")
def test_no_word_of_a_commentary_is_lost(text: str) -> None:
    """Markdown may change how words look, never drop them (a fence's info string and a line read as a
    link definition used to vanish)."""
    shown = " ".join(_Shown(markup.to_html(text)).parts)
    typst_text = markup.to_typst(text)
    for word in re.findall(r"[^\W_]+", text):  # letters and digits: "_" and "*" are emphasis
        assert word in shown and word in typst_text, word
