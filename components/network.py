"""Network: the VPC the cluster lives in, created or reused.

Created: a VPC with one public and one private subnet per availability zone, an internet
gateway for the public subnets, NAT gateways for the private ones (none, one shared, or
one per zone so that losing a zone never cuts the others off), and an S3 gateway
endpoint so release downloads stay inside AWS and cost no NAT traffic. Without NAT
gateways, interface endpoints for the AWS APIs the nodes call replace internet egress.

Reused: an existing VPC and its subnets, looked up so that a wrong id fails the
deployment with a clear message before anything depends on it.

Either way, with `flowLogs.enabled`, the VPC's traffic is logged (VpcFlowLogs). A created
VPC's default security group is adopted and stripped of AWS's allow-all rules: nothing in
the stack uses it, and an instance launched without a group would otherwise get it. An
existing VPC's default group is left alone: it belongs to the team that owns the VPC, and
other workloads in it may rely on its rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .flow_logs import VpcFlowLogs, VpcFlowLogsArgs
from .plans.security import ANYWHERE_IPV4, TCP
from .settings import NAMESPACE, NetworkSettings

HTTPS_PORT = 443

# With natGateways none the private subnets have no way out but endpoints, so the AWS APIs a
# node calls at boot and while draining get interface endpoints (the S3 gateway endpoint
# already serves the release artifact and the OS package repositories).
NODE_API_ENDPOINTS = (
    "ssm",  # the release cookie (GetParameter) and Session Manager
    "ssmmessages",  # Session Manager shells
    "ec2messages",  # Session Manager's agent channel
    "autoscaling",  # the drain agent's CompleteLifecycleAction
    "monitoring",  # the CloudWatch agent's metrics
    "ec2",  # libcluster's EC2-tag discovery (DescribeInstances)
    "servicediscovery",  # Cloud Map registration (discovery: dns)
)


@dataclass
class NetworkArgs:
    network: NetworkSettings
    """The `network` section: a VPC to create (CIDR, zones, NAT gateways) or one to reuse, and its flow logs."""
    flow_log_group_name: str
    """The log group flow logs go to with `flowLogs.destination: cloudwatch` (plans.flow_logs.log_group_name)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on every resource."""


class Network(ClusterComponent):
    TOKEN = "elixir-cluster:index:Network"

    vpc_id: pulumi.Output[str]
    """The VPC the cluster runs in."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Subnets with a route to the internet gateway: the internet-facing load balancer."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Subnets without public addresses: the nodes, and an internal load balancer."""
    private_route_table_ids: pulumi.Output[list[str]]
    """Route tables of the private subnets (gateway endpoints attach here); empty when reused."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._args = args
        if args.network.existing:
            self._reuse()
        else:
            self._create()
        if args.network.flow_logs.enabled:
            VpcFlowLogs(
                self._child_name("flow-logs"),
                VpcFlowLogsArgs(
                    flow_logs=args.network.flow_logs,
                    vpc_id=self.vpc_id,
                    log_group_name=args.flow_log_group_name,
                    tags=args.tags,
                ),
                opts=self._child(),
            )
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    # --- an existing VPC -------------------------------------------------------------

    def _reuse(self) -> None:
        network = self._args.network
        invoke = self._invoke()
        vpc = aws.ec2.get_vpc(id=network.vpc_id, opts=invoke)
        for subnet_id in [*network.public_subnet_ids, *network.private_subnet_ids]:
            found = aws.ec2.get_subnet(id=subnet_id, opts=invoke)
            if found.vpc_id != vpc.id:
                raise pulumi.RunError(
                    f"elixir-cluster:network: subnet {subnet_id} is in {found.vpc_id}, not in vpcId {vpc.id}"
                )
        self.vpc_id = pulumi.Output.from_input(vpc.id)
        self.public_subnet_ids = pulumi.Output.from_input(list(network.public_subnet_ids))
        self.private_subnet_ids = pulumi.Output.from_input(list(network.private_subnet_ids))
        self.private_route_table_ids = pulumi.Output.from_input([])

    # --- a new VPC ---------------------------------------------------------------------

    def _create(self) -> None:
        network = self._args.network
        zones = self._zones(network.availability_zones)
        vpc = aws.ec2.Vpc(
            self._child_name("vpc"),
            cidr_block=network.vpc_cidr,
            # Cloud Map private DNS and interface endpoints need both
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tags("vpc"),
            opts=self._child(),
        )
        # Adopted with no rules: AWS's allow-all rules go (CKV2_AWS_12); no rules are declared.
        aws.ec2.DefaultSecurityGroup(
            self._child_name("default-sg"), vpc_id=vpc.id, tags=self._tags("default-sg"), opts=self._child()
        )
        gateway = aws.ec2.InternetGateway(
            self._child_name("igw"), vpc_id=vpc.id, tags=self._tags("igw"), opts=self._child()
        )
        public_routes = aws.ec2.RouteTable(
            self._child_name("public"), vpc_id=vpc.id, tags=self._tags("public"), opts=self._child()
        )
        aws.ec2.Route(
            self._child_name("public-internet"),
            route_table_id=public_routes.id,
            destination_cidr_block=ANYWHERE_IPV4,
            gateway_id=gateway.id,
            opts=self._child(),
        )
        public, private, private_tables = [], [], []
        nats: list[aws.ec2.NatGateway] = []
        for index, (zone, (public_cidr, private_cidr)) in enumerate(zip(zones, network.subnet_cidrs(), strict=False)):
            public_subnet = self._subnet(f"public-{zone}", vpc, zone, public_cidr)
            aws.ec2.RouteTableAssociation(
                self._child_name(f"public-{zone}"),
                subnet_id=public_subnet.id,
                route_table_id=public_routes.id,
                opts=self._child(),
            )
            if self._nat_in(index):
                nats.append(self._nat_gateway(zone, public_subnet, gateway))
            private_subnet = self._subnet(f"private-{zone}", vpc, zone, private_cidr)
            table = self._private_route_table(zone, vpc, private_subnet, nats[-1] if nats else None)
            public.append(public_subnet.id)
            private.append(private_subnet.id)
            private_tables.append(table.id)
        aws.ec2.VpcEndpoint(
            self._child_name("s3"),
            vpc_id=vpc.id,
            service_name=pulumi.Output.concat("com.amazonaws.", aws.get_region_output().region, ".s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=private_tables,
            tags=self._tags("s3"),
            opts=self._child(),
        )
        if network.nat_gateways == "none":
            self._interface_endpoints(vpc, private)
        self.vpc_id = vpc.id
        self.public_subnet_ids = pulumi.Output.all(*public)
        self.private_subnet_ids = pulumi.Output.all(*private)
        self.private_route_table_ids = pulumi.Output.all(*private_tables)

    def _interface_endpoints(self, vpc: aws.ec2.Vpc, subnet_ids: list[pulumi.Output[str]]) -> None:
        """Private-DNS interface endpoints for NODE_API_ENDPOINTS, reachable on 443 from inside the VPC."""
        name = self._child_name("endpoints")
        group = aws.ec2.SecurityGroup(
            name,
            vpc_id=vpc.id,
            description="AWS API interface endpoints: HTTPS from inside the VPC",
            tags=self._named(name),
            opts=self._child(),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-https",
            security_group_id=group.id,
            ip_protocol=TCP,
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            cidr_ipv4=vpc.cidr_block,
            description=f"HTTPS {HTTPS_PORT} to the AWS API endpoints from the VPC",
            opts=self._child(),
        )
        region = aws.get_region_output().region
        for service in NODE_API_ENDPOINTS:
            aws.ec2.VpcEndpoint(
                self._child_name(service),
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[group.id],
                tags=self._tags(service),
                opts=self._child(),
            )

    def _zones(self, wanted: int) -> list[str]:
        """The first `wanted` available zones; a region with fewer is a config error, not a smaller VPC."""
        zones = aws.get_availability_zones(state="available", opts=self._invoke()).names
        if len(zones) < wanted:
            raise pulumi.RunError(
                f"{NAMESPACE}:network.availabilityZones: the region offers {len(zones)} available zones "
                f"({', '.join(zones)}), got {wanted}; set it to {len(zones)} or fewer, or choose another aws:region"
            )
        return zones[:wanted]

    def _nat_in(self, zone_index: int) -> bool:
        mode = self._args.network.nat_gateways
        return mode == "perAz" or (mode == "single" and zone_index == 0)

    def _subnet(self, role: str, vpc: aws.ec2.Vpc, zone: str, cidr: str) -> aws.ec2.Subnet:
        name = self._child_name(role)
        return aws.ec2.Subnet(
            name,
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            # nothing in the cluster needs a public address: the load balancer and NAT bring their own
            map_public_ip_on_launch=False,
            tags=self._named(name),
            opts=self._child(),
        )

    def _nat_gateway(self, zone: str, subnet: aws.ec2.Subnet, gateway: aws.ec2.InternetGateway) -> aws.ec2.NatGateway:
        name = self._child_name(f"nat-{zone}")
        address = aws.ec2.Eip(name, domain="vpc", tags=self._named(name), opts=self._child())
        return aws.ec2.NatGateway(
            name,
            allocation_id=address.id,
            subnet_id=subnet.id,
            tags=self._named(name),
            opts=self._child(depends_on=[gateway]),
        )

    def _private_route_table(
        self, zone: str, vpc: aws.ec2.Vpc, subnet: aws.ec2.Subnet, nat: aws.ec2.NatGateway | None
    ) -> aws.ec2.RouteTable:
        name = self._child_name(f"private-{zone}")
        table = aws.ec2.RouteTable(name, vpc_id=vpc.id, tags=self._named(name), opts=self._child())
        if nat is not None:
            aws.ec2.Route(
                f"{name}-nat",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE_IPV4,
                nat_gateway_id=nat.id,
                opts=self._child(),
            )
        aws.ec2.RouteTableAssociation(name, subnet_id=subnet.id, route_table_id=table.id, opts=self._child())
        return table
