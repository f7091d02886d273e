"""The `nodes` section: the node group's instance types, image, sizes and replacement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from .conventions import NODE_WARMUP_SECONDS
from .limits import (
    CHECKPOINT_DELAY_DEFAULT,
    CHECKPOINT_DELAY_SECONDS,
    CHECKPOINT_PERCENT,
    EXTRA_SECURITY_GROUPS_MAX,
    GROUP_SIZE,
    HEALTH_CHECK_GRACE_SECONDS,
    HEALTHY_PERCENTAGE_MAX,
    HEALTHY_PERCENTAGE_MIN,
    HEALTHY_PERCENTAGE_SPREAD_MAX,
    INSTANCE_TYPES_MAX,
    MAX_SIZE,
    PERCENT,
    REFRESH_ALARMS_MAX,
    ROOT_VOLUME_GIB,
    WARMUP_SECONDS,
    ScaleInProtectedInstances,
    StandbyInstances,
)
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem
from .value_types import Ami, InstanceType, SecurityGroupId, ami_architecture, instance_architecture

CheckpointPercent = Annotated[int, Field(ge=CHECKPOINT_PERCENT.min, le=CHECKPOINT_PERCENT.max)]

AUTO_ROLLBACK_NOT_OFFERED = (
    "pulumi-aws updates the group to the new launch template before it starts the refresh, so AWS's rollback "
    "would return to the new template (https://github.com/hashicorp/terraform-provider-aws/issues/34189), and "
    "AWS refuses a rollback when the AMI comes from an SSM parameter (nodes.ami's resolve:ssm:): to roll back, "
    "revert the stack file and run `pulumi up`"
)
BAKE_TIME_NOT_OFFERED = "pulumi-aws's instance_refresh preferences have no bake time to pass on"


class CheckpointSettings(SettingsModel):
    """Phases of a refresh: it pauses when each percentage of the nodes is new, for `delay`.

    The first percentage is the canary: that share of the nodes runs the new release, in service,
    while the refresh's alarms watch it for `delay` seconds before the rest follows.
    Rules: percentages unique and ascending, as AWS requires. A last percentage below 100 ends the
    refresh there (AWS allows it: the rest of the nodes keep the old launch template, and
    `tools.verify` names them).
    """

    percentages: list[CheckpointPercent] = setting(
        description="Share of the nodes replaced at each checkpoint, ascending; 100 last to replace every node.",
        unit="percent",
        limit=f"{CHECKPOINT_PERCENT} each, unique and ascending",
        min_length=1,
        examples=[[34, 100]],
    )
    delay: int = setting(
        CHECKPOINT_DELAY_DEFAULT,
        description="Pause after each checkpoint, while the refresh's alarms watch the new nodes.",
        unit="seconds",
        limit=CHECKPOINT_DELAY_SECONDS,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        path = self._path(at, "percentages")
        for index, (earlier, later) in enumerate(zip(self.percentages, self.percentages[1:], strict=False), start=1):
            if later <= earlier:
                yield Problem(
                    (*path, index), f"must be above percentages[{index - 1}] ({earlier}), as AWS requires", later
                )


class InstanceRefreshSettings(SettingsModel):
    """How `pulumi up` replaces nodes after a launch template change (rolling), as AWS's
    RefreshPreferences defines it: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html

    Rules: maxHealthyPercentage - minHealthyPercentage <= 100, and they are not both 100; at most
    10 alarms, each once. Not offered: autoRollback (pulumi-aws updates the group before it starts
    the refresh, so a rollback would return to the new template, terraform-provider-aws#34189, and AWS
    refuses one when the AMI comes from an SSM parameter: revert the stack file and `pulumi up`
    instead) and bakeTime (the provider has no such preference).
    """

    not_offered: ClassVar[dict[str, str]] = {
        "autoRollback": AUTO_ROLLBACK_NOT_OFFERED,
        "bakeTime": BAKE_TIME_NOT_OFFERED,
    }

    min_healthy_percentage: int = setting(
        by_environment="nodes.instanceRefresh.minHealthyPercentage",
        description="Capacity kept in service during a refresh, as a percentage of desired capacity.",
        unit="percent",
        limit=HEALTHY_PERCENTAGE_MIN,
    )
    max_healthy_percentage: int = setting(
        100,
        description="Capacity allowed during a refresh; above 100 new nodes launch before old ones stop.",
        unit="percent",
        limit=HEALTHY_PERCENTAGE_MAX,
    )
    instance_warmup: int = setting(
        NODE_WARMUP_SECONDS,
        description="Time a new node gets, once in service, before the refresh moves on.",
        unit="seconds",
        limit=WARMUP_SECONDS,
        ours="a node that needs longer is broken",
    )
    checkpoints: CheckpointSettings | None = setting(
        None,
        description="Pause at these shares of new nodes (the first is the canary) while the alarms watch them.",
        default_text="none: one pass",
    )
    alarms: list[str] = setting(
        by_environment="nodes.instanceRefresh.alarms",
        description="Alarms of this stack whose ALARM state fails the refresh: health alarms by role "
        "(unhealthy-hosts, 5xx-rate, p99-latency, ...) and step policies by their name (run-queue).",
        limit=f"at most {REFRESH_ALARMS_MAX}, each an alarm this stack has, once",
        max_length=REFRESH_ALARMS_MAX,
    )
    skip_matching: bool = setting(
        True,
        description="Leave nodes that already run the group's launch template version alone: a refresh started "
        "again after one that stopped replaces only the nodes it had not reached.",
    )
    scale_in_protected_instances: ScaleInProtectedInstances = setting(
        "Ignore",
        description="Nodes protected from scale-in: Refresh replaces them too, Ignore leaves them (verify names "
        "them), Wait waits an hour for the protection to go, then fails the refresh.",
    )
    standby_instances: StandbyInstances = setting(
        "Ignore",
        description="Nodes in Standby: Terminate replaces them, Ignore leaves them (verify names them), Wait waits "
        "an hour for them to return to service, then fails the refresh.",
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        spread = self.max_healthy_percentage - self.min_healthy_percentage
        max_path, min_path = self._path(at, "max_healthy_percentage"), self._path(at, "min_healthy_percentage")
        if spread > HEALTHY_PERCENTAGE_SPREAD_MAX:
            yield Problem(
                max_path,
                f"must be <= minHealthyPercentage + {HEALTHY_PERCENTAGE_SPREAD_MAX} "
                f"({self.min_healthy_percentage + HEALTHY_PERCENTAGE_SPREAD_MAX}), as AWS requires",
                self.max_healthy_percentage,
                refs=(min_path,),
            )
        if self.min_healthy_percentage == self.max_healthy_percentage == HEALTHY_PERCENTAGE_MAX.min:
            yield Problem(
                max_path,
                "must be above 100 when minHealthyPercentage is 100, or no node can be replaced",
                100,
                refs=(min_path,),
            )
        seen: set[str] = set()
        for index, name in enumerate(self.alarms):
            if name in seen:
                yield Problem(self._path(at, "alarms", index), "listed twice", name)
            seen.add(name)


class SpotSettings(SettingsModel):
    """Spot capacity through a mixed instances policy; nodes beyond the on-demand part are spot."""

    on_demand_base_capacity: int = setting(
        0, description="Nodes always on demand, filled first.", unit="nodes", limit=GROUP_SIZE
    )
    on_demand_percentage_above_base: int = setting(
        0, description="Share of the nodes above the base that are on demand.", unit="percent", limit=PERCENT
    )
    allocation_strategy: Literal[
        "price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"
    ] = setting(
        "price-capacity-optimized",
        description="Which spot pools to launch from; price-capacity-optimized is AWS's recommendation.",
    )


class NodesSettings(SettingsModel):
    """The node group: instance types, image, sizes and how nodes are replaced.

    Rules: 0 <= minSize <= desiredCapacity <= maxSize; all instance types one CPU
    architecture, matching the AMI's when its resolve:ssm: path names one; spot's
    onDemandBaseCapacity <= maxSize; no type or security group listed twice. How many nodes
    production keeps at least is the policy pack's call (prod-min-nodes).
    """

    instance_types: list[InstanceType] = setting(
        by_environment="nodes.instanceTypes",
        description="EC2 instance types, one CPU architecture; more than one makes a mixed instances policy.",
        limit=f"1..{INSTANCE_TYPES_MAX} types such as c7g.large, one architecture",
        min_length=1,
        max_length=INSTANCE_TYPES_MAX,
    )
    ami: Ami = setting(
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        description="Node image: resolve:ssm:<parameter> (resolved at each launch) or an ami- id.",
        limit="resolve:ssm:<parameter path> or ami- and 8 or 17 hex digits; architecture of instanceTypes",
    )
    min_size: int = setting(
        by_environment="nodes.minSize",
        description="Fewest nodes the group keeps.",
        unit="nodes",
        limit=GROUP_SIZE,
        ours="distributed Erlang is a full mesh",
    )
    max_size: int = setting(
        by_environment="nodes.maxSize",
        description="Most nodes scaling may reach (distributed Erlang is a full mesh: keep it modest).",
        unit="nodes",
        limit=MAX_SIZE,
        ours="distributed Erlang is a full mesh",
    )
    desired_capacity: int | None = setting(
        None,
        description="Nodes at creation; scaling owns the number afterwards (pulumi up never resets it).",
        unit="nodes",
        limit=GROUP_SIZE,
        default_text="minSize",
    )
    root_volume_gib: int = setting(
        20, description="Encrypted gp3 root volume size.", unit="GiB", limit=ROOT_VOLUME_GIB, alias="rootVolumeGiB"
    )
    health_check_grace_period: int = setting(
        120,
        description="Time a new node gets before failed load balancer health checks replace it.",
        unit="seconds",
        limit=HEALTH_CHECK_GRACE_SECONDS,
        ours="a longer grace period hides broken nodes",
    )
    instance_refresh: InstanceRefreshSettings = setting(
        default_factory=InstanceRefreshSettings, description="Rolling replacement after a launch template change."
    )
    spot: SpotSettings | None = setting(
        None, description="Run part of the group on spot capacity.", default_text="on demand only"
    )
    extra_security_group_ids: list[SecurityGroupId] = setting(
        default_factory=list,
        description="More security groups for the nodes, e.g. the one that lets them reach the database.",
        limit=f"sg- ids, at most {EXTRA_SECURITY_GROUPS_MAX} (5 per network interface, one is the node group's)",
        max_length=EXTRA_SECURITY_GROUPS_MAX,
    )

    def model_post_init(self, context: Any) -> None:
        if self.desired_capacity is None:
            object.__setattr__(self, "desired_capacity", self.min_size)  # a default, not a key the file set

    @property
    def architecture(self) -> Literal["arm64", "x86_64"]:
        """The nodes' CPU architecture (validated to be one)."""
        return instance_architecture(self.instance_types[0])

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        min_path, max_path, desired_path = (self._path(at, n) for n in ("min_size", "max_size", "desired_capacity"))
        if self.max_size < self.min_size:
            yield Problem(max_path, f"must be >= minSize ({self.min_size})", self.max_size, refs=(min_path,))
        elif self.is_set("desired_capacity"):
            if self.desired_capacity < self.min_size:
                yield Problem(
                    desired_path, f"must be >= minSize ({self.min_size})", self.desired_capacity, refs=(min_path,)
                )
            elif self.desired_capacity > self.max_size:
                yield Problem(
                    desired_path, f"must be <= maxSize ({self.max_size})", self.desired_capacity, refs=(max_path,)
                )
        yield from self._architecture_rules(at)
        yield from self._list_rules(at)
        if self.spot and self.spot.on_demand_base_capacity > self.max_size:
            yield Problem(
                self._path(at, "spot", "onDemandBaseCapacity"),
                f"must be <= maxSize ({self.max_size})",
                self.spot.on_demand_base_capacity,
                refs=(max_path,),
            )

    def _architecture_rules(self, at: KeyPath) -> Iterator[Problem]:
        types_path = self._path(at, "instance_types")
        first = instance_architecture(self.instance_types[0])
        for index, instance_type in enumerate(self.instance_types[1:], start=1):
            if instance_architecture(instance_type) != first:
                yield Problem(
                    (*types_path, index),
                    f"is {instance_architecture(instance_type)} but {self.instance_types[0]} is {first}: "
                    "one launch template serves all types, so they share an architecture",
                    instance_type,
                    refs=((*types_path, 0),),
                )
        image = ami_architecture(self.ami)
        if image and image != first:
            yield Problem(
                types_path,
                f"are {first} but ami names an {image} image: set ami to the {first} image parameter",
                self.instance_types,
                refs=(self._path(at, "ami"),),
            )

    def _list_rules(self, at: KeyPath) -> Iterator[Problem]:
        for name in ("instance_types", "extra_security_group_ids"):
            seen: set[str] = set()
            for index, item in enumerate(getattr(self, name)):
                if item in seen:
                    yield Problem(self._path(at, name, index), "listed twice", item)
                seen.add(item)
