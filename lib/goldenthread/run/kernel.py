"""A notebook kernel started while the data is still being checked.

Starting a kernel and importing the libraries a notebook uses takes seconds, and the run spends
seconds checking the data before it runs the notebook: started first, the kernel gets ready while
the data is checked. The modules the notebook imports are imported in the kernel straight away, in
a silent request (no output, no execution count, no names left behind), so the notebook's first
cell finds them loaded. If the data fails its checks the kernel is stopped; if the warm-up goes
wrong in any way the kernel is stopped and Papermill starts its own, as it would have anyway.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from goldenthread.errors import DataError, Problem
from goldenthread.run.notebook import KERNEL_ARGUMENTS

if TYPE_CHECKING:
    from goldenthread.run.settings import RunSettings

log = logging.getLogger(__name__)

#: The warm-up request: import each named module, ignoring any that fails (the notebook then says why).
_WARM = """def __goldenthread_warm(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:
            pass
__goldenthread_warm({names!r}); del __goldenthread_warm
"""
#: The read-ahead request: load the data folder as the notebook will (goldenthread.inputs.load.read_ahead).
_READ_AHEAD = """def __goldenthread_read_ahead(data):
    try:
        from goldenthread.inputs.load import read_ahead
    except BaseException:
        return
    read_ahead(data)
__goldenthread_read_ahead({data!r}); del __goldenthread_read_ahead
"""


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse an environment the notebook's kernel cannot start in, before any work.

    IPython reads ``SOURCE_DATE_EPOCH`` when the kernel starts (and the PDF's date comes from it);
    a value that is not a whole number of seconds stops the kernel answering, so without this
    check a run hangs for a minute and ends in a bare RuntimeError.
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return
    if not (re.fullmatch(r"[0-9]{1,12}", epoch) and _is_a_date(int(epoch))):
        raise DataError(
            [
                Problem(
                    "SOURCE_DATE_EPOCH (environment variable)",
                    message="is not a whole number of seconds since 1 January 1970",
                    value=epoch,
                    hint="Unset it (unset SOURCE_DATE_EPOCH: the PDF is then dated the end of the "
                    "report month) or set it to a number such as 1564617600",
                )
            ]
        )


def _is_a_date(seconds: int) -> bool:
    """Can ``seconds`` since 1970 be written as a local date (as IPython does at start-up)?"""
    try:
        dt.datetime.fromtimestamp(seconds)
    except (ValueError, OverflowError, OSError):
        return False
    return True


def imported_modules(notebook: Path) -> list[str]:
    """The absolute module names a notebook's code cells import, in order of first appearance."""
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    names: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError:  # a magic (%matplotlib) or a mistake: the notebook itself will say
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return list(dict.fromkeys(names))


class WarmKernel:
    """A started ``python3`` kernel, its imports under way; hand it to Papermill with :meth:`take`."""

    def __init__(self, manager: Any, client: Any | None, request: str, reads_data: bool = False) -> None:
        self.manager = manager
        self._client = client
        self._request = request  # the last request sent: take() waits for its reply
        self._reads_data = reads_data  # the notebook imports goldenthread, so it loads its data with it

    @classmethod
    def early(cls, settings: RunSettings) -> WarmKernel | None:
        """A kernel for a run, started as early as can be (by the command, before it loads the data
        libraries); ``None`` where the run will stop before its notebook runs, by what can be told
        cheaply: no such notebook or parameters file, an unknown format or renderer, or an environment
        the kernel cannot start in (the run then refuses it with the full message)."""
        from goldenthread.run.settings import FORMATS, RENDERERS

        try:
            check_environment()
        except DataError:
            return None
        plausible = (
            settings.notebook.is_file()
            and settings.params_file.is_file()
            and bool(settings.formats)
            and set(settings.formats) <= set(FORMATS)
            and settings.renderer in RENDERERS
        )
        return cls.start(settings.project_root, settings.notebook) if plausible else None

    @classmethod
    def start(cls, cwd: Path, notebook: Path) -> WarmKernel | None:
        """Start a kernel in ``cwd`` and ask it to import what ``notebook`` imports; ``None`` if it cannot start
        (Papermill then starts one itself and reports the failure as it always has)."""
        try:
            from jupyter_client.asynchronous import AsyncKernelClient
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync

            class Client(AsyncKernelClient):
                """nbclient's client without the heartbeat channel: a client its manager made asks the manager
                whether the kernel is alive, so the heartbeat's thread and socket go unused. Left out, that
                thread cannot be caught still making its socket by a Ctrl-C's tidying up (which printed a
                "Too many open files" traceback from it)."""

                def start_channels(
                    self,
                    shell: bool = True,
                    iopub: bool = True,
                    stdin: bool = True,
                    hb: bool = True,
                    control: bool = True,
                ) -> None:
                    super().start_channels(shell=shell, iopub=iopub, stdin=stdin, hb=False, control=control)

            # The kind of manager nbclient makes itself, started as nbclient starts a kernel: a quiet
            # one that keeps its history in memory.
            class Manager(AsyncKernelManager):
                """Remembers the clients made for it (Papermill's too), so :meth:`WarmKernel.stop` closes them:
                nbclient leaves a client of a kernel it did not start open (its sockets and heartbeat thread)."""

                clients: list[Any] = []

                def client(self, **kwargs: Any) -> Any:
                    made = super().client(**kwargs)
                    self.clients = [*self.clients, made]
                    return made

            manager = Manager(kernel_name="python3")
            manager.client_factory = Client
            arguments = [*KERNEL_ARGUMENTS, "--HistoryManager.hist_file=:memory:"]
            run_sync(manager.start_kernel)(cwd=str(cwd), extra_arguments=arguments)
        except Exception as err:  # noqa: BLE001 - no such kernel, no ipykernel: Papermill will say so
            log.debug("Could not start a kernel early (%s); Papermill will start one", err)
            return None
        try:
            from jupyter_client.blocking import BlockingKernelClient

            client = BlockingKernelClient()  # the warm-up's own client: Papermill makes its own later
            client.load_connection_info(manager.get_connection_info())
            # only the shell channel: no heartbeat thread, which a refused run's stop() could race while it
            # is still making its socket
            client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            names = imported_modules(notebook)
            request = client.execute(_WARM.format(names=names), silent=True, store_history=False)
        except Exception as err:  # noqa: BLE001
            log.debug("Could not send the kernel its imports (%s); Papermill will start a kernel", err)
            cls(manager, None, "").stop()
            return None
        log.debug("Started a kernel (pid %s) while the data is checked", getattr(manager.provisioner, "pid", "?"))
        reads_data = any(n == "goldenthread" or n.startswith("goldenthread.") for n in names)
        return cls(manager, client, request, reads_data)

    def read_ahead(self, data: str) -> None:
        """Ask the kernel to load the data folder ``data`` (as the notebook's parameter gives it) once its
        imports are done, while this process checks the same data: the notebook then finds the dataset
        loaded (:func:`goldenthread.inputs.load.read_ahead`). With a core to spare that takes half a second
        to a second off the notebook's run; on 2 cores, where both processes are busy anyway, it measured
        no difference beyond the noise.

        Only for a notebook that imports goldenthread. A silent request, like the imports: no output, no
        execution count, nothing left behind but the dataset waiting for its one load. If the data
        fails the checks, the run stops the kernel anyway.
        """
        if self._client is None or not self._reads_data:
            return
        try:
            self._request = self._client.execute(_READ_AHEAD.format(data=data), silent=True, store_history=False)
        except Exception as err:  # noqa: BLE001 - the notebook loads the data itself, as it always could
            log.debug("Could not ask the kernel to read the data ahead (%s)", err)
            return
        log.debug("Asked the kernel to read %s ahead", data)

    def take(self, timeout: float = 60) -> Any:
        """The kernel manager, once its imports are done; ``None`` (and the kernel stopped) if it is not ready."""
        if self._client is None:
            return None
        import queue
        import time

        from jupyter_core.utils import run_sync

        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    reply = self._client.get_shell_msg(timeout=0.5)
                except queue.Empty:
                    # A kernel that died starting (a port taken by another kernel meanwhile) never answers:
                    # noticed within half a second, not at the deadline.
                    if not run_sync(self.manager.is_alive)() or time.monotonic() > deadline:
                        raise RuntimeError("the kernel stopped or did not answer") from None
                    continue
                if reply.get("parent_header", {}).get("msg_id") == self._request:
                    break
            log.debug("The kernel's imports are done")
            return self.manager
        except Exception as err:  # noqa: BLE001 - a dead or silent kernel: Papermill starts its own
            log.debug("The early kernel did not get ready (%s); Papermill will start one", err)
            self.stop()
            return None
        finally:
            _close(self._client)
            self._client = None

    def stop(self) -> None:
        """Stop the kernel (the data failed its checks, or the notebook has run)."""
        from jupyter_core.utils import run_sync

        for client in [self._client, *getattr(self.manager, "clients", [])]:
            _close(client)
        self._client = None
        self.manager.clients = []
        with contextlib.suppress(Exception):
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        # The manager's own zmq context (its file handles), closed now rather than whenever the garbage
        # collector gets to it: a process that builds many reports (--all, the tests) does not pile them up.
        if getattr(self.manager, "_created_context", False):
            _without_waiting_long(lambda: self.manager.context.destroy(linger=0))


#: Seconds the run waits for a kernel client's channels and zmq context to close before it goes on without
#: them. Closing a context (zmq's ``Context.term``) waits until every socket of it is closed; after a Ctrl-C
#: cut a request short, one may never be, and the run would wait for ever: a batch's pool worker was seen
#: stuck there (``jupyter_client``'s ``stop_channels``), holding up the whole command.
CLOSE_WAIT_SECONDS = 10.0


def _without_waiting_long(close: Callable[[], Any]) -> None:
    """``close()`` on a thread of its own, waited for at most :data:`CLOSE_WAIT_SECONDS`; its errors ignored.

    A daemon thread: one still stuck when the process ends does not keep it alive. Nothing the run needs
    waits on it; at worst a context's file handles stay open until the process ends.
    """

    def quietly() -> None:
        with contextlib.suppress(Exception):
            close()

    thread = threading.Thread(target=quietly, name="goldenthread-close", daemon=True)
    thread.start()
    thread.join(CLOSE_WAIT_SECONDS)
    if thread.is_alive():
        log.debug("A kernel client's zmq context did not close within %g s; going on without it", CLOSE_WAIT_SECONDS)


def _close(client: Any) -> None:
    """Close a kernel client's channels and, if it made its own, its zmq context (file handles, a thread)."""
    if client is None:
        return

    def close() -> None:
        with contextlib.suppress(Exception):
            client.stop_channels()
        if getattr(client, "_created_context", False):
            client.context.destroy(linger=0)

    _without_waiting_long(close)
