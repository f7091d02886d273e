"""The whole stack: every section's settings, validated together, and the values derived from them."""

from __future__ import annotations

from collections.abc import Mapping

from .alarms import health_alarm_roles, refresh_alarms
from .alerts import AlertsSettings
from .cluster import ClusterSettings
from .conventions import DISCOVERY_TAG_KEY
from .drain import DrainBudget
from .launch import LaunchBudget
from .load_balancer import LoadBalancerSettings
from .model import SettingsModel
from .network import NetworkSettings
from .nodes import NodesSettings
from .release import ReleaseSettings
from .scaling import ScalingSettings

SECTIONS: Mapping[str, type[SettingsModel]] = {
    "cluster": ClusterSettings,
    "network": NetworkSettings,
    "release": ReleaseSettings,
    "nodes": NodesSettings,
    "loadBalancer": LoadBalancerSettings,
    "scaling": ScalingSettings,
    "alerts": AlertsSettings,
}
"""The stack file's sections, by their key, in the order they are validated and documented."""


class StackSettings(SettingsModel):
    """Every section of one stack, validated together, and the values derived from them."""

    stack: str
    region: str
    region_source: str = "aws:region"
    """Where the region was read from: `aws:region`, or the environment variable (region.py)."""
    cluster: ClusterSettings
    network: NetworkSettings
    release: ReleaseSettings
    nodes: NodesSettings
    load_balancer: LoadBalancerSettings
    scaling: ScalingSettings
    alerts: AlertsSettings

    @property
    def qualified_name(self) -> str:
        """<cluster>-<environment>, e.g. shop-prod: the discovery tag's value and the name prefix."""
        return f"{self.cluster.name}-{self.cluster.environment}"

    @property
    def tags(self) -> dict[str, str]:
        """Tags for every resource: the stack's own, then the cluster's."""
        return {
            DISCOVERY_TAG_KEY: self.qualified_name,
            "Environment": self.cluster.environment,
            "ManagedBy": "pulumi",
            **self.cluster.tags,
        }

    @property
    def discovery_tag(self) -> tuple[str, str]:
        """(key, value) nodes carry and libcluster's EC2 strategy filters on."""
        return DISCOVERY_TAG_KEY, self.qualified_name

    @property
    def drain(self) -> DrainBudget:
        """How long a leaving node takes: the load balancer's drain, then the release's (drain.py)."""
        return DrainBudget(self.load_balancer.deregistration_delay, self.release.drain_seconds)

    @property
    def launch(self) -> LaunchBudget:
        """How long a new node may take to serve: boot, then the release's join (launch.py)."""
        return LaunchBudget(self.release.join_seconds)

    @property
    def health_alarm_roles(self) -> list[str]:
        """The health alarms this stack has, by role (alarms.py)."""
        return health_alarm_roles(self.load_balancer, self.nodes, self.scaling)

    @property
    def refresh_alarms(self) -> list[str]:
        """The alarms that fail an instance refresh, by their stack-file names (alarms.py)."""
        return refresh_alarms(self.load_balancer, self.nodes, self.scaling)
