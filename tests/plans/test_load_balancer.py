"""components/plans/load_balancer.py: the balancer, listeners and the target group, as AWS describes
them, for each load balancer type."""

from __future__ import annotations

import pytest

from components.plans.load_balancer import (
    arn_suffix,
    balancer_plan,
    listener_plan,
    read_health_check,
    target_group_plan,
)


def _listeners(stack):
    return [(p.role, p.port, p.protocol, p.action, p.secure) for p in listener_plan(stack.load_balancer)]


@pytest.mark.parametrize(
    ("kind", "https", "expected"),
    [
        ("application", False, [("http", 80, "HTTP", "forward", False)]),
        (
            "application",
            True,
            [("http", 80, "HTTP", "redirect", False), ("https", 443, "HTTPS", "forward", True)],
        ),
        ("network", False, [("tcp", 80, "TCP", "forward", False)]),
        ("network", True, [("tls", 443, "TLS", "forward", True)]),  # an NLB cannot redirect
    ],
)
def test_listeners_follow_the_type_and_the_certificate(settings, certificate, kind, https, expected):
    section = {"type": kind, **({"certificateArn": certificate} if https else {})}
    assert _listeners(settings(loadBalancer=section, network={"availabilityZones": 2})) == expected


def test_https_terminates_tls_with_the_certificate_and_the_plain_port_redirects_permanently(settings, certificate):
    policy = "ELBSecurityPolicy-TLS13-1-3-2021-06"
    plain, secure = listener_plan(
        settings(loadBalancer={"certificateArn": certificate, "sslPolicy": policy}).load_balancer
    )
    assert (secure.certificate_arn, secure.ssl_policy, secure.redirect) == (certificate, policy, None)
    redirect = plain.redirect
    assert (redirect.protocol, redirect.port, redirect.status_code) == ("HTTPS", "443", "HTTP_301")
    assert (plain.certificate_arn, plain.ssl_policy) == (None, None)


def test_an_application_target_group_is_described_as_aws_reports_it(settings):
    stack = settings(
        release={"httpPort": 4100},
        loadBalancer={
            "deregistrationDelay": 45,
            "algorithm": "least_outstanding_requests",
            "healthCheck": {
                "path": "/ready",
                "interval": 15,
                "timeout": 4,
                "healthyThreshold": 3,
                "matcher": "200-204",
            },
        },
    )
    plan = target_group_plan(stack.load_balancer, stack.release.http_port)
    assert plan.described() == {
        "Protocol": "HTTP",
        "Port": 4100,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckPath": "/ready",
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 4,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "Matcher": {"HttpCode": "200-204"},
    }
    assert plan.attributes() == {
        "deregistration_delay.timeout_seconds": "45",
        "load_balancing.algorithm.type": "least_outstanding_requests",
        "stickiness.enabled": "false",
        "stickiness.type": "lb_cookie",
    }
    assert (plan.algorithm, plan.stickiness_type, plan.target_type) == (
        "least_outstanding_requests",
        "lb_cookie",
        "instance",
    )


def test_a_network_target_group_speaks_tcp_and_sticks_by_source_address(settings):
    stack = settings(
        loadBalancer={"type": "network", "stickiness": {"enabled": True}}, network={"availabilityZones": 2}
    )
    plan = target_group_plan(stack.load_balancer, stack.release.http_port)
    assert (plan.protocol, plan.algorithm, plan.stickiness_type, plan.cookie_duration) == (
        "TCP",
        None,
        "source_ip",
        None,
    )
    assert plan.health_check.protocol == "HTTP"  # a TCP check would pass a node that cannot serve
    assert plan.attributes() == {
        "deregistration_delay.timeout_seconds": "30",
        "stickiness.enabled": "true",
        "stickiness.type": "source_ip",
    }


def test_a_described_health_check_reads_back_field_by_field():
    described = {
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckPath": "/health",
        "HealthCheckIntervalSeconds": 10,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 3,
        "Matcher": {"HttpCode": "200"},
    }
    check = read_health_check(described)
    assert (check.path, check.interval, check.timeout, check.healthy_threshold, check.unhealthy_threshold) == (
        "/health",
        10,
        5,
        2,
        3,
    )
    assert check.matcher == "200"
    assert check.described() == described


def test_only_an_application_load_balancer_drops_invalid_headers_and_has_an_idle_timeout(settings):
    application = balancer_plan(settings(loadBalancer={"idleTimeout": 120}).load_balancer)
    network = balancer_plan(settings(loadBalancer={"type": "network"}, network={"availabilityZones": 2}).load_balancer)
    assert (application.kind.short, application.drop_invalid_header_fields, application.idle_timeout) == (
        "alb",
        True,
        120,
    )
    assert (network.kind.short, network.drop_invalid_header_fields, network.idle_timeout) == ("nlb", None, None)
    assert (application.cross_zone, network.cross_zone) == (None, True)


def test_the_url_scheme_is_https_with_a_certificate(settings, certificate):
    assert balancer_plan(settings().load_balancer).url_scheme == "http"
    assert balancer_plan(settings(loadBalancer={"certificateArn": certificate}).load_balancer).url_scheme == "https"


def test_an_application_load_balancer_is_described_with_its_attributes_as_aws_reports_them(settings):
    stack = settings(
        loadBalancer={
            "idleTimeout": 120,
            "deletionProtection": True,
            "accessLogs": {"bucket": "shop-alb-logs", "prefix": "dev"},
        }
    )
    plan = balancer_plan(stack.load_balancer)
    assert (plan.type, plan.internal) == ("application", False)
    assert plan.attributes() == {
        "deletion_protection.enabled": "true",
        "access_logs.s3.enabled": "true",
        "access_logs.s3.bucket": "shop-alb-logs",
        "access_logs.s3.prefix": "dev",
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "idle_timeout.timeout_seconds": "120",
    }


def test_an_internal_network_load_balancer_balances_across_zones_and_logs_nothing(settings):
    stack = settings(loadBalancer={"type": "network", "internal": True}, network={"availabilityZones": 2})
    plan = balancer_plan(stack.load_balancer)
    assert (plan.type, plan.internal) == ("network", True)
    assert plan.attributes() == {
        "deletion_protection.enabled": "false",
        "access_logs.s3.enabled": "false",
        "load_balancing.cross_zone.enabled": "true",
    }


def test_a_cloudwatch_dimension_is_the_arn_after_its_resource_type():
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-lb-alb/0123456789abcdef"
    assert arn_suffix(arn) == "app/shop-lb-alb/0123456789abcdef"
    group = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-lb-targets/fedcba9876543210"
    assert arn_suffix(group) == "targetgroup/shop-lb-targets/fedcba9876543210"
