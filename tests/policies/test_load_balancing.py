"""policies/rules/load_balancing.py: header dropping, TLS, redirects, health checks, protection, logs."""

from __future__ import annotations

import typing

import pytest

from components import settings
from policies.rules.load_balancing import TLS12_POLICIES
from tests.support.synthetic import LB_ARN, TG_ARN, add, change, cluster, findings, named, remove, resource

CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

RULES = [
    "alb-drops-invalid-headers",
    "listener-tls-policy",
    "http-redirects-to-https",
    "target-group-health-check",
    "prod-load-balancer-deletion-protection",
    "load-balancer-access-logs",
    "prod-alb-has-waf",
    "prod-load-balancer-https",
]
FORWARD = [{"type": "forward", "targetGroupArn": TG_ARN}]


@pytest.mark.parametrize("rule", RULES)
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize("value", [False, None])
def test_an_alb_must_drop_invalid_headers(value):
    [violation] = findings(change(cluster(), "alb", dropInvalidHeaderFields=value), "alb-drops-invalid-headers")
    assert violation.resource == "alb" and "dropInvalidHeaderFields" in violation.message


def test_a_network_load_balancer_has_no_headers_to_drop():
    document = change(cluster(), "alb", loadBalancerType="network", dropInvalidHeaderFields=None)
    assert findings(document, "alb-drops-invalid-headers") == []


@pytest.mark.parametrize("policy", ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-0-2021-06", None])
def test_https_listeners_refuse_tls_below_1_2(policy):
    [violation] = findings(change(cluster(), "https", sslPolicy=policy), "listener-tls-policy")
    assert violation.resource == "https" and "elixir-cluster:loadBalancer.sslPolicy" in violation.message


def test_the_tls_allow_list_is_configurable():
    document = change(cluster(), "https", sslPolicy="ELBSecurityPolicy-TLS-1-2-2017-01")
    assert findings(document, "listener-tls-policy") == []
    config = {"listener-tls-policy": {"allowedSslPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}}
    assert len(findings(document, "listener-tls-policy", config)) == 1


def test_the_allow_list_names_only_policies_aws_has_and_none_that_allow_tls_1_0():
    assert set(TLS12_POLICIES) <= set(typing.get_args(settings.SslPolicyName))
    assert {
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "ELBSecurityPolicy-FS-1-1-2019-08",
    }.isdisjoint(TLS12_POLICIES)


def test_a_tls_1_0_policy_is_accepted_by_the_settings_and_flagged_by_the_pack():
    lb = settings.LoadBalancerSettings.for_environment(
        "prod", {"certificateArn": CERTIFICATE_ARN, "sslPolicy": "ELBSecurityPolicy-2016-08"}
    )
    document = change(cluster(), "https", sslPolicy=lb.ssl_policy)
    [violation] = findings(document, "listener-tls-policy")
    assert "ELBSecurityPolicy-2016-08" in violation.message


def test_http_that_forwards_beside_https_is_refused():
    document = change(cluster(), "http", defaultActions=FORWARD)
    [violation] = findings(document, "http-redirects-to-https")
    assert violation.resource == "http" and "redirect" in violation.message


def test_a_redirect_to_plain_http_does_not_count():
    document = change(cluster(), "http", defaultActions=[{"type": "redirect", "redirect": {"protocol": "HTTP"}}])
    assert len(findings(document, "http-redirects-to-https")) == 1


def test_http_may_forward_when_the_load_balancer_has_no_https():
    document = change(remove(cluster(), "https"), "http", defaultActions=FORWARD)
    assert findings(document, "http-redirects-to-https") == []


def test_https_on_another_load_balancer_does_not_count():
    other_arn = LB_ARN.replace("/shop/", "/admin/")
    document = add(
        cluster(),
        resource(
            "aws:lb/loadBalancer:LoadBalancer", "admin", {"loadBalancerType": "application"}, other_arn, arn=other_arn
        ),
        resource(
            "aws:lb/listener:Listener",
            "admin-http",
            {"loadBalancerArn": other_arn, "protocol": "HTTP", "port": 80, "defaultActions": FORWARD},
        ),
    )
    assert findings(document, "http-redirects-to-https") == []


@pytest.mark.parametrize(
    ("health_check", "expected"),
    [
        ({"enabled": False}, "disabled"),
        ({"enabled": True, "interval": 10, "timeout": 5}, "healthCheck.path"),
        ({"enabled": True, "path": "/health", "interval": 10, "timeout": 10}, "below healthCheck.interval"),
        ({"enabled": True, "path": "/health", "timeout": 30}, "interval 30 s"),
    ],
)
def test_target_groups_check_health_on_a_path_within_the_interval(health_check, expected):
    [violation] = findings(change(cluster(), "targets", healthCheck=health_check), "target-group-health-check")
    assert violation.resource == "targets" and expected in violation.message


def test_tcp_health_checks_need_no_path():
    document = change(cluster(), "targets", protocol="TCP", healthCheck={"enabled": True, "interval": 10, "timeout": 5})
    assert findings(document, "target-group-health-check") == []


@pytest.mark.parametrize("value", [False, None])
def test_production_load_balancers_are_protected_from_deletion(value):
    [violation] = findings(
        change(cluster(), "alb", enableDeletionProtection=value), "prod-load-balancer-deletion-protection"
    )
    assert "elixir-cluster:loadBalancer.deletionProtection: true" in violation.message


def test_other_environments_may_delete_their_load_balancer():
    document = change(cluster(), "alb", enableDeletionProtection=False)
    named(document, "alb")["inputs"]["tags"] = {"Environment": "staging"}
    assert findings(document, "prod-load-balancer-deletion-protection") == []
    config = {"prod-load-balancer-deletion-protection": {"productionEnvironments": ["prod", "staging"]}}
    assert len(findings(document, "prod-load-balancer-deletion-protection", config)) == 1


@pytest.mark.parametrize(
    "logs",
    [None, {"bucket": "shop-alb-logs"}, {"enabled": False, "bucket": "shop-alb-logs"}],  # the provider's default is off
)
def test_missing_access_logs_are_advised(logs):
    [violation] = findings(change(cluster(), "alb", accessLogs=logs), "load-balancer-access-logs")
    assert violation.level.value == "advisory" and "elixir-cluster:loadBalancer.accessLogs" in violation.message


def test_an_internet_facing_production_alb_without_a_web_acl_is_refused():
    [violation] = findings(remove(cluster(), "waf"), "prod-alb-has-waf")
    assert violation.resource == "alb"
    assert "elixir-cluster:loadBalancer.waf.enabled: true" in violation.message


def test_a_web_acl_in_front_of_another_load_balancer_does_not_count():
    other_arn = LB_ARN.replace("/shop/", "/admin/")
    document = change(cluster(), "waf", resourceArn=other_arn)
    assert len(findings(document, "prod-alb-has-waf")) == 1


@pytest.mark.parametrize(
    "values",
    [{"internal": True}, {"loadBalancerType": "network", "dropInvalidHeaderFields": None}],
    ids=["internal", "network"],
)
def test_internal_and_network_load_balancers_need_no_web_acl(values):
    document = change(remove(cluster(), "waf"), "alb", **values)
    assert findings(document, "prod-alb-has-waf") == []


def test_other_environments_may_go_without_a_web_acl():
    document = remove(cluster(), "waf")
    named(document, "alb")["outputs"]["tags"] = {"Environment": "staging"}
    assert findings(document, "prod-alb-has-waf") == []
    config = {"prod-alb-has-waf": {"productionEnvironments": ["prod", "staging"]}}
    assert len(findings(document, "prod-alb-has-waf", config)) == 1


def _plain_http(document: dict) -> dict:
    """The cluster serving HTTP only: no certificate, port 80 forwards."""
    return change(remove(document, "https"), "http", defaultActions=FORWARD)


def test_an_internet_facing_production_load_balancer_serves_https():
    [violation] = findings(_plain_http(cluster()), "prod-load-balancer-https")
    assert violation.level.value == "mandatory" and violation.resource == "alb"
    assert "elixir-cluster:loadBalancer.certificateArn" in violation.message


@pytest.mark.parametrize(
    ("values", "tags"),
    [({"internal": True}, {"Environment": "prod"}), ({}, {"Environment": "staging"})],
    ids=["internal", "staging"],
)
def test_internal_or_non_production_load_balancers_may_serve_http(values, tags):
    document = change(_plain_http(cluster()), "alb", **values)
    named(document, "alb")["outputs"]["tags"] = tags
    assert findings(document, "prod-load-balancer-https") == []


def test_tls_on_a_network_load_balancer_counts_as_https():
    document = change(cluster(), "https", protocol="TLS", port=443)
    change(remove(document, "http"), "alb", loadBalancerType="network")
    assert findings(document, "prod-load-balancer-https") == []


# --- each threshold at both sides of its boundary: the last passing value, the first violating one ---


@pytest.mark.parametrize(
    ("health_check", "violations"),
    [
        ({"interval": 10, "timeout": 9}, 0),
        ({"interval": 10, "timeout": 10}, 1),
        ({"timeout": 29}, 0),  # no interval: the ELB API's 30 s
        ({"timeout": 30}, 1),
    ],
)
def test_a_health_check_timeout_may_reach_one_second_below_the_interval(health_check, violations):
    check = {"enabled": True, "path": "/health", **health_check}
    document = change(cluster(), "targets", healthCheck=check)
    assert len(findings(document, "target-group-health-check")) == violations


@pytest.mark.parametrize(("protocol", "violations"), [("HTTP", 1), ("TCP", 0)])
def test_a_health_check_needs_a_path_only_when_it_speaks_http(protocol, violations):
    check = {"enabled": True, "protocol": protocol, "interval": 10, "timeout": 5}
    document = change(cluster(), "targets", healthCheck=check)
    assert len(findings(document, "target-group-health-check")) == violations


@pytest.mark.parametrize(("logs", "violations"), [({"enabled": True, "bucket": "b"}, 0), ({"enabled": True}, 1)])
def test_access_logs_count_only_when_enabled_with_a_bucket(logs, violations):
    assert len(findings(change(cluster(), "alb", accessLogs=logs), "load-balancer-access-logs")) == violations
