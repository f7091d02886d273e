"""tools/verifier/checks/waf.py: the created web ACL's metrics, its logging filter and its log
group; each tamper fails its check and no other (on the shared prod walk)."""

from __future__ import annotations

from typing import Any

from tests.support.stacks import Applied
from tests.support.verify import SHARES_DRIFTING_PROD, walk_tampers

pytestmark = SHARES_DRIFTING_PROD

LOG_GROUP = "aws-waf-logs-shop-prod"


def _web_acl(env: Applied) -> tuple[dict[str, Any], str]:
    wafv2 = env.client("wafv2")
    [summary] = wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]
    found = wafv2.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
    return found["WebACL"], found["LockToken"]


def stop_the_web_acls_metrics(env: Applied) -> None:
    """As in the console: the web ACL updated with its CloudWatch metrics off."""
    acl, token = _web_acl(env)
    env.client("wafv2").update_web_acl(
        Name=acl["Name"],
        Scope="REGIONAL",
        Id=acl["Id"],
        DefaultAction=acl["DefaultAction"],
        Rules=acl["Rules"],
        VisibilityConfig={**acl["VisibilityConfig"], "CloudWatchMetricsEnabled": False},
        LockToken=token,
    )


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


TAMPERS = [
    # (tamper, the check that must fail, what its detail must name): prod's declared values, by hand
    (
        stop_the_web_acls_metrics,
        "load_balancer.web_acl",
        "shop-prod: VisibilityConfig {'SampledRequestsEnabled': True, 'CloudWatchMetricsEnabled': False",
    ),
    (
        log_every_request,
        "load_balancer.web_acl",
        "logging filter None, declared {'DefaultBehavior': 'DROP'",
    ),
    (keep_the_waf_logs_a_week, "load_balancer.web_acl", "log group retention 7, declared 365"),
    (recreate_the_waf_log_group_unencrypted, "load_balancer.web_acl", "log group not encrypted with its KMS key"),
]


def test_each_web_acl_tamper_fails_its_check_and_no_other(drifting_prod: Applied, verify_reusing_clients: None):
    walk_tampers(drifting_prod, "prod", TAMPERS)
