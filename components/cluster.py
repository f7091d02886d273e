"""ElixirCluster: the whole production shape, composed from the stack settings.

The only component `__main__.py` uses. It wires the parts together and knows the order
they depend on each other in: network, then security, then (for dns discovery) the Cloud
Map service, then the load balancer (and the web ACL in front of it), the release cookie and the
node role, and the node group behind the load balancer, then the scaling policies and the monitoring
that watch that group and load balancer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .base import ClusterComponent
from .discovery import DnsDiscovery, DnsDiscoveryArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .monitoring import Monitoring, MonitoringArgs
from .network import Network, NetworkArgs
from .node_group import NodeGroup, NodeGroupArgs
from .node_role import NodeRole, NodeRoleArgs
from .plans import flow_logs, names
from .plans.cookie import cookie_plan
from .plans.dashboard import dashboard_plan
from .plans.discovery import discovery_namespace_name, discovery_service_name
from .plans.health_alarms import health_alarms
from .plans.node_group import node_group_plan
from .plans.scaling import scaling_plan
from .release_cookie import ReleaseCookie, ReleaseCookieArgs
from .scaling import Scaling, ScalingArgs
from .security import ClusterSecurity, ClusterSecurityArgs
from .settings import StackSettings
from .waf import WebApplicationFirewall, WebApplicationFirewallArgs


@dataclass
class ElixirClusterArgs:
    settings: StackSettings
    """The validated stack settings (see components/settings)."""


class ElixirCluster(ClusterComponent):
    TOKEN = "elixir-cluster:index:ElixirCluster"

    network: Network
    """The VPC and subnets."""
    security: ClusterSecurity
    """The load balancer and node security groups."""
    discovery: DnsDiscovery | None
    """The Cloud Map service nodes register in (discovery: dns), else None."""
    load_balancer: LoadBalancer
    """The load balancer, its listeners and the nodes' target group."""
    firewall: WebApplicationFirewall | None
    """The web ACL in front of an internet-facing application load balancer (loadBalancer.waf), else None."""
    cookie: ReleaseCookie
    """The Erlang distribution cookie, as an SSM SecureString under its own KMS key."""
    node_role: NodeRole
    """What the nodes may do in AWS: the IAM role, its policies and instance profile."""
    nodes: NodeGroup
    """The Auto Scaling group of Elixir nodes, its launch template and drain hook."""
    scaling: Scaling
    """Target tracking, step policies and their alarms, schedules, predictive scaling."""
    monitoring: Monitoring
    """The alert topic, the health alarms and the dashboard."""

    def __init__(self, name: str, args: ElixirClusterArgs, opts: pulumi.ResourceOptions | None = None):
        settings = args.settings
        tags = settings.tags
        super().__init__(name, tags, opts)
        self.network = Network(
            self._child_name("network"),
            NetworkArgs(network=settings.network, flow_log_group_name=flow_logs.log_group_name(settings), tags=tags),
            self._child(),
        )
        self.security = ClusterSecurity(
            self._child_name("security"),
            ClusterSecurityArgs(
                vpc_id=self.network.vpc_id,
                load_balancer=settings.load_balancer,
                release=settings.release,
                tags=tags,
            ),
            self._child(),
        )
        self.discovery = None
        if settings.release.discovery == "dns":
            self.discovery = DnsDiscovery(
                self._child_name("discovery"),
                DnsDiscoveryArgs(
                    namespace_name=discovery_namespace_name(settings),
                    service_name=discovery_service_name(settings),
                    qualified_name=settings.qualified_name,
                    release_name=settings.release.name,
                    vpc_id=self.network.vpc_id,
                    tags=tags,
                ),
                self._child(),
            )
        self.load_balancer = LoadBalancer(
            self._child_name("lb"),
            LoadBalancerArgs(
                load_balancer=settings.load_balancer,
                app_port=settings.release.http_port,
                vpc_id=self.network.vpc_id,
                public_subnet_ids=self.network.public_subnet_ids,
                private_subnet_ids=self.network.private_subnet_ids,
                security_group_id=self.security.load_balancer_security_group.id,
                tags=tags,
            ),
            self._child(),
        )
        self.firewall = None
        if settings.load_balancer.protected_by_waf:
            self.firewall = WebApplicationFirewall(
                self._child_name("waf"),
                WebApplicationFirewallArgs(
                    waf=settings.load_balancer.waf,
                    web_acl_name=names.web_acl_name(settings),
                    log_group_name=names.waf_log_group_name(settings),
                    load_balancer_arn=self.load_balancer.arn,
                    tags=tags,
                ),
                self._child(),
            )
        self._nodes(settings)
        self.scaling = Scaling(
            self._child_name("scaling"),
            ScalingArgs(
                plan=scaling_plan(settings),
                group_name=self.nodes.group_name,
                load_balancer_arn_suffix=self.load_balancer.arn_suffix,
                target_group_arn_suffix=self.load_balancer.target_group_arn_suffix,
                tags=tags,
            ),
            self._child(),
        )
        self.monitoring = Monitoring(
            self._child_name("monitoring"),
            MonitoringArgs(
                emails=settings.alerts.emails,
                alarms=health_alarms(settings),
                dashboard=dashboard_plan(settings),
                qualified_name=settings.qualified_name,
                topic_name=names.alarm_topic_name(settings),
                dashboard_name=names.dashboard_name(settings),
                group_name=self.nodes.group_name,
                load_balancer_arn_suffix=self.load_balancer.arn_suffix,
                target_group_arn_suffix=self.load_balancer.target_group_arn_suffix,
                tags=tags,
            ),
            self._child(),
        )
        self.register_outputs(self.outputs())

    def _nodes(self, settings: StackSettings) -> None:
        """The cookie, the role and the group. They share the name their resources had when one
        NodeGroup component declared them all, so those resources keep their names; each moved one
        keeps its old URN as an alias (components/moved.py), so `pulumi up` moves it in the state
        rather than replacing it (a new cookie, key or role)."""
        tags = settings.tags
        name = self._child_name("nodes")
        former_group = pulumi.create_urn(name, NodeGroup.TOKEN, parent=self)
        self.cookie = ReleaseCookie(
            name, ReleaseCookieArgs(plan=cookie_plan(settings), formerly_under=former_group, tags=tags), self._child()
        )
        self.node_role = NodeRole(
            name,
            NodeRoleArgs(
                cluster_name=settings.qualified_name,
                release=settings.release,
                region=settings.region,
                cookie_parameter_arn=self.cookie.parameter_arn,
                cookie_key_arn=self.cookie.key_arn,
                discovery=self.discovery,
                formerly_under=former_group,
                tags=tags,
            ),
            self._child(),
        )
        self.nodes = NodeGroup(
            name,
            NodeGroupArgs(
                plan=node_group_plan(settings),
                private_subnet_ids=self.network.private_subnet_ids,
                security_group_id=self.security.node_security_group.id,
                target_group_arn=self.load_balancer.target_group_arn,
                instance_profile_arn=self.node_role.instance_profile_arn,
                launch_after=[*self.node_role.launch_permissions, self.cookie.parameter],
                discovery_service_id=self.discovery.service_id if self.discovery else None,
                tags=tags,
            ),
            self._child(),
        )
        self.node_role.allow_lifecycle_actions(self.nodes.group_arn)

    def outputs(self) -> dict[str, pulumi.Input]:
        """The stack outputs docs/design.md promises, under their contract names."""
        return {
            "vpcId": self.network.vpc_id,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "loadBalancerDnsName": self.load_balancer.dns_name,
            "url": self.load_balancer.url,
            "targetGroupArn": self.load_balancer.target_group_arn,
            "autoScalingGroupName": self.nodes.group_name,
            "nodeSecurityGroupId": self.security.node_security_group.id,
            "loadBalancerSecurityGroupId": self.security.load_balancer_security_group.id,
            "cookieParameterName": self.cookie.parameter_name,
            "alarmTopicArn": self.monitoring.topic_arn,
            "dashboardName": self.monitoring.dashboard_name,
        }
