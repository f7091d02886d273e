"""ClusterSecurity: who may reach whom, on which port.

Two security groups: the load balancer's and the nodes'. Clients reach the load balancer
on its listener ports from `allowedCidrs`; the load balancer reaches the nodes on the
app port (traffic and health checks); nodes reach each other on EPMD and the
distribution port range, and nothing else reaches those. No SSH: operators use SSM
Session Manager.

Every rule is its own `aws.vpc.SecurityGroupIngressRule` / `EgressRule` (what pulumi-aws
v7 recommends; never mixed with inline rules), granted through `allow` and
`allow_outbound`, the one API other components use too.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .settings import LoadBalancer as LoadBalancerSettings
from .settings import Release as ReleaseSettings

TCP = "tcp"
ALL_PROTOCOLS = "-1"
ANYWHERE_IPV4 = "0.0.0.0/0"

Source = aws.ec2.SecurityGroup | str
"""Who a rule admits: another security group, or a CIDR block."""


@dataclass(frozen=True)
class Ports:
    """A TCP port or inclusive range."""

    first: int
    last: int | None = None

    @property
    def to(self) -> int:
        return self.first if self.last is None else self.last

    def slug(self) -> str:
        return str(self.first) if self.to == self.first else f"{self.first}-{self.to}"


@dataclass
class ClusterSecurityArgs:
    vpc_id: pulumi.Input[str]
    """The VPC both groups live in."""
    load_balancer: LoadBalancerSettings
    """Listener ports and who may reach them (`allowedCidrs`)."""
    release: ReleaseSettings
    """The app port, EPMD port and distribution range the nodes listen on."""
    tags: dict[str, str] = field(default_factory=dict)


class ClusterSecurity(pulumi.ComponentResource):
    load_balancer_group: aws.ec2.SecurityGroup
    """The load balancer's security group."""
    node_group: aws.ec2.SecurityGroup
    """The security group every node carries."""

    def __init__(self, name: str, args: ClusterSecurityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("elixir-cluster:index:ClusterSecurity", name, None, opts)
        self._name = name
        self._args = args
        self.load_balancer_group = self._group("lb", "Load balancer: clients in, nodes out")
        self.node_group = self._group(
            "nodes", "Elixir nodes: app port from the load balancer, distribution from each other"
        )
        self._admit_clients()
        self._admit_cluster_traffic()
        self.register_outputs(
            {
                "loadBalancerSecurityGroupId": self.load_balancer_group.id,
                "nodeSecurityGroupId": self.node_group.id,
            }
        )

    # --- the one API for rules ------------------------------------------------------

    def allow(
        self, role: str, *, to: aws.ec2.SecurityGroup, ports: Ports, source: Source, description: str
    ) -> aws.vpc.SecurityGroupIngressRule:
        """Admit `source` (a security group or a CIDR) into `to` on TCP `ports`."""
        return aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-{role}",
            security_group_id=to.id,
            description=description,
            **_tcp(ports),
            **_peer(source),
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def allow_outbound(
        self, role: str, *, origin: aws.ec2.SecurityGroup, ports: Ports | None, destination: Source, description: str
    ) -> aws.vpc.SecurityGroupEgressRule:
        """Let `origin` open connections to `destination`; `ports=None` means every protocol and port."""
        protocol = {"ip_protocol": ALL_PROTOCOLS} if ports is None else _tcp(ports)
        return aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-{role}",
            security_group_id=origin.id,
            description=description,
            **protocol,
            **_peer(destination),
            tags=self._args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    # --- the cluster's rules ----------------------------------------------------------

    def _admit_clients(self) -> None:
        lb = self._args.load_balancer
        app = Ports(self._args.release.http_port)
        for port in lb.listener_ports:
            for cidr in lb.allowed_cidrs:
                self.allow(
                    f"lb-{port}-from-{_slug(cidr)}",
                    to=self.load_balancer_group,
                    ports=Ports(port),
                    source=cidr,
                    description=f"Clients in {cidr} to listener port {port}",
                )
        self.allow_outbound(
            "lb-to-nodes-app",
            origin=self.load_balancer_group,
            ports=app,
            destination=self.node_group,
            description=f"Requests and health checks to the nodes' app port {app.first}",
        )
        self.allow(
            "nodes-app-from-lb",
            to=self.node_group,
            ports=app,
            source=self.load_balancer_group,
            description=f"App port {app.first} from the load balancer only",
        )

    def _admit_cluster_traffic(self) -> None:
        distribution = self._args.release.distribution
        epmd = Ports(distribution.epmd_port)
        dist = Ports(distribution.port_range.from_, distribution.port_range.to)
        self.allow(
            "nodes-epmd-from-nodes",
            to=self.node_group,
            ports=epmd,
            source=self.node_group,
            description=f"EPMD {epmd.slug()} between nodes only",
        )
        self.allow(
            "nodes-distribution-from-nodes",
            to=self.node_group,
            ports=dist,
            source=self.node_group,
            description=f"Erlang distribution {dist.slug()} between nodes only",
        )
        # Nodes call AWS APIs, fetch the release, reach each other and whatever the app
        # talks to (databases through extraSecurityGroupIds, external APIs).
        self.allow_outbound(
            "nodes-out",
            origin=self.node_group,
            ports=None,
            destination=ANYWHERE_IPV4,
            description="Nodes to AWS APIs, each other and the app's dependencies",
        )

    def _group(self, role: str, description: str) -> aws.ec2.SecurityGroup:
        name = f"{self._name}-{role}"
        return aws.ec2.SecurityGroup(
            name,
            vpc_id=self._args.vpc_id,
            description=description,
            tags={**self._args.tags, "Name": name},
            opts=pulumi.ResourceOptions(parent=self),
        )


def _tcp(ports: Ports) -> dict:
    return {"ip_protocol": TCP, "from_port": ports.first, "to_port": ports.to}


def _peer(source: Source) -> dict:
    if isinstance(source, aws.ec2.SecurityGroup):
        return {"referenced_security_group_id": source.id}
    if ipaddress.ip_network(source).version == 6:
        return {"cidr_ipv6": source}
    return {"cidr_ipv4": source}


def _slug(cidr: str) -> str:
    return re.sub(r"[^0-9a-fA-F]+", "-", cidr).strip("-")
