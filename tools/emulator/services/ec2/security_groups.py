"""EC2's security groups and their rules.

Covers: aws:ec2 SecurityGroup, DefaultSecurityGroup; aws:vpc SecurityGroupIngressRule and
SecurityGroupEgressRule.

Like the Terraform provider that pulumi-aws bridges, a new security group loses AWS's
default allow-all egress rule: egress exists only where the program declares it.

A DefaultSecurityGroup adopts the VPC's `default` group as the provider does: every rule
it holds is revoked, then the declared ones (if any) are authorized.

A change to an applied stack replaces a group's inline rules, changes a rule through
ModifySecurityGroupRules, and leaves a default security group in place when it is deleted
(only forgotten), as the provider does.
"""

from __future__ import annotations

from typing import Any

from ...core.registry import Created, EmulatorError, Existing, Request, deletes, resource, updates
from ...core.session import AwsSession, aws_call, gone
from ...core.wire import aws_tags, tag_specifications, tags_state, without_none
from .common import TAGS, ec2_client, retag

ALL_TRAFFIC = "-1"


@resource("aws:ec2/securityGroup:SecurityGroup")
def security_group(aws: AwsSession, req: Request) -> Created:
    ec2 = ec2_client(aws)
    name = aws.physical_name(req)
    group_id = aws_call(
        req,
        ec2.create_security_group,
        GroupName=name,
        Description=req.get("description", "Managed by Pulumi"),
        VpcId=req.get("vpcId"),
        TagSpecifications=tag_specifications("security-group", req.get("tags")),
    )["GroupId"]
    _drop_default_egress(ec2, req, group_id)
    _authorize_inline_rules(ec2, req, group_id)
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        **_group_state(aws, req, group_id),
    }
    return Created(group_id, state)


@resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def default_security_group(aws: AwsSession, req: Request) -> Created:
    ec2 = ec2_client(aws)
    vpc_id = req.get("vpcId")
    found = aws_call(
        req,
        ec2.describe_security_groups,
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}],
    )["SecurityGroups"]
    if not found:
        raise EmulatorError(f"{req.type} '{req.name}': VPC {vpc_id} has no default security group")
    group = found[0]
    group_id = group["GroupId"]
    if group["IpPermissions"]:
        aws_call(req, ec2.revoke_security_group_ingress, GroupId=group_id, IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        aws_call(req, ec2.revoke_security_group_egress, GroupId=group_id, IpPermissions=group["IpPermissionsEgress"])
    _authorize_inline_rules(ec2, req, group_id)
    if req.get("tags"):
        aws_call(req, ec2.create_tags, Resources=[group_id], Tags=aws_tags(req.get("tags")))
    state = {
        **req.inputs,
        **tags_state(req),
        "name": group["GroupName"],
        "description": group["Description"],
        **_group_state(aws, req, group_id),
    }
    return Created(group_id, state)


def _authorize_inline_rules(ec2: Any, req: Request, group_id: str) -> None:
    for rule in req.get("ingress", []):
        aws_call(req, ec2.authorize_security_group_ingress, GroupId=group_id, IpPermissions=[_inline_permission(rule)])
    for rule in req.get("egress", []):
        aws_call(req, ec2.authorize_security_group_egress, GroupId=group_id, IpPermissions=[_inline_permission(rule)])


def _group_state(aws: AwsSession, req: Request, group_id: str) -> dict[str, Any]:
    """What the provider reports of a security group, a created or an adopted one."""
    return {
        "arn": aws.arn("ec2", f"security-group/{group_id}"),
        "ownerId": aws.account_id,
        "ingress": req.get("ingress", []),
        "egress": req.get("egress", []),
        "revokeRulesOnDelete": req.get("revokeRulesOnDelete", False),
    }


def _drop_default_egress(ec2: Any, req: Request, group_id: str) -> None:
    """The Terraform provider removes AWS's default allow-all egress from a new VPC group."""
    aws_call(
        req,
        ec2.revoke_security_group_egress,
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": ALL_TRAFFIC, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


def _inline_permission(rule: dict[str, Any]) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": str(rule.get("protocol", ALL_TRAFFIC))}
    if permission["IpProtocol"] != ALL_TRAFFIC:
        permission.update(FromPort=int(rule["fromPort"]), ToPort=int(rule["toPort"]))
    permission["IpRanges"] = [{"CidrIp": c} for c in rule.get("cidrBlocks", [])]
    permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule.get("ipv6CidrBlocks", [])]
    permission["UserIdGroupPairs"] = [{"GroupId": g} for g in rule.get("securityGroups", [])]
    return permission


def _rule_permission(req: Request) -> dict[str, Any]:
    """One aws.vpc.SecurityGroup{Ingress,Egress}Rule as an EC2 IpPermission."""
    protocol = str(req.get("ipProtocol"))
    if protocol.lower() == "all":
        protocol = ALL_TRAFFIC
    permission: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != ALL_TRAFFIC:
        permission.update(FromPort=int(req.get("fromPort")), ToPort=int(req.get("toPort")))
    description = {"Description": req.get("description")} if req.get("description") else {}
    sources = [req.get(k) for k in ("cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId")]
    if sum(s is not None for s in sources) != 1:
        raise EmulatorError(
            f"{req.type} '{req.name}': exactly one of cidrIpv4, cidrIpv6, "
            "referencedSecurityGroupId, prefixListId is required"
        )
    if req.get("cidrIpv4"):
        permission["IpRanges"] = [{"CidrIp": req.get("cidrIpv4"), **description}]
    if req.get("cidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": req.get("cidrIpv6"), **description}]
    if req.get("referencedSecurityGroupId"):
        permission["UserIdGroupPairs"] = [{"GroupId": req.get("referencedSecurityGroupId"), **description}]
    if req.get("prefixListId"):
        permission["PrefixListIds"] = [{"PrefixListId": req.get("prefixListId"), **description}]
    return permission


def _security_group_rule(aws: AwsSession, req: Request, direction: str) -> Created:
    ec2 = ec2_client(aws)
    authorize = ec2.authorize_security_group_ingress if direction == "ingress" else ec2.authorize_security_group_egress
    rules = aws_call(
        req,
        authorize,
        GroupId=req.get("securityGroupId"),
        IpPermissions=[_rule_permission(req)],
        TagSpecifications=tag_specifications("security-group-rule", req.get("tags")),
    )["SecurityGroupRules"]
    rule_id = rules[0]["SecurityGroupRuleId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"security-group-rule/{rule_id}"),
        "securityGroupRuleId": rule_id,
    }
    return Created(rule_id, state)


@resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def security_group_ingress_rule(aws: AwsSession, req: Request) -> Created:
    return _security_group_rule(aws, req, "ingress")


@resource("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def security_group_egress_rule(aws: AwsSession, req: Request) -> Created:
    return _security_group_rule(aws, req, "egress")


# --- changes to an applied stack: updates in place and deletes ------------------------------


def _replace_inline_rules(aws: AwsSession, req: Request, old: Existing) -> None:
    """The provider's updateSecurityGroupRules: the rules that went are revoked, the new authorized."""
    ec2 = ec2_client(aws)
    for direction, revoke, authorize in (
        ("ingress", ec2.revoke_security_group_ingress, ec2.authorize_security_group_ingress),
        ("egress", ec2.revoke_security_group_egress, ec2.authorize_security_group_egress),
    ):
        before, after = old.inputs.get(direction) or [], req.get(direction, [])
        for rule in [r for r in before if r not in after]:
            aws_call(req, revoke, GroupId=old.id, IpPermissions=[_inline_permission(rule)])
        for rule in [r for r in after if r not in before]:
            aws_call(req, authorize, GroupId=old.id, IpPermissions=[_inline_permission(rule)])


@updates("aws:ec2/securityGroup:SecurityGroup", handles=(*TAGS, "ingress", "egress", "revokeRulesOnDelete"))
def update_security_group(aws: AwsSession, req: Request, old: Existing) -> Created:
    _replace_inline_rules(aws, req, old)
    retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req), **_group_state(aws, req, old.id)))


@deletes("aws:ec2/securityGroup:SecurityGroup")
def delete_security_group(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_security_group, GroupId=old.id)


# a default group's rules and tags change as any group's do (it has no revokeRulesOnDelete)
updates("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", handles=(*TAGS, "ingress", "egress"))(
    update_security_group
)


@deletes("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def delete_default_security_group(aws: AwsSession, old: Existing) -> None:
    """AWS keeps a VPC's default group as long as the VPC: the provider only forgets it."""


RULE_FIELDS = (
    "ipProtocol",
    "fromPort",
    "toPort",
    "description",
    *("cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"),
)


def _update_rule(aws: AwsSession, req: Request, old: Existing) -> Created:
    """ModifySecurityGroupRules, as the provider's Update (the source keeps its kind: force_new.py)."""
    if any(req.get(key) != old.inputs.get(key) for key in RULE_FIELDS):
        permission = _rule_permission(req)
        rule = without_none(
            {
                "IpProtocol": permission["IpProtocol"],
                "FromPort": permission.get("FromPort", -1),
                "ToPort": permission.get("ToPort", -1),
                "CidrIpv4": req.get("cidrIpv4"),
                "CidrIpv6": req.get("cidrIpv6"),
                "PrefixListId": req.get("prefixListId"),
                "ReferencedGroupId": req.get("referencedSecurityGroupId"),
                "Description": req.get("description"),
            }
        )
        aws_call(
            req,
            ec2_client(aws).modify_security_group_rules,
            GroupId=req.get("securityGroupId"),
            SecurityGroupRules=[{"SecurityGroupRuleId": old.id, "SecurityGroupRule": rule}],
        )
    retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req)))


@updates("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", handles=(*TAGS, *RULE_FIELDS))
def update_security_group_ingress_rule(aws: AwsSession, req: Request, old: Existing) -> Created:
    return _update_rule(aws, req, old)


@updates("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", handles=(*TAGS, *RULE_FIELDS))
def update_security_group_egress_rule(aws: AwsSession, req: Request, old: Existing) -> Created:
    return _update_rule(aws, req, old)


RULE_GONE = ("InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound")


@deletes("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def delete_security_group_ingress_rule(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        ec2_client(aws).revoke_security_group_ingress,
        *RULE_GONE,
        GroupId=old.inputs.get("securityGroupId"),
        SecurityGroupRuleIds=[old.id],
    )


@deletes("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def delete_security_group_egress_rule(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        ec2_client(aws).revoke_security_group_egress,
        *RULE_GONE,
        GroupId=old.inputs.get("securityGroupId"),
        SecurityGroupRuleIds=[old.id],
    )
