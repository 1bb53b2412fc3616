"""Running a report notebook with Papermill, and what a run publishes of it.

:func:`execute_notebook` runs it (in a kernel started beforehand by :mod:`.kernel`, when given one)
and turns every way a run can fail (a cell raising, a cell too slow, a dead or missing kernel) into
a :class:`ReportError` naming the cell as the analyst numbers it. :func:`published_notebook` is the
executed notebook with what only analysts may see removed.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import warnings
from pathlib import Path
from typing import Any

from goldenthread.errors import DataError, Problem, ReportError

#: Extra kernel arguments for every run: a quiet kernel, and no history file written in the user's home.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Cells Papermill adds, which the analyst does not count when numbering their notebook's cells.
_ADDED = {"injected-parameters", "papermill-error-cell-tag"}


def skip_unused_imports() -> None:
    """Keep the command's process from loading what it never uses: ``rfc3987_syntax``.

    Importing nbformat imports jsonschema, which, if ``rfc3987_syntax`` is installed (it comes with
    the Jupyter stack), compiles its IRI grammar at import: over a second, the largest single cost of
    a run's own process, for an "iri" format check that notebook validation never makes (nbformat
    validates without format checks). Marked as absent, jsonschema skips that check's registration.
    Called by the command before any notebook library is imported; a no-op if one already was.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def notebook_parameters(notebook: Path) -> set[str]:
    """The names in a notebook's ``parameters`` cell: only these are passed to it."""
    import papermill as pm

    try:
        with warnings.catch_warnings():  # papermill warns about a name without .ipynb: the message below says more
            warnings.simplefilter("ignore")
            return set(pm.inspect_notebook(str(notebook)))
    except Exception as err:  # noqa: BLE001 - not JSON, not a notebook: nbformat and jsonschema errors alike
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DataError(
            [
                Problem(
                    str(notebook),
                    message=f"is not a notebook that can be run ({first[:120]})",
                    hint="Give a .ipynb file saved by Jupyter, such as notebooks/corporate_performance_report.ipynb",
                )
            ]
        ) from err


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    cwd: Path,
    timeout: int | None,
    progress: bool,
    kernel: Any = None,
) -> Any:
    """Run ``notebook`` with Papermill; the executed notebook (which the caller writes, as it publishes it).

    ``kernel`` is a started ``jupyter_client`` kernel manager to run it in (see :mod:`.kernel`),
    else Papermill starts one. Raises :class:`ReportError` naming the failing cell, and then writes the
    notebook as far as it ran into ``output`` (where :meth:`_Run._keep_failed` keeps it for debugging).

    Papermill is given no output path, so it does not rewrite the whole notebook on disk as each cell
    starts and ends (about thirty times for the example report, each time a larger file): nothing reads
    those copies while the run is going. The notebook is written twice here instead, from the one
    Papermill fills in (``on_notebook_start`` hands it over): as the kernel starts on it (parameters in,
    nothing run yet: the staging folder shows a run under way, as Papermill's first save did), and, if
    the run fails, as far as it ran.
    """
    import papermill as pm
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    engine = {"km": kernel} if kernel is not None else {}
    running: list[Any] = []  # the notebook as Papermill fills it in, written out if the run fails

    def hold(notebook: Any, **_: Any) -> None:
        running.append(notebook)
        write_as_far_as_it_ran(notebook, output)

    try:
        try:
            return pm.execute_notebook(
                str(notebook),
                None,
                parameters=parameters,
                cwd=str(cwd),
                kernel_name="python3",
                progress_bar=progress,
                execution_timeout=timeout,
                log_output=False,
                extra_arguments=KERNEL_ARGUMENTS,
                on_notebook_start=hold,
                **engine,
            )
        except Exception:
            if running:
                write_as_far_as_it_ran(running[-1], output)
            raise
        except KeyboardInterrupt:
            cancel_what_papermill_left_running()
            raise
    except pm.PapermillExecutionError as err:
        raise ReportError(failed_cell_message(output) if output.exists() else str(err)) from err
    except CellTimeoutError as err:
        raise ReportError(
            f"{running_cell(output)} did not finish within {timeout} seconds and was stopped; "
            "if the work is genuinely slow, raise --timeout"
        ) from err
    except DeadKernelError as err:
        raise ReportError(
            f"the notebook's kernel died while running {running_cell(output)} (often a sign it ran out of memory)"
        ) from err
    except NoSuchKernel as err:
        raise ReportError(
            f"no Jupyter kernel called 'python3' is installed for {sys.executable}; reinstall "
            "goldenthread in this environment (make report does it), which brings ipykernel"
        ) from err
    except RuntimeError as err:  # nbclient: "Kernel didn't respond in 60 seconds", and other start failures
        raise ReportError(
            f"the notebook's kernel did not start ({err}). Check that 'python -m ipykernel' runs in "
            "this environment and that no environment variable it reads is malformed"
        ) from err


def cancel_what_papermill_left_running() -> None:
    """Cancel the asyncio tasks a Ctrl-C left unfinished on this thread's event loop (the cell being run, and
    Papermill's run of the notebook around it).

    jupyter_core runs every call of Papermill, nbclient and jupyter_client on one loop per thread. A Ctrl-C stops
    that loop where it is, and the tasks stay on it; the next call on the loop (stopping the kernel) runs them
    again, the cell's task ends with ``DeadKernelError`` as the kernel goes, and asyncio prints it with a
    traceback ("Task exception was never retrieved") over the command's tidy message. So each is cancelled,
    and its ending, whatever it is (nbclient turns the cancellation into ``DeadKernelError``), is taken note of.
    """
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    with contextlib.suppress(Exception):
        for task in asyncio.all_tasks(ensure_event_loop()):
            task.add_done_callback(_ending_noted)
            task.cancel()


def _ending_noted(task: Any) -> None:
    """Retrieve a finished task's exception, so asyncio does not print it: the run has been stopped already."""
    if not task.cancelled():
        task.exception()


def write_as_far_as_it_ran(nb: Any, output: Path) -> None:
    """Write the notebook of a run as far as it has run: as it starts, and after a failure with its error
    (Papermill's note at the top included) or the cell it stopped in, as Papermill's own saves left it.
    Best effort: a failure to write it is not what the run reports."""
    import nbformat

    with contextlib.suppress(Exception), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a notebook stopped mid-cell need not validate; it is kept as it is
        nbformat.write(nb, output)


def _analyst_cells(nb: Any) -> list[Any]:
    """The notebook's cells as the analyst numbers them: without the ones Papermill adds."""
    return [c for c in nb.cells if not _ADDED & set(c.get("metadata", {}).get("tags", []))]


def _describe(cell: Any, number: int) -> str:
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return f"cell {number} ({cell.get('id', '?')}: {first[:60]!r})"


def failed_cell_message(nb_path: Path) -> str:
    """ "cell N (id: 'first line') raised Error: message" for the first cell of ``nb_path`` with an error."""
    import nbformat

    for i, cell in enumerate(_analyst_cells(nbformat.read(nb_path, as_version=4))):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{_describe(cell, i + 1)} raised {out.get('ename')}: {out.get('evalue')}"
    return "the notebook failed"


def running_cell(nb_path: Path) -> str:
    """The cell Papermill was running when it stopped, as "cell N (id: 'first line')", numbered as in the
    analyst's notebook."""
    import nbformat

    if nb_path.exists():
        cells = _analyst_cells(nbformat.read(nb_path, as_version=4))
        # Papermill stamps a start time on each cell it begins; the stopped cell is the last one stamped.
        started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        if started:
            return _describe(cells[started[-1]], started[-1] + 1)
    return "a cell"


#: What Papermill records of when a run happened (each cell's and the whole notebook's): not published.
RUN_TIMES = ("start_time", "end_time", "duration")


def published_notebook(nb: Any, notebook_path: str) -> Any:
    """The executed notebook as published beside the report: only what the report itself shows.

    Outputs of ``analyst-only`` cells (the candidate areas with the leadership team's exclusions
    and their draft wording, the sortable scorecard) and printed output and warnings (which name
    folders on this machine) are removed, as the rendered report removes them; the cells' code
    stays, so an analyst re-runs it to see them. Papermill's record of where the notebook was read
    from and written to is made relative. The full executed notebook is never kept for a
    successful run: analysts run the notebook themselves (``make lab``) to see the analyst views.
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        # When each cell ran, and the parameters cell's random id, differ on every run: without them the same
        # inputs give the same notebook, byte for byte, whichever machine or engine built it (goldenthread batch)
        cell.get("metadata", {}).pop("execution", None)
        for key in RUN_TIMES:
            cell.get("metadata", {}).get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        if cell.get("cell_type") != "code":
            continue
        if "analyst-only" in cell.get("metadata", {}).get("tags", []):
            cell.outputs, cell.execution_count = [], None
        else:
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") not in ("stream", "error")]
    record = out.get("metadata", {}).get("papermill")
    if isinstance(record, dict):
        record["input_path"] = notebook_path
        record["output_path"] = Path(notebook_path).name
        for key in RUN_TIMES:
            record.pop(key, None)
    return out
