"""Check tables against the data contract and turn them into typed DataFrames.

Tables arrive as text (every cell a string, as a person typed it) so that a bad value can be
quoted back exactly. Column checks run through pandera, built from :mod:`goldenthread.contract`;
checks that need more than one table (an indicator's outcome must be in the plan...) follow.
Every problem is collected; nothing stops at the first.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from goldenthread.config import Plan
from goldenthread.contract import PERIOD_PATTERN, Column, Table
from goldenthread.errors import Problem
from goldenthread.periods import parse_periods

HEADER_ROWS = 1  # row numbers shown to people count the header as row 1


def _is_blank(s: pd.Series) -> pd.Series:
    return s.isna() | s.astype("string").str.strip().eq("")


def _numeric_ok(s: pd.Series) -> pd.Series:
    values = pd.to_numeric(s.where(~_is_blank(s)), errors="coerce")
    return _is_blank(s) | (values.notna() & np.isfinite(values.astype(float)))


def _checks_for(col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if not col.blank_allowed:
        checks.append(pa.Check(lambda s: ~_is_blank(s), name="blank", element_wise=False))
    if col.allowed:
        allowed = set(col.allowed)
        checks.append(pa.Check(lambda s, a=allowed: _is_blank(s) | s.isin(a), name="allowed"))
    if col.type in ("number", "integer"):
        checks.append(pa.Check(_numeric_ok, name="number"))
    if col.type == "integer":  # only judged once it is a number at all, so "two" gets one message
        checks.append(pa.Check(
            lambda s: ~_numeric_ok(s) | _is_blank(s) | s.str.fullmatch(r"[+-]?\d+(\.0*)?").fillna(False),
            name="integer"))
    if col.minimum is not None:
        checks.append(pa.Check(
            lambda s, m=col.minimum: ~_numeric_ok(s) | _is_blank(s) | (pd.to_numeric(s, errors="coerce") >= m),
            name="minimum"))
    if col.type == "period":
        checks.append(pa.Check(lambda s: _is_blank(s) | s.str.fullmatch(PERIOD_PATTERN.strip("^$")).fillna(False),
                               name="period"))
    return checks


def _schema(table: Table) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(checks=_checks_for(c), nullable=True, required=False) for c in table.columns},
        strict=False,
    )


_MESSAGES = {
    "blank": "is blank but must be filled in",
    "allowed": "is not an allowed value",
    "number": "is not a plain number",
    "integer": "is not a whole number",
    "minimum": "is below the minimum of {minimum:g}",
    "period": "is not a month in the form YYYY-MM",
}


def check_columns(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """Missing required columns, and unknown columns that look like misspellings of known ones."""
    problems = []
    present = list(df.columns)
    known = [c.name for c in table.columns]
    renamed = set()  # misspellings already explained by a "required column is missing" message
    for col in table.columns:
        if col.required and col.name not in present:
            near = difflib.get_close_matches(col.name, [p for p in present if p not in known], n=1)
            hint = f"Rename column '{near[0]}' to '{col.name}'" if near else (
                f"Add a column '{col.name}': {col.description}")
            renamed.update(near)
            problems.append(Problem(source, None, col.name, "required column is missing", hint=hint))
    for name in present:
        if name not in known and name not in renamed:
            near = difflib.get_close_matches(str(name), known, n=1, cutoff=0.8)
            if near and near[0] not in present:
                problems.append(Problem(source, None, str(name), "unknown column", hint=f"Did you mean '{near[0]}'?"))
    return problems


def check_cells(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """Run the contract's per-column checks and report each failing cell."""
    try:
        _schema(table).validate(df, lazy=True)
    except SchemaErrors as err:
        problems = []
        cases = err.failure_cases
        for case in cases.itertuples(index=False):
            col = table.column(case.column)
            index = case.index
            row = int(index) + HEADER_ROWS + 1 if index is not None and not pd.isna(index) else None
            value = df.at[index, col.name] if row is not None else None
            message = f"'{col.name}' " + _MESSAGES.get(str(case.check), str(case.check)).format(minimum=col.minimum or 0)
            problems.append(Problem(source, row, col.name, message, value=None if _blank_value(value) else str(value),
                                    hint=_hint(col, str(case.check), value)))
        return problems
    return []


def _hint(col: Column, check: str, value: object) -> str:
    """What to do about one bad cell: specific to the mistakes spreadsheets make most often."""
    text = "" if _blank_value(value) else str(value).strip()
    if check == "number":
        if text.endswith("%"):
            return f"Write it without the % sign, as {text[:-1].strip()} (percentages are given in percent)"
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            return f"Write it without thousands separators, as {text.replace(',', '')}"
        if text.startswith("£"):
            return f"Write it without the £ sign, as {text[1:].replace(',', '')}"
        if text.lower() in ("nan", "inf", "-inf", "infinity", "#div/0!", "#n/a", "#value!"):
            return "It is not a usable figure: leave the cell blank if there is no figure yet"
    if check == "allowed" and col.allowed:
        near = difflib.get_close_matches(text.lower().replace(" ", "_"), col.allowed, n=1, cutoff=0.6)
        if near:
            return f"Did you mean '{near[0]}'? {col.hint}"
    if check == "minimum":
        return f"Use {col.minimum:g} or more"
    if check == "period" and re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return "It looks like a date: format the column as Text and write the month as YYYY-MM, for example 2019-07"
    if check == "period" and re.fullmatch(r"\d{1,2}/\d{4}", text):
        month, year = text.split("/")
        return f"Write the month as YYYY-MM: {year}-{int(month):02d}"
    return col.hint


def _blank_value(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""


def check_duplicates(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """One problem per repeated key, naming every row it appears on."""
    if not set(table.key) <= set(df.columns) or df.empty:
        return []
    dup = df[df.duplicated(list(table.key), keep=False)]
    problems = []
    for key, group in dup.groupby(list(table.key), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows = [int(i) + HEADER_ROWS + 1 for i in group.index]
        label = ", ".join(f"{k}={v}" for k, v in zip(table.key, key))
        problems.append(Problem(source, rows[1], table.key[-1], f"{label} appears more than once (rows "
                                + ", ".join(map(str, rows)) + ")", hint="Keep one row and delete the others"))
    return problems


def to_typed(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """Text table -> typed columns: numbers as float, periods as month ordinals, blanks as missing.

    Call only on a table that passed :func:`check_cells`; columns absent from the file are added blank.
    """
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        s = df[col.name] if col.name in df.columns else pd.Series(pd.NA, index=df.index, dtype="string")
        s = s.astype("string").str.strip()
        s = s.mask(s.eq(""))
        if col.type in ("number", "integer"):
            out[col.name] = pd.to_numeric(s, errors="coerce").astype(float)
        elif col.type == "period":
            out[col.name] = parse_periods(s)
        else:
            out[col.name] = s.astype(object).where(s.notna(), None)
    out["source_row"] = df.index + HEADER_ROWS + 1
    return out.reset_index(drop=True)


# --- checks across tables -------------------------------------------------------------------------

def check_indicators(ind: pd.DataFrame, plan: Plan, source: str) -> list[Problem]:
    problems: list[Problem] = []
    outcomes = {o.id for o in plan.outcomes}
    priorities = plan.priority_ids
    for r in ind.itertuples(index=False):
        def p(column: str, message: str, value: object = None, hint: str | None = None) -> None:
            problems.append(Problem(source, int(r.source_row), column, f"indicator {r.id}: {message}",
                                    None if value is None else str(value), hint))

        if r.outcome not in outcomes:
            p("outcome", "outcome is not in plan.yaml", r.outcome, "Use one of: " + ", ".join(sorted(outcomes)))
        elif r.priority is not None:  # a priority is only checked against a known outcome
            if r.priority not in priorities:
                p("priority", "key priority is not in plan.yaml", r.priority,
                  "Use a priority id from plan.yaml, or leave it blank")
            elif r.outcome in outcomes and priorities[r.priority] != r.outcome:
                p("priority", f"key priority belongs to outcome {priorities[r.priority]}, not {r.outcome}", r.priority,
                  "Correct the outcome or the priority")
        if r.kind == "measure":
            if r.unit is None:
                p("unit", "a measure needs a unit", hint="Use one of: percent, number, gbp, days, rate, ratio, score")
            if r.polarity is None:
                p("polarity", "a measure needs a polarity", hint="Use higher, lower or none")
        has_target = not (r.target is None or np.isnan(r.target))
        has_amber = not (r.amber_threshold is None or np.isnan(r.amber_threshold))
        if r.kind == "milestone" and (has_target or has_amber):
            p("target", "a milestone cannot have a numeric target", hint="Leave target and amber_threshold blank")
        if r.polarity == "none" and (has_target or has_amber):
            p("target", "has a target but polarity is none, so it cannot be judged against it", f"{r.target:g}",
              "Set polarity to higher or lower, or leave target blank (data only)")
        if has_target and has_amber and r.polarity in ("higher", "lower"):
            wrong = r.amber_threshold > r.target if r.polarity == "higher" else r.amber_threshold < r.target
            if wrong:
                side = "below" if r.polarity == "higher" else "above"
                p("amber_threshold", f"amber threshold should be {side} the target ({r.target:g}) when {r.polarity} is better",
                  f"{r.amber_threshold:g}", "Correct the threshold or the polarity")
    return problems


def _unknown_indicator(df: pd.DataFrame, known: set[str], source: str) -> list[Problem]:
    bad = df[df["indicator"].notna() & ~df["indicator"].isin(known)]  # a blank id is reported as blank
    return [Problem(source, int(r.source_row), "indicator", "indicator is not in indicators.csv", str(r.indicator),
                    "Check the id, or add the indicator to indicators.csv")
            for r in bad.itertuples(index=False)]


def check_values(values: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    problems = _unknown_indicator(values, set(ind["id"]), source)
    first = ind.drop_duplicates("id").set_index("id")  # duplicated ids are reported on their own
    attrs = first[["kind", "first_reported"]]
    v = values.join(attrs, on="indicator")
    from goldenthread.periods import format_period
    v["unit"] = v["indicator"].map(first["unit"])
    for r in v[v["kind"].notna()].itertuples(index=False):
        has_value = not np.isnan(r.value)
        if has_value and r.unit in NON_NEGATIVE_UNITS and r.value < 0:
            problems.append(Problem(source, int(r.source_row), "value",
                                    f"indicator {r.indicator} is {NON_NEGATIVE_UNITS[r.unit]}, which cannot be negative",
                                    f"{r.value:g}", "Check the figure and its sign"))
        if r.kind == "milestone":
            if has_value:
                problems.append(Problem(source, int(r.source_row), "value", f"indicator {r.indicator} is a milestone but has a value",
                                        f"{r.value:g}", "Put its delivery state in milestone_status and leave value blank"))
        elif r.milestone_status is not None:
            problems.append(Problem(source, int(r.source_row), "milestone_status",
                                    f"indicator {r.indicator} is a measure but has a milestone status", r.milestone_status,
                                    "Leave milestone_status blank for measures"))
        if not pd.isna(r.period) and not pd.isna(r.first_reported) and r.period < r.first_reported:
            problems.append(Problem(source, int(r.source_row), "period",
                                    f"indicator {r.indicator} has a value before its first_reported month "
                                    f"({format_period(int(r.first_reported))})", format_period(int(r.period)),
                                    "Correct the period, or first_reported in indicators.csv"))
    return problems


#: Units whose figures cannot be below zero, as a message names them.
NON_NEGATIVE_UNITS = {"percent": "a percentage", "days": "a number of days", "rate": "a rate"}


def check_future(df: pd.DataFrame, source: str, today: dt.date | None = None) -> list[Problem]:
    """Periods after the current month: a typo in the year, almost always."""
    today = today or dt.date.today()
    now = today.year * 12 + today.month - 1
    from goldenthread.periods import format_period

    future = df[df["period"].notna() & (df["period"] > now)]
    return [Problem(source, int(r.source_row), "period", "is a month in the future", format_period(int(r.period)),
                    "Check the year; figures can only be given for months that have ended or are under way")
            for r in future.itertuples(index=False)]


def check_targets(targets: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    problems = _unknown_indicator(targets, set(ind["id"]), source)
    judged = set(ind.loc[(ind["kind"] == "measure") & ind["polarity"].isin(["higher", "lower"]), "id"])
    for r in targets[targets["indicator"].isin(set(ind["id"]) - judged)].itertuples(index=False):
        problems.append(Problem(source, int(r.source_row), "target",
                                f"indicator {r.indicator} cannot have a target (it is a milestone or has polarity none)",
                                f"{r.target:g}", "Delete the row, or give the indicator a polarity of higher or lower"))
    return problems


def check_commentary(commentary: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    problems = _unknown_indicator(commentary, set(ind["id"]), source)
    for r in commentary.itertuples(index=False):
        if r.status_override is not None and r.override_reason is None:
            problems.append(Problem(source, int(r.source_row), "override_reason",
                                    f"indicator {r.indicator}: a status override needs a reason",
                                    hint="Say why the computed status was overridden; the reason is shown in the report"))
    return problems
