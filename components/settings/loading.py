"""Loading: a stack's config sections in, `StackSettings` or one `SettingsError` out.

The program calls `load_pulumi_config` with its pulumi.Config objects; tools that read a
stack file go through the same function with the file's values as Pulumi hands them
(tools/stack_files.py). Every problem in every section is reported at once; when some
keys of a section are broken, its rules still run on the rest, and any finding that
involves a broken key is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .conventions import ENVIRONMENTS, Environment
from .cross_section import cross_section_rules
from .defaults import Defaults
from .model import Context, SettingsModel
from .problems import KeyPath, Problem, SettingsError, did_you_mean
from .pydantic_errors import problem_from_pydantic, without_broken_keys
from .region import region_problems, stack_region
from .stack import SECTIONS, StackSettings
from .value_types import ClusterName


def load_settings(
    sections: Mapping[str, Any], *, stack: str, region: str | None = None, skip_region_validation: bool = False
) -> StackSettings:
    """Validate the config sections of one stack; raise SettingsError listing every problem.

    `sections` maps section keys ("cluster", "loadBalancer", ...) to a map, a JSON string
    (as Pulumi hands structured config to a program) or None. `region` is the stack file's
    `aws:region`; without it, the AWS provider's environment variables apply (region.py), and
    without those the stack is refused. `skip_region_validation` (`aws:skipRegionValidation`)
    takes a region botocore does not know yet.
    """
    raw, problems = _read_sections(sections)
    where = stack_region(region)
    region_lines = region_problems(where, skip_validation=skip_region_validation)
    # rules that compare a key with the region judge only a region that is one
    context = Context(
        stack=stack,
        environment=_environment(raw.get("cluster"), stack),
        region=None if region_lines else where.name,
    )
    defaults = Defaults(context.environment, _cluster_name(raw.get("cluster")))
    models, found = _validate_sections(raw, context, defaults)
    lines = list(dict.fromkeys(p.line() for p in problems + found)) + region_lines
    if lines:
        raise SettingsError(lines)
    return StackSettings(
        stack=stack,
        region=where.name,
        region_source=where.source,
        **{to_snake(key): model for key, model in models.items()},
    )


def _read_sections(sections: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Each known section as a dict (None when it is not a map); unknown sections refused."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in sections.items():
        if key not in SECTIONS:
            suggestion = did_you_mean(key, list(SECTIONS))
            hint = f"did you mean {suggestion}?" if suggestion else f"expected one of: {', '.join(SECTIONS)}"
            problems.append(Problem((key,), f"unknown section; {hint}"))
            continue
        raw[key], section_problems = _section_value(key, value)
        problems.extend(section_problems)
    return raw, problems


def _validate_sections(
    raw: dict[str, Any], context: Context, defaults: Defaults
) -> tuple[dict[str, SettingsModel | None], list[Problem]]:
    models: dict[str, SettingsModel | None] = {}
    problems: list[Problem] = []
    broken: list[KeyPath] = []
    for key, model in SECTIONS.items():
        data = raw.get(key, {})
        if data is None:  # not a readable map: already reported
            models[key] = None
            broken.append((key,))
            continue
        models[key], section_problems, section_broken = _validate_section(key, model, data, context, defaults)
        problems.extend(section_problems)
        broken.extend(section_broken)
    # a key a rule already refused counts as broken too: one mistake, one line
    broken += [p.path for p in problems]
    problems.extend(p for p in cross_section_rules(models) if not any(p.involves(b) for b in broken))
    return models, problems


def to_snake(camel: str) -> str:
    """loadBalancer -> load_balancer."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def load_pulumi_config(config: Any, aws_config: Any, stack: str, *, keys: Iterable[str] = SECTIONS) -> StackSettings:
    """Settings from Pulumi config objects (`pulumi.Config("elixir-cluster")`, `pulumi.Config("aws")`).

    Duck-typed: anything with `get(key) -> str | None`. `keys` are the project's config
    keys to read: pulumi.Config cannot list them, so the program reads the known sections;
    a reader of the stack file passes every key it holds, so unknown sections are reported.
    """
    sections = {key: config.get(key) for key in keys}
    skip = (aws_config.get("skipRegionValidation") or "").lower() == "true"
    return load_settings(sections, stack=stack, region=aws_config.get("region"), skip_region_validation=skip)


def _section_value(key: str, value: Any) -> tuple[Any, list[Problem]]:
    if value is None:
        return {}, []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return None, [Problem((key,), "must be a map (Pulumi structured config)", value)]
    if not isinstance(value, dict):
        return None, [Problem((key,), "must be a map of settings", value)]
    return value, []


def _environment(cluster: Any, stack: str) -> Environment:
    given = cluster.get("environment") if isinstance(cluster, dict) else None
    if given in ENVIRONMENTS:
        return given
    return stack if stack in ENVIRONMENTS else "dev"


def _validate_section(
    key: str, model: type[SettingsModel], data: dict, context: Context, defaults: Defaults
) -> tuple[SettingsModel | None, list[Problem], list[KeyPath]]:
    """The section's model (lenient when some keys are broken), its problems, the broken keys."""
    try:
        section = model.model_validate(data, by_name=False, context=defaults)
        return section, list(section.problems((key,), context)), []
    except ValidationError as invalid:
        errors = invalid.errors(include_url=False)
    problems = [problem_from_pydantic(key, model, error) for error in errors]
    broken = [(key, *error["loc"]) for error in errors]
    lenient = without_broken_keys(model, data, errors, defaults)
    if lenient is None:
        return None, problems, [(key,)]
    section, more_broken = lenient
    broken += [(key, *loc) for loc in more_broken]
    problems += [p for p in section.problems((key,), context) if not any(p.involves(b) for b in broken)]
    return section, problems, broken


def _cluster_name(cluster: Any) -> str | None:
    """cluster.name when it is valid: release.name and cookieParameter default from it."""
    name = cluster.get("name") if isinstance(cluster, dict) else None
    try:
        return TypeAdapter(ClusterName).validate_python(name)
    except ValidationError:
        return None
