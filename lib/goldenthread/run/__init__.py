"""Stage 6, run: one command per report, safely.

- :mod:`.pipeline`: parameters, data, Papermill, HTML and PDF into a staging folder, swapped into place
- :mod:`.cli`: the ``goldenthread`` command
"""
