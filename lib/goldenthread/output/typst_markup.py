"""Python values as Typst code literals.

Report text goes into the PDF as Typst *string literals* (``"..."``) inside data passed to the
template's layout functions, never as markup, so characters such as ``#``, ``*``, ``$`` or
``@`` in commentary cannot change the document.

Every string is also made :func:`visible` first: the PDF, like the HTML, never carries the invisible
controls that make text display in another order than it reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

#: Invisible characters no report shows: C0 controls other than tab, newline and carriage return
#: (NUL, BEL, ESC...), DEL and the C1 controls; the bidirectional marks, embeddings, overrides and
#: isolates (U+202E turns "%05 revo" into "over 50%" on screen); the zero-width space, word joiner
#: and byte-order mark. The same set the readers of CSV, Excel and YAML remove
#: (``contract.CONTROL_CHARACTERS``); the writers remove it again so no path round them is open.
#: The zero-width joiner (U+200D) stays: emoji sequences and some scripts need it.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """``text`` without the :data:`INVISIBLE` characters."""
    return INVISIBLE.sub("", text)


class Markup(str):
    """Typst content already written safely (see :mod:`goldenthread.output.markup`): inserted as it is."""


def string(text: str) -> str:
    """A Typst string literal (of the visible text)."""
    escaped = (
        visible(str(text))
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def value(obj: object) -> str:
    """Any JSON-like Python value as a Typst literal: dicts, lists, text, numbers, booleans, None."""
    if obj is None:
        return "none"
    if isinstance(obj, Markup):
        return str(obj)
    if hasattr(obj, "__typst__"):
        literal: str = obj.__typst__()
        return literal
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        return "none" if math.isnan(obj) else repr(obj)
    if isinstance(obj, str):
        return string(obj)
    if isinstance(obj, Mapping):
        if not obj:
            return "(:)"
        return "(" + ", ".join(f"{_key(k)}: {value(v)}" for k, v in obj.items()) + ",)"
    if isinstance(obj, Sequence):
        return "(" + "".join(f"{value(v)}, " for v in obj) + ")"
    raise TypeError(f"cannot write {type(obj).__name__} as Typst")


def _key(k: str) -> str:
    k = str(k)
    return k if k.replace("_", "").replace("-", "").isalnum() and not k[0].isdigit() else string(k)


def call(function: str, *args: object, **kwargs: object) -> str:
    """``#function(arg, key: value)`` as a line of Typst markup."""
    parts = [value(a) for a in args] + [f"{k.replace('_', '-')}: {value(v)}" for k, v in kwargs.items()]
    return f"#{function}({', '.join(parts)})"
