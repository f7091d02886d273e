"""DnsDiscovery: the Cloud Map name nodes find each other by (`release.discovery: dns`).

A private DNS namespace in the cluster's VPC (`<cluster>-<env>.internal`, a Route 53
private hosted zone) and one service in it whose A records are the nodes: each node
registers its private IPv4 at boot and deregisters while draining (the bootstrap's drain
agent), so `DNS_CLUSTER_QUERY` (`<service>.<namespace>`) answers with the live nodes.

The VPC must resolve private hosted zones (enableDnsSupport and enableDnsHostnames):
Network turns both on for a VPC it creates; an existing VPC must have them already.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent

RECORD_TTL_SECONDS = 10
"""How long a resolver may keep an answer: a node that left stops being dialled within seconds."""

ROUTING_POLICY = "MULTIVALUE"
"""Answer with (up to eight) registered nodes, not one: every answer is a peer to connect to."""


@dataclass
class DnsDiscoveryArgs:
    namespace_name: str
    """The private DNS namespace: `<cluster>-<env>.internal` (plans.discovery.discovery_namespace_name)."""
    service_name: str
    """The service nodes register in: the release's name (plans.discovery.discovery_service_name)."""
    qualified_name: str
    """`<cluster>-<environment>`: whose nodes these are, in the namespace's description."""
    release_name: str
    """`release.name`: what each registered node runs, in the service's description."""
    vpc_id: pulumi.Input[str]
    """The VPC whose resolver answers the private namespace."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the namespace and the service."""


class DnsDiscovery(ClusterComponent):
    TOKEN = "elixir-cluster:index:DnsDiscovery"

    service_id: pulumi.Output[str]
    """The Cloud Map service nodes register in (propagated to them as an instance tag)."""
    service_arn: pulumi.Output[str]
    """The service's ARN: the node role may register and deregister there only."""
    hosted_zone_id: pulumi.Output[str]
    """The namespace's private hosted zone, where Cloud Map writes each node's A record."""

    def __init__(self, name: str, args: DnsDiscoveryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        namespace_name, service_name = args.namespace_name, args.service_name
        namespace = aws.servicediscovery.PrivateDnsNamespace(
            self._child_name("namespace"),
            name=namespace_name,
            vpc=args.vpc_id,
            description=f"Elixir nodes of {args.qualified_name}",
            tags=self._named(namespace_name),
            opts=self._child(),
        )
        service = aws.servicediscovery.Service(
            self._child_name("service"),
            name=service_name,
            description=f"One A record per running {args.release_name} node",
            dns_config=aws.servicediscovery.ServiceDnsConfigArgs(
                namespace_id=namespace.id,
                routing_policy=ROUTING_POLICY,
                dns_records=[aws.servicediscovery.ServiceDnsConfigDnsRecordArgs(type="A", ttl=RECORD_TTL_SECONDS)],
            ),
            # No health check config. A custom one only changes status when someone calls
            # UpdateInstanceCustomHealthStatus, and nothing here would: a node leaves by
            # deregistering (the drain agent), and Route 53 health checks do not exist in a
            # private namespace. A node that dies without draining keeps its record; peers
            # then fail to dial it, which distributed Erlang tolerates.
            # Nodes register themselves, so `pulumi destroy` must remove their instances too.
            force_destroy=True,
            tags=self._named(f"{service_name}.{namespace_name}"),
            opts=self._child(),
        )
        self.service_id = service.id
        self.service_arn = service.arn
        self.hosted_zone_id = namespace.hosted_zone
        self.register_outputs(
            {"serviceId": self.service_id, "serviceArn": self.service_arn, "hostedZoneId": self.hosted_zone_id}
        )
