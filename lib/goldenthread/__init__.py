"""goldenthread: council performance reporting as a reproducible pipeline.

The package turns a council's plan and indicator data (see ``docs/data-contract.md``) into the
status, direction of travel and narrative of a quarterly Corporate Performance Report. Notebooks
call into it; it does the work, so that the work can be tested.
"""

from goldenthread.errors import DataError, Problem

__all__ = ["DataError", "Problem", "__version__"]
__version__ = "0.1.0"
