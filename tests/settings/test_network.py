"""`network`: a VPC the stack creates (its CIDR and subnet plan), or an existing one."""

from __future__ import annotations

import ipaddress
import re

import pytest

from components.settings import load_settings
from tests.support.fragments import CERTIFICATE, MINIMAL, merged
from tests.support.sections import load, problems, refusals

A, B = "subnet-0a00000000000000a", "subnet-0a00000000000000b"
C, D = "subnet-0b00000000000000a", "subnet-0b00000000000000b"


@pytest.mark.parametrize(
    ("cidr", "rule"),
    [
        ("10.0.0.0/33", "must be an IPv4 CIDR block such as 10.0.0.0/16"),
        ("10.0.0.0/12", "prefix must be /16 to /24"),
        ("10.0.0.0/25", "prefix must be /16 to /24"),
        ("8.8.0.0/16", "must be inside a private range"),
        ("fd00::/48", "must be an IPv4 CIDR block"),
    ],
)
def test_vpc_cidr(cidr, rule):
    (line,) = problems(network={"vpcCidr": cidr})
    assert line.startswith(f"elixir-cluster:network.vpcCidr: {rule}")


@pytest.mark.parametrize(
    ("cidr", "rule"),
    [
        # the block meant (10.0.0.0/8, 172.15.0.0/16) would be refused too: say that, not "did you mean" it
        ("10.0.0.1/8", "prefix must be /16 to /24"),
        ("172.15.0.1/16", "must be inside a private range"),
        ("10.1.2.3/16", "host bits must be zero (did you mean 10.1.0.0/16?)"),
    ],
)
def test_a_suggested_vpc_cidr_is_itself_valid(cidr, rule):
    (line,) = problems(network={"vpcCidr": cidr})
    assert line.startswith(f"elixir-cluster:network.vpcCidr: {rule}")
    suggested = re.search(r"did you mean (\S+)\?", line)
    if suggested:  # the suggestion, through the same validator
        assert load(network={"vpcCidr": suggested[1]}).network.vpc_cidr == suggested[1]


def test_a_vpc_cidr_is_16_to_24_bits():
    # /24 gives /28 subnets, AWS's smallest; a network load balancer does without the ALB's /27
    assert load(network={"vpcCidr": "10.0.0.0/16"}).network.subnet_prefix == 20
    assert load(network={"vpcCidr": "10.0.0.0/24"}, loadBalancer={"type": "network"}).network.subnet_prefix == 28
    assert refusals(network={"vpcCidr": "10.0.0.0/15"}) == [
        "elixir-cluster:network.vpcCidr: prefix must be /16 to /24: subnets are /prefix+4 and AWS's smallest subnet "
        'is /28, got "10.0.0.0/15"'
    ]


def test_prod_may_share_one_nat_gateway_between_zones():
    loaded = load(stack="prod", network={"natGateways": "single"})
    assert (loaded.network.availability_zones, loaded.network.nat_gateways) == (3, "single")


def test_the_subnet_plan_is_deterministic_and_fits_the_vpc():
    loaded = load(stack="prod", network={"vpcCidr": "10.40.0.0/16"}, loadBalancer={"certificateArn": CERTIFICATE})
    plan = loaded.network.subnet_cidrs()
    assert plan[0] == ("10.40.0.0/20", "10.40.128.0/20")
    blocks = [ipaddress.ip_network(cidr) for pair in plan for cidr in pair]
    assert len(plan) == 3 and all(b.subnet_of(ipaddress.ip_network("10.40.0.0/16")) for b in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_six_zones_take_the_first_six_public_and_private_blocks():
    # us-east-1: the one region where AWS publishes six zones
    plan = load(region="us-east-1", network={"vpcCidr": "10.40.0.0/16", "availabilityZones": 6}).network.subnet_cidrs()
    assert plan[-1] == ("10.40.80.0/20", "10.40.208.0/20")
    assert refusals(region="us-east-1", network={"availabilityZones": 7}) == [
        "elixir-cluster:network.availabilityZones: must be <= 6, got 7"
    ]


@pytest.mark.parametrize(("region", "zones"), [("eu-west-1", 3), ("us-west-2", 4), ("ap-northeast-1", 4)])
def test_more_zones_than_aws_publishes_for_the_region_is_refused_naming_the_count(region, zones):
    assert refusals(region=region, network={"availabilityZones": zones}) == []
    assert refusals(region=region, network={"availabilityZones": zones + 1}) == [
        f"elixir-cluster:network.availabilityZones: must be <= {zones}: AWS publishes {zones} Availability Zones in "
        f"{region}; set it to {zones} or fewer, or choose another aws:region, got {zones + 1}"
    ]


def test_a_region_whose_zones_are_not_published_here_leaves_the_count_to_the_account():
    """A region AWS opened after the list (let through by aws:skipRegionValidation): the network asks
    the account's zones at `pulumi up` instead."""
    loaded = load_settings(
        merged(MINIMAL, {"network": {"availabilityZones": 6}}),
        stack="dev",
        region="eu-west-9",
        skip_region_validation=True,
    )
    assert (loaded.region, loaded.network.availability_zones) == ("eu-west-9", 6)


def test_an_existing_vpc():
    network = {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": [A, B], "privateSubnetIds": [C, D]}
    loaded = load(network=network)
    assert loaded.network.existing
    with pytest.raises(ValueError, match="existing VPC"):
        loaded.network.subnet_cidrs()


def test_existing_vpc_keys_go_together_and_exclude_a_created_vpc():
    lines = problems(network={"vpcId": "vpc-0123456789abcdef0", "vpcCidr": "10.1.0.0/16"})
    assert lines == [
        "elixir-cluster:network.publicSubnetIds: required with an existing VPC: vpcId, publicSubnetIds and "
        "privateSubnetIds go together",
        "elixir-cluster:network.privateSubnetIds: required with an existing VPC: vpcId, publicSubnetIds and "
        "privateSubnetIds go together",
        'elixir-cluster:network.vpcCidr: not used with an existing VPC (vpcId): remove it, got "10.1.0.0/16"',
    ]


@pytest.mark.parametrize(
    ("created", "line"),
    [
        ({}, None),
        ({"availabilityZones": 2}, "elixir-cluster:network.availabilityZones: not used with an existing VPC (vpcId)"),
        ({"natGateways": "single"}, "elixir-cluster:network.natGateways: not used with an existing VPC (vpcId)"),
    ],
)
def test_a_created_vpcs_keys_are_refused_beside_an_existing_one_even_at_their_defaults(created, line):
    network = {"vpcId": "vpc-01234567", "publicSubnetIds": [A, B], "privateSubnetIds": [C], **created}
    found = refusals(network=network)
    if line is None:
        assert found == []
    else:
        (only,) = found
        assert only.startswith(line)


def test_existing_subnets_are_well_formed_distinct_and_enough():
    a, b = A, B
    lines = problems(
        network={"vpcId": "vpc-01234567", "publicSubnetIds": [a, a], "privateSubnetIds": [b, "subnet-xyz"]},
    )
    assert lines == [
        "elixir-cluster:network.privateSubnetIds[1]: must be a subnet id such as subnet-0123456789abcdef0, "
        'got "subnet-xyz"',
        f'elixir-cluster:network.publicSubnetIds[1]: listed twice, got "{a}"',
    ]
    lines = problems(network={"vpcId": "vpc-01234567", "publicSubnetIds": [a], "privateSubnetIds": [a, b]})
    assert lines == [
        "elixir-cluster:network.privateSubnetIds[0]: also listed in publicSubnetIds: nodes belong in private "
        f'subnets, got "{a}"',
        "elixir-cluster:network.publicSubnetIds: needs at least 2 subnets for the internet-facing load balancer: an "
        f'application load balancer needs two zones, got ["{a}"]',
    ]


def test_an_existing_vpc_gives_the_nodes_a_subnet():
    network = {"vpcId": "vpc-01234567", "publicSubnetIds": ["subnet-0a00000000000000a"], "privateSubnetIds": []}
    assert problems(network=network, loadBalancer={"type": "network"}) == [
        "elixir-cluster:network.privateSubnetIds: needs at least one subnet: the nodes run there, got []"
    ]
    network["privateSubnetIds"] = [C]
    assert load(network=network, loadBalancer={"type": "network"}).network.private_subnet_ids == [C]
