"""components/network.py: the network each stack builds, asserted on moto's state: the VPC, its
subnets and routes, NAT modes, endpoints, the adopted default security group, an existing VPC.

The shipped stacks are read shared; a NAT mode or an existing VPC is a variant the session shares
too (tests/support/variants.py: `private_dev`, `dev_in_an_existing_vpc`).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from tests.support.aws_state import default_route
from tests.support.fragments import EXISTING_NETWORK


def _subnets(applied, key):
    return applied.client("ec2").describe_subnets(SubnetIds=applied.outputs[key])["Subnets"]


def _default_group(applied) -> list[dict[str, Any]]:
    filters = [{"Name": "vpc-id", "Values": [applied.outputs["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    return applied.client("ec2").describe_security_groups(Filters=filters)["SecurityGroups"]


# --- the VPC and its subnets ----------------------------------------------------------------


def test_prods_vpc_has_its_cidr_and_resolves_private_names(prod):
    ec2 = prod.client("ec2")
    vpc_id = prod.outputs["vpcId"]
    [vpc] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpc["CidrBlock"] == "10.40.0.0/16"
    # Cloud Map's private namespace and the interface endpoints' private DNS need both
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]


def test_prod_spreads_public_and_private_subnets_over_three_zones(prod):
    zones = prod.settings.network.availability_zones
    assert zones == 3
    for key in ("publicSubnetIds", "privateSubnetIds"):
        subnets = _subnets(prod, key)
        assert len({s["AvailabilityZone"] for s in subnets}) == zones
        assert all(s["VpcId"] == prod.outputs["vpcId"] for s in subnets)


def test_prod_subnets_are_the_first_and_ninth_sixteenths_of_the_vpc_zone_by_zone(prod):
    # 10.40.0.0/16 in /20s: public from the first block, private from the ninth (10.40.128.0/20)
    public = {s["AvailabilityZone"]: s["CidrBlock"] for s in _subnets(prod, "publicSubnetIds")}
    private = {s["AvailabilityZone"]: s["CidrBlock"] for s in _subnets(prod, "privateSubnetIds")}
    assert public == {"eu-west-1a": "10.40.0.0/20", "eu-west-1b": "10.40.16.0/20", "eu-west-1c": "10.40.32.0/20"}
    assert private == {"eu-west-1a": "10.40.128.0/20", "eu-west-1b": "10.40.144.0/20", "eu-west-1c": "10.40.160.0/20"}


def test_prod_subnets_fit_the_vpc_and_do_not_overlap(prod):
    vpc = ipaddress.ip_network(prod.settings.network.vpc_cidr)
    blocks = [
        ipaddress.ip_network(s["CidrBlock"]) for k in ("publicSubnetIds", "privateSubnetIds") for s in _subnets(prod, k)
    ]
    assert all(b.subnet_of(vpc) for b in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_no_subnet_gives_instances_a_public_address(prod):
    for key in ("publicSubnetIds", "privateSubnetIds"):
        assert [s["MapPublicIpOnLaunch"] for s in _subnets(prod, key)] == [False, False, False]


# --- routes, NAT gateways and endpoints -----------------------------------------------------


def test_public_subnets_route_to_the_internet_gateway(prod):
    ec2 = prod.client("ec2")
    for subnet in _subnets(prod, "publicSubnetIds"):
        assert default_route(ec2, subnet["SubnetId"])["GatewayId"].startswith("igw-")
        assert subnet["MapPublicIpOnLaunch"] is False


def test_prod_private_subnets_each_use_the_nat_in_their_own_zone(prod):
    ec2 = prod.client("ec2")
    nats = {n["NatGatewayId"]: n["SubnetId"] for n in ec2.describe_nat_gateways()["NatGateways"]}
    zone_of = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets()["Subnets"]}
    assert len(nats) == 3
    for subnet in _subnets(prod, "privateSubnetIds"):
        nat = default_route(ec2, subnet["SubnetId"])["NatGatewayId"]
        assert zone_of[nats[nat]] == subnet["AvailabilityZone"]
        assert nats[nat] in prod.outputs["publicSubnetIds"]


def test_release_downloads_stay_inside_aws_through_an_s3_gateway_endpoint(prod):
    ec2 = prod.client("ec2")
    endpoint = ec2.describe_vpc_endpoints()["VpcEndpoints"][0]
    assert endpoint["ServiceName"] == f"com.amazonaws.{prod.settings.region}.s3"
    private_tables = {
        ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [s]}])["RouteTables"][0][
            "RouteTableId"
        ]
        for s in prod.outputs["privateSubnetIds"]
    }
    assert set(endpoint["RouteTableIds"]) == private_tables


def test_a_single_nat_gateway_serves_every_private_subnet(dev):
    ec2 = dev.client("ec2")  # dev: natGateways single
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 1
    routes = [default_route(ec2, s) for s in dev.outputs["privateSubnetIds"]]
    assert len({r["NatGatewayId"] for r in routes}) == 1


def test_with_nat_there_are_no_interface_endpoints(dev):
    endpoints = dev.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    assert [e["VpcEndpointType"] for e in endpoints] == ["Gateway"]


def test_without_nat_private_subnets_have_no_way_out_but_endpoints(private_dev):
    ec2 = private_dev.client("ec2")
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 0
    routes = [default_route(ec2, s) for s in private_dev.outputs["privateSubnetIds"]]
    assert routes == [None] * len(routes)


def test_without_nat_the_nodes_reach_aws_apis_through_interface_endpoints(private_dev):
    applied = private_dev
    ec2 = applied.client("ec2")
    interfaces = [
        e
        for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [applied.outputs["vpcId"]]}])[
            "VpcEndpoints"
        ]
        if e["VpcEndpointType"] == "Interface"
    ]
    region = applied.settings.region
    needed = ["ssm", "ssmmessages", "ec2messages", "autoscaling", "monitoring", "ec2", "servicediscovery"]
    assert {e["ServiceName"] for e in interfaces} == {f"com.amazonaws.{region}.{s}" for s in needed}
    private = set(applied.outputs["privateSubnetIds"])
    for endpoint in interfaces:
        assert endpoint["PrivateDnsEnabled"] is True
        assert set(endpoint["SubnetIds"]) == private
    (group_id,) = {g["GroupId"] for e in interfaces for g in e["Groups"]}
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ]
    assert [(r["FromPort"], r["ToPort"], r.get("CidrIpv4")) for r in rules if not r["IsEgress"]] == [
        (443, 443, "10.10.0.0/16")  # dev's VPC
    ]


# --- the default security group ----------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_created_vpcs_default_security_group_has_no_rules(shipped, stack):
    applied = shipped(stack)
    [default] = _default_group(applied)
    assert default["IpPermissions"] == []
    assert default["IpPermissionsEgress"] == []
    rules = applied.client("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [default["GroupId"]]}]
    )["SecurityGroupRules"]
    assert rules == []


def test_nothing_in_prod_uses_the_default_security_group(prod):
    [default] = _default_group(prod)
    ec2 = prod.client("ec2")
    in_use = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [default["GroupId"]]}])
    # moto gives a NAT gateway's interface the default group; AWS gives it none
    nat_interfaces = {
        a["NetworkInterfaceId"] for n in ec2.describe_nat_gateways()["NatGateways"] for a in n["NatGatewayAddresses"]
    }
    assert {i["NetworkInterfaceId"] for i in in_use["NetworkInterfaces"]} <= nat_interfaces
    for template in ec2.describe_launch_templates()["LaunchTemplates"]:
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])
        for version in versions["LaunchTemplateVersions"]:
            assert default["GroupId"] not in version["LaunchTemplateData"].get("SecurityGroupIds", [])


# --- an existing VPC ----------------------------------------------------------------------


def test_an_existing_vpc_is_used_as_is(dev_in_an_existing_vpc):
    applied = dev_in_an_existing_vpc
    vpc_id, public, private = (EXISTING_NETWORK[k] for k in ("vpcId", "publicSubnetIds", "privateSubnetIds"))
    assert applied.outputs["vpcId"] == vpc_id
    assert applied.outputs["publicSubnetIds"] == public
    assert applied.outputs["privateSubnetIds"] == private
    assert not applied.deployment.of_type("aws:ec2/vpc:Vpc")
    assert not applied.deployment.of_type("aws:ec2/subnet:Subnet")
    groups = applied.client("ec2").describe_security_groups(GroupIds=[applied.outputs["nodeSecurityGroupId"]])
    assert groups["SecurityGroups"][0]["VpcId"] == vpc_id


def test_an_existing_vpc_gets_the_flow_log_but_keeps_its_own_default_security_group(dev_in_an_existing_vpc):
    applied = dev_in_an_existing_vpc
    vpc = [{"Name": "resource-id", "Values": [applied.outputs["vpcId"]]}]
    [flow_log] = applied.client("ec2").describe_flow_logs(Filters=vpc)["FlowLogs"]
    assert flow_log["ResourceId"] == EXISTING_NETWORK["vpcId"]
    [default] = _default_group(applied)
    # AWS's own egress rule stays (moto's default group lacks AWS's ingress-from-itself rule)
    assert default["IpPermissionsEgress"][0]["IpProtocol"] == "-1"
    assert default["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
