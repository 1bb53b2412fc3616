"""Commentary text, rendered safely: Markdown in, sanitised HTML and Typst content out.

Owners write commentary in spreadsheets and sometimes use Markdown (bold, lists, links). It is
rendered with markdown-it (raw HTML switched off, so ``<script>`` stays text), cleaned again with
nh3 (the Ammonia sanitiser: an allow-list of tags and attributes, no event handlers, only absolute
http, https and mailto links), and the same cleaned tree is turned into Typst content for the PDF,
where every piece of text is a string literal and cannot become Typst code.

A commentary box is not a page layout: a Markdown heading shows as a bold paragraph (it must not
add to the report's outline), an image as a link labelled with its alt text (a published report
fetches nothing), and invisible controls that reorder text (U+202E shows "%05 revo" as "over 50%")
are dropped, however they were written (typed, or as an entity such as ``&#x202e;``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup as SafeHTML

from goldenthread.output.typst_markup import Markup, string, visible

ALLOWED_TAGS = {"p", "strong", "em", "b", "i", "ul", "ol", "li", "a", "br", "code", "pre", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: A link is kept only when it goes somewhere absolute and harmless; anything else shows its text.
_SAFE_HREF = re.compile(r"(?i)^(https?://[^\s/]|mailto:\S)")

# Link reference definitions are off: "[Note]: provisional" on a line of its own is a definition to
# Markdown, and the whole line vanished from the report.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("reference")


def _heading_open(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A heading in commentary is emphasis, not structure: the report's outline is the report's own."""
    return "<p><strong>"


def _heading_close(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    return "</strong></p>\n"


def _image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """An image becomes a link to it labelled with its alt text ("image" if it has none): nothing is
    fetched when the report is read, and a data: image's bytes are never shown as text."""
    token = tokens[idx]
    label = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(str(token.attrGet("src") or ""))}">{escape(label)}</a>'


def _fence(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A fenced code block, its info string ("```Figures to follow") kept as its first line, not dropped."""
    token = tokens[idx]
    info = token.info.strip()
    return f"<pre><code>{escape(info + chr(10) if info else '')}{escape(token.content)}</code></pre>\n"


_md.add_render_rule("fence", _fence)
_md.add_render_rule("heading_open", _heading_open)
_md.add_render_rule("heading_close", _heading_close)
_md.add_render_rule("image", _image)


@dataclass(frozen=True)
class RichText:
    """One piece of commentary in both output forms: ``.html`` for templates, Typst for the PDF."""

    html: str
    typst: Markup

    def __typst__(self) -> str:
        return str(self.typst)


def rich(text: str) -> RichText:
    """Markdown -> :class:`RichText` (sanitised HTML and Typst content)."""
    return RichText(SafeHTML(to_html(text)), to_typst(text))


def printable(value: object) -> object:
    """A template value without invisible controls, keeping its type (already-safe HTML stays safe).

    The HTML templates' ``finalize``: every value from the data passes through it before it is
    escaped, so no field can reorder the text a reader sees, whatever the reader of the files let by.
    """
    if isinstance(value, SafeHTML):
        return SafeHTML(visible(str(value)))
    if isinstance(value, str):
        return visible(value)
    return value


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: absolute http(s)/mailto links only, and a list's start as a plain number."""
    if tag == "a" and attribute == "href":
        return value if _SAFE_HREF.match(value) else None
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 9 else None
    return value


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Markdown -> sanitised HTML fragment (safe to embed without escaping)."""
    rendered = _md.render(visible(text or ""))
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute,
        link_rel="noopener noreferrer",
    )
    return visible(cleaned).strip()  # entities such as &#x202e; are characters by now


@lru_cache(maxsize=4096)
def to_typst(text: str) -> Markup:
    """Markdown -> Typst content, via the same sanitised HTML as :func:`to_html`."""
    converter = _TypstWriter()
    converter.feed(to_html(text))
    converter.close()
    return Markup("[" + converter.result() + "]")


class _TypstWriter(HTMLParser):
    """Walk the sanitised HTML and write Typst content; text only ever as string literals.

    Code is collected and written whole when it closes, as ``#raw("...")``: an empty code block
    still gives a valid call, and a code block (``<pre>``) is laid out as one.
    """

    _OPEN = {"strong": "#strong[", "b": "#strong[", "em": "#emph[", "i": "#emph[", "blockquote": "#quote(block: true)["}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.lists: list[tuple[str, list[str]]] = []  # each open list's opening call and its items
        self.items: list[list[str]] = []
        self.code: list[str] | None = None  # the text of the code being read, if any
        self.after_block = False  # the last thing written closed a paragraph, list or quote

    def _emit(self, text: str) -> None:
        (self.items[-1] if self.items else self.out).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        after_block, self.after_block = self.after_block, False
        if self.code is not None:
            return  # the sanitiser allows nothing inside code; if it did, its text is still kept
        if tag in ("p", "pre"):
            # Paragraphs are inline content with breaks *between* them, so a one-paragraph comment can
            # run on in a sentence ("2.2.1 Title – text (Appendix A, page 14)") as seed 003 lays it out.
            if after_block:
                self._emit("#parbreak()")
            if tag == "p":
                self._emit("#[")
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            self.lists.append(
                (f"#enum(start: {int(start)}, " if tag == "ol" and start else "#list(" if tag == "ul" else "#enum(", [])
            )
        elif tag == "li":
            self.items.append([])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._emit(f"#link({string(href)})[" if href else "#[")
        elif tag == "br":
            self._emit("#linebreak()")
            return
        elif tag == "code":
            self.code = []
        elif tag in self._OPEN:
            self._emit(self._OPEN[tag])
        else:
            return
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in ("ul", "ol"):
                opening, items = self.lists.pop()
                self._emit(opening + "".join(f"[{i}], " for i in items) + ")")
            elif top == "li":
                item = "".join(self.items.pop())
                if self.lists:
                    self.lists[-1][1].append(item)
                else:
                    self._emit(item)  # never drop text, even outside a list
            elif top == "code":
                block = ", block: true" if "pre" in self.stack else ""
                self._emit(f"#raw({string(''.join(self.code or []))}{block})")
                self.code = None
            elif top != "pre":
                self._emit("]")
            self.after_block = top in ("p", "pre", "ul", "ol", "blockquote")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.code is not None:
            self.code.append(data)
            return
        if not data.strip() and (not self.stack or self.stack[-1] in ("ul", "ol", "li", "blockquote", "pre")):
            return  # layout whitespace between block tags
        self.after_block = False
        self._emit("#" + string(data))

    def result(self) -> str:
        while self.stack:
            self.handle_endtag(self.stack[-1])
        return "".join(self.out)
