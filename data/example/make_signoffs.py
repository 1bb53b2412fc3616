"""Record the example council's sign-offs in its audit store, ``audit.sqlite`` beside this file.

Run from the repository root, after ``make_example.py`` (a sign-off covers the figures as they are when it
is given, so new example figures need new sign-offs)::

    python data/example/make_signoffs.py

Each of the three example reports (June, July and September 2019) was signed off by the same invented
officers on one day before its Cabinet meeting; this writes those sign-offs exactly as ``goldenthread
signoff`` would, with the day pinned so the store is the same every time it is made. The people are
invented (see README.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from goldenthread.audit.signoff import record_signoff
from goldenthread.audit.store import AuditStore
from goldenthread.inputs.load import load_dataset
from goldenthread.inputs.periods import parse_period

HERE = Path(__file__).resolve().parent

#: Who gives each sign-off organisation.yaml asks for: (role, directorate or None, name).
SIGNATORIES = [
    ("Monitoring Officer", None, "Jordan Ellis"),
    ("Corporate Finance", None, "Morgan Reid"),
    ("Human Resources", None, "Taylor Quinn"),
    ("Director", "Adult Services", "Casey Brooks"),
    ("Director", "Children's Services", "Robin Hayes"),
    ("Director", "Economic and Community Infrastructure", "Jamie Fletcher"),
    ("Director", "Public Health", "Avery Lewis"),
    ("Director", "Corporate Affairs", "Priya Shah"),
    ("Cabinet Member", None, "Cllr Alex Morgan"),
]
#: The day each period's report was signed off (9 a.m.).
SIGNED = {"2019-06": dt.date(2019, 7, 8), "2019-07": dt.date(2019, 9, 16), "2019-09": dt.date(2019, 11, 4)}


def main() -> None:
    path = HERE / "audit.sqlite"
    path.unlink(missing_ok=True)
    dataset = load_dataset(HERE)
    with AuditStore(f"sqlite:///{path}") as store:
        for period, day in SIGNED.items():
            at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
            for n, (role, directorate, name) in enumerate(SIGNATORIES):
                when = at + dt.timedelta(minutes=5 * n)
                record_signoff(store, dataset, parse_period(period), role, name, directorate, now=when)
        rows = store.verify().rows
    print(f"wrote {rows} sign-offs to {path}")


if __name__ == "__main__":
    main()
