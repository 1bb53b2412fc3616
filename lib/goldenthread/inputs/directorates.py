"""Directorate business plans (seed 004) as data: ``data/<org>/directorates/<id>.yaml``.

A directorate business plan is the middle of the golden thread: it says how one directorate
serves the business plan's outcomes, what it delivers itself and what it buys, and which big
decisions are coming. Each file is checked against :mod:`goldenthread.inputs.config`'s strict models and
against the rest of the data (the plan's outcomes, the ``directorate`` column of
``indicators.csv``), so a plan can never silently point at an outcome or a directorate that does
not exist. As elsewhere, every problem in every file is collected and raised at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from goldenthread.errors import DataError, Problem
from goldenthread.inputs.config import Plan, _Strict
from goldenthread.inputs.contract import NUMBER_LIMIT, YEAR_MONTH
from goldenthread.inputs.load import pydantic_problems, read_yaml

FOLDER = "directorates"
FILE_ID = re.compile(r"[a-z0-9-]+")
_MONTH = re.compile(YEAR_MONTH)
_FINANCIAL_YEAR = re.compile(r"(\d{4})/(\d{2})")

# Text a person must actually write: a key present but left blank is as good as missing.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _pounds(v: object) -> object:
    """Money as a person might type it ("£2.5m", "1,200,000") is rejected with the fix, not pydantic's jargon."""
    if isinstance(v, bool) or (isinstance(v, str) and not re.fullmatch(r"\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?\s*", v)):
        raise ValueError("is not a plain number: give pounds as a number such as 2500000 (no £ sign, commas or 'm')")
    if not isinstance(v, (int, float, str)):
        return v  # None, or a list or mapping: pydantic's own message
    try:
        number = float(v)
    except OverflowError:  # a whole number of hundreds of digits
        number = float("inf")
    if number < 0:
        raise ValueError("is negative: give the value in pounds as 0 or more")
    if not number < NUMBER_LIMIT:  # .inf and .nan too
        raise ValueError("is not a sum of money: give pounds as an ordinary number smaller than 10^15, such as 2500000")
    return v


# Pounds, 0 or more; the optional form is one type, not a union, so a bad value gets one message.
Pounds = Annotated[float, BeforeValidator(_pounds)]
OptionalPounds = Annotated[float | None, BeforeValidator(_pounds)]


class CommissionedService(_Strict):
    """A service bought from an external provider (seed 004 lists those over £1m a year)."""

    service: Text
    provider: Text
    contract_length: Text = Field(description='Free text, e.g. "5 years (2017-2022) + 2 year extension".')
    annual_value: Pounds = Field(description="Pounds a year, 0 or more.")


class KeyDecision(_Strict):
    """A forthcoming key decision (over £1m), dated as precisely as the directorate can foresee it."""

    decision: Text
    date: str = Field(description='A month "YYYY-MM" or a financial year "YYYY/YY".')
    value: OptionalPounds = Field(None, description="Pounds, 0 or more; blank when not yet known.")
    description: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        # Forward plans give a month or only a financial year; a full date is more than anyone knows
        # years ahead, so it is taken as its month (as report parameters do with a period).
        if isinstance(v, dt.date):
            return v.strftime("%Y-%m")
        text = str(v).strip() if isinstance(v, (str, int)) else ""
        if _MONTH.fullmatch(text):
            return text
        fy = _FINANCIAL_YEAR.fullmatch(text)
        if fy:
            start, end = int(fy.group(1)), int(fy.group(2))
            if (start + 1) % 100 != end:
                raise ValueError(
                    f"is not a financial year: the second year must follow the first, "
                    f'for example "{start}/{(start + 1) % 100:02d}"'
                )
            return text
        raise ValueError(
            'is not a month or a financial year: write a month as "YYYY-MM" (for example "2020-03") '
            'or a financial year as "YYYY/YY" (for example "2020/21"), in quotes'
        )


class TradingCompanySLA(_Strict):
    """A service level agreement with one of the council's trading companies (seed 004, section 2.5)."""

    company: Text
    service: Text
    annual_value: OptionalPounds = Field(None, description="Pounds a year, 0 or more; blank when not set.")


class DirectoratePriority(_Strict):
    """One of the directorate's priorities, tied to the business plan outcome it serves (the golden thread)."""

    title: Text
    outcome: Text = Field(description="An outcome id from plan.yaml, e.g. O1.")
    description: str | None = None


class _DirectorateFile(_Strict):
    """What a ``directorates/<id>.yaml`` file holds: everything but the id, which is its file name."""

    name: Text = Field(description="Exactly as in the directorate column of indicators.csv.")
    director: Text
    cabinet_members: list[Text]
    classification: Literal["public", "restricted"] = "public"
    purpose: Text
    priorities: list[DirectoratePriority]
    social_value: list[Text] = Field(default_factory=list)
    services_in_house: list[Text] = Field(default_factory=list)
    services_external: list[Text] = Field(default_factory=list)
    commissioned_services: list[CommissionedService] = Field(default_factory=list)
    key_decisions: list[KeyDecision] = Field(default_factory=list)
    trading_company_slas: list[TradingCompanySLA] = Field(default_factory=list)

    @field_validator("cabinet_members", mode="before")
    @classmethod
    def _one_member(cls, v: object) -> object:
        # Most directorates have one cabinet member; writing it without the list dash is no mistake.
        return [v] if isinstance(v, str) else v


class Directorate(_DirectorateFile):
    """One directorate's business plan. ``id`` is the file name, so it cannot disagree with it."""

    id: str = Field(pattern=rf"^{FILE_ID.pattern}$")


class _AnyMapping(BaseModel):
    """Lets ``read_yaml`` do the reading (YAML syntax, encoding, "is it a mapping") and keep every key.

    The keys are then validated separately, so the checks against the plan and indicators.csv can
    run on a file that also has other mistakes: every problem in one pass.
    """

    model_config = ConfigDict(extra="allow")


def load_directorates(folder: Path, plan: Plan, indicators: pd.DataFrame | None = None) -> dict[str, Directorate]:
    """Read every ``folder/directorates/*.yaml`` (in file-name order) into id -> :class:`Directorate`.

    No ``directorates`` folder means no directorate plans, which is allowed. Otherwise every
    problem in every file, and between files, is collected and raised as one :class:`DataError`.
    With ``indicators``, each directorate's ``name`` must be one the indicators use, so a plan's
    scorecard can never come out empty by a typo.
    """
    folder = Path(folder) / FOLDER
    if not folder.is_dir():
        return {}
    problems: list[Problem] = []
    raws: dict[Path, dict] = {}
    bodies: dict[Path, _DirectorateFile] = {}
    for path in _directorate_files(folder, problems):
        raw, body = _read_one(path, problems)
        if raw is None:
            continue
        raws[path] = raw
        if body is not None:
            bodies[path] = body
        problems.extend(_outcome_problems(_source(path), raw, plan))
        if indicators is not None:
            problems.extend(_name_problems(_source(path), raw, indicators))
    problems.extend(_duplicate_names(raws))
    if problems:
        raise DataError(problems)
    return {path.stem: Directorate(id=path.stem, **dict(body)) for path, body in bodies.items()}


def directorate_indicators(indicators: pd.DataFrame, directorate: Directorate) -> pd.DataFrame:
    """The indicators a directorate is responsible for: those whose ``directorate`` is its name."""
    return indicators[indicators["directorate"] == directorate.name].reset_index(drop=True)


def _source(path: Path) -> str:
    """How messages name a file: ``directorates/<id>.yaml``, as the data contract does."""
    return f"{FOLDER}/{path.name}"


def _directorate_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The ``.yaml`` files to read; ``.yml`` files are reported rather than silently skipped."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for p in files:
        if p.suffix == ".yml":
            problems.append(
                Problem(
                    _source(p),
                    message="is not read: directorate files end in .yaml",
                    hint=f"Rename it to {p.stem}.yaml",
                )
            )
    return [p for p in files if p.suffix == ".yaml"]


def _read_one(path: Path, problems: list[Problem]) -> tuple[dict | None, _DirectorateFile | None]:
    """One file as its raw mapping and, if it meets the contract, its validated body.

    Problems are appended, named ``directorates/<file>`` with key paths. A file with a bad name
    is still read, so all its problems show in the same pass.
    """
    source = _source(path)
    if not FILE_ID.fullmatch(path.stem):
        problems.append(
            Problem(
                source,
                message="file name is not a directorate id: use lower-case letters, digits and hyphens only",
                value=path.stem,
                hint=f"Rename the file to {_suggest_id(path.stem)}.yaml",
            )
        )
    mine: list[Problem] = []
    read = read_yaml(path, _AnyMapping, mine)
    raw = dict(read.model_extra or {}) if read is not None else None
    body = None
    if raw is not None:
        try:
            body = _DirectorateFile.model_validate(raw)
        except ValidationError as err:
            mine.extend(pydantic_problems(err, path.name, _DirectorateFile))
    problems.extend(_relabel(p, source) for p in mine)
    return raw, body


def _relabel(problem: Problem, source: str) -> Problem:
    """``read_yaml`` names only the file; say which folder, and why an ``id`` key is not wanted."""
    if problem.column == "id" and problem.message == "unknown key":
        problem = replace(
            problem, hint="The id is the file name, so leave this key out (rename the file to change the id)"
        )
    return replace(problem, file=source)


def _suggest_id(stem: str) -> str:
    """A valid id close to a bad file name: "Public Health" -> "public-health"."""
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-directorate"


def _text(value: object) -> str | None:
    """A raw YAML value as the stripped text the models would keep, or None if it is not text."""
    return value.strip() or None if isinstance(value, str) else None


def _outcome_problems(source: str, raw: dict, plan: Plan) -> list[Problem]:
    """Each priority must hang on an outcome in plan.yaml, or the golden thread is broken.

    Works on the raw mapping, so it runs even when other keys in the file are wrong.
    """
    priorities = raw.get("priorities")
    if not isinstance(priorities, list):
        return []
    outcomes = [o.id for o in plan.outcomes]
    priority_outcome = plan.priority_ids
    problems = []
    for i, item in enumerate(priorities):
        outcome = _text(item.get("outcome")) if isinstance(item, dict) else None
        if outcome is None or outcome in outcomes:
            continue  # a missing or non-text outcome is already reported by the model
        if outcome in priority_outcome:
            hint = f"'{outcome}' is a key priority; give its outcome, '{priority_outcome[outcome]}'"
        else:
            hint = f"Use one of: {', '.join(outcomes)}"
        problems.append(
            Problem(source, None, f"priorities.{i}.outcome", "outcome is not in plan.yaml", outcome, hint, field="key")
        )
    return problems


def _name_problems(source: str, raw: dict, indicators: pd.DataFrame) -> list[Problem]:
    """The name must be one indicators.csv uses, or the directorate's scorecard would be empty."""
    name = _text(raw.get("name"))
    names = sorted(set(indicators["directorate"].dropna().astype(str))) if "directorate" in indicators else []
    if name is None or name in names:
        return []
    by_lower = {n.lower(): n for n in names}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if near:
        hint = f"Did you mean '{by_lower[near[0]]}'?"
    elif names:
        hint = "Use the name exactly as in the directorate column of indicators.csv, one of: " + ", ".join(names)
    else:
        hint = "Use the name exactly as in the directorate column of indicators.csv"
    return [
        Problem(source, None, "name", "no indicator in indicators.csv has this directorate", name, hint, field="key")
    ]


def _duplicate_names(raws: dict[Path, dict]) -> list[Problem]:
    """Two files for one directorate would split its plan; each repeat names the first file."""
    first: dict[str, Path] = {}
    problems = []
    for path, raw in raws.items():
        name = _text(raw.get("name"))
        if name is None:
            continue
        if name in first:
            problems.append(
                Problem(
                    _source(path),
                    None,
                    "name",
                    f"has the same name as {_source(first[name])}",
                    name,
                    "Keep one file per directorate: merge them, or correct the name",
                    field="key",
                )
            )
        else:
            first[name] = path
    return problems
