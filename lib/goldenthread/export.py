"""Tables written for spreadsheets, made safe to open.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel and LibreOffice
(formula injection: commentary such as ``=HYPERLINK(...)`` could call out or mislead). Text cells
starting with those characters are written with a leading apostrophe, which spreadsheets show as
plain text; numbers are left as numbers.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``df`` passed through :func:`safe_cell`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV (with a byte-order mark, so Excel reads the encoding right), formula-safe."""
    safe_frame(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
