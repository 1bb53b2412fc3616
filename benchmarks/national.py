"""A synthetic national set: many invented councils made from the example, for measuring batch runs at scale.

Issue 16 asks what a body reporting on every one of England's ~300 councils (as Oflog and LG Inform do)
would need. There is no such data to share, so this script makes it: ``count`` copies of ``data/example``,
each a different council, all invented. Each organisation is:

- **named** ``Example District Council 001``, ``002``...: plainly fictional, and sorting as they were made;
- **a council that does not sign off** (``benchmarks/scale.py``'s ``without_sign_off``): its figures were
  never signed off, so it has no audit store and no ``sign_off`` section, and a public report builds without
  sign-offs (the example's sign-offs would rightly not cover changed figures);
- **given its own figures**: every measure's figures multiplied by the organisation's factor (0.9 to 1.1)
  and by a little noise of their own (within 3%), then rounded to the indicator's decimals; a percentage
  is kept within 0 to 100, and no figure changes sign (so counts stay non-negative). Cumulative measures
  (a year-to-date total) get the factor without the noise, so they still only go up within a year.
  Milestones, targets, rebases, the plans and the commentary are kept as they are: the commentary is
  illustrative text, and its quoted figures will not match the perturbed ones;
- **compared with the others**: the example's invented neighbours are replaced by the national set itself.
  Every organisation has its own area code (``E1099`` and four digits: an invented range, like the example's
  ``E109...``) and one ``benchmarks.csv`` holds every organisation's figures and England's (the example's,
  kept). That file is the same for all: it is written once and hard-linked into each folder (copied where a
  link cannot be made), so 300 organisations share one file on disk, as a national pack shares one data set.
  Each ``comparators.yaml`` names the organisation's own code and three groups: its 15 nearest neighbours
  (the organisations whose factor is closest to its own, a nod to CIPFA's nearest neighbours, which match
  councils of a similar size and kind), its region (one of ten invented regions, every tenth organisation)
  and England as the reference. An organisation's own figure in ``benchmarks.csv`` is its ``values.csv``
  figure for March of that year, as in the example: both are perturbed with the same noise for the month.

The same ``seed`` and ``count`` make the same files, byte for byte. Nothing but organisation folders is
written in ``dest`` (so ``--data DEST/*`` finds exactly the organisations).

How to run (from the repository root, in the goldenthread virtual environment)::

    python benchmarks/national.py /tmp/national --count 300           # files only; prints seconds and size
    python benchmarks/national.py /tmp/national --count 300 --check   # and validate every organisation
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import without_sign_off  # noqa: E402 - the one way a copy is made a council that does not sign off

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
DEFAULT_SEED = 16
#: The example's files that are not data: its generators would rewrite the example, its README describes it.
NOT_DATA = ("README.md", "make_example.py", "make_signoffs.py", "audit.sqlite", "__pycache__")
FACTOR = (0.9, 1.1)  # an organisation's factor: its figures are this much the example's
NOISE = 0.03  # each figure's own noise: up to 3% either way
NEIGHBOURS = 15  # CIPFA's nearest-neighbour groups are 15 councils
REGIONS = 10
AREA_PREFIX = "E1099"  # invented: E10 is the ONS prefix for county councils, E1099.... is no real code
ENGLAND_DEFAULT = "E92000001"
GROUP_SOURCE = "Invented national comparator set (benchmarks/national.py), illustrative only"


def org_name(i: int) -> str:
    """The ``i``-th organisation's name (from 1): plainly invented."""
    return f"Example District Council {i:03d}"


def org_folder(i: int) -> str:
    return f"district-{i:03d}"


def area_code(i: int) -> str:
    return f"{AREA_PREFIX}{i:04d}"


def org_factor(seed: int, i: int) -> float:
    """How large the ``i``-th organisation's figures are against the example's."""
    return random.Random(f"{seed}/org/{i}").uniform(*FACTOR)


def _noise(seed: int, i: int, indicator: str, month: str) -> float:
    """One figure's own noise, the same wherever the figure appears (values.csv and benchmarks.csv).
    ``random.Random`` seeded with a string is the same on every platform and Python run."""
    return random.Random(f"{seed}/{i}/{indicator}/{month}").uniform(-NOISE, NOISE)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _places(text: str) -> int:
    """Decimal places written in ``text`` (for an indicator whose decimals column is blank)."""
    return len(text.split(".", 1)[1]) if "." in text else 0


class Measures:
    """What perturbing a figure needs to know about each measure in indicators.csv."""

    def __init__(self, indicators: Path) -> None:
        _, rows = _read_csv(indicators)
        self.rows = {r["id"]: r for r in rows if r.get("kind") == "measure"}

    def perturb(self, indicator: str, text: str, factor: float, noise: float) -> str:
        """``text`` (a figure) times ``factor`` and ``1 + noise``, rounded to the indicator's decimals and kept
        within its limits; a blank figure, a milestone's row or an unknown indicator is kept as it is."""
        row, value = self.rows.get(indicator), _number(text)
        if row is None or value is None:
            return text
        if row.get("aggregation") == "cumulative":
            noise = 0.0  # a year-to-date total only goes up: the same factor for every month keeps it so
        new = value * factor * (1 + noise)
        low, high = _number(row.get("minimum")), _number(row.get("maximum"))
        if row.get("unit") == "percent":
            low, high = max(low or 0.0, 0.0), min(high if high is not None else 100.0, 100.0)
        if low is not None:
            new = max(new, low)
        if high is not None:
            new = min(new, high)
        decimals = _number(row.get("decimals"))
        places = int(decimals) if decimals is not None else _places(text)
        out = f"{round(new, places):.{places}f}"
        return out.lstrip("-") if _number(out) == 0 else out  # never "-0.0"


def fy_end_month(period: str, start_month: int) -> str:
    """The month a benchmark period counts as: a financial year ``2018/19`` is its last month (March when the
    year starts in April), a month ``2019-03`` is itself."""
    found = re.fullmatch(r"(\d{4})/\d{2}", period.strip())
    if not found:
        return period.strip()
    first = int(found.group(1))
    end = (start_month - 2) % 12 + 1
    return f"{first + 1 if start_month > 1 else first}-{end:02d}"


def _rename(org_yaml: Path, name: str, i: int) -> None:
    """organisation.yaml with the new name (and a contact address that says whose), the rest as it was."""
    text = org_yaml.read_text(encoding="utf-8")
    old = str(yaml.safe_load(text)["name"])
    text, n = re.subn(r"(?m)^name:.*$", lambda _: f"name: {name}", text, count=1)
    if n != 1:
        raise ValueError(f"{org_yaml}: no top-level name: line to replace")
    text = text.replace(old, name)  # the comments that name the council too
    text = re.sub(r"performance@[\w.-]+", f"performance@example-district-{i:03d}.invalid", text)
    org_yaml.write_text(text, encoding="utf-8")


def _perturb_values(folder: Path, measures: Measures, seed: int, i: int, factor: float) -> None:
    fields, rows = _read_csv(folder / "values.csv")
    for row in rows:
        noise = _noise(seed, i, row["indicator"], row["period"])
        row["value"] = measures.perturb(row["indicator"], row["value"], factor, noise)
    _write_csv(folder / "values.csv", fields, rows)


def _comparators(i: int, factors: list[float], england: str, england_group: str) -> dict[str, Any]:
    """comparators.yaml for the ``i``-th organisation: its code, nearest neighbours, region and England."""
    count = len(factors)
    others = [j for j in range(1, count + 1) if j != i]
    nearest = sorted(others, key=lambda j: (abs(factors[j - 1] - factors[i - 1]), j))[:NEIGHBOURS]
    region = [j for j in others if j % REGIONS == i % REGIONS]
    groups: list[dict[str, Any]] = []
    if nearest:
        groups.append({"name": "Nearest neighbours", "kind": "comparison", "areas": [area_code(j) for j in nearest]})
    if region:
        name = f"Region {chr(ord('A') + i % REGIONS)}"
        groups.append({"name": name, "kind": "comparison", "areas": [area_code(j) for j in region]})
    groups.append({"name": england_group, "kind": "reference", "areas": [england]})
    result: dict[str, Any] = {"us": area_code(i), "source": GROUP_SOURCE}
    if nearest:
        result["main_group"] = "Nearest neighbours"
    result["groups"] = groups
    return result


def _reference(source: dict[str, Any]) -> tuple[str, str]:
    """The example's reference area (England) and its group's name, kept for every organisation."""
    for group in source.get("groups", []):
        if group.get("kind") == "reference":
            return str(group["areas"][0]), str(group["name"])
    return ENGLAND_DEFAULT, "England"


def _shared_benchmarks(
    example: Path, measures: Measures, seed: int, factors: list[float], start_month: int, us: str, keep: set[str]
) -> tuple[list[str], list[dict[str, str]]]:
    """benchmarks.csv for the whole set: the reference areas' rows as they are, and the example's own rows
    once per organisation, under its code and name, perturbed as its values.csv is."""
    fields, rows = _read_csv(example / "benchmarks.csv")
    kept = [r for r in rows if r["area_code"] in keep]
    own = [r for r in rows if r["area_code"] == us]
    for i, factor in enumerate(factors, start=1):
        for r in own:
            month = fy_end_month(r["period"], start_month)
            value = measures.perturb(r["indicator"], r["value"], factor, _noise(seed, i, r["indicator"], month))
            kept.append({**r, "area_code": area_code(i), "area_name": org_name(i), "value": value})
    return fields, kept


def _share(first: Path, target: Path) -> None:
    """``target`` the same file as ``first``: a hard link (one file on disk), else a copy."""
    try:
        os.link(first, target)
    except OSError:
        shutil.copyfile(first, target)


def make_national(dest: Path, count: int = 300, seed: int = DEFAULT_SEED, example: Path = EXAMPLE) -> list[Path]:
    """``count`` invented organisations made from ``example`` in ``dest`` (which must not exist, or be empty):
    the folders, in order. Deterministic for ``seed``; see the module's docstring for what each holds."""
    if count < 1:
        raise ValueError("count must be at least 1")
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: give a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    measures = Measures(example / "indicators.csv")
    org = yaml.safe_load((example / "organisation.yaml").read_text(encoding="utf-8"))
    start_month = int(org.get("financial_year_start_month", 4))
    comparators_file = example / "comparators.yaml"
    source = yaml.safe_load(comparators_file.read_text(encoding="utf-8")) if comparators_file.is_file() else None
    factors = [org_factor(seed, i) for i in range(1, count + 1)]
    folders: list[Path] = []
    shared: Path | None = None
    for i, factor in enumerate(factors, start=1):
        folder = dest / org_folder(i)
        shutil.copytree(example, folder, ignore=shutil.ignore_patterns(*NOT_DATA))
        without_sign_off(folder)
        _rename(folder / "organisation.yaml", org_name(i), i)
        _perturb_values(folder, measures, seed, i, factor)
        if source is not None:
            england, england_group = _reference(source)
            text = yaml.safe_dump(_comparators(i, factors, england, england_group), sort_keys=False, width=120)
            (folder / "comparators.yaml").write_text(
                "# Invented: every organisation and area code here is fictional, England's figures too.\n" + text,
                encoding="utf-8",
            )
            (folder / "benchmarks.csv").unlink()
            if shared is None:
                keep = {england}
                fields, rows = _shared_benchmarks(example, measures, seed, factors, start_month, source["us"], keep)
                _write_csv(folder / "benchmarks.csv", fields, rows)
                shared = folder / "benchmarks.csv"
            else:
                _share(shared, folder / "benchmarks.csv")
        folders.append(folder)
    return folders


def check(folders: list[Path], on_each: Callable[[Path, str | None], None] | None = None) -> dict[str, str]:
    """What ``goldenthread validate`` would say is wrong with each folder: folder name -> the problems (none
    for a valid folder). Run in this process: the same checks, without starting Python once per folder."""
    from goldenthread.errors import DataError
    from goldenthread.inputs.directorates import load_directorates
    from goldenthread.inputs.load import load_dataset

    failed: dict[str, str] = {}
    for folder in folders:
        problem = None
        try:
            ds = load_dataset(folder)
            load_directorates(folder, ds.plan, ds.indicators)
        except DataError as err:
            problem = str(err)
            failed[folder.name] = problem
        if on_each:
            on_each(folder, problem)
    return failed


def disk_bytes(folder: Path) -> int:
    """Bytes on disk under ``folder``, a hard-linked file counted once (as ``du`` does)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in folder.rglob("*"):
        st = path.lstat()
        if path.is_file() and (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path, help="a new (or empty) folder for the organisations")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--example", type=Path, default=EXAMPLE, help="the data folder to start from")
    parser.add_argument("--check", action="store_true", help="validate every organisation (about 0.5 s each)")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    folders = make_national(args.dest, args.count, args.seed, args.example)
    result: dict[str, Any] = {
        "organisations": len(folders),
        "seed": args.seed,
        "dest": str(args.dest),
        "seconds": round(time.perf_counter() - t, 2),
        "bytes_on_disk": disk_bytes(args.dest),
    }
    if args.check:
        t = time.perf_counter()
        failed = check(folders, lambda f, p: print(f"{f.name}: {'FAILED' if p else 'OK'}", file=sys.stderr))
        result["check_seconds"] = round(time.perf_counter() - t, 2)
        result["invalid"] = failed
    print(json.dumps(result, indent=2))
    if args.check and result["invalid"]:
        raise SystemExit(1)
    return result


if __name__ == "__main__":
    main()
