"""Network variants, one emulated stack per test: NAT modes and an adopted VPC.

Each test applies its own stack, in an account of its own (see tests/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.support.aws_state import default_route
from tests.support.fragments import EXISTING_NETWORK


@pytest.mark.parametrize(("mode", "expected"), [("single", 1), ("none", 0)])
def test_nat_gateway_modes(deploy, mode, expected):
    applied = deploy("dev", {"elixir-cluster:network": {"natGateways": mode}})
    ec2 = applied.client("ec2")
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == expected
    routes = [default_route(ec2, s) for s in applied.outputs["privateSubnetIds"]]
    if expected:
        assert len({r["NatGatewayId"] for r in routes}) == 1
    else:
        assert routes == [None] * len(routes)


def test_without_nat_the_nodes_reach_aws_apis_through_interface_endpoints(deploy):
    applied = deploy("dev", {"elixir-cluster:network": {"natGateways": "none"}})
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
    vpc_cidr = applied.settings.network.vpc_cidr
    assert [(r["FromPort"], r["ToPort"], r.get("CidrIpv4")) for r in rules if not r["IsEgress"]] == [
        (443, 443, vpc_cidr)
    ]


def test_with_nat_there_are_no_interface_endpoints(deploy):
    applied = deploy("dev")
    endpoints = applied.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    assert [e["VpcEndpointType"] for e in endpoints] == ["Gateway"]


def test_an_existing_vpc_is_used_as_is(deploy):
    vpc_id, public, private = (EXISTING_NETWORK[k] for k in ("vpcId", "publicSubnetIds", "privateSubnetIds"))
    applied = deploy("dev", {"elixir-cluster:network": EXISTING_NETWORK})
    assert applied.outputs["vpcId"] == vpc_id
    assert applied.outputs["publicSubnetIds"] == public
    assert applied.outputs["privateSubnetIds"] == private
    assert not applied.deployment.of_type("aws:ec2/vpc:Vpc")
    assert not applied.deployment.of_type("aws:ec2/subnet:Subnet")
    groups = applied.client("ec2").describe_security_groups(GroupIds=[applied.outputs["nodeSecurityGroupId"]])
    assert groups["SecurityGroups"][0]["VpcId"] == vpc_id
