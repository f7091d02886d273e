"""What a node is: its instance metadata service, its disks, and what its role may do."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .resources import INSTANCE, LAUNCH_TEMPLATE, ROLE, ROLE_POLICY, VOLUME, flag, items

# --- IMDSv2 ---------------------------------------------------------------------------------

IMDS_TOKENS_REQUIRED = "required"
IMDS_DISABLED = "disabled"


def validate_imdsv2(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LAUNCH_TEMPLATE + INSTANCE:
        return
    metadata = args.props.get("metadataOptions") or {}
    if metadata.get("httpEndpoint") == IMDS_DISABLED:
        return  # no metadata service at all: nothing to steal credentials from
    tokens = metadata.get("httpTokens")
    if tokens != IMDS_TOKENS_REQUIRED:
        report_violation(
            f"{args.name} leaves IMDSv1 on (metadataOptions.httpTokens: {tokens or 'unset'}): one SSRF in the app "
            'hands out the node role\'s credentials. Set httpTokens "required" '
            "(components/plans/launch_template.py; no stack setting turns it off: the bootstrap and the drain agent "
            "already use IMDSv2 tokens)."
        )


imdsv2_required = ResourceValidationPolicy(
    name="imdsv2-required",
    description="Launch templates and instances require IMDSv2 session tokens.",
    validate=validate_imdsv2,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- encrypted volumes ----------------------------------------------------------------------


def unencrypted_volumes(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """The volumes of a launch template, instance or EBS volume that are not encrypted."""
    if resource_type in VOLUME:
        return [] if flag(props.get("encrypted")) else ["the volume"]
    if resource_type in INSTANCE:
        root = props.get("rootBlockDevice") or {}
        devices = [("the root volume", root)] + [(d.get("deviceName"), d) for d in items(props.get("ebsBlockDevices"))]
        return [name for name, device in devices if not flag(device.get("encrypted"))]
    mappings = [m for m in items(props.get("blockDeviceMappings")) if m.get("ebs")]
    if not mappings:
        return ["the root volume (no blockDeviceMappings: the AMI snapshot's unencrypted default)"]
    return [m.get("deviceName") or "a device" for m in mappings if not flag(m["ebs"].get("encrypted"))]


def validate_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LAUNCH_TEMPLATE + INSTANCE + VOLUME:
        return
    for volume in unencrypted_volumes(args.resource_type, args.props):
        report_violation(
            f"{args.name}: {volume} is not encrypted. Set ebs.encrypted true on every block device mapping "
            "(components/plans/launch_template.py; elixir-cluster:nodes.rootVolumeGiB only sizes the root volume)."
        )


encrypted_volumes = ResourceValidationPolicy(
    name="encrypted-volumes",
    description="Every EBS volume a node gets is encrypted.",
    validate=validate_encryption,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- no wildcard actions in the node role ----------------------------------------------------

WILDCARD = "*"


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of an IAM policy document, given as JSON text or as an object."""
    if isinstance(document, str):
        document = json.loads(document)
    return [s for s in items((document or {}).get("Statement")) if isinstance(s, Mapping)]


def wildcard_grants(document: Any) -> Iterator[str]:
    """`*`, `service:*` and NotAction in the Allow statements of `document`."""
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        label = statement.get("Sid") or "a statement"
        if statement.get("NotAction"):
            yield f"{label} allows everything but NotAction"
        for action in items(statement.get("Action")):
            if action == WILDCARD or str(action).endswith(f":{WILDCARD}"):
                yield f"{label} allows {action}"


def role_documents(resource_type: str, props: Mapping[str, Any]) -> list[Any]:
    """The inline policy documents of a RolePolicy, or of a Role's inlinePolicies."""
    if resource_type in ROLE_POLICY:
        return [props.get("policy")]
    if resource_type in ROLE:
        return [p.get("policy") for p in items(props.get("inlinePolicies"))]
    return []


def validate_role_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for document in role_documents(args.resource_type, args.props):
        for grant in wildcard_grants(document):
            report_violation(
                f"{args.name}: {grant}. A node needs named actions on named resources "
                "(components/plans/iam.py); what it reads comes from elixir-cluster:release "
                "(artifact, cookieParameter), nothing in the stack YAML widens it."
            )


node_role_no_wildcard_actions = ResourceValidationPolicy(
    name="node-role-no-wildcard-actions",
    description="Inline role policies grant no `*` or `service:*` action.",
    validate=validate_role_actions,
    enforcement_level=EnforcementLevel.MANDATORY,
)

POLICIES = [imdsv2_required, encrypted_volumes, node_role_no_wildcard_actions]
