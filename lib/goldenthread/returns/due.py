"""Which indicators are due a figure in a month: the rows a return asks owners for.

An owner asked for a figure that is not due (a quarterly measure in the middle of a quarter) either
leaves the row blank, which looks like a late return, or types last quarter's figure again, which
looks like news. So a return carries only the indicators due that month, by their frequency:

- **monthly**: every month;
- **quarterly**: at the end of each quarter of the council's financial year, the months whose
  position in the financial year (:func:`~goldenthread.inputs.periods.month_of_year` with the
  organisation's ``financial_year_start_month``) is a multiple of 3: June, September, December and
  March for a year starting in April (and for one starting in January); May, August, November and
  February for a year starting in March;
- **annual**: once a year, in the month its last annual figure before this month was reported
  (a year on, then every year on: a survey published each July stays due each July); an annual
  indicator with no figure yet is due at the financial year's end (its 12th month);

and never before the indicator's ``first_reported`` month. The rule is also in docs/returns.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.inputs.load import Dataset
from goldenthread.inputs.periods import month_of_year


def due_indicators(dataset: Dataset, period: int) -> pd.DataFrame:
    """The rows of ``dataset.indicators`` due a figure in ``period`` (a month ordinal), in the dataset's order.

    See the module docstring for the rule. The frame keeps every column of the indicators table and
    a fresh 0..n-1 index.
    """
    ind = dataset.indicators
    if ind.empty:
        return ind.reset_index(drop=True)
    start = dataset.organisation.financial_year_start_month
    frequency = ind["frequency"].astype(str).to_numpy()
    position = int(month_of_year(period, start))
    due = np.zeros(len(ind), dtype=bool)
    due |= frequency == "monthly"
    due |= (frequency == "quarterly") & (position % 3 == 0)
    annual = frequency == "annual"
    if annual.any():
        last = _last_figure_before(dataset.values, period)
        for i in np.flatnonzero(annual):
            before = last.get(str(ind["id"].iat[i]))
            due[i] = position == 12 if before is None else (period - before) % 12 == 0
    first = ind["first_reported"]
    started = (first.isna() | (first.fillna(period) <= period)).to_numpy(dtype=bool)
    return ind[due & started].reset_index(drop=True)


def _last_figure_before(values: pd.DataFrame, period: int) -> dict[str, int]:
    """Indicator id -> the latest month before ``period`` with a figure or a milestone state."""
    if values.empty:
        return {}
    filled = values["value"].notna() | values["milestone_status"].notna()
    earlier = values[filled & (values["period"] < period)]
    if earlier.empty:
        return {}
    latest = earlier.groupby("indicator")["period"].max()
    return {str(k): int(v) for k, v in latest.items()}
