"""tools/verifier/checks/waf.py: the load balancer behind the declared web ACL; the created web
ACL's rules, metrics, logging filter and log group; each tamper fails its check and no other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aws_state import balancer_of
from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk

LOG_GROUP = "aws-waf-logs-shop-prod"


def _web_acl(env: Applied) -> tuple[dict[str, Any], str]:
    wafv2 = env.client("wafv2")
    [summary] = wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]
    found = wafv2.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
    return found["WebACL"], found["LockToken"]


def _update_the_web_acl(env: Applied, **change: Any) -> None:
    """As in the console: UpdateWebACL with the web ACL as it is, `change` applied."""
    acl, token = _web_acl(env)
    kept = {key: acl[key] for key in ("Name", "Id", "DefaultAction", "Rules", "VisibilityConfig")}
    env.client("wafv2").update_web_acl(Scope="REGIONAL", LockToken=token, **{**kept, **change})


def stop_the_web_acls_metrics(env: Applied) -> None:
    acl, _ = _web_acl(env)
    _update_the_web_acl(env, VisibilityConfig={**acl["VisibilityConfig"], "CloudWatchMetricsEnabled": False})


def drop_the_rate_limit_rule(env: Applied) -> None:
    acl, _ = _web_acl(env)
    _update_the_web_acl(env, Rules=[r for r in acl["Rules"] if "RateBasedStatement" not in r["Statement"]])


def disassociate_the_web_acl(env: Applied) -> None:
    env.client("wafv2").disassociate_web_acl(ResourceArn=balancer_of(env)["LoadBalancerArn"])


def log_every_request(env: Applied) -> None:
    """The logging configuration put back without its filter: every request logged, the costliest log."""
    acl, _ = _web_acl(env)
    wafv2 = env.client("wafv2")
    configuration = wafv2.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    wafv2.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": acl["ARN"],
            "LogDestinationConfigs": configuration["LogDestinationConfigs"],
        }
    )


def keep_the_waf_logs_a_week(env: Applied) -> None:
    env.client("logs").put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=7)


def recreate_the_waf_log_group_unencrypted(env: Applied) -> None:
    """Deleted and made again by hand, kept as long as declared but without its key."""
    logs = env.client("logs")
    logs.delete_log_group(logGroupName=LOG_GROUP)
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=7)


TAMPERS = {
    "prod": [
        Tamper(drop_the_rate_limit_rule, "load_balancer.web_acl", "shop-prod: missing rule per-ip-rate-limit"),
        Tamper(
            stop_the_web_acls_metrics,
            "load_balancer.web_acl",
            "shop-prod: VisibilityConfig {'SampledRequestsEnabled': True, 'CloudWatchMetricsEnabled': False",
        ),
        Tamper(log_every_request, "load_balancer.web_acl", "logging filter None, declared {'DefaultBehavior': 'DROP'"),
        Tamper(keep_the_waf_logs_a_week, "load_balancer.web_acl", "log group retention 7, declared 365"),
        Tamper(
            recreate_the_waf_log_group_unencrypted,
            "load_balancer.web_acl",
            "log group not encrypted with its KMS key",
        ),
        Tamper(disassociate_the_web_acl, "load_balancer.waf", "no web ACL in front of shop-lb-alb-"),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_web_acl_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
