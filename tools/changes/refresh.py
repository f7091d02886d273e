"""An instance refresh as AWS runs it: how many nodes at a time, and the least time it takes.

From the refresh the change started (DescribeInstanceRefreshes: InstancesToUpdate and the
Preferences the provider sent) and the stack's drain budget (components/settings/drain.py):

- AWS keeps at least `MinHealthyPercentage` of the group in service, "rounded up to the nearest
  integer" (Amazon EC2 Auto Scaling User Guide, "Replacing Auto Scaling instances based on an
  instance refresh", Core concepts: awsdocs/amazon-ec2-auto-scaling-user-guide
  doc_source/asg-instance-refresh.md), and "setting the minimum healthy percentage to 100 percent
  limits the rate of replacement to one instance at a time": at least one node is replaced at a
  time;
- and at most `MaxHealthyPercentage` in service or pending (API_InstanceMaintenancePolicy: "the
  maximum percentage of the group that can be in service and healthy, or pending"). AWS states no
  rounding for it; it is rounded up here, the one reading under which AWS's own "launch before
  terminating" policy (100 % and 110 %, instance-maintenance-policy-overview-and-considerations)
  lets a group of fewer than ten nodes start a node before it stops one;
- so a batch is the room between the two counts, at least one node; when the maximum leaves room
  above the group's size, new nodes launch before old ones stop;
- a refresh moves on only after a batch's new nodes are healthy and warmed up (`InstanceWarmup`,
  counted from InService, which follows the launch hooks: "If you added a lifecycle hook to the
  Auto Scaling group, the warm-up period does not start until the lifecycle hook actions are
  complete", same page), and an old node takes the drain budget to leave; when new nodes launch
  first, the last old node's drain follows the last warmup, else it overlaps it;
- each checkpoint pauses the refresh for `CheckpointDelay` (3600 s when only percentages are
  given: API_RefreshPreferences), "the amount of time to wait after a checkpoint before
  continuing". At 100 % nothing is left to continue (and AWS "emits events for each checkpoint,
  except for the 100 percent complete checkpoint": asg-adding-checkpoints-instance-refresh), so
  the least duration counts no pause there.

The least duration leaves out what AWS does not let the stack know: how long an instance takes
to boot and pass its health checks before it is InService.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from components.settings.limits import CHECKPOINT_DELAY_DEFAULT

COMPLETE = 100
"""The checkpoint percentage at which every node is new: the refresh ends there."""


@dataclass(frozen=True)
class Checkpoint:
    """Where a refresh pauses: once this share of the nodes is replaced, for this long."""

    percentage: int
    delay_seconds: int


@dataclass(frozen=True)
class RefreshPlan:
    """A refresh's shape: nodes, batches, pauses and the least time it takes."""

    nodes: int
    min_healthy_percentage: int
    max_healthy_percentage: int
    in_service_at_least: int
    running_at_most: int
    batch: int
    warmup_seconds: int
    drain_seconds: int
    checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def batches(self) -> int:
        return math.ceil(self.nodes / self.batch) if self.nodes else 0

    @property
    def launches_first(self) -> bool:
        """New nodes start before old ones stop (the maximum leaves room above the group)."""
        return self.running_at_most > self.nodes

    @property
    def minimum_seconds(self) -> int:
        """No refresh of these nodes ends sooner: every batch's warmup, the last drain, each pause."""
        if not self.batches:
            return 0
        last = (
            self.warmup_seconds + self.drain_seconds
            if self.launches_first
            else max(self.warmup_seconds, self.drain_seconds)
        )
        return (self.batches - 1) * self.warmup_seconds + last + self.pause_seconds

    @property
    def pause_seconds(self) -> int:
        """The checkpoints' pauses before the end (none after the last node is replaced)."""
        return sum(c.delay_seconds for c in self.checkpoints if c.percentage < COMPLETE)


def refresh_plan(
    nodes: int,
    min_healthy_percentage: int,
    max_healthy_percentage: int,
    warmup_seconds: int,
    drain_seconds: int,
    checkpoint_percentages: Sequence[int] = (),
    checkpoint_delay: int | None = None,
) -> RefreshPlan:
    """The plan of a refresh of `nodes` nodes with these preferences and this drain budget."""
    keep = math.ceil(nodes * min_healthy_percentage / 100)
    ceiling = math.ceil(nodes * max_healthy_percentage / 100)
    batch = min(nodes, max(1, ceiling - keep)) if nodes else 0
    delay = CHECKPOINT_DELAY_DEFAULT if checkpoint_delay is None else checkpoint_delay
    return RefreshPlan(
        nodes=nodes,
        min_healthy_percentage=min_healthy_percentage,
        max_healthy_percentage=max_healthy_percentage,
        in_service_at_least=keep,
        running_at_most=max(ceiling, nodes),
        batch=batch,
        warmup_seconds=warmup_seconds,
        drain_seconds=drain_seconds,
        checkpoints=tuple(Checkpoint(int(p), delay) for p in checkpoint_percentages),
    )
