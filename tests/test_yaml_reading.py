"""YAML is read by libyaml where it can be (ten times faster), by PyYAML's Python reader otherwise:
the value is the same either way, and a broken file gets the Python reader's message with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from goldenthread.inputs import load

YAML_FILES = sorted(
    [*ROOT.glob("data/*/*.yaml"), *ROOT.glob("data/*/directorates/*.yaml"), *ROOT.glob("parameters/**/*.yaml")]
)


@pytest.mark.skipif(load._CSafeLoader is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_and_the_python_reader_read_every_file_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = load.yaml_structure_problems(text, path.name, load._CSafeLoader), yaml.load(text, Loader=load._CSafeLoader)
    slow = load.yaml_structure_problems(text, path.name), yaml.load(text, Loader=load._SafeLoader)
    assert fast == slow


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a key given twice: found by the scan, whichever reader
        "when: 2019-02-30\n",  # a date that does not exist
        "a: [1, 2\n",  # not YAML
        "a: !!binary aGVsbG8=\n",  # a tag the contract refuses
        "a: 'tab\there'\nb: \x07\n",  # a control character YAML refuses
    ],
)
def test_a_broken_file_gets_the_python_readers_message(text: str) -> None:
    def read(fast: bool) -> tuple[list[load.Problem], object] | str:
        saved = load._CSafeLoader
        load._CSafeLoader = saved if fast else None
        try:
            return load._parsed_yaml(text, "x.yaml")
        except yaml.YAMLError as err:
            return load._yaml_error(err, "x.yaml", text).message
        finally:
            load._CSafeLoader = saved

    assert read(fast=True) == read(fast=False)
