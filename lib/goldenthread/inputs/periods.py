"""Reporting periods in the UK financial year.

Internally a period is a *month ordinal* (``year * 12 + month - 1``): an integer, so that
"the same month last year" is ``p - 12`` and whole columns shift without date arithmetic.
Periods are written ``YYYY-MM`` in files and labelled for people as "Q1 2019/20" or, for a
month inside a quarter, "Q1+1 2019/20" (one month after Q1 closed, as seed 003 does).
"""

from __future__ import annotations

import re
from typing import overload

import numpy as np
import pandas as pd

from goldenthread.inputs.contract import PERIOD_PATTERN, YEAR_MONTH

_PERIOD_RE = re.compile(PERIOD_PATTERN)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_period(text: str) -> int:
    """``"2019-07"`` -> month ordinal. Raises ``ValueError`` with the expected form."""
    m = _PERIOD_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not a period; write the month as YYYY-MM, for example 2019-07")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def parse_periods(texts: pd.Series) -> pd.Series:
    """Vectorised :func:`parse_period` for already-validated text; invalid entries become ``<NA>``."""
    parts = texts.astype("string").str.extract(rf"^\s*{YEAR_MONTH}\s*$")
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    return (year * 12 + month - 1).astype("Int64")


def format_period(ordinal: int) -> str:
    """Month ordinal -> ``"YYYY-MM"``."""
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def month_name(ordinal: int, *, with_year: bool = True) -> str:
    """Month ordinal -> ``"July 2019"`` (or ``"July"``)."""
    name = MONTH_NAMES[ordinal % 12]
    return f"{name} {ordinal // 12}" if with_year else name


@overload
def financial_year(ordinal: int, start_month: int = 4) -> int: ...
@overload
def financial_year(ordinal: np.ndarray, start_month: int = 4) -> np.ndarray: ...
def financial_year(ordinal: int | np.ndarray, start_month: int = 4) -> int | np.ndarray:
    """The calendar year in which the financial year containing ``ordinal`` starts."""
    return (
        (np.asarray(ordinal) - (start_month - 1)) // 12
        if not isinstance(ordinal, int)
        else ((ordinal - (start_month - 1)) // 12)
    )


@overload
def month_of_year(ordinal: int, start_month: int = 4) -> int: ...
@overload
def month_of_year(ordinal: np.ndarray, start_month: int = 4) -> np.ndarray: ...
def month_of_year(ordinal: int | np.ndarray, start_month: int = 4) -> int | np.ndarray:
    """1 for the first month of the financial year (April by default) up to 12."""
    return (ordinal - (start_month - 1)) % 12 + 1


def financial_year_label(ordinal: int, start_month: int = 4) -> str:
    """``"2019/20"``; for a calendar financial year (start month 1) just ``"2019"``."""
    fy = financial_year(ordinal, start_month)
    return f"{fy}" if start_month == 1 else f"{fy}/{(fy + 1) % 100:02d}"


def financial_year_start(ordinal: int, start_month: int = 4) -> int:
    """Month ordinal of the first month of the financial year containing ``ordinal``."""
    return financial_year(ordinal, start_month) * 12 + start_month - 1


def quarter_label(ordinal: int, start_month: int = 4) -> str:
    """``"Q1 2019/20"`` at a quarter end, ``"Q1+1 2019/20"`` one month after it.

    A month before the first quarter closes is labelled from the previous year's Q4
    (April 2019 is "Q4+1 2018/19"), which is how a report at that point reads.
    """
    m = month_of_year(ordinal, start_month)  # 1..12
    quarter, extra = divmod(m, 3)
    if quarter == 0:  # first or second month of the year: after last year's Q4
        return f"Q4+{extra} {financial_year_label(ordinal - m, start_month)}"
    fy = financial_year_label(ordinal, start_month)
    return f"Q{quarter} {fy}" if extra == 0 else f"Q{quarter}+{extra} {fy}"
