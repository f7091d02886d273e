"""An instance refresh performed as EC2 Auto Scaling performs it, on a fleet, with its record in moto.

The rules, from the Amazon EC2 Auto Scaling User Guide ("Replacing Auto Scaling instances based on
an instance refresh", awsdocs/amazon-ec2-auto-scaling-user-guide doc_source/asg-instance-refresh.md;
"Add checkpoints to an instance refresh", asg-adding-checkpoints-instance-refresh; "Instance
maintenance policy") and the API reference (RefreshPreferences, AlarmSpecification,
StartInstanceRefresh, DescribeInstanceRefreshes):

- Batches. "It takes a set of instances out of service, terminates them, and launches a set of
  instances with the new desired configuration. Then, it waits until the instances pass your
  health checks and complete warmup before it moves on to replacing other instances." The set's
  size comes from MinHealthyPercentage ("rounded up to the nearest integer"; 100 % "limits the
  rate of replacement to one instance at a time") and MaxHealthyPercentage, computed once, in
  tools/changes/refresh.py (`refresh_plan`). When the maximum leaves room above the group's size
  (prod's 110 %), the new nodes launch first and the old ones leave after the new ones warmed up
  ("launch before terminating", instance maintenance policy), so in-service capacity never drops;
  at 100 % the old ones leave first.
- A new node counts once its launch hook said CONTINUE, the load balancer found it healthy, and
  InstanceWarmup passed from then: "If you added a lifecycle hook to the Auto Scaling group, the
  warm-up period does not start until the lifecycle hook actions are complete and the instance
  enters the InService state."
- An old node leaves through the termination hook: drained (deregistered, its drain agent stopped
  the release), then terminated. The stand-in waits for that before the next batch, unless asked
  to overlap (`drains_overlap`): AWS may launch the next batch while an old node drains
  (MaxHealthyPercentage counts the nodes "in service and healthy, or pending", not those leaving),
  as the change report's least duration assumes; waiting is the slower reading, and in-service
  capacity is the same under both (a draining node is out of service either way). The node lab
  overlaps, since its drains run in real time; the refresh ends once every drain has.
- Skip matching "skips replacing instances that match the desired configuration. If no desired
  configuration is specified, then it skips replacing instances that have the same configuration
  that is already set on the group": a node on the desired launch template version stays. With
  nothing to replace, "the instance refresh will succeed immediately".
- Checkpoints "indicate the minimum percentage of instances in the Auto Scaling group that must be
  new instances before the checkpoint is considered reached"; Auto Scaling "paces instance
  replacements to honor the specified checkpoint percentages while maintaining the group's minimum
  healthy percentage ... will sometimes replace fewer but never more"; one replacement past two
  checkpoints reaches the higher and skips the lower; the refresh then waits CheckpointDelay
  ("the amount of time to wait after a checkpoint before continuing"). At 100 % nothing is left to
  wait for (no event "for the 100 percent complete checkpoint").
- Alarms: "If any of the alarms goes into ALARM state, the instance refresh fails" (the provider's
  AlarmSpecification, after RefreshPreferences), checked before each batch and throughout every
  wait, checkpoints included. A failed refresh rolls nothing back: "any instances that were
  already replaced are not rolled back to their previous configuration". The status reason names
  the alarm; its words are this stand-in's (DescribeInstanceRefreshes documents that a Failed
  refresh has a reason to troubleshoot with, not its text).
- A launch that fails. "An instance refresh might fail for several reasons, such as EC2 launch
  failures, misconfigured health checks" (StartInstanceRefresh). A node whose launch hook says
  ABANDON is terminated without ever being registered with the load balancer (lifecycle hooks:
  ABANDON on launch terminates the instance); Auto Scaling then launches another for the
  replacement, and the refresh fails once replacements keep failing. AWS publishes neither how
  many attempts it makes nor its status reason's wording: this stand-in makes LAUNCH_ATTEMPTS
  attempts a replacement and words the reason itself, naming the nodes and the hook. A node that
  joined but never passes the load balancer's health check is the "misconfigured health checks"
  case and counts the same way.

The refresh's record in moto moves as DescribeInstanceRefreshes reports one: InProgress with
PercentageComplete (of the nodes to update) and InstancesToUpdate (those left), then Successful,
or Failed with the status reason.

Not modelled: scale-in protected and Standby instances (the stack's preferences leave them to
`Ignore`, and the lab has none), scaling during a refresh, bake time and rollbacks (the settings
refuse auto-rollback), a node outside the batch going unhealthy (AWS would wait for the healthy
capacity to come back before it goes on), and the group launching again to its desired capacity
after a failed refresh (AWS would, from the same bad launch template version:
docs/shipping-a-release.md, "When a refresh fails").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from components.plans.lifecycle_hooks import CONTINUE
from tools.changes.refresh import COMPLETE, Checkpoint, RefreshPlan
from tools.conformance.auto_scaling.clock import Clock
from tools.conformance.auto_scaling.fleet import ALARM, Fleet, Node
from tools.conformance.auto_scaling.order import RefreshOrder
from tools.conformance.auto_scaling.timeline import Timeline

LAUNCH_ATTEMPTS = 2
"""Launches a replacement gets before the refresh fails (AWS retries failed launches and does not
say how often; two shows the retry without doubling a lab's wait)."""

ALARM_POLL_SECONDS = 10
"""How often, in the refresh's time, a wait looks at the alarms (AWS watches them throughout)."""

IN_PROGRESS, SUCCESSFUL, FAILED = "InProgress", "Successful", "Failed"


class RecordOfRefresh(Protocol):
    """Where the refresh's status goes (record.py's InProcessRecord)."""

    def move_to(self, status: str, reason: str | None = None) -> None: ...

    def progress(self, percentage_complete: int, instances_to_update: int) -> None: ...


class RefreshFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RefreshOutcome:
    """How a refresh ended, and what happened to each node."""

    status: str
    reason: str | None
    plan: RefreshPlan
    timeline: Timeline
    replaced: int
    to_replace: int


def alarm_reason(name: str) -> str:
    return f"The instance refresh failed because alarm {name} went into the ALARM state."


def launch_reason(failures: Sequence[tuple[str, str]]) -> str:
    nodes = "; ".join(f"{node}: {why}" for node, why in failures)
    return f"The instance refresh failed because {len(failures)} replacement instances failed to launch ({nodes})."


def abandoned(hook: str | None, why: str) -> str:
    """Why a launch failed at its launch hook, as the refresh's reason names it."""
    return f"lifecycle hook {hook or '(launching)'} completed with ABANDON" + (f": {why}" if why else "")


def checkpoint_reason(percentage: int, delay: int) -> str:
    return f"Checkpoint {percentage}% reached: waiting {delay} seconds before continuing."


class InstanceRefresh:
    """Perform `order` on `fleet`, keeping `record` up to date, in `clock`'s time."""

    def __init__(
        self,
        order: RefreshOrder,
        fleet: Fleet,
        record: RecordOfRefresh,
        clock: Clock,
        drain_seconds: int = 0,
        launch_attempts: int = LAUNCH_ATTEMPTS,
        drains_overlap: bool = False,
    ) -> None:
        self.order, self.fleet, self.record, self.clock = order, fleet, record, clock
        self.plan = order.plan(drain_seconds)
        if launch_attempts < 1:
            raise ValueError(f"a replacement needs at least one launch attempt, got {launch_attempts}")
        self.launch_attempts = launch_attempts
        self.timeline = Timeline()
        self._leaving = ThreadPoolExecutor(thread_name_prefix="refresh-drain") if drains_overlap else None
        self._left: list[Future[None]] = []

    def perform(self) -> RefreshOutcome:
        found = self.fleet.in_service()
        for node in found:
            self.timeline.node(node.id, node.version)
        desired = self.order.desired_version
        to_replace = [n for n in found if not (self.order.skip_matching and n.version == desired)]
        total, replaced = len(to_replace), 0
        self.record.move_to(IN_PROGRESS)
        self.record.progress(0, total)
        try:
            pending = [c for c in self.plan.checkpoints if c.percentage < COMPLETE]
            while to_replace:
                self._check_alarms()
                batch, to_replace = self._next_batch(to_replace, replaced, pending)
                if self.plan.launches_first:
                    self._bring_in(len(batch))
                    self._take_out(batch)
                else:
                    self._take_out(batch)
                    self._bring_in(len(batch))
                replaced += len(batch)
                self.record.progress(math.floor(replaced * 100 / total), total - replaced)
                if to_replace:
                    self._pause_at_checkpoint(replaced, pending)
            self._check_alarms()
            self._all_left()
        except RefreshFailed as failed:
            self._all_left()
            self.record.move_to(FAILED, failed.reason)
            return RefreshOutcome(FAILED, failed.reason, self.plan, self.timeline, replaced, total)
        self.record.move_to(SUCCESSFUL)
        return RefreshOutcome(SUCCESSFUL, None, self.plan, self.timeline, replaced, total)

    # --- batches ---

    def _next_batch(
        self, to_replace: list[Node], replaced: int, pending: list[Checkpoint]
    ) -> tuple[list[Node], list[Node]]:
        """The plan's batch, fewer when the next checkpoint is nearer ("never more")."""
        size = min(self.plan.batch, len(to_replace))
        if pending:
            needed = math.ceil(self.plan.nodes * pending[0].percentage / 100) - replaced
            size = min(size, max(1, needed))
        return to_replace[:size], to_replace[size:]

    def _bring_in(self, count: int) -> None:
        """`count` new nodes, each healthy; then the warmup, counted from the last one in service."""
        for _ in range(count):
            self._replacement()
        self._wait(self.order.warmup_seconds)

    def _replacement(self) -> Node:
        failures: list[tuple[str, str]] = []
        while len(failures) < self.launch_attempts:
            self._check_alarms()
            launched_at = self.clock.now()
            launch = self.fleet.launch(self.order.desired_version)
            entry = self.timeline.node(launch.node.id, launch.node.version)
            entry.launched = launched_at
            why = abandoned(self.order.launch_hook, launch.reason)
            if launch.result == CONTINUE:
                if self.fleet.wait_healthy(launch.node):
                    entry.in_service = self.clock.now()
                    return launch.node
                why = "never healthy behind the load balancer"
            entry.abandoned = why  # never registered, or never healthy: it took no traffic to keep
            self.fleet.terminate(launch.node)
            entry.terminated = self.clock.now()
            failures.append((launch.node.id, why))
        raise RefreshFailed(launch_reason(failures))

    def _take_out(self, batch: list[Node]) -> None:
        for node in batch:
            if self._leaving is None:
                self._leave(node)
            else:
                self._left.append(self._leaving.submit(self._leave, node))

    def _leave(self, node: Node) -> None:
        entry = self.timeline.node(node.id, node.version)
        self.fleet.drain(node)
        entry.drained = self.clock.now()
        self.fleet.terminate(node)
        entry.terminated = self.clock.now()

    def _all_left(self) -> None:
        """Every drain started has ended (its failure raised here)."""
        for leaving in self._left:
            leaving.result()
        if self._leaving is not None:
            self._leaving.shutdown()

    # --- waiting ---

    def _pause_at_checkpoint(self, replaced: int, pending: list[Checkpoint]) -> None:
        """Pause once for the highest checkpoint reached, dropping those it passed."""
        reached = [c for c in pending if replaced * 100 >= c.percentage * self.plan.nodes]
        if not reached:
            return
        del pending[: len(reached)]
        checkpoint = reached[-1]
        self.record.move_to(IN_PROGRESS, checkpoint_reason(checkpoint.percentage, checkpoint.delay_seconds))
        self._wait(checkpoint.delay_seconds)
        self.record.move_to(IN_PROGRESS)

    def _wait(self, seconds: float) -> None:
        """Let `seconds` pass, failing as soon as a refresh alarm is in ALARM."""
        end = self.clock.now() + seconds
        while (left := end - self.clock.now()) > 0:
            self._check_alarms()
            self.clock.sleep(min(ALARM_POLL_SECONDS, left))
        self._check_alarms()

    def _check_alarms(self) -> None:
        if not self.order.alarms:
            return
        states = self.fleet.alarm_states(self.order.alarms)
        firing = [name for name in self.order.alarms if states.get(name) == ALARM]
        if firing:
            raise RefreshFailed(alarm_reason(firing[0]))
