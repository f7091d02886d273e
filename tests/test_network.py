"""The network each stack builds, asserted on moto's state."""

from __future__ import annotations

import ipaddress

from tests.support.aws_state import default_route


def _subnets(applied, key):
    return applied.client("ec2").describe_subnets(SubnetIds=applied.outputs[key])["Subnets"]


def test_prod_spreads_public_and_private_subnets_over_three_zones(prod):
    zones = prod.settings.network.availability_zones
    assert zones == 3
    for key in ("publicSubnetIds", "privateSubnetIds"):
        subnets = _subnets(prod, key)
        assert len({s["AvailabilityZone"] for s in subnets}) == zones
        assert all(s["VpcId"] == prod.outputs["vpcId"] for s in subnets)


def test_prod_subnets_fit_the_vpc_and_do_not_overlap(prod):
    vpc = ipaddress.ip_network(prod.settings.network.vpc_cidr)
    blocks = [
        ipaddress.ip_network(s["CidrBlock"]) for k in ("publicSubnetIds", "privateSubnetIds") for s in _subnets(prod, k)
    ]
    assert all(b.subnet_of(vpc) for b in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


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
