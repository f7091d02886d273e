"""The node model: what a node serves, how long it takes to start, and the metrics it reports.

Assumptions (the simulator's, not AWS's; the numbers among them are parameters or named constants):

- A node serves `node_rps` requests per second at 100% CPU. The load balancer spreads
  demand evenly over the nodes in service, warming ones included (they are registered
  and healthy), so CPU % = demand / (in-service nodes x node_rps) x 100, capped at 100.
  Because every node carries the same share, excluding warming nodes from an average
  leaves it unchanged: warmup shows in *how many* nodes a policy counts, not in the value.
- A node launched at minute t serves from minute t + boot minutes. A node removed stops
  serving at once (the load balancer deregisters it first) and keeps running for the
  drain (the stack's deregistrationDelay + drainSeconds): instance-hours count it, and
  so does the next scale-in, as AWS counts terminating instances as current capacity.
  Nodes still booting are removed first and need no drain.
- Metrics come from trace columns named by their CloudWatch name when the trace has them,
  replayed as recorded (they do not respond to the simulated capacity). Otherwise CPU,
  request count per target and scheduler utilisation are derived from demand and the
  nodes in service; any other metric has no source and its policy is skipped.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from components.settings import BEAM_METRICS, PERCENT, PREDEFINED_TARGET_METRICS, StackSettings

from .trace import Trace

SECONDS_PER_MINUTE = 60
ALREADY_RUNNING = -(10**9)  # ready minute of the nodes the group has when the trace starts

SCHEDULER_BUSY_WAIT_EXPONENT = 1.5
"""Scheduler utilisation = 100 x (CPU / 100) ** 1.5, when the trace has no SchedulerUtilization.

BEAM schedulers busy-wait for a while when they run out of work, so the OS counts CPU the
BEAM did not use for work. The assumption: the two agree when the node idles and when it
is saturated, and OS CPU overstates in between, most at moderate load (CPU 50% ->
scheduler utilisation 35%, 80% -> 72%)."""

Source = Callable[[int, int], float | None]
"""A metric's per-node value at (minute, nodes in service); None when there is no datapoint."""


@dataclass(frozen=True)
class NodeModel:
    """How much one node serves, how long it takes from launch to serving, and to drain."""

    node_rps: float
    boot_minutes: int
    drain_minutes: int = 0

    @classmethod
    def from_seconds(cls, node_rps: float, boot_seconds: float, drain_seconds: float = 0) -> NodeModel:
        """A partial minute counts as a whole one: a node serves from the next full minute."""
        return cls(node_rps, round_up(boot_seconds / SECONDS_PER_MINUTE), round_up(drain_seconds / SECONDS_PER_MINUTE))

    @classmethod
    def for_stack(cls, settings: StackSettings, node_rps: float, boot_seconds: float | None = None) -> NodeModel:
        """The stack's nodes: boot defaults to nodes.healthCheckGracePeriod (the time the stack gives
        a node to start serving), drain is loadBalancer.deregistrationDelay + release.drainSeconds
        (the load balancer drains, then the release stops: see bootstrap.py)."""
        boot = settings.nodes.health_check_grace_period if boot_seconds is None else boot_seconds
        drain = settings.load_balancer.deregistration_delay + settings.release.drain_seconds
        return cls.from_seconds(node_rps, boot, drain)

    def nodes_for(self, demand: float) -> int:
        """The fewest nodes that serve `demand` requests/s."""
        return round_up(demand / self.node_rps)

    def cpu(self, demand: float, nodes: int) -> float | None:
        if nodes <= 0:
            return None
        return min(PERCENT.max, demand / (nodes * self.node_rps) * PERCENT.max)


def round_up(value: float) -> int:
    """ceil, forgiving the float noise of 3 x 0.1 / 0.1."""
    return math.ceil(value - 1e-9)


def scheduler_utilization(cpu: float) -> float:
    return PERCENT.max * (cpu / PERCENT.max) ** SCHEDULER_BUSY_WAIT_EXPONENT


class MetricCatalog:
    """Where each CloudWatch metric's value comes from: a trace column, or the node model."""

    def __init__(self, trace: Trace, node: NodeModel):
        self._trace = trace
        self._node = node
        demand = trace.demand
        cpu: Source = lambda t, n: node.cpu(demand[t], n)  # noqa: E731 - one-line sources read best inline

        def per_target(t: int, n: int) -> float | None:
            # ALBRequestCountPerTarget is a Sum per minute: requests each target received in the minute
            return demand[t] * SECONDS_PER_MINUTE / n if n > 0 else None

        def scheduler(t: int, n: int) -> float | None:
            value = cpu(t, n)
            return None if value is None else scheduler_utilization(value)

        self._derived: dict[str, Source] = {
            PREDEFINED_TARGET_METRICS["cpu"]: cpu,
            "CPUUtilization": cpu,
            PREDEFINED_TARGET_METRICS["requestsPerTarget"]: per_target,
            "RequestCountPerTarget": per_target,
            BEAM_METRICS["schedulerUtilization"]: scheduler,
        }

    def source(self, name: str) -> Source | None:
        """The metric called `name` (CloudWatch metric name); None when nothing provides it."""
        column = self._trace.columns.get(name)
        if column is not None:
            return lambda t, n: column[t]
        return self._derived.get(name)

    def is_derived(self, name: str) -> bool:
        return name not in self._trace.columns and name in self._derived


@dataclass
class Group:
    """The Auto Scaling group: its sizes and its nodes, each known by the minute it starts serving.

    `ready` stays sorted: launches are appended in time order and removals take the newest
    first (an assumption: AWS's default termination policy balances zones and then prefers
    old launch templates, which a single-template group without zones cannot express).
    `draining` holds the minute each removed node finishes its drain, in order.
    """

    min_size: int
    max_size: int
    desired: int
    drain_minutes: int = 0
    ready: list[int] = field(default_factory=list)
    draining: deque[int] = field(default_factory=deque)

    @classmethod
    def running(cls, min_size: int, max_size: int, desired: int, drain_minutes: int = 0) -> Group:
        """A group whose `desired` nodes are all serving and warmed up when the trace starts."""
        return cls(min_size, max_size, desired, drain_minutes, [ALREADY_RUNNING] * desired)

    @property
    def nodes(self) -> int:
        """Nodes running (booting, serving or draining): what instance-hours count."""
        return len(self.ready) + len(self.draining)

    @property
    def current_capacity(self) -> int:
        """What a scale-in starts from: the desired capacity and the nodes still terminating."""
        return self.desired + len(self.draining)

    def advance(self, minute: int) -> None:
        """Let the nodes whose drain has ended at `minute` go."""
        while self.draining and self.draining[0] <= minute:
            self.draining.popleft()

    def in_service(self, minute: int) -> int:
        return bisect.bisect_right(self.ready, minute)

    def warmed(self, minute: int, warmup_minutes: int) -> int:
        """Nodes past their warmup: the ones a policy's metric and its scale-out count."""
        return bisect.bisect_right(self.ready, minute - warmup_minutes)

    def warming(self, minute: int, warmup_minutes: int) -> bool:
        """Whether any node is booting or within its warmup (a scale-out still in progress)."""
        return self.warmed(minute, warmup_minutes) < len(self.ready)

    def clamp(self, capacity: int) -> int:
        return max(self.min_size, min(self.max_size, capacity))

    def resize(self, desired: int, minute: int, ready_at: int) -> None:
        """Set the desired capacity (within min and max) at `minute`; launch or remove nodes to match.

        Launched nodes serve from `ready_at`; removed nodes that were serving drain first."""
        self.desired = self.clamp(desired)
        while len(self.ready) < self.desired:
            self.ready.append(ready_at)
        while len(self.ready) > self.desired:
            if self.ready.pop() <= minute:
                self.draining.append(minute + self.drain_minutes)
