"""Problems found in input data, collected and reported all at once.

A performance team fixing a spreadsheet wants every problem in one pass, each pointing at the
file, row and column and saying what to do - not a traceback that stops at the first. The same
mistake made on a thousand rows is still one thing to fix, so the printed summary groups repeats
and stops after a screenful; :attr:`DataError.problems` keeps every one for code that reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Most lines :func:`problem_lines` prints before "... and N more problems".
MAX_LINES = 50
#: Rows named in a grouped line before "and N more".
ROWS_NAMED = 3


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
        return _line(
            self.file,
            None if self.row is None else f"row {self.row}",
            self.column,
            self.field,
            self.message,
            None if self.value is None else _quoted(self.value),
            self.hint,
        )


def _line(
    file: str, rows: str | None, column: str | None, what: str, message: str, found: str | None, hint: str | None
) -> str:
    """``file, row 5, column 'value': message (found '...'). Hint`` - the one shape every problem is shown in."""
    where = file
    if rows is not None:
        where += f", {rows}"
    if column:
        where += f", {what} '{column}'"
    text = f"{where}: {message}"
    if found is not None:
        text += f" (found {found})"
    if hint:
        text += f". {hint}"
    return text


def _quoted(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def _rows_text(rows: list[int]) -> str:
    """``3, 4, 5 and 1,196 more``: the first rows, and how many besides (all of them when few)."""
    if len(rows) <= ROWS_NAMED + 1:
        return ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return ", ".join(map(str, rows[:ROWS_NAMED])) + f" and {len(rows) - ROWS_NAMED:,} more"


def _group_line(group: list[Problem]) -> str:
    """One line for problems that differ only in their row (and the value found there)."""
    if len(group) == 1:
        return str(group[0])
    first = group[0]
    rows = sorted({p.row for p in group if p.row is not None})
    values = list(dict.fromkeys(p.value for p in group if p.value is not None))
    found = None
    if values:
        found = ", ".join(_quoted(v) for v in values[:ROWS_NAMED]) + (" and others" if len(values) > ROWS_NAMED else "")
    where = f"row {rows[0]}" if len(rows) == 1 else f"rows {_rows_text(rows)}"
    return _line(first.file, where, first.column, first.field, first.message, found, first.hint)


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.message)


def problem_lines(problems: Iterable[Problem], limit: int = MAX_LINES) -> list[str]:
    """Problems as printed lines: repeats grouped, in file and row order, at most ``limit`` lines.

    Problems with the same file, column, message and hint are one mistake made on many rows, so
    they become one line ("rows 3, 4, 5 and 1,196 more"); past ``limit`` lines a last line says
    how many problems are left.
    """
    groups: dict[tuple, list[Problem]] = {}
    for i, p in enumerate(sorted(problems, key=_sort_key)):
        key = (p.file, p.column, p.field, p.message, p.hint) if p.row is not None else (i,)
        groups.setdefault(key, []).append(p)
    lines = [_group_line(g) for g in groups.values()]
    if len(lines) <= limit:
        return lines
    left = sum(len(g) for g in list(groups.values())[limit:])
    return [*lines[:limit], f"... and {left:,} more problem{'s' if left != 1 else ''}"]


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
        head = f"{n:,} problem{'s' if n != 1 else ''} found in the input data:"
        return "\n".join([head, *(f"  - {line}" for line in problem_lines(self.problems))])

    def __str__(self) -> str:  # pragma: no cover - exercised through summary()
        return self.summary()


def warnings_summary(warnings: Iterable[Problem]) -> str:
    """Warnings as printed by ``goldenthread validate`` and ``report``: things that build but look wrong."""
    return "\n".join(f"  - {line}" for line in problem_lines(warnings))


class ReportError(Exception):
    """Raised when a report could not be built (a failing notebook cell, a renderer error)."""
