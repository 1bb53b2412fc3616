"""The PDF's fonts (issue 12): DejaVu from matplotlib and two vendored Noto files, each the recorded
file under its licence, and nothing from a font package or the system."""

from __future__ import annotations

import fnmatch
import hashlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from conftest import ROOT
from goldenthread.output import render

FONTS = render.NOTO_DIR
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}
#: Text the reports must show (issue 11): Welsh, emoji (a joined family too), Arabic with a ligature,
#: Urdu letters DejaVu lacks, and Hebrew, which DejaVu has.
AWKWARD = "Gwasanaethau Cymdeithasol ŵŷ 🙂 👩\u200d👩\u200d👧 العربية ﷺ اردو ہے עברית"


def recorded_sums() -> dict[str, str]:
    """File name -> SHA-256, as ``SHA256SUMS`` records them (``sha256sum`` format)."""
    sums = {}
    for line in (FONTS / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    return sums


def vendored() -> list[Path]:
    return sorted(p for p in FONTS.iterdir() if p.suffix.lower() in FONT_SUFFIXES)


def test_every_vendored_font_is_the_recorded_file() -> None:
    sums = recorded_sums()
    assert {p.name for p in vendored()} == set(sums), "a font without a checksum, or a checksum without its font"
    for path in vendored():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[path.name], f"{path.name} is not the recorded file"


def test_the_fonts_record_names_each_file_with_its_checksum_and_version() -> None:
    """FONTS.md, which a reviewer reads, says what SHA256SUMS says, and the version the font itself carries."""
    table = (FONTS / "FONTS.md").read_text(encoding="utf-8")
    for path in vendored():
        row = next((line for line in table.splitlines() if line.startswith(f"| `{path.name}`")), "")
        assert recorded_sums()[path.name] in row, f"FONTS.md has no row with {path.name}'s checksum"
        version = TTFont(path, lazy=True)["name"].getDebugName(5)
        assert version and version in row, f"FONTS.md does not give {path.name}'s version ({version})"


def test_the_licence_is_there_with_each_fonts_copyright() -> None:
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in licence
    assert "PERMISSION & CONDITIONS" in licence and "OTHER DEALINGS IN THE FONT SOFTWARE." in licence
    for path in vendored():
        names = TTFont(path, lazy=True)["name"]
        assert "Open Font License" in (names.getDebugName(13) or ""), f"{path.name} is not under the OFL"
        copyright_line = names.getDebugName(0)
        assert copyright_line and copyright_line in licence, f"OFL.txt lacks {path.name}'s copyright notice"


def test_an_installed_package_carries_the_fonts() -> None:
    """The package data takes in every file of the fonts folder, so a wheel builds PDFs as a checkout does."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["goldenthread"]
    package = ROOT / "lib" / "goldenthread"
    for path in FONTS.iterdir():
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), f"{relative} would not be installed"


def embedded_fonts(pdf: Path) -> set[str]:
    """The PostScript names of the fonts a PDF embeds, without the subset tag (``ABCDEF+``)."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
    return names


def awkward_notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(AWKWARD)])


@pytest.mark.integration  # compiles Typst, runs pandoc
def test_awkward_text_is_set_in_dejavu_and_the_vendored_fonts_only(tmp_path: Path) -> None:
    render.export_pdf(awkward_notebook(), tmp_path / "awkward.pdf", tmp_path / "work")
    used = embedded_fonts(tmp_path / "awkward.pdf")
    noto = {TTFont(p, lazy=True)["name"].getDebugName(6) for p in vendored()}
    assert noto <= used, f"a vendored font was not used: {noto - used}"
    others = used - noto
    assert others and all(name.startswith("DejaVuSans") for name in others), others
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "awkward.pdf").pages)
    for word in ("Gwasanaethau", "ŵŷ", "🙂", "ﷺ", "עברית"):
        assert word in text


def test_fonts_come_from_matplotlib_and_the_package_only() -> None:
    import matplotlib

    assert [Path(d) for d in render.font_dirs()] == [render.FONT_DIR, FONTS]
    assert (render.FONT_DIR / "DejaVuSans.ttf").is_file()
    assert render.FONT_DIR == Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # found without importing it


@pytest.mark.integration  # starts processes, to see what they import
def test_a_builds_processes_load_no_library_they_do_not_use() -> None:
    """The command needs only matplotlib's font folder (the kernel draws the charts); an audit store already
    migrated needs no Alembic; CSV data needs no openpyxl. Each cost a build a tenth to a third of a second."""
    command = (
        "goldenthread.run.cli, goldenthread.run.pipeline, goldenthread.output.render, "
        "goldenthread.output.typst_process, goldenthread.audit.store, goldenthread.output.index"
    )
    for modules, unused in (
        (command, ("matplotlib", "alembic", "openpyxl")),
        ("goldenthread.documents.report", ("openpyxl",)),
    ):
        code = f"import sys, {modules}; print(sorted(m for m in {unused!r} if m in sys.modules))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "[]", modules


@pytest.mark.integration  # starts goldenthread or its chart workers as processes
def test_a_pdf_builds_without_the_old_font_package(tmp_path: Path) -> None:
    """``manimgx-fonts`` (an animation engine's font package) is gone: a PDF builds with it unimportable."""
    script = f"""
import sys
sys.modules["manimgx_fonts"] = None  # importing it now raises ImportError
from pathlib import Path
import nbformat
from goldenthread.output import render
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell({AWKWARD!r})])
out = Path({str(tmp_path)!r})
render.export_pdf(nb, out / "blocked.pdf", out / "work")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert embedded_fonts(tmp_path / "blocked.pdf") == embedded_fonts_of_reference(tmp_path)


def embedded_fonts_of_reference(tmp_path: Path) -> set[str]:
    render.export_pdf(awkward_notebook(), tmp_path / "reference.pdf", tmp_path / "reference")
    return embedded_fonts(tmp_path / "reference.pdf")
