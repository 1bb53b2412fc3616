"""Stage 4, documents: the sections of each document, as HTML and Typst, built from stages 1-3.

- :mod:`.report`: the Corporate Performance Report (front sheet, summary, areas, appendix)
- :mod:`.business_plan`: the business plan with its indicators and coverage
- :mod:`.directorate_plan`: a directorate's plan and delivery
- :mod:`.charts`: every chart (the appendix's and the explorer's: trend, SPC, comparison), drawn one way
- :mod:`.icons`: the variation and assurance icons, with their words
"""

#: Environment variable: how many chart workers a report may start beside its kernel (:mod:`.chart_pool`).
#: Named here, where importing it costs nothing, so that a batch's pool workers can set it
#: (:mod:`goldenthread.run.engines`) without loading matplotlib and pandas to read one string.
CHART_WORKERS_ENV = "GOLDENTHREAD_CHART_WORKERS"
