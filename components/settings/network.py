"""The `network` section: a VPC the stack creates, or an existing one."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Literal

from .conventions import PRIVATE_SUBNET_BLOCK_OFFSET, SUBNET_PLAN_EXTRA_BITS
from .flow_logs import FlowLogsSettings
from .limits import AVAILABILITY_ZONES, VPC_ID_PATTERN, VPC_PREFIX
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem
from .region import published_zones
from .value_types import SubnetId, VpcCidr, VpcId


class NetworkSettings(SettingsModel):
    """The VPC: created from `vpcCidr` (one public and one private subnet per zone), or an
    existing one given by `vpcId`, `publicSubnetIds` and `privateSubnetIds`.

    Rules: the two modes exclude each other; the three existing-VPC keys go together, with
    no subnet listed twice. How many zones and NAT gateways production deserves is the policy
    pack's call (prod-groups-span-zones, prod-nat-per-zone), not a refusal here; more zones than
    AWS publishes for the stack's region is one (limits.AVAILABILITY_ZONES_BY_REGION). Subnet plan
    (`subnet_cidrs`): the VPC is cut into 16 equal blocks; zone i gets public block i and
    private block 8 + i.
    """

    vpc_cidr: VpcCidr = setting(
        "10.0.0.0/16",
        description="IPv4 block of a VPC the stack creates.",
        unit="CIDR",
        limit=f"/{VPC_PREFIX.min}../{VPC_PREFIX.max} in an RFC 1918 range, host bits zero",
    )
    availability_zones: int = setting(
        by_environment="network.availabilityZones",
        description="Zones the created VPC spans, one public and one private subnet each. 1 only with a network "
        "load balancer (an application load balancer needs two zones); the policy pack wants 2 or more in prod.",
        unit="zones",
        limit=AVAILABILITY_ZONES,
    )
    nat_gateways: Literal["none", "single", "perAz"] = setting(
        by_environment="network.natGateways",
        description="Egress for the private subnets: one NAT gateway per zone, one shared (a single point of "
        "failure, which the policy pack flags in prod), or none (no internet: interface endpoints for the AWS APIs "
        "the nodes call, and the S3 gateway).",
    )
    vpc_id: VpcId | None = setting(
        None,
        description="Reuse this existing VPC instead of creating one (then also publicSubnetIds and privateSubnetIds).",
        limit="vpc- and 8 or 17 hex digits",
        pattern=VPC_ID_PATTERN,
    )
    public_subnet_ids: list[SubnetId] = setting(
        default_factory=list,
        description="Existing subnets for an internet-facing load balancer (with vpcId).",
        limit="subnet- ids; at least 2 for an application load balancer",
    )
    private_subnet_ids: list[SubnetId] = setting(
        default_factory=list,
        description="Existing subnets for the nodes (with vpcId).",
        limit="subnet- ids, none also public",
    )
    flow_logs: FlowLogsSettings = setting(
        default_factory=FlowLogsSettings,
        description="VPC flow logs: to a KMS-encrypted log group the stack creates, or to an S3 bucket.",
    )

    @property
    def existing(self) -> bool:
        """True when the stack reuses a VPC instead of creating one."""
        return self.vpc_id is not None

    def subnet_cidrs(self) -> list[tuple[str, str]]:
        """(public, private) CIDR per availability zone, in zone order: a deterministic plan."""
        if self.existing:
            raise ValueError("an existing VPC brings its own subnets")
        blocks = list(ipaddress.IPv4Network(self.vpc_cidr).subnets(prefixlen_diff=SUBNET_PLAN_EXTRA_BITS))
        return [(str(blocks[i]), str(blocks[PRIVATE_SUBNET_BLOCK_OFFSET + i])) for i in range(self.availability_zones)]

    @property
    def subnet_prefix(self) -> int:
        """Prefix length of each planned subnet."""
        return ipaddress.IPv4Network(self.vpc_cidr).prefixlen + SUBNET_PLAN_EXTRA_BITS

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        existing_keys = ("vpc_id", "public_subnet_ids", "private_subnet_ids")
        if any(self.is_set(name) for name in existing_keys):
            for name in existing_keys:
                if not self.is_set(name):
                    yield Problem(
                        self._path(at, name),
                        "required with an existing VPC: vpcId, publicSubnetIds and privateSubnetIds go together",
                    )
            for name in ("vpc_cidr", "availability_zones", "nat_gateways"):
                if self.is_set(name):
                    yield Problem(
                        self._path(at, name), "not used with an existing VPC (vpcId): remove it", getattr(self, name)
                    )
            yield from self._existing_subnet_rules(at)
        else:
            yield from self._zone_rules(at, context)

    def _zone_rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        zones = published_zones(context.region) if context.region else None
        if zones is not None and self.availability_zones > zones:
            yield Problem(
                self._path(at, "availability_zones"),
                f"must be <= {zones}: AWS publishes {zones} Availability Zones in {context.region}; "
                f"set it to {zones} or fewer, or choose another aws:region",
                self.availability_zones,
            )

    def _existing_subnet_rules(self, at: KeyPath) -> Iterator[Problem]:
        public = set(self.public_subnet_ids)
        for name in ("public_subnet_ids", "private_subnet_ids"):
            seen: set[str] = set()
            for index, subnet in enumerate(getattr(self, name)):
                if subnet in seen:
                    yield Problem(self._path(at, name, index), "listed twice", subnet)
                elif name == "private_subnet_ids" and subnet in public:
                    yield Problem(
                        self._path(at, name, index),
                        "also listed in publicSubnetIds: nodes belong in private subnets",
                        subnet,
                    )
                seen.add(subnet)
        if self.is_set("private_subnet_ids") and not self.private_subnet_ids:
            yield Problem(self._path(at, "private_subnet_ids"), "needs at least one subnet: the nodes run there", [])
