"""The variation and assurance icons of a statistical process control (SPC) reading, drawn as small SVGs.

NHS England's Making Data Count shows two icons beside a measure: **variation** (is anything unusual
happening? common cause, or a special cause that is an improvement or a concern, higher or lower) and
**assurance** (will the process meet its target? passing, failing, or hit and miss). These are
goldenthread's own drawings, recognisable in shape to those (a ring with a short run of points and an
H or L; a ring with a P, an F or a question mark) but not copies of them:

* every icon differs from every other in **shape** as well as colour, so colour is never the only cue
  (WCAG 1.4.1): improvement marks its special points with circles, concern with diamonds, neutral
  with squares (the same markers as :func:`goldenthread.documents.charts.spc_chart`); H sits at the top
  beside a rising run and L at the bottom beside a falling one; assurance has P, F or ?; too few
  points has a dashed ring and no run;
* every colour has a contrast of at least 3:1 with white (WCAG 1.4.11, non-text graphics):
  improvement GOV.UK blue ``#1d70b8`` (5.2:1), concern a dark orange ``#b85000`` (5.0:1; GOV.UK's
  ``#f47738`` is 2.8:1), neutral purple ``#4c2c92`` (10:1, Making Data Count's neutral colour),
  common cause and hit and miss grey ``#505a5f`` (7.1:1);
* letters are stroked paths, not text, so an icon never depends on a font;
* each icon's ``<title>`` is its text equivalent (:data:`goldenthread.measures.spc.VARIATION_TEXT`,
  :data:`~goldenthread.measures.spc.ASSURANCE_TEXT`, :data:`~goldenthread.measures.spc.TOO_FEW`),
  which a page should also give as the image's alt text or beside it;
* the bytes are fixed: the same icon is the same SVG every build.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

from goldenthread.measures.spc import ASSURANCE_ICON, ASSURANCE_TEXT, TOO_FEW, VARIATION_ICON, VARIATION_TEXT

__all__ = [
    "Icon",
    "variation_icon",
    "assurance_icon",
    "all_icons",
    "IMPROVEMENT",
    "CONCERN",
    "NEUTRAL",
    "COMMON",
    "TOO_FEW_ICON",
]

IMPROVEMENT = "#1d70b8"  # GOV.UK blue, 5.2:1 on white
CONCERN = "#b85000"  # dark orange, 5.0:1 on white (GOV.UK's #f47738 is 2.8:1, too light for a graphic)
NEUTRAL = "#4c2c92"  # GOV.UK purple, 10:1 on white: Making Data Count's colour for a neutral special cause
COMMON = "#505a5f"  # GOV.UK dark grey, 7.1:1 on white: common cause, hit and miss, too few points
#: The name of the icon for a measure with too few points for SPC.
TOO_FEW_ICON = "too_few_points"

#: The colour and special-point marker of each kind of variation.
_KIND = {"improvement": (IMPROVEMENT, "circle"), "concern": (CONCERN, "diamond"), "neutral": (NEUTRAL, "square")}
#: The run of seven points across the icon (x), and its ordinary wobble (y offsets from its middle line).
_XS = (22, 31, 40, 49, 58, 67, 76)
_WOBBLE = (0, -5, 4, -3, 5, -4, 1)


@dataclass(frozen=True)
class Icon:
    """One icon: its name (as :data:`~goldenthread.measures.spc.VARIATION_ICON` and
    :data:`~goldenthread.measures.spc.ASSURANCE_ICON` name them), its text equivalent and its SVG bytes."""

    name: str
    text: str
    svg: bytes

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI, for an ``<img src>`` (with :attr:`text` as its alt)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _svg(title: str, body: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100" role="img">'
        f"<title>{escape(title, quote=False)}</title>{body}</svg>\n"
    ).encode()


def _ring(colour: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="12 7"' if dashed else ""
    return f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{colour}" stroke-width="6"{dash}/>'


def _stroke(d: str, colour: str, width: float) -> str:
    return (
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width:g}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def _marker(shape: str, x: float, y: float, colour: str, size: float = 5.5) -> str:
    if shape == "circle":
        return f'<circle cx="{x:g}" cy="{y:g}" r="{size:g}" fill="{colour}"/>'
    if shape == "diamond":
        s = size * 1.25
        return f'<path d="M{x:g} {y - s:g}L{x + s:g} {y:g}L{x:g} {y + s:g}L{x - s:g} {y:g}Z" fill="{colour}"/>'
    s = size * 0.8
    return f'<rect x="{x - s:g}" y="{y - s:g}" width="{2 * s:g}" height="{2 * s:g}" fill="{colour}"/>'


def _run(ys: tuple[float, ...], special: int, shape: str, colour: str) -> str:
    """The run of points: a thin grey line through them, the ordinary ones small grey dots, the last
    ``special`` ones larger, in ``colour``, as ``shape``."""
    line = "M" + "L".join(f"{x} {y:g}" for x, y in zip(_XS, ys))
    dots = [
        _marker(shape, x, y, colour)
        if i >= len(ys) - special
        else f'<circle cx="{x}" cy="{y:g}" r="3.5" fill="{COMMON}"/>'
        for i, (x, y) in enumerate(zip(_XS, ys))
    ]
    return _stroke(line, COMMON, 2.5) + "".join(dots)


def _letter(letter: str, top: float, colour: str, height: float = 22, width: float = 8) -> str:
    """H, L, P or F as strokes, ``height`` tall from ``top``, centred across the icon."""
    bottom, w = top + height, height * 0.82
    left = 50 - w / 2
    mid = top + height / 2
    d = {
        "H": f"M{left:g} {top:g}V{bottom:g}M{left + w:g} {top:g}V{bottom:g}M{left:g} {mid:g}H{left + w:g}",
        "L": f"M{left:g} {top:g}V{bottom:g}H{left + w:g}",
        "P": (
            f"M{left:g} {bottom:g}V{top:g}H{left + w * 0.55:g}"
            f"A{height * 0.27:g} {height * 0.27:g} 0 0 1 {left + w * 0.55:g} {top + height * 0.54:g}H{left:g}"
        ),
        "F": f"M{left:g} {bottom:g}V{top:g}H{left + w:g}M{left:g} {mid:g}H{left + w * 0.75:g}",
    }[letter]
    return _stroke(d, colour, width)


def _question_mark(colour: str) -> str:
    hook = "M36 36A14 14 0 1 1 57 48C52 51 50 54 50 60"
    return _stroke(hook, colour, 9) + f'<circle cx="50" cy="75" r="5.5" fill="{colour}"/>'


def _variation_svg(name: str, text: str) -> bytes:
    if name == "common_cause":
        ys: tuple[float, ...] = tuple(50.0 + w for w in _WOBBLE)
        return _svg(text, _ring(COMMON) + _run(ys, 0, "circle", COMMON))
    kind, side = name.rsplit("_", 1)
    colour, shape = _KIND[kind]
    if side == "high":  # H at the top, the run below it ending in three points rising
        ys = tuple(72 + w * 0.6 for w in _WOBBLE[:4]) + (64.0, 55.0, 46.0)
        letter = _letter("H", 13, colour, height=20)
    else:  # L at the bottom, the run above it ending in three points falling
        ys = tuple(28 + w * 0.6 for w in _WOBBLE[:4]) + (36.0, 45.0, 54.0)
        letter = _letter("L", 66, colour, height=20)
    return _svg(text, _ring(colour) + _run(ys, 3, shape, colour) + letter)


def _too_few_svg() -> bytes:
    """A dashed grey ring and three scattered points: not enough for a chart."""
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="4.5" fill="{COMMON}"/>' for x, y in ((32, 56), (50, 44), (68, 52)))
    return _svg(TOO_FEW, _ring(COMMON, dashed=True) + dots)


def _assurance_svg(name: str, text: str) -> bytes:
    if name == "pass":
        return _svg(text, _ring(IMPROVEMENT) + _letter("P", 26, IMPROVEMENT, height=48, width=9))
    if name == "fail":
        return _svg(text, _ring(CONCERN) + _letter("F", 26, CONCERN, height=48, width=9))
    return _svg(text, _ring(COMMON) + _question_mark(COMMON))


def variation_icon(variation: str | None, side: str = "") -> Icon:
    """The variation icon of a reading (``variation`` and ``side`` as in ``SpcTable.summary``).

    ``None`` (the latest phase has too few points) gives the "too few points for SPC" icon; common cause
    ignores ``side``. A variation or side that is not one of spc's is a ``ValueError``."""
    if variation is None:
        return Icon(TOO_FEW_ICON, TOO_FEW, _too_few_svg())
    key = (variation, "" if variation == "common_cause" else side)
    if key not in VARIATION_ICON:
        raise ValueError(f"no variation icon for variation {variation!r} with side {side!r}")
    name, text = VARIATION_ICON[key], VARIATION_TEXT[key]
    return Icon(name, text, _variation_svg(name, text))


def assurance_icon(assurance: str) -> Icon:
    """The assurance icon: ``consistently_passing`` (P), ``consistently_failing`` (F) or ``hit_and_miss`` (?)."""
    if assurance not in ASSURANCE_ICON:
        raise ValueError(f"no assurance icon for {assurance!r}; expected one of {', '.join(ASSURANCE_ICON)}")
    name = ASSURANCE_ICON[assurance]
    return Icon(name, ASSURANCE_TEXT[assurance], _assurance_svg(name, ASSURANCE_TEXT[assurance]))


def all_icons() -> list[Icon]:
    """Every icon once: the variations, too few points, then the assurances (for a key or a legend page)."""
    variations = [variation_icon(v, s) for v, s in VARIATION_ICON]
    return [*variations, variation_icon(None), *(assurance_icon(a) for a in ASSURANCE_ICON)]
