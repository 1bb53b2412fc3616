"""Check tables against the data contract and turn them into typed DataFrames.

Tables arrive as text (every cell a string, as a person typed it) so that a bad value can be
quoted back exactly. Column checks run through pandera, built from :mod:`goldenthread.inputs.contract`;
checks that need more than one table (an indicator's outcome must be in the plan...) follow.
Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from goldenthread.errors import Problem
from goldenthread.inputs.config import Comparators, Plan
from goldenthread.inputs.contract import (
    FINANCIAL_YEAR,
    MIN_COMPARATORS,
    NUMBER_LIMIT,
    PERIOD_PATTERN,
    UNIT_MINIMUMS,
    UNIT_NAMES,
    UNITS,
    YEAR_MONTH,
    Column,
    Table,
)
from goldenthread.inputs.periods import (
    MONTH_NAMES,
    financial_year,
    financial_year_label,
    format_period,
    month_of_year,
    parse_periods,
)

HEADER_ROWS = 1  # row numbers shown to people count the header as row 1


def _texts(s: pd.Series) -> np.ndarray:
    """Each cell as the report will use it: its text without spaces (non-breaking ones too) before and after,
    or ``None`` where it is missing. One pass in Python over an object array: the tables are small, and a
    chain of pandas string operations costs more in overhead than the work (see benchmarks/validate.py)."""
    out = np.empty(len(s), dtype=object)
    for i, cell in enumerate(s.to_numpy(dtype=object, na_value=None)):  # NaN, NA and None all come as None
        out[i] = None if cell is None else str(cell).strip()
    return out


def _stripped(s: pd.Series) -> pd.Series:
    """Cells as they will be used (:func:`_texts`), as a text column, so every check judges what the
    report will use, as :func:`to_typed` reads it."""
    return pd.Series(_texts(s), index=s.index, dtype="string")


# The checks below are given the table with every cell already stripped (see check_cells): a
# blank cell is "" or missing, and each is judged as the report will use it. Each works on the column's
# cells as one array and returns one boolean Series: a few whole-array steps, not a chain of Series.


def _cells(s: pd.Series) -> np.ndarray:
    """The cells as an object array, a missing one as ``""`` (every check treats it as blank)."""
    cells: np.ndarray = s.to_numpy(dtype=object, na_value="")
    return cells


def _flags(s: pd.Series, flags: np.ndarray) -> pd.Series:
    return pd.Series(flags.astype(bool), index=s.index)


def _blank(s: pd.Series) -> pd.Series:
    return _flags(s, _cells(s) == "")


def _number_array(s: pd.Series) -> np.ndarray:
    """Each cell as a float (NaN where blank or not a number)."""
    return np.asarray(pd.to_numeric(_cells(s), errors="coerce"), dtype=float)


def _numbers(s: pd.Series) -> pd.Series:
    return pd.Series(_number_array(s), index=s.index)


def _numeric_ok(s: pd.Series) -> pd.Series:
    return _flags(s, (_cells(s) == "") | np.isfinite(_number_array(s)))


def _matches(s: pd.Series, pattern: str) -> pd.Series:
    """Cells the whole of which match ``pattern`` (a missing cell never does)."""
    whole = re.compile(pattern).fullmatch
    cells = s.to_numpy(dtype=object, na_value=None)
    return _flags(s, np.fromiter((c is not None and whole(c) is not None for c in cells), bool, len(cells)))


_WHOLE = r"[+-]?\d+(\.0*)?"


def _judged(s: pd.Series, col: Column) -> pd.Series:
    """Cells whose size can be judged: numbers (whole ones in an integer column), not blank."""
    ok = _numeric_ok(s) & ~_blank(s)
    return ok & _matches(s, _WHOLE) if col.type == "integer" else ok


def _checks_for(col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if not col.blank_allowed:
        checks.append(pa.Check(lambda s: ~_blank(s), name="blank", element_wise=False))
    if col.allowed:
        allowed = {"", *col.allowed}  # a blank cell is judged by the "blank" check
        checks.append(pa.Check(lambda s, a=allowed: _flags(s, np.array([c in a for c in _cells(s)])), name="allowed"))
    if col.type in ("number", "integer"):
        checks.append(pa.Check(_numeric_ok, name="number"))
    if col.type == "integer":  # only judged once it is a number at all, so "two" gets one message
        checks.append(pa.Check(lambda s: ~_numeric_ok(s) | _blank(s) | _matches(s, _WHOLE), name="integer"))
    if col.minimum is not None:
        checks.append(pa.Check(lambda s, c=col: ~_judged(s, c) | (_numbers(s) >= c.minimum), name="minimum"))
    if col.maximum is not None:
        checks.append(pa.Check(lambda s, c=col: ~_judged(s, c) | (_numbers(s) <= c.maximum), name="maximum"))
    elif col.type == "number":
        checks.append(pa.Check(lambda s, c=col: ~_judged(s, c) | (_numbers(s).abs() < NUMBER_LIMIT), name="size"))
    if col.type == "period":
        checks.append(pa.Check(lambda s: _blank(s) | _matches(s, PERIOD_PATTERN.strip("^$")), name="period"))
    if col.type == "period_or_year":
        checks.append(pa.Check(lambda s: _blank(s) | _period_or_year_ok(s), name="period_or_year"))
    return checks


def _period_or_year_ok(s: pd.Series) -> pd.Series:
    """A month ``YYYY-MM``, or a financial year ``YYYY/YY`` whose second year follows the first."""
    parts = s.str.extract(rf"^{FINANCIAL_YEAR}$")
    year = pd.to_numeric(parts[0], errors="coerce")
    follows = (pd.to_numeric(parts[1], errors="coerce") == (year + 1) % 100).fillna(False).astype(bool)
    return _matches(s, YEAR_MONTH) | follows


def financial_year_end(year: int, start_month: int) -> int:
    """Month ordinal of the last month of the financial year that starts in ``year`` (2018/19 with an
    April start: March 2019). A figure published for a financial year stands at that month, the month
    the year's total or level is complete, as a quarterly figure stands at its quarter's last month."""
    return year * 12 + start_month - 1 + 11


def parse_period_or_year(text: str, start_month: int = 4) -> int:
    """``"2019-03"`` or ``"2018/19"`` -> month ordinal (a financial year: its last month, see
    :func:`financial_year_end`). Raises ``ValueError`` for anything else, a year not followed by the next
    (``2018/20``) included."""
    t = str(text).strip()
    if m := re.fullmatch(YEAR_MONTH, t):
        return int(m[1]) * 12 + int(m[2]) - 1
    if (m := re.fullmatch(FINANCIAL_YEAR, t)) and int(m[2]) == (int(m[1]) + 1) % 100:
        return financial_year_end(int(m[1]), start_month)
    raise ValueError(f"{text!r} is not a month (YYYY-MM) or a financial year (YYYY/YY, for example 2018/19)")


def parse_periods_or_years(texts: pd.Series, start_month: int = 4) -> pd.Series:
    """Vectorised :func:`parse_period_or_year` for already-validated text; anything else becomes ``<NA>``."""
    s = texts.astype("string").str.strip()
    months = parse_periods(s)
    parts = s.str.extract(rf"^{FINANCIAL_YEAR}$")
    year = pd.to_numeric(parts[0], errors="coerce")
    follows = pd.to_numeric(parts[1], errors="coerce") == (year + 1) % 100
    years = (year * 12 + start_month - 1 + 11).where(follows.fillna(False).astype(bool))
    return months.fillna(years.astype("Int64")).astype("Int64")


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
    "maximum": "is above the maximum of {maximum:g}",
    "size": "is too large to be a figure: every figure must be smaller than 10^15 (a thousand million million) "
    "either way",
    "period": "is not a month in the form YYYY-MM",
    "period_or_year": "is not a month (YYYY-MM) or a financial year (YYYY/YY)",
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
            hint = (
                f"Rename column '{near[0]}' to '{col.name}'"
                if near
                else (f"Add a column '{col.name}': {col.description}")
            )
            renamed.update(near)
            problems.append(Problem(source, None, col.name, "required column is missing", hint=hint))
    repeats = _repeated_columns(present, known)
    for name, copies in repeats.items():
        problems.append(
            Problem(
                source,
                None,
                name,
                f"is the name of {copies + 1} columns in the header row",
                hint=f"Keep one column named '{name}': delete the others, or rename them if they hold "
                "something else (only one could be read)",
            )
        )
    for name in present:
        if name not in known and name not in renamed and not _is_repeat(name, present, known):
            near = difflib.get_close_matches(str(name), known, n=1, cutoff=0.8)
            if near and near[0] not in present:
                problems.append(Problem(source, None, str(name), "unknown column", hint=f"Did you mean '{near[0]}'?"))
    return problems


def _is_repeat(name: object, present: list, known: list[str]) -> bool:
    """``value.1``: how pandas (and :mod:`goldenthread.inputs.excel`) name a second column called ``value``."""
    m = re.fullmatch(r"(.+)\.(\d+)", str(name))
    return m is not None and m[1] in known and m[1] in present


def _repeated_columns(present: list, known: list[str]) -> dict[str, int]:
    """Contract columns named more than once, with how many extra copies: a second ``value`` column is
    never silently ignored (unknown columns may repeat: they are not read)."""
    repeats: dict[str, int] = {}
    for name in present:
        if _is_repeat(name, present, known):
            base = re.fullmatch(r"(.+)\.\d+", str(name))[1]  # type: ignore[index]
            repeats[base] = repeats.get(base, 0) + 1
    return repeats


def repeated_header_rows(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows that repeat the column names (two files pasted together, or a sheet copied below
    another): one problem each, and the table without them, so each is not also reported cell by cell."""
    if df.empty or df.columns.empty:
        return df, []
    first = df[df.columns[0]]
    rows = df[_stripped(first).eq(df.columns[0]).fillna(False).astype(bool)]  # the others are checked if this is
    if rows.empty:
        return df, []
    same = pd.Series(True, index=rows.index)
    named = pd.Series(0, index=rows.index)
    for column in rows.columns:
        cell = _stripped(rows[column])
        same &= (cell.eq(str(column)) | cell.eq("")).fillna(True).astype(bool)
        named += cell.eq(str(column)).fillna(False).astype(int)
    repeats = rows.index[same & (named >= 2)]
    problems = [
        Problem(
            source,
            int(i) + HEADER_ROWS + 1,
            None,
            "repeats the column names (two files pasted together?)",
            hint="Delete this row",
        )
        for i in repeats
    ]
    return df.drop(index=repeats), problems


def check_cells(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """Run the contract's per-column checks and report each failing cell."""
    known = [c.name for c in table.columns if c.name in df.columns]
    try:
        _schema(table).validate(pd.DataFrame({c: _stripped(df[c]) for c in known}, index=df.index), lazy=True)
    except SchemaErrors as err:
        problems = []
        cases = err.failure_cases
        for case in cases.itertuples(index=False):
            col = table.column(case.column)
            index = case.index
            row = int(index) + HEADER_ROWS + 1 if index is not None and not pd.isna(index) else None
            value = df.at[index, col.name] if row is not None else None
            message = f"'{col.name}' " + _MESSAGES.get(str(case.check), str(case.check)).format(
                minimum=col.minimum or 0, maximum=col.maximum or 0
            )
            problems.append(
                Problem(
                    source,
                    row,
                    col.name,
                    message,
                    value=None if _blank_value(value) else str(value),
                    hint=_hint(col, str(case.check), value),
                )
            )
        return problems
    return []


def _hint(col: Column, check: str, value: object) -> str:
    """What to do about one bad cell: specific to the mistakes spreadsheets make most often."""
    text = "" if _blank_value(value) else str(value).strip()
    if check == "number":
        fraction = re.fullmatch(r"([+-]?\d+(\.\d+)?)\s*%", text) if col.name == "tolerance" else None
        if fraction:  # the one column given as a fraction, not in percent
            return f"The tolerance is a fraction of the target: for {text} write {_num(float(fraction[1]) / 100)}"
        return _number_hint(text) or col.hint
    if check == "allowed" and col.allowed:
        near = difflib.get_close_matches(text.lower().replace(" ", "_"), col.allowed, n=1, cutoff=0.6)
        if near:
            return f"Did you mean '{near[0]}'? {col.hint}"
    if check == "minimum":
        return f"Use {col.minimum:g} or more"
    if check == "maximum":
        if col.name == "tolerance":
            return (
                f"The tolerance is a fraction of the target: for {text}% write {_num(float(text) / 100)}"
                if float(text) <= 100
                else "Use a fraction from 0 to 1 (0.05 is 5%)"
            )
        return (
            f"Use a whole number from {col.minimum:g} to {col.maximum:g}"
            if col.type == "integer"
            else (f"Use {col.maximum:g} or less")
        )
    if check == "size":
        return "Check the figure: one this large is a typing or export mistake"
    if check == "period":
        return _period_hint(text) or col.hint
    if check == "period_or_year":
        return _period_or_year_hint(text) or col.hint
    return col.hint


def _period_or_year_hint(text: str) -> str | None:
    """What to do about a benchmark period that is neither a month nor a financial year as written here."""
    t = text.strip()
    if m := re.fullmatch(r"(?:FY\s*)?(\d{4})\s*([/\-\u2013])\s*(\d{2}|\d{4})", t, re.IGNORECASE):
        start, separator, end = int(m[1]), m[2], int(m[3])
        year = f"{start}/{(start + 1) % 100:02d}"
        if end == start + 1 or (len(m[3]) == 2 and end == (start + 1) % 100):
            return f"Write the financial year as {year}"
        if len(m[3]) == 2 and 1 <= end <= 12:  # 2019/03: a month written with a slash
            return f"Write the month as {start}-{end:02d}, or a financial year as YYYY/YY (for example {year})"
        if separator == "-" and len(m[3]) == 2:
            return "Write the month as YYYY-MM with a month from 01 to 12, or a financial year as YYYY/YY"
        return f"The second year of a financial year must follow the first: {year} is the year starting in {start}"
    month = suggest_period(t)
    return f"Write it as {month}, or give a financial year as YYYY/YY (for example 2018/19)" if month else None


#: What people type in a figure's cell when there is no figure. A dash may also mean zero, as in
#: Excel's accounting format, so neither is guessed: the hint says both.
_NO_FIGURE = {
    "n/a",
    "na",
    "n.a.",
    "n/k",
    "nk",
    "..",
    "...",
    "tbc",
    "tba",
    "nil",
    "none",
    "null",
    "unknown",
    "not available",
    "not known",
    "no data",
    "x",
    "*",
}
_DASHES = {"-", "\u2013", "\u2014", "\u2212"}
#: Minus signs that are not the keyboard's hyphen-minus: the Unicode minus, en and em dashes.
_OTHER_MINUS = "\u2212\u2013\u2014\ufe63\uff0d"
#: Spaces used between thousands: ordinary, non-breaking, narrow non-breaking and thin.
_SPACES = " \u00a0\u202f\u2009"


def _number_hint(text: str) -> str | None:
    """The fix for a figure typed the way spreadsheets, reports and other countries write them."""
    if text.endswith("%"):
        return f"Write it without the % sign, as {text[:-1].strip()} (percentages are given in percent)"
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        return f"Write it without thousands separators, as {text.replace(',', '')}"
    if re.fullmatch(rf"[+-]?\d{{1,3}}([{_SPACES}]\d{{3}})+(\.\d+)?", text):
        return f"Write it without spaces between the thousands, as {re.sub(f'[{_SPACES}]', '', text)}"
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return f"Use a full stop for the decimal point, as {text.replace(',', '.')}"
    if text.startswith("£"):
        return f"Write it without the £ sign, as {text[1:].replace(',', '')}"
    if text in _DASHES:
        return "A dash is not a figure: leave the cell blank if there is no figure, or write 0 if it means zero"
    if len(text) > 1 and text[0] in _OTHER_MINUS and _plain_number(text[1:]):
        return f"Use the ordinary minus sign -, as -{text[1:].strip()} (this one was typed as U+{ord(text[0]):04X})"
    if text.lower() in _NO_FIGURE:
        return "It is not a figure: leave the cell blank if there is no figure yet"
    if text.lower() in ("nan", "inf", "-inf", "infinity", "#div/0!", "#n/a", "#value!"):
        return "It is not a usable figure: leave the cell blank if there is no figure yet"
    return None


def _plain_number(text: str) -> bool:
    return re.fullmatch(r"\s*\d+(\.\d+)?", text) is not None


_MONTH_NUMBERS = {
    **{m.lower(): i for i, m in enumerate(MONTH_NAMES, 1)},
    **{m[:3].lower(): i for i, m in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def _month(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def suggest_period(text: str) -> str | None:
    """The YYYY-MM month a period typed another way stands for, or None if it cannot be told.

    Recognises what spreadsheets write: ``01/06/2024`` and ``1/6/2024`` (day first, as in the UK;
    month first only when the day could not be a month), ``Jun-24``, ``June 2024``, ``01-Jun-24``,
    ``2024/06``, ``2024-6``, ``202406``, ``6/2024`` and a date ``2024-06-30 00:00:00``.
    """
    t = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?", t):
        return _month(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", t):
        day, month = int(m[1]), int(m[2])
        if month > 12 >= day:  # 6/30/2024: month first
            day, month = month, day
        return _month(_year(m[3]), month)
    if m := re.fullmatch(r"(?:\d{1,2}[- ])?([A-Za-z]+)\.?[- ,]*(\d{4}|\d{2})", t):
        named = _MONTH_NUMBERS.get(m[1].lower())
        return _month(_year(m[2]), named) if named else None
    if m := re.fullmatch(r"(\d{4})(?:[/.-](\d{1,2})|(\d{2}))", t):
        return _month(int(m[1]), int(m[2] or m[3]))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", t):
        return _month(int(m[2]), int(m[1]))
    return None


def _period_hint(text: str) -> str | None:
    """What to do about a period not written YYYY-MM: the exact month when it can be told."""
    fy = re.fullmatch(r"(\d{4})/(\d{2})", text.strip())
    if fy and int(fy[2]) == (int(fy[1]) + 1) % 100:
        return (
            "It looks like a financial year, not a month: write the month the figure is for as YYYY-MM, "
            "for example 2019-07"
        )
    if text.strip().lower() in ("period", "first_reported"):
        return "This row repeats the column names (two files pasted together?): delete it"
    serial = _excel_serial_date(text)
    if serial is not None:
        return (
            f"It looks like a date Excel stored as a number ({text.strip()} is {serial.day} {serial:%B %Y}): "
            "format the "
            f"column as Text and write it as {serial:%Y-%m}"
        )
    month = suggest_period(text)
    if month is None:
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        return f"It looks like a date: format the column as Text and write it as {month}"
    return f"Write it as {month}"


def _excel_serial_date(text: str) -> dt.date | None:
    """The date an Excel serial number stands for (43646 is 30 June 2019), for 1970 to 2100 only:
    a smaller or larger number is not taken for a date."""
    m = re.fullmatch(r"\s*(\d{5})(\.0+)?\s*", text)
    if m is None or not 25569 <= int(m[1]) <= 73050:
        return None
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(m[1]))


def _blank_value(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""


def any_repeated_key(df: pd.DataFrame, key: Sequence[str]) -> bool:
    """Whether two rows have the same key (stripped, as :func:`check_duplicates` compares them), among rows
    with no blank key part: one pass over plain tuples, as most tables have no repeat, before the frame
    operations that name each repeat and its rows."""
    parts = [_texts(df[k]) for k in key]
    keys = [row for row in zip(*parts, strict=True) if all(part not in (None, "") for part in row)]
    return len(set(keys)) < len(keys)


def check_duplicates(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """One problem per repeated key, naming every row it appears on.

    Keys are compared as they will be used, without spaces before and after (``ASC-01 `` is
    ``ASC-01``), and the message quotes them as typed when they were typed differently.
    """
    if not set(table.key) <= set(df.columns) or df.empty or not any_repeated_key(df, table.key):
        return []
    return _repeated_keys(table, df, source)


def _repeated_keys(table: Table, df: pd.DataFrame, source: str) -> list[Problem]:
    """:func:`check_duplicates` for a table that holds every key column and at least one row."""
    keys = pd.DataFrame({k: _stripped(df[k]) for k in table.key}, index=df.index)
    blank = (keys.isna() | keys.eq("")).any(axis=1)  # a blank key is reported as blank, not as a repeat
    dup = keys[keys.duplicated(keep=False) & ~blank]
    problems = []
    for key, group in dup.groupby(list(table.key), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows = [int(i) + HEADER_ROWS + 1 for i in group.index]
        label = ", ".join(f"{k}={v}" for k, v in zip(table.key, key))
        typed = list(
            dict.fromkeys(
                str(df.at[i, k]) for i in group.index for k in table.key if str(df.at[i, k]) != str(keys.at[i, k])
            )
        )
        as_typed, hint = "", "Keep one row and delete the others"
        if typed:
            as_typed = "; typed as " + ", ".join(repr(t) for t in typed)
            hint += " (spaces before or after a value do not make it a different one)"
        problems.append(
            Problem(
                source,
                rows[1],
                table.key[-1],
                f"{label} appears more than once (rows " + ", ".join(map(str, rows)) + f"{as_typed})",
                hint=hint,
            )
        )
    return problems


def to_typed(table: Table, df: pd.DataFrame, financial_year_start_month: int = 4) -> pd.DataFrame:
    """Text table -> typed columns: numbers as float, periods as month ordinals, blanks as missing.

    A ``period_or_year`` column becomes a month ordinal (a financial year its last month, which is why
    the start month is needed) and keeps the text as written in ``<name>_label`` (``2018/19``), for
    showing the figure as its source names it. Call only on a table that passed :func:`check_cells`;
    columns absent from the file are added blank.
    """
    columns: dict[str, object] = {}
    for col in table.columns:
        texts = _texts(df[col.name]) if col.name in df.columns else np.full(len(df), None, dtype=object)
        texts[texts == ""] = None
        if col.type in ("number", "integer"):
            columns[col.name] = pd.to_numeric(pd.Series(texts, index=df.index, dtype=object), errors="coerce").astype(
                float
            )
        elif col.type == "period":
            columns[col.name] = parse_periods(pd.Series(texts, index=df.index, dtype="string"))
        elif col.type == "period_or_year":
            text = pd.Series(texts, index=df.index, dtype="string")
            columns[col.name] = parse_periods_or_years(text, financial_year_start_month)
            columns[f"{col.name}_label"] = pd.Series(texts, index=df.index, dtype=object)
        else:
            if col.type == "text":
                # A spreadsheet marks text with a leading apostrophe, and our CSV exports put one before
                # text starting with = + - @ so it never becomes a formula: read such text back as written.
                texts = np.array([_unquoted(t) for t in texts], dtype=object)
            columns[col.name] = pd.Series(texts, index=df.index, dtype=object)
    out = pd.DataFrame(columns, index=df.index)
    out["source_row"] = df.index + HEADER_ROWS + 1
    return out.reset_index(drop=True)


def _unquoted(text: str | None) -> str | None:
    """Text without the apostrophe that keeps ``=``, ``+``, ``-`` or ``@`` at its start from being a formula."""
    return text[1:] if text is not None and text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


# --- checks across tables -------------------------------------------------------------------------


def check_indicators(ind: pd.DataFrame, plan: Plan, source: str) -> list[Problem]:
    problems: list[Problem] = []
    outcomes = {o.id for o in plan.outcomes}
    priorities = plan.priority_ids
    for r in ind.itertuples(index=False):
        # p() is called only within this iteration, so it always reports the row being checked.
        def p(column: str, message: str, value: object = None, hint: str | None = None) -> None:
            problems.append(
                Problem(
                    source,
                    int(r.source_row),  # noqa: B023
                    column,
                    f"indicator {r.id}: {message}",  # noqa: B023
                    None if value is None else str(value),
                    hint,
                )
            )

        if r.outcome not in outcomes:
            p("outcome", "outcome is not in plan.yaml", r.outcome, "Use one of: " + ", ".join(sorted(outcomes)))
        elif r.priority is not None:  # a priority is only checked against a known outcome
            if r.priority not in priorities:
                p(
                    "priority",
                    "key priority is not in plan.yaml",
                    r.priority,
                    "Use a priority id from plan.yaml, or leave it blank",
                )
            elif r.outcome in outcomes and priorities[r.priority] != r.outcome:
                p(
                    "priority",
                    f"key priority belongs to outcome {priorities[r.priority]}, not {r.outcome}",
                    r.priority,
                    "Correct the outcome or the priority",
                )
        if r.kind == "measure":
            if r.unit is None:
                p("unit", "a measure needs a unit", hint="Use one of: " + ", ".join(UNITS))
            if r.polarity is None:
                p("polarity", "a measure needs a polarity", hint="Use higher, lower or none")
        has_target = not (r.target is None or np.isnan(r.target))
        has_amber = not (r.amber_threshold is None or np.isnan(r.amber_threshold))
        if r.kind == "milestone" and (has_target or has_amber):
            p("target", "a milestone cannot have a numeric target", hint="Leave target and amber_threshold blank")
        baseline = getattr(r, "spc_baseline", None)
        if r.kind == "milestone" and not (baseline is None or np.isnan(baseline)):
            p(
                "spc_baseline",
                "a milestone has no figures to draw an SPC chart of, so it cannot have an spc_baseline",
                _num(baseline),
                "Leave spc_baseline blank for milestones",
            )
        if r.polarity == "none" and has_target:
            p(
                "target",
                "has a target but polarity is none, so it cannot be judged against it",
                f"{r.target:g}",
                "Set polarity to higher or lower, or leave target blank (data only)",
            )
        elif r.polarity == "none" and has_amber:
            p(
                "amber_threshold",
                "has an amber threshold but polarity is none, so it cannot be judged against it",
                _num(r.amber_threshold),
                "Set polarity to higher or lower and give a target, or leave amber_threshold blank",
            )
        if not (np.isnan(r.minimum) or np.isnan(r.maximum)) and r.minimum > r.maximum:
            p(
                "minimum",
                f"minimum ({_num(r.minimum)}) is greater than maximum ({_num(r.maximum)})",
                _num(r.minimum),
                "Swap them, or correct the one that is wrong",
            )
        if has_target and has_amber and r.polarity in ("higher", "lower"):
            wrong = r.amber_threshold > r.target if r.polarity == "higher" else r.amber_threshold < r.target
            if wrong:
                side = "below" if r.polarity == "higher" else "above"
                p(
                    "amber_threshold",
                    f"amber threshold should be {side} the target ({r.target:g}) when {r.polarity} is better",
                    f"{r.amber_threshold:g}",
                    "Correct the threshold or the polarity",
                )
    return problems


def _unknown_indicator(df: pd.DataFrame, known: set[str], source: str) -> list[Problem]:
    bad = df[df["indicator"].notna() & ~df["indicator"].isin(known)]  # a blank id is reported as blank
    by_case = {k.casefold(): k for k in known if isinstance(k, str)}
    return [
        Problem(
            source,
            int(r.source_row),
            "indicator",
            "indicator is not in indicators.csv",
            str(r.indicator),
            _unknown_id_hint(str(r.indicator), by_case),
        )
        for r in bad.itertuples(index=False)
    ]


def _unknown_id_hint(typed: str, by_case: dict[str, str]) -> str:
    """Check the id; when it differs from a known one only in capitals or spaces, say which."""
    hint = "Check the id, or add the indicator to indicators.csv"
    same = by_case.get(re.sub(r"\s", " ", typed).casefold())
    if same is not None:
        return f"Did you mean '{same}'? Ids must match exactly, capitals and spaces included. " + hint
    if re.search(r"[\u00a0\u202f\u2009]", typed):
        return "It contains a non-breaking space: retype the space. " + hint
    return hint


def _num(x: float) -> str:
    """A figure as a person would type it: ``-4.5``, ``1250000`` (not ``1.25e+06``)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def check_values(
    values: pd.DataFrame,
    ind: pd.DataFrame,
    source: str,
    indicators_source: str = "indicators.csv",
    financial_year_start_month: int | None = 4,
) -> list[Problem]:
    """Each figure against its indicator: limits, kind, first month, and the month a quarterly or annual
    figure must be in (skipped when ``financial_year_start_month`` is unknown).

    Vectorised: a values file can hold hundreds of thousands of rows; only failing rows are looped over.
    """
    problems = _unknown_indicator(values, set(ind["id"]), source)
    first = ind.drop_duplicates("id").set_index("id")  # duplicated ids are reported on their own
    attrs = first[["kind", "first_reported", "unit", "frequency", "minimum", "maximum", "source_row"]]
    v = values.join(attrs.rename(columns={"source_row": "indicator_row"}), on="indicator")
    v = v[v["kind"].notna()]
    has_value = v["value"].notna()
    problems += _limit_problems(v[has_value], indicators_source, source)

    for r in v[(v["kind"] == "milestone") & has_value].itertuples(index=False):
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "value",
                f"indicator {r.indicator} is a milestone but has a value",
                f"{r.value:g}",
                "Put its delivery state in milestone_status and leave value blank",
            )
        )
    for r in v[(v["kind"] == "measure") & v["milestone_status"].notna()].itertuples(index=False):
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "milestone_status",
                f"indicator {r.indicator} is a measure but has a milestone status",
                r.milestone_status,
                "Leave milestone_status blank for measures",
            )
        )
    early = v["period"].notna() & v["first_reported"].notna() & (v["period"] < v["first_reported"])
    for r in v[early].itertuples(index=False):
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "period",
                f"indicator {r.indicator} has a value before its first_reported month "
                f"({format_period(int(r.first_reported))})",
                format_period(int(r.period)),
                "Correct the period, or first_reported in indicators.csv",
            )
        )
    if financial_year_start_month is not None:
        reported = v[v["period"].notna() & (has_value | v["milestone_status"].notna())]
        problems += _quarter_problems(reported, source, financial_year_start_month)
        problems += _annual_problems(reported, source, financial_year_start_month)
    return problems


def _limit_problems(v: pd.DataFrame, indicators_source: str, source: str) -> list[Problem]:
    """Figures below the indicator's minimum (its own, or its unit's default) or above its maximum."""
    problems = []
    v = v[~(v["minimum"] > v["maximum"])]  # limits that contradict each other are the one mistake, reported once
    default = v["unit"].map(UNIT_MINIMUMS).astype(float)
    below = v["value"] < v["minimum"].fillna(default)
    for r in v[below].itertuples(index=False):
        if np.isnan(r.minimum):
            change = " or use unit percent_change for a percentage change" if r.unit == "percent" else ""
            problems.append(
                Problem(
                    source,
                    int(r.source_row),
                    "value",
                    f"indicator {r.indicator} is {UNIT_NAMES[r.unit]}, which cannot be negative: its "
                    f"minimum is {_num(UNIT_MINIMUMS[r.unit])}, the default for unit {r.unit}",
                    _num(r.value),
                    "Check the figure and its sign. If this measure can be negative, "
                    f"give it a minimum in {indicators_source}{change}",
                )
            )
        else:
            problems.append(
                Problem(
                    source,
                    int(r.source_row),
                    "value",
                    f"indicator {r.indicator} is below its minimum of {_num(r.minimum)}, set in "
                    f"{indicators_source} (row {int(r.indicator_row)}, column 'minimum')",
                    _num(r.value),
                    "Check the figure, or correct the indicator's minimum",
                )
            )
    for r in v[v["value"] > v["maximum"]].itertuples(index=False):
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "value",
                f"indicator {r.indicator} is above its maximum of {_num(r.maximum)}, set in "
                f"{indicators_source} (row {int(r.indicator_row)}, column 'maximum')",
                _num(r.value),
                "Check the figure, or correct the indicator's maximum",
            )
        )
    return problems


def _quarter_problems(v: pd.DataFrame, source: str, start_month: int) -> list[Problem]:
    """Quarterly figures must be in a quarter's last month, or the appendix and the drafted text would
    compare different months."""
    quarterly = v[v["frequency"] == "quarterly"]
    month = month_of_year(quarterly["period"].astype(int), start_month)
    problems = []
    for r, m in zip(quarterly[month % 3 != 0].itertuples(index=False), month[month % 3 != 0]):
        period = int(r.period)
        end = period + 3 - m % 3
        quarter = f"Q{(m - 1) // 3 + 1} {financial_year_label(period, start_month)}"
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "period",
                f"indicator {r.indicator} is quarterly, but {format_period(period)} is in {quarter}, "
                f"which ends {format_period(end)}",
                format_period(period),
                f"Put the quarter's figure in its last month, {format_period(end)}: quarterly figures "
                "go in the quarter's last month",
            )
        )
    return problems


def _annual_problems(v: pd.DataFrame, source: str, start_month: int) -> list[Problem]:
    """At most one figure per financial year for an annual measure (a repeated month is reported as a duplicate)."""
    annual = v[v["frequency"] == "annual"].drop_duplicates(["indicator", "period"])
    annual = annual.assign(year=financial_year(annual["period"].astype(int).to_numpy(), start_month))
    repeated = annual[annual.duplicated(["indicator", "year"], keep=False)].sort_values(["indicator", "period"])
    problems = []
    for (indicator, _year), group in repeated.groupby(["indicator", "year"], sort=True):
        rows = [f"{int(r.source_row)} ({format_period(int(r.period))})" for r in group.itertuples(index=False)]
        later = group.iloc[1]
        label = financial_year_label(int(later["period"]), start_month)
        problems.append(
            Problem(
                source,
                int(later["source_row"]),
                "period",
                f"indicator {indicator} is annual, but has {len(rows)} figures in {label}: rows "
                + ", ".join(rows[:-1])
                + f" and {rows[-1]}",
                format_period(int(later["period"])),
                "Keep one figure per financial year (in the same month each year), or change the indicator's frequency",
            )
        )
    return problems


def check_future(df: pd.DataFrame, source: str, today: dt.date | None = None) -> list[Problem]:
    """Periods after the current month: a typo in the year, almost always."""
    today = today or dt.date.today()
    now = today.year * 12 + today.month - 1
    from goldenthread.inputs.periods import format_period

    future = df[df["period"].notna() & (df["period"] > now)]
    return [
        Problem(
            source,
            int(r.source_row),
            "period",
            "is a month in the future",
            format_period(int(r.period)),
            "Check the year; figures can only be given for months that have ended or are under way",
        )
        for r in future.itertuples(index=False)
    ]


def check_targets(targets: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    problems = _unknown_indicator(targets, set(ind["id"]), source)
    judged = set(ind.loc[(ind["kind"] == "measure") & ind["polarity"].isin(["higher", "lower"]), "id"])
    for r in targets[targets["indicator"].isin(set(ind["id"]) - judged)].itertuples(index=False):
        problems.append(
            Problem(
                source,
                int(r.source_row),
                "target",
                f"indicator {r.indicator} cannot have a target (it is a milestone or has polarity none)",
                f"{r.target:g}",
                "Delete the row, or give the indicator a polarity of higher or lower",
            )
        )
    return problems


def check_commentary(commentary: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    problems = _unknown_indicator(commentary, set(ind["id"]), source)
    for r in commentary.itertuples(index=False):
        if r.status_override is not None and r.override_reason is None:
            problems.append(
                Problem(
                    source,
                    int(r.source_row),
                    "override_reason",
                    f"indicator {r.indicator}: a status override needs a reason",
                    hint="Say why the computed status was overridden; the reason is shown in the report",
                )
            )
    return problems


def _measures_only(df: pd.DataFrame, ind: pd.DataFrame, source: str, what: str) -> list[Problem]:
    """Rows of a table that only measures may have (benchmarks, rebases) naming a milestone."""
    milestones = set(ind.loc[ind["kind"] == "milestone", "id"])
    return [
        Problem(
            source,
            int(r.source_row),
            "indicator",
            f"indicator {r.indicator} is a milestone, and {what}",
            str(r.indicator),
            "Delete the row: only measures (kind measure in indicators.csv) can have one",
        )
        for r in df[df["indicator"].isin(milestones)].itertuples(index=False)
    ]


def check_benchmarks(
    bench: pd.DataFrame, ind: pd.DataFrame, source: str, indicators_source: str = "indicators.csv"
) -> list[Problem]:
    """benchmarks.csv against indicators.csv and itself: a known measure on every row, figures within the
    indicator's limits (as values.csv's are: comparable areas' figures are in the same unit), one figure per
    indicator, area and month however the period is written, and one name per area code."""
    problems = _unknown_indicator(bench, set(ind["id"]), source)
    problems += _measures_only(bench, ind, source, "benchmarks are figures for measures only")
    first = ind.drop_duplicates("id").set_index("id")
    attrs = first[["kind", "unit", "minimum", "maximum", "source_row"]]
    b = bench.join(attrs.rename(columns={"source_row": "indicator_row"}), on="indicator")
    b = b[(b["kind"] == "measure") & b["value"].notna() & b["unit"].notna()]
    problems += _limit_problems(b, indicators_source, source)
    problems += _same_month_twice(bench, source)
    problems += _area_names(bench, source)
    return problems


def _same_month_twice(bench: pd.DataFrame, source: str) -> list[Problem]:
    """A month and the financial year ending in it (``2019-03`` and ``2018/19``) for one indicator and area:
    the same month written two ways (the same text twice is reported as a repeated key)."""
    typed = bench[bench["period"].notna()].drop_duplicates(["indicator", "area_code", "period_label"])
    clash = typed[typed.duplicated(["indicator", "area_code", "period"], keep=False)]
    problems = []
    for (indicator, area, period), group in clash.groupby(["indicator", "area_code", "period"], sort=True):
        labels = " and ".join(f"{lbl} (row {int(r)})" for lbl, r in zip(group["period_label"], group["source_row"]))
        later = group.iloc[1]
        problems.append(
            Problem(
                source,
                int(later["source_row"]),
                "period",
                f"indicator {indicator} has two figures for area {area} in {format_period(int(period))}: "
                f"{labels}; a financial year's figure counts as its last month's",
                str(later["period_label"]),
                "Keep one of the two rows",
            )
        )
    return problems


def _area_names(bench: pd.DataFrame, source: str) -> list[Problem]:
    """One name per area code: a chart or table would otherwise name the same area two ways."""
    named = bench[bench["area_code"].notna() & bench["area_name"].notna()]
    names = named.groupby("area_code", sort=True)["area_name"].unique()
    problems = []
    for code, found in names[names.map(len) > 1].items():
        rows = named[named["area_code"] == code]
        first = rows.iloc[0]
        other = rows[rows["area_name"] != first["area_name"]].iloc[0]
        problems.append(
            Problem(
                source,
                int(other["source_row"]),
                "area_name",
                f"area {code} is named '{first['area_name']}' on row {int(first['source_row'])} but "
                f"'{other['area_name']}' here ({len(found)} names in all)",
                str(other["area_name"]),
                "Give each area code one name, spelt the same on every row",
            )
        )
    return problems


def check_rebases(rebases: pd.DataFrame, ind: pd.DataFrame, source: str) -> list[Problem]:
    """rebases.csv: every row for a known measure (a repeated month is a repeated key, reported with the cells)."""
    problems = _unknown_indicator(rebases, set(ind["id"]), source)
    return problems + _measures_only(rebases, ind, source, "an SPC chart is drawn for measures only")


def check_comparators(
    comparators: Comparators,
    bench: pd.DataFrame,
    source: str = "comparators.yaml",
    benchmarks_source: str = "benchmarks.csv",
) -> tuple[list[Problem], list[Problem]]:
    """comparators.yaml against benchmarks.csv: (problems, warnings).

    The council's own area code must have figures, or nothing can be compared. A group's area without
    any figures, and a comparison group of fewer other areas than benchmarking needs, build (the group
    is compared without it, or its rows say there are too few comparators), so they are warnings.
    """

    codes = set(bench["area_code"].dropna())
    problems, warnings = [], []
    us = comparators.us
    if us not in codes:
        near = [c for c in codes if str(c).casefold() == us.strip().casefold()]
        near += difflib.get_close_matches(us, sorted(codes - set(near)), n=1, cutoff=0.8)
        problems.append(
            Problem(
                source,
                None,
                "us",
                f"the council's area code is not an area_code in {benchmarks_source}, so nothing can be compared",
                us,
                (f"Did you mean '{near[0]}'? " if near else "")
                + f"Write the council's own area code as {benchmarks_source} gives it, or add the council's "
                f"figures to {benchmarks_source}",
                field="key",
            )
        )
    for i, group in enumerate(comparators.groups):
        for code in dict.fromkeys(group.areas):
            if code not in codes and code != us:
                warnings.append(
                    Problem(
                        source,
                        None,
                        f"groups.{i}.areas",
                        f"area {code} of group '{group.name}' has no figures in {benchmarks_source}, so the group "
                        "is compared without it",
                        code,
                        f"Check the code against {benchmarks_source}'s area_code column, or add the area's figures",
                        field="key",
                    )
                )
        others = len(set(group.areas) - {us})
        if group.kind == "comparison" and others < MIN_COMPARATORS:
            warnings.append(
                Problem(
                    source,
                    None,
                    f"groups.{i}.areas",
                    f"group '{group.name}' has {others} other area{'s' if others != 1 else ''} besides the council; "
                    f"benchmarking needs at least {MIN_COMPARATORS} with a figure, so its rows will say there are "
                    "too few to compare",
                    None,
                    f"Add areas to the group (at least {MIN_COMPARATORS} besides the council), or make a single "
                    "area a reference group (kind: reference)",
                    field="key",
                )
            )
    return problems, warnings


# --- warnings: things that build but are probably mistakes ------------------------------------------


def check_warnings(
    ind: pd.DataFrame, targets: pd.DataFrame, source: str, targets_source: str, default_tolerance: float
) -> list[Problem]:
    """Measures that will be shown as Data only though they have a polarity, and amber bands of zero width.

    Neither breaks the contract (a target may come later; a target of 0 is legitimate), so they are
    warnings: ``validate`` prints them and the report is still built.
    """
    judged = ind[(ind["kind"] == "measure") & ind["polarity"].isin(["higher", "lower"])]
    warnings = []
    profiled = set(targets["indicator"])
    for r in judged[judged["target"].isna() & ~judged["id"].isin(profiled)].itertuples(index=False):
        warnings.append(
            Problem(
                source,
                int(r.source_row),
                "target",
                f"indicator {r.id} has polarity {r.polarity} but no target here or in {targets_source}, "
                "so it will be shown as Data only",
                None,
                "Give it a target, or set its polarity to none if it is only monitored",
            )
        )
    tolerance = judged.set_index("id")["tolerance"].fillna(default_tolerance)
    tolerance = tolerance[~tolerance.index.duplicated()]
    zero = judged[(judged["target"] == 0) & judged["amber_threshold"].isna() & (judged["id"].map(tolerance) > 0)]
    for r in zero.itertuples(index=False):
        warnings.append(_zero_band(source, int(r.source_row), r.id, float(tolerance[r.id])))
    rows = targets[
        targets["indicator"].isin(set(judged["id"]))
        & (targets["target"] == 0)
        & targets["amber_threshold"].isna()
        & (targets["indicator"].map(tolerance) > 0)
    ]
    for r in rows.itertuples(index=False):
        warnings.append(_zero_band(targets_source, int(r.source_row), r.indicator, float(tolerance[r.indicator])))
    return warnings


def _zero_band(source: str, row: int, indicator: str, tolerance: float) -> Problem:
    return Problem(
        source,
        row,
        "target",
        f"indicator {indicator} has a target of 0 and no amber_threshold, so its amber band ({tolerance:g} "
        "x the target) has zero width: any figure worse than 0 is red",
        None,
        "Give an amber_threshold (the figure up to which it is amber) if figures near 0 should be amber",
    )
