"""Elastic Load Balancing v2: load balancers, target groups, listeners.

Covers: aws:lb LoadBalancer (application and network; attributes for idle timeout,
deletion protection, invalid-header dropping, cross-zone balancing of a network load
balancer and access logs), TargetGroup (health
check, deregistration delay, algorithm, stickiness as attributes), Listener (forward
and redirect default actions, TLS policy and certificate).

An update changes in place what the provider does: the balancer's subnets and security
groups (SetSubnets, SetSecurityGroups) and attributes, the target group's health check
(ModifyTargetGroup) and attributes, the listener (ModifyListener), and tags. A load
balancer with deletion protection cannot be deleted (core/moto_fixtures.py makes moto refuse
it as AWS does), so a change that replaces or removes one fails there, as `pulumi up` does.

What moto lacks: it does not run health checks; a registered target of a running
instance reports healthy. It accepts any bucket for access logs. (A network load balancer's
ARN reads `loadbalancer/net/...`, as AWS's does: core/moto_fixtures.py renames moto's `app/`.)
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state, to_int, without_none

NAME_MAX = 32  # load balancer and target group names


def _elbv2(aws: AwsSession) -> Any:
    return aws.client("elbv2")


def _arn_suffix(arn: str) -> str:
    """What CloudWatch dimensions use: `app/<name>/<id>`, `net/<name>/<id>` or `targetgroup/<name>/<id>`."""
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
    attributes = _balancer_attributes(req, kind)
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


def _balancer_attributes(req: Request, kind: str) -> dict[str, Any]:
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
    return attributes


@resource("aws:lb/targetGroup:TargetGroup")
def target_group(aws: AwsSession, req: Request) -> Created:
    elbv2 = _elbv2(aws)
    name = aws.physical_name(req, NAME_MAX)
    created = aws_call(
        req,
        elbv2.create_target_group,
        Name=name,
        Protocol=req.get("protocol"),
        Port=int(req.get("port")),
        VpcId=req.get("vpcId"),
        TargetType=req.get("targetType", "instance"),
        **_health_check(req.get("healthCheck", {})),
        Tags=request_tags(req),
    )["TargetGroups"][0]
    arn = created["TargetGroupArn"]
    aws_call(
        req, elbv2.modify_target_group_attributes, TargetGroupArn=arn, Attributes=_attributes(_group_attributes(req))
    )
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": arn,
        "arnSuffix": _arn_suffix(arn),
        "loadBalancerArns": created.get("LoadBalancerArns", []),
    }
    return Created(arn, state)


def _group_attributes(req: Request) -> dict[str, Any]:
    stickiness = req.get("stickiness", {})
    return {
        "deregistration_delay.timeout_seconds": req.get("deregistrationDelay"),
        "load_balancing.algorithm.type": req.get("loadBalancingAlgorithmType"),
        "stickiness.enabled": stickiness.get("enabled") if stickiness else None,
        "stickiness.type": stickiness.get("type") if stickiness else None,
        "stickiness.lb_cookie.duration_seconds": stickiness.get("cookieDuration")
        if stickiness.get("enabled")
        else None,
    }


def _health_check(health: dict[str, Any]) -> dict[str, Any]:
    """The target group's `healthCheck` as CreateTargetGroup and ModifyTargetGroup take it."""
    return {
        "HealthCheckEnabled": health.get("enabled", True),
        "HealthCheckProtocol": health.get("protocol"),
        "HealthCheckPort": health.get("port"),
        "HealthCheckPath": health.get("path"),
        "HealthCheckIntervalSeconds": to_int(health.get("interval")),
        "HealthCheckTimeoutSeconds": to_int(health.get("timeout")),
        "HealthyThresholdCount": to_int(health.get("healthyThreshold")),
        "UnhealthyThresholdCount": to_int(health.get("unhealthyThreshold")),
        "Matcher": {"HttpCode": health["matcher"]} if health.get("matcher") else None,
    }


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


# --- changes to an applied stack: updates in place and deletes ------------------------------

TAGS = ("tags",)
BALANCER_ATTRIBUTES = (
    "accessLogs",
    "dropInvalidHeaderFields",
    "enableCrossZoneLoadBalancing",
    "enableDeletionProtection",
    "idleTimeout",
)


def _retag(aws: AwsSession, req: Request, old: Existing, arn: str) -> None:
    retag(req, old, _elbv2(aws).remove_tags, _elbv2(aws).add_tags, ResourceArns=[arn])


def _changed_attributes(wanted: dict[str, Any], before: dict[str, Any]) -> list[dict[str, str]]:
    return _attributes({k: v for k, v in wanted.items() if before.get(k) != v})


@updates(
    "aws:lb/loadBalancer:LoadBalancer",
    handles=(*TAGS, *BALANCER_ATTRIBUTES, "ipAddressType", "securityGroups", "subnets"),
)
def update_load_balancer(aws: AwsSession, req: Request, old: Existing) -> Created:
    elbv2, arn, kind = _elbv2(aws), old.id, req.get("loadBalancerType", "application")
    if sorted(req.get("subnets", [])) != sorted(old.inputs.get("subnets") or []):
        aws_call(req, elbv2.set_subnets, LoadBalancerArn=arn, Subnets=req.get("subnets"))
    if sorted(req.get("securityGroups", [])) != sorted(old.inputs.get("securityGroups") or []):
        aws_call(req, elbv2.set_security_groups, LoadBalancerArn=arn, SecurityGroups=req.get("securityGroups"))
    if req.get("ipAddressType", "ipv4") != old.inputs.get("ipAddressType", "ipv4"):
        aws_call(req, elbv2.set_ip_address_type, LoadBalancerArn=arn, IpAddressType=req.get("ipAddressType"))
    before = _balancer_attributes(Request(old.type, old.name, old.inputs), kind)
    changed = _changed_attributes(_balancer_attributes(req, kind), before)
    if changed:
        aws_call(req, elbv2.modify_load_balancer_attributes, LoadBalancerArn=arn, Attributes=changed)
    _retag(aws, req, old, arn)
    return Created(arn, old.updated(req, **tags_state(req)))


@deletes("aws:lb/loadBalancer:LoadBalancer")
def delete_load_balancer(aws: AwsSession, old: Existing) -> None:
    gone(old, _elbv2(aws).delete_load_balancer, LoadBalancerArn=old.id)


@updates(
    "aws:lb/targetGroup:TargetGroup",
    handles=(*TAGS, "deregistrationDelay", "healthCheck", "loadBalancingAlgorithmType", "stickiness"),
)
def update_target_group(aws: AwsSession, req: Request, old: Existing) -> Created:
    elbv2, arn = _elbv2(aws), old.id
    health = req.get("healthCheck", {})
    if health != (old.inputs.get("healthCheck") or {}):
        aws_call(req, elbv2.modify_target_group, TargetGroupArn=arn, **_health_check(health))
    before = _group_attributes(Request(old.type, old.name, old.inputs))
    changed = _changed_attributes(_group_attributes(req), before)
    if changed:
        aws_call(req, elbv2.modify_target_group_attributes, TargetGroupArn=arn, Attributes=changed)
    _retag(aws, req, old, arn)
    return Created(arn, old.updated(req, **tags_state(req)))


@deletes("aws:lb/targetGroup:TargetGroup")
def delete_target_group(aws: AwsSession, old: Existing) -> None:
    gone(old, _elbv2(aws).delete_target_group, "TargetGroupNotFound", TargetGroupArn=old.id)


@updates(
    "aws:lb/listener:Listener", handles=(*TAGS, "certificateArn", "defaultActions", "port", "protocol", "sslPolicy")
)
def update_listener(aws: AwsSession, req: Request, old: Existing) -> Created:
    certificate = req.get("certificateArn")
    aws_call(
        req,
        _elbv2(aws).modify_listener,
        ListenerArn=old.id,
        Port=to_int(req.get("port")),
        Protocol=req.get("protocol"),
        SslPolicy=req.get("sslPolicy"),
        Certificates=[{"CertificateArn": certificate}] if certificate else None,
        DefaultActions=[_action(a) for a in req.get("defaultActions", [])],
    )
    _retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req)))


@deletes("aws:lb/listener:Listener")
def delete_listener(aws: AwsSession, old: Existing) -> None:
    gone(old, _elbv2(aws).delete_listener, "ListenerNotFound", ListenerArn=old.id)
