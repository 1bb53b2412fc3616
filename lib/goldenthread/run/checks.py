"""What a run checks before any work: its settings, the environment, the parameters, the period.

Each check raises :class:`DataError` (exit 2, "nothing was written") so a mistyped option or a
month the data does not cover is a message at once, not a failure minutes into a build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from goldenthread.errors import DataError, Problem
from goldenthread.inputs.config import ReportParameters
from goldenthread.inputs.load import Dataset, read_yaml
from goldenthread.inputs.periods import format_period, parse_period
from goldenthread.run.kernel import check_environment
from goldenthread.run.quarto import quarto_path
from goldenthread.run.settings import FORMATS, RENDERERS
from goldenthread.run.staging import check_out_root

FORMAT_HINT = "Use html, pdf, docx or csv, comma-separated (for example html,pdf)"


def read_parameters(path: Path, overrides: dict[str, Any] | None = None) -> ReportParameters:
    """Read and check a parameters file; unknown keys and bad values are :class:`DataError`."""
    problems: list[Problem] = []
    params = read_yaml(
        path,
        ReportParameters,
        problems,
        overrides=overrides,
        missing_hint="Create it (copy parameters/2019-07.yaml) or pass --params FILE",
    )
    if problems or params is None:
        raise DataError(problems)
    return params


def check_run_arguments(formats: Iterable[str], renderer: str, out_root: Path) -> None:
    """The run's own settings, checked before the data is read: a mistyped option is a message at once."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DataError([Problem("--format", message=f"unknown format {', '.join(unknown)}", hint=FORMAT_HINT)])
    if not formats:
        raise DataError(
            [Problem("--format", message="names no format, so there would be no report to write", hint=FORMAT_HINT)]
        )
    if renderer not in RENDERERS:
        raise DataError(
            [
                Problem(
                    "--renderer",
                    message=f"unknown renderer {renderer!r}",
                    hint="Use goldenthread (the default) or quarto",
                )
            ]
        )
    if renderer == "quarto":
        quarto_path()  # the 'Quarto is not installed' error, before any work
    check_environment()
    check_out_root(out_root)


def check_subject(subject: str | None) -> None:
    """A directorate id becomes part of a folder name: lower-case letters, digits and hyphens only."""
    if subject is not None and not re.fullmatch(r"[a-z0-9-]+", subject):
        raise DataError(
            [
                Problem(
                    "--directorate",
                    message="is not a directorate id",
                    value=subject,
                    hint="Use a file name from data/<org>/directorates/ without .yaml, for example eci",
                )
            ]
        )


def check_declared(notebook: Path, extra: Mapping[str, Any], declared: set[str]) -> None:
    """Every extra parameter (a directorate) is one the notebook's parameters cell declares."""
    undeclared = sorted(set(extra) - declared)
    if undeclared:
        raise DataError(
            [
                Problem(
                    notebook.name,
                    message=f"has no parameter {', '.join(map(repr, undeclared))}",
                    hint=f"Its parameters cell declares: {', '.join(sorted(declared)) or 'nothing'}",
                )
            ]
        )


def check_period_has_figures(
    dataset: Dataset, period: str, source: str, progress: Callable[[str], None] = lambda message: None
) -> None:
    """Refuse a report month before every figure in the data: the report would be empty.

    A month long after the last figure is built (every indicator then shows "insufficient
    information", which may be what is wanted), with a warning given to ``progress``.
    """
    v = dataset.values
    months = v.loc[v["value"].notna() | v["milestone_status"].notna(), "period"].dropna().astype(int)
    wanted = parse_period(period)
    if months.empty or months.min() > wanted:
        start = (
            f"the data starts in {format_period(int(months.min()))}"
            if not months.empty
            else "values.csv holds no figures"
        )
        raise DataError(
            [
                Problem(
                    source,
                    column="period",
                    field="key",
                    message=f"no indicator has a figure at or before {period}; {start}",
                    value=period,
                    hint="Check the period: a report is for a month the data covers",
                )
            ]
        )
    latest = int(months.max())
    if wanted - latest > 14:  # longer ago than any indicator's figure stays current (annual: 14 months)
        progress(
            f"Warning: the latest figure in the data is for {format_period(latest)}, more than 14 months "
            f"before {period}: every indicator will show insufficient information"
        )
