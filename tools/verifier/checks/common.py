"""What the area checks share: how to report a resource that discovery did not find, and how a
log group the stack creates is kept."""

from __future__ import annotations

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed


def not_found(env: Environment, check: str, kind: str) -> Finding:
    """The resource the check needs is not there (or is there more than once)."""
    ambiguous = [a for a in env.ambiguities if kind in a]
    if ambiguous:
        return failed(check, ambiguous[0], "delete or untag the copies so that one remains")
    return failed(check, f"no {kind} tagged {env.tag} in {env.aws.where()}", f"check --stack and the region; {UP_FIX}")


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
