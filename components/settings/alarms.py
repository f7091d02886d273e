"""The stack's alarms by the names the stack file knows them: the health alarms by their role
(`5xx-rate`), the step policies' alarms by the policy's name (`run-queue`). Which health alarms a
stack has follows its other sections; `nodes.instanceRefresh.alarms` names alarms from here.

plans/names.py turns these names into AWS's (`shop-prod-5xx-rate`, `shop-prod-step-run-queue`).
"""

from __future__ import annotations

from .load_balancer import LoadBalancerSettings
from .nodes import NodesSettings
from .scaling import ScalingSettings

HEALTH_ALARM_ROLES = (
    "unhealthy-hosts",
    "healthy-hosts-below-min",
    "5xx-rate",
    "p99-latency",
    "at-max-size",
    "waf-blocked-requests",
)
"""Every health alarm Monitoring can create, by role; `health_alarm_roles` says which a stack has."""

APPLICATION_ONLY_ALARMS = ("5xx-rate", "p99-latency")
"""Alarms on HTTP metrics, which only an application load balancer publishes."""


def can_grow(nodes: NodesSettings, scaling: ScalingSettings) -> bool:
    """Whether the group's size ever changes: maxSize above minSize, or a schedule that moves the sizes.
    A group fixed at maxSize is always 'at its ceiling', so that alarm would mean nothing."""
    return nodes.max_size > nodes.min_size or bool(scaling.schedules)


def health_alarm_roles(balancer: LoadBalancerSettings, nodes: NodesSettings, scaling: ScalingSettings) -> list[str]:
    """The health alarms this stack has: HTTP ones only behind an application load balancer,
    the ceiling alarm only when the group can grow at all, the WAF one only behind a web ACL."""
    roles = list(HEALTH_ALARM_ROLES)
    if balancer.type != "application":
        roles = [r for r in roles if r not in APPLICATION_ONLY_ALARMS]
    if not can_grow(nodes, scaling):
        roles.remove("at-max-size")
    if not balancer.protected_by_waf:
        roles.remove("waf-blocked-requests")
    return roles


def refresh_alarms(balancer: LoadBalancerSettings, nodes: NodesSettings, scaling: ScalingSettings) -> list[str]:
    """The alarms whose ALARM state fails an instance refresh, by their stack-file names: those
    nodes.instanceRefresh.alarms lists, or, left out, those of its environment's default the stack
    has (prod's 5xx-rate alarm exists only behind an application load balancer)."""
    refresh = nodes.instance_refresh
    if refresh.is_set("alarms"):
        return list(refresh.alarms)
    return [name for name in refresh.alarms if name in health_alarm_roles(balancer, nodes, scaling)]
