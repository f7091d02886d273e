"""What a node is: its instance metadata service, its disks, and what its role may do (its inline
policies, and the AWS managed policies it attaches, judged through managed_policies.py)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .configuration import schema, settings
from .managed_policies import managed_policy_document
from .resources import INSTANCE, LAUNCH_TEMPLATE, ROLE, ROLE_POLICY, ROLE_POLICY_ATTACHMENT, VOLUME, flag, items

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


def role_documents(resource_type: str, props: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
    """(the policy documents a role resource grants, the managed policies among them the pack cannot
    read): a RolePolicy's document, a Role's inlinePolicies and managedPolicyArns, a
    RolePolicyAttachment's managed policy."""
    documents, unknown = [], []
    if resource_type in ROLE_POLICY:
        documents.append(props.get("policy"))
    elif resource_type in ROLE:
        documents += [p.get("policy") for p in items(props.get("inlinePolicies"))]
    arns = items(props.get("policyArn")) if resource_type in ROLE_POLICY_ATTACHMENT else []
    arns += items(props.get("managedPolicyArns")) if resource_type in ROLE else []
    for arn in arns:
        document = managed_policy_document(str(arn))
        if document is None:
            unknown.append(str(arn))
        else:
            documents.append(document)
    return documents, unknown


def validate_role_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    documents, unknown = role_documents(args.resource_type, args.props)
    for document in documents:
        for grant in wildcard_grants(document):
            report_violation(
                f"{args.name}: {grant}. A node needs named actions on named resources "
                "(components/plans/iam.py); what it reads comes from elixir-cluster:release "
                "(artifact, cookieParameter, secrets), nothing in the stack YAML widens it."
            )
    for arn in unknown:
        report_violation(
            f"{args.name}: attaches {arn}, which this pack cannot read (it knows the AWS managed policies in "
            "policies/rules/managed_policies.py): grant what the role needs inline, where the pack judges it."
        )


node_role_no_wildcard_actions = ResourceValidationPolicy(
    name="node-role-no-wildcard-actions",
    description="Role policies grant no `*` or `service:*` action, inline or in an attached AWS managed policy.",
    validate=validate_role_actions,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- secrets are read by name -----------------------------------------------------------------

SECRET_READS = [
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
]
"""The actions that read a parameter's or a secret's value."""

SECRET_READS_SCHEMA = schema(
    secretReads={
        "type": "array",
        "items": {"type": "string"},
        "default": SECRET_READS,
        "description": "Actions that read a secret's value: a role may allow them only on named resources.",
    },
)


def unnamed_secret_reads(document: Any, reads: list[str]) -> Iterator[str]:
    """The Allow statements of `document` that let a read of `reads` reach a resource they do not name."""
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        label = statement.get("Sid") or "a statement"
        granted = _granted_reads(statement, reads)
        resources = [str(r) for r in items(statement.get("Resource"))]
        wide = [r for r in resources if "*" in r or "?" in r]
        if statement.get("NotResource"):
            wide.append("everything but NotResource")
        if granted and wide:
            yield f"{label} allows {', '.join(granted)} on {', '.join(wide)}"


def _granted_reads(statement: Mapping[str, Any], reads: list[str]) -> list[str]:
    if statement.get("NotAction"):
        excluded = [str(a).lower() for a in items(statement.get("NotAction"))]
        return [r for r in reads if not any(fnmatch.fnmatchcase(r.lower(), e) for e in excluded)]
    patterns = [str(a).lower() for a in items(statement.get("Action"))]
    return [r for r in reads if any(fnmatch.fnmatchcase(r.lower(), p) for p in patterns)]


def validate_secret_reads(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    reads = list(settings(SECRET_READS_SCHEMA, args.get_config())["secretReads"])
    documents, _unknown = role_documents(args.resource_type, args.props)  # node-role-no-wildcard-actions names those
    for document in documents:
        for grant in unnamed_secret_reads(document, reads):
            report_violation(
                f"{args.name}: {grant}: the role reads secrets it does not name (every parameter or secret the "
                "pattern reaches, in every stack of the account). A node reads its cookie and "
                "elixir-cluster:release.secrets, each granted by its ARN (components/plans/iam.py); Session Manager "
                "needs no parameter at all."
            )


node_role_reads_only_named_secrets = ResourceValidationPolicy(
    name="node-role-reads-only-named-secrets",
    description="Role policies, inline or attached AWS managed ones, read parameters and secrets only by their ARN.",
    validate=validate_secret_reads,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=SECRET_READS_SCHEMA,
)

POLICIES = [imdsv2_required, encrypted_volumes, node_role_no_wildcard_actions, node_role_reads_only_named_secrets]
