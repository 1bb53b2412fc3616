"""Problems found in input data, collected and reported all at once.

A performance team fixing a spreadsheet wants every problem in one pass, each pointing at the
file, row and column and saying what to do - not a traceback that stops at the first.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``row`` is the row number a person sees in a spreadsheet program (the header is row 1),
    or ``None`` when the problem is about the whole file or a column.
    """

    file: str
    row: int | None = None
    column: str | None = None
    message: str = ""
    value: str | None = None
    hint: str | None = None
    field: str = "column"  # what ``column`` names: a table's column, or a YAML file's key

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", {self.field} '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f" (found {shown!r})"
        if self.hint:
            text += f". {self.hint}"
        return text


@dataclass
class DataError(Exception):
    """Raised when input data breaks the data contract; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def __reduce__(self) -> tuple:
        # Keep the problems when a report built in a worker process fails (see pipeline.run_reports).
        return (type(self), (self.problems,))

    def summary(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input data:"
        return "\n".join([head, *(f"  - {p}" for p in sorted(self.problems, key=_sort_key))])

    def __str__(self) -> str:  # pragma: no cover - exercised through summary()
        return self.summary()


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.message)


class ReportError(Exception):
    """Raised when a report could not be built (a failing notebook cell, a renderer error)."""
