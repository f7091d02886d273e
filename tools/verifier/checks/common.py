"""What the area checks share: how to report a resource that discovery did not find, and how a
log group the stack creates is kept.

No check passes on what it did not find. A check whose own resource is missing fails
(`not_found`); one whose resource is there but that compares it with another resource that is
missing says what it could not compare, as a warning (`not_compared`): the missing resource's
own check fails for it, once."""

from __future__ import annotations

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, warned

NOT_COMPARED_FIX = "see the failing check that looks for it; verify again once it is back"


def environment_missing(env: Environment) -> list[Finding]:
    """One finding, first, when the tag finds nothing at all: verify is looking in the wrong place,
    or the environment was never deployed (every check then says what it did not find)."""
    if not env.nothing_found:
        return []
    return [
        failed(
            "discovery.environment",
            f"nothing tagged {env.tag} in {env.aws.where()}: "
            "no Auto Scaling group, target group, load balancer or security group",
            "check the account your credentials reach, --stack or --config, and the stack file's aws:region; "
            "an environment never deployed is created by `pulumi up`",
        )
    ]


def not_found(env: Environment, check: str, kind: str) -> Finding:
    """The resource the check needs is not there (or is there more than once)."""
    ambiguous = [a for a in env.ambiguities if kind in a]
    if ambiguous:
        return failed(check, ambiguous[0], "delete or untag the copies so that one remains")
    return failed(check, f"no {kind} tagged {env.tag} in {env.aws.where()}", f"check --stack and the region; {UP_FIX}")


def not_compared(check: str, detail: str, missing: list[str]) -> Finding:
    """`detail` holds for what was found (empty: nothing was), but the comparison with each of
    `missing` (a resource not found, named) could not be made."""
    unchecked = f"not found, so not checked: {', '.join(missing)}"
    return warned(check, f"{detail}; {unchecked}" if detail else unchecked, NOT_COMPARED_FIX)


def log_group_problems(env: Environment, name: str, retention_days: int) -> list[str]:
    """How the log group `name` (an EncryptedLogGroup) differs from the declared one: missing,
    kept for another time, or not encrypted (its key's policy is the encryption area's)."""
    groups = env.aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        return [f"log group {name} is missing"]
    problems = []
    if group.get("retentionInDays") != retention_days:
        problems.append(
            f"log group retention {group.get('retentionInDays', 'never expires')}, declared {retention_days}"
        )
    if not group.get("kmsKeyId"):
        problems.append("log group not encrypted with its KMS key")
    return problems
