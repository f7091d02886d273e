"""The load balancer each stack builds, read back from moto: placement, listeners, target group.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_load_balancer.py`
"""

from __future__ import annotations

import pytest

from tests.support.aws_state import (
    attributes_of,
    balancer_of,
    listeners_by_port,
    subnet_ids_of,
    target_group_attributes,
    target_group_of,
)


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


# --- the shipped stacks ---------------------------------------------------------------------


def test_load_balancer_faces_the_internet_from_the_public_subnets(stack):
    balancer = balancer_of(stack)
    assert balancer["Type"] == stack.settings.load_balancer.type == "application"
    assert balancer["Scheme"] == "internet-facing"
    assert subnet_ids_of(balancer) == set(stack.outputs["publicSubnetIds"])
    assert balancer["SecurityGroups"] == [stack.outputs["loadBalancerSecurityGroupId"]]


def test_exports_the_load_balancers_address_and_url(stack):
    dns = balancer_of(stack)["DNSName"]
    scheme = "https" if stack.settings.load_balancer.https else "http"
    assert stack.outputs["loadBalancerDnsName"] == dns
    assert stack.outputs["url"] == f"{scheme}://{dns}"


def test_listeners_serve_https_and_redirect_when_a_certificate_is_set_else_forward_http(stack):
    lb = stack.settings.load_balancer
    assert lb.https == (stack.deployment.stack == "prod")  # dev is HTTP only, prod HTTPS only
    listeners = listeners_by_port(stack)
    forward = [{"Type": "forward", "TargetGroupArn": stack.outputs["targetGroupArn"]}]
    if not lb.https:
        assert set(listeners) == {80}
        assert listeners[80]["Protocol"] == "HTTP"
        assert listeners[80]["DefaultActions"] == forward
        return
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert (https["Protocol"], https["SslPolicy"]) == ("HTTPS", lb.ssl_policy)
    assert [c["CertificateArn"] for c in https["Certificates"]] == [lb.certificate_arn]
    assert https["DefaultActions"] == forward
    redirect = listeners[80]["DefaultActions"]
    assert [a["Type"] for a in redirect] == ["redirect"]
    config = redirect[0]["RedirectConfig"]
    assert (config["Protocol"], config["Port"], config["StatusCode"]) == (
        "HTTPS",
        "443",
        "HTTP_301",
    )


def test_target_group_sends_traffic_and_health_checks_to_the_app_port(stack):
    group = target_group_of(stack)
    health = stack.settings.load_balancer.health_check
    assert (group["TargetType"], group["Protocol"], group["Port"]) == (
        "instance",
        "HTTP",
        stack.settings.release.http_port,
    )
    assert group["VpcId"] == stack.outputs["vpcId"]
    assert (group["HealthCheckProtocol"], group["HealthCheckPort"], group["HealthCheckPath"]) == (
        "HTTP",
        "traffic-port",
        health.path,
    )
    assert (
        group["HealthCheckIntervalSeconds"],
        group["HealthCheckTimeoutSeconds"],
        group["HealthyThresholdCount"],
        group["UnhealthyThresholdCount"],
        group["Matcher"]["HttpCode"],
    ) == (health.interval, health.timeout, health.healthy_threshold, health.unhealthy_threshold, health.matcher)


def test_target_group_drains_and_balances_as_configured(stack):
    lb = stack.settings.load_balancer
    attributes = target_group_attributes(stack)
    assert attributes["deregistration_delay.timeout_seconds"] == str(lb.deregistration_delay)
    assert attributes["load_balancing.algorithm.type"] == lb.algorithm
    assert attributes["stickiness.type"] == "lb_cookie"
    assert attributes["stickiness.enabled"] == str(lb.stickiness.enabled).lower()


def test_application_load_balancer_drops_invalid_headers_and_keeps_its_settings(stack):
    lb = stack.settings.load_balancer
    elbv2 = stack.client("elbv2")
    attributes = attributes_of(
        elbv2.describe_load_balancer_attributes(LoadBalancerArn=balancer_of(stack)["LoadBalancerArn"])["Attributes"]
    )
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == str(lb.deletion_protection).lower()
    assert attributes["idle_timeout.timeout_seconds"] == str(lb.idle_timeout)
    if lb.access_logs:
        assert attributes["access_logs.s3.enabled"] == "true"
        assert (attributes["access_logs.s3.bucket"], attributes["access_logs.s3.prefix"]) == (
            lb.access_logs.bucket,
            lb.access_logs.prefix,
        )
    else:
        assert attributes.get("access_logs.s3.enabled", "false") == "false"
