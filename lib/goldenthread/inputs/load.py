"""Read an organisation's data folder (or Excel workbook) into a validated :class:`Dataset`.

This is the edge where files are read; everything after it works on DataFrames. Loading either
returns a dataset that meets the contract or raises :class:`~goldenthread.errors.DataError`
listing every problem found.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import os
import re
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from goldenthread.errors import DataError, Problem
from goldenthread.inputs import validate as v
from goldenthread.inputs.config import Comparators, Organisation, Plan
from goldenthread.inputs.contract import (
    CONTROL_CHARACTERS,
    TABLES,
    Table,
    control_character_names,
    remove_control_characters,
)
from goldenthread.inputs.excel import read_workbook, unique_columns
from goldenthread.inputs.project import find_project_root

#: The file naming the council's area code and comparison groups; it goes with benchmarks.csv.
COMPARATORS_FILE = "comparators.yaml"
BENCHMARK_COLUMNS = ["indicator", "area_code", "area_name", "period", "period_label", "value"]
REBASE_COLUMNS = ["indicator", "period", "reason"]


@dataclass(frozen=True)
class Dataset:
    """One organisation's plan and indicator data, validated and typed.

    Periods are month ordinals (see :mod:`goldenthread.inputs.periods`); ``source_row`` columns keep the
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
    #: Comparator figures (benchmarks.csv): indicator, area_code, area_name, period (month ordinal, int;
    #: a financial year's last month), period_label (as written: '2018/19' or '2019-03'), value (float,
    #: NaN = no figure), then source and source_row. Empty when the council has none.
    benchmarks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BENCHMARK_COLUMNS))
    #: comparators.yaml: the council's area code and its comparison groups; None without benchmarks.
    comparators: Comparators | None = None
    #: SPC rebases (rebases.csv): indicator, period (month ordinal, int), reason, source_row. A new phase
    #: of the XmR chart, with its own mean and limits, starts at each.
    rebases: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REBASE_COLUMNS))

    def for_audience(self, audience: str) -> Dataset:
        """Drop restricted indicators (with their values, targets, benchmarks and rebases) and restricted
        commentary unless the audience is internal."""
        if audience == "internal":
            return self
        public = self.indicators[self.indicators["classification"] != "restricted"]
        keep = set(public["id"])
        comm = self.commentary[
            self.commentary["indicator"].isin(keep) & (self.commentary["classification"] != "restricted")
        ]
        return replace(
            self,
            indicators=public.reset_index(drop=True),
            targets=self.targets[self.targets["indicator"].isin(keep)].reset_index(drop=True),
            values=self.values[self.values["indicator"].isin(keep)].reset_index(drop=True),
            commentary=comm.reset_index(drop=True),
            benchmarks=self.benchmarks[self.benchmarks["indicator"].isin(keep)].reset_index(drop=True),
            rebases=self.rebases[self.rebases["indicator"].isin(keep)].reset_index(drop=True),
        )


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
    hint = (
        f"Looked in: {looked}. Give the folder holding organisation.yaml, plan.yaml and the CSV files (or the workbook)"
    )
    if parameters_file is not None:
        hint += (
            "; a data path in a parameters file is relative to the project folder that holds the file "
            "(outside a project, to the file's own folder)"
        )
        raise DataError(
            [Problem(Path(parameters_file).name, None, "data", "data folder not found", str(path), hint, field="key")]
        )
    raise DataError([Problem(str(path), message="data folder not found", hint=hint)])


#: Lists and mappings inside each other, at most. The deepest file of the contract needs 6 (a plan's
#: outcomes, their priorities, their activities); a file nested thousands deep (by accident or to
#: stop the build) would otherwise exhaust Python's recursion limit in the YAML reader.
MAX_YAML_DEPTH = 20

Model = typing.TypeVar("Model", bound=BaseModel)


def read_yaml(
    path: Path,
    model: type[Model],
    problems: list[Problem],
    *,
    missing_hint: str | None = None,
    overrides: dict[str, object] | None = None,
) -> Model | None:
    """Read a YAML file (safely: no Python objects) into ``model``; problems are appended, not raised.

    Before the file is turned into Python objects it is scanned (see :func:`yaml_structure_problems`),
    so a file nested too deeply, a key given twice or an invisible control character is a clear
    problem, not a traceback or a silently different value.
    """
    name = path.name
    if not path.is_file():
        problems.append(
            Problem(
                name if missing_hint is None else str(path),
                message="file is missing",
                hint=missing_hint or f"Create {path} (see docs/data-contract.md)",
            )
        )
        return None
    text = _decoded(path, problems)
    if text is None:
        return None
    try:
        found, raw = _parsed_yaml(text, name)
    except yaml.YAMLError as err:
        problems.append(_yaml_error(err, name, text))
        return None
    except TooDeep as err:
        problems.append(err.problem)
        return None
    problems.extend(found)
    if raw is None:
        problems.append(Problem(name, message="is empty", hint="See docs/data-contract.md for the keys it needs"))
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                name,
                message="must be a mapping of keys to values",
                value=type(raw).__name__,
                hint="See docs/data-contract.md for the keys",
            )
        )
        return None
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        checked = model.model_validate(raw)
    except ValidationError as err:
        problems.extend(pydantic_problems(err, name, model))
        return None
    return None if found else checked  # a repeated key or a control character: reported with the rest


def _decoded(path: Path, problems: list[Problem]) -> str | None:
    """A YAML file's text (UTF-8, with or without a byte-order mark), or None and a problem saying how to save it."""
    raw = path.read_bytes()
    wrong = encoding_problem(raw, path.name)
    if wrong is not None:
        problems.append(wrong)
        return None
    return _utf8(
        raw,
        path.name,
        problems,
        "this line has a character saved in another encoding",
        "Save the file as UTF-8 (in Notepad: File, Save As, Encoding UTF-8)",
    )


def _utf8(raw: bytes, name: str, problems: list[Problem], what: str, hint: str) -> str | None:
    """``raw`` as UTF-8 text (a byte-order mark allowed), or None and a problem naming the line and the character."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(
            Problem(
                name,
                line,
                None,
                f"is not UTF-8 text: {what}",
                raw[err.start : err.end].decode("cp1252", errors="replace"),
                hint,
            )
        )
        return None


class _UnreadableValue(yaml.constructor.ConstructorError):
    """A scalar YAML parsed but Python could not make a value of (``2019-02-30``, a 5,000-digit number)."""


def _parsed_yaml(text: str, name: str) -> tuple[list[Problem], object]:
    """The structure problems of a YAML text and its value, read by libyaml (PyYAML's C reader, about ten
    times faster) where it is installed and the text has no character YAML refuses; otherwise, and again
    for a text libyaml refuses, by PyYAML's Python reader, whose messages (with their lines) are the ones
    people are shown. Both read YAML 1.1 with the same safe constructors, so the value is the same."""
    if _CSafeLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            found = yaml_structure_problems(text, name, _CSafeLoader)
            return found, yaml.load(text, Loader=_CSafeLoader)  # noqa: S506 - a SafeLoader: no Python objects
        except yaml.YAMLError:
            pass  # read again below, for the Python reader's message
    found = yaml_structure_problems(text, name)
    return found, yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader: no Python objects


class _ConstructValues(yaml.constructor.SafeConstructor):
    """Mixed into PyYAML's safe loaders: a value it cannot make (a date that does not exist, ``!!int abc``)
    raised as a YAML error at its line, not a bare ValueError."""

    def construct_object(self, node, deep=False):  # noqa: ANN001, ANN201 - PyYAML's signature
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as err:  # noqa: BLE001 - PyYAML's constructors raise ValueError, AttributeError...
            shown = str(node.value) if len(str(node.value)) <= 40 else str(node.value)[:37] + "..."
            why = "a number of more than 4,300 digits" if "Exceeds the limit" in str(err) else str(err)
            raise _UnreadableValue(None, None, f"'{shown}' ({why})", node.start_mark) from err


class _SafeLoader(_ConstructValues, yaml.SafeLoader):
    """PyYAML's safe loader, in Python: the messages people see for a file that is not YAML."""


#: The same in C (libyaml), where PyYAML was built with it: only for reading a file that is valid YAML.
_CSafeLoader: type | None = (
    type("_CSafeLoader", (_ConstructValues, yaml.CSafeLoader), {}) if yaml.__with_libyaml__ else None
)


def _yaml_error(err: yaml.YAMLError, name: str, text: str) -> Problem:
    """A YAML syntax error as a problem with its line; a control character YAML refuses is named."""
    if isinstance(err, yaml.reader.ReaderError):
        char = chr(err.character) if isinstance(err.character, int) else str(err.character)
        return Problem(
            name,
            text[: err.position].count("\n") + 1,
            None,
            f"contains an invisible control character, {control_character_names(char) or repr(char)}, "
            "which YAML does not allow",
            hint="Delete it: retype the text on that line",
        )
    mark = getattr(err, "problem_mark", None)
    line = mark.line + 1 if mark else None
    if isinstance(err, _UnreadableValue):
        return Problem(
            name,
            line,
            None,
            f"has a value that cannot be read: {err.problem}",
            hint="Correct it: a date must be a day that exists, written YYYY-MM-DD; put text in quotes",
        )
    return Problem(
        name,
        line,
        None,
        f"is not valid YAML: {getattr(err, 'problem', None) or 'it cannot be read'}",
        hint="Check indentation and quoting on that line",
    )


#: Tags a person may write to say how a value is read (``!!str 1.10``); any other (``!!binary``,
#: ``!!set``, a custom ``!tag``) is refused: the contract needs none, and ``!!binary`` would hide text.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _short_tag(tag: str) -> str:
    """``!!binary``, as a person writes it, for ``tag:yaml.org,2002:binary``."""
    return tag.replace("tag:yaml.org,2002:", "!!")


class TooDeep(Exception):
    """A YAML file nested more than :data:`MAX_YAML_DEPTH` deep; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def yaml_structure_problems(text: str, name: str, loader: type = yaml.SafeLoader) -> list[Problem]:
    """Scan a YAML text's events (without building it, so without recursion) for what PyYAML accepts
    silently or fails on with a traceback: nesting deeper than :data:`MAX_YAML_DEPTH`, a key given
    twice in one mapping (PyYAML keeps the last without a word), and invisible control characters
    in any text (see :data:`~goldenthread.inputs.contract.CONTROL_CHARACTERS`; a YAML file is typed by
    hand, so they are refused, not removed). Each problem has the line and the key path.

    Raises :class:`yaml.YAMLError` for a file that is not YAML at all, and :class:`TooDeep` (at the
    first list or mapping too deep, without reading further) for one nested too deeply.
    """
    problems: list[Problem] = []
    frames: list[_Frame] = []
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionEndEvent):
            frames.pop()
            if frames:
                frames[-1].finished()
            continue
        if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
            continue
        assert event.start_mark is not None  # the parser marks every event it emits
        line = event.start_mark.line + 1
        parent = frames[-1] if frames else None
        is_key = parent is not None and parent.mapping and parent.expects_key
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS:
            problems.append(
                Problem(
                    name,
                    line,
                    _key_path(frames, None) or None,
                    f"uses the YAML tag '{_short_tag(tag)}', which no file of the contract needs",
                    hint="Remove the tag and write the value as plain text (in quotes if it must stay text)",
                    field="key",
                )
            )
        if isinstance(event, yaml.ScalarEvent):
            where = _key_path(frames[:-1], event.value) if is_key else _key_path(frames, None)
            if is_key:
                problems += _repeated_key(parent, event.value, line, where, name)  # type: ignore[arg-type]
            if CONTROL_CHARACTERS.search(event.value):
                problems.append(
                    Problem(
                        name,
                        line,
                        where or None,
                        "contains an invisible control character: " + control_character_names(event.value),
                        event.value,
                        "Delete it (retype the text, or paste it as plain text): such characters can "
                        "make text display differently from how it reads",
                        field="key",
                    )
                )
        if isinstance(event, yaml.CollectionStartEvent):
            if len(frames) >= MAX_YAML_DEPTH:
                raise TooDeep(
                    Problem(
                        name,
                        line,
                        _key_path(frames, None) or None,
                        f"is nested too deeply: more than {MAX_YAML_DEPTH} lists and mappings inside each other",
                        hint="Check the brackets and indentation on that line: no file "
                        "of the contract needs more than 6 levels",
                        field="key",
                    )
                )
            frames.append(_Frame(isinstance(event, yaml.MappingStartEvent)))
        elif parent is not None:
            parent.finished()
    return problems


def _repeated_key(mapping: _Frame, key: str, line: int, where: str, name: str) -> list[Problem]:
    """A key given a second time in one mapping (PyYAML would keep the last silently); notes the key."""
    mapping.key = key
    if key not in mapping.keys or key == "<<":  # a merge key may be given more than once
        mapping.keys.setdefault(key, line)
        return []
    first = mapping.keys[key]
    return [
        Problem(
            name,
            line,
            where,
            f"is given twice in the same mapping (first on line {first})",
            hint="Keep one: otherwise the last would be used and the first silently ignored",
            field="key",
        )
    ]


@dataclass
class _Frame:
    """One open list or mapping while scanning YAML events: where the next node goes."""

    mapping: bool
    keys: dict[str, int] = field(default_factory=dict)  # key -> line it was first given on
    expects_key: bool = True  # in a mapping: the next node is a key (else its value)
    key: str = "?"  # the mapping's current key
    index: int = 0  # the list's current item

    def finished(self) -> None:
        """One child node (a key, a value or an item) is complete."""
        if not self.mapping:
            self.index += 1
        elif self.expects_key:
            self.expects_key = False
        else:
            self.expects_key = True

    @property
    def here(self) -> str:
        return self.key if self.mapping else str(self.index)


def _key_path(frames: list[_Frame], last: str | None) -> str:
    """``status_scheme.tolerance``, ``outcomes.0.id``: the location of a node, as pydantic names it."""
    parts = [f.here for f in frames]
    return ".".join([*parts, last] if last is not None else parts)


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
            hint = (
                f"Did you mean '{near[0]}'?" if near else "Check the spelling; see docs/data-contract.md for the keys"
            )
        else:
            msg, hint = _type_message(e["type"], msg, value, str(loc[-1]) if loc else "")
        out.append(
            Problem(
                source,
                None,
                path or None,
                msg,
                None if value is None or isinstance(value, (dict, list)) else str(value),
                hint,
                field="key",
            )
        )
    return out


_DATE_ERRORS = (
    "date_type",
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "datetime_type",
    "datetime_parsing",
    "date_future",
    "date_past",
)
_TRUE_FALSE = (
    "YAML reads yes, no, true, false, on and off without quotes as true or false, not as text: put it in quotes"
)


def _type_message(kind: str, msg: str, value: object, key: str = "") -> tuple[str, str | None]:
    """Pydantic's message for a wrong kind of value, and what to type instead (pydantic says only
    what it expected, in its own words: "invalid character in year")."""
    if kind in _DATE_ERRORS:
        day = _uk_date(value)
        return "is not a date in the form YYYY-MM-DD", (
            f"Write it as {day}" if day else "Write the date as YYYY-MM-DD, for example 2019-09-18"
        )
    if kind == "string_type":
        if isinstance(value, bool):
            return msg, _TRUE_FALSE
        if isinstance(value, int):
            return msg, f'Put it in quotes ("{value}"), so it is read as text exactly as typed'
        if isinstance(value, (float, dt.date)):
            return msg, (
                "Put it in quotes, so it is read as text exactly as typed: without quotes YAML reads it as "
                + ("a date" if isinstance(value, dt.date) else f"the number {value}")
            )
        if isinstance(value, (list, dict)):
            return msg, "Give one piece of text here, not a list or a mapping (check the indentation)"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        if isinstance(value, str) and value.strip().endswith("%"):
            return msg, "Give a fraction without the % sign: 0.05 for 5%"
        return msg, "Give a plain number" + (" (a whole number)" if kind.startswith("int") else "")
    if kind == "int_from_float":
        return msg, "Give a whole number"
    if kind == "less_than_equal" and key in ("tolerance", "exceeding_margin", "no_change_band"):
        return msg, "It is a fraction from 0 to 1: for 5% write 0.05"
    if kind == "finite_number":
        return msg, "Give an ordinary number: .inf and .nan are not figures"
    if kind == "list_type" and isinstance(value, str):
        return msg, "Make it a list: put each item on its own line, starting with '- '"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return msg, "Give keys and values here, each key on its own line and indented (see docs/data-contract.md)"
    return msg, None


def _uk_date(value: object) -> str | None:
    """``18/09/2019`` (day first, as in the UK) as ``2019-09-18``, if it is a real date."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", str(value)) if isinstance(value, str) else None
    if m is None:
        return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None


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


def encoding_problem(raw: bytes, name: str) -> Problem | None:
    """A file saved as UTF-16 (Excel's 'Unicode Text', Notepad's 'Unicode') or a workbook given a
    text file's name, said as such; None for anything else (UTF-8 is then tried)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(raw[:400]):
        return Problem(
            name,
            message="is saved as UTF-16 (Excel's 'Unicode Text', or 'Unicode' in Notepad), not UTF-8",
            hint="Save it as UTF-8: in Excel use Save As and choose 'CSV UTF-8 (Comma delimited)'; "
            "in Notepad choose Encoding 'UTF-8'",
        )
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return Problem(
            name,
            message="is a spreadsheet workbook, not a text file",
            hint="In Excel use Save As and choose 'CSV UTF-8 (Comma delimited)', or put the workbook in "
            "the folder as a .xlsx file in place of the CSV files",
        )
    return None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of plain text is NUL."""
    if len(head) < 4:
        return False
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


#: Separators a CSV file may use: Excel saves ';' under European regional settings and a tab as 'Text'.
DELIMITERS = (",", ";", "\t")


def detect_delimiter(header: str, table: Table) -> str:
    """The separator that splits the header row into the most of the table's column names (',' on a tie)."""
    known = {c.name for c in table.columns}

    def score(sep: str) -> tuple[int, bool]:
        try:
            fields = next(csv.reader([header], delimiter=sep), [])
        except csv.Error:  # a header the csv module cannot split (a stray NUL): pandas will say what is wrong
            fields = []
        return sum(f.strip() in known for f in fields), sep == ","

    return max(DELIMITERS, key=score)


def _read_csv(path: Path, table: Table, problems: list[Problem]) -> pd.DataFrame | None:
    """A CSV file as text cells, as typed; a problem in words for a file that cannot be read as one."""
    raw = path.read_bytes()
    wrong = encoding_problem(raw, path.name)
    if wrong is not None:
        problems.append(wrong)
        return None
    text = _utf8(
        raw,
        path.name,
        problems,
        "this row has a character saved in another encoding (probably "
        "Windows-1252, as Excel's plain 'CSV' format saves)",
        "In Excel use Save As and choose 'CSV UTF-8 (Comma delimited)'",
    )
    if text is None:
        return None
    if re.match(r"\s*<(!doctype html|html)", text[:200], re.IGNORECASE):
        problems.append(
            Problem(
                path.name,
                message="is a web page, not a CSV file (a download that needed signing in?)",
                hint="Download the file again, or save it from Excel as 'CSV UTF-8 (Comma delimited)'",
            )
        )
        return None
    first, rest = (re.split(r"\r\n|\r|\n", text, maxsplit=1) + [""])[:2]
    named = re.fullmatch(r"sep=(.)", first.strip())  # Excel's line naming the separator; Excel shows no row for it
    sep = named[1] if named else detect_delimiter(first, table)
    try:
        # Empty lines are kept (then dropped with the other blank rows) so row numbers match the file.
        df = pd.read_csv(
            io.StringIO(rest if named else text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=False,
        )
        return _without_blank_rows(df)
    except pd.errors.EmptyDataError:
        problems.append(Problem(path.name, message="is empty", hint="It needs at least a header row"))
    except pd.errors.ParserError as err:
        problems.append(_parser_problem(path.name, str(err), sep))
    return None


_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _parser_problem(name: str, error: str, sep: str) -> Problem:
    """pandas' tokenizer error in words, at the row a spreadsheet shows (the header is row 1)."""
    quote = re.search(r"EOF inside string starting at row (\d+)", error)
    if quote:
        return Problem(
            name,
            int(quote[1]) + 1,
            None,
            'has a quote mark (") that starts a value and is never closed',
            hint="Close or delete it. A value holding a separator or a quote mark goes in double quotes, "
            'with each quote mark inside it doubled ("")',
        )
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", error)
    if fields:
        return Problem(
            name,
            int(fields[2]),
            None,
            f"has {fields[3]} values, but the header row names {fields[1]} "
            f"columns (the values are separated by {_SEPARATOR_NAMES.get(sep, repr(sep))})",
            hint="Put text holding a separator in double quotes, or delete the extra values",
        )
    return Problem(
        name,
        message=f"cannot be read as CSV separated by {_SEPARATOR_NAMES.get(sep, repr(sep))}: {error}",
        hint="Check for unquoted separators or stray quote marks",
    )


def without_control_characters(df: pd.DataFrame, source: str, warnings: list[Problem]) -> pd.DataFrame:
    """Every cell (and column name) without the :data:`~goldenthread.inputs.contract.CONTROL_CHARACTERS`,
    with a warning naming each cell they were removed from.

    They are removed, not refused: in a sheet filled in by many people they come from copying out
    of other systems as often as from mischief, and one must not stop the quarter's report. The
    warning quotes the cell as typed (the characters escaped, so it can be found).
    """
    header = [str(c) for c in df.columns]
    warnings.extend(_control_warning(source, 1, None, name) for name in header if CONTROL_CHARACTERS.search(name))
    df = df.set_axis(unique_columns([remove_control_characters(n) for n in header]), axis=1)
    return df if not any_control_characters(df) else _cells_without_control_characters(df, source, warnings)


def any_control_characters(df: pd.DataFrame) -> bool:
    """Whether any cell's text holds a control character: one search over every cell joined by a newline
    (not a control character here), as almost no table holds one, instead of a search column by column."""
    return CONTROL_CHARACTERS.search("\n".join(map(str, df.to_numpy(dtype=object).ravel()))) is not None


def _cells_without_control_characters(df: pd.DataFrame, source: str, warnings: list[Problem]) -> pd.DataFrame:
    """:func:`without_control_characters` for the cells, column by column, with a warning for each cell."""
    for column in df.columns:
        texts = df[column].astype("string")
        hit = texts.str.contains(CONTROL_CHARACTERS, na=False).to_numpy(dtype=bool)
        if not hit.any():
            continue
        for index, typed in texts[hit].items():
            warnings.append(_control_warning(source, int(index) + 2, column, str(typed)))
        df.loc[hit, column] = texts[hit].str.replace(CONTROL_CHARACTERS, "", regex=True).astype(object)
    return df


def _control_warning(source: str, row: int, column: str | None, typed: str) -> Problem:
    return Problem(
        source,
        row,
        column,
        "held invisible control characters, which were removed: " + control_character_names(typed),
        typed,
        "Check the cell: such characters come from copying out of another system, or make text display "
        "differently from how it reads (U+202E shows '%05 revo' as 'over 50%')",
    )


#: Workbook formats read like .xlsx (openpyxl reads them; macros are never run or kept).
WORKBOOKS = (".xlsx", ".xlsm")
#: Spreadsheet formats that cannot be read: named, so a folder holding one is not "missing indicators.csv".
OTHER_WORKBOOKS = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "a Numbers spreadsheet",
}


def _read_tables(
    folder: Path, problems: list[Problem], warnings: list[Problem]
) -> tuple[dict[str, tuple[pd.DataFrame, str]], list[Path]]:
    """Raw text tables by name -> (frame, source label), from CSV files or one workbook (see :mod:`.excel`).

    Every cell comes back as typed, less control characters (see :func:`without_control_characters`).
    """
    raw, files = _read_raw_tables(folder, problems, warnings)
    return {name: (without_control_characters(df, label, warnings), label) for name, (df, label) in raw.items()}, files


def _read_raw_tables(
    folder: Path, problems: list[Problem], warnings: list[Problem]
) -> tuple[dict[str, tuple[pd.DataFrame, str]], list[Path]]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    workbooks = [p for p in files if p.suffix.lower() in WORKBOOKS]
    csvs = {t.name: folder / t.file for t in TABLES if (folder / t.file).is_file()}
    tables: dict[str, tuple[pd.DataFrame, str]] = {}
    if workbooks and csvs:
        problems.append(
            Problem(
                folder.name,
                message="holds both CSV files and an Excel workbook",
                hint="Keep one: either the CSV files or a single .xlsx with the same sheets",
            )
        )
        return tables, []
    if len(workbooks) > 1:
        problems.append(
            Problem(
                folder.name,
                message="holds more than one Excel workbook",
                hint="Keep a single .xlsx with sheets indicators, values, targets, commentary",
            )
        )
        return tables, []
    if workbooks:
        book = read_workbook(workbooks[0], TABLES)
        problems.extend(book.problems)
        warnings.extend(book.warnings)
        return {name: (_without_blank_rows(df), label) for name, (df, label) in book.tables.items()}, workbooks
    other = [p for p in files if p.suffix.lower() in OTHER_WORKBOOKS]
    if other and not csvs:
        problems.extend(
            Problem(
                p.name,
                message=f"is {OTHER_WORKBOOKS[p.suffix.lower()]}, which cannot be read",
                hint="Open it in Excel and use Save As, choosing 'Excel Workbook (.xlsx)'",
            )
            for p in other
        )
        return tables, []
    for t in TABLES:
        path = folder / t.file
        if path.is_file():
            df = _read_csv(path, t, problems)
            if df is not None:
                df.columns = unique_columns(list(df.columns))
                tables[t.name] = (df, t.file)
        elif t.required:
            problems.append(_missing_file(folder, t, files))
    return tables, [folder / t.file for t in TABLES if (folder / t.file).is_file()]


def _missing_file(folder: Path, table: Table, files: list[Path]) -> Problem:
    """A table's file is missing; a file named like it another way (``Values.csv``, ``values.txt``) is named."""
    near = [p.name for p in files if p.stem.strip().lower() == table.name and p.name != table.file]
    hint = (
        f"Rename {near[0]} to {table.file}: file names must match exactly, small letters included"
        if near
        else f"Create {folder / table.file} (see docs/data-contract.md)"
    )
    return Problem(table.file, message="file is missing", hint=hint)


def _empty(table: Table) -> pd.DataFrame:
    return v.to_typed(table, pd.DataFrame({c.name: pd.Series(dtype="string") for c in table.columns}))


#: Datasets read by :func:`read_ahead`, by the path they were asked for and the working folder then, with the
#: fingerprint of their folder: each waits for the one :func:`load_dataset` call that takes it.
_read_ahead: dict[tuple[str, str], tuple[tuple[tuple[str, int, str], ...], Dataset]] = {}


def folder_fingerprint(folder: Path) -> tuple[tuple[str, int, str], ...]:
    """Every file directly in ``folder`` (where all that :func:`load_dataset` reads lives): name, size and
    SHA-256 of its bytes. A file edited, added, renamed or removed changes it; a sub-folder does not.

    By content, not modification time: an edit within the file system's clock tick is caught too, and the
    data folders are small (the example's is under 1 MB, read in milliseconds).
    """
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file():
                digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
                found.append((entry.name, entry.stat().st_size, digest))
    return tuple(sorted(found))


def read_ahead(path: str | Path) -> None:
    """Load ``path`` now, so that the next :func:`load_dataset` of the same ``path`` (from the same working
    folder) in this process returns it at once, if the folder's files are byte for byte as they were.

    Why: a report's run checks the data in its own process while the notebook's kernel starts; the notebook
    then loads the same data again, half a second to a second of its run spent on what was just checked. The run asks
    the kernel to call this as soon as its imports are done (:meth:`goldenthread.run.kernel.WarmKernel.read_ahead`),
    alongside its own check, so the notebook finds the dataset ready. What it takes is what it would have
    loaded: the same call, on the same files (:func:`folder_fingerprint`, taken before reading, so an
    edit made while it reads is caught). Taken once: a second load reads the files again. Any error is left
    for that load to raise, with its message.
    """
    key = (str(path), os.getcwd())
    try:
        fingerprint = folder_fingerprint(resolve_data_dir(path))
        _read_ahead[key] = (fingerprint, load_dataset(path))
    except Exception:  # noqa: BLE001 - the notebook's own load_dataset reports it
        _read_ahead.pop(key, None)


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate ``data/<org>/``. Raises :class:`DataError` with every problem found.

    ``path`` is found as :func:`resolve_data_dir` says for a path typed on the command line. A dataset
    :func:`read_ahead` loaded from the same, unchanged, files is returned without reading them again.
    """
    folder = resolve_data_dir(path)
    ahead = _read_ahead.pop((str(path), os.getcwd()), None)
    if ahead is not None and ahead[0] == folder_fingerprint(folder):
        return ahead[1]
    problems: list[Problem] = []
    warnings: list[Problem] = []
    org = read_yaml(folder / "organisation.yaml", Organisation, problems)
    plan = read_yaml(folder / "plan.yaml", Plan, problems)
    has_comparators = (folder / COMPARATORS_FILE).is_file()
    comparators = read_yaml(folder / COMPARATORS_FILE, Comparators, problems) if has_comparators else None
    raw, table_files = _read_tables(folder, problems, warnings)
    start_month = org.financial_year_start_month if org is not None else 4  # a broken file is reported anyway

    typed: dict[str, pd.DataFrame] = {}
    checked: set[str] = set()  # tables whose columns are right, so their rows can be checked
    for t in TABLES:
        if t.name not in raw:
            typed[t.name] = _empty(t)
            continue
        df, source = raw[t.name]
        df, repeats = v.repeated_header_rows(df, source)
        problems.extend(repeats)
        col_problems = v.check_columns(t, df, source)
        problems.extend(col_problems)
        problems.extend(v.check_cells(t, df, source))
        problems.extend(v.check_duplicates(t, df, source))
        if col_problems:
            # A missing or misspelt column: row-by-row checks against other files would only repeat
            # the same mistake once per row, so they wait until the column is put right.
            typed[t.name] = _empty(t)
            continue
        typed[t.name] = v.to_typed(t, df, start_month)
        checked.add(t.name)

    src = {name: label for name, (_, label) in raw.items()}
    for name in ("values", "targets", "commentary", "rebases"):
        if name in checked:
            problems.extend(v.check_future(typed[name], src[name]))
    if plan is not None and "indicators" in checked:
        ind = typed["indicators"]
        problems.extend(v.check_indicators(ind, plan, src["indicators"]))
        if "values" in checked:
            problems.extend(
                v.check_values(
                    typed["values"],
                    ind,
                    src["values"],
                    src["indicators"],
                    org.financial_year_start_month if org is not None else None,
                )
            )
        if "targets" in checked:
            problems.extend(v.check_targets(typed["targets"], ind, src["targets"]))
        if "commentary" in checked:
            problems.extend(v.check_commentary(typed["commentary"], ind, src["commentary"]))
        if "benchmarks" in checked:
            problems.extend(v.check_benchmarks(typed["benchmarks"], ind, src["benchmarks"], src["indicators"]))
        if "rebases" in checked:
            problems.extend(v.check_rebases(typed["rebases"], ind, src["rebases"]))
    if "indicators" in raw:  # when no table could be read, a missing benchmarks table is no news
        problems.extend(_unpaired_benchmarks(folder, "benchmarks" in raw, has_comparators, src.get("benchmarks")))
    if comparators is not None and "benchmarks" in checked:
        found, doubts = v.check_comparators(comparators, typed["benchmarks"], COMPARATORS_FILE, src["benchmarks"])
        problems.extend(found)
        warnings.extend(doubts)

    if problems:
        raise DataError(problems)
    assert org is not None and plan is not None
    warnings.extend(
        v.check_warnings(
            typed["indicators"],
            typed["targets"],
            src["indicators"],
            src.get("targets", "targets.csv"),
            org.status_scheme.tolerance,
        )
    )
    ind = typed["indicators"]
    ind["decimals"] = ind["decimals"].fillna(0).astype(int)
    ind["aggregation"] = ind["aggregation"].fillna("snapshot")
    ind["classification"] = ind["classification"].fillna("public")
    ind["polarity"] = ind["polarity"].fillna("none")
    comm = typed["commentary"]
    comm["classification"] = comm["classification"].fillna("public")
    yamls = [
        folder / "organisation.yaml",
        folder / "plan.yaml",
        *([folder / COMPARATORS_FILE] if has_comparators else []),
    ]
    sources = tuple(sorted([*yamls, *table_files]))
    bench = typed["benchmarks"]
    bench = bench[[*BENCHMARK_COLUMNS, "source", "source_row"]].astype({"period": "int64", "value": float})
    rebases = typed["rebases"][[*REBASE_COLUMNS, "source_row"]].astype({"period": "int64"})
    return Dataset(
        org,
        plan,
        ind,
        typed["targets"],
        typed["values"],
        comm,
        sources,
        tuple(sorted(warnings, key=lambda w: (w.file, w.row or 0, w.column or ""))),
        benchmarks=bench,
        comparators=comparators,
        rebases=rebases,
    )


def _unpaired_benchmarks(
    folder: Path, has_benchmarks: bool, has_comparators: bool, source: str | None
) -> list[Problem]:
    """benchmarks.csv and comparators.yaml go together: figures without groups compare with nothing, and
    groups without figures have nothing to compare."""
    if has_benchmarks and not has_comparators:
        return [
            Problem(
                source or "benchmarks.csv",
                message=f"has figures for comparison but there is no {COMPARATORS_FILE} saying which area is the "
                "council and which areas it is compared with",
                hint=f"Create {folder / COMPARATORS_FILE} (see docs/data-contract.md), or remove the benchmarks",
            )
        ]
    if has_comparators and not has_benchmarks:
        return [
            Problem(
                COMPARATORS_FILE,
                message="names comparison groups but there are no figures to compare: no benchmarks.csv "
                "(or benchmarks sheet)",
                hint="Add benchmarks.csv with the areas' figures (see docs/data-contract.md), or delete "
                f"{COMPARATORS_FILE}",
            )
        ]
    return []
