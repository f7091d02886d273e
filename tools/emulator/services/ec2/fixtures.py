"""What a stack references in EC2 but does not own: an existing VPC with its subnets, and
security groups (`provide_network`, `provide_vpc`, `provide_security_group`).

What moto lacks: choosing an id at creation, so the fixtures pin moto's id generators
(`AwsSession.pinned`: in-process, or through this project's moto server, tools/emulator/server.py).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from botocore.exceptions import ClientError

from ...core.registry import Request
from ...core.session import AwsSession, aws_call
from .common import ec2_client

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
    ec2 = ec2_client(aws)
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
    return ec2_client(aws).create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def provide_security_group(aws: AwsSession, group_id: str, vpc_id: str) -> None:
    """Make a security group the stack references but does not own (e.g. the database's)."""
    ec2 = ec2_client(aws)
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
