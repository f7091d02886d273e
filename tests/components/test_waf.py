"""components/waf.py: AWS WAF in front of prod's load balancer, read from moto: the web ACL's rules
in AWS's words, its metrics, its association, its encrypted log group and what it logs; none in
dev; an existing web ACL associated as it is. (The blocked-requests alarm and graph are
Monitoring's: tests/components/test_monitoring.py.)
"""

from __future__ import annotations

from tests.support.aws_state import balancer_of
from tests.support.fragments import EXISTING_WEB_ACL

MANAGED = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",  # stacks/Pulumi.prod.yaml adds it to the default three
]


def _web_acl_of(applied):
    arn = balancer_of(applied)["LoadBalancerArn"]
    return applied.client("wafv2").get_web_acl_for_resource(ResourceArn=arn).get("WebACL")  # absent: none


def test_prods_load_balancer_is_behind_a_web_acl_of_managed_groups_and_a_rate_limit(prod):
    acl = _web_acl_of(prod)
    assert acl["Name"] == "shop-prod"
    assert acl["DefaultAction"] == {"Allow": {}}
    assert acl["VisibilityConfig"] == {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": True,
        "MetricName": "shop-prod",
    }
    rules = sorted(acl["Rules"], key=lambda rule: rule["Priority"])
    [rate, *groups] = rules
    assert rate["Statement"] == {
        "RateBasedStatement": {"Limit": 2000, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}
    }
    assert rate["Action"] == {"Block": {}}
    assert [g["Statement"]["ManagedRuleGroupStatement"] for g in groups] == [
        {"VendorName": "AWS", "Name": name} for name in MANAGED
    ]
    assert all(g["OverrideAction"] == {"None": {}} for g in groups)
    assert all(r["VisibilityConfig"]["CloudWatchMetricsEnabled"] for r in rules)
    assert [r["VisibilityConfig"]["MetricName"] for r in rules] == ["per-ip-rate-limit", *MANAGED]


def test_the_web_acl_logs_blocked_requests_to_an_encrypted_log_group_kept_a_year(prod):
    acl = _web_acl_of(prod)
    logging = prod.client("wafv2").get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    [destination] = logging["LogDestinationConfigs"]
    assert destination.endswith(":log-group:aws-waf-logs-shop-prod")
    assert logging["LoggingFilter"] == {
        "DefaultBehavior": "DROP",
        "Filters": [
            {"Behavior": "KEEP", "Requirement": "MEETS_ANY", "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}]}
        ],
    }
    [group] = prod.client("logs").describe_log_groups(logGroupNamePrefix="aws-waf-logs-shop-prod")["logGroups"]
    assert group["retentionInDays"] == 365
    assert group["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")


def test_dev_has_no_web_acl_and_no_waf_alarm(dev):
    assert dev.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert _web_acl_of(dev) is None
    alarms = dev.client("cloudwatch").describe_alarms(AlarmNamePrefix="shop-dev-waf")["MetricAlarms"]
    assert alarms == []


def test_an_existing_web_acl_is_associated_as_it_is(deploy):
    applied = deploy(
        "prod", {"elixir-cluster:loadBalancer": {"waf": {"webAclArn": EXISTING_WEB_ACL, "managedRuleGroups": None}}}
    )
    assert _web_acl_of(applied)["ARN"] == EXISTING_WEB_ACL
    assert [acl["Name"] for acl in applied.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]] == ["edge"]
    assert applied.client("logs").describe_log_groups(logGroupNamePrefix="aws-waf-logs-")["logGroups"] == []
    [alarm] = applied.client("cloudwatch").describe_alarms(AlarmNames=["shop-prod-waf-blocked-requests"])[
        "MetricAlarms"
    ]
    assert {"Name": "WebACL", "Value": "edge"} in alarm["Dimensions"]
