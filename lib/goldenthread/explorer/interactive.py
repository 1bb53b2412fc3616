"""Interactive views for JupyterLab that still work offline and headless: a sortable table and
dropdown pickers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from goldenthread.explorer.history import _short

# --- interactive views -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineTable:
    """An itables DataTable as self-contained HTML: the DataTables library is embedded, not fetched.

    Reports and explorers are opened on council laptops that may block CDNs, and an analyst's
    notebook should not send requests when it is opened; so nothing is loaded from the network.
    """

    html: str
    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return repr(self.frame)


def interactive_table(
    df: pd.DataFrame, *, caption: str | None = None, page_length: int = 25, include_library: bool = True
) -> OfflineTable | pd.DataFrame:
    """``df`` as a sortable, searchable table with a filter box per column, rendered offline.

    The DataTables bundle shipped inside itables is embedded (base64) in the output, as
    ``itables.init_notebook_mode(connected=False)`` does, but in the same output as the table,
    so the table works even if another cell's output is cleared (the bundle loads once per page;
    pass ``include_library=False`` for further tables when size matters). It also carries a
    static HTML preview, so the table still reads where scripts do not run (GitHub, nbviewer).
    Without itables installed this returns ``df`` itself: a plain table is still a table.
    """
    try:
        from itables import options as itables_options
        from itables import to_html_datatable
        from itables.javascript import generate_init_offline_itables_html
    except ImportError:
        return df
    table = to_html_datatable(
        df.reset_index(drop=True),
        caption=caption,
        connected=False,
        display_logo_when_loading=False,
        column_filters="footer",
        pageLength=page_length,
        showIndex=False,
        classes="display compact",
    )
    library = generate_init_offline_itables_html(itables_options.dt_bundle) if include_library else ""
    return OfflineTable(library + table, df)


def picker(
    card: pd.DataFrame,
    on_change: Callable[[str | None, str | None, str | None], Any] | None = None,
    outcome: str | None = None,
    directorate: str | None = None,
    indicator: str | None = None,
) -> Any:
    """Dropdowns for outcome, directorate and indicator, for exploring in JupyterLab.

    Choosing a value calls ``on_change(outcome, directorate, indicator)`` and shows what it
    displays below the dropdowns; the indicator list narrows to the chosen outcome and
    directorate. Nothing runs until a dropdown changes, so a headless run (Papermill, nbval)
    just records the widget and the parameters cell still decides what the notebook shows.
    Returns ``None`` when ipywidgets is not installed.
    """
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        return None

    def options(column: str) -> list[tuple[str, str | None]]:
        return [("Any", None)] + [(str(v), str(v)) for v in pd.unique(card[column].dropna())]

    def indicator_options(o: str | None, d: str | None) -> list[tuple[str, str | None]]:
        keep = pd.Series(True, index=card.index)
        if o:
            keep &= card["outcome"] == o
        if d:
            keep &= card["directorate"] == d
        rows = card[keep]
        return [("First in selection", None)] + [
            (_short(f"{r.id}: {r.title}", 80), r.id) for r in rows.itertuples(index=False)
        ]

    layout = {"description_width": "90px"}
    out_d = widgets.Dropdown(options=options("outcome"), value=outcome, description="Outcome", style=layout)
    dir_d = widgets.Dropdown(options=options("directorate"), value=directorate, description="Directorate", style=layout)
    ind_opts = indicator_options(outcome, directorate)
    ind_d = widgets.Dropdown(
        options=ind_opts,
        value=indicator if indicator in [v for _, v in ind_opts] else None,
        description="Indicator",
        style=layout,
        layout=widgets.Layout(width="95%"),
    )
    output = widgets.Output()

    def changed(change: dict[str, Any]) -> None:
        if change.get("owner") in (out_d, dir_d):
            keep = ind_d.value
            opts = indicator_options(out_d.value, dir_d.value)
            ind_d.options = opts
            ind_d.value = keep if keep in [v for _, v in opts] else None
        if on_change is not None:
            with output:
                output.clear_output(wait=True)
                try:
                    result = on_change(out_d.value, dir_d.value, ind_d.value)
                    if result is not None:
                        display(result)
                except ValueError as err:
                    print(err)

    for d in (out_d, dir_d, ind_d):
        d.observe(changed, names="value")
    return widgets.VBox([widgets.HBox([out_d, dir_d]), ind_d, output])
