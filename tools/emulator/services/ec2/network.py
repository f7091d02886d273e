"""EC2's networks: VPC, subnets, gateways, routes, VPC endpoints and flow logs.

Covers: aws:ec2 Vpc, Subnet, InternetGateway, Eip, NatGateway, RouteTable, Route,
RouteTableAssociation, VpcEndpoint, FlowLog; the getAvailabilityZones, getVpc and getSubnet invokes.

A FlowLog to CloudWatch Logs names its log group by ARN; the handler gives moto the log
group's name instead (AWS takes either), because moto looks the group up by name only and
would otherwise report the delivery as failed. What moto lacks: it never assumes the
delivery role, so a role the flow logs service may not assume is not noticed here.

A change to an applied stack updates in place what the provider updates in place (tags
everywhere; DNS attributes; a route's target) and deletes as the provider does (an internet
gateway detached first).
"""

from __future__ import annotations

import zlib
from typing import Any

from ...core.registry import Created, EmulatorError, Existing, Request, deletes, invoke, resource, updates
from ...core.session import AwsSession, aws_call, gone
from ...core.wire import tag_specifications, tags_state, to_int
from .common import TAGS, ec2_client, tags_only


@resource("aws:ec2/vpc:Vpc")
def vpc(aws: AwsSession, req: Request) -> Created:
    ec2 = ec2_client(aws)
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
        ec2_client(aws).create_subnet,
        VpcId=req.get("vpcId"),
        CidrBlock=req.get("cidrBlock"),
        AvailabilityZone=req.get("availabilityZone"),
        TagSpecifications=tag_specifications("subnet", req.get("tags")),
    )["Subnet"]
    subnet_id = created["SubnetId"]
    if req.get("mapPublicIpOnLaunch"):
        aws_call(req, ec2_client(aws).modify_subnet_attribute, SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
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
    ec2 = ec2_client(aws)
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
        ec2_client(aws).allocate_address,
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
        ec2_client(aws).create_nat_gateway,
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
        ec2_client(aws).create_route_table,
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
        ec2_client(aws).create_route,
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
        ec2_client(aws).associate_route_table,
        RouteTableId=req.get("routeTableId"),
        SubnetId=req.get("subnetId"),
        GatewayId=req.get("gatewayId"),
    )["AssociationId"]
    return Created(association_id, dict(req.inputs))


@resource("aws:ec2/vpcEndpoint:VpcEndpoint")
def vpc_endpoint(aws: AwsSession, req: Request) -> Created:
    created = aws_call(
        req,
        ec2_client(aws).create_vpc_endpoint,
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
        ec2_client(aws).create_flow_logs,
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
    [described] = ec2_client(aws).describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"]
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
    zones = ec2_client(aws).describe_availability_zones(Filters=filters)["AvailabilityZones"]
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
    found = aws_call(request, getattr(ec2_client(aws), operation), **{id_param: [wanted]})[key]
    return found[0]


# --- changes to an applied stack: updates in place and deletes ------------------------------


@updates("aws:ec2/vpc:Vpc", handles=(*TAGS, "enableDnsHostnames", "enableDnsSupport"))
def update_vpc(aws: AwsSession, req: Request, old: Existing) -> Created:
    for attribute in ("enableDnsHostnames", "enableDnsSupport"):
        if req.get(attribute) != old.inputs.get(attribute) and req.get(attribute) is not None:
            key = attribute[0].upper() + attribute[1:]
            aws_call(
                req, ec2_client(aws).modify_vpc_attribute, VpcId=old.id, **{key: {"Value": bool(req.get(attribute))}}
            )
    return tags_only(aws, req, old)


@deletes("aws:ec2/vpc:Vpc")
def delete_vpc(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_vpc, VpcId=old.id)


@updates("aws:ec2/subnet:Subnet", handles=(*TAGS, "mapPublicIpOnLaunch"))
def update_subnet(aws: AwsSession, req: Request, old: Existing) -> Created:
    if bool(req.get("mapPublicIpOnLaunch", False)) != bool(old.inputs.get("mapPublicIpOnLaunch", False)):
        aws_call(
            req,
            ec2_client(aws).modify_subnet_attribute,
            SubnetId=old.id,
            MapPublicIpOnLaunch={"Value": bool(req.get("mapPublicIpOnLaunch", False))},
        )
    return tags_only(aws, req, old)


@deletes("aws:ec2/subnet:Subnet")
def delete_subnet(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_subnet, SubnetId=old.id)


@updates("aws:ec2/internetGateway:InternetGateway", handles=(*TAGS, "vpcId"))
def update_internet_gateway(aws: AwsSession, req: Request, old: Existing) -> Created:
    before, after = old.inputs.get("vpcId"), req.get("vpcId")
    if before != after:
        if before:
            aws_call(req, ec2_client(aws).detach_internet_gateway, InternetGatewayId=old.id, VpcId=before)
        if after:
            aws_call(req, ec2_client(aws).attach_internet_gateway, InternetGatewayId=old.id, VpcId=after)
    return tags_only(aws, req, old)


@deletes("aws:ec2/internetGateway:InternetGateway")
def delete_internet_gateway(aws: AwsSession, old: Existing) -> None:
    if old.inputs.get("vpcId"):  # the provider detaches it first; AWS refuses to delete an attached one
        gone(
            old,
            ec2_client(aws).detach_internet_gateway,
            "Gateway.NotAttached",
            InternetGatewayId=old.id,
            VpcId=old.inputs["vpcId"],
        )
    gone(old, ec2_client(aws).delete_internet_gateway, InternetGatewayId=old.id)


updates("aws:ec2/eip:Eip", handles=TAGS)(tags_only)


@deletes("aws:ec2/eip:Eip")
def delete_eip(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).release_address, AllocationId=old.id)


updates("aws:ec2/natGateway:NatGateway", handles=TAGS)(tags_only)


@deletes("aws:ec2/natGateway:NatGateway")
def delete_nat_gateway(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_nat_gateway, NatGatewayId=old.id)


updates("aws:ec2/routeTable:RouteTable", handles=TAGS)(tags_only)


@deletes("aws:ec2/routeTable:RouteTable")
def delete_route_table(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_route_table, RouteTableId=old.id)


ROUTE_TARGETS = ("gatewayId", "natGatewayId", "vpcEndpointId", "networkInterfaceId")


@updates("aws:ec2/route:Route", handles=ROUTE_TARGETS)
def update_route(aws: AwsSession, req: Request, old: Existing) -> Created:
    target = {key[0].upper() + key[1:]: req.get(key) for key in ROUTE_TARGETS}
    aws_call(
        req,
        ec2_client(aws).replace_route,
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
        ec2_client(aws).delete_route,
        "InvalidRoute.NotFound",
        RouteTableId=old.inputs.get("routeTableId"),
        DestinationCidrBlock=old.inputs.get("destinationCidrBlock"),
        DestinationIpv6CidrBlock=old.inputs.get("destinationIpv6CidrBlock"),
    )


@updates("aws:ec2/routeTableAssociation:RouteTableAssociation", handles=("routeTableId",))
def update_route_table_association(aws: AwsSession, req: Request, old: Existing) -> Created:
    # ReplaceRouteTableAssociation answers with a new association id, which the provider keeps
    new_id = aws_call(
        req, ec2_client(aws).replace_route_table_association, AssociationId=old.id, RouteTableId=req.get("routeTableId")
    )["NewAssociationId"]
    return Created(new_id, old.updated(req))


@deletes("aws:ec2/routeTableAssociation:RouteTableAssociation")
def delete_route_table_association(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).disassociate_route_table, "InvalidAssociationID.NotFound", AssociationId=old.id)


@updates("aws:ec2/vpcEndpoint:VpcEndpoint", handles=(*TAGS, "routeTableIds"))
def update_vpc_endpoint(aws: AwsSession, req: Request, old: Existing) -> Created:
    before, after = set(old.inputs.get("routeTableIds") or []), set(req.get("routeTableIds", []))
    if before != after:
        aws_call(
            req,
            ec2_client(aws).modify_vpc_endpoint,
            VpcEndpointId=old.id,
            AddRouteTableIds=sorted(after - before) or None,
            RemoveRouteTableIds=sorted(before - after) or None,
        )
    return tags_only(aws, req, old)


@deletes("aws:ec2/vpcEndpoint:VpcEndpoint")
def delete_vpc_endpoint(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_vpc_endpoints, VpcEndpointIds=[old.id])


updates("aws:ec2/flowLog:FlowLog", handles=TAGS)(tags_only)


@deletes("aws:ec2/flowLog:FlowLog")
def delete_flow_log(aws: AwsSession, old: Existing) -> None:
    gone(old, ec2_client(aws).delete_flow_logs, FlowLogIds=[old.id])
