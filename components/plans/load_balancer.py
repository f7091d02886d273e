"""The load balancer, its listeners and the nodes' target group, as AWS API values.

`balancer_plan` is the load balancer itself: its type, scheme and the attributes that
differ by type (invalid-header dropping and idle timeout on an application load balancer,
cross-zone balancing on a network one), deletion protection and access logs.
`listener_plan` says which listeners a stack has, from the settings alone: with a
certificate, HTTPS (TLS on a network load balancer) under the chosen TLS policy and, on
an application load balancer, an HTTP listener that only redirects to it (301); without
one, HTTP (TCP) forwarding to the nodes. `target_group_plan` is the one target group of
instances on the app port. The LoadBalancer component declares all three; `tools.verify`
compares a deployed load balancer with them through AWS's keys and values (`described()`,
`attributes()`; a load balancer's type and scheme cannot drift, only be replaced), and the
conformance lab reads a built target group back the same way (`read_health_check`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..settings import HTTPS_LISTENER_PORT, LoadBalancerSettings

APPLICATION, NETWORK = "application", "network"
FORWARD, REDIRECT = "forward", "redirect"

REDIRECT_PROTOCOL = "HTTPS"
REDIRECT_STATUS = "HTTP_301"
"""Permanent: browsers and clients remember to use HTTPS."""

HEALTH_CHECK_PROTOCOL = "HTTP"
"""Both types ask the release's health path over HTTP; a TCP check would pass a node that cannot serve."""

TRAFFIC_PORT = "traffic-port"
"""Health checks go to the port the target group sends traffic to: the app port."""

TARGET_TYPE = "instance"

DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
ALGORITHM = "load_balancing.algorithm.type"
STICKINESS_ENABLED = "stickiness.enabled"
STICKINESS_TYPE = "stickiness.type"
"""Target group attribute keys, as DescribeTargetGroupAttributes names them."""

IDLE_TIMEOUT = "idle_timeout.timeout_seconds"
DROP_INVALID_HEADERS = "routing.http.drop_invalid_header_fields.enabled"
CROSS_ZONE = "load_balancing.cross_zone.enabled"
DELETION_PROTECTION = "deletion_protection.enabled"
ACCESS_LOGS_ENABLED = "access_logs.s3.enabled"
ACCESS_LOGS_BUCKET = "access_logs.s3.bucket"
ACCESS_LOGS_PREFIX = "access_logs.s3.prefix"
"""Load balancer attribute keys, as DescribeLoadBalancerAttributes names them."""


def arn_suffix(arn: str) -> str:
    """A load balancer's or target group's CloudWatch dimension, from its ARN: `app/<name>/<id>`
    (`net/...`) or `targetgroup/<name>/<id>`, what the provider reports as `arnSuffix`."""
    return arn.split(":", 5)[5].removeprefix("loadbalancer/")


def attribute_value(value: bool | int | str) -> str:
    """An attribute as AWS reports it: text, booleans as `true`/`false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class LoadBalancerKind:
    """What differs between the two load balancer types."""

    short: str
    """The load balancer's role in its name: alb or nlb."""
    target_protocol: str
    plain_protocol: str
    """The listener's protocol without a certificate."""
    secure_protocol: str
    """The listener's protocol with one."""
    secure_role: str
    stickiness_type: str


KINDS = {
    APPLICATION: LoadBalancerKind("alb", "HTTP", "HTTP", "HTTPS", "https", "lb_cookie"),
    NETWORK: LoadBalancerKind("nlb", "TCP", "TCP", "TLS", "tls", "source_ip"),
}


@dataclass(frozen=True)
class Redirect:
    """Where the plain listener sends clients: same host, path and query, on the HTTPS listener."""

    protocol: str = REDIRECT_PROTOCOL
    port: str = str(HTTPS_LISTENER_PORT)
    status_code: str = REDIRECT_STATUS


@dataclass(frozen=True)
class ListenerPlan:
    """One listener the load balancer declares."""

    role: str
    """Names the listener resource: `<load balancer component>-<role>`."""
    port: int
    protocol: str
    action: str
    """FORWARD to the nodes' target group, or REDIRECT to the HTTPS listener."""
    secure: bool
    """Terminates TLS with `certificate_arn` under `ssl_policy`."""
    certificate_arn: str | None = None
    ssl_policy: str | None = None
    redirect: Redirect | None = None
    """Where a REDIRECT listener sends clients."""


def listener_plan(settings: LoadBalancerSettings) -> list[ListenerPlan]:
    """With a certificate, HTTPS (TLS on a network load balancer) and, on an application
    load balancer, an HTTP listener that only redirects to it; without one, HTTP (TCP) forwarding."""
    kind = KINDS[settings.type]
    plans = []
    for port in settings.listener_ports:
        if port == HTTPS_LISTENER_PORT:
            tls = {"certificate_arn": settings.certificate_arn, "ssl_policy": settings.ssl_policy}
            plans.append(ListenerPlan(kind.secure_role, port, kind.secure_protocol, FORWARD, secure=True, **tls))
        elif settings.https:  # the plain port only redirects (an NLB has no plain port then)
            plans.append(ListenerPlan("http", port, kind.plain_protocol, REDIRECT, secure=False, redirect=Redirect()))
        else:
            plans.append(ListenerPlan(kind.plain_protocol.lower(), port, kind.plain_protocol, FORWARD, secure=False))
    return plans


@dataclass(frozen=True)
class HealthCheck:
    """The target group's health check, field by field as AWS describes it."""

    path: str
    interval: int
    timeout: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str
    protocol: str = HEALTH_CHECK_PROTOCOL
    port: str = TRAFFIC_PORT

    def described(self) -> dict[str, Any]:
        """The health check as DescribeTargetGroups reports it."""
        fields = {key: getattr(self, name) for name, key in _HEALTH_CHECK_KEYS.items()}
        return {**fields, "Matcher": {"HttpCode": self.matcher}}


_HEALTH_CHECK_KEYS = {
    "protocol": "HealthCheckProtocol",
    "port": "HealthCheckPort",
    "path": "HealthCheckPath",
    "interval": "HealthCheckIntervalSeconds",
    "timeout": "HealthCheckTimeoutSeconds",
    "healthy_threshold": "HealthyThresholdCount",
    "unhealthy_threshold": "UnhealthyThresholdCount",
}
"""HealthCheck's fields by their DescribeTargetGroups keys (the matcher sits under Matcher.HttpCode)."""


def read_health_check(described: Mapping[str, Any]) -> HealthCheck:
    """A target group's health check from its DescribeTargetGroups entry."""
    fields = {name: described[key] for name, key in _HEALTH_CHECK_KEYS.items()}
    return HealthCheck(matcher=described["Matcher"]["HttpCode"], **fields)


@dataclass(frozen=True)
class TargetGroupPlan:
    """The nodes' target group: instances on the app port, checked and drained per the settings."""

    protocol: str
    """HTTP behind an application load balancer, TCP behind a network one."""
    port: int
    health_check: HealthCheck
    deregistration_delay: int
    """Seconds a leaving node keeps its in-flight requests."""
    algorithm: str | None
    """None behind a network load balancer: it hashes flows, with no algorithm to choose."""
    stickiness_type: str
    stickiness_enabled: bool
    cookie_duration: int | None
    """Application load balancer only: a network load balancer sticks by source IP."""
    target_type: str = TARGET_TYPE

    def described(self) -> dict[str, Any]:
        """What DescribeTargetGroups reports for it."""
        return {"Protocol": self.protocol, "Port": self.port, **self.health_check.described()}

    def attributes(self) -> dict[str, str]:
        """What DescribeTargetGroupAttributes reports for what the stack sets: the drain, the
        algorithm (application only) and stickiness (not the cookie's lifetime, which matters
        only while sticky: tests/components/test_load_balancer.py asserts it on a sticky stack)."""
        attributes = {
            DEREGISTRATION_DELAY: attribute_value(self.deregistration_delay),
            STICKINESS_ENABLED: attribute_value(self.stickiness_enabled),
            STICKINESS_TYPE: self.stickiness_type,
        }
        if self.algorithm is not None:
            attributes[ALGORITHM] = self.algorithm
        return attributes


def target_group_plan(settings: LoadBalancerSettings, app_port: int) -> TargetGroupPlan:
    """The one target group of instances on the release's HTTP port (`release.httpPort`)."""
    kind = KINDS[settings.type]
    application = settings.type == APPLICATION
    health = settings.health_check
    return TargetGroupPlan(
        protocol=kind.target_protocol,
        port=app_port,
        health_check=HealthCheck(
            path=health.path,
            interval=health.interval,
            timeout=health.timeout,
            healthy_threshold=health.healthy_threshold,
            unhealthy_threshold=health.unhealthy_threshold,
            matcher=health.matcher,
        ),
        deregistration_delay=settings.deregistration_delay,
        algorithm=settings.algorithm if application else None,
        stickiness_type=kind.stickiness_type,
        stickiness_enabled=settings.stickiness.enabled,
        cookie_duration=settings.stickiness.duration_seconds if application else None,
    )


@dataclass(frozen=True)
class AccessLogs:
    """Where the load balancer writes its access logs."""

    bucket: str
    prefix: str


@dataclass(frozen=True)
class BalancerPlan:
    """The load balancer itself: what differs by type, as the provider's arguments take it."""

    kind: LoadBalancerKind
    type: str
    """APPLICATION or NETWORK: the provider's load_balancer_type and AWS's Type."""
    internal: bool
    """In the private subnets, reachable only inside the VPC."""
    deletion_protection: bool
    access_logs: AccessLogs | None
    drop_invalid_header_fields: bool | None
    """Application only: headers that are not valid HTTP are a request-smuggling vector."""
    idle_timeout: int | None
    """Application only: a network load balancer has a fixed TCP idle timeout."""
    cross_zone: bool | None
    """Network only (an application load balancer always balances across zones): nodes are
    not always spread evenly over zones."""
    url_scheme: str

    def attributes(self) -> dict[str, str]:
        """What DescribeLoadBalancerAttributes reports for what the stack sets."""
        attributes = {
            DELETION_PROTECTION: attribute_value(self.deletion_protection),
            ACCESS_LOGS_ENABLED: attribute_value(self.access_logs is not None),
        }
        if self.access_logs is not None:
            attributes[ACCESS_LOGS_BUCKET] = self.access_logs.bucket
            attributes[ACCESS_LOGS_PREFIX] = self.access_logs.prefix
        if self.drop_invalid_header_fields is not None:
            attributes[DROP_INVALID_HEADERS] = attribute_value(self.drop_invalid_header_fields)
        if self.idle_timeout is not None:
            attributes[IDLE_TIMEOUT] = attribute_value(self.idle_timeout)
        if self.cross_zone is not None:
            attributes[CROSS_ZONE] = attribute_value(self.cross_zone)
        return attributes


def balancer_plan(settings: LoadBalancerSettings) -> BalancerPlan:
    application = settings.type == APPLICATION
    logs = settings.access_logs
    return BalancerPlan(
        kind=KINDS[settings.type],
        type=settings.type,
        internal=settings.internal,
        deletion_protection=settings.deletion_protection,
        access_logs=AccessLogs(logs.bucket, logs.prefix) if logs else None,
        drop_invalid_header_fields=True if application else None,
        idle_timeout=settings.idle_timeout if application else None,
        cross_zone=None if application else True,
        url_scheme="https" if settings.https else "http",
    )
