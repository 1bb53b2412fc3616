"""Stage 2, measures: each indicator's status, direction of travel and place on the scorecard.

- :mod:`.rounding`: half-up rounding and exact boundaries, shared by every rule below
- :mod:`.status`: RAG status against target (the amber edge, blue, milestones, overrides)
- :mod:`.direction_of_travel`: better, worse or no change against the previous comparable figure
- :mod:`.scorecard`: one row per indicator as at the report month, and the roll-ups
- :mod:`.coverage`: which plan priorities have indicators (the golden thread's gaps)
- :mod:`.formatting`: how a value, target, period or status is written for a reader
- :mod:`.spc`: XmR charts and their special-cause rules (Making Data Count), for any long frame
- :mod:`.variation`: which figures of a report are charted with SPC, as at the report month
- :mod:`.benchmarking`: rank, quartiles and MAD distance among comparator groups (LG Inform, Oflog)
- :mod:`.comparison`: each indicator's latest comparison as at the report month
- :mod:`.forecast`: the year-end forecast as a range, and whether the target is likely to be met
"""
