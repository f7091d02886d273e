"""Run the policy pack offline, as CrossGuard would, on what `tools.preview` built.

    python -m tools.policy_check FILE.json [--config POLICY_CONFIG]

FILE.json is what `python -m tools.preview --format json` prints. Every rule of
policies/rules runs as the Pulumi CLI runs it, through the same pulumi_policy objects:

- resource validations once per resource, with `args.props` = its inputs (what
  CrossGuard's Analyze sees before a resource is created or updated);
- stack validations once, over every resource with its outputs (what AnalyzeStack sees
  after the deployment), its parent, its dependencies when the file lists them, and its
  `id` among the outputs as the bridged AWS provider reports it;
- properties as the policy server receives them: through a protobuf Struct (every
  number a float) and behind pulumi_policy's read-only proxy;
- the policy configuration reconciled as the CLI does with `--policy-pack-config FILE`:
  each schema's defaults, then `"all"`, then each rule's own entry, validated against
  the rule's schema. A rule name the pack does not have is an error here (the CLI
  ignores it).

Prints each violation (level, rule, resource, message), then a summary.
Exit 0: no mandatory violation. Exit 2: FILE or the configuration cannot be read.
Exit 3: at least one mandatory violation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import Any, TextIO

import jsonschema
import yaml
from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.rules import PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES

EXIT_OK, EXIT_UNREADABLE, EXIT_MANDATORY = 0, 2, 3
ALL_POLICIES = "all"
"""The configuration key whose enforcement level applies to every rule."""
ENFORCEMENT_LEVEL = "enforcementLevel"
STACK = "(stack)"


class UnreadableInput(Exception):
    """The preview document or the policy configuration cannot be used; `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Violation:
    level: EnforcementLevel
    policy: str
    resource: str
    """The resource's name, or (stack) for a violation of the whole stack."""
    message: str

    def __str__(self) -> str:
        return f"{self.level.value}: {self.policy}: {self.resource}: {self.message}"


@dataclass(frozen=True)
class PolicySettings:
    """A rule's effective enforcement level and configuration."""

    level: EnforcementLevel
    properties: Mapping[str, Any]


# --- running the pack -------------------------------------------------------------------------


def check(
    document: Mapping[str, Any],
    pack_config: Mapping[str, Any] | None = None,
    policies: Sequence[Policy] = POLICIES,
    only: str | None = None,
) -> list[Violation]:
    """Every violation `policies` report on the `--format json` document (`only`: that rule's alone,
    with the pack's configuration reconciled as for all of them; a rule judges what it sees alone)."""
    effective = reconcile(policies, pack_config or {})
    running = [policy for policy in policies if only in (None, policy.name)]
    if not running:
        raise ValueError(f"the {PACK_NAME} pack has no policy named {only!r}")
    resource_rules = [policy for policy in running if isinstance(policy, ResourceValidationPolicy)]
    stack_rules = [policy for policy in running if isinstance(policy, StackValidationPolicy)]
    records = list(document.get("resources", []))
    violations = []
    for record in records if resource_rules else []:
        inputs = on_the_wire(record.get("inputs") or {})  # once per resource: the Struct is the same for each rule
        for policy in resource_rules:
            args = _resource_args(record, inputs, effective[policy.name])
            violations += _run(policy, effective[policy.name], args, record["name"])
    stack_resources = _stack_resources(records) if stack_rules else []
    for policy in stack_rules:
        violations += _run(policy, effective[policy.name], _stack_args(stack_resources, effective[policy.name]))
    return violations


def mandatory(violations: Iterable[Violation]) -> list[Violation]:
    return [v for v in violations if v.level == EnforcementLevel.MANDATORY]


def _run(
    policy: Policy,
    settings: PolicySettings,
    args: ResourceValidationArgs | StackValidationArgs,
    resource: str | None = None,
) -> list[Violation]:
    """One validation as the policy server runs it (_PolicyAnalyzerServicer.Analyze/AnalyzeStack).

    A resource validation's violations are the validated resource's (`resource`); a stack
    validation names the resource in each report, or none for the stack as a whole."""
    if settings.level == EnforcementLevel.DISABLED:
        return []
    # a remediation that still leaves a violation is reported as mandatory
    level = EnforcementLevel.MANDATORY if settings.level == EnforcementLevel.REMEDIATE else settings.level
    found: list[Violation] = []

    def report_violation(message: str, urn: str | None = None) -> None:
        found.append(Violation(level, policy.name, resource or _name(urn), message))

    try:
        result = policy.validate(args, report_violation)
        if isawaitable(result):
            asyncio.run(result)
    except UnknownValueError as unknown:
        found.append(
            Violation(
                EnforcementLevel.ADVISORY,
                policy.name,
                resource or STACK,
                f"can't run during preview: {unknown.message}",
            )
        )
    return found


def _name(urn: str | None) -> str:
    return urn.rsplit("::", 1)[-1] if urn else STACK


# --- the args the callbacks receive ------------------------------------------------------------


def on_the_wire(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` as the CLI sends them to the policy server: a protobuf Struct, read back as JSON."""
    return json_format.MessageToDict(
        json_format.ParseDict(json.loads(json.dumps(props, default=str)), struct_pb2.Struct())
    )


def as_analyzed(wire: Mapping[str, Any]) -> Mapping[str, Any]:
    """Props on the wire as the policy server hands them to each rule: deserialized afresh for every
    rule (as its Analyze does), behind the proxy that refuses unknown values."""
    return unknown_checking_proxy(deserialize_properties(dict(wire)))


def _options(record: Mapping[str, Any]) -> PolicyResourceOptions:
    # the preview document records no protect/ignoreChanges/aliases: those options stay empty
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=record.get("parent"),
    )


def _resource_args(
    record: Mapping[str, Any], inputs: Mapping[str, Any], settings: PolicySettings
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type=record["type"],
        props=as_analyzed(inputs),
        urn=record["urn"],
        name=record["name"],
        opts=_options(record),
        provider=None,
        config=dict(settings.properties),
    )


def _stack_resources(records: list[Mapping[str, Any]]) -> list[PolicyResource]:
    """Every resource with its outputs, parent and dependencies linked, as AnalyzeStack builds them."""
    resources = [
        PolicyResource(
            resource_type=r["type"],
            props=as_analyzed(on_the_wire(_outputs(r))),
            urn=r["urn"],
            name=r["name"],
            opts=_options(r),
            provider=None,
            parent=None,
            dependencies=[],
            property_dependencies={},
        )
        for r in records
    ]
    by_urn = {r.urn: r for r in resources}
    for record, resource in zip(records, resources, strict=True):
        resource.parent = by_urn.get(record.get("parent"))
        resource.dependencies = [by_urn[d] for d in record.get("dependencies", []) if d in by_urn]
    return resources


def _outputs(record: Mapping[str, Any]) -> dict[str, Any]:
    outputs = dict(record.get("outputs") or record.get("inputs") or {})
    if record.get("id") and "id" not in outputs:
        outputs["id"] = record["id"]
    return outputs


def _stack_args(resources: list[PolicyResource], settings: PolicySettings) -> StackValidationArgs:
    return StackValidationArgs(resources=resources, config=dict(settings.properties))


# --- policy configuration ---------------------------------------------------------------------


def reconcile(policies: Sequence[Policy], given: Mapping[str, Any]) -> dict[str, PolicySettings]:
    """Defaults, then `all`, then each rule's entry: the CLI's ReconcilePolicyPackConfig."""
    problems: list[str] = []
    levels = {p.name: p.enforcement_level or PACK_ENFORCEMENT_LEVEL for p in policies}
    properties = {p.name: _defaults(p) for p in policies}
    if ALL_POLICIES in given:
        level, _ = _entry(ALL_POLICIES, given[ALL_POLICIES], problems)
        levels = dict.fromkeys(levels, level) if level else levels
    for key, value in given.items():
        if key == ALL_POLICIES:
            continue
        level, values = _entry(key, value, problems)
        if key not in levels:
            problems.append(f"{key}: the {PACK_NAME} pack has no such policy (have: {', '.join(levels)})")
        else:
            levels[key] = level or levels[key]
            properties[key].update(values)
    for policy in policies:
        problems += _schema_problems(policy, properties[policy.name])
    if problems:
        raise UnreadableInput(problems)
    return {name: PolicySettings(levels[name], _as_configured(properties[name])) for name in levels}


def _defaults(policy: Policy) -> dict[str, Any]:
    schema = policy.config_schema
    return {k: v["default"] for k, v in (schema.properties if schema else {}).items() if "default" in v}


def _entry(key: str, value: Any, problems: list[str]) -> tuple[EnforcementLevel | None, dict[str, Any]]:
    """An entry is an enforcement level, or an object of properties with an optional enforcementLevel."""
    if isinstance(value, str):
        return _level(key, value, problems), {}
    if not isinstance(value, Mapping):
        problems.append(f"{key}: {value!r} is not a valid value; must be a string or object")
        return None, {}
    values = dict(value)
    level = values.pop(ENFORCEMENT_LEVEL, None)
    return (_level(key, level, problems) if level is not None else None), values


def _level(key: str, value: Any, problems: list[str]) -> EnforcementLevel | None:
    try:
        return EnforcementLevel(value)
    except ValueError:
        valid = ", ".join(level.value for level in EnforcementLevel)
        problems.append(f"{key}: {value!r} is not a valid enforcement level ({valid})")
        return None


def _schema_problems(policy: Policy, properties: Mapping[str, Any]) -> list[str]:
    schema = policy.config_schema
    if schema is None:
        return [f"{policy.name}: takes no configuration, got {', '.join(properties)}"] if properties else []
    document = {"type": "object", "properties": schema.properties}
    if schema.required:
        document["required"] = schema.required
    validator = jsonschema.Draft7Validator(document)
    return [
        f"{policy.name}: {'.'.join(map(str, e.absolute_path)) or 'config'}: {e.message}"
        for e in validator.iter_errors(properties)
    ]


def _as_configured(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Configuration reaches the policy server as a protobuf Struct too: numbers become floats."""
    return json_format.MessageToDict(json_format.ParseDict(dict(properties), struct_pb2.Struct()))


# --- command line -----------------------------------------------------------------------------


def read_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as unreadable:
        raise UnreadableInput([f"{path}: {unreadable}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        raise UnreadableInput([f"{path}: not a `python -m tools.preview --format json` document (no resources list)"])
    return document


def read_pack_config(path: Path) -> dict[str, Any]:
    """The `--policy-pack-config` file: JSON (YAML is accepted too, JSON being YAML)."""
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as unreadable:
        raise UnreadableInput([f"{path}: {unreadable}"]) from None
    if not isinstance(config, dict):
        raise UnreadableInput([f"{path}: the policy pack configuration must be an object keyed by policy name"])
    return config


def report(violations: list[Violation], out: TextIO | None = None) -> int:
    """Print `violations` and a summary (to stdout unless `out`); the exit code they call for."""
    out = out or sys.stdout
    for violation in violations:
        print(violation, file=out)
    blocking = len(mandatory(violations))
    advisory = len(violations) - blocking
    print(f"policy pack {PACK_NAME}: {blocking} mandatory, {advisory} advisory violation(s)", file=out)
    return EXIT_MANDATORY if blocking else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        document = read_document(Path(args.file))
        violations = check(document, read_pack_config(Path(args.config)) if args.config else None)
    except UnreadableInput as unreadable:
        print("\n".join(f"error: {p}" for p in unreadable.problems), file=sys.stderr)
        return EXIT_UNREADABLE
    return report(violations)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.policy_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", metavar="FILE.json", help="what `python -m tools.preview --format json` printed")
    parser.add_argument("--config", metavar="FILE", help="policy pack configuration, as `--policy-pack-config` takes")
    return parser


if __name__ == "__main__":
    sys.exit(main())
