"""Stage 4, documents: the sections of each document, as HTML and Typst, built from stages 1-3.

- :mod:`.report`: the Corporate Performance Report (front sheet, summary, areas, appendix)
- :mod:`.business_plan`: the business plan with its indicators and coverage
- :mod:`.directorate_plan`: a directorate's plan and delivery
- :mod:`.charts`: every chart (the appendix's and the explorer's: trend, SPC, comparison), drawn one way
- :mod:`.icons`: the variation and assurance icons, with their words
"""
