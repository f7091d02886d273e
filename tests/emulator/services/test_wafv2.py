"""AWS WAF in moto: a web ACL with a managed rule group, its association and logging, and what AWS refuses."""

from __future__ import annotations

import pytest

from tests.support.programs import NETWORK
from tools.emulator import EmulatorError
from tools.emulator.services import wafv2

VISIBILITY = '{"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": True, "metric_name": "%s"}'
WEB_ACL = f"""
acl = aws.wafv2.WebAcl("acl", name="shop", scope="REGIONAL", default_action={{"allow": {{}}}},
    visibility_config={VISIBILITY % "shop"},
    rules=[{{"name": "bad-inputs", "priority": 0, "override_action": {{"none": {{}}}},
             "statement": {{"managed_rule_group_statement": {{"vendor_name": "AWS",
                                                             "name": "AWSManagedRulesKnownBadInputsRuleSet"}}}},
             "visibility_config": {VISIBILITY % "bad-inputs"}}}])
pulumi.export("acl", acl.arn)
"""


def _balancer(kind: str) -> str:
    return f"""
lb = aws.lb.LoadBalancer("lb", load_balancer_type="{kind}", subnets=[s.id for s in subnets], security_groups=[sg.id])
aws.wafv2.WebAclAssociation("association", resource_arn=lb.arn, web_acl_arn=acl.arn)
pulumi.export("lb", lb.arn)
"""


def test_a_web_acl_associated_with_an_alb_keeps_its_rules_in_aws_terms(run, aws):
    out = run(NETWORK + WEB_ACL + _balancer("application")).outputs
    acl = aws("wafv2").get_web_acl_for_resource(ResourceArn=out["lb"])["WebACL"]
    assert acl["ARN"] == out["acl"]
    assert acl["DefaultAction"] == {"Allow": {}}
    [rule] = acl["Rules"]
    assert rule["Statement"] == {
        "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}
    }
    assert rule["OverrideAction"] == {"None": {}}
    assert rule["VisibilityConfig"] == {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": True,
        "MetricName": "bad-inputs",
    }


def test_a_network_load_balancer_cannot_be_associated(run):
    with pytest.raises(EmulatorError, match=r"'association'.*WAFInvalidParameterException.*network"):
        run(NETWORK + WEB_ACL + _balancer("network"))


def test_logs_go_only_to_a_log_group_named_aws_waf_logs(run, aws):
    body = """
aws.wafv2.WebAclLoggingConfiguration("logging", resource_arn=acl.arn,
    log_destination_configs=["arn:aws:logs:eu-west-1:123456789012:log-group:%s"],
    logging_filter={"default_behavior": "DROP", "filters": [{"behavior": "KEEP", "requirement": "MEETS_ANY",
        "conditions": [{"action_condition": {"action": "BLOCK"}}]}]})
"""
    with pytest.raises(EmulatorError, match=r"'logging'.*WAFInvalidParameterException.*aws-waf-logs-"):
        run(WEB_ACL + body % "/shop/waf")
    out = run(WEB_ACL.replace('name="shop"', 'name="shop2"') + body % "aws-waf-logs-shop").outputs
    logging = aws("wafv2").get_logging_configuration(ResourceArn=out["acl"])["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"] == ["arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop"]
    assert logging["LoggingFilter"]["Filters"][0]["Conditions"] == [{"ActionCondition": {"Action": "BLOCK"}}]


def test_provide_web_acl_makes_the_named_web_acl_exist(emulator, aws):
    arn = f"arn:aws:wafv2:eu-west-1:{emulator.account_id}:regional/webacl/edge/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
    wafv2.provide_web_acl(emulator.session, arn)
    assert aws("wafv2").get_web_acl(ARN=arn)["WebACL"]["Name"] == "edge"
