"""The model base: `setting()` (a field that documents its unit, limit and default), the
`SettingsModel` every section and nested object is, and the `Context` its rules read.

A model's rules over several of its keys live in its `_rules`; they yield `Problem`s instead
of raising, so every mistake in a file is reported at once (`problems()` walks the nested
objects). Defaults that follow the stack come from the validation context (defaults.py).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Self, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .conventions import Environment
from .defaults import ENVIRONMENT_DEFAULTS, Defaults, EnvironmentRequired, FromDefaults, environment_default
from .limits import Range
from .problems import KeyPath, Problem


def setting(
    default: Any = PydanticUndefined,
    *,
    description: str,
    unit: str | None = None,
    limit: Range | str | None = None,
    ours: str | None = None,
    by_environment: str | None = None,
    from_defaults: FromDefaults | None = None,
    default_factory: Callable[[], Any] | None = None,
    default_text: str | None = None,
    pattern: str | None = None,
    examples: list[Any] | None = None,
    **constraints: Any,
) -> Any:
    """A pydantic Field that also records its unit, the limit it enforces and its default.

    A `Range` limit is enforced (ge/le); a text limit documents what a validator enforces;
    `ours` says why the limit is this project's rather than AWS's.
    `by_environment` names a row of ENVIRONMENT_DEFAULTS; `from_defaults` computes the
    default from the validation context's Defaults otherwise (document it in `default_text`).
    The generated schema and docs read `x-unit`, `x-limit`, `x-default` and
    `x-environmentDefaults` from here.
    """
    extra: dict[str, Any] = {}
    if unit:
        extra["x-unit"] = unit
    if isinstance(limit, Range):
        constraints.setdefault("ge", limit.min)
        constraints.setdefault("le", limit.max)
    if limit is not None:
        extra["x-limit"] = f"{limit} (this project's: {ours})" if ours else str(limit)
    if pattern:
        extra["pattern"] = pattern
    if by_environment:
        extra["x-environmentDefaults"] = dict(ENVIRONMENT_DEFAULTS[by_environment])
        from_defaults = environment_default(by_environment)
    if from_defaults is not None:
        if not (by_environment or default_text):
            raise ValueError("a default from the context says what it is: give default_text")
        default_factory = from_defaults
    if default_text:
        extra["x-default"] = default_text
    if default_factory is not None:
        return Field(
            default_factory=default_factory,
            description=description,
            examples=examples,
            json_schema_extra=extra,
            **constraints,
        )
    return Field(default=default, description=description, examples=examples, json_schema_extra=extra, **constraints)


@dataclass(frozen=True)
class Context:
    """What rules need beyond their own section."""

    stack: str
    environment: Environment
    region: str | None
    """None when the stack's region is missing or not one AWS has (aws:region's own line says so)."""


class SettingsModel(BaseModel):
    """A config section or a nested object of one: camelCase keys, unknown keys refused.

    Defaults that follow the stack come from the validation context (see `defaults`):
    `Model.model_validate(data, context=Defaults("prod"))` or `Model.for_environment("prod", data)`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    not_offered: ClassVar[dict[str, str]] = {}
    """Keys AWS has that this model leaves out on purpose, each with why: the refusal says it."""

    @classmethod
    def for_environment(cls, environment: Environment, data: Any = None, *, cluster_name: str | None = None) -> Self:
        """`data` validated with the defaults of `environment` (and of the cluster's name)."""
        return cls.model_validate({} if data is None else data, context=Defaults(environment, cluster_name))

    @model_validator(mode="wrap")
    @classmethod
    def _defaults_from_context(cls, data: Any, handler: Callable[[Any], Self], info: ValidationInfo) -> Self:
        """Fill in the keys whose default follows the stack; they still count as not given."""
        if not isinstance(data, dict):
            return handler(data)
        missing = {name: field for name, field in contextual_fields(cls).items() if not _given(data, name, field)}
        if not missing:
            return handler(data)
        if not isinstance(info.context, Defaults):
            raise EnvironmentRequired(cls.__name__, [field.alias or name for name, field in missing.items()])
        model = handler({**data, **_context_defaults(missing, info.context)})
        model.__pydantic_fields_set__.difference_update(missing)
        return model

    def problems(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        """This object's cross-field rules, then those of the objects inside it."""
        yield from self._rules(at, context)
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            key = field.alias or name
            if isinstance(value, SettingsModel):
                yield from value.problems((*at, key), context)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, SettingsModel):
                        yield from item.problems((*at, key, index), context)

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        return iter(())

    def _path(self, at: KeyPath, *names: str | int) -> KeyPath:
        """The YAML key path of this object's field `names[0]` (snake_case), then `names[1:]`."""
        first, *rest = names
        return (*at, type(self).model_fields[first].alias or first, *rest)

    def is_set(self, name: str) -> bool:
        """Whether the stack file gave this key (rather than the default applying)."""
        return name in self.model_fields_set


@cache
def contextual_fields(model: type[SettingsModel]) -> dict[str, FieldInfo]:
    """Fields whose default needs the validation context: computed from it, or an object
    (left out, so built from {}) that has such fields itself."""
    found = {}
    for name, field in model.model_fields.items():
        factory = field.default_factory
        if (
            isinstance(factory, FromDefaults)
            or isinstance(factory, type)
            and issubclass(factory, SettingsModel)
            and contextual_fields(factory)
        ):
            found[name] = field
    return found


def _given(data: dict, name: str, field: FieldInfo) -> bool:
    return (field.alias or name) in data or name in data


def _context_defaults(fields: dict[str, FieldInfo], defaults: Defaults) -> dict[str, Any]:
    """The defaults of `fields`, by key; an object left out is built from {} with the same context."""
    values = {}
    for name, field in fields.items():
        value = field.default_factory.compute(defaults) if isinstance(field.default_factory, FromDefaults) else {}
        if value is not None:  # None: not known (no cluster name), so the field stays unset
            values[field.alias or name] = value
    return values


def nested_model(annotation: Any) -> type[SettingsModel] | None:
    """The settings model inside a field's annotation (Optional, list, Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, SettingsModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, Annotated):
        for argument in get_args(annotation):
            found = nested_model(argument)
            if found:
                return found
    return None
