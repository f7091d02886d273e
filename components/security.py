"""ClusterSecurity: who may reach whom, on which port.

Two security groups: the load balancer's and the nodes'. Clients reach the load balancer
on its listener ports from `allowedCidrs`; the load balancer reaches the nodes on the
app port (traffic and health checks); nodes reach each other on EPMD and the
distribution port range, and nothing else reaches those. No SSH: operators use SSM
Session Manager.

Every rule is its own `aws.vpc.SecurityGroupIngressRule` / `EgressRule` (what pulumi-aws
v7 recommends; never mixed with inline rules), granted through `allow` and
`allow_outbound`, the one API other components use too. The cluster's own rules are the
plan `components.plans.security.cluster_grants` returns, which `tools.verify` also reads
to compare a deployed group with it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.security import (
    INGRESS,
    LOAD_BALANCER_SECURITY_GROUP,
    NODE_SECURITY_GROUP,
    Grant,
    Ports,
    cluster_grants,
    protocol_of,
)
from .settings import LoadBalancerSettings, ReleaseSettings

Source = aws.ec2.SecurityGroup | str
"""Who a rule admits: another security group, or a CIDR block."""


@dataclass
class ClusterSecurityArgs:
    vpc_id: pulumi.Input[str]
    """The VPC both groups live in."""
    load_balancer: LoadBalancerSettings
    """Listener ports and who may reach them (`allowedCidrs`)."""
    release: ReleaseSettings
    """The app port, EPMD port and distribution range the nodes listen on."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on both groups and every rule."""


class ClusterSecurity(ClusterComponent):
    TOKEN = "elixir-cluster:index:ClusterSecurity"

    load_balancer_security_group: aws.ec2.SecurityGroup
    """The load balancer's security group."""
    node_security_group: aws.ec2.SecurityGroup
    """The security group every node carries."""

    def __init__(self, name: str, args: ClusterSecurityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._args = args
        self.load_balancer_security_group = self._group(
            LOAD_BALANCER_SECURITY_GROUP, "Load balancer: clients in, nodes out"
        )
        self.node_security_group = self._group(
            NODE_SECURITY_GROUP, "Elixir nodes: app port from the load balancer, distribution from each other"
        )
        for grant in cluster_grants(args.load_balancer, args.release):
            self._grant(grant)
        self.register_outputs(
            {
                "loadBalancerSecurityGroupId": self.load_balancer_security_group.id,
                "nodeSecurityGroupId": self.node_security_group.id,
            }
        )

    # --- the one API for rules ------------------------------------------------------

    def allow(
        self, role: str, *, to: aws.ec2.SecurityGroup, ports: Ports, source: Source, description: str
    ) -> aws.vpc.SecurityGroupIngressRule:
        """Admit `source` (a security group or a CIDR) into `to` on TCP `ports`."""
        return aws.vpc.SecurityGroupIngressRule(
            self._child_name(role),
            security_group_id=to.id,
            description=description,
            **_ports(ports),
            **_peer(source),
            tags=self._args.tags,
            opts=self._child(),
        )

    def allow_outbound(
        self, role: str, *, origin: aws.ec2.SecurityGroup, ports: Ports | None, destination: Source, description: str
    ) -> aws.vpc.SecurityGroupEgressRule:
        """Let `origin` open connections to `destination`; `ports=None` means every protocol and port."""
        return aws.vpc.SecurityGroupEgressRule(
            self._child_name(role),
            security_group_id=origin.id,
            description=description,
            **_ports(ports),
            **_peer(destination),
            tags=self._args.tags,
            opts=self._child(),
        )

    # --- the cluster's rules ----------------------------------------------------------

    def _grant(self, grant: Grant) -> None:
        groups = {
            LOAD_BALANCER_SECURITY_GROUP: self.load_balancer_security_group,
            NODE_SECURITY_GROUP: self.node_security_group,
        }
        peer = groups[grant.peer] if grant.peer_is_group else grant.peer
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
        return aws.ec2.SecurityGroup(
            self._child_name(role),
            vpc_id=self._args.vpc_id,
            description=description,
            tags=self._tags(role),
            opts=self._child(),
        )


def _ports(ports: Ports | None) -> dict:
    """The rule's protocol, and its port range unless it covers every protocol and port."""
    if ports is None:
        return {"ip_protocol": protocol_of(ports)}
    return {"ip_protocol": protocol_of(ports), "from_port": ports.first, "to_port": ports.to}


def _peer(source: Source) -> dict:
    if isinstance(source, aws.ec2.SecurityGroup):
        return {"referenced_security_group_id": source.id}
    if ipaddress.ip_network(source).version == 6:
        return {"cidr_ipv6": source}
    return {"cidr_ipv4": source}
