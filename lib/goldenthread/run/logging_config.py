"""Logging for runs: one configuration, one log per report.

Everything a run says goes through the ``goldenthread`` logger: the progress lines the CLI prints
(at INFO), warnings about the data (WARNING), and the detail behind them (DEBUG: parameters, paths,
timings, the kernel). :func:`capture_run_log` collects one run's records, with timestamps, so the
run writes them as ``run.log`` beside its manifest when it succeeds, or into ``<name>.failed/``
when it fails: like the report, the log is written whole, never half. :func:`configure_logging`
is called once by the CLI: with ``--verbose`` the debug detail is shown on the terminal too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The parent of every logger in the package (``logging.getLogger(__name__)`` in each module).
ROOT_LOGGER = "goldenthread"
#: A line of ``run.log``: when, how serious, what.
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
#: A debug line on the terminal under ``--verbose``, beside the progress lines.
VERBOSE_FORMAT = "debug: %(message)s"
_VERBOSE_HANDLER = "goldenthread-verbose"


def configure_logging(verbose: bool = False) -> None:
    """Set up the package's logging once per process: records reach the run logs; with ``verbose``
    the debug detail is printed on standard error too (the progress lines are printed by the CLI)."""
    logger = logging.getLogger(ROOT_LOGGER)
    logger.setLevel(logging.DEBUG)
    for handler in [h for h in logger.handlers if h.get_name() == _VERBOSE_HANDLER]:
        logger.removeHandler(handler)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_VERBOSE_HANDLER)
        handler.setLevel(logging.DEBUG)
        handler.addFilter(lambda record: record.levelno < logging.INFO)
        handler.setFormatter(logging.Formatter(VERBOSE_FORMAT))
        logger.addHandler(handler)


class RunLog(logging.Handler):
    """One run's log records, formatted and kept in memory until the run knows where they belong.

    ``run.log`` is published with the report, so, like the published notebook and the manifest, it
    names no folder of this machine: the project folder is written ``.`` and the user's home ``~``.
    """

    def __init__(self, project: Path | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.lines: list[str] = []
        folders = [(project, "."), (Path.home(), "~")] if project is not None else [(Path.home(), "~")]
        self._hidden = [(str(f.resolve()), short) for f, short in folders if str(f.resolve()) not in ("/", "")]

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never stop a run
            self.handleError(record)

    def write(self, path: Path) -> Path:
        """Write the lines so far to ``path`` (in the staging or the failed folder)."""
        text = "\n".join(self.lines) + "\n"
        for folder, short in self._hidden:
            text = text.replace(folder, short)
        path.write_text(text, encoding="utf-8")
        return path


@contextmanager
def capture_run_log(project: Path | None = None) -> Iterator[RunLog]:
    """Collect every record of the package's loggers while the block runs (one run at a time per process);
    ``project`` is the project folder, written ``.`` in the log."""
    logger = logging.getLogger(ROOT_LOGGER)
    if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
        logger.setLevel(logging.DEBUG)  # the library used without the CLI: the run log still gets the detail
    handler = RunLog(project)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
