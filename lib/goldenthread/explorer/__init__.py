"""The analyst's indicator explorer: pick indicators, see their whole history, status and findings.

The Corporate Performance Report shows each indicator as at one month. Before signing a report
off, an analyst wants the story behind that single row: every month's figure against its target,
which status each month earned and why, whether the figure is moving the right way, and which
findings (runs, records, missed targets) made it an area of success or concern. These functions
work on the frames a :class:`goldenthread.documents.report.Report` already holds (``history``,
``card``, the candidate areas), so the explorer cannot disagree with the report it explains.

Everything here is a plain function over DataFrames, testable without a kernel.
``notebooks/indicator_explorer.ipynb`` only calls them. The interactive parts degrade gracefully:
:func:`interactive_table` falls back to the DataFrame without itables, and :func:`picker`
returns ``None`` without ipywidgets. Neither needs the network or a live front end, so the
notebook still runs headless under Papermill and nbval.

- :mod:`.tables`: choosing indicators, the scorecard as a table, the findings behind the areas
- :mod:`.history`: one indicator over time, as a table and as a chart
- :mod:`.interactive`: an offline sortable table and dropdown pickers for JupyterLab
- :mod:`.variation`: one indicator's SPC chart with every point and rule, and its comparator group
"""

from goldenthread.explorer.history import HistoryFigure, history_chart, status_history
from goldenthread.explorer.interactive import OfflineTable, interactive_table, picker
from goldenthread.explorer.tables import findings_for, indicator_table, select_indicators
from goldenthread.explorer.variation import benchmark_figures, benchmark_view, spc_points, spc_reading, spc_view

__all__ = [
    "select_indicators",
    "indicator_table",
    "status_history",
    "history_chart",
    "HistoryFigure",
    "findings_for",
    "interactive_table",
    "OfflineTable",
    "picker",
    "spc_view",
    "spc_points",
    "spc_reading",
    "benchmark_view",
    "benchmark_figures",
]
