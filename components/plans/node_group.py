"""The node group, as AWS API values: the Auto Scaling group and how an instance refresh rolls it,
the launch template it starts nodes from (plans/launch_template.py), and the lifecycle hooks
(plans/lifecycle_hooks.py) that hold a new node until it has joined and a leaving node while it
drains. One plan, built from the settings alone: `node_group_plan(settings)`.

The NodeGroup component declares it; `tools.verify` compares the deployed group, template and
hook with it. Each part's `described()` says how AWS's Describe* API reports it
(DescribeAutoScalingGroups, DescribeInstanceRefreshes, DescribeLifecycleHooks), so verify
compares like with like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ..settings import NodesSettings, StackSettings
from .launch_template import LaunchTemplatePlan, is_mixed, launch_template_plan, node_tags
from .lifecycle_hooks import LifecycleHookPlan, drain_hook, launch_hook
from .names import refresh_alarm_names

HEALTH_CHECK_TYPE = "ELB"
"""The group replaces nodes the load balancer finds unhealthy, not only those EC2 finds broken."""

REFRESH_STRATEGY = "Rolling"

CAPACITY_WAIT_TIMEOUT = "10m"
"""How long `pulumi up` waits for minSize nodes to be InService (launched, before health
checks): minutes in practice; a launch that takes longer is broken and should fail the update."""

GROUP_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
)
"""Every group metric except the warm pool's (the group has none); they are free."""

METRICS_GRANULARITY = "1Minute"
"""The only granularity AWS offers for group metrics."""

DESIRED_CAPACITY = "desiredCapacity"
"""The group property `pulumi up` leaves alone after creation: scaling policies and schedules own it."""

ALL_ON_DEMAND_PERCENT = 100

ROUNDING_SLACK = 1e-9
"""A checkpoint's node count is a ceiling: 3 x 34% is 1.02 nodes, so 2; 10 x 20% is 2, not 2.0000001."""


# --- the group --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """The group's bounds, and how many nodes it starts with."""

    min_size: int
    max_size: int
    desired_capacity: int
    """At creation only: scaling owns it afterwards (`ignore_changes`), so verify compares it with
    the nodes in service, never with the stack file."""

    def described(self) -> dict[str, int]:
        return {"MinSize": self.min_size, "MaxSize": self.max_size}


@dataclass(frozen=True)
class RefreshPreferences:
    """How a refresh replaces nodes, as StartInstanceRefresh takes its RefreshPreferences:
    https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html

    No AutoRollback: the provider updates the group before it starts the refresh, so AWS would roll
    back to the new template (terraform-provider-aws#34189), and AWS refuses a rollback when the AMI
    comes from an SSM parameter (the settings say so to whoever asks for it)."""

    min_healthy_percentage: int
    max_healthy_percentage: int
    instance_warmup: int
    checkpoint_percentages: tuple[int, ...]
    """Empty: no checkpoint, one pass. The first is the canary."""
    checkpoint_delay: int | None
    """Seconds after each checkpoint; None without checkpoints (AWS refuses a delay without them)."""
    alarms: tuple[str, ...]
    """Alarm names as CloudWatch has them: one in ALARM fails the refresh."""
    skip_matching: bool
    scale_in_protected_instances: str
    standby_instances: str

    KEYS: ClassVar[tuple[str, ...]] = (
        "MinHealthyPercentage",
        "MaxHealthyPercentage",
        "InstanceWarmup",
        "CheckpointPercentages",
        "CheckpointDelay",
        "AlarmSpecification",
        "SkipMatching",
        "ScaleInProtectedInstances",
        "StandbyInstances",
    )
    """Every preference the stack decides; AWS reports its defaults for the others (AutoRollback...)."""

    def described(self) -> dict[str, Any]:
        """As DescribeInstanceRefreshes reports them under Preferences: what the stack sends (the
        checkpoints and the alarm specification only when there are any: AWS then reports none)."""
        described: dict[str, Any] = {
            "MinHealthyPercentage": self.min_healthy_percentage,
            "MaxHealthyPercentage": self.max_healthy_percentage,
            "InstanceWarmup": self.instance_warmup,
        }
        if self.checkpoint_percentages:
            described["CheckpointPercentages"] = list(self.checkpoint_percentages)
            described["CheckpointDelay"] = self.checkpoint_delay
        if self.alarms:
            described["AlarmSpecification"] = {"Alarms": list(self.alarms)}
        return described | {
            "SkipMatching": self.skip_matching,
            "ScaleInProtectedInstances": self.scale_in_protected_instances,
            "StandbyInstances": self.standby_instances,
        }

    def canary_nodes(self, nodes: int) -> int:
        """How many of `nodes` the first checkpoint replaces (all of them without checkpoints): AWS
        reaches a checkpoint once at least its percentage of the nodes is new."""
        if not self.checkpoint_percentages or nodes == 0:
            return nodes
        return max(1, math.ceil(nodes * self.checkpoint_percentages[0] / 100 - ROUNDING_SLACK))


def refresh_preferences(settings: StackSettings) -> RefreshPreferences:
    refresh = settings.nodes.instance_refresh
    checkpoints = refresh.checkpoints
    return RefreshPreferences(
        min_healthy_percentage=refresh.min_healthy_percentage,
        max_healthy_percentage=refresh.max_healthy_percentage,
        instance_warmup=refresh.instance_warmup,
        checkpoint_percentages=tuple(checkpoints.percentages) if checkpoints else (),
        checkpoint_delay=checkpoints.delay if checkpoints else None,
        alarms=tuple(refresh_alarm_names(settings)),
        skip_matching=refresh.skip_matching,
        scale_in_protected_instances=refresh.scale_in_protected_instances,
        standby_instances=refresh.standby_instances,
    )


@dataclass(frozen=True)
class InstanceRefresh:
    """The refresh the provider starts (StartInstanceRefresh) when an update changes the launch
    template. AWS keeps the preferences on each refresh, never on the group."""

    strategy: str
    preferences: RefreshPreferences

    def described(self) -> dict[str, Any]:
        """As DescribeInstanceRefreshes reports a refresh the provider started."""
        return {"Strategy": self.strategy, "Preferences": self.preferences.described()}


@dataclass(frozen=True)
class InstancesDistribution:
    """How a mixed instances policy splits the group between on-demand and spot."""

    on_demand_base_capacity: int
    on_demand_percentage_above_base: int
    spot_allocation_strategy: str | None
    """None without spot: AWS then keeps its default, which no node uses."""

    def described(self) -> dict[str, Any]:
        """As DescribeAutoScalingGroups reports it (AWS adds its defaults for the rest)."""
        described: dict[str, Any] = {
            "OnDemandBaseCapacity": self.on_demand_base_capacity,
            "OnDemandPercentageAboveBaseCapacity": self.on_demand_percentage_above_base,
        }
        if self.spot_allocation_strategy is not None:
            described["SpotAllocationStrategy"] = self.spot_allocation_strategy
        return described


@dataclass(frozen=True)
class MixedInstances:
    """Several instance types or spot: the template's type is overridden, one entry per type."""

    instance_types: tuple[str, ...]
    distribution: InstancesDistribution

    def described(self) -> dict[str, Any]:
        """As DescribeAutoScalingGroups reports MixedInstancesPolicy, less the template's id and version."""
        return {
            "LaunchTemplate": {"Overrides": [{"InstanceType": name} for name in self.instance_types]},
            "InstancesDistribution": self.distribution.described(),
        }


@dataclass(frozen=True)
class GroupPlan:
    """The Auto Scaling group, but the deployment's facts (subnets, target group, the template's id
    and version, a Cloud Map service's id)."""

    sizes: Sizes
    health_check_type: str
    health_check_grace_period: int
    default_instance_warmup: int
    refresh: InstanceRefresh
    mixed_instances: MixedInstances | None
    capacity_rebalance: bool
    """Replace a spot node AWS warns about before it is reclaimed, not after (spot only)."""
    tags: dict[str, str]
    """All propagated at launch: discovery and the agents read them on the instance."""
    metrics: tuple[str, ...] = GROUP_METRICS
    metrics_granularity: str = METRICS_GRANULARITY
    capacity_wait_timeout: str = CAPACITY_WAIT_TIMEOUT
    ignore_changes: tuple[str, ...] = (DESIRED_CAPACITY,)

    def described_health_check(self) -> dict[str, Any]:
        return {"HealthCheckType": self.health_check_type, "HealthCheckGracePeriod": self.health_check_grace_period}

    def described_metrics(self) -> list[dict[str, str]]:
        """As DescribeAutoScalingGroups reports EnabledMetrics (sorted by metric)."""
        return [{"Metric": name, "Granularity": self.metrics_granularity} for name in sorted(self.metrics)]

    def described_tags(self) -> list[dict[str, Any]]:
        """As DescribeAutoScalingGroups reports Tags (sorted by key), less ResourceId and ResourceType."""
        return [{"Key": key, "Value": value, "PropagateAtLaunch": True} for key, value in sorted(self.tags.items())]

    def described_instances(self) -> dict[str, Any]:
        """The capacity the group launches: its mixed instances policy (or none) and capacity rebalance."""
        described: dict[str, Any] = {"CapacityRebalance": self.capacity_rebalance}
        if self.mixed_instances is not None:
            described["MixedInstancesPolicy"] = self.mixed_instances.described()
        return described


def instances_distribution(nodes: NodesSettings) -> InstancesDistribution:
    """The spot settings; without them (several types, on-demand only) every node is on-demand."""
    spot = nodes.spot
    if spot is None:
        return InstancesDistribution(0, ALL_ON_DEMAND_PERCENT, None)
    return InstancesDistribution(
        spot.on_demand_base_capacity, spot.on_demand_percentage_above_base, spot.allocation_strategy
    )


def group_plan(settings: StackSettings) -> GroupPlan:
    nodes = settings.nodes
    refresh = nodes.instance_refresh
    mixed = MixedInstances(tuple(nodes.instance_types), instances_distribution(nodes)) if is_mixed(nodes) else None
    return GroupPlan(
        sizes=Sizes(nodes.min_size, nodes.max_size, nodes.desired_capacity),
        health_check_type=HEALTH_CHECK_TYPE,
        health_check_grace_period=nodes.health_check_grace_period,
        # the group's own warmup (scaling policies and refreshes fall back on it) is the refresh's
        default_instance_warmup=refresh.instance_warmup,
        refresh=InstanceRefresh(REFRESH_STRATEGY, refresh_preferences(settings)),
        mixed_instances=mixed,
        capacity_rebalance=nodes.spot is not None,
        tags=node_tags(settings),
    )


# --- the whole ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeGroupPlan:
    """The group, the template it launches from, and the hooks on it: what the NodeGroup declares."""

    group: GroupPlan
    template: LaunchTemplatePlan
    launch_hook: LifecycleHookPlan
    drain_hook: LifecycleHookPlan

    @property
    def hooks(self) -> tuple[LifecycleHookPlan, ...]:
        """Every lifecycle hook the group has: one nobody declared holds nodes nothing completes."""
        return (self.launch_hook, self.drain_hook)


def node_group_plan(settings: StackSettings) -> NodeGroupPlan:
    return NodeGroupPlan(
        group_plan(settings), launch_template_plan(settings), launch_hook(settings), drain_hook(settings)
    )
