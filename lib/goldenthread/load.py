"""Read an organisation's data folder (or Excel workbook) into a validated :class:`Dataset`.

This is the edge where files are read; everything after it works on DataFrames. Loading either
returns a dataset that meets the contract or raises :class:`~goldenthread.errors.DataError`
listing every problem found.
"""
from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from goldenthread import validate as v
from goldenthread.config import Organisation, Plan
from goldenthread.contract import TABLES, Table
from goldenthread.errors import DataError, Problem
from goldenthread.excel import read_workbook


@dataclass(frozen=True)
class Dataset:
    """One organisation's plan and indicator data, validated and typed.

    Periods are month ordinals (see :mod:`goldenthread.periods`); ``source_row`` columns keep the
    spreadsheet row each record came from, for messages. ``warnings`` are things that build but are
    probably mistakes (a measure with a polarity and no target, a converted percentage cell...):
    ``goldenthread validate`` and ``report`` print them, and nothing stops.
    """

    organisation: Organisation
    plan: Plan
    indicators: pd.DataFrame
    targets: pd.DataFrame
    values: pd.DataFrame
    commentary: pd.DataFrame
    sources: tuple[Path, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())

    def for_audience(self, audience: str) -> "Dataset":
        """Drop restricted indicators (and restricted commentary) unless the audience is internal."""
        if audience == "internal":
            return self
        public = self.indicators[self.indicators["classification"] != "restricted"]
        keep = set(public["id"])
        comm = self.commentary[self.commentary["indicator"].isin(keep)
                               & (self.commentary["classification"] != "restricted")]
        return replace(
            self,
            indicators=public.reset_index(drop=True),
            targets=self.targets[self.targets["indicator"].isin(keep)].reset_index(drop=True),
            values=self.values[self.values["indicator"].isin(keep)].reset_index(drop=True),
            commentary=comm.reset_index(drop=True),
        )


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` holding ``pyproject.toml`` (the goldenthread checkout)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "lib" / "goldenthread").is_dir():
            return folder
    return None


def data_dir_candidates(path: str | Path, parameters_file: Path | None = None) -> list[Path]:
    """Where a data folder may be, in the order looked at.

    A ``data:`` path in a parameters file means the same folder wherever the command is run from:
    it is relative to the project root holding the parameters file (or, outside a project, to the
    parameters file's own folder). A path typed on the command line, or passed by a notebook run
    from ``notebooks/`` in JupyterLab, is relative to the current folder, then the project root.
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return [p]
    if parameters_file is not None:
        here = Path(parameters_file).resolve().parent
        return [(find_project_root(here) or here) / p]
    candidates = [Path.cwd() / p]
    root = find_project_root()
    if root is not None:
        candidates.append(root / p)
    return list(dict.fromkeys(candidates))


def resolve_data_dir(path: str | Path, parameters_file: Path | None = None) -> Path:
    """The data folder ``path`` names (see :func:`data_dir_candidates`); a :class:`DataError` saying
    every place looked at when there is none.

    ``parameters_file`` is the file the path was read from; leave it out for a path given on the
    command line or by a notebook.
    """
    candidates = data_dir_candidates(path, parameters_file)
    for folder in candidates:
        if folder.is_dir():
            return folder
    looked = "; ".join(str(c) for c in candidates)
    hint = (f"Looked in: {looked}. Give the folder holding organisation.yaml, plan.yaml and the CSV files "
            "(or the workbook)")
    if parameters_file is not None:
        hint += ("; a data path in a parameters file is relative to the project folder that holds the file "
                 "(outside a project, to the file's own folder)")
        raise DataError([Problem(Path(parameters_file).name, None, "data", "data folder not found", str(path), hint,
                                 field="key")])
    raise DataError([Problem(str(path), message="data folder not found", hint=hint)])


def read_yaml(path: Path, model: type[BaseModel], problems: list[Problem], *, missing_hint: str | None = None,
              overrides: dict[str, object] | None = None) -> BaseModel | None:
    """Read a YAML file (safely: no Python objects) into ``model``; problems are appended, not raised."""
    name = path.name
    if not path.is_file():
        problems.append(Problem(name if missing_hint is None else str(path), message="file is missing",
                                hint=missing_hint or f"Create {path} (see docs/data-contract.md)"))
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problems.append(Problem(name, mark.line + 1 if mark else None, None,
                                f"is not valid YAML: {getattr(err, 'problem', None) or 'it cannot be read'}",
                                hint="Check indentation and quoting on that line"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(name, message="is not UTF-8 text", hint="Save the file as UTF-8"))
        return None
    if raw is None:
        problems.append(Problem(name, message="is empty", hint="See docs/data-contract.md for the keys it needs"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(name, message="must be a mapping of keys to values",
                                value=type(raw).__name__, hint="See docs/data-contract.md for the keys"))
        return None
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems.extend(pydantic_problems(err, name, model))
        return None


def pydantic_problems(err: ValidationError, source: str, model: type[BaseModel] | None = None) -> list[Problem]:
    """Pydantic's errors as :class:`Problem` records, the location written as a key path.

    A misspelt key shows up to pydantic twice (the right key missing, the wrong one unknown); it is
    reported once, as a rename. Unknown keys get a "Did you mean" from the model's own keys.
    """
    errors = err.errors()
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    renames: dict[tuple, str] = {}  # unknown key location -> the missing key it is a misspelling of
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            near = difflib.get_close_matches(str(loc[-1]), [str(m[-1]) for m in missing if m[:-1] == loc[:-1]], n=1)
            if near:
                renames[loc] = near[0]
    out = []
    for e in errors:
        loc = tuple(e["loc"])
        path = ".".join(str(x) for x in loc)
        msg, hint, value = e["msg"].removeprefix("Value error, "), None, e.get("input")
        if e["type"] == "missing":
            wrong = next((k for k, v in renames.items() if k[:-1] == loc[:-1] and v == str(loc[-1])), None)
            msg = "required key is missing"
            hint = f"Rename key '{wrong[-1]}' to '{loc[-1]}'" if wrong else "Add it; see docs/data-contract.md"
            value = None
        elif e["type"] == "extra_forbidden":
            if loc in renames:
                continue
            known = _keys_at(model, loc[:-1]) if model else []
            near = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            msg = "unknown key"
            hint = f"Did you mean '{near[0]}'?" if near else "Check the spelling; see docs/data-contract.md for the keys"
        out.append(Problem(source, None, path or None, msg,
                           None if value is None or isinstance(value, (dict, list)) else str(value), hint,
                           field="key"))
    return out


def _keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a model accepts at a nested location (list indexes skipped)."""
    current: object = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        annotation = fields[part].annotation
        candidates = [annotation, *typing.get_args(annotation)]
        candidates += [a for c in list(candidates) for a in typing.get_args(c)]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _without_blank_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows with nothing but blanks and spaces (``,,,,`` lines, a stray space far below the data).

    The index is kept, so the other rows keep the numbers a spreadsheet shows them with. Each column
    is only looked at on the rows still blank so far, so a large file costs one pass over one column.
    """
    blank = df.index
    for column in df.columns:
        s = df.loc[blank, column]
        blank = blank[(s.isna() | s.astype("string").str.strip().eq("").fillna(True)).to_numpy()]
        if blank.empty:
            return df
    return df.drop(index=blank)


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        # Empty lines are kept (then dropped with the other blank rows) so row numbers match the file.
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True,
                         skip_blank_lines=False)
        return _without_blank_rows(df)
    except UnicodeDecodeError as err:
        raw = path.read_bytes()
        line = raw[:err.start].count(b"\n") + 1
        bad = raw[err.start:err.end].decode("cp1252", errors="replace")
        problems.append(Problem(path.name, line, None, "is not UTF-8 text: this row has a character saved in another "
                                "encoding (probably Windows-1252, as Excel's plain 'CSV' format saves)", bad,
                                "In Excel use Save As and choose 'CSV UTF-8 (Comma delimited)'"))
    except pd.errors.EmptyDataError:
        problems.append(Problem(path.name, message="is empty", hint="It needs at least a header row"))
    except pd.errors.ParserError as err:
        problems.append(Problem(path.name, message=f"cannot be read as CSV: {err}",
                                hint="Check for unquoted commas or stray quote marks"))
    return None


def _read_tables(folder: Path, problems: list[Problem], warnings: list[Problem]
                 ) -> tuple[dict[str, tuple[pd.DataFrame, str]], list[Path]]:
    """Raw text tables by name -> (frame, source label), from CSV files or one workbook (see :mod:`.excel`)."""
    workbooks = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    csvs = {t.name: folder / t.file for t in TABLES if (folder / t.file).is_file()}
    tables: dict[str, tuple[pd.DataFrame, str]] = {}
    if workbooks and csvs:
        problems.append(Problem(folder.name, message="holds both CSV files and an Excel workbook",
                                hint="Keep one: either the CSV files or a single .xlsx with the same sheets"))
        return tables, []
    if len(workbooks) > 1:
        problems.append(Problem(folder.name, message="holds more than one Excel workbook",
                                hint="Keep a single .xlsx with sheets indicators, values, targets, commentary"))
        return tables, []
    if workbooks:
        book = read_workbook(workbooks[0], TABLES)
        problems.extend(book.problems)
        warnings.extend(book.warnings)
        return {name: (_without_blank_rows(df), label) for name, (df, label) in book.tables.items()}, workbooks
    for t in TABLES:
        path = folder / t.file
        if path.is_file():
            df = _read_csv(path, problems)
            if df is not None:
                df.columns = [str(c).strip() for c in df.columns]
                tables[t.name] = (df, t.file)
        elif t.required:
            problems.append(Problem(t.file, message="file is missing", hint=f"Create {path} (see docs/data-contract.md)"))
    return tables, [folder / t.file for t in TABLES if (folder / t.file).is_file()]


def _empty(table: Table) -> pd.DataFrame:
    return v.to_typed(table, pd.DataFrame({c.name: pd.Series(dtype="string") for c in table.columns}))


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate ``data/<org>/``. Raises :class:`DataError` with every problem found.

    ``path`` is found as :func:`resolve_data_dir` says for a path typed on the command line.
    """
    folder = resolve_data_dir(path)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    org = read_yaml(folder / "organisation.yaml", Organisation, problems)
    plan = read_yaml(folder / "plan.yaml", Plan, problems)
    raw, table_files = _read_tables(folder, problems, warnings)

    typed: dict[str, pd.DataFrame] = {}
    checked: set[str] = set()  # tables whose columns are right, so their rows can be checked
    for t in TABLES:
        if t.name not in raw:
            typed[t.name] = _empty(t)
            continue
        df, source = raw[t.name]
        col_problems = v.check_columns(t, df, source)
        problems.extend(col_problems)
        problems.extend(v.check_cells(t, df, source))
        problems.extend(v.check_duplicates(t, df, source))
        if col_problems:
            # A missing or misspelt column: row-by-row checks against other files would only repeat
            # the same mistake once per row, so they wait until the column is put right.
            typed[t.name] = _empty(t)
            continue
        typed[t.name] = v.to_typed(t, df)
        checked.add(t.name)

    src = {name: label for name, (_, label) in raw.items()}
    for name in ("values", "targets", "commentary"):
        if name in checked:
            problems.extend(v.check_future(typed[name], src[name]))
    if plan is not None and "indicators" in checked:
        ind = typed["indicators"]
        problems.extend(v.check_indicators(ind, plan, src["indicators"]))
        if "values" in checked:
            problems.extend(v.check_values(typed["values"], ind, src["values"], src["indicators"],
                                           org.financial_year_start_month if org is not None else None))
        if "targets" in checked:
            problems.extend(v.check_targets(typed["targets"], ind, src["targets"]))
        if "commentary" in checked:
            problems.extend(v.check_commentary(typed["commentary"], ind, src["commentary"]))

    if problems:
        raise DataError(problems)
    assert org is not None and plan is not None
    warnings.extend(v.check_warnings(typed["indicators"], typed["targets"], src["indicators"],
                                     src.get("targets", "targets.csv"), org.status_scheme.tolerance))
    ind = typed["indicators"]
    ind["decimals"] = ind["decimals"].fillna(0).astype(int)
    ind["aggregation"] = ind["aggregation"].fillna("snapshot")
    ind["classification"] = ind["classification"].fillna("public")
    ind["polarity"] = ind["polarity"].fillna("none")
    comm = typed["commentary"]
    comm["classification"] = comm["classification"].fillna("public")
    sources = tuple(sorted([folder / "organisation.yaml", folder / "plan.yaml", *table_files]))
    return Dataset(org, plan, ind, typed["targets"], typed["values"], comm, sources,  # type: ignore[arg-type]
                   tuple(sorted(warnings, key=lambda w: (w.file, w.row or 0, w.column or ""))))
