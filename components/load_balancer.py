"""LoadBalancer: the one way in, health-checking every node.

An application load balancer (HTTP, least-outstanding-requests, redirects) or a network
load balancer (TCP/TLS pass-through) per `loadBalancer.type`, in the public subnets (the
private ones when `internal`), carrying ClusterSecurity's load balancer group; a network
load balancer gets it too, so the nodes admit the app port from that group alone even
though the NLB preserves client addresses.

One target group of instances on the app port: the HTTP health check, deregistration
delay (the first half of a node's drain), algorithm and stickiness from the settings.
Listeners: with a certificate, HTTPS (TLS on a network load balancer) under the chosen
TLS policy, and on an application load balancer an HTTP listener that only redirects to
it (301); without one, HTTP (TCP) forwarding to the nodes. `listener_plan` says which,
from the settings alone: the component builds the listeners from it, `tools.verify`
compares a deployed load balancer with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .settings import HTTPS_LISTENER_PORT
from .settings import LoadBalancer as LoadBalancerSettings

REDIRECT_STATUS = "HTTP_301"
"""Permanent: browsers and clients remember to use HTTPS."""

HEALTH_CHECK_PROTOCOL = "HTTP"
"""Both types ask the release's health path over HTTP; a TCP check would pass a node that cannot serve."""

TRAFFIC_PORT = "traffic-port"
"""Health checks go to the port the target group sends traffic to: the app port."""


@dataclass(frozen=True)
class _Kind:
    """What differs between the two load balancer types."""

    short: str  # the child's role in its name
    target_protocol: str
    plain_protocol: str  # listener without a certificate
    secure_protocol: str  # listener with one
    stickiness_type: str


_KINDS = {
    "application": _Kind("alb", "HTTP", "HTTP", "HTTPS", "lb_cookie"),
    "network": _Kind("nlb", "TCP", "TCP", "TLS", "source_ip"),
}


FORWARD, REDIRECT = "forward", "redirect"


@dataclass(frozen=True)
class ListenerPlan:
    """One listener the load balancer declares: the plan LoadBalancer builds and `tools.verify` checks."""

    role: str
    """Names the listener resource: `<load balancer component>-<role>`."""
    port: int
    protocol: str
    action: str
    """FORWARD to the nodes' target group, or REDIRECT to the HTTPS listener."""
    secure: bool
    """Terminates TLS with the certificate and TLS policy from the settings."""


def listener_plan(settings: LoadBalancerSettings) -> list[ListenerPlan]:
    """With a certificate, HTTPS (TLS on a network load balancer) and, on an application
    load balancer, an HTTP listener that only redirects to it; without one, HTTP (TCP) forwarding."""
    kind = _KINDS[settings.type]
    plans = []
    for port in settings.listener_ports:
        if port == HTTPS_LISTENER_PORT:
            role = "https" if settings.type == "application" else "tls"
            plans.append(ListenerPlan(role, port, kind.secure_protocol, FORWARD, secure=True))
        elif settings.https:  # the plain port only redirects (an NLB has no plain port then)
            plans.append(ListenerPlan("http", port, kind.plain_protocol, REDIRECT, secure=False))
        else:
            plans.append(ListenerPlan(kind.plain_protocol.lower(), port, kind.plain_protocol, FORWARD, secure=False))
    return plans


def target_protocol(load_balancer_type: str) -> str:
    """The protocol the target group speaks to the nodes: HTTP behind an ALB, TCP behind an NLB."""
    return _KINDS[load_balancer_type].target_protocol


@dataclass
class LoadBalancerArgs:
    settings: LoadBalancerSettings
    """The `loadBalancer` section of the stack settings."""
    app_port: int
    """The port the release serves HTTP on: where traffic and health checks go."""
    vpc_id: pulumi.Input[str]
    """The VPC of the target group."""
    public_subnet_ids: pulumi.Input[list[str]]
    """Where an internet-facing load balancer lives."""
    private_subnet_ids: pulumi.Input[list[str]]
    """Where an internal load balancer lives."""
    security_group_id: pulumi.Input[str]
    """ClusterSecurity's load balancer group: clients in on the listener ports, nodes out on the app port."""
    tags: dict[str, str] = field(default_factory=dict)


class LoadBalancer(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    """The load balancer's ARN."""
    arn_suffix: pulumi.Output[str]
    """`app/<name>/<id>` (or `net/...`): the LoadBalancer dimension of its CloudWatch metrics."""
    dns_name: pulumi.Output[str]
    """The load balancer's DNS name: point the application's domain here."""
    zone_id: pulumi.Output[str]
    """The hosted zone of `dns_name`, for a Route 53 alias record."""
    url: pulumi.Output[str]
    """`https://<dns_name>` with a certificate, else `http://<dns_name>`."""
    target_group_arn: pulumi.Output[str]
    """The nodes' target group, attached to the node group."""
    target_group_arn_suffix: pulumi.Output[str]
    """`targetgroup/<name>/<id>`: the TargetGroup dimension of its CloudWatch metrics."""

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("elixir-cluster:index:LoadBalancer", name, None, opts)
        self._name = name
        self._args = args
        self._kind = _KINDS[args.settings.type]
        balancer = self._balancer()
        targets = self._target_group()
        self._listeners(balancer, targets)
        self.arn = balancer.arn
        self.arn_suffix = balancer.arn_suffix
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        scheme = "https" if args.settings.https else "http"
        self.url = pulumi.Output.concat(scheme, "://", balancer.dns_name)
        self.target_group_arn = targets.arn
        self.target_group_arn_suffix = targets.arn_suffix
        self.register_outputs(
            {
                "arn": self.arn,
                "arnSuffix": self.arn_suffix,
                "dnsName": self.dns_name,
                "zoneId": self.zone_id,
                "url": self.url,
                "targetGroupArn": self.target_group_arn,
                "targetGroupArnSuffix": self.target_group_arn_suffix,
            }
        )

    # --- the load balancer ------------------------------------------------------------

    def _balancer(self) -> aws.lb.LoadBalancer:
        settings = self._args.settings
        application = settings.type == "application"
        logs = settings.access_logs
        return aws.lb.LoadBalancer(
            self._child_name(self._kind.short),
            load_balancer_type=settings.type,
            internal=settings.internal,
            subnets=self._args.private_subnet_ids if settings.internal else self._args.public_subnet_ids,
            # an NLB only accepts security groups at creation; without one it could never have any
            security_groups=[self._args.security_group_id],
            enable_deletion_protection=settings.deletion_protection,
            # headers that are not valid HTTP are a request-smuggling vector: never pass them on
            drop_invalid_header_fields=True if application else None,
            idle_timeout=settings.idle_timeout if application else None,
            # an NLB balances per zone by default; nodes are not always spread evenly over zones
            enable_cross_zone_load_balancing=None if application else True,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket, prefix=logs.prefix, enabled=True)
            if logs
            else None,
            tags=self._tags(self._kind.short),
            opts=self._child(),
        )

    def _target_group(self) -> aws.lb.TargetGroup:
        settings = self._args.settings
        health = settings.health_check
        application = settings.type == "application"
        return aws.lb.TargetGroup(
            self._child_name("targets"),
            target_type="instance",
            port=self._args.app_port,
            protocol=target_protocol(settings.type),
            vpc_id=self._args.vpc_id,
            deregistration_delay=settings.deregistration_delay,
            # a network load balancer hashes flows: it has no algorithm to choose
            load_balancing_algorithm_type=settings.algorithm if application else None,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol=HEALTH_CHECK_PROTOCOL,
                port=TRAFFIC_PORT,
                path=health.path,
                matcher=health.matcher,
                interval=health.interval,
                timeout=health.timeout,
                healthy_threshold=health.healthy_threshold,
                unhealthy_threshold=health.unhealthy_threshold,
            ),
            stickiness=aws.lb.TargetGroupStickinessArgs(
                type=self._kind.stickiness_type,
                enabled=settings.stickiness.enabled,
                cookie_duration=settings.stickiness.duration_seconds if application else None,
            ),
            tags=self._tags("targets"),
            opts=self._child(),
        )

    # --- listeners ---------------------------------------------------------------------

    def _listeners(self, balancer: aws.lb.LoadBalancer, targets: aws.lb.TargetGroup) -> None:
        settings = self._args.settings
        forward = [aws.lb.ListenerDefaultActionArgs(type=FORWARD, target_group_arn=targets.arn)]
        for plan in listener_plan(settings):
            if plan.action == FORWARD:
                tls = (
                    {"certificate_arn": settings.certificate_arn, "ssl_policy": settings.ssl_policy}
                    if plan.secure
                    else {}
                )
                self._listener(balancer, plan.role, plan.port, plan.protocol, forward, **tls)
            else:
                self._listener(balancer, plan.role, plan.port, plan.protocol, [_redirect_to_https()])

    def _listener(
        self,
        balancer: aws.lb.LoadBalancer,
        role: str,
        port: int,
        protocol: str,
        actions: list[aws.lb.ListenerDefaultActionArgs],
        **tls: str | None,
    ) -> aws.lb.Listener:
        return aws.lb.Listener(
            self._child_name(role),
            load_balancer_arn=balancer.arn,
            port=port,
            protocol=protocol,
            default_actions=actions,
            **tls,
            tags=self._tags(role),
            opts=self._child(),
        )

    # --- naming -------------------------------------------------------------------------

    def _child_name(self, role: str) -> str:
        return f"{self._name}-{role}"

    def _tags(self, role: str) -> dict[str, str]:
        return {**self._args.tags, "Name": self._child_name(role)}

    def _child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)


def _redirect_to_https() -> aws.lb.ListenerDefaultActionArgs:
    """Same host, path and query, on the HTTPS listener."""
    return aws.lb.ListenerDefaultActionArgs(
        type=REDIRECT,
        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
            protocol="HTTPS", port=str(HTTPS_LISTENER_PORT), status_code=REDIRECT_STATUS
        ),
    )
