"""EC2 and VPC: networks, gateways, routes, security groups and their rules.

Covers: aws:ec2 Vpc, Subnet, InternetGateway, Eip, NatGateway, RouteTable, Route,
RouteTableAssociation, VpcEndpoint, SecurityGroup, DefaultSecurityGroup, FlowLog, LaunchTemplate; aws:vpc
SecurityGroupIngressRule and SecurityGroupEgressRule; the getAvailabilityZones, getVpc
and getSubnet invokes; and the fixtures `provide_network`, `provide_vpc` and
`provide_security_group` for what a stack references but does not own.

Like the Terraform provider that pulumi-aws bridges, a new security group loses AWS's
default allow-all egress rule: egress exists only where the program declares it.

A DefaultSecurityGroup adopts the VPC's `default` group as the provider does: every rule
it holds is revoked, then the declared ones (if any) are authorized.

A FlowLog to CloudWatch Logs names its log group by ARN; the handler gives moto the log
group's name instead (AWS takes either), because moto looks the group up by name only and
would otherwise report the delivery as failed. What moto lacks: it never assumes the
delivery role, so a role the flow logs service may not assume is not noticed here.

A change to an applied stack updates in place what the provider updates in place (tags
everywhere; DNS attributes; inline rules; a route's target; a rule through
ModifySecurityGroupRules; a launch template by a new version, made the default when
`updateDefaultVersion` says so) and deletes as the provider does (an internet gateway detached
first; a default security group left in place, only forgotten).

What moto lacks: choosing an id at creation, so the fixtures pin moto's id generators
(`AwsSession.pinned`: in-process, or through this project's moto server, tools/emulator/server.py).
moto keeps a launch template's `resolve:ssm:` image id as given, as AWS does until
launch; the handler checks the parameter exists, as a launch would. Instances moto launches do not take the
template's metadata options: read those from the template, not the instance.
"""

from __future__ import annotations

import ipaddress
import zlib
from typing import Any

from botocore.exceptions import ClientError

from ..core.registry import Created, EmulatorError, Existing, Request, deletes, invoke, resource, updates
from ..core.session import AwsSession, aws_call, gone
from ..core.wire import aws_tags, retagged, tag_specifications, tags_state, text_bool, to_int, without_none

ALL_TRAFFIC = "-1"


def _ec2(aws: AwsSession) -> Any:
    return aws.client("ec2")


@resource("aws:ec2/vpc:Vpc")
def vpc(aws: AwsSession, req: Request) -> Created:
    ec2 = _ec2(aws)
    created = aws_call(
        req,
        ec2.create_vpc,
        CidrBlock=req.get("cidrBlock"),
        InstanceTenancy=req.get("instanceTenancy", "default"),
        TagSpecifications=tag_specifications("vpc", req.get("tags")),
    )["Vpc"]
    vpc_id = created["VpcId"]
    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        if req.get(attribute) is not None:
            key = attribute[0].upper() + attribute[1:]
            aws_call(req, ec2.modify_vpc_attribute, VpcId=vpc_id, **{key: {"Value": bool(req.get(attribute))}})
    main_table = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"vpc/{vpc_id}"),
        "cidrBlock": created["CidrBlock"],
        "enableDnsSupport": req.get("enableDnsSupport", True),
        "enableDnsHostnames": req.get("enableDnsHostnames", False),
        "instanceTenancy": created.get("InstanceTenancy", "default"),
        "mainRouteTableId": main_table,
        "defaultRouteTableId": main_table,
        "defaultSecurityGroupId": default_sg,
        "ownerId": aws.account_id,
    }
    return Created(vpc_id, state)


@resource("aws:ec2/subnet:Subnet")
def subnet(aws: AwsSession, req: Request) -> Created:
    created = aws_call(
        req,
        _ec2(aws).create_subnet,
        VpcId=req.get("vpcId"),
        CidrBlock=req.get("cidrBlock"),
        AvailabilityZone=req.get("availabilityZone"),
        TagSpecifications=tag_specifications("subnet", req.get("tags")),
    )["Subnet"]
    subnet_id = created["SubnetId"]
    if req.get("mapPublicIpOnLaunch"):
        aws_call(req, _ec2(aws).modify_subnet_attribute, SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"subnet/{subnet_id}"),
        "availabilityZone": created["AvailabilityZone"],
        "availabilityZoneId": created.get("AvailabilityZoneId"),
        "mapPublicIpOnLaunch": bool(req.get("mapPublicIpOnLaunch", False)),
        "ownerId": aws.account_id,
    }
    return Created(subnet_id, state)


@resource("aws:ec2/internetGateway:InternetGateway")
def internet_gateway(aws: AwsSession, req: Request) -> Created:
    ec2 = _ec2(aws)
    gateway_id = aws_call(
        req,
        ec2.create_internet_gateway,
        TagSpecifications=tag_specifications("internet-gateway", req.get("tags")),
    )["InternetGateway"]["InternetGatewayId"]
    if req.get("vpcId"):
        aws_call(req, ec2.attach_internet_gateway, InternetGatewayId=gateway_id, VpcId=req.get("vpcId"))
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"internet-gateway/{gateway_id}"),
        "ownerId": aws.account_id,
    }
    return Created(gateway_id, state)


@resource("aws:ec2/eip:Eip")
def eip(aws: AwsSession, req: Request) -> Created:
    created = aws_call(
        req,
        _ec2(aws).allocate_address,
        Domain=req.get("domain", "vpc"),
        TagSpecifications=tag_specifications("elastic-ip", req.get("tags")),
    )
    state = {
        **req.inputs,
        **tags_state(req),
        "allocationId": created["AllocationId"],
        "publicIp": created["PublicIp"],
        "domain": created.get("Domain", "vpc"),
        "arn": aws.arn("ec2", f"elastic-ip/{created['AllocationId']}"),
    }
    return Created(created["AllocationId"], state)


@resource("aws:ec2/natGateway:NatGateway")
def nat_gateway(aws: AwsSession, req: Request) -> Created:
    created = aws_call(
        req,
        _ec2(aws).create_nat_gateway,
        SubnetId=req.get("subnetId"),
        AllocationId=req.get("allocationId"),
        ConnectivityType=req.get("connectivityType", "public"),
        TagSpecifications=tag_specifications("natgateway", req.get("tags")),
    )["NatGateway"]
    address = (created.get("NatGatewayAddresses") or [{}])[0]
    state = {
        **req.inputs,
        **tags_state(req),
        "connectivityType": created.get("ConnectivityType", "public"),
        "networkInterfaceId": address.get("NetworkInterfaceId"),
        "privateIp": address.get("PrivateIp"),
        "publicIp": address.get("PublicIp"),
    }
    return Created(created["NatGatewayId"], state)


@resource("aws:ec2/routeTable:RouteTable")
def route_table(aws: AwsSession, req: Request) -> Created:
    if req.get("routes"):
        raise EmulatorError(f"{req.type} '{req.name}': declare routes as aws.ec2.Route resources, not inline")
    table_id = aws_call(
        req,
        _ec2(aws).create_route_table,
        VpcId=req.get("vpcId"),
        TagSpecifications=tag_specifications("route-table", req.get("tags")),
    )["RouteTable"]["RouteTableId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"route-table/{table_id}"),
        "routes": [],
        "ownerId": aws.account_id,
    }
    return Created(table_id, state)


@resource("aws:ec2/route:Route")
def route(aws: AwsSession, req: Request) -> Created:
    targets = {
        "GatewayId": req.get("gatewayId"),
        "NatGatewayId": req.get("natGatewayId"),
        "VpcEndpointId": req.get("vpcEndpointId"),
        "NetworkInterfaceId": req.get("networkInterfaceId"),
    }
    aws_call(
        req,
        _ec2(aws).create_route,
        RouteTableId=req.get("routeTableId"),
        DestinationCidrBlock=req.get("destinationCidrBlock"),
        DestinationIpv6CidrBlock=req.get("destinationIpv6CidrBlock"),
        **targets,
    )
    destination = req.get("destinationCidrBlock") or req.get("destinationIpv6CidrBlock")
    # the provider's id for a route: r-<table id><crc32 of the destination>
    route_id = f"r-{req.get('routeTableId')}{zlib.crc32(destination.encode())}"
    return Created(route_id, {**req.inputs, "origin": "CreateRoute", "state": "active"})


@resource("aws:ec2/routeTableAssociation:RouteTableAssociation")
def route_table_association(aws: AwsSession, req: Request) -> Created:
    association_id = aws_call(
        req,
        _ec2(aws).associate_route_table,
        RouteTableId=req.get("routeTableId"),
        SubnetId=req.get("subnetId"),
        GatewayId=req.get("gatewayId"),
    )["AssociationId"]
    return Created(association_id, dict(req.inputs))


@resource("aws:ec2/vpcEndpoint:VpcEndpoint")
def vpc_endpoint(aws: AwsSession, req: Request) -> Created:
    created = aws_call(
        req,
        _ec2(aws).create_vpc_endpoint,
        VpcId=req.get("vpcId"),
        ServiceName=req.get("serviceName"),
        VpcEndpointType=req.get("vpcEndpointType", "Gateway"),
        RouteTableIds=req.get("routeTableIds"),
        SubnetIds=req.get("subnetIds"),
        SecurityGroupIds=req.get("securityGroupIds"),
        PrivateDnsEnabled=req.get("privateDnsEnabled"),
        TagSpecifications=tag_specifications("vpc-endpoint", req.get("tags")),
    )["VpcEndpoint"]
    endpoint_id = created["VpcEndpointId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        "state": created.get("State", "available"),
        "ownerId": aws.account_id,
    }
    return Created(endpoint_id, state)


@resource("aws:ec2/securityGroup:SecurityGroup")
def security_group(aws: AwsSession, req: Request) -> Created:
    ec2 = _ec2(aws)
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
    ec2 = _ec2(aws)
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
    ec2 = _ec2(aws)
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


@resource("aws:ec2/flowLog:FlowLog")
def flow_log(aws: AwsSession, req: Request) -> Created:
    target = _flow_log_target(req)
    destination_type = req.get("logDestinationType", "cloud-watch-logs")
    destination = req.get("logDestination")
    where = (
        {"LogGroupName": destination.split(":log-group:", 1)[1].removesuffix(":*")}
        if destination_type == "cloud-watch-logs" and destination and ":log-group:" in destination
        else {"LogDestination": destination}
    )
    created = aws_call(
        req,
        _ec2(aws).create_flow_logs,
        ResourceType=target[0],
        ResourceIds=[target[1]],
        TrafficType=req.get("trafficType"),
        LogDestinationType=destination_type,
        DeliverLogsPermissionArn=req.get("iamRoleArn"),
        LogFormat=req.get("logFormat"),
        MaxAggregationInterval=to_int(req.get("maxAggregationInterval")),
        TagSpecifications=tag_specifications("vpc-flow-log", req.get("tags")),
        **where,
    )
    if created.get("Unsuccessful"):
        error = created["Unsuccessful"][0]["Error"]
        raise EmulatorError(f"{req.type} '{req.name}': {error['Code']}: {error['Message']}")
    flow_log_id = created["FlowLogIds"][0]
    [described] = _ec2(aws).describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"]
    state = {
        **req.inputs,
        **tags_state(req),
        "arn": aws.arn("ec2", f"vpc-flow-log/{flow_log_id}"),
        "logDestinationType": destination_type,
        "logFormat": described.get("LogFormat"),
        "maxAggregationInterval": described.get("MaxAggregationInterval", 600),
    }
    return Created(flow_log_id, state)


def _flow_log_target(req: Request) -> tuple[str, str]:
    """(EC2's ResourceType, the id) of the one thing a flow log watches."""
    targets = {"vpcId": "VPC", "subnetId": "Subnet", "eniId": "NetworkInterface"}
    given = [(kind, req.get(key)) for key, kind in targets.items() if req.get(key)]
    if len(given) != 1:
        raise EmulatorError(f"{req.type} '{req.name}': exactly one of {', '.join(targets)} is required")
    return given[0]


@invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def get_availability_zones(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    filters = [{"Name": "state", "Values": [args["state"]]}] if args.get("state") else []
    zones = _ec2(aws).describe_availability_zones(Filters=filters)["AvailabilityZones"]
    zones.sort(key=lambda z: z["ZoneName"])
    return {
        "id": aws.region,
        "names": [z["ZoneName"] for z in zones],
        "zoneIds": [z["ZoneId"] for z in zones],
        "groupNames": sorted({z.get("GroupName", aws.region) for z in zones}),
        "state": args.get("state"),
    }


@invoke("aws:ec2/getVpc:getVpc")
def get_vpc(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    found = _describe_one(aws, "describe_vpcs", "Vpcs", "VpcIds", args.get("id"))
    return {
        "id": found["VpcId"],
        "arn": aws.arn("ec2", f"vpc/{found['VpcId']}"),
        "cidrBlock": found["CidrBlock"],
        "state": found.get("State"),
        "ownerId": found.get("OwnerId", aws.account_id),
        "tags": {t["Key"]: t["Value"] for t in found.get("Tags", [])},
    }


@invoke("aws:ec2/getSubnet:getSubnet")
def get_subnet(aws: AwsSession, args: dict[str, Any]) -> dict[str, Any]:
    found = _describe_one(aws, "describe_subnets", "Subnets", "SubnetIds", args.get("id"))
    return {
        "id": found["SubnetId"],
        "arn": aws.arn("ec2", f"subnet/{found['SubnetId']}"),
        "vpcId": found["VpcId"],
        "cidrBlock": found["CidrBlock"],
        "availabilityZone": found["AvailabilityZone"],
        "availabilityZoneId": found.get("AvailabilityZoneId"),
        "mapPublicIpOnLaunch": found.get("MapPublicIpOnLaunch", False),
        "tags": {t["Key"]: t["Value"] for t in found.get("Tags", [])},
    }


def _describe_one(aws: AwsSession, operation: str, key: str, id_param: str, wanted: str | None) -> dict[str, Any]:
    if not wanted:
        raise EmulatorError(f"{operation}: the emulator looks resources up by id only")
    request = Request(type=f"ec2:{operation}", name=wanted, inputs={})
    found = aws_call(request, getattr(_ec2(aws), operation), **{id_param: [wanted]})[key]
    return found[0]


# --- fixtures: what an existing-VPC stack expects to find ---------------------------

VPC_IDS = "moto.ec2.models.vpcs.random_vpc_id"
SUBNET_IDS = "moto.ec2.models.subnets.random_subnet_id"
SECURITY_GROUP_IDS = "moto.ec2.models.security_groups.random_security_group_id"
"""moto's id generators, pinned to create a resource under the id a stack names."""


def provide_network(
    aws: AwsSession,
    vpc_id: str,
    public_subnet_ids: list[str],
    private_subnet_ids: list[str],
    *,
    cidr: str = "10.90.0.0/16",
) -> None:
    """Make an existing VPC with these ids exist, its subnets spread over the region's AZs
    (what already exists, e.g. in a moto server the network was made in, is kept as it is)."""
    ec2 = _ec2(aws)
    request = Request(type="existing VPC", name=vpc_id, inputs={})
    if not _exists(ec2.describe_vpcs, "Vpcs", VpcIds=[vpc_id]):
        with aws.pinned(request, VPC_IDS, vpc_id):
            aws_call(request, ec2.create_vpc, CidrBlock=cidr)
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    blocks = ipaddress.ip_network(cidr).subnets(new_prefix=24)
    subnets = [(s, True) for s in public_subnet_ids] + [(s, False) for s in private_subnet_ids]
    for index, (subnet_id, public) in enumerate(subnets):
        zone = zones[(index if public else index - len(public_subnet_ids)) % len(zones)]
        block = str(next(blocks))
        if _exists(ec2.describe_subnets, "Subnets", SubnetIds=[subnet_id]):
            continue
        subnet = Request(type="existing subnet", name=subnet_id, inputs={})
        with aws.pinned(subnet, SUBNET_IDS, subnet_id):
            aws_call(subnet, ec2.create_subnet, VpcId=vpc_id, CidrBlock=block, AvailabilityZone=zone)


def provide_vpc(aws: AwsSession, cidr: str = "10.91.0.0/16") -> str:
    """A VPC the stack does not own, for the things that live in someone else's network."""
    return _ec2(aws).create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def provide_security_group(aws: AwsSession, group_id: str, vpc_id: str) -> None:
    """Make a security group the stack references but does not own (e.g. the database's)."""
    ec2 = _ec2(aws)
    if _exists(ec2.describe_security_groups, "SecurityGroups", GroupIds=[group_id]):
        return
    request = Request(type="existing security group", name=group_id, inputs={})
    with aws.pinned(request, SECURITY_GROUP_IDS, group_id):
        aws_call(
            request,
            ec2.create_security_group,
            GroupName=f"existing-{group_id}",
            Description="provided by the emulator",
            VpcId=vpc_id,
        )


def _exists(describe: Any, key: str, **ids: list[str]) -> bool:
    """Whether the resources `ids` names exist (AWS refuses to describe an unknown id)."""
    try:
        return bool(describe(**ids)[key])
    except ClientError as err:
        if err.response.get("Error", {}).get("Code", "").endswith(".NotFound"):
            return False
        raise


# --- launch templates ------------------------------------------------------------------

RESOLVE_SSM = "resolve:ssm:"


@resource("aws:ec2/launchTemplate:LaunchTemplate")
def launch_template(aws: AwsSession, req: Request) -> Created:
    name = aws.physical_name(req, 128)
    _check_image(aws, req)
    created = aws_call(
        req,
        _ec2(aws).create_launch_template,
        LaunchTemplateName=name,
        VersionDescription=req.get("description"),
        LaunchTemplateData=_launch_template_data(req),
        TagSpecifications=tag_specifications("launch-template", req.get("tags")),
    )["LaunchTemplate"]
    template_id = created["LaunchTemplateId"]
    state = {
        **req.inputs,
        **tags_state(req),
        "name": name,
        "arn": aws.arn("ec2", f"launch-template/{template_id}"),
        "latestVersion": created["LatestVersionNumber"],
        "defaultVersion": created["DefaultVersionNumber"],
    }
    return Created(template_id, state)


def _check_image(aws: AwsSession, req: Request) -> None:
    """AWS resolves `resolve:ssm:` at launch; a parameter that does not exist fails then. Fail now."""
    image = req.get("imageId", "")
    if image.startswith(RESOLVE_SSM):
        aws_call(req, aws.client("ssm").get_parameter, Name=image[len(RESOLVE_SSM) :])


def _launch_template_data(req: Request) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ImageId": req.get("imageId"),
        "InstanceType": req.get("instanceType"),
        "UserData": req.get("userData"),
        "SecurityGroupIds": req.get("vpcSecurityGroupIds"),
        "EbsOptimized": text_bool(req.get("ebsOptimized")),
    }
    profile = req.get("iamInstanceProfile", {})
    if profile:
        data["IamInstanceProfile"] = {"Arn": profile["arn"]} if profile.get("arn") else {"Name": profile.get("name")}
    metadata = req.get("metadataOptions", {})
    if metadata:
        data["MetadataOptions"] = without_none(
            {
                "HttpEndpoint": metadata.get("httpEndpoint"),
                "HttpTokens": metadata.get("httpTokens"),
                "HttpPutResponseHopLimit": to_int(metadata.get("httpPutResponseHopLimit")),
                "InstanceMetadataTags": metadata.get("instanceMetadataTags"),
            }
        )
    if req.get("monitoring"):
        data["Monitoring"] = {"Enabled": bool(req.get("monitoring").get("enabled"))}
    data["BlockDeviceMappings"] = [_block_device(d) for d in req.get("blockDeviceMappings", [])]
    data["TagSpecifications"] = [
        {"ResourceType": spec["resourceType"], "Tags": aws_tags(spec.get("tags"))}
        for spec in req.get("tagSpecifications", [])
    ]
    return without_none(data)


def _block_device(device: dict[str, Any]) -> dict[str, Any]:
    ebs = device.get("ebs", {})
    return without_none(
        {
            "DeviceName": device.get("deviceName"),
            "Ebs": without_none(
                {
                    "VolumeSize": to_int(ebs.get("volumeSize")),
                    "VolumeType": ebs.get("volumeType"),
                    "Encrypted": text_bool(ebs.get("encrypted")),
                    "DeleteOnTermination": text_bool(ebs.get("deleteOnTermination")),
                    "KmsKeyId": ebs.get("kmsKeyId"),
                    "Iops": to_int(ebs.get("iops")),
                    "Throughput": to_int(ebs.get("throughput")),
                }
            ),
        }
    )


# --- changes to an applied stack: updates in place and deletes ------------------------------

TAGS = ("tags",)


def _retag(aws: AwsSession, req: Request, old: Existing, resource_id: str) -> None:
    """EC2's tags of one resource, as the provider's updateTags changes them."""
    to_set, to_remove = retagged(old, req)
    if to_remove:
        aws_call(req, _ec2(aws).delete_tags, Resources=[resource_id], Tags=[{"Key": k} for k in to_remove])
    if to_set:
        aws_call(req, _ec2(aws).create_tags, Resources=[resource_id], Tags=aws_tags(to_set))


def _tags_only(aws: AwsSession, req: Request, old: Existing) -> Created:
    _retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req)))


@updates("aws:ec2/vpc:Vpc", handles=(*TAGS, "enableDnsHostnames", "enableDnsSupport"))
def update_vpc(aws: AwsSession, req: Request, old: Existing) -> Created:
    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        if req.get(attribute) != old.inputs.get(attribute) and req.get(attribute) is not None:
            key = attribute[0].upper() + attribute[1:]
            aws_call(req, _ec2(aws).modify_vpc_attribute, VpcId=old.id, **{key: {"Value": bool(req.get(attribute))}})
    return _tags_only(aws, req, old)


@deletes("aws:ec2/vpc:Vpc")
def delete_vpc(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_vpc, VpcId=old.id)


@updates("aws:ec2/subnet:Subnet", handles=(*TAGS, "mapPublicIpOnLaunch"))
def update_subnet(aws: AwsSession, req: Request, old: Existing) -> Created:
    if bool(req.get("mapPublicIpOnLaunch", False)) != bool(old.inputs.get("mapPublicIpOnLaunch", False)):
        aws_call(
            req,
            _ec2(aws).modify_subnet_attribute,
            SubnetId=old.id,
            MapPublicIpOnLaunch={"Value": bool(req.get("mapPublicIpOnLaunch", False))},
        )
    return _tags_only(aws, req, old)


@deletes("aws:ec2/subnet:Subnet")
def delete_subnet(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_subnet, SubnetId=old.id)


@updates("aws:ec2/internetGateway:InternetGateway", handles=(*TAGS, "vpcId"))
def update_internet_gateway(aws: AwsSession, req: Request, old: Existing) -> Created:
    before, after = old.inputs.get("vpcId"), req.get("vpcId")
    if before != after:
        if before:
            aws_call(req, _ec2(aws).detach_internet_gateway, InternetGatewayId=old.id, VpcId=before)
        if after:
            aws_call(req, _ec2(aws).attach_internet_gateway, InternetGatewayId=old.id, VpcId=after)
    return _tags_only(aws, req, old)


@deletes("aws:ec2/internetGateway:InternetGateway")
def delete_internet_gateway(aws: AwsSession, old: Existing) -> None:
    if old.inputs.get("vpcId"):  # the provider detaches it first; AWS refuses to delete an attached one
        gone(
            old,
            _ec2(aws).detach_internet_gateway,
            "Gateway.NotAttached",
            InternetGatewayId=old.id,
            VpcId=old.inputs["vpcId"],
        )
    gone(old, _ec2(aws).delete_internet_gateway, InternetGatewayId=old.id)


updates("aws:ec2/eip:Eip", handles=TAGS)(_tags_only)


@deletes("aws:ec2/eip:Eip")
def delete_eip(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).release_address, AllocationId=old.id)


updates("aws:ec2/natGateway:NatGateway", handles=TAGS)(_tags_only)


@deletes("aws:ec2/natGateway:NatGateway")
def delete_nat_gateway(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_nat_gateway, NatGatewayId=old.id)


updates("aws:ec2/routeTable:RouteTable", handles=TAGS)(_tags_only)


@deletes("aws:ec2/routeTable:RouteTable")
def delete_route_table(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_route_table, RouteTableId=old.id)


ROUTE_TARGETS = ("gatewayId", "natGatewayId", "vpcEndpointId", "networkInterfaceId")


@updates("aws:ec2/route:Route", handles=ROUTE_TARGETS)
def update_route(aws: AwsSession, req: Request, old: Existing) -> Created:
    target = {key[0].upper() + key[1:]: req.get(key) for key in ROUTE_TARGETS}
    aws_call(
        req,
        _ec2(aws).replace_route,
        RouteTableId=req.get("routeTableId"),
        DestinationCidrBlock=req.get("destinationCidrBlock"),
        DestinationIpv6CidrBlock=req.get("destinationIpv6CidrBlock"),
        **target,
    )
    return Created(old.id, old.updated(req))


@deletes("aws:ec2/route:Route")
def delete_route(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _ec2(aws).delete_route,
        "InvalidRoute.NotFound",
        RouteTableId=old.inputs.get("routeTableId"),
        DestinationCidrBlock=old.inputs.get("destinationCidrBlock"),
        DestinationIpv6CidrBlock=old.inputs.get("destinationIpv6CidrBlock"),
    )


@updates("aws:ec2/routeTableAssociation:RouteTableAssociation", handles=("routeTableId",))
def update_route_table_association(aws: AwsSession, req: Request, old: Existing) -> Created:
    # ReplaceRouteTableAssociation answers with a new association id, which the provider keeps
    new_id = aws_call(
        req, _ec2(aws).replace_route_table_association, AssociationId=old.id, RouteTableId=req.get("routeTableId")
    )["NewAssociationId"]
    return Created(new_id, old.updated(req))


@deletes("aws:ec2/routeTableAssociation:RouteTableAssociation")
def delete_route_table_association(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).disassociate_route_table, "InvalidAssociationID.NotFound", AssociationId=old.id)


@updates("aws:ec2/vpcEndpoint:VpcEndpoint", handles=(*TAGS, "routeTableIds"))
def update_vpc_endpoint(aws: AwsSession, req: Request, old: Existing) -> Created:
    before, after = set(old.inputs.get("routeTableIds") or []), set(req.get("routeTableIds", []))
    if before != after:
        aws_call(
            req,
            _ec2(aws).modify_vpc_endpoint,
            VpcEndpointId=old.id,
            AddRouteTableIds=sorted(after - before) or None,
            RemoveRouteTableIds=sorted(before - after) or None,
        )
    return _tags_only(aws, req, old)


@deletes("aws:ec2/vpcEndpoint:VpcEndpoint")
def delete_vpc_endpoint(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_vpc_endpoints, VpcEndpointIds=[old.id])


def _replace_inline_rules(aws: AwsSession, req: Request, old: Existing) -> None:
    """The provider's updateSecurityGroupRules: the rules that went are revoked, the new authorized."""
    ec2 = _ec2(aws)
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
    _retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req), **_group_state(aws, req, old.id)))


@deletes("aws:ec2/securityGroup:SecurityGroup")
def delete_security_group(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_security_group, GroupId=old.id)


@updates("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", handles=(*TAGS, "ingress", "egress"))
def update_default_security_group(aws: AwsSession, req: Request, old: Existing) -> Created:
    _replace_inline_rules(aws, req, old)
    _retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req), **_group_state(aws, req, old.id)))


@deletes("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def delete_default_security_group(aws: AwsSession, old: Existing) -> None:
    """AWS keeps a VPC's default group as long as the VPC: the provider only forgets it."""


updates("aws:ec2/flowLog:FlowLog", handles=TAGS)(_tags_only)


@deletes("aws:ec2/flowLog:FlowLog")
def delete_flow_log(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_flow_logs, FlowLogIds=[old.id])


LAUNCH_DATA = (
    "imageId",
    "instanceType",
    "userData",
    "vpcSecurityGroupIds",
    "ebsOptimized",
    "iamInstanceProfile",
    "metadataOptions",
    "monitoring",
    "blockDeviceMappings",
    "tagSpecifications",
    "description",
)
"""What the provider's update puts in a new template version (its updateKeys, as we declare them)."""


@updates("aws:ec2/launchTemplate:LaunchTemplate", handles=(*TAGS, *LAUNCH_DATA, "updateDefaultVersion"))
def update_launch_template(aws: AwsSession, req: Request, old: Existing) -> Created:
    """A changed template is a new version (the whole data again, as the provider sends it), made the
    default when `updateDefaultVersion`; the group then refers to it by its number."""
    ec2 = _ec2(aws)
    latest, default = old.get("latestVersion"), old.get("defaultVersion")
    if any(req.get(key) != old.inputs.get(key) for key in LAUNCH_DATA):
        _check_image(aws, req)
        latest = aws_call(
            req,
            ec2.create_launch_template_version,
            LaunchTemplateId=old.id,
            VersionDescription=req.get("description"),
            LaunchTemplateData=_launch_template_data(req),
        )["LaunchTemplateVersion"]["VersionNumber"]
    if req.get("updateDefaultVersion") and default != latest:
        aws_call(req, ec2.modify_launch_template, LaunchTemplateId=old.id, DefaultVersion=str(latest))
        default = latest
    _retag(aws, req, old, old.id)
    return Created(old.id, old.updated(req, **tags_state(req), latestVersion=latest, defaultVersion=default))


@deletes("aws:ec2/launchTemplate:LaunchTemplate")
def delete_launch_template(aws: AwsSession, old: Existing) -> None:
    gone(old, _ec2(aws).delete_launch_template, "InvalidLaunchTemplateId.NotFound", LaunchTemplateId=old.id)


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
            _ec2(aws).modify_security_group_rules,
            GroupId=req.get("securityGroupId"),
            SecurityGroupRules=[{"SecurityGroupRuleId": old.id, "SecurityGroupRule": rule}],
        )
    _retag(aws, req, old, old.id)
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
        _ec2(aws).revoke_security_group_ingress,
        *RULE_GONE,
        GroupId=old.inputs.get("securityGroupId"),
        SecurityGroupRuleIds=[old.id],
    )


@deletes("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def delete_security_group_egress_rule(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _ec2(aws).revoke_security_group_egress,
        *RULE_GONE,
        GroupId=old.inputs.get("securityGroupId"),
        SecurityGroupRuleIds=[old.id],
    )
