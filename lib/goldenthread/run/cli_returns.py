"""``goldenthread returns``: make the owners' return workbooks, collect them back, and see who is missing.

Exit status as the main command's: 0 done; 2 the data, a returned file or an option is wrong (every
problem listed with its file, sheet, row and column; a refused file leaves nothing of itself behind).
Text from the data and from returned files (owners, titles, commentary) is printed as typed, never
read as Rich markup.
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import os
import re
import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from goldenthread.errors import DataError, Problem

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from goldenthread.returns.collect import CollectResult

#: Environment variable naming who runs the commands, for the audit trail (else the login name).
USER_ENV = "GOLDENTHREAD_USER"
DEFAULT_DATA = "data/example"

returns_app = typer.Typer(
    help="Owners' returns: workbooks out to indicator owners (make), figures and commentary back into the data "
    "(collect), and who has not sent theirs (status). See docs/returns.md.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def out() -> Console:
    """Standard output, sized when used (a console made at import would keep the width of that moment)."""
    return Console(highlight=False, emoji=False)


def err() -> Console:
    """Standard error, sized when used."""
    return Console(stderr=True, highlight=False, emoji=False)


# The main command's helpers, looked up when a command runs: goldenthread.run.cli imports this module to add
# its commands, so importing it back here at the top would be a circle.


def _no_traceback(command: Callable[..., Any]) -> Callable[..., Any]:
    """The main command's guard (an OSError a message, Ctrl-C exit 130), applied when the command runs."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from goldenthread.run.cli import _no_traceback as guard

        return guard(command)(*args, **kwargs)

    return run


def _fail_data(e: DataError) -> NoReturn:
    """Print every problem, as the main command does, and exit 2."""
    from goldenthread.run.cli import _fail_data as fail

    fail(e)
    raise AssertionError  # pragma: no cover - it exits


def _t(value: object) -> str:
    """A value from the data or the command line, safe inside a Rich markup string."""
    return escape(str(value))


def _problem(option: str, message: str, value: str | None, hint: str) -> NoReturn:
    _fail_data(DataError([Problem(option, message=message, value=value, hint=hint)]))


def _month(text: str, option: str = "--period") -> int:
    """A --period given as YYYY-MM, as a month ordinal; exit 2 for anything else."""
    from goldenthread.inputs.periods import parse_period

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text.strip()):
        _problem(option, "is not a month", text, "Use YYYY-MM, for example 2019-10")
    return parse_period(text.strip())


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        _problem(option, "is not a date", text, "Use YYYY-MM-DD, for example 2019-11-08")


def _who(name: str | None) -> str:
    """Who is running the command, for the audit trail: --by, else $GOLDENTHREAD_USER, else the login name."""
    chosen = (name or os.environ.get(USER_ENV) or "").strip()
    if not chosen:
        try:
            chosen = getpass.getuser().strip()
        except (OSError, KeyError):  # no login name (a container without a passwd entry)
            chosen = ""
    if not chosen:
        _problem("--by", "is needed: no login name to record", None, f"Give --by NAME or set {USER_ENV}")
    return chosen


def _data_folder(data: str) -> Path:
    from goldenthread.inputs.load import resolve_data_dir

    try:
        return resolve_data_dir(data)
    except DataError as e:
        _fail_data(e)


@returns_app.command("make")
@_no_traceback
def make(
    period: str = typer.Option(..., "--period", "-p", help="The month the returns are for, YYYY-MM."),
    by: str = typer.Option("owner", "--by", help="One workbook per 'owner' (default) or per 'directorate'."),
    data: str = typer.Option(DEFAULT_DATA, "--data", help="Data folder."),
    out_dir: Path = typer.Option(
        None, "--out", help="Folder to write the workbooks in (default: returns/<period> in the current folder)."
    ),
    due: str = typer.Option(None, "--due", help="Date the returns are due, YYYY-MM-DD: printed on each workbook."),
    by_name: str = typer.Option(None, "--by-name", help=f"Who made them, for the audit trail (default: ${USER_ENV})."),
    force: bool = typer.Option(False, "--force", help="Write over workbooks already in the folder."),
) -> None:
    """Write one return workbook per owner with the indicators due a figure in the month, and record them.

    Each workbook is recorded in the audit trail (recipient, file, checksum, indicators, due date):
    collect accepts only returns recorded here, and status chases them.
    """
    from goldenthread.audit.store import AuditStore
    from goldenthread.inputs.load import load_dataset
    from goldenthread.returns.collect import record_issued
    from goldenthread.returns.workbook import write_returns

    month = _month(period)
    if by not in ("owner", "directorate"):
        _problem("--by", "must be owner or directorate", by, "Use --by owner (the default) or --by directorate")
    due_date = _day(due, "--due")
    who = _who(by_name)
    folder = _data_folder(data)
    target = out_dir if out_dir is not None else Path("returns") / period.strip()
    try:
        dataset = load_dataset(folder)
    except DataError as e:
        _fail_data(e)
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".returns-", dir=target))
    try:
        issued = write_returns(dataset, month, staging, by=by, due=due_date)  # type: ignore[arg-type]
        there = [r.path.name for r in issued if (target / r.path.name).exists()]
        if there and not force:
            _problem(
                "--out",
                f"already holds {len(there)} of these returns: {', '.join(there[:3])}"
                + (f" and {len(there) - 3} more" if len(there) > 3 else ""),
                str(target),
                "Give another --out folder, or --force to write over them (returns already sent out would no "
                "longer match their record)",
            )
        placed = []
        for r in issued:
            final = target / r.path.name
            os.replace(r.path, final)
            placed.append(dataclasses.replace(r, path=final))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with AuditStore.for_data(folder) as store:
        record_issued(store, placed, who=who, due=due_date, by=by)
        head = store.head()
    table = Table(title=f"Returns for {period} in {target}", show_lines=False)
    for col in ("Recipient", "Indicators", "File"):
        table.add_column(col, overflow="fold")
    for r in placed:
        table.add_row(Text(r.recipient), Text(", ".join(r.indicators)), Text(r.path.name))
    out().print(table)
    err().print(
        f"[green]Wrote[/] {len(placed)} return{'s' if len(placed) != 1 else ''} to {_t(target)}"
        + (f", due {due_date.isoformat()}" if due_date else "")
        + ". Send each to its recipient; collect them with: goldenthread returns collect FILE...",
        soft_wrap=True,
    )
    print_head(head)


def print_head(head: str) -> None:
    """The audit trail's newest hash, to keep outside the store: it is what shows the newest rows were not
    removed (docs/audit.md, "What verify can and cannot tell")."""
    err().print(f"Audit trail head: {head or '(empty)'}", soft_wrap=True, markup=False)


@returns_app.command("collect")
@_no_traceback
def collect(
    files: list[Path] = typer.Argument(..., help="Returned workbooks (.xlsx)."),
    data: str = typer.Option(DEFAULT_DATA, "--data", help="Data folder (of CSV files) to collect into."),
    reason: str = typer.Option(
        None, "--reason", help="Why figures already recorded are changed, for rows that give no reason of their own."
    ),
    period: str = typer.Option(
        None, "--period", help="The month the returns are for; needed to collect a return older than the newest made."
    ),
    by: str = typer.Option(None, "--by", help=f"Who is collecting, for the audit trail (default: ${USER_ENV})."),
) -> None:
    """Check each returned workbook and merge its figures and commentary into values.csv and commentary.csv.

    Each file goes in whole or not at all; collecting the same file twice changes nothing. A figure
    already recorded is changed only with a reason (the row's, or --reason), and every change is
    recorded in the audit trail and saved as <data>/returns-log/<batch>.csv.
    """
    from goldenthread.returns.collect import collect_returns, write_change_log

    if period is not None:
        _month(period)
    who = _who(by)
    folder = _data_folder(data)
    try:
        results = collect_returns(folder, files, who=who, reason=reason, period=period)
    except DataError as e:
        _fail_data(e)
    logs = write_change_log(results, who, folder)
    for r in results:
        _print_result(r, who)
    for log in logs:
        err().print(f"Changes saved to {_t(log)}", soft_wrap=True)
    if any(not r.refused for r in results):
        from goldenthread.audit.store import AuditStore

        with AuditStore.for_data(folder) as store:
            print_head(store.head())
    refused = [r for r in results if r.refused]
    if refused:
        from goldenthread.errors import problem_lines

        err().print(
            f"[bold red]{len(refused)} of {len(results)} file{'s' if len(results) != 1 else ''} not collected[/] "
            "- nothing from them was written:",
            soft_wrap=True,
        )
        for line in problem_lines([p for r in refused for p in r.problems]):
            err().print(f"  - {line}", markup=False, soft_wrap=True)
        raise typer.Exit(2)


def _print_result(r: CollectResult, who: str) -> None:
    if r.refused:
        return
    name = _t(r.path.name)
    if r.changes.empty:
        err().print(f"{name}: {_t(r.skipped_reason or 'nothing changed')}", soft_wrap=True)
        return
    table = Table(title=f"{r.path.name}: {r.recipient}, {r.period}", show_lines=False)
    for col in ("Indicator", "Period", "Field", "Old", "New", "Reason", "By"):
        table.add_column(col, overflow="fold")
    for c in r.changes.itertuples(index=False):
        table.add_row(*(Text(_cell(v)) for v in (c.indicator, c.period, c.field, c.old, c.new, c.reason, who)))
    out().print(table)


def _cell(value: object) -> str:
    import pandas as pd

    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


@returns_app.command("status")
@_no_traceback
def status(
    period: str = typer.Option(..., "--period", "-p", help="The month the returns are for, YYYY-MM."),
    data: str = typer.Option(DEFAULT_DATA, "--data", help="Data folder."),
    today: str = typer.Option(None, "--today", help="Judge lateness as of this date, YYYY-MM-DD (default: today)."),
) -> None:
    """Who has returned, who is late, and which indicators still have no figure for the month."""
    from goldenthread.audit.store import AuditStore
    from goldenthread.inputs.load import load_dataset
    from goldenthread.returns.status import returns_status

    month = _month(period)
    day = _day(today, "--today") or datetime.now(UTC).date()
    folder = _data_folder(data)
    try:
        dataset = load_dataset(folder)
    except DataError as e:
        _fail_data(e)
    with AuditStore.for_data(folder) as store:
        table = returns_status(dataset, store, month, day)
    out().print(_status_table(table, period, day))


def _status_table(df: pd.DataFrame, period: str, day: date) -> Table:
    table = Table(title=f"Returns for {period} as of {day.isoformat()}", show_lines=False)
    for col in ("Recipient", "Indicators", "Due", "Returned", "Late", "Missing"):
        table.add_column(col, overflow="fold")
    for r in df.itertuples(index=False):
        table.add_row(
            Text(str(r.recipient)),
            Text(str(len(r.indicators))),
            Text(r.due.isoformat() if r.due else "-"),
            Text(r.returned.isoformat() if r.returned else "no"),
            Text("LATE" if r.late else ""),
            Text(", ".join(r.missing) if r.missing else "none"),
        )
    return table
