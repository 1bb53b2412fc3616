"""Benchmark: finding, drafting and selecting areas of success and concern at scale.

What is measured
    The synthetic 5,000 indicators x 120 months dataset of ``benchmarks/status.py`` is turned into
    an observations frame and a scorecard (not timed), then these are timed, median of
    ``--repeats`` runs after one warm-up:

    * ``goldenthread.narrative.findings.find``: every kind of finding for every indicator;
    * ``goldenthread.narrative.areas.drafted`` + ``select``: wording for every finding, one candidate per
      indicator, the leadership team's choices and the caps (what a report run does).

    The issue asks that finding and ranking stay under a couple of seconds; the script exits 1 if
    the report step (``drafted`` + ``select``, which runs ``find`` itself) takes over ``--budget``
    seconds (default 2.0).

How to run (from the repository root, in the project's virtual environment)::

    python benchmarks/areas.py
    python benchmarks/areas.py --indicators 500 --months 24
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from goldenthread.inputs.config import StatusScheme  # noqa: E402
from goldenthread.measures.scorecard import MAX_AGE, observations  # noqa: E402
from goldenthread.narrative.areas import drafted, select  # noqa: E402
from goldenthread.narrative.findings import findings_for_history  # noqa: E402
from status import make_dataset  # noqa: E402


def scorecard_frame(indicators: pd.DataFrame, obs: pd.DataFrame, period: int) -> pd.DataFrame:
    """A scorecard shaped like :func:`goldenthread.measures.scorecard.scorecard` builds, from synthetic data."""
    has = obs["value"].notna() | obs["milestone_status"].notna()
    age = obs["frequency"].astype(object).map(MAX_AGE).to_numpy()
    cur = obs[has & (obs["period"] <= period) & (obs["period"] >= period - age)]
    latest = cur.sort_values("period").groupby("indicator").tail(1).set_index("indicator")
    card = indicators.join(latest[["period"]].rename(columns={"period": "as_at"}), on="id")
    for col in ("highlight", "commentary", "override_reason", "page_title"):
        card[col] = None
    card["title"] = card["id"]
    card["unit"] = "percent"
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=5_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget", type=float, default=2.0)
    args = parser.parse_args(argv)

    indicators, values, targets, commentary = make_dataset(args.indicators, args.months)
    obs = observations(indicators, values, targets, commentary, StatusScheme(), 4)
    period = int(obs["period"].max())
    card = scorecard_frame(indicators, obs, period)
    labels = {k: v.label for k, v in StatusScheme().statuses.items()}

    def timed(fn) -> tuple[float, object]:  # noqa: ANN001
        fn()  # warm-up
        runs, result = [], None
        for _ in range(args.repeats):
            t = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - t)
        return statistics.median(runs), result

    t_find, found = timed(lambda: findings_for_history(obs, card.set_index("id")["as_at"]))
    t_areas, sel = timed(lambda: select(card, drafted(card, obs, period, labels)))
    total = t_areas  # drafted() runs findings_for_history() itself: this is the whole step a report run takes
    print(
        f"goldenthread areas benchmark: {args.indicators:,} indicators x {args.months} months = {len(obs):,} rows; "
        f"median of {args.repeats}"
    )
    print(f"  findings_for_history() {t_find:6.3f} s   {len(found):,} findings")
    print(
        f"  drafted() + select()   {t_areas:6.3f} s   {len(sel.candidates):,} candidates "
        f"({len(sel.success)} successes, {len(sel.concern)} concerns in the report)"
    )
    print(f"  kinds: {found['kind'].value_counts().to_dict()}")
    ok = total <= args.budget
    print(
        f"{'OK' if ok else 'FAIL'}: finding and ranking {'within' if ok else 'over'} the {args.budget:.1f} s budget "
        f"(the report step, findings_for_history() included: {t_areas:.3f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
