"""Sign-offs: who approved a period's figures, and whether the figures are still the ones they approved.

A sign-off is an audit event (``action='signoff'``) carrying a *fingerprint* of the figures it covers:
every indicator in its scope (the whole report, or one directorate's indicators) as it stood when it was
given. A sign-off is worth something only for the figures someone actually looked at, so when a figure
changes afterwards (a late return, a correction) the sign-off no longer holds and must be given again.

The fingerprint is kept fine enough to say *which* figures changed: one short digest per indicator and
month for the 13 months up to the report month (the months a report shows and compares with), plus one
digest per indicator for everything older. The figures of those 13 months are kept as written too, so
the report can say "ASC-02, July 2019: figure 94.4 -> 91.2" rather than only "something changed".

What is fingerprinted, per indicator: its values rows up to the report month (value and milestone status)
and its commentary row for the report month (commentary, actions and status override) - what the report
publishes as figures and judgements. Notes, highlights and page titles are presentation, not figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from goldenthread.errors import DataError, Problem
from goldenthread.inputs.config import SignOff, SignOffRule
from goldenthread.inputs.load import Dataset
from goldenthread.inputs.periods import format_period, month_name
from goldenthread.measures.formatting import is_missing

if TYPE_CHECKING:  # the store needs SQLAlchemy, imported only when a sign-off is recorded or read
    from goldenthread.audit.store import AuditStore

__all__ = [
    "FINGERPRINT_VERSION",
    "WINDOW_MONTHS",
    "FigureChange",
    "SignOffRecord",
    "SignOffState",
    "StaleSignOff",
    "check_signoff",
    "compare",
    "fingerprints",
    "outstanding_problems",
    "policy_problems",
    "record_signoff",
    "resolve_rule",
    "signoff_state",
]

#: Months fingerprinted one by one (and kept as written): the report month and the 12 before it.
WINDOW_MONTHS = 13
#: The layout of the fingerprint in a sign-off's details; a later layout can still read this one.
FINGERPRINT_VERSION = 1
#: Fields fingerprinted from values.csv, for every month up to the report month.
VALUE_FIELDS = ("value", "milestone_status")
#: Fields fingerprinted from commentary.csv, for the report month only.
COMMENTARY_FIELDS = ("commentary", "actions", "status_override")
#: How a changed field is named to people.
FIELD_NAMES = {
    "value": "figure",
    "milestone_status": "milestone status",
    "commentary": "commentary",
    "actions": "actions",
    "status_override": "status override",
}
#: Where a sign-off problem is reported (the file a person would look at).
ORGANISATION_FILE = "organisation.yaml"
AUDIT_FILE = "audit store"


@dataclass(frozen=True)
class SignOffRecord:
    """A sign-off that still holds: the figures it covers are as they were when it was given."""

    role: str
    name: str
    date: dt.date
    directorate: str | None
    at: str  # when it was recorded (UTC, ISO 8601)
    event: int  # its audit row

    @property
    def label(self) -> str:
        return f"{self.role} ({self.directorate})" if self.directorate else self.role


@dataclass(frozen=True)
class FigureChange:
    """One figure that is not what a sign-off saw.

    ``period`` is ``'YYYY-MM'`` for a month of the fingerprint's window, or ``None`` for the indicator as a
    whole (added, removed, or its figures before the window); ``label`` says which in words.
    """

    indicator: str
    period: str | None
    label: str
    what: str
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        text = f"{self.indicator}, {self.label}: {self.what}"
        if self.old is not None or self.new is not None:
            text += f" {_short(self.old)} -> {_short(self.new)}"
        return text


@dataclass(frozen=True)
class StaleSignOff:
    """A sign-off given and then invalidated by a change to the figures it covers."""

    signoff: SignOffRecord
    changes: tuple[FigureChange, ...]


@dataclass(frozen=True)
class SignOffState:
    """Where a period's sign-offs stand: those that hold, those never given, those a change invalidated."""

    period: str
    required: tuple[SignOffRule, ...]
    valid: tuple[SignOffRecord, ...]
    missing: tuple[SignOffRule, ...]
    stale: tuple[StaleSignOff, ...]

    @property
    def complete(self) -> bool:
        """Every required sign-off given, and none invalidated since."""
        return not self.missing and not self.stale

    def seen_by(self) -> list[SignOff]:
        """The front sheet's Seen by rows: the valid sign-offs in the order ``required`` lists them, then any
        other valid one (a role no longer required still saw the report), in the order they were given."""
        order = {_key(r.role, r.directorate): i for i, r in enumerate(self.required)}
        ranked = sorted(self.valid, key=lambda s: (order.get(_key(s.role, s.directorate), len(order)), s.event))
        return [SignOff(role=s.label, name=s.name, date=s.date) for s in ranked]

    def changes(self, indicators: Iterable[str] | None = None) -> list[dict[str, str]]:
        """The figures changed since a sign-off, once each, as the report lists them.

        ``indicators`` limits the list to those a reader may see: a public report must not name a
        restricted indicator, or show its figures, because a sign-off covering it went stale.
        """
        shown = None if indicators is None else set(indicators)
        rows: dict[tuple[str, str, str, str | None], dict[str, str]] = {}
        for stale in self.stale:
            for c in stale.changes:
                if shown is not None and c.indicator not in shown:
                    continue
                row = rows.setdefault(
                    (c.indicator, c.period or c.label, c.what, c.old),  # seen as it was by each sign-off
                    {
                        "indicator": c.indicator,
                        "period": c.label,
                        "what": c.what,
                        # a month's field shows a blank as "(blank)"; a whole indicator's change has no figures
                        "old": "" if c.period is None else _short(c.old),
                        "new": "" if c.period is None else _short(c.new),
                        "signoffs": "",
                    },
                )
                row["signoffs"] = ", ".join(filter(None, [*row["signoffs"].split(", "), stale.signoff.label]))
        ordered = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3] or ""))
        return [row for _, row in ordered]


def _key(role: str, directorate: str | None) -> tuple[str, str]:
    return role.casefold(), (directorate or "").casefold()


def _short(text: str | None, most: int = 60) -> str:
    if text is None:
        return "(blank)"
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= most else one_line[: most - 3] + "..."


# --- which sign-offs may be given -------------------------------------------------------------------


def _directorates(dataset: Dataset) -> dict[str, str]:
    """The directorates indicators.csv names, by their case-folded spelling."""
    names = dataset.indicators["directorate"].dropna().astype(str)
    return {" ".join(n.split()).casefold(): n for n in sorted(set(names))}


def policy_problems(dataset: Dataset) -> list[Problem]:
    """``sign_off.required`` entries naming a directorate no indicator belongs to (a typo would otherwise
    make a sign-off no one can give)."""
    policy = dataset.organisation.sign_off
    if policy is None:
        return []
    known = _directorates(dataset)
    return [
        Problem(
            ORGANISATION_FILE,
            None,
            f"sign_off.required[{i}].directorate",
            "names no directorate of indicators.csv",
            rule.directorate,
            f"Write it as indicators.csv's directorate column does: {', '.join(known.values())}",
            "key",
        )
        for i, rule in enumerate(policy.required)
        if rule.directorate is not None and rule.directorate.casefold() not in known
    ]


def resolve_rule(dataset: Dataset, role: str, directorate: str | None = None) -> SignOffRule:
    """The required sign-off that ``role`` (and ``directorate``) give, spelt as organisation.yaml spells it.

    :class:`DataError` when the organisation asks for no sign-offs, the directorate is unknown to the
    data, or no required sign-off is that role for that directorate; the message lists those allowed.
    """
    policy = dataset.organisation.sign_off
    if policy is None or not policy.required:
        raise DataError(
            [
                Problem(
                    ORGANISATION_FILE,
                    None,
                    "sign_off",
                    "names no sign-offs, so there is nothing to sign off",
                    None,
                    "Add a sign_off section listing the sign-offs a public report needs (docs/signoff.md)",
                    "key",
                )
            ]
        )
    allowed = ", ".join(repr(r.label) for r in policy.required)
    problems: list[Problem] = []
    wanted_dir = None if directorate is None or not directorate.strip() else " ".join(directorate.split())
    if wanted_dir is not None:
        known = _directorates(dataset)
        if wanted_dir.casefold() not in known:
            problems.append(
                Problem(
                    "--directorate",
                    None,
                    None,
                    "is not a directorate of indicators.csv",
                    directorate,
                    f"The directorates are {', '.join(known.values())}",
                )
            )
            raise DataError(problems)
        wanted_dir = known[wanted_dir.casefold()]
    wanted_role = " ".join(role.split())
    same_role = [r for r in policy.required if r.role.casefold() == wanted_role.casefold()]
    for rule in same_role:
        if _key(rule.role, rule.directorate) == _key(wanted_role, wanted_dir):
            return rule
    if not same_role:
        message, hint = "is not a sign-off organisation.yaml asks for", f"The sign-offs are {allowed}"
    elif wanted_dir is None:
        given = ", ".join(repr(r.directorate) for r in same_role if r.directorate)
        message, hint = "is given for a directorate", f"Add --directorate with one of {given}"
    else:
        message = f"is not asked of {wanted_dir}"
        hint = f"The sign-offs are {allowed}"
    raise DataError([Problem("--role", None, None, message, role, hint)])


# --- fingerprints -----------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A cell as the fingerprint holds it: text, a figure at 15 significant digits (as Excel reads it), or None."""
    if value is None or is_missing(value):
        return None
    if isinstance(value, float):
        return format(value, ".15g")
    text = str(value)
    return text if text.strip() else None


def _digest(data: object, length: int = 12) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:length]


def _scope(dataset: Dataset, directorate: str | None) -> list[str]:
    """The indicators a sign-off covers: all of them, or one directorate's."""
    ind = dataset.indicators
    if directorate is not None:
        same = ind["directorate"].astype(str).map(lambda d: " ".join(d.split()).casefold()) == directorate.casefold()
        ind = ind[same]
    return sorted(ind["id"].astype(str))


def fingerprints(dataset: Dataset, period: int, directorate: str | None = None) -> dict[str, Any]:
    """The figures a sign-off of ``period`` covers, as stored in its details (JSON).

    ``{"version", "window_from": "YYYY-MM", "indicators": {id: {"older": digest, "periods": {"YYYY-MM":
    digest}, "figures": {"YYYY-MM": {field: text or None}}}}}``: per month of the window, the digest of
    its figures and the figures themselves; ``older``, one digest of everything before the window.
    """
    start = period - (WINDOW_MONTHS - 1)
    scope = _scope(dataset, directorate)
    values = dataset.values[dataset.values["indicator"].astype(str).isin(scope) & (dataset.values["period"] <= period)]
    comm = dataset.commentary[
        dataset.commentary["indicator"].astype(str).isin(scope) & (dataset.commentary["period"] == period)
    ]
    by_indicator: dict[str, dict[str, Any]] = {i: {"older": [], "figures": {}} for i in scope}
    for row in values.sort_values(["indicator", "period"]).itertuples(index=False):
        p = int(row.period)
        fields = {f: _text(getattr(row, f)) for f in VALUE_FIELDS}
        entry = by_indicator[str(row.indicator)]
        if p < start:
            entry["older"].append([format_period(p), *fields.values()])
        else:
            entry["figures"][format_period(p)] = fields
    for row in comm.itertuples(index=False):
        figures = by_indicator[str(row.indicator)]["figures"]
        month = figures.setdefault(format_period(period), dict.fromkeys(VALUE_FIELDS))
        month.update({f: _text(getattr(row, f)) for f in COMMENTARY_FIELDS})
    for entry in by_indicator.values():  # the report month always carries its commentary fields
        if format_period(period) in entry["figures"]:
            month = entry["figures"][format_period(period)]
            for f in COMMENTARY_FIELDS:
                month.setdefault(f, None)
    return {
        "version": FINGERPRINT_VERSION,
        "window_from": format_period(start),
        "indicators": {
            i: {
                "older": _digest(e["older"], 16),
                "periods": {p: _digest(f) for p, f in sorted(e["figures"].items())},
                "figures": dict(sorted(e["figures"].items())),
            }
            for i, e in by_indicator.items()
        },
    }


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FigureChange]:
    """What changed between two fingerprints of the same period and scope, figure by figure."""
    window_from = str(old.get("window_from") or new.get("window_from"))
    before = f"figures before {month_name(_ordinal(window_from))}"
    changes: list[FigureChange] = []
    old_ind: Mapping[str, Any] = old.get("indicators") or {}
    new_ind: Mapping[str, Any] = new.get("indicators") or {}
    for ind in sorted(set(old_ind) | set(new_ind)):
        if ind not in new_ind:
            changes.append(FigureChange(ind, None, "whole indicator", "removed since the sign-off"))
            continue
        if ind not in old_ind:
            changes.append(FigureChange(ind, None, "whole indicator", "added since the sign-off"))
            continue
        o, n = old_ind[ind], new_ind[ind]
        if o.get("older") != n.get("older"):
            changes.append(FigureChange(ind, None, before, "changed"))
        o_periods, n_periods = o.get("periods") or {}, n.get("periods") or {}
        for p in sorted(set(o_periods) | set(n_periods)):
            if o_periods.get(p) == n_periods.get(p):
                continue
            was = (o.get("figures") or {}).get(p) or {}
            now = (n.get("figures") or {}).get(p) or {}
            fields = [f for f in (*VALUE_FIELDS, *COMMENTARY_FIELDS) if was.get(f) != now.get(f)]
            label = month_name(_ordinal(p))
            changes.extend(FigureChange(ind, p, label, FIELD_NAMES[f], was.get(f), now.get(f)) for f in fields)
            if not fields:  # the digests differ but the figures kept do not say how
                changes.append(FigureChange(ind, p, label, "figures changed"))
    return changes


def _ordinal(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


# --- recording and reading --------------------------------------------------------------------------


def record_signoff(
    store: AuditStore,
    dataset: Dataset,
    period: int,
    role: str,
    by: str,
    directorate: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record that ``by`` signs off ``period``'s figures as ``role``; the audit row's id.

    ``dataset`` is the whole of the data (not one audience's): the fingerprint covers restricted
    indicators too, as the internal report shows them. :class:`DataError` for a role organisation.yaml
    does not ask for, an unknown directorate, a blank name, or a month without any figure to sign off.
    """
    from goldenthread.audit.store import AuditEvent

    rule, prints = check_signoff(dataset, period, role, by, directorate)
    event = AuditEvent(
        action="signoff",
        who=" ".join(by.split()),
        period=format_period(period),
        details={"role": rule.role, "directorate": rule.directorate, "fingerprints": prints},
    )
    return store.append([event], now=now)[0]


def check_signoff(
    dataset: Dataset, period: int, role: str, by: str, directorate: str | None = None
) -> tuple[SignOffRule, dict[str, Any]]:
    """The required sign-off ``role`` gives and the fingerprint it would carry, or :class:`DataError` (see
    :func:`record_signoff`) - before the store is opened, so a refused sign-off leaves nothing behind."""
    rule = resolve_rule(dataset, role, directorate)
    problems: list[Problem] = []
    if not " ".join(by.split()):
        problems.append(Problem("--by", None, None, "is blank", by, "Give the name of the person signing off"))
    prints = fingerprints(dataset, period, rule.directorate)
    month = format_period(period)
    if not any(month in e["figures"] for e in prints["indicators"].values()):
        scope = f" for {rule.directorate}" if rule.directorate else ""
        problems.append(
            Problem(
                "--period",
                None,
                None,
                f"has no figures or commentary{scope} to sign off",
                month,
                "Collect the returns for the month first, or give the month the report is for",
            )
        )
    if problems:
        raise DataError(problems)
    return rule, prints


def _date_of(at: str) -> dt.date:
    return dt.datetime.fromisoformat(at).astimezone(dt.UTC).date()


def signoff_state(store: AuditStore, dataset: Dataset, period: int) -> SignOffState:
    """The sign-offs of ``period``: the newest for each role (and directorate) and whether it still holds.

    ``dataset`` is the whole of the data, as :func:`record_signoff` was given it. A sign-off whose figures
    have changed since is *stale*, with the changes; a required sign-off never given is *missing*.
    """
    policy = dataset.organisation.sign_off
    required = tuple(policy.required) if policy is not None else ()
    events = store.events(action="signoff", period=format_period(period))
    newest: dict[tuple[str, str], Any] = {}
    for row in events.itertuples(index=False):
        details = row.details if isinstance(row.details, dict) else {}
        if "role" not in details:
            continue
        newest[_key(str(details["role"]), details.get("directorate"))] = row  # ordered by id: the last wins
    current: dict[str, dict[str, Any]] = {}
    valid: list[SignOffRecord] = []
    stale: list[StaleSignOff] = []
    required_keys = {_key(r.role, r.directorate) for r in required}
    for key, row in newest.items():
        details = row.details
        directorate = details.get("directorate")
        record = SignOffRecord(
            role=str(details["role"]),
            name=str(row.who),
            date=_date_of(str(row.at)),
            directorate=directorate,
            at=str(row.at),
            event=int(row.id),
        )
        scope = directorate or ""
        if scope not in current:
            current[scope] = fingerprints(dataset, period, directorate)
        changes = compare(details.get("fingerprints") or {}, current[scope])
        if not changes:
            valid.append(record)
        elif key in required_keys:
            stale.append(StaleSignOff(record, tuple(changes)))
    missing = tuple(r for r in required if _key(r.role, r.directorate) not in newest)
    order = {_key(r.role, r.directorate): i for i, r in enumerate(required)}
    stale.sort(key=lambda s: order.get(_key(s.signoff.role, s.signoff.directorate), len(order)))
    valid.sort(key=lambda s: s.event)
    return SignOffState(format_period(period), required, tuple(valid), missing, tuple(stale))


def outstanding_problems(state: SignOffState, file: str = AUDIT_FILE) -> list[Problem]:
    """One problem per required sign-off not given, or given and then invalidated, with the command to give it."""
    problems: list[Problem] = []
    for rule in state.missing:
        problems.append(
            Problem(
                file,
                None,
                None,
                f"the sign-off of {rule.label} for {state.period} has not been given",
                None,
                _hint(state.period, rule.role, rule.directorate),
            )
        )
    for s in state.stale:
        shown = "; ".join(str(c) for c in s.changes[:5]) + (
            f"; and {len(s.changes) - 5} more" if len(s.changes) > 5 else ""
        )
        problems.append(
            Problem(
                file,
                None,
                None,
                f"the sign-off of {s.signoff.label} by {s.signoff.name} on {s.signoff.date:%d/%m/%Y} no longer "
                f"holds: figures changed since ({shown})",
                None,
                _hint(state.period, s.signoff.role, s.signoff.directorate),
            )
        )
    return problems


def _hint(period: str, role: str, directorate: str | None) -> str:
    where = f' --directorate "{directorate}"' if directorate else ""
    return f'Record it with `goldenthread signoff --period {period} --role "{role}"{where} --by NAME`'
