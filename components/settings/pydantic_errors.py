"""Pydantic's errors: rewritten as this project's problems, and taken out of a section so that
its rules still run on the rest.

When some keys of a section are broken, the section is validated again without them
(`without_broken_keys`: defaults apply where they are taken out), so a cross-field rule
beside a broken key still reports; a rule that reads a broken key is dropped by the loader.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import ValidationError

from .defaults import Defaults
from .model import SettingsModel, nested_model
from .problems import NOTHING, Problem, Shown, did_you_mean, show

# === Broken keys ============================================================================


def without_broken_keys(
    model: type[SettingsModel], data: dict, errors: list[dict], defaults: Defaults
) -> tuple[SettingsModel, list[tuple]] | None:
    """The section with its broken keys taken out (defaults apply), so the other rules can run."""
    data = copy.deepcopy(data)
    removed: list[tuple] = []
    for _ in range(5):  # taking a key out can reveal a missing one; a few rounds settle it
        for error in errors:
            loc = tuple(error["loc"])
            if not loc or not _repair(model, data, loc, error["type"]):
                return None
            removed.append(loc)
        try:
            return model.model_validate(data, by_name=False, context=defaults), removed
        except ValidationError as invalid:
            errors = invalid.errors(include_url=False)
    return None


def _repair(model: type[SettingsModel], data: Any, loc: tuple, kind: str) -> bool:
    if loc[-1] == "[key]":
        loc = loc[:-1]
    *parents, last = loc
    container = data
    for part in parents:
        try:
            container = container[part]
        except (KeyError, IndexError, TypeError):
            return True  # already taken out with its parent
    if kind == "missing":
        field = _field_at(model, loc)
        if field is None or not field.examples:
            return False
        container[last] = copy.deepcopy(field.examples[0])
        return True
    if isinstance(container, list) and isinstance(last, int) and last < len(container):
        item_model = _model_at(model, loc)
        if item_model is not None:  # an object in a list: keep the position, empty it
            container[last] = {}
        else:
            container.pop(last)
    elif isinstance(container, dict):
        container.pop(last, None)
    return True


def _field_at(model: type[SettingsModel], loc: tuple) -> Any:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return None
    for name, field in parent.model_fields.items():
        if (field.alias or name) == loc[-1]:
            return field
    return None


def _model_at(model: type[SettingsModel], loc: tuple) -> type[SettingsModel] | None:
    """The model class of the object at `loc` inside `model` (list indices skipped), or None."""
    current: type[SettingsModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        current = nested_model(field.annotation) if field else None
    return current


# === Pydantic's errors, in this project's words =============================================

_PYDANTIC_RULES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a map",
    "model_type": "must be a map",
    "model_attributes_type": "must be a map",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
}


def problem_from_pydantic(section: str, model: type[SettingsModel], error: dict) -> Problem:
    """A pydantic error, rewritten in this project's shape (no "Input should be", no URLs)."""
    loc, kind, ctx = tuple(error["loc"]), error["type"], error.get("ctx", {})
    got = error.get("input", NOTHING)
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    path = (section, *loc)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        if parent is not None and loc[-1] in parent.not_offered:
            return Problem(path, f"not offered: {parent.not_offered[loc[-1]]}")
        keys = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        suggestion = did_you_mean(str(loc[-1]), keys)
        hint = f"did you mean {suggestion}?" if suggestion else f"expected one of: {', '.join(keys)}"
        return Problem(path, f"unknown key; {hint}")
    if kind == "missing":
        field = _field_at(model, loc)
        example = f" (e.g. {show(field.examples[0])})" if field is not None and field.examples else ""
        return Problem(path, f"required{example}")
    if kind == "rule":
        return Problem(path, ctx["rule"], got)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        suggestion = did_you_mean(str(got), choices) if isinstance(got, str) else None
        # the likely fix before a list that may run to 40 names (sslPolicy's)
        hint = f"did you mean {suggestion}? " if suggestion else ""
        return Problem(path, f"{hint}must be one of: {', '.join(choices)}", got)
    if kind in ("too_short", "too_long"):
        entries = "entries" if ctx.get("field_type") == "Dictionary" else "items"
        if kind == "too_short":
            return Problem(path, f"must have at least {ctx.get('min_length')} {entries}", got)
        count = len(got) if hasattr(got, "__len__") else ctx.get("actual_length")
        return Problem(path, f"must have at most {ctx.get('max_length')} {entries}", Shown(str(count)))
    if kind == "string_too_long":
        return Problem(path, f"must be at most {ctx.get('max_length')} characters", got)
    if kind == "value_error":
        return Problem(path, str(ctx.get("error", error["msg"])), got)
    template = _PYDANTIC_RULES.get(kind)
    bounds = {name: show(value) for name, value in ctx.items()}  # 0.0 -> 0
    rule = template.format(**bounds) if template else error["msg"].replace("Input should be", "must be")
    return Problem(path, rule, got)
