"""components/plans/waf.py: the web ACL the stack creates, as GetWebACL and GetLoggingConfiguration
describe it: AWS's literal names and values."""

from __future__ import annotations

from components.plans.waf import created_web_acl, web_acl_plan

ON = {"waf": {"enabled": True}}
VISIBLE = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}


def test_no_web_acl_without_waf_or_with_an_existing_one(settings):
    assert web_acl_plan(settings()) is None  # dev: off by default
    arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
    assert web_acl_plan(settings(loadBalancer={"waf": {"enabled": True, "webAclArn": arn}})) is None


def test_the_rate_limit_comes_first_then_the_managed_groups_in_order(settings):
    plan = web_acl_plan(settings(loadBalancer=ON))
    assert plan.name == "shop-dev"
    assert [rule.described() for rule in plan.rules] == [
        {
            "Name": "per-ip-rate-limit",
            "Priority": 0,
            "Statement": {"RateBasedStatement": {"Limit": 2000, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}},
            "Action": {"Block": {}},
            "VisibilityConfig": {**VISIBLE, "MetricName": "per-ip-rate-limit"},
        },
        *(
            {
                "Name": group,
                "Priority": priority,
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}},
                "OverrideAction": {"None": {}},
                "VisibilityConfig": {**VISIBLE, "MetricName": group},
            }
            for priority, group in enumerate(
                [
                    "AWSManagedRulesCommonRuleSet",
                    "AWSManagedRulesKnownBadInputsRuleSet",
                    "AWSManagedRulesAmazonIpReputationList",
                ],
                start=1,
            )
        ),
    ]


def test_the_rule_list_and_the_rate_limit_are_the_stack_files(settings):
    waf = {
        "enabled": True,
        "managedRuleGroups": ["AWSManagedRulesSQLiRuleSet"],
        "rateLimit": {"requests": 300, "windowSeconds": 60},
    }
    [rate, sqli] = web_acl_plan(settings(loadBalancer={"waf": waf})).rules
    assert rate.described()["Statement"]["RateBasedStatement"]["Limit"] == 300
    assert rate.described()["Statement"]["RateBasedStatement"]["EvaluationWindowSec"] == 60
    assert (sqli.priority, sqli.managed_group) == (1, "AWSManagedRulesSQLiRuleSet")
    [only] = web_acl_plan(settings(loadBalancer={"waf": {**waf, "rateLimit": None}})).rules
    assert (only.priority, only.name) == (0, "AWSManagedRulesSQLiRuleSet")


def test_logs_go_to_an_aws_waf_logs_group_keeping_blocked_requests_unless_all_are_asked_for(settings):
    plan = web_acl_plan(settings(loadBalancer=ON))
    assert plan.log_group_name == "aws-waf-logs-shop-dev"
    assert plan.log_retention_days == 365
    assert plan.logging_filter() == {
        "DefaultBehavior": "DROP",
        "Filters": [
            {"Behavior": "KEEP", "Requirement": "MEETS_ANY", "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}]}
        ],
    }
    every = web_acl_plan(settings(loadBalancer={"waf": {"enabled": True, "logs": {"requests": "all"}}}))
    assert every.logging_filter() is None


def test_the_web_acl_allows_by_default_and_publishes_its_metrics_under_its_name(settings):
    plan = web_acl_plan(settings(loadBalancer=ON))
    assert plan.described() == {
        "DefaultAction": {"Allow": {}},
        "VisibilityConfig": {**VISIBLE, "MetricName": "shop-dev"},
    }


def test_a_web_acl_is_planned_from_the_waf_section_and_the_names_it_is_given(settings):
    waf = settings(loadBalancer={"waf": {"enabled": True, "rateLimit": None, "logs": {"retentionDays": 30}}})
    plan = created_web_acl(waf.load_balancer.waf, name="edge-acl", log_group_name="aws-waf-logs-edge")
    assert (plan.name, plan.log_group_name, plan.log_retention_days) == ("edge-acl", "aws-waf-logs-edge", 30)
    assert [rule.priority for rule in plan.rules] == [0, 1, 2]
    assert plan.described()["VisibilityConfig"]["MetricName"] == "edge-acl"
