"""LoadBalancer: the one way in, health-checking every node.

An application load balancer (HTTP, least-outstanding-requests, redirects) or a network
load balancer (TCP/TLS pass-through) per `loadBalancer.type`, in the public subnets (the
private ones when `internal`), carrying ClusterSecurity's load balancer group; a network
load balancer gets it too, so the nodes admit the app port from that group alone even
though the NLB preserves client addresses.

What it declares comes from components/plans/load_balancer.py: the balancer, its scheme
and attributes (`balancer_plan`: per-type options, deletion protection, access logs), the
one target group of instances on the app port (`target_group_plan`: health check,
deregistration delay, algorithm, stickiness) and the listeners (`listener_plan`), which
`tools.verify` compares a deployed load balancer with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.load_balancer import (
    FORWARD,
    REDIRECT,
    ListenerPlan,
    Redirect,
    balancer_plan,
    listener_plan,
    target_group_plan,
)
from .settings import LoadBalancerSettings


@dataclass
class LoadBalancerArgs:
    load_balancer: LoadBalancerSettings
    """The `loadBalancer` section of the stack settings: type, listeners, target group, attributes."""
    app_port: int
    """`release.httpPort`: where the nodes serve HTTP, so where traffic and health checks go."""
    vpc_id: pulumi.Input[str]
    """The VPC of the target group."""
    public_subnet_ids: pulumi.Input[list[str]]
    """Where an internet-facing load balancer lives."""
    private_subnet_ids: pulumi.Input[list[str]]
    """Where an internal load balancer lives."""
    security_group_id: pulumi.Input[str]
    """ClusterSecurity's load balancer group: clients in on the listener ports, nodes out on the app port."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the load balancer, the target group and the listeners."""


class LoadBalancer(ClusterComponent):
    TOKEN = "elixir-cluster:index:LoadBalancer"

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
        super().__init__(name, args.tags, opts)
        self._args = args
        self._plan = balancer_plan(args.load_balancer)
        balancer = self._balancer()
        targets = self._target_group()
        for plan in listener_plan(args.load_balancer):
            self._listener(balancer, targets, plan)
        self.arn = balancer.arn
        self.arn_suffix = balancer.arn_suffix
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        self.url = pulumi.Output.concat(self._plan.url_scheme, "://", balancer.dns_name)
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

    def _balancer(self) -> aws.lb.LoadBalancer:
        plan = self._plan
        logs = plan.access_logs
        return aws.lb.LoadBalancer(
            self._child_name(plan.kind.short),
            load_balancer_type=plan.type,
            internal=plan.internal,
            subnets=self._args.private_subnet_ids if plan.internal else self._args.public_subnet_ids,
            # an NLB only accepts security groups at creation; without one it could never have any
            security_groups=[self._args.security_group_id],
            enable_deletion_protection=plan.deletion_protection,
            drop_invalid_header_fields=plan.drop_invalid_header_fields,
            idle_timeout=plan.idle_timeout,
            enable_cross_zone_load_balancing=plan.cross_zone,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket, prefix=logs.prefix, enabled=True)
            if logs
            else None,
            tags=self._tags(plan.kind.short),
            opts=self._child(),
        )

    def _target_group(self) -> aws.lb.TargetGroup:
        plan = target_group_plan(self._args.load_balancer, self._args.app_port)
        health = plan.health_check
        return aws.lb.TargetGroup(
            self._child_name("targets"),
            target_type=plan.target_type,
            port=plan.port,
            protocol=plan.protocol,
            vpc_id=self._args.vpc_id,
            deregistration_delay=plan.deregistration_delay,
            load_balancing_algorithm_type=plan.algorithm,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol=health.protocol,
                port=health.port,
                path=health.path,
                matcher=health.matcher,
                interval=health.interval,
                timeout=health.timeout,
                healthy_threshold=health.healthy_threshold,
                unhealthy_threshold=health.unhealthy_threshold,
            ),
            stickiness=aws.lb.TargetGroupStickinessArgs(
                type=plan.stickiness_type,
                enabled=plan.stickiness_enabled,
                cookie_duration=plan.cookie_duration,
            ),
            tags=self._tags("targets"),
            opts=self._child(),
        )

    def _listener(
        self, balancer: aws.lb.LoadBalancer, targets: aws.lb.TargetGroup, plan: ListenerPlan
    ) -> aws.lb.Listener:
        tls = {"certificate_arn": plan.certificate_arn, "ssl_policy": plan.ssl_policy} if plan.secure else {}
        action = _forward_to(targets) if plan.action == FORWARD else _redirect(plan.redirect)
        return aws.lb.Listener(
            self._child_name(plan.role),
            load_balancer_arn=balancer.arn,
            port=plan.port,
            protocol=plan.protocol,
            default_actions=[action],
            **tls,
            tags=self._tags(plan.role),
            opts=self._child(),
        )


def _forward_to(targets: aws.lb.TargetGroup) -> aws.lb.ListenerDefaultActionArgs:
    return aws.lb.ListenerDefaultActionArgs(type=FORWARD, target_group_arn=targets.arn)


def _redirect(redirect: Redirect) -> aws.lb.ListenerDefaultActionArgs:
    """Same host, path and query, on the HTTPS listener."""
    return aws.lb.ListenerDefaultActionArgs(
        type=REDIRECT,
        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
            protocol=redirect.protocol, port=redirect.port, status_code=redirect.status_code
        ),
    )
