"""The optional Quarto renderer: never required, so "is Quarto installed?" has one answer, here."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from goldenthread.errors import ReportError


def quarto_path() -> str:
    """The ``quarto`` program on PATH; :class:`ReportError` saying how to do without it if there is none."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise ReportError(
            "Quarto is not installed (no 'quarto' on PATH). The default renderer needs nothing "
            "extra: leave out --renderer, or install Quarto from quarto.org to use it."
        )
    return quarto


def run_quarto(executed_notebook: Path, formats: Iterable[str]) -> None:
    """Render an executed notebook through Quarto into each format, beside it."""
    quarto = quarto_path()
    for fmt in formats:
        subprocess.run(
            [quarto, "render", str(executed_notebook), "--to", "typst" if fmt == "pdf" else fmt, "--no-execute"],
            check=True,
        )
