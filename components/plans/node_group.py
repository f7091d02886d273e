"""The node group: the Auto Scaling group, its launch template's metadata options, and the
lifecycle hook that holds a leaving node while it drains, as AWS API values.

The NodeGroup component declares them; `tools.verify` compares a deployed group, launch
template and hook with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import NodesSettings, StackSettings

LIFECYCLE_HOOK_NAME = "release-drain"
"""The termination lifecycle hook the drain agent completes (CONTINUE) once the release stopped."""

COOKIE_LENGTH = 64
"""Characters of the Erlang cookie (an atom: at most 255); letters and digits only, so it
needs no quoting anywhere it travels."""

ROOT_DEVICE_NAME = "/dev/xvda"
"""The root device of Amazon Linux 2023 AMIs, the image family the bootstrap is written for.
Another name would add a second volume instead of configuring the root one."""

ROOT_VOLUME_TYPE = "gp3"

METADATA_HOP_LIMIT = 1
"""IMDS answers only processes on the instance itself. The release runs on the host, not in
a container, so nothing needs the second hop AWS's default of 2 exists for, and a proxied
or forwarded request can never reach the instance's credentials."""

IMDS_V2_ONLY = "required"
"""The launch template's `httpTokens`: every metadata request needs a session token (IMDSv2)."""

ENABLED = "enabled"
"""The metadata endpoint, and instance tags in metadata: the drain and CloudWatch agents read the group there."""

HEALTH_CHECK_TYPE = "ELB"
"""The group replaces nodes the load balancer finds unhealthy, not only those EC2 finds broken."""

REFRESH_STRATEGY = "Rolling"

CAPACITY_WAIT_TIMEOUT = "10m"
"""How long `pulumi up` waits for minSize nodes to be InService (launched, before health
checks): minutes in practice; a launch that takes longer is broken and should fail the update."""

GROUP_METRICS = [
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
]
"""Every group metric except the warm pool's (the group has none); they are free."""

METRICS_GRANULARITY = "1Minute"
"""The only granularity AWS offers for group metrics."""

DESIRED_CAPACITY = "desiredCapacity"
"""The group property `pulumi up` leaves alone after creation: scaling policies and schedules own it."""

TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
HOOK_DEFAULT_RESULT = "CONTINUE"
"""When the heartbeat runs out (the drain agent died), the node terminates anyway."""

ALL_ON_DEMAND_PERCENT = 100


@dataclass(frozen=True)
class MetadataOptions:
    """The launch template's instance metadata options: IMDSv2 only, one hop, tags on."""

    http_endpoint: str = ENABLED
    http_tokens: str = IMDS_V2_ONLY
    http_put_response_hop_limit: int = METADATA_HOP_LIMIT
    instance_metadata_tags: str = ENABLED

    def described(self) -> dict[str, str | int]:
        """As DescribeLaunchTemplateVersions reports them under MetadataOptions."""
        return {
            "HttpEndpoint": self.http_endpoint,
            "HttpTokens": self.http_tokens,
            "HttpPutResponseHopLimit": self.http_put_response_hop_limit,
            "InstanceMetadataTags": self.instance_metadata_tags,
        }


METADATA_OPTIONS = MetadataOptions()


@dataclass(frozen=True)
class InstancesDistribution:
    """How a mixed instances policy splits the group between on-demand and spot."""

    on_demand_base_capacity: int
    on_demand_percentage_above_base: int
    spot_allocation_strategy: str | None


def is_mixed(nodes: NodesSettings) -> bool:
    """Several instance types or spot need a mixed instances policy instead of a plain launch template."""
    return len(nodes.instance_types) > 1 or nodes.spot is not None


def instances_distribution(nodes: NodesSettings) -> InstancesDistribution:
    """The spot settings; without them (several types, on-demand only) every node is on-demand."""
    spot = nodes.spot
    if spot is None:
        return InstancesDistribution(0, ALL_ON_DEMAND_PERCENT, None)
    return InstancesDistribution(
        spot.on_demand_base_capacity, spot.on_demand_percentage_above_base, spot.allocation_strategy
    )


def instance_type(nodes: NodesSettings) -> str | None:
    """The launch template's type; None with a mixed instances policy, whose overrides choose it."""
    return None if is_mixed(nodes) else nodes.instance_types[0]


def capacity_rebalance(nodes: NodesSettings) -> bool | None:
    """Replace a spot node AWS warns about before it is reclaimed, not after (spot only)."""
    return True if nodes.spot else None


@dataclass(frozen=True)
class LifecycleHookPlan:
    """The termination hook that holds a leaving node until the drain agent completes it."""

    name: str
    transition: str
    heartbeat_timeout: int
    default_result: str

    def described(self) -> dict[str, str | int]:
        """As DescribeLifecycleHooks reports it (the name aside)."""
        return {
            "LifecycleTransition": self.transition,
            "HeartbeatTimeout": self.heartbeat_timeout,
            "DefaultResult": self.default_result,
        }


def drain_hook(settings: StackSettings) -> LifecycleHookPlan:
    """The heartbeat covers the whole drain budget (settings/drain.py)."""
    return LifecycleHookPlan(LIFECYCLE_HOOK_NAME, TERMINATING, settings.drain.heartbeat_seconds, HOOK_DEFAULT_RESULT)
