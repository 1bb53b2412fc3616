"""Where the goldenthread project (the checkout with ``parameters/``, ``notebooks/`` and ``data/``) is.

On its own, with nothing heavy imported, so the command can find the project (and start a
notebook kernel there) before it loads pandas to read any data.
"""

from __future__ import annotations

from pathlib import Path


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` holding ``pyproject.toml`` (the goldenthread checkout)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "lib" / "goldenthread").is_dir():
            return folder
    return None
