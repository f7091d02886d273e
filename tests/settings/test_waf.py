"""`loadBalancer.waf`: its defaults per environment and load balancer, and what it refuses (naming the key)."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import StackSettings
from tests.support import sections as stack_sections
from tests.support.fragments import CERTIFICATE, EXISTING_WEB_ACL, merged

ACL = EXISTING_WEB_ACL
PROD = {"loadBalancer": {"certificateArn": CERTIFICATE}}


def load(stack: str = "prod", **sections: Any) -> StackSettings:
    return stack_sections.load(stack, **merged(PROD, sections))


def problems(stack: str = "prod", **sections: Any) -> list[str]:
    return stack_sections.problems(stack, **merged(PROD, sections))


def refusals(stack: str = "prod", **sections: Any) -> list[str]:
    return stack_sections.refusals(stack, **merged(PROD, sections))


def waf(**keys: Any) -> dict[str, Any]:
    return {"loadBalancer": {"waf": keys}}


@pytest.mark.parametrize(("stack", "protected"), [("prod", True), ("staging", False), ("dev", False)])
def test_an_internet_facing_alb_is_behind_waf_by_default_in_prod_only(stack, protected):
    assert load(stack).load_balancer.protected_by_waf is protected


@pytest.mark.parametrize(
    "balancer",
    [{"internal": True}, {"type": "network"}],
    ids=["internal", "network"],
)
def test_an_internal_or_network_load_balancer_in_prod_gets_no_waf_and_no_error(balancer):
    scaling = {"targetTracking": [{"metric": "cpu", "target": 60}]}
    assert load(loadBalancer=balancer, scaling=scaling).load_balancer.protected_by_waf is False


def test_waf_on_a_network_load_balancer_is_refused_naming_the_key_and_the_fix():
    assert problems(loadBalancer={"type": "network", "waf": {"enabled": True}}) == [
        "elixir-cluster:loadBalancer.waf.enabled: AWS WAF cannot protect a network load balancer (web ACLs attach "
        "to application load balancers only): remove loadBalancer.waf (or set enabled: false), got true"
    ]


def test_waf_on_an_internal_load_balancer_is_refused():
    [problem] = problems(loadBalancer={"internal": True, "waf": {"enabled": True, "webAclArn": ACL}})
    assert problem.startswith("elixir-cluster:loadBalancer.waf.enabled: WAF guards internet-facing load balancers")
    assert "remove loadBalancer.waf" in problem


def test_waf_keys_while_waf_is_off_say_how_to_turn_it_on():
    assert problems("staging", **waf(rateLimit={"requests": 500})) == [
        "elixir-cluster:loadBalancer.waf.rateLimit: has no effect while WAF is off (off by default in staging): "
        "set loadBalancer.waf.enabled: true"
    ]


def test_an_existing_web_acl_brings_its_own_rules():
    loaded = load(**waf(webAclArn=ACL)).load_balancer
    assert loaded.protected_by_waf and not loaded.waf.creates_web_acl
    assert problems(**waf(webAclArn=ACL, managedRuleGroups=["AWSManagedRulesSQLiRuleSet"])) == [
        "elixir-cluster:loadBalancer.waf.managedRuleGroups: applies to the web ACL the stack creates; the one in "
        "webAclArn has its own rules: remove one of the two"
    ]


@pytest.mark.parametrize(
    ("arn", "rule"),
    [
        (ACL.replace("eu-west-1", "us-east-1"), "must be in the stack's region (eu-west-1)"),
        (ACL.replace(":regional/", ":global/"), "is a CloudFront (global) web ACL"),
        (ACL.replace("wafv2", "waf-regional"), "must be a regional web ACL ARN"),
        (ACL.replace("0a1b2c3d-", "0a1b2c3d"), "must be a regional web ACL ARN"),
        (ACL.replace("/edge/", "/edge site/"), "must be a regional web ACL ARN"),
    ],
)
def test_a_web_acl_arn_is_a_regional_wafv2_arn_in_the_stacks_region(arn, rule):
    [problem] = problems(**waf(webAclArn=arn))
    assert problem.startswith(f"elixir-cluster:loadBalancer.waf.webAclArn: {rule}")


def test_rule_groups_are_aws_managed_ones_that_need_no_configuration_each_listed_once():
    found = problems(
        **waf(
            managedRuleGroups=[
                "AWSManagedRulesSQLiRuleSet",
                "AWSManagedRulesSQLiRuleSet",
                "AWSManagedRulesBotControlRuleSet",
                "AWSManagedRulesCommonRuleSt",
            ]
        )
    )
    assert found[0] == (
        "elixir-cluster:loadBalancer.waf.managedRuleGroups[2]: needs a configuration (an inspection level) that "
        "this stack does not set: add it to a web ACL of your own and give its webAclArn, got "
        '"AWSManagedRulesBotControlRuleSet"'
    )
    assert "managedRuleGroups[3]: did you mean AWSManagedRulesCommonRuleSet? must be one of:" in found[1]
    assert (
        found[2]
        == 'elixir-cluster:loadBalancer.waf.managedRuleGroups[1]: listed twice, got "AWSManagedRulesSQLiRuleSet"'
    )


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ({"requests": 9}, "rateLimit.requests: must be >= 10, got 9"),
        ({"requests": 2_000_000_001}, "rateLimit.requests: must be <= 2000000000, got 2000000001"),
        ({"windowSeconds": 30}, "rateLimit.windowSeconds: must be one of 60, 120, 300, 600"),
    ],
)
def test_the_rate_limit_stays_within_aws_wafs_limits(rate, expected):
    [problem] = problems(**waf(rateLimit=rate))
    assert problem.startswith(f"elixir-cluster:loadBalancer.waf.{expected}")


def test_the_rate_limit_may_be_left_out_and_its_aws_bounds_are_accepted():
    assert load(**waf(rateLimit=None)).load_balancer.waf.rate_limit is None
    for requests, window in ((10, 60), (2_000_000_000, 600)):
        limit = load(**waf(rateLimit={"requests": requests, "windowSeconds": window})).load_balancer.waf.rate_limit
        assert (limit.requests, limit.window_seconds) == (requests, window)


def test_log_retention_is_one_cloudwatch_logs_accepts():
    assert load(**waf(logs={"retentionDays": 731})).load_balancer.waf.logs.retention_days == 731
    [problem] = problems(**waf(logs={"retentionDays": 366}))
    assert problem.startswith("elixir-cluster:loadBalancer.waf.logs.retentionDays: must be one of CloudWatch Logs'")


@pytest.mark.parametrize(
    ("stack", "change", "refused"),
    [
        # WAF's keys count only while WAF is on: turned on, staging takes them
        ("staging", waf(enabled=True, rateLimit={"requests": 500}), None),
        (
            "prod",
            waf(enabled=False, rateLimit={"requests": 500}),
            "elixir-cluster:loadBalancer.waf.rateLimit: has no effect while WAF is off (enabled: false): set "
            "loadBalancer.waf.enabled: true",
        ),
        # off on an internal or network load balancer is no mistake; on, it is
        ("prod", {"loadBalancer": {"internal": True, "waf": {"enabled": False}}}, None),
        ("prod", {"loadBalancer": {"type": "network", "waf": {"enabled": False}}}, None),
        # webAclArn excludes the created web ACL's rules, each of them
        ("prod", waf(managedRuleGroups=["AWSManagedRulesSQLiRuleSet"], rateLimit={"requests": 500}), None),
        (
            "prod",
            waf(webAclArn=ACL, rateLimit={"requests": 500}),
            "elixir-cluster:loadBalancer.waf.rateLimit: applies to the web ACL the stack creates; the one in "
            "webAclArn has its own rules: remove one of the two",
        ),
        # each rule group once
        ("prod", waf(managedRuleGroups=["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesLinuxRuleSet"]), None),
        # the blocked-requests alarm: more than none
        ("prod", waf(blockedRequestsAlarm=1), None),
        (
            "prod",
            waf(blockedRequestsAlarm=0),
            "elixir-cluster:loadBalancer.waf.blockedRequestsAlarm: must be > 0, got 0",
        ),
    ],
)
def test_waf_rules_at_their_boundaries(stack, change, refused):
    assert refusals(stack, **change) == ([] if refused is None else [refused])


def test_a_value_of_the_wrong_kind_is_refused_in_words_not_a_crash():
    assert problems(**waf(webAclArn=5)) == ["elixir-cluster:loadBalancer.waf.webAclArn: must be text, got 5"]
    [line] = problems(**waf(managedRuleGroups=[{"name": "AWSManagedRulesSQLiRuleSet"}]))
    assert line.startswith("elixir-cluster:loadBalancer.waf.managedRuleGroups[0]: must be one of: ")
