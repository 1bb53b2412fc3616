"""Stage 1, inputs: a council's files in, a checked :class:`~goldenthread.inputs.load.Dataset` out.

- :mod:`.contract`: the data contract (every file, column, type and allowed value)
- :mod:`.config`: organisation.yaml, plan.yaml and a run's parameters, as typed settings
- :mod:`.load`: reading the data folder (CSV, YAML or one Excel workbook) into a Dataset
- :mod:`.excel`: reading a workbook cell by cell, as Excel shows it
- :mod:`.validate`: the checks; every problem names file, row, column and what to do
- :mod:`.directorates`: directorate plans (``directorates/*.yaml``)
- :mod:`.periods`: report months, financial years and quarters
- :mod:`.project`: finding the project folder (light: the command uses it before pandas is loaded)
"""
