"""Tables written for spreadsheets, made safe to open; files written whole or not at all.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula by Excel and LibreOffice
(formula injection: commentary such as ``=HYPERLINK(...)`` could call out or mislead). Text cells
starting with those characters are written with a leading apostrophe, which spreadsheets show as
plain text and goldenthread removes again when it reads the file; numbers are left as numbers.
Every column is treated the same whatever its type, because an indicator id, a title or an
owner is as much a cell as a commentary.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``df`` passed through :func:`safe_cell`, in every column.

    Columns are not chosen by dtype: a categorical, ``string`` or mixed column holds text as well,
    and only numbers (which a spreadsheet reads as numbers) may pass unchanged.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        out[col] = s.astype(object).map(safe_cell)
    return out


def write_atomically(path: Path, write: Callable[[IO[str]], object], encoding: str = "utf-8") -> None:
    """Write ``path`` through a temporary file beside it, then rename: readers (a web server, Excel)
    see the old file or the new one, never half of one, and a failure leaves the old file as it was.

    The file gets the usual mode for a new file (0666 less the umask, as every other file the tool
    writes), not the private 0600 of :func:`tempfile.mkstemp`, so a web server can read it.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV (with a byte-order mark, so Excel reads the encoding right), formula-safe, written whole."""
    safe = safe_frame(df)
    write_atomically(path, lambda f: safe.to_csv(f, index=False, lineterminator="\n"), encoding="utf-8-sig")


def why_not_writable(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (made if missing), or None when they can.

    Checked before any work, so a mistyped ``--out`` or ``--csv`` is a message at once rather
    than a traceback after the data was checked.
    """
    try:
        if folder.exists() and not folder.is_dir():
            return f"{folder} is a file, not a folder"
        existing = next((p for p in (folder, *folder.absolute().parents) if p.exists()), None)
        if existing is None or not existing.is_dir():
            return f"{folder} cannot be made: {existing} is a file, not a folder"
    except OSError as err:  # a name longer than the file system allows, a loop of links
        return f"{folder} cannot be used: {err.strerror or err}"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is read-only for you"
    return None
