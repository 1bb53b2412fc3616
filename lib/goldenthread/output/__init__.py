"""Stage 5, output: an executed notebook to published files.

- :mod:`.render`: HTML (nbconvert) and PDF (Typst) from the executed notebook
- :mod:`.typst_process`: the PDF compiled in a short-lived process of its own (beside the HTML)
- :mod:`.markup`: commentary (Markdown) to safe HTML and Typst
- :mod:`.typst_markup`: writing Typst source safely
- :mod:`.export`: the scorecard as CSV (formula-safe), and where files may be written
- :mod:`.index`: ``reports/index.html``, the list of built reports
- ``templates/``: the HTML section templates, the nbconvert template, the Typst layouts and CSS
"""

from pathlib import Path

#: The HTML, nbconvert and Typst templates and the report's stylesheet.
TEMPLATES = Path(__file__).parent / "templates"
#: The MIME type of a section's Typst in a notebook output (beside its HTML).
TYPST_MIME = "application/vnd.goldenthread.typst+json"
