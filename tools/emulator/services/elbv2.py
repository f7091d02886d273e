"""Elastic Load Balancing v2: load balancers, target groups, listeners.

Covers: aws:lb LoadBalancer (application and network; attributes for idle timeout,
deletion protection, invalid-header dropping, cross-zone balancing of a network load
balancer and access logs), TargetGroup (health
check, deregistration delay, algorithm, stickiness as attributes), Listener (forward
and redirect default actions, TLS policy and certificate).

What moto lacks: it does not run health checks; a registered target of a running
instance reports healthy. It accepts any bucket for access logs. It names every load
balancer's ARN `loadbalancer/app/...`, a network one's too (AWS: `loadbalancer/net/...`),
so a network load balancer's `arnSuffix` starts with `app/` here.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
from ..core.wire import request_tags, tags_state, to_int, without_none

NAME_MAX = 32  # load balancer and target group names


def _elbv2(aws: AwsSession) -> Any:
    return aws.client("elbv2")


def _arn_suffix(arn: str) -> str:
    """What CloudWatch dimensions use: `app/<name>/<id>` or `targetgroup/<name>/<id>`."""
    return arn.split(":", 5)[5].removeprefix("loadbalancer/")


def _attributes(values: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": _text(v)} for k, v in values.items() if v is not None]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@resource("aws:lb/loadBalancer:LoadBalancer")
def load_balancer(aws: AwsSession, req: Request) -> Created:
    elbv2 = _elbv2(aws)
    name = aws.physical_name(req, NAME_MAX)
    kind = req.get("loadBalancerType", "application")
    created = aws_call(
        req,
        elbv2.create_load_balancer,
        Name=name,
        Subnets=req.get("subnets"),
        SecurityGroups=req.get("securityGroups"),
        Scheme="internal" if req.get("internal") else "internet-facing",
        Type=kind,
        IpAddressType=req.get("ipAddressType", "ipv4"),
        Tags=request_tags(req),
    )["LoadBalancers"][0]
    arn = created["LoadBalancerArn"]
    logs = req.get("accessLogs", {})
    attributes = {
        "deletion_protection.enabled": req.get("enableDeletionProtection", False),
        "access_logs.s3.enabled": bool(logs.get("enabled", bool(logs.get("bucket")))) if logs else None,
        "access_logs.s3.bucket": logs.get("bucket"),
        "access_logs.s3.prefix": logs.get("prefix"),
    }
    if kind == "application":
        attributes["idle_timeout.timeout_seconds"] = req.get("idleTimeout", 60)
        attributes["routing.http.drop_invalid_header_fields.enabled"] = req.get("dropInvalidHeaderFields", False)
    else:  # an application load balancer is always cross-zone; a network one only when asked
        attributes["load_balancing.cross_zone.enabled"] = req.get("enableCrossZoneLoadBalancing", False)
    aws_call(req, elbv2.modify_load_balancer_attributes, LoadBalancerArn=arn, Attributes=_attributes(attributes))
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": arn,
        "arnSuffix": _arn_suffix(arn),
        "dnsName": created["DNSName"],
        "zoneId": created.get("CanonicalHostedZoneId"),
        "vpcId": created.get("VpcId"),
        "internal": bool(req.get("internal", False)),
        "loadBalancerType": kind,
    }
    return Created(arn, state)


@resource("aws:lb/targetGroup:TargetGroup")
def target_group(aws: AwsSession, req: Request) -> Created:
    elbv2 = _elbv2(aws)
    name = aws.physical_name(req, NAME_MAX)
    health = req.get("healthCheck", {})
    created = aws_call(
        req,
        elbv2.create_target_group,
        Name=name,
        Protocol=req.get("protocol"),
        Port=int(req.get("port")),
        VpcId=req.get("vpcId"),
        TargetType=req.get("targetType", "instance"),
        HealthCheckEnabled=health.get("enabled", True),
        HealthCheckProtocol=health.get("protocol"),
        HealthCheckPort=health.get("port"),
        HealthCheckPath=health.get("path"),
        HealthCheckIntervalSeconds=to_int(health.get("interval")),
        HealthCheckTimeoutSeconds=to_int(health.get("timeout")),
        HealthyThresholdCount=to_int(health.get("healthyThreshold")),
        UnhealthyThresholdCount=to_int(health.get("unhealthyThreshold")),
        Matcher={"HttpCode": health["matcher"]} if health.get("matcher") else None,
        Tags=request_tags(req),
    )["TargetGroups"][0]
    arn = created["TargetGroupArn"]
    stickiness = req.get("stickiness", {})
    attributes = {
        "deregistration_delay.timeout_seconds": req.get("deregistrationDelay"),
        "load_balancing.algorithm.type": req.get("loadBalancingAlgorithmType"),
        "stickiness.enabled": stickiness.get("enabled") if stickiness else None,
        "stickiness.type": stickiness.get("type") if stickiness else None,
        "stickiness.lb_cookie.duration_seconds": stickiness.get("cookieDuration")
        if stickiness.get("enabled")
        else None,
    }
    aws_call(req, elbv2.modify_target_group_attributes, TargetGroupArn=arn, Attributes=_attributes(attributes))
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": arn,
        "arnSuffix": _arn_suffix(arn),
        "loadBalancerArns": created.get("LoadBalancerArns", []),
    }
    return Created(arn, state)


@resource("aws:lb/listener:Listener")
def listener(aws: AwsSession, req: Request) -> Created:
    certificate = req.get("certificateArn")
    created = aws_call(
        req,
        _elbv2(aws).create_listener,
        LoadBalancerArn=req.get("loadBalancerArn"),
        Protocol=req.get("protocol"),
        Port=int(req.get("port")),
        SslPolicy=req.get("sslPolicy"),
        Certificates=[{"CertificateArn": certificate}] if certificate else None,
        DefaultActions=[_action(a) for a in req.get("defaultActions", [])],
        Tags=request_tags(req),
    )["Listeners"][0]
    arn = created["ListenerArn"]
    return Created(arn, {**req.inputs, **tags_state(req), "arn": arn})


def _action(action: dict[str, Any]) -> dict[str, Any]:
    kind = action["type"]
    result: dict[str, Any] = {"Type": kind}
    if kind == "forward":
        result["TargetGroupArn"] = action.get("targetGroupArn")
    elif kind == "redirect":
        redirect = action.get("redirect", {})
        result["RedirectConfig"] = without_none(
            {
                "Protocol": redirect.get("protocol"),
                "Port": redirect.get("port"),
                "Host": redirect.get("host"),
                "Path": redirect.get("path"),
                "Query": redirect.get("query"),
                "StatusCode": redirect.get("statusCode"),
            }
        )
    elif kind == "fixed-response":
        fixed = action.get("fixedResponse", {})
        result["FixedResponseConfig"] = {
            "StatusCode": fixed.get("statusCode"),
            "ContentType": fixed.get("contentType"),
            "MessageBody": fixed.get("messageBody"),
        }
    return result
