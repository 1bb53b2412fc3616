"""The SPC icons (issue 14): our own drawings, each with its words, each told apart by shape as well as
colour, and every colour at least 3:1 against white (WCAG 1.4.1 and 1.4.11)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goldenthread.documents import icons
from goldenthread.documents.icons import Icon, all_icons, assurance_icon, variation_icon
from goldenthread.measures.spc import (
    ASSURANCE_ICON,
    ASSURANCE_TEXT,
    TOO_FEW,
    VARIATION_ICON,
    VARIATION_TEXT,
    icon_texts,
)
from goldenthread.output.images import chart_png

SVG = "{http://www.w3.org/2000/svg}"


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour '#rrggbb': each channel linearised, then
    0.2126 R + 0.7152 G + 0.0722 B."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), the lighter over the darker."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_formula_gives_wcags_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic lightest AA grey
    # GOV.UK's own orange is too light for a graphic: the reason icons.CONCERN is darker
    assert contrast("#f47738", "#ffffff") < 3


def colours(svg: bytes) -> set[str]:
    """Every fill and stroke colour an icon paints with (white is its background)."""
    found = set(re.findall(rb'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg))
    return {c.decode().lower() for c in found} - {"#ffffff"}


EVERY = all_icons()


def test_there_is_an_icon_for_every_reading_and_for_too_few_points() -> None:
    names = [icon.name for icon in EVERY]
    assert sorted(names) == sorted([*VARIATION_ICON.values(), icons.TOO_FEW_ICON, *ASSURANCE_ICON.values()])
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("icon", EVERY, ids=lambda i: i.name)
def test_each_icon_is_a_small_svg_titled_with_its_words(icon: Icon) -> None:
    root = ET.fromstring(icon.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 100 100"
    (title,) = root.iter(f"{SVG}title")
    assert title.text == icon.text
    # self-contained: no link, image, script, style sheet or font to fetch, and no text that needs a font
    for bad in (b"href", b"<image", b"<script", b"<style", b"@import", b"url(", b"<text", b"font"):
        assert bad not in icon.svg, bad
    assert icon.data_uri.startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize("icon", EVERY, ids=lambda i: i.name)
def test_every_colour_of_every_icon_is_at_least_3_to_1_on_white(icon: Icon) -> None:
    painted = colours(icon.svg)
    assert painted, "an icon paints with at least one colour"
    for colour in painted:
        assert contrast(colour, "#ffffff") >= 3, (icon.name, colour)


def shape(svg: bytes) -> bytes:
    """An icon with its colours taken out: what is left to tell it apart without colour."""
    return re.sub(rb'="#[0-9a-fA-F]{6}"', b'="#000000"', re.sub(rb"<title>.*?</title>", b"", svg))


def test_every_icon_differs_from_every_other_in_shape_not_only_in_colour() -> None:
    shapes = [shape(icon.svg) for icon in EVERY]
    for i, a in enumerate(EVERY):
        for j, b in enumerate(EVERY):
            if i < j:
                assert a.svg != b.svg and a.text != b.text
                assert shapes[i] != shapes[j], (a.name, b.name)


def test_the_icons_words_are_spcs_words() -> None:
    for (variation, side), text in VARIATION_TEXT.items():
        assert variation_icon(variation, side).text == text == icon_texts(variation, side)[0]
    for assurance, text in ASSURANCE_TEXT.items():
        assert assurance_icon(assurance).text == text
    assert variation_icon(None).text == TOO_FEW
    # common cause has no side, whatever the caller passes
    assert variation_icon("common_cause", "high") == variation_icon("common_cause")


def test_improvement_and_concern_use_their_own_colours_and_marks() -> None:
    assert icons.IMPROVEMENT in colours(variation_icon("improvement", "high").svg)
    assert icons.CONCERN in colours(variation_icon("concern", "low").svg)
    assert icons.CONCERN not in colours(variation_icon("improvement", "low").svg)
    assert b"<circle" in variation_icon("improvement", "high").svg
    assert b"<rect" in variation_icon("neutral", "high").svg


@given(st.text(max_size=20), st.text(max_size=6))
def test_anything_else_is_refused_by_name(variation: str, side: str) -> None:
    if (variation, "" if variation == "common_cause" else side) in VARIATION_ICON:
        assert (
            variation_icon(variation, side).name
            == VARIATION_ICON[(variation, "" if variation == "common_cause" else side)]
        )
    else:
        with pytest.raises(ValueError, match="no variation icon"):
            variation_icon(variation, side)
    if variation not in ASSURANCE_ICON:
        with pytest.raises(ValueError, match="no assurance icon"):
            assurance_icon(variation)


def test_the_same_icon_is_the_same_bytes() -> None:
    assert [i.svg for i in all_icons()] == [i.svg for i in EVERY]


@pytest.mark.integration  # compiles Typst
def test_the_icons_rasterise_as_word_needs_them() -> None:
    for icon in EVERY:
        assert chart_png(icon.svg).startswith(b"\x89PNG")
