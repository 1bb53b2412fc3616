"""SPC for a report: which figures of which indicators are charted, as at the report month.

:func:`variation_table` turns a report's history (``measures.scorecard.observations`` cut at the report
month) into the XmR charts of :mod:`goldenthread.measures.spc`, for every indicator at once. The choices a
council would notice (also in ``docs/spc.md``, "How a report uses SPC"):

* **measures only.** A milestone has a state (on track, complete), not a figure: no chart, with a reason.
* **snapshot measures** are charted on their own figures, as the report shows them.
* **year-to-date (cumulative) measures are not charted.** A year-to-date total rises through the year by
  construction and starts again at the year end, so consecutive points are not independent readings of one
  process: every year would show a "trend", and the limits would describe nothing. NHS England's Making Data
  Count guidance says the same (do not plot cumulative data on an SPC chart). Charting each month's own
  increment instead would show figures that appear nowhere in the report and need an in-month target the
  council never set, so the report keeps these measures on their trend chart against the year-to-date target
  and says why (``reason``).
* **target for assurance**: the effective target of the indicator's latest figure up to the report month
  (the history's ``target`` column at that point: the month's own target from ``targets.csv``, else the
  indicator's), so a target changed this year is the one assured against. No target: no assurance.
* **baseline** per indicator from ``indicators["spc_baseline"]`` (blank = every point of the phase), and a new
  phase at each rebase in ``rebases`` that is on or before the report month.
* only figures up to the report month count; a gap is a missing point (SPC drops it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldenthread.measures.spc import TOO_FEW, SpcTable, xmr_all

#: Why an indicator has no SPC, keyed by the case (``summary["reason"]`` holds the sentence).
REASONS = {
    "milestone": "A milestone has no figures to chart, so SPC does not apply.",
    "cumulative": "A year-to-date total rises through the year and starts again each year, so its figures are "
    "not independent readings and SPC does not apply; it is judged against its year-to-date target instead.",
}
#: Summary columns this module adds to spc.xmr_all's.
EXTRA_COLUMNS = ["chart", "target_used", "reason", "rule", "rule_length", "latest_value"]
NOT_APPLICABLE = "not_applicable"


def _period_text(period: pd.Series | np.ndarray) -> np.ndarray:
    """Month ordinals as 'YYYY-MM' (one string per distinct month)."""
    codes, uniques = pd.factorize(np.asarray(period, dtype=np.int64))
    text = np.array([f"{u // 12:04d}-{u % 12 + 1:02d}" for u in uniques], dtype=object)
    out: np.ndarray = text[codes] if len(codes) else np.array([], dtype=object)
    return out


def variation_table(
    history: pd.DataFrame,
    indicators: pd.DataFrame,
    rebases: pd.DataFrame,
    period: int,
    default_chart: str = "trend",
) -> SpcTable:
    """SPC for every measure of ``indicators`` as at ``period`` (a month ordinal).

    ``history``: observations (indicator, period, value, target, ...); ``indicators``: the indicator list
    (``id``, ``kind``, ``polarity``, ``aggregation``, optional ``chart`` and ``spc_baseline``); ``rebases``:
    indicator, period (month ordinal), reason. Returns an :class:`~goldenthread.measures.spc.SpcTable` whose
    ``points`` and ``phases`` hold the charted measures and whose ``summary`` has one row per indicator id
    (index), with spc.xmr_all's columns and: ``chart`` ('trend' or 'spc', ``default_chart`` where blank),
    ``target_used`` (NaN = none), ``reason`` (why SPC does not apply, else None; the status is then
    ``not_applicable``), ``rule`` (the rule behind the latest point's special cause, "" for none),
    ``rule_length`` (points in the run or trend the latest point belongs to, else 1 for a point outside
    the limits or 3 for two of three) and ``latest_value``.
    """
    ind = indicators.drop_duplicates("id").set_index("id")
    ids = pd.Index(ind.index, name="indicator")
    chart = (
        ind["chart"].astype(object).where(ind["chart"].notna() & (ind["chart"].astype(str).str.strip() != ""))
        if "chart" in ind.columns
        else pd.Series(None, index=ids, dtype=object)
    )
    chart = chart.fillna(default_chart).astype(object)
    kind = ind["kind"].astype(object)
    cumulative = ind["aggregation"].astype(object) == "cumulative"
    charted = (kind == "measure") & ~cumulative
    reason = pd.Series(None, index=ids, dtype=object)
    reason[kind == "milestone"] = REASONS["milestone"]
    reason[(kind == "measure") & cumulative] = REASONS["cumulative"]

    measures = ind[charted.to_numpy()]
    h = history[(history["period"] <= period) & history["indicator"].isin(measures.index)]
    h = h.loc[:, ["indicator", "period", "value", "target"]]
    figures = h[h["value"].notna()].sort_values(["indicator", "period"], kind="stable")
    latest = figures.groupby("indicator", sort=False).tail(1).set_index("indicator")
    target = latest["target"].reindex(measures.index).astype(float)

    frame = pd.DataFrame(
        {
            "indicator": h["indicator"].astype(object).to_numpy(),
            "period": _period_text(h["period"]),
            "value": h["value"].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    spec = pd.DataFrame({"polarity": measures["polarity"].astype(object), "target": target}, index=measures.index)
    spec["baseline"] = (
        pd.to_numeric(measures["spc_baseline"], errors="coerce").astype(float)
        if "spc_baseline" in measures.columns
        else np.nan
    )
    rebase = None
    if rebases is not None and len(rebases):
        r = rebases[rebases["indicator"].isin(measures.index) & (rebases["period"] <= period)]
        rebase = pd.DataFrame({"indicator": r["indicator"].to_numpy(), "period": _period_text(r["period"])})
    table = xmr_all(frame, spec, rebase=rebase)

    summary = table.summary.reindex(ids)
    summary["chart"] = chart.reindex(ids)
    summary["target_used"] = target.reindex(ids)
    summary["reason"] = reason
    rule, length = _latest_rule(table.points)
    summary["rule"] = rule.reindex(ids).fillna("")
    summary["rule_length"] = length.reindex(ids).fillna(0).astype(int)
    summary["latest_value"] = latest["value"].reindex(ids).astype(float)
    off = ~charted.reindex(ids).to_numpy(dtype=bool)
    summary.loc[off, "polarity"] = ind["polarity"].astype(object).reindex(ids)[off]
    summary.loc[off, "status"] = NOT_APPLICABLE
    summary.loc[off, "note"] = summary.loc[off, "reason"]
    summary.loc[off, ["points", "missing", "phases", "improvement_points", "concern_points"]] = 0
    summary.loc[off, "side"] = ""
    summary.loc[off, "target_used"] = np.nan
    for c in ("points", "missing", "phases", "improvement_points", "concern_points"):
        summary[c] = summary[c].fillna(0).astype(int)
    for c in ("variation", "assurance", "latest_period", "reason"):
        summary[c] = summary[c].astype(object).where(summary[c].notna(), None)
    summary["note"] = summary["note"].fillna(TOO_FEW)
    return SpcTable(points=table.points, phases=table.phases, summary=summary)


def _latest_rule(points: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """For each indicator's latest point: the rule that decided it ("" for none) and how many points show it.

    A run counts the points on the same side of the mean ending at the latest one; a trend the points
    rising (or falling) together ending there, counted as the run of figures (7 points = 6 steps).
    """
    if points.empty:
        empty = pd.Series(dtype=object)
        return empty, pd.Series(dtype=int)
    ind = points["indicator"].astype(object).to_numpy()
    n = len(points)
    phase = points["phase"].to_numpy()
    first = np.r_[True, (ind[1:] != ind[:-1]) | (phase[1:] != phase[:-1])]
    last = np.r_[ind[1:] != ind[:-1], True]
    value = points["value"].to_numpy(dtype=float)
    mean = points["mean"].to_numpy(dtype=float)
    side = np.sign(value - mean)
    step = np.zeros(n)
    step[1:] = np.sign(value[1:] - value[:-1])
    step[first] = 0
    same_side = _streak(~first & (side == np.r_[0, side[:-1]]) & (side != 0), first) + 1
    same_step = _streak((step != 0) & ~first & (step == np.r_[0, step[:-1]]), first) + 1
    same_step = np.where(step != 0, same_step + 1, 1)  # a trend of k steps is k + 1 figures
    rule = points["special_cause"].astype(object).to_numpy()
    lengths = np.select(
        [rule == "run", rule == "trend", rule == "outside_limits", rule == "two_of_three"],
        [same_side, same_step, 1, 3],
        0,
    )
    at = np.flatnonzero(last)
    return (
        pd.Series(rule[at], index=ind[at], dtype=object),
        pd.Series(lengths[at].astype(int), index=ind[at]),
    )


def _streak(flag: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Length of the run of ``True`` ending at each element, not reaching back past a ``start``."""
    idx = np.arange(len(flag))
    breaks = np.where(~flag | start, idx, -1)
    last_break = np.maximum.accumulate(breaks) if len(flag) else idx
    out: np.ndarray = np.where(flag, idx - last_break, 0)
    return out
