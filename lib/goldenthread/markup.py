"""Commentary text, rendered safely: Markdown in, sanitised HTML and Typst content out.

Owners write commentary in spreadsheets and sometimes use Markdown (bold, lists, links). It is
rendered with markdown-it (raw HTML switched off, so ``<script>`` stays text), cleaned again with
nh3 (the Ammonia sanitiser: an allow-list of tags and attributes, no event handlers, only http,
https and mailto links), and the same cleaned tree is turned into Typst content for the PDF, where
every piece of text is a string literal and cannot become Typst code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

from goldenthread.typst_markup import Markup, string

ALLOWED_TAGS = {"p", "strong", "em", "b", "i", "ul", "ol", "li", "a", "br", "code", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


@dataclass(frozen=True)
class RichText:
    """One piece of commentary in both output forms: ``.html`` for templates, Typst for the PDF."""

    html: str
    typst: Markup

    def __typst__(self) -> str:
        return str(self.typst)


def rich(text: str) -> RichText:
    """Markdown -> :class:`RichText` (sanitised HTML and Typst content)."""
    from markupsafe import Markup as SafeHTML

    return RichText(SafeHTML(to_html(text)), to_typst(text))


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Markdown -> sanitised HTML fragment (safe to embed without escaping)."""
    rendered = _md.render(text or "")
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


@lru_cache(maxsize=4096)
def to_typst(text: str) -> Markup:
    """Markdown -> Typst content, via the same sanitised HTML as :func:`to_html`."""
    converter = _TypstWriter()
    converter.feed(to_html(text))
    converter.close()
    return Markup("[" + converter.result() + "]")


class _TypstWriter(HTMLParser):
    """Walk the sanitised HTML and write Typst content; text only ever as string literals."""

    _OPEN = {"strong": "#strong[", "b": "#strong[", "em": "#emph[", "i": "#emph[", "blockquote": "#quote(block: true)[",
             "code": "#raw("}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.lists: list[list[str]] = []
        self.items: list[list[str]] = []
        self.after_block = False  # the last thing written closed a paragraph, list or quote

    def _emit(self, text: str) -> None:
        (self.items[-1] if self.items else self.out).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        after_block, self.after_block = self.after_block, False
        if tag == "p":
            # Paragraphs are inline content with breaks *between* them, so a one-paragraph comment can
            # run on in a sentence ("2.2.1 Title – text (Appendix A, page 14)") as seed 003 lays it out.
            if after_block:
                self._emit("#parbreak()")
            self._emit("#[")
        elif tag in ("ul", "ol"):
            self.lists.append([])
        elif tag == "li":
            self.items.append([])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._emit(f"#link({string(href)})[" if href else "#[")
        elif tag == "br":
            self._emit("#linebreak()")
            return
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
                items = self.lists.pop()
                self._emit(("#list(" if top == "ul" else "#enum(") + "".join(f"[{i}], " for i in items) + ")")
            elif top == "li":
                item = "".join(self.items.pop())
                if self.lists:
                    self.lists[-1].append(item)
            elif top == "code":
                self._emit(")")
            else:
                self._emit("]")
            self.after_block = top in ("p", "ul", "ol", "blockquote")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not data.strip() and (not self.stack or self.stack[-1] in ("ul", "ol", "li", "blockquote")):
            return  # layout whitespace between block tags
        self.after_block = False
        if self.stack and self.stack[-1] == "code":
            self._emit(string(data))
            return
        self._emit("#" + string(data))

    def result(self) -> str:
        while self.stack:
            self.handle_endtag(self.stack[-1])
        return "".join(self.out)
