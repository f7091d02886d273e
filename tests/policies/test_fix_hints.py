"""The policy pack's fix hints name stack-file keys and project files that exist.

A violation message tells the user what to change: `Set elixir-cluster:loadBalancer.
deletionProtection: true`. The pack judges resources only and imports no settings, so
this test reads every key path its rules name and resolves it against the settings
models (each part a field by its camelCase alias, descending into nested models), and
every `components/...` file a hint points to. Renaming a setting or moving a file
without updating the hint fails here, naming the rule's file and line.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from components.settings import StackSettings

PROJECT_DIR = Path(__file__).resolve().parents[2]
RULES = sorted((PROJECT_DIR / "policies").rglob("*.py"))
KEY_PATH = re.compile(r"elixir-cluster:([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)")
PROJECT_FILE = re.compile(r"\bcomponents/[\w/]+\.py\b")


def _mentions(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """(`rules/file.py:line`, what matched) for every match in the pack's sources."""
    found = []
    for path in RULES:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            where = f"{path.relative_to(PROJECT_DIR / 'policies')}:{number}"
            found += [(where, match.group(1) if match.groups() else match.group(0)) for match in pattern.finditer(line)]
    return found


KEY_PATHS = _mentions(KEY_PATH)
PROJECT_FILES = _mentions(PROJECT_FILE)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The settings models a field holds: itself, or inside Optional, list, dict or Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return []
    arguments = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or arguments:
        return [model for argument in arguments for model in _models_in(argument)]
    return []


def resolve(key_path: str) -> str | None:
    """None when every part of `section.field.field` is a settings field, else what is wrong."""
    models: list[type[BaseModel]] = [StackSettings]
    walked = []
    for part in key_path.split("."):
        fields = {field.alias or name: field for model in models for name, field in model.model_fields.items()}
        if part not in fields:
            where = ".".join(walked) or "the stack file"
            return f"{where} has no {part!r} (it has {', '.join(sorted(fields))})"
        walked.append(part)
        models = _models_in(fields[part].annotation)
        if len(walked) == 1 and not models:
            return f"{part!r} is not a section of the stack file"
    return None


def test_the_pack_names_stack_file_keys_in_its_hints():
    # the scan itself must work: a hint format change that hides every key would pass vacuously
    assert len(KEY_PATHS) >= 20
    assert {"nodes.minSize", "loadBalancer.deletionProtection"} <= {key for _, key in KEY_PATHS}


@pytest.mark.parametrize(("where", "key_path"), KEY_PATHS, ids=[f"{w} {k}" for w, k in KEY_PATHS])
def test_each_named_key_is_a_setting(where, key_path):
    assert resolve(key_path) is None, f"{where}: elixir-cluster:{key_path}: {resolve(key_path)}"


@pytest.mark.parametrize(("where", "file"), PROJECT_FILES, ids=[f"{w} {f}" for w, f in PROJECT_FILES])
def test_each_named_file_exists(where, file):
    path = PROJECT_DIR / file
    # a module may have become a package of the same name (components/settings.py -> settings/)
    assert path.is_file() or path.with_suffix("").is_dir(), f"{where}: {file} does not exist"


@pytest.mark.parametrize(
    ("key_path", "problem"),
    [
        ("nodes.minSize", None),
        ("loadBalancer.healthCheck.path", None),
        ("release.distribution.portRange", None),
        ("nodes.min_size", "nodes has no 'min_size'"),  # the Python name is not the stack file's
        ("loadBalancer.healthCheck.port", "loadBalancer.healthCheck has no 'port'"),
        ("nodes.minSize.value", "nodes.minSize has no 'value'"),
        ("stack", "'stack' is not a section of the stack file"),
    ],
)
def test_resolving_follows_aliases_and_nested_models(key_path, problem):
    found = resolve(key_path)
    assert found == problem if problem is None else found.startswith(problem)
