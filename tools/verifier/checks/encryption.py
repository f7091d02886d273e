"""The KMS keys the stack creates: rotation on, and each key's policy as declared.

The keys are found through what they encrypt: the cookie parameter's key, the alert
topic's key and, with flow logs to CloudWatch Logs, the flow log group's key; with a web
ACL the stack creates, its log group's key. Their
declared policies are `components.plans.encryption`'s. Whatever else a changed policy
says, a "*" principal is named: it opens the key to every AWS account.

- `encryption.rotation`: yearly rotation on for each key.
- `encryption.key_policies`: each key's policy equals the declared one (and the alert topic
  is encrypted at all; the cookie's SecureString and the log group's key are the cookie and
  network checks').
- `encryption.lookup` (a warning): a key that could not be found because AWS refused the
  call that reads what it encrypts; that call's own area fails for it.

A key whose resource is missing (no cookie parameter, no topic) is not checked, and both checks
say so as a warning, naming it: they pass only on keys they found. The missing resource's own
check (cookie.parameter, monitoring.topic, ...) fails for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from components.plans import encryption, names
from components.plans import flow_logs as flow_log_plan
from components.plans.cookie import SECURE_STRING
from components.plans.waf import web_acl_plan

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .common import not_compared

NAME = "encryption keys"
DEFAULT_POLICY = "default"

PolicyOf = Callable[[str, str], dict[str, Any]]
"""(partition, account id) -> the declared key policy."""


def run(env: Environment) -> list[Finding]:
    refused: list[str] = []
    unencrypted: list[str] = []
    missing: list[str] = []
    keys = _stack_keys(env, refused, unencrypted, missing)
    kms = env.aws.client("kms")
    rotation_off = [role for role, (key_id, _) in keys.items() if not _rotates(kms, key_id)]
    policy_problems = unencrypted + [
        f"{role} key: {problem}"
        for role, (key_id, policy_of) in keys.items()
        for problem in _policy_problems(env, key_id, policy_of)
    ]
    findings = []
    if rotation_off:
        detail = "; ".join(f"{role} key: rotation off" for role in rotation_off)
        findings.append(failed("encryption.rotation", detail, UP_FIX))
    else:
        findings.append(_on_the_found_keys("encryption.rotation", "on", keys, missing))
    if policy_problems:
        findings.append(failed("encryption.key_policies", "; ".join(policy_problems), UP_FIX))
    else:
        findings.append(_on_the_found_keys("encryption.key_policies", "as declared", keys, missing))
    if refused:
        findings.append(
            warned(
                "encryption.lookup",
                f"not checked: {'; '.join(refused)}",
                "grant the verifying identity the call named (read-only: see the README, Verifying section)",
            )
        )
    return findings


def _on_the_found_keys(check: str, verdict: str, keys: dict[str, Any], missing: list[str]) -> Finding:
    """A pass for the keys found, or a warning naming the keys that were not (none found: nothing passes)."""
    if not missing:
        return passed(check, f"{verdict} for the {', '.join(keys)} keys")
    return not_compared(check, f"{verdict} for the {', '.join(keys)} keys" if keys else "", missing)


def _stack_keys(
    env: Environment, refused: list[str], unencrypted: list[str], missing: list[str]
) -> dict[str, tuple[str, PolicyOf]]:
    """Each key the stack creates that is found through what it encrypts, by role: (its id, its declared policy).

    What is missing, or a cookie that is not a SecureString, is another check's finding: the key is
    named in `missing`, not checked. A lookup AWS refuses leaves that key unchecked (`refused`, for
    a warning) rather than failing the area. An alert topic without a key is this area's (`unencrypted`).
    """
    settings = env.settings
    keys: dict[str, tuple[str, PolicyOf]] = {}
    finders: dict[str, tuple[Callable[[], str | None], PolicyOf]] = {
        "cookie": (
            lambda: _cookie_key(env),
            lambda partition, account: encryption.cookie_key_policy(partition=partition, account_id=account),
        ),
        "alert topic": (
            lambda: _topic_key(env, unencrypted),
            lambda partition, account: encryption.alert_key_policy(partition=partition, account_id=account),
        ),
    }
    flow_logs = settings.network.flow_logs
    if flow_logs.enabled and flow_logs.to_cloudwatch:
        finders["flow log group"] = _log_group_finder(env, flow_log_plan.log_group_name(settings))
    waf = web_acl_plan(settings)
    if waf is not None:
        finders["WAF log group"] = _log_group_finder(env, waf.log_group_name)
    for role, (find, policy_of) in finders.items():
        try:
            key_id = find()
        except ClientError as refusal:
            refused.append(
                f"the {role} key ({refusal.operation_name}: {refusal.response.get('Error', {}).get('Code')})"
            )
            continue
        if key_id is not None:
            keys[role] = (key_id, policy_of)
        elif not any(u.startswith(role) for u in unencrypted):
            missing.append(f"the {role} key ({_WHAT_HOLDS_IT[role]})")
    return keys


_WHAT_HOLDS_IT = {
    "cookie": "no SecureString cookie parameter",
    "alert topic": "no alert topic",
    "flow log group": "no flow log group",
    "WAF log group": "no WAF log group",
}
"""Why a key could not be found, by role: what it encrypts is not there as declared."""


def _log_group_finder(env: Environment, name: str) -> tuple[Callable[[], str | None], PolicyOf]:
    """A log group's key, and the policy every log group's key is declared with."""
    return (
        lambda: _log_group_key(env, name),
        lambda partition, account: encryption.log_group_key_policy(
            partition=partition, account_id=account, region=env.settings.region, log_group_name=name
        ),
    )


def _cookie_key(env: Environment) -> str | None:
    """The cookie parameter's key; None when it is missing or not a SecureString (cookie.parameter says so)."""
    name = env.settings.release.cookie_parameter
    found = env.aws.client("ssm").describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
    )["Parameters"]
    return found[0].get("KeyId") if found and found[0].get("Type") == SECURE_STRING else None


def _topic_key(env: Environment, unencrypted: list[str]) -> str | None:
    """The alert topic's key; None when the topic is missing (monitoring.topic says so) or unencrypted."""
    topic_name = names.alarm_topic_name(env.settings)
    topics = [t["TopicArn"] for t in env.aws.pages("sns", "list_topics", "Topics")]
    topic = next((arn for arn in topics if arn.rsplit(":", 1)[-1] == topic_name), None)
    if topic is None:
        return None
    key = env.aws.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"].get("KmsMasterKeyId")
    if not key:
        unencrypted.append(f"alert topic {topic_name} is not encrypted with its key")
    return key or None


def _log_group_key(env: Environment, name: str) -> str | None:
    """A log group's key; None when it is missing or unencrypted (its network or load_balancer check says so)."""
    groups = env.aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g.get("kmsKeyId") for g in groups if g["logGroupName"] == name), None)


def _rotates(kms: Any, key_id: str) -> bool:
    return bool(kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"])


def _policy_problems(env: Environment, key_id: str, policy_of: PolicyOf) -> list[str]:
    kms = env.aws.client("kms")
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    _, partition, _, _, account, _ = arn.split(":", 5)
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName=DEFAULT_POLICY)["Policy"])
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    problems = [f'statement {_sid(s)} allows any principal ("*")' for s in statements if _anyone(s)]
    declared = policy_of(partition, account)["Statement"]
    extra = [_sid(s) for s in statements if s not in declared]
    missing = [_sid(s) for s in declared if s not in statements]
    if extra or missing:
        problems.append(
            "policy differs from the declared one: "
            + ", ".join([f"extra {sid}" for sid in extra] + [f"missing or changed {sid}" for sid in missing])
        )
    return problems


def _sid(statement: dict[str, Any]) -> str:
    return statement.get("Sid") or json.dumps(statement, sort_keys=True)[:80]


def _anyone(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    principal = statement.get("Principal")
    if principal == "*":
        return True
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    return "*" in ([values] if isinstance(values, str) else values)
