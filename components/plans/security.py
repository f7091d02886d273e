"""Security grants: who may reach whom, on which ports, as AWS security-group rules.

The plan both ClusterSecurity (which creates one rule resource per grant) and
`tools.verify` (which compares a deployed group with it) read. Two groups, by role: the
load balancer's and the nodes'. Clients reach the load balancer on its listener ports
from `allowedCidrs`; the load balancer reaches the nodes on the app port; nodes reach
each other on EPMD and the distribution range; nodes go out anywhere. Nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..settings import LoadBalancerSettings, ReleaseSettings

TCP = "tcp"
ALL_PROTOCOLS = "-1"
"""AWS's IpProtocol for every protocol and port."""
ANYWHERE_IPV4 = "0.0.0.0/0"

LOAD_BALANCER_SECURITY_GROUP = "lb"
NODE_SECURITY_GROUP = "nodes"
"""The two groups by role: a grant's `group`, and its `peer` when the peer is one of them."""

INGRESS, EGRESS = "ingress", "egress"


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


@dataclass(frozen=True)
class Grant:
    """One rule the cluster declares: who may reach whom, on which ports."""

    role: str
    """Names the rule resource: `<security component>-<role>`."""
    group: str
    """LOAD_BALANCER_SECURITY_GROUP or NODE_SECURITY_GROUP: the group the rule belongs to."""
    direction: str
    """INGRESS (peer reaches group) or EGRESS (group reaches peer)."""
    ports: Ports | None
    """TCP ports; None: every protocol and port."""
    peer: str
    """LOAD_BALANCER_SECURITY_GROUP, NODE_SECURITY_GROUP, or a CIDR block."""
    description: str

    @property
    def protocol(self) -> str:
        """The rule's IpProtocol: TCP, or ALL_PROTOCOLS when it names no ports."""
        return protocol_of(self.ports)

    @property
    def peer_is_group(self) -> bool:
        return self.peer in (LOAD_BALANCER_SECURITY_GROUP, NODE_SECURITY_GROUP)


def protocol_of(ports: Ports | None) -> str:
    """TCP for a port or range; ALL_PROTOCOLS for None (every protocol and port)."""
    return ALL_PROTOCOLS if ports is None else TCP


def cluster_grants(load_balancer: LoadBalancerSettings, release: ReleaseSettings) -> list[Grant]:
    """Every rule of the two groups, and nothing else: clients to the listeners, the load
    balancer to the app port, nodes to each other on EPMD and the distribution range, nodes out."""
    return [*_client_grants(load_balancer), *_app_grants(release), *_distribution_grants(release), _nodes_out()]


def _client_grants(load_balancer: LoadBalancerSettings) -> list[Grant]:
    return [
        Grant(
            f"lb-{port}-from-{_slug(cidr)}",
            LOAD_BALANCER_SECURITY_GROUP,
            INGRESS,
            Ports(port),
            cidr,
            f"Clients in {cidr} to listener port {port}",
        )
        for port in load_balancer.listener_ports
        for cidr in load_balancer.allowed_cidrs
    ]


def _app_grants(release: ReleaseSettings) -> list[Grant]:
    app = Ports(release.http_port)
    return [
        Grant(
            "lb-to-nodes-app",
            LOAD_BALANCER_SECURITY_GROUP,
            EGRESS,
            app,
            NODE_SECURITY_GROUP,
            f"Requests and health checks to the nodes' app port {app.first}",
        ),
        Grant(
            "nodes-app-from-lb",
            NODE_SECURITY_GROUP,
            INGRESS,
            app,
            LOAD_BALANCER_SECURITY_GROUP,
            f"App port {app.first} from the load balancer only",
        ),
    ]


def _distribution_grants(release: ReleaseSettings) -> list[Grant]:
    distribution = release.distribution
    epmd = Ports(distribution.epmd_port)
    dist = Ports(distribution.port_range.from_, distribution.port_range.to)
    return [
        Grant(
            "nodes-epmd-from-nodes",
            NODE_SECURITY_GROUP,
            INGRESS,
            epmd,
            NODE_SECURITY_GROUP,
            f"EPMD {epmd.slug()} between nodes only",
        ),
        Grant(
            "nodes-distribution-from-nodes",
            NODE_SECURITY_GROUP,
            INGRESS,
            dist,
            NODE_SECURITY_GROUP,
            f"Erlang distribution {dist.slug()} between nodes only",
        ),
    ]


def _nodes_out() -> Grant:
    # Nodes call AWS APIs, fetch the release, reach each other and whatever the app
    # talks to (databases through extraSecurityGroupIds, external APIs).
    return Grant(
        "nodes-out",
        NODE_SECURITY_GROUP,
        EGRESS,
        None,
        ANYWHERE_IPV4,
        "Nodes to AWS APIs, each other and the app's dependencies",
    )


def _slug(cidr: str) -> str:
    return re.sub(r"[^0-9a-fA-F]+", "-", cidr).strip("-")
