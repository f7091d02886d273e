"""AWS WAF in front of the load balancer (reported in the load balancer's area).

`load_balancer.waf`: the load balancer is associated with the declared web ACL (the one in
`loadBalancer.waf.webAclArn`, or the one the stack creates, `names.web_acl_name`), as
GetWebACLForResource says. `load_balancer.web_acl`, for a created web ACL: it still allows
by default and publishes its metrics, holds the rules of components/plans/waf.py
(`web_acl_plan`, the plan the WebApplicationFirewall component declares), and logs to its
log group, through the declared filter, where the records are kept for `logs.retentionDays`
under a KMS key. Stacks without WAF get neither check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.plans import names
from components.plans.waf import SCOPE, WebAclPlan, web_acl_plan

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import log_group_problems

LIST_LIMIT = 100
"""ListWebACLs returns at most 100 a page."""
RULE_KEYS = ("Priority", "Statement", "Action", "OverrideAction", "VisibilityConfig")
"""What a rule is compared on (GetWebACL adds empty keys such as CaptchaConfig)."""


def run(env: Environment) -> list[Finding]:
    if not env.settings.load_balancer.protected_by_waf or env.load_balancer is None:
        return []
    wafv2 = env.aws.client("wafv2")
    attached = wafv2.get_web_acl_for_resource(ResourceArn=env.load_balancer["LoadBalancerArn"]).get("WebACL")
    findings = [_association(env, attached)]
    plan = web_acl_plan(env.settings)
    if plan is not None:
        findings.append(_web_acl(env, plan))
    return findings


def _association(env: Environment, attached: dict[str, Any] | None) -> Finding:
    declared = env.settings.load_balancer.waf.web_acl_arn or names.web_acl_name(env.settings)
    balancer = env.load_balancer["LoadBalancerName"]
    if attached is None:
        return failed("load_balancer.waf", f"no web ACL in front of {balancer}, declared {declared}", UP_FIX)
    if declared not in (attached["ARN"], attached["Name"]):
        return failed("load_balancer.waf", f"{balancer} is behind {attached['ARN']}, declared {declared}", UP_FIX)
    return passed("load_balancer.waf", f"{balancer} is behind web ACL {attached['Name']}")


def _web_acl(env: Environment, plan: WebAclPlan) -> Finding:
    wafv2 = env.aws.client("wafv2")
    summary = next((acl for acl in _web_acls(env) if acl["Name"] == plan.name), None)
    if summary is None:
        return failed("load_balancer.web_acl", f"no web ACL {plan.name} in {env.aws.where()}", UP_FIX)
    acl = wafv2.get_web_acl(Name=plan.name, Scope=SCOPE, Id=summary["Id"])["WebACL"]
    problems = [
        f"{key} {acl.get(key)}, declared {value}" for key, value in plan.described().items() if acl.get(key) != value
    ]
    problems += _rule_drift(plan, acl.get("Rules", []))
    problems += _logging_problems(env, acl["ARN"], plan)
    if problems:
        return failed("load_balancer.web_acl", f"{plan.name}: {'; '.join(problems)}", UP_FIX)
    return passed("load_balancer.web_acl", f"{plan.name}: {', '.join(rule.name for rule in plan.rules)}")


def _web_acls(env: Environment) -> Iterator[dict[str, Any]]:
    """Every regional web ACL (ListWebACLs pages by NextMarker, without a boto3 paginator)."""
    wafv2, marker = env.aws.client("wafv2"), {}
    while True:
        page = wafv2.list_web_acls(Scope=SCOPE, Limit=LIST_LIMIT, **marker)
        yield from page.get("WebACLs", [])
        if not page.get("NextMarker"):
            return
        marker = {"NextMarker": page["NextMarker"]}


def _rule_drift(plan: WebAclPlan, deployed: list[dict[str, Any]]) -> list[str]:
    expected = {rule.name: _compared(rule.described()) for rule in plan.rules}
    actual = {rule["Name"]: _compared(rule) for rule in deployed}
    problems = [f"missing rule {name}" for name in expected if name not in actual]
    problems += [
        f"rule {name} is {actual[name]}, declared {expected[name]}"
        for name in expected
        if name in actual and actual[name] != expected[name]
    ]
    problems += [f"extra rule {name}" for name in actual if name not in expected]
    return problems


def _compared(rule: dict[str, Any]) -> dict[str, Any]:
    return {key: rule[key] for key in RULE_KEYS if rule.get(key) is not None}


def _logging_problems(env: Environment, acl_arn: str, plan: WebAclPlan) -> list[str]:
    """Its logging: to the declared log group, through the declared filter, kept as declared."""
    wafv2 = env.aws.client("wafv2")
    try:
        configuration = wafv2.get_logging_configuration(ResourceArn=acl_arn)["LoggingConfiguration"]
    except wafv2.exceptions.WAFNonexistentItemException:
        configuration = {}
    destinations = configuration.get("LogDestinationConfigs", [])
    if not any(d.endswith(f":log-group:{plan.log_group_name}") for d in destinations):
        return [f"does not log to {plan.log_group_name}"]
    problems = []
    if configuration.get("LoggingFilter") != plan.logging_filter():
        problems.append(f"logging filter {configuration.get('LoggingFilter')}, declared {plan.logging_filter()}")
    return problems + log_group_problems(env, plan.log_group_name, plan.log_retention_days)
