"""Stage 6, run: one command per report, safely.

- :mod:`.settings`: a run's settings as one typed value (``RunSettings``), built by the CLI
- :mod:`.checks`: what is checked before any work (options, parameters, the report month)
- :mod:`.kernel`: the notebook's kernel, started while the data is checked; its environment check
- :mod:`.notebook`: running the notebook with Papermill, failed-cell messages, the published notebook
- :mod:`.staging`: the staging folder, the swap into place, leftovers, another council's folder
- :mod:`.manifest`: ``manifest.json`` (inputs, outputs, versions, git) and ``verify``
- :mod:`.logging_config`: the one logging set-up; ``run.log`` beside each report
- :mod:`.quarto`: the optional Quarto renderer
- :mod:`.pipeline`: ``run_report`` and ``run_reports``, composing the steps
- :mod:`.batch`, :mod:`.engines`: many runs (councils x periods x notebooks x audiences), skipping those up to
  date, serially, on a local process pool or on a Dask cluster
- :mod:`.cli`: the ``goldenthread`` command; :mod:`.cli_returns`, :mod:`.cli_signoff`, :mod:`.cli_audit` and
  :mod:`.cli_batch` its returns, signoff, audit and batch commands
"""
