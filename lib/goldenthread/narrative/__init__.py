"""Stage 3, narrative: what the figures say, in words a councillor reads.

- :mod:`.findings`: observations on each indicator's history (runs, records, missed targets)
- :mod:`.areas`: choosing the areas of success and concern (the leadership team's choices first)
- :mod:`.wording`: the sentence drafted for each finding
"""
