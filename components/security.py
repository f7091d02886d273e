"""ClusterSecurity: who may reach whom, on which port.

Two security groups: the load balancer's and the nodes'. Clients reach the load balancer
on its listener ports from `allowedCidrs`; the load balancer reaches the nodes on the
app port (traffic and health checks); nodes reach each other on EPMD and the
distribution port range, and nothing else reaches those. No SSH: operators use SSM
Session Manager.

Every rule is its own `aws.vpc.SecurityGroupIngressRule` / `EgressRule` (what pulumi-aws
v7 recommends; never mixed with inline rules), granted through `allow` and
`allow_outbound`, the one API other components use too. The cluster's own rules are the
plan `cluster_grants` returns, a pure function of the settings that `tools.verify` also
reads to compare a deployed group with it.
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


LOAD_BALANCER_GROUP = "lb"
NODE_GROUP = "nodes"
"""The two groups by role: a grant's `group`, and its `peer` when the peer is one of them."""

INGRESS, EGRESS = "ingress", "egress"


@dataclass(frozen=True)
class Grant:
    """One rule the cluster declares: who may reach whom, on which ports.

    The plan both ClusterSecurity (which creates a rule resource per grant) and
    `tools.verify` (which compares a deployed group against it) read.
    """

    role: str
    """Names the rule resource: `<security component>-<role>`."""
    group: str
    """LOAD_BALANCER_GROUP or NODE_GROUP: the group the rule belongs to."""
    direction: str
    """INGRESS (peer reaches group) or EGRESS (group reaches peer)."""
    ports: Ports | None
    """TCP ports; None: every protocol and port."""
    peer: str
    """LOAD_BALANCER_GROUP, NODE_GROUP, or a CIDR block."""
    description: str


def cluster_grants(load_balancer: LoadBalancerSettings, release: ReleaseSettings) -> list[Grant]:
    """Every rule of the two groups, and nothing else: clients to the listeners, the load
    balancer to the app port, nodes to each other on EPMD and the distribution range, nodes out."""
    app = Ports(release.http_port)
    epmd = Ports(release.distribution.epmd_port)
    dist = Ports(release.distribution.port_range.from_, release.distribution.port_range.to)
    clients = [
        Grant(
            f"lb-{port}-from-{_slug(cidr)}",
            LOAD_BALANCER_GROUP,
            INGRESS,
            Ports(port),
            cidr,
            f"Clients in {cidr} to listener port {port}",
        )
        for port in load_balancer.listener_ports
        for cidr in load_balancer.allowed_cidrs
    ]
    return [
        *clients,
        Grant(
            "lb-to-nodes-app",
            LOAD_BALANCER_GROUP,
            EGRESS,
            app,
            NODE_GROUP,
            f"Requests and health checks to the nodes' app port {app.first}",
        ),
        Grant(
            "nodes-app-from-lb",
            NODE_GROUP,
            INGRESS,
            app,
            LOAD_BALANCER_GROUP,
            f"App port {app.first} from the load balancer only",
        ),
        Grant("nodes-epmd-from-nodes", NODE_GROUP, INGRESS, epmd, NODE_GROUP, f"EPMD {epmd.slug()} between nodes only"),
        Grant(
            "nodes-distribution-from-nodes",
            NODE_GROUP,
            INGRESS,
            dist,
            NODE_GROUP,
            f"Erlang distribution {dist.slug()} between nodes only",
        ),
        # Nodes call AWS APIs, fetch the release, reach each other and whatever the app
        # talks to (databases through extraSecurityGroupIds, external APIs).
        Grant(
            "nodes-out",
            NODE_GROUP,
            EGRESS,
            None,
            ANYWHERE_IPV4,
            "Nodes to AWS APIs, each other and the app's dependencies",
        ),
    ]


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
        for grant in cluster_grants(args.load_balancer, args.release):
            self._grant(grant)
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

    def _grant(self, grant: Grant) -> None:
        groups = {LOAD_BALANCER_GROUP: self.load_balancer_group, NODE_GROUP: self.node_group}
        peer = groups.get(grant.peer, grant.peer)
        if grant.direction == INGRESS:
            self.allow(
                grant.role, to=groups[grant.group], ports=grant.ports, source=peer, description=grant.description
            )
        else:
            self.allow_outbound(
                grant.role,
                origin=groups[grant.group],
                ports=grant.ports,
                destination=peer,
                description=grant.description,
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
