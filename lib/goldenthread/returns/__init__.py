"""The returns stage: figures and commentary out to indicator owners, and back in.

Each month (or quarter) an owner gets a workbook with a row for each of their indicators due, their
reference figures locked and the cells to fill shaded; the returned workbook is checked against the
identity it carries before anything in it is read.

- :mod:`.due`: which indicators are due a figure in a month (by frequency)
- :mod:`.workbook`: the return workbook, written (:func:`write_returns`) and read back (:func:`read_return`)
"""

from goldenthread.returns.due import due_indicators
from goldenthread.returns.workbook import IssuedReturn, ReturnedFile, read_return, write_returns

__all__ = ["IssuedReturn", "ReturnedFile", "due_indicators", "read_return", "write_returns"]
