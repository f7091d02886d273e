"""Load balancer variants a stack file can ask for, applied in the emulator and read from moto:
a network load balancer (TCP, and TLS with a certificate), an internal one, sticky sessions.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_load_balancer_variants.py`
"""

from __future__ import annotations

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


def test_network_load_balancer_forwards_tcp_with_an_http_health_check_and_source_ip_stickiness(deploy):
    applied = deploy("dev", {"elixir-cluster:loadBalancer": {"type": "network", "stickiness": {"enabled": True}}})
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


def test_network_load_balancer_with_a_certificate_terminates_tls_on_443_only(deploy):
    applied = deploy(
        "dev",
        {
            "elixir-cluster:loadBalancer": {
                "type": "network",
                "certificateArn": CERTIFICATE,
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
            }
        },
    )
    listeners = listeners_by_port(applied)
    assert set(listeners) == {443}  # a network load balancer cannot redirect
    tls = listeners[443]
    assert (tls["Protocol"], tls["SslPolicy"]) == ("TLS", "ELBSecurityPolicy-TLS13-1-3-2021-06")
    assert [c["CertificateArn"] for c in tls["Certificates"]] == [CERTIFICATE]
    assert tls["DefaultActions"][0]["TargetGroupArn"] == applied.outputs["targetGroupArn"]
    assert applied.outputs["url"].startswith("https://")


def test_an_internal_load_balancer_lives_in_the_private_subnets(deploy):
    applied = deploy("dev", {"elixir-cluster:loadBalancer": {"internal": True}})
    balancer = balancer_of(applied)
    assert balancer["Scheme"] == "internal"
    assert subnet_ids_of(balancer) == set(applied.outputs["privateSubnetIds"])
    diagram = render_mermaid(applied.deployment)
    private = diagram[diagram.index('subgraph private["') :]
    assert 'lb["ALB internal' in private.split("end")[0]  # drawn where it lives


def test_sticky_sessions_on_an_application_load_balancer_use_its_cookie_for_the_configured_time(deploy):
    applied = deploy("dev", {"elixir-cluster:loadBalancer": {"stickiness": {"enabled": True, "durationSeconds": 3600}}})
    attributes = target_group_attributes(applied)
    assert (attributes["stickiness.type"], attributes["stickiness.enabled"]) == ("lb_cookie", "true")
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "3600"
