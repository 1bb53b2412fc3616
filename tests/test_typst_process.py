"""The PDF compiled in a process of its own (issue 16): the same bytes and the same messages as in this process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from goldenthread.errors import ReportError
from goldenthread.output import render, typst_process
from goldenthread.output.typst_process import CompileFailure, Compiling, compile_here

NOTE = "# Notes for Cabinet\n\nCalls answered within 20 seconds rose to *87.5%* (illustrative) — ĉ, ŵ, “quotes”."


def note() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(NOTE)])


@pytest.mark.integration  # starts goldenthread's compiler as a process
def test_a_pdf_compiled_in_its_own_process_is_the_one_compiled_here(tmp_path: Path) -> None:
    render.export_pdf(note(), tmp_path / "here.pdf", tmp_path / "here", timestamp=1564617600)
    render.start_pdf(note(), tmp_path / "apart.pdf", tmp_path / "apart", timestamp=1564617600).finish()
    here = (tmp_path / "here.pdf").read_bytes()
    assert here.startswith(b"%PDF") and b"Notes for Cabinet" in here  # the title, in the document's metadata
    assert (tmp_path / "apart.pdf").read_bytes() == here
    assert not (tmp_path / "apart" / "report.pdf").exists()  # the child's file is taken, not left behind


@pytest.mark.integration  # starts goldenthread's compiler as a process
def test_a_document_typst_refuses_fails_the_same_way_in_either_process(tmp_path: Path) -> None:
    main = tmp_path / "report.typ"
    main.write_text("= Heading\n\nText.\n\n#raw()\n", encoding="utf-8")
    failures = []

    def compile_apart(*request: Any) -> bytes:
        return Compiling(*request).result()

    for compile_pdf in (compile_here, compile_apart):
        with pytest.raises(CompileFailure) as caught:
            compile_pdf(main, tmp_path, render.font_dirs(), None, render.PDF_STANDARD)
        failures.append((caught.value.message, caught.value.where, caught.value.panic))
    assert failures[0] == failures[1]
    assert failures[0][0] == "missing argument: text" and "report.typ:5:" in failures[0][1] and not failures[0][2]


@pytest.mark.integration  # starts goldenthread's compiler as a process
def test_a_typst_error_in_the_child_is_reported_with_the_document_and_what_to_do(tmp_path: Path) -> None:
    nb = note()
    nb.metadata["goldenthread"] = {"title": "Business Plan"}
    nb.cells.append(nbformat.v4.new_markdown_cell("#### Too deep"))
    with pytest.raises(ReportError, match=r"^could not lay out the PDF plan\.pdf.*PDF/UA-1.*skip a level"):
        render.start_pdf(nb, tmp_path / "plan.pdf", tmp_path / "work").finish()
    assert not (tmp_path / "plan.pdf").exists()


@pytest.mark.integration  # starts goldenthread or a worker as a process
def test_a_child_that_dies_is_a_failure_that_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = tmp_path / "report.typ"
    main.write_text("= Heading\n", encoding="utf-8")
    dies = tmp_path / "python"
    dies.write_text("#!/bin/sh\necho 'MemoryError' >&2\nkill -KILL $$\n", encoding="utf-8")
    dies.chmod(0o755)
    monkeypatch.setattr(typst_process.sys, "executable", str(dies))
    with pytest.raises(CompileFailure, match=r"its process was stopped by signal 9: MemoryError\)$") as caught:
        Compiling(main, tmp_path, render.font_dirs(), None, render.PDF_STANDARD).result()
    assert caught.value.panic


@pytest.mark.integration  # starts goldenthread's compiler as a process
def test_a_process_that_compiles_its_pdfs_apart_never_loads_the_compiler(tmp_path: Path) -> None:
    """What keeps a batch worker from growing by each report: Typst (and its cache) is only in the child."""
    script = f"""
import sys
from pathlib import Path
import nbformat
from goldenthread.output import render
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell({NOTE!r})])
render.start_pdf(nb, Path({str(tmp_path)!r}) / "a.pdf", Path({str(tmp_path)!r}) / "work").finish()
print("typst" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False" and (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
