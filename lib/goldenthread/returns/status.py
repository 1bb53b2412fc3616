"""Who has sent their return for a period, who is late, and which figures are still missing.

The chasing list a performance team keeps by hand in the first week of a quarter, worked out from what
is recorded: the returns issued (the audit store's ``returns_made`` events, each with its recipient,
indicators and due date), the returns collected (``collect`` and ``received`` events) and the data
itself - an indicator is missing while values.csv has neither a figure nor a milestone state for it in
the period, whoever was meant to send it and whether or not a return came back.

When no returns were issued for the period (the team asked by email), the recipients are the owners of
the indicators due (:func:`~goldenthread.returns.due.due_indicators`); nobody is late then, because no
due date was set.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from goldenthread.audit.store import AuditStore
from goldenthread.inputs.load import Dataset
from goldenthread.inputs.periods import format_period
from goldenthread.returns.due import due_indicators

STATUS_COLUMNS = ["recipient", "indicators", "due", "returned", "late", "missing"]


def returns_status(dataset: Dataset, store: AuditStore, period: int, today: date) -> pd.DataFrame:
    """One row per recipient of the period's returns, in the order they were issued (or by owner).

    Columns: ``recipient``; ``indicators`` (tuple of the ids asked for); ``due`` (date or None);
    ``returned`` (date of the last collect of their return for the period, or None); ``late`` (not
    returned and ``today`` is after the due date); ``missing`` (tuple of the ids asked for with no figure
    or milestone state for the period in the data).
    """
    label = format_period(period)
    asked = _issued(store, label)
    if not asked:
        due = due_indicators(dataset, period)
        asked = {str(owner): (tuple(str(i) for i in g["id"]), None) for owner, g in due.groupby("owner", sort=True)}
    returned = _returned(store, label)
    filled = dataset.values[
        (dataset.values["period"] == period)
        & (dataset.values["value"].notna() | dataset.values["milestone_status"].notna())
    ]
    have = set(filled["indicator"].astype(str))
    rows = []
    for recipient, (ids, due_date) in asked.items():
        back = returned.get(recipient)
        rows.append(
            {
                "recipient": recipient,
                "indicators": ids,
                "due": due_date,
                "returned": back,
                "late": back is None and due_date is not None and today > due_date,
                "missing": tuple(i for i in ids if i not in have),
            }
        )
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _issued(store: AuditStore, label: str) -> dict[str, tuple[tuple[str, ...], date | None]]:
    """Recipient -> (indicator ids, due date) of the period's returns; a return made again replaces the earlier."""
    out: dict[str, tuple[tuple[str, ...], date | None]] = {}
    for details in store.events(action="returns_made", period=label)["details"]:
        if not isinstance(details, dict) or not details.get("recipient"):
            continue
        due = details.get("due")
        try:
            due_date = date.fromisoformat(str(due)) if due else None
        except ValueError:
            due_date = None
        out[str(details["recipient"])] = (tuple(str(i) for i in details.get("indicators") or ()), due_date)
    return out


def _returned(store: AuditStore, label: str) -> dict[str, date]:
    """Recipient -> the date of the last collect (or receipt) of their return for the period."""
    out: dict[str, date] = {}
    for action in ("collect", "received"):
        events = store.events(action=action)
        for at, details in zip(events["at"], events["details"]):
            if not isinstance(details, dict) or details.get("return_period") != label:
                continue
            recipient = str(details.get("recipient"))
            day = date.fromisoformat(str(at)[:10])
            if recipient not in out or day > out[recipient]:
                out[recipient] = day
    return out
