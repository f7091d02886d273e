"""KMS keys: each rotates, and each has an explicit policy that opens it to no one at large.

A key created without a policy gets AWS's default (the account root only): nothing then
says which services use it, and a reviewer cannot tell the key's purpose from its policy.
A "*" principal opens the key to every AWS account; `kms:*` for anyone but the account root
lets that principal re-write the policy. Rotation limits what one leaked key version can
decrypt; AWS rotates a symmetric key yearly when asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .resources import KMS_KEY, flag, items

SYMMETRIC = "SYMMETRIC_DEFAULT"
"""The only key spec AWS rotates automatically (and the provider's default)."""
ACCOUNT_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:root$")
EVERY_ACTION = ("kms:*", "*")
POLICY_FIX = (
    "Give it the policy components/plans/encryption.py builds (the account root administers it; "
    "the services that use it, each under a condition)."
)


def _symmetric(props: Mapping[str, Any]) -> bool:
    spec = props.get("customerMasterKeySpec") or props.get("keySpec") or SYMMETRIC
    return spec == SYMMETRIC


# --- rotation ---------------------------------------------------------------------------------


def validate_rotation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in KMS_KEY and _symmetric(args.props) and not flag(args.props.get("enableKeyRotation")):
        report_violation(
            f"KMS key {args.name} does not rotate: a leaked key version decrypts everything it ever encrypted. "
            "Declare it with enable_key_rotation=True (every key in components/ does)."
        )


kms_key_rotation = ResourceValidationPolicy(
    name="kms-key-rotation",
    description="Every symmetric KMS key the stack creates rotates yearly.",
    validate=validate_rotation,
    enforcement_level=EnforcementLevel.MANDATORY,
)

# --- an explicit policy, no principal at large --------------------------------------------------


def validate_key_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in KMS_KEY:
        return
    text = args.props.get("policy")
    if not text:
        report_violation(f"KMS key {args.name} has no explicit key policy, so AWS's default applies. {POLICY_FIX}")
        return
    try:
        policy = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        report_violation(f"KMS key {args.name}'s policy is not JSON. {POLICY_FIX}")
        return
    for problem in _problems(policy):
        report_violation(f"KMS key {args.name}: {problem}. {POLICY_FIX}")


def _problems(policy: Mapping[str, Any]) -> Iterator[str]:
    for index, statement in enumerate(items(policy.get("Statement"))):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid") or f"statement {index}"
        principals = _principals(statement.get("Principal"))
        if "*" in principals:
            yield f'{sid} allows any principal ("*"), every AWS account'
        actions = [str(a) for a in items(statement.get("Action"))]
        broad = [a for a in actions if a in EVERY_ACTION]
        others = [p for p in principals if p != "*" and not ACCOUNT_ROOT.match(p)]
        if broad and others:
            yield f"{sid} grants {broad[0]} to {', '.join(others)}: only the account root administers a key"


def _principals(principal: Any) -> list[str]:
    """Every principal a statement names: "*", or the values of its AWS/Service/Federated lists."""
    if principal == "*":
        return ["*"]
    if not isinstance(principal, Mapping):
        return []
    return [str(value) for values in principal.values() for value in items(values)]


kms_key_policy = ResourceValidationPolicy(
    name="kms-key-policy",
    description='Every KMS key has an explicit key policy with no "*" principal and kms:* for the account root only.',
    validate=validate_key_policy,
    enforcement_level=EnforcementLevel.MANDATORY,
)

POLICIES = [kms_key_rotation, kms_key_policy]
