"""AWS WAF (wafv2): web ACLs, their association with a load balancer, their logging.

Covers: aws:wafv2 WebAcl (default action, rules, visibility config, tags), WebAclAssociation,
WebAclLoggingConfiguration (destinations and logging filter); and the fixture
`provide_web_acl`, so an association naming an existing web ACL finds it.

What moto lacks, checked here as AWS does: moto associates a web ACL with any ARN, where
AWS takes an application load balancer but refuses a network load balancer
(WAFInvalidParameterException); it logs to any destination, where AWS requires a
CloudWatch log group whose name starts with `aws-waf-logs-`. moto cannot create a web ACL
with a given ARN, so the fixture pins moto's ARN generator (`AwsSession.pinned`: in-process,
or through this project's moto server, tools/emulator/server.py).

An update replaces a web ACL's rules, default action and visibility (UpdateWebACL with the lock
token GetWebACL returns) and changes tags, or puts a logging configuration again; an
association changes only by replacement. A deleted web ACL is deleted with its lock token.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..core.registry import Created, EmulatorError, Existing, Request, deletes, no_update, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state

LOG_GROUP_PREFIX = "aws-waf-logs-"
APPLICATION = "application"
WIRE_NAMES = {"CloudwatchMetricsEnabled": "CloudWatchMetricsEnabled"}
"""Wire names whose API name is not just capitalised."""
WEB_ACL_ARNS = "moto.wafv2.models.make_arn_for_wacl"
"""moto's ARN generator for web ACLs, pinned to the ARN a stack names."""
NOT_FOUND = "WAFNonexistentItemException"


def _wafv2(aws: AwsSession) -> Any:
    return aws.client("wafv2")


def _api(value: Any) -> Any:
    """A wire structure (camelCase keys, float numbers) as WAF's API takes it (PascalCase, integers)."""
    if isinstance(value, dict):
        return {_api_name(key): _api(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_api(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _api_name(key: str) -> str:
    name = key[:1].upper() + key[1:]
    return WIRE_NAMES.get(name, name)


@resource("aws:wafv2/webAcl:WebAcl")
def web_acl(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, 128)
    summary = aws_call(
        req,
        _wafv2(aws).create_web_acl,
        Name=name,
        Scope=req.get("scope"),
        DefaultAction=_api(req.get("defaultAction")),
        Description=req.get("description"),
        Rules=_api(req.get("rules", [])),
        VisibilityConfig=_api(req.get("visibilityConfig")),
        Tags=request_tags(req),
    )["Summary"]
    acl = aws_call(req, _wafv2(aws).get_web_acl, Name=name, Scope=req.get("scope"), Id=summary["Id"])["WebACL"]
    return Created(
        summary["Id"],
        {
            **req.inputs,
            **tags_state(req),
            "name": name,
            "arn": summary["ARN"],
            "lockToken": summary["LockToken"],
            "capacity": acl.get("Capacity", 0),
        },
    )


@resource("aws:wafv2/webAclAssociation:WebAclAssociation")
def web_acl_association(aws: AwsSession, req: Request) -> Created:
    resource_arn, acl_arn = req.get("resourceArn"), req.get("webAclArn")
    _refuse_a_network_load_balancer(aws, req, resource_arn)
    aws_call(req, _wafv2(aws).associate_web_acl, WebACLArn=acl_arn, ResourceArn=resource_arn)
    # the provider's id: "<web ACL ARN>,<resource ARN>"
    return Created(f"{acl_arn},{resource_arn}", dict(req.inputs))


def _refuse_a_network_load_balancer(aws: AwsSession, req: Request, resource_arn: str) -> None:
    if ":elasticloadbalancing:" not in resource_arn:
        return
    balancers = aws_call(req, aws.client("elbv2").describe_load_balancers, LoadBalancerArns=[resource_arn])
    if balancers["LoadBalancers"][0]["Type"] != APPLICATION:
        raise EmulatorError(
            f"{req.type} '{req.name}': WAFInvalidParameterException: a web ACL associates with an application "
            f"load balancer, not a network one: {resource_arn}"
        )


@resource("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
def web_acl_logging_configuration(aws: AwsSession, req: Request) -> Created:
    destinations = req.get("logDestinationConfigs", [])
    for destination in destinations:
        name = destination.split(":log-group:", 1)[-1]
        if ":logs:" in destination and not name.startswith(LOG_GROUP_PREFIX):
            raise EmulatorError(
                f"{req.type} '{req.name}': WAFInvalidParameterException: a log group WAF logs to is named "
                f"{LOG_GROUP_PREFIX}...: {destination}"
            )
    configuration = {
        "ResourceArn": req.get("resourceArn"),
        "LogDestinationConfigs": destinations,
        "LoggingFilter": _api(req.get("loggingFilter")),
    }
    aws_call(
        req,
        _wafv2(aws).put_logging_configuration,
        LoggingConfiguration={k: v for k, v in configuration.items() if v},
    )
    return Created(req.get("resourceArn"), dict(req.inputs))


def _web_acl_exists(wafv2: Any, arn: str) -> bool:
    try:
        wafv2.get_web_acl(Name=arn.split("/")[-2], Scope="REGIONAL", Id=arn.split("/")[-1])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != NOT_FOUND:
            raise
        return False
    return True


def provide_web_acl(aws: AwsSession, arn: str) -> None:
    """Make the existing web ACL `arn` exist (with AWS's core rule set) for the stack to associate; one
    that already does is kept."""
    wafv2 = _wafv2(aws)
    request = Request(type="existing web ACL", name=arn, inputs={})
    if _web_acl_exists(wafv2, arn):
        return
    group = "AWSManagedRulesCommonRuleSet"
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}
    with aws.pinned(request, WEB_ACL_ARNS, arn):
        aws_call(
            request,
            wafv2.create_web_acl,
            Name=arn.split("/")[-2],
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            Rules=[
                {
                    "Name": group,
                    "Priority": 0,
                    "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}},
                    "OverrideAction": {"None": {}},
                    "VisibilityConfig": {**visibility, "MetricName": group},
                }
            ],
            VisibilityConfig={**visibility, "MetricName": arn.split("/")[-2]},
        )


# --- changes to an applied stack: updates in place and deletes ------------------------------

ACL_SETTINGS = ("defaultAction", "description", "rules", "visibilityConfig")


@updates("aws:wafv2/webAcl:WebAcl", handles=(*ACL_SETTINGS, "tags"))
def update_web_acl(aws: AwsSession, req: Request, old: Existing) -> Created:
    wafv2, name, scope = _wafv2(aws), old.get("name"), req.get("scope")
    token = aws_call(req, wafv2.get_web_acl, Name=name, Scope=scope, Id=old.id)["LockToken"]
    if any(req.get(key) != old.inputs.get(key) for key in ACL_SETTINGS):
        token = aws_call(
            req,
            wafv2.update_web_acl,
            Name=name,
            Scope=scope,
            Id=old.id,
            LockToken=token,
            DefaultAction=_api(req.get("defaultAction")),
            Description=req.get("description"),
            Rules=_api(req.get("rules", [])),
            VisibilityConfig=_api(req.get("visibilityConfig")),
        )["NextLockToken"]
    retag(req, old, wafv2.untag_resource, wafv2.tag_resource, ResourceARN=old.get("arn"))
    capacity = aws_call(req, wafv2.get_web_acl, Name=name, Scope=scope, Id=old.id)["WebACL"].get("Capacity", 0)
    return Created(old.id, old.updated(req, **tags_state(req), lockToken=token, capacity=capacity))


@deletes("aws:wafv2/webAcl:WebAcl")
def delete_web_acl(aws: AwsSession, old: Existing) -> None:
    wafv2, name, scope = _wafv2(aws), old.get("name"), old.inputs.get("scope")
    if not _web_acl_exists(wafv2, old.get("arn")):
        return
    token = aws_call(old, wafv2.get_web_acl, Name=name, Scope=scope, Id=old.id)["LockToken"]
    gone(old, wafv2.delete_web_acl, NOT_FOUND, Name=name, Scope=scope, Id=old.id, LockToken=token)


no_update("aws:wafv2/webAclAssociation:WebAclAssociation", "its web ACL and resource ARNs both force a replacement")


@deletes("aws:wafv2/webAclAssociation:WebAclAssociation")
def delete_web_acl_association(aws: AwsSession, old: Existing) -> None:
    gone(old, _wafv2(aws).disassociate_web_acl, NOT_FOUND, ResourceArn=old.inputs.get("resourceArn"))


@updates(
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    handles=("logDestinationConfigs", "loggingFilter", "redactedFields"),
)
def update_web_acl_logging_configuration(aws: AwsSession, req: Request, old: Existing) -> Created:
    return web_acl_logging_configuration(aws, req)  # PutLoggingConfiguration replaces it


@deletes("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
def delete_web_acl_logging_configuration(aws: AwsSession, old: Existing) -> None:
    gone(old, _wafv2(aws).delete_logging_configuration, NOT_FOUND, ResourceArn=old.id)
