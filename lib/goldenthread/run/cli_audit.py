"""``goldenthread audit``: check the audit trail's hash chain, and list what was recorded in it.

Exit status: 0 the trail is intact (or listed); 1 ``verify`` found a row changed or deleted; 2 the store
cannot be opened or an option is wrong. Every text from the trail (names, figures, reasons, file names) is
printed as text, never read as Rich markup: a reason such as ``[provisional]`` is shown as typed.

SQLAlchemy and Alembic are imported only when a command runs: the main command imports this module to
register ``audit``, and a report build must not pay for the database libraries it does not use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from goldenthread.audit.store import AuditStore

audit_app = typer.Typer(
    help="The audit trail of changes made through goldenthread (collected returns, sign-offs, overrides): "
    "verify its hash chain, or list its events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")


def out() -> Console:
    """Standard output, sized when used (a console made at import would keep the width of that moment)."""
    return Console(highlight=False, emoji=False)


def err() -> Console:
    """Standard error, sized when used."""
    return Console(stderr=True, highlight=False, emoji=False)


_DATA_HELP = "Organisation data folder, e.g. data/example: its audit trail is audit.sqlite there."
_URL_HELP = "Audit database URL instead of the data folder's audit.sqlite (default: $GOLDENTHREAD_AUDIT_URL if set)."


def _fail(message: str) -> NoReturn:
    err().print(message, soft_wrap=True)
    raise typer.Exit(2)


def _open(data_dir: Path, url: str | None) -> AuditStore | None:
    """The data folder's store, or None when it is a SQLite file not yet created (nothing recorded).

    Looking must not create a store: a mistyped folder would otherwise gain an empty, valid-looking trail.
    """
    import sqlalchemy as sa

    from goldenthread.audit.store import AuditStore, AuditStoreError, audit_url

    target = audit_url(data_dir, url)
    try:
        parsed = sa.engine.make_url(target)
    except sa.exc.ArgumentError:
        _fail(f"[bold red]Not a database URL:[/] {escape(target)}. Give sqlite:///PATH or postgresql+psycopg://...")
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        return None
    try:
        return AuditStore(target)
    except AuditStoreError as e:
        _fail(f"[bold red]Cannot open the audit trail:[/] {escape(str(e))}")


def _reading(store: AuditStore, read: Callable[[], T]) -> T:
    """``read()`` on the store, then close it; a database failure (a server gone away) is a message, exit 2."""
    import sqlalchemy as sa

    try:
        return read()
    except sa.exc.SQLAlchemyError as e:
        _fail(f"[bold red]Could not read the audit trail[/] in {escape(store.url)}: {escape(' '.join(str(e).split()))}")
    finally:
        store.close()


@audit_app.command()
def verify(
    data: Path = typer.Argument(..., exists=True, file_okay=False, help=_DATA_HELP),
    url: str = typer.Option(None, "--url", help=_URL_HELP),
) -> None:
    """Recompute the audit trail's hash chain: name every row changed or deleted since it was recorded.

    Deleting the newest rows leaves a valid, shorter chain: compare the head hash printed here with the
    one in the report's manifest (or a copy kept elsewhere).
    """
    store = _open(data, url)
    if store is None:
        out().print(f"No audit trail yet for {escape(str(data))}: nothing has been recorded (0 rows).", soft_wrap=True)
        return
    check = _reading(store, store.verify)
    if check.ok:
        out().print(
            f"Audit trail intact: {check.rows:,} row{'s' if check.rows != 1 else ''} checked in {escape(store.url)}.\n"
            f"Head hash: {check.head or '(empty trail)'}",
            soft_wrap=True,
        )
        return
    err().print(
        f"[bold red]The audit trail has been altered:[/] {len(check.problems)} problem"
        f"{'s' if len(check.problems) != 1 else ''} in {check.rows:,} rows of {escape(store.url)}",
        soft_wrap=True,
    )
    for problem in check.problems:
        err().print(Text(f"  - {problem}"), soft_wrap=True)
    err().print(
        f"Head hash: {check.head}. Restore the store from a backup, and compare its head hash with the one "
        "printed in the reports' manifests.",
        soft_wrap=True,
    )
    raise typer.Exit(1)


@audit_app.command()
def log(
    data: Path = typer.Argument(..., exists=True, file_okay=False, help=_DATA_HELP),
    period: str = typer.Option(None, "--period", "-p", help="Only events about this month, YYYY-MM."),
    action: str = typer.Option(None, "--action", help="Only this action: collect, returns_made, signoff, override."),
    url: str = typer.Option(None, "--url", help=_URL_HELP),
) -> None:
    """List the audit trail's events, oldest first: who changed what, when, from which file."""
    if period is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        _fail(f"[bold red]--period is not a month:[/] {escape(repr(period))}. Give YYYY-MM, e.g. 2019-07")
    store = _open(data, url)
    if store is None:
        out().print(f"No audit trail yet for {escape(str(data))}: nothing has been recorded.", soft_wrap=True)
        return
    events, head = _reading(store, lambda: (store.events(action=action, period=period), store.head()))
    if events.empty:
        out().print("No events recorded" + ("" if period is None and action is None else " that match"), end=".\n")
    else:
        # A console made now, not at import: it takes the terminal's width (COLUMNS) as it is when the command runs.
        Console(highlight=False, emoji=False).print(_table(events))
    out().print(f"Head hash: {head or '(empty trail)'}")


def _table(events: pd.DataFrame) -> Table:
    """The events as a Rich table, every cell plain text (Text, not markup)."""
    from rich.table import Table

    table = Table(title="Audit trail", show_lines=False)
    for name in ("#", "When (UTC)", "Who", "Action", "Indicator", "Period", "Field", "Old -> new", "Reason", "Source"):
        table.add_column(name, overflow="fold")
    table.add_column("Details", overflow="fold")

    def text(value: object) -> str:
        return "" if value is None else str(value)

    for e in events.itertuples(index=False):
        change = f"{text(e.old)} -> {text(e.new)}" if e.old is not None or e.new is not None else ""
        details = "" if e.details is None else json.dumps(e.details, ensure_ascii=False, sort_keys=True)
        cells = (e.id, e.at, e.who, e.action, e.indicator, e.period, e.field, change, e.reason, e.source_file, details)
        table.add_row(*(Text(text(c)) for c in cells))
    return table
