"""``goldenthread signoff``: record that someone has signed off a period's figures, and say what is still needed.

The command body lives here, apart from :mod:`goldenthread.run.cli`, so the audit store's database
libraries are loaded only when someone signs off; ``cli.py`` registers it (``app.command()(signoff)``).

Exit status: 0 recorded; 2 a role organisation.yaml does not ask for, an unknown directorate, a period
that is not a month or has no figures, or data that breaks the data contract - nothing is recorded.
Names, roles and directorates are printed as typed (Rich markup in them is shown, never obeyed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from goldenthread.errors import DataError, Problem

if TYPE_CHECKING:
    from goldenthread.audit.signoff import SignOffState


def signoff(
    period: str = typer.Option(..., "--period", "-p", help="The report month signed off, YYYY-MM."),
    role: str = typer.Option(
        ..., "--role", help="The sign-off given, as organisation.yaml's sign_off.required names it."
    ),
    by: str = typer.Option(..., "--by", help="The name of the person signing off, as the front sheet shows it."),
    directorate: str = typer.Option(
        None, "--directorate", help="For a directorate's sign-off: the directorate, as indicators.csv names it."
    ),
    data: str = typer.Option("data/example", "--data", help="Organisation data folder."),
    url: str = typer.Option(
        None,
        "--url",
        help="Audit store database URL (default: $GOLDENTHREAD_AUDIT_URL, else audit.sqlite in the data folder).",
    ),
) -> None:
    """Record a sign-off of a period's figures (the front sheet's Seen by table is filled from sign-offs).

    The sign-off covers the figures as they are now: if one changes afterwards, the sign-off no longer
    holds and must be given again. Prints what is signed off and what is still needed for a public report.
    """
    from goldenthread.audit.signoff import AUDIT_FILE, check_signoff, record_signoff, signoff_state
    from goldenthread.audit.store import AuditStore, AuditStoreError
    from goldenthread.inputs.load import load_dataset, resolve_data_dir
    from goldenthread.inputs.periods import month_name, parse_period

    out = Console(highlight=False, emoji=False)
    try:
        try:
            month = parse_period(period)
        except ValueError:
            raise DataError(
                [Problem("--period", None, None, "is not a month", period, "Use YYYY-MM, for example 2019-07")]
            ) from None
        folder = resolve_data_dir(data)
        dataset = load_dataset(folder)  # the whole of the data: the fingerprint covers restricted indicators too
        check_signoff(dataset, month, role, by, directorate)  # before the store is opened (and perhaps made)
        try:
            store = AuditStore.for_data(folder, url)
        except AuditStoreError as e:
            raise DataError([Problem(AUDIT_FILE if url is None else "--url", message=str(e))]) from None
        try:
            record_signoff(store, dataset, month, role, by, directorate)
            state = signoff_state(store, dataset, month)
            head = store.head()
        finally:
            store.close()
    except DataError as e:
        err = Console(stderr=True, highlight=False, emoji=False)
        err.print("[bold red]Not recorded[/] - nothing was written.")
        err.print(e.summary(), markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    out.print(Text(f"Recorded the sign-off of {month_name(month)} by {' '.join(by.split())}."), soft_wrap=True)
    print_state(out, state)
    out.print(Text(f"Audit trail head: {head}"), soft_wrap=True)


def print_state(out: Console, state: SignOffState) -> None:
    """What is signed off, what is still needed and what a change invalidated, as plain text."""
    from goldenthread.inputs.periods import month_name, parse_period

    month = month_name(parse_period(state.period))
    if state.valid:
        out.print(Text(f"Signed off for {month}:"))
        for seen in state.seen_by():
            when = f", {seen.date:%d/%m/%Y}" if seen.date else ""
            out.print(Text(f"  ✓ {seen.role}: {seen.name}{when}"), soft_wrap=True)
    if state.missing:
        out.print(Text("Still needed:"))
        for rule in state.missing:
            out.print(Text(f"  - {rule.label}"))
    for stale in state.stale:
        given = stale.signoff
        out.print(
            Text(f"No longer holds: {given.label} ({given.name}, {given.date:%d/%m/%Y}); figures changed since:"),
            soft_wrap=True,
        )
        for change in stale.changes:
            out.print(Text(f"    {change}"), soft_wrap=True)
    if state.complete:
        out.print(Text(f"Every sign-off is in: a public report of {month} can be built."))
    else:
        needed = len(state.missing) + len(state.stale)
        out.print(
            Text(f"{needed} sign-off{'s' if needed != 1 else ''} still needed before a public report of {month}.")
        )
