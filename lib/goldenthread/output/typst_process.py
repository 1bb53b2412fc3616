"""Compile one Typst document to PDF in a Python process of its own, which ends when the PDF is written.

Typst keeps everything it has laid out in a process-wide cache (for speed when the same document is
compiled again), and its Python binding offers no way to empty it: a process that compiles report after
report grows by about 135 MB a report. A batch worker builds many reports, so the pipeline compiles each
PDF here, in a short-lived process, and the worker stays the size it was. The cost is a cold compiler
each time (Python's start and ``import typst`` take about 50 ms; the fonts are read afresh), which a
single report pays anyway. Forking the worker instead would be cheaper, but Typst's thread pool does not
survive a fork: the child waits for threads it does not have.

Run as ``python -m goldenthread.output.typst_process REQUEST`` with the request as JSON (see
:class:`Compiling`); it writes the PDF to the request's ``output`` and exits 0, or writes what Typst
said as JSON on stdout and exits :data:`TYPST_ERROR` or :data:`TYPST_PANIC`. Its imports are light (the
standard library, goldenthread's error types, then typst), so it starts in about 40 ms.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

#: The PDF standards goldenthread asks Typst for (``render.PDF_STANDARD``).
PdfStandard = Literal["ua-1"]

#: Exit status of the child when Typst reported an error in the document (its message on stdout).
TYPST_ERROR = 3
#: Exit status of the child when the Typst compiler itself failed (a panic).
TYPST_PANIC = 4


class CompileFailure(Exception):
    """Typst could not compile the document: its ``message``, and where (``diagnostic`` and ``trace``), or
    ``panic`` when the compiler itself failed. :mod:`goldenthread.output.render` turns it into a report
    error that names the document and indicator."""

    def __init__(self, message: str, where: str = "", panic: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.panic = panic


def compile_here(
    main: Path, root: Path, font_paths: list[str], timestamp: int | None, pdf_standard: PdfStandard
) -> bytes:
    """The PDF of ``main`` (a Typst file under ``root``), compiled in this process; :class:`CompileFailure` if
    Typst refuses the document or the compiler fails."""
    import typst

    try:
        pdf = typst.compile(
            str(main),
            root=str(root),
            font_paths=font_paths,
            ignore_system_fonts=True,
            timestamp=timestamp,
            pdf_standards=pdf_standard,
        )
    except typst.TypstError as err:
        raise CompileFailure(err.message, "\n".join([err.diagnostic or "", *(err.trace or [])])) from err
    except BaseException as err:  # a panic inside the Typst compiler is a BaseException, not an Exception
        if type(err).__name__ != "PanicException":
            raise
        raise CompileFailure(f"the compiler failed ({err})", panic=True) from err
    assert isinstance(pdf, bytes)  # one PDF, returned because no output path was given
    return pdf


class Compiling:
    """:func:`compile_here`, under way in a new process (this module run with ``python -m``): the same bytes.

    Started by the constructor, so the caller can do other work (the HTML) while Typst lays the PDF out;
    :meth:`result` waits for it. A process that ends any other way than with a PDF or Typst's message (killed,
    out of memory) is a :class:`CompileFailure` too. :meth:`stop` ends a compile whose result is no longer
    wanted (the run failed or was interrupted meanwhile); a Ctrl-C at a terminal reaches the child as well.
    """

    def __init__(
        self, main: Path, root: Path, font_paths: list[str], timestamp: int | None, pdf_standard: PdfStandard
    ) -> None:
        self.output = main.with_suffix(".pdf")
        request = {
            "input": str(main),
            "root": str(root),
            "font_paths": font_paths,
            "timestamp": timestamp,
            "pdf_standard": pdf_standard,
            "output": str(self.output),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, json.dumps(request)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def result(self) -> bytes:
        """The PDF, once the child has written it; :class:`CompileFailure` if it could not."""
        try:
            stdout, stderr = self.process.communicate()
        except BaseException:
            self.stop()
            raise
        code = self.process.returncode
        if code == 0:
            pdf = self.output.read_bytes()
            self.output.unlink()
            return pdf
        if code in (TYPST_ERROR, TYPST_PANIC):
            said = json.loads(stdout)
            raise CompileFailure(said["message"], said["where"], panic=code == TYPST_PANIC)
        how = f"was stopped by signal {-code}" if code < 0 else f"exited {code}"
        last = (stderr.strip().splitlines() or [""])[-1]
        raise CompileFailure(f"the compiler failed (its process {how}{': ' + last if last else ''})", panic=True)

    def stop(self) -> None:
        """End the child if it is still running, and wait for it (nothing is left behind)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def main() -> int:
    """The child: compile the request (its argument) to its ``output``; what Typst said, if it failed, on stdout."""
    request: dict[str, Any] = json.loads(sys.argv[1])
    try:
        pdf = compile_here(
            Path(request["input"]),
            Path(request["root"]),
            request["font_paths"],
            request["timestamp"],
            request["pdf_standard"],
        )
    except CompileFailure as failure:
        json.dump({"message": failure.message, "where": failure.where}, sys.stdout)
        return TYPST_PANIC if failure.panic else TYPST_ERROR
    Path(request["output"]).write_bytes(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
