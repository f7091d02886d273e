"""components/load_balancer.py: the load balancer each stack builds, read back from moto: placement,
listeners, target group, attributes; and the variants a stack file can ask for: a network load
balancer (TCP, and TLS with a certificate), an internal one, sticky sessions, read from the variants
the session shares (tests/support/variants.py).
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
from tests.support.fragments import CERTIFICATE
from tools.diagram import render_mermaid


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


@pytest.mark.parametrize(
    ("stack", "drain", "algorithm"), [("dev", "15", "round_robin"), ("prod", "45", "least_outstanding_requests")]
)
def test_the_shipped_target_groups_drain_and_balance_as_their_stack_files_say(shipped, stack, drain, algorithm):
    attributes = target_group_attributes(shipped(stack))
    assert attributes["deregistration_delay.timeout_seconds"] == drain
    assert (attributes["load_balancing.algorithm.type"], attributes["stickiness.enabled"]) == (algorithm, "false")


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


def test_prods_load_balancer_is_protected_and_logs_every_request(prod):
    attributes = attributes_of(
        prod.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=balancer_of(prod)["LoadBalancerArn"])[
            "Attributes"
        ]
    )
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert (
        attributes["access_logs.s3.enabled"],
        attributes["access_logs.s3.bucket"],
        attributes["access_logs.s3.prefix"],
    ) == ("true", "shop-alb-logs-eu-west-1", "prod")


# --- variants ---------------------------------------------------------------------------------


def test_network_load_balancer_forwards_tcp_with_an_http_health_check_and_source_ip_stickiness(dev_behind_an_nlb):
    applied = dev_behind_an_nlb
    balancer = balancer_of(applied)
    assert balancer["Type"] == "network"
    assert balancer["SecurityGroups"] == [applied.outputs["loadBalancerSecurityGroupId"]]
    elbv2 = applied.client("elbv2")
    attributes = attributes_of(
        elbv2.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]
    )
    assert attributes["load_balancing.cross_zone.enabled"] == "true"
    assert "routing.http.drop_invalid_header_fields.enabled" not in attributes
    listeners = listeners_by_port(applied)
    assert set(listeners) == {80}
    assert listeners[80]["Protocol"] == "TCP"
    assert listeners[80]["DefaultActions"][0]["TargetGroupArn"] == applied.outputs["targetGroupArn"]
    group = target_group_of(applied)
    assert (group["Protocol"], group["HealthCheckProtocol"], group["HealthCheckPath"]) == (
        "TCP",
        "HTTP",
        applied.settings.load_balancer.health_check.path,
    )
    stickiness = target_group_attributes(applied)
    assert (stickiness["stickiness.type"], stickiness["stickiness.enabled"]) == ("source_ip", "true")
    assert applied.outputs["url"].startswith("http://")


def test_network_load_balancer_with_a_certificate_terminates_tls_on_443_only(prod_behind_an_nlb_in_one_zone):
    applied = prod_behind_an_nlb_in_one_zone
    listeners = listeners_by_port(applied)
    assert set(listeners) == {443}  # a network load balancer cannot redirect
    tls = listeners[443]
    assert (tls["Protocol"], tls["SslPolicy"]) == ("TLS", "ELBSecurityPolicy-TLS13-1-3-2021-06")
    assert [c["CertificateArn"] for c in tls["Certificates"]] == [CERTIFICATE]
    assert tls["DefaultActions"][0]["TargetGroupArn"] == applied.outputs["targetGroupArn"]
    assert applied.outputs["url"].startswith("https://")


def test_an_internal_load_balancer_lives_in_the_private_subnets(private_dev):
    applied = private_dev
    balancer = balancer_of(applied)
    assert balancer["Scheme"] == "internal"
    assert subnet_ids_of(balancer) == set(applied.outputs["privateSubnetIds"])
    diagram = render_mermaid(applied.deployment)
    private = diagram[diagram.index('subgraph private["') :]
    assert 'lb["ALB internal' in private.split("end")[0]  # drawn where it lives


def test_sticky_sessions_on_an_application_load_balancer_use_its_cookie_for_the_configured_time(private_dev):
    applied = private_dev
    attributes = target_group_attributes(applied)
    assert (attributes["stickiness.type"], attributes["stickiness.enabled"]) == ("lb_cookie", "true")
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "3600"
