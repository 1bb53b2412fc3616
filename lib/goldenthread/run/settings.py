"""A run's settings as one typed value: what the CLI builds and the pipeline consumes.

Every option of ``goldenthread report`` that changes what is built lives here, so a run can be
described, compared, copied for another subject (``report --all`` builds one per directorate) and
sent to a worker process whole, instead of travelling as ten loose keyword arguments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The formats ``--format`` accepts.
FORMATS = ("html", "pdf", "docx", "csv")
#: The renderers ``--renderer`` accepts.
RENDERERS = ("goldenthread", "quarto")


@dataclass(frozen=True)
class RunSettings:
    """One report run: which parameters, notebook and data, where to, in which formats.

    ``extra`` are notebook parameters that are not in the parameters file, such as the
    ``directorate`` of a directorate plan (the run's subject); a ``None`` value means "not given".
    ``formats`` keeps the order given, without repeats.
    """

    params_file: Path
    notebook: Path
    out_root: Path
    data: str | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    timeout: int | None = 600
    renderer: str = "goldenthread"
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: Papermill's cell-by-cell progress bar on the terminal (only when someone is watching).
    progress_bar: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "params_file", Path(self.params_file))
        object.__setattr__(self, "notebook", Path(self.notebook))
        object.__setattr__(self, "out_root", Path(self.out_root))
        object.__setattr__(self, "formats", tuple(dict.fromkeys(self.formats)))
        object.__setattr__(self, "extra", {k: v for k, v in dict(self.extra or {}).items() if v is not None})

    @property
    def project_root(self) -> Path:
        """The project folder the notebook runs in: the checkout holding the parameters file, else the
        one holding the current folder, else the current folder."""
        from goldenthread.inputs.project import find_project_root

        return find_project_root(self.params_file.parent) or find_project_root() or Path.cwd()

    @property
    def subject(self) -> str | None:
        """The directorate a directorate plan is about (it also names the output folder), if any."""
        subject = self.extra.get("directorate")
        return None if subject is None else str(subject)

    def about(self, extra: Mapping[str, Any]) -> RunSettings:
        """The same run for another subject: ``report --all`` builds one of these per directorate."""
        return dataclasses.replace(self, extra={**self.extra, **extra})


def split_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``--format html,pdf`` as ``("html", "pdf")``: comma-separated, blanks ignored."""
    parts = text.split(",") if isinstance(text, str) else text
    return tuple(f.strip() for f in parts if f.strip())
