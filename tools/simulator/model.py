"""The node model: what a node serves, how long it takes to start, and the metrics it reports.

A node's life, minute by minute (AWS's rules quoted where they decide it):

- Launched at minute L (a scheduled action: the minute it fires; a policy: the minute after
  the datapoint that decided it), it waits in Pending:Wait for the launch lifecycle hook
  until L + join, then is InService: "The instance remains in a wait state until you either
  complete the lifecycle action, or the timeout period ends" ... "The instance enters the
  InService state and the health check grace period starts"
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html).
  The stack's launch hook completes once the release answers its health path and has joined
  the cluster (plans/scripts/launch-hook.sh), which is when the node is ready to serve: for
  the stack's nodes join = boot. Without a hook (join 0) an instance reaches InService within
  its launch minute (a modelling choice: AWS gives no figure).
- Its warmup runs from InService, so from the end of the launch hook: "how long after an
  instance reaches the InService state it waits before contributing usage data to the
  aggregated metrics"
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html).
  A policy with warmup W counts it as warmed from L + join + W.
- It serves from L + boot minutes (boot >= join: the load balancer registers it on its way
  to InService): boot is the time from launch to passing the load balancer's health checks
  (the stack's nodes.healthCheckGracePeriod unless given), the grace period AWS counts from
  InService: it "waits before checking the health status of an EC2 instance that has come
  into service ... useful if your instances do not immediately pass their health checks
  after they enter the InService state"
  (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html).
- Removed at minute R (when the change takes effect), it stops serving at once (the load
  balancer deregisters it first) and keeps running, draining in Terminating:Wait, for the
  drain (the stack's drain budget: deregistrationDelay + drainSeconds + the drain agent's
  margin, settings/drain.py): minutes R .. R + drain - 1.
  Instance-hours count it, and so does the next scale-in ("we consider instances that are
  terminating as part of the current capacity of the group"). A node that never served
  needs no drain.

Assumptions (the simulator's, not AWS's; the numbers among them are parameters or named constants):

- The load balancer spreads demand evenly over the nodes in service, warming ones included
  (they are registered and healthy), so each node receives demand / in-service nodes.
  Because every node carries the same share, excluding warming nodes from an average
  leaves it unchanged: warmup shows in whether there is a datapoint at all (none while no
  node has finished its warmup) and in *how many* nodes a policy counts.
- What a node reports at that share, and how long it takes to start, come from one of two
  models. Measured (`NodeModel.measured`, `--node-profile`): a profile's points (profile.py),
  CPU and scheduler utilisation interpolated at the share, capacity where CPU reaches 100%,
  join and boot from its launch-to-InService and launch-to-serving seconds. Invented (the
  default): a node serves `node_rps` requests per second at 100% CPU, CPU % = share /
  node_rps x 100 capped at 100, scheduler utilisation 100 x (CPU/100)^1.5 (below), and boot
  is the grace period.
- Metrics come from trace columns named by their CloudWatch name when the trace has them,
  replayed as recorded (they do not respond to the simulated capacity). Otherwise CPU,
  request count per target and scheduler utilisation are derived from demand and the
  nodes in service; any other metric has no source and its policy is skipped.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from components.settings import BEAM_METRICS, PERCENT, PREDEFINED_TARGET_METRICS, StackSettings

from .profile import NodeProfile
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
Segment = Callable[[int, int, int], list]
"""A metric's values over minutes [start, end) at a fixed number of nodes in service: the same
numbers a Source gives minute by minute, computed in one go for a stretch where nothing changes."""


@dataclass(frozen=True)
class NodeModel:
    """How much one node serves, how long it takes from launch to serving, and to drain, and how
    long its launch lifecycle hook holds it before it is InService (0: no launch hook).

    With a `profile` (a measured node: `measured`) its CPU and scheduler utilisation come from the
    profile's points and `node_rps` is the profile's capacity; without one, from the formula."""

    node_rps: float
    boot_minutes: int
    drain_minutes: int = 0
    join_minutes: int = 0
    profile: NodeProfile | None = None

    def __post_init__(self) -> None:
        if self.profile is not None and self.node_rps != self.profile.capacity:
            raise ValueError(
                f"node_rps {self.node_rps:g} must be the profile's capacity, {self.profile.capacity:g}: "
                "build a measured node with NodeModel.measured"
            )
        if not 0 <= self.join_minutes <= self.boot_minutes:
            raise ValueError(
                f"the launch hook's {self.join_minutes} min must be within the boot's {self.boot_minutes} min: "
                "a node serves only once it is InService"
            )

    @classmethod
    def from_seconds(
        cls,
        node_rps: float,
        boot_seconds: float,
        drain_seconds: float = 0,
        join_seconds: float = 0,
        profile: NodeProfile | None = None,
    ) -> NodeModel:
        """A partial minute counts as a whole one: a node serves from the next full minute."""
        return cls(
            node_rps,
            round_up(boot_seconds / SECONDS_PER_MINUTE),
            round_up(drain_seconds / SECONDS_PER_MINUTE),
            round_up(join_seconds / SECONDS_PER_MINUTE),
            profile,
        )

    @classmethod
    def for_stack(cls, settings: StackSettings, node_rps: float, boot_seconds: float | None = None) -> NodeModel:
        """The stack's nodes: boot defaults to nodes.healthCheckGracePeriod (the time the stack gives
        a node to start serving), drain is the stack's drain budget (settings/drain.py: the load
        balancer drains, the release stops, the hook completes), the longest a leaving node runs.
        Its launch hook holds it for the whole boot: it completes once the release serves."""
        boot = settings.nodes.health_check_grace_period if boot_seconds is None else boot_seconds
        return cls.from_seconds(node_rps, boot, settings.drain.total_seconds, join_seconds=boot)

    @classmethod
    def measured(cls, settings: StackSettings, profile: NodeProfile) -> NodeModel:
        """The stack's nodes as a profile measured them: capacity and metrics from its points, join
        from its launch to InService, boot from its launch to serving (each rounded up to whole
        minutes, as `from_seconds`); drain is the stack's drain budget, as `for_stack`."""
        return cls.from_seconds(
            profile.capacity,
            profile.launch_to_serving_seconds,
            settings.drain.total_seconds,
            profile.launch_to_in_service_seconds,
            profile,
        )

    def nodes_for(self, demand: float) -> int:
        """The fewest nodes that serve `demand` requests/s."""
        return round_up(demand / self.node_rps)

    def cpu(self, demand: float, nodes: int) -> float | None:
        """Each in-service node's CPUUtilization (%) while `nodes` share `demand`; None without a node."""
        if nodes <= 0:
            return None
        if self.profile is not None:
            return self.profile.cpu(demand / nodes)
        return min(PERCENT.max, demand / (nodes * self.node_rps) * PERCENT.max)

    def describe(self) -> list[str]:
        """Which node model the figures ran on, for people (the reports' modelling choices)."""
        if self.profile is None:
            return [
                f"node model: invented, {self.node_rps:g} rps per node at 100% CPU, scheduler utilisation "
                f"100 x (CPU/100)^{SCHEDULER_BUSY_WAIT_EXPONENT:g} (--node-profile FILE replays a measured one)"
            ]
        profile = self.profile
        return [
            f"node model: measured, {profile.description}",
            f"  {len(profile.points)} points, interpolated; {self.node_rps:.4g} rps per node at 100% CPU; "
            f"InService {profile.launch_to_in_service_seconds:g} s and serving "
            f"{profile.launch_to_serving_seconds:g} s after launch",
        ]


ROUNDING_SLACK = 1e-9


def round_up(value: float) -> int:
    """ceil, forgiving the float noise of 3 x 0.1 / 0.1."""
    return math.ceil(value - ROUNDING_SLACK)


def scheduler_utilization(cpu: float) -> float:
    return PERCENT.max * (cpu / PERCENT.max) ** SCHEDULER_BUSY_WAIT_EXPONENT


class Unsimulated(str):
    """A warning line: a policy the trace cannot drive, skipped by the replay. It is the line
    itself (a str), and says which policy (`path`, its stack-file path under the namespace, and
    `name`) and which trace column (`column`, a CloudWatch metric name) would drive it."""

    path: tuple[str | int, ...]
    name: str
    column: str

    def __new__(cls, line: str, path: tuple[str | int, ...], name: str, column: str) -> Unsimulated:
        warning = super().__new__(cls, line)
        warning.path, warning.name, warning.column = path, name, column
        return warning

    def __reduce__(self):  # pickled as itself (a str subclass with attributes), for worker processes
        return Unsimulated, (str(self), self.path, self.name, self.column)


DERIVED_METRICS = frozenset(
    (
        PREDEFINED_TARGET_METRICS["cpu"],
        "CPUUtilization",
        PREDEFINED_TARGET_METRICS["requestsPerTarget"],
        "RequestCountPerTarget",
        BEAM_METRICS["schedulerUtilization"],
    )
)
"""The metrics the node model derives from demand and the nodes in service (CloudWatch names): a
what-if changes how many nodes serve, so these are not replayed as one run recorded them."""


class MetricCatalog:
    """Where each CloudWatch metric's value comes from: a trace column, or the node model.

    Built once per trace and node model (see `engine.prepare`) and shared by every replay."""

    def __init__(self, trace: Trace, node: NodeModel):
        self._trace = trace
        self._node = node
        demand = trace.demand
        cpu, cpu_segment, scheduler, scheduler_segment = (
            _formula_metrics(demand, node.node_rps) if node.profile is None else _measured_metrics(demand, node.profile)
        )

        def per_target(t: int, n: int) -> float | None:
            # ALBRequestCountPerTarget is a Sum per minute: requests each target received in the minute
            return demand[t] * SECONDS_PER_MINUTE / n if n > 0 else None

        def per_target_segment(start: int, end: int, n: int) -> list:
            if n <= 0:
                return [None] * (end - start)
            return [d * SECONDS_PER_MINUTE / n for d in demand[start:end]]

        self._derived: dict[str, tuple[Source, Segment]] = {
            PREDEFINED_TARGET_METRICS["cpu"]: (cpu, cpu_segment),
            "CPUUtilization": (cpu, cpu_segment),
            PREDEFINED_TARGET_METRICS["requestsPerTarget"]: (per_target, per_target_segment),
            "RequestCountPerTarget": (per_target, per_target_segment),
            BEAM_METRICS["schedulerUtilization"]: (scheduler, scheduler_segment),
        }

    def source(self, name: str) -> Source | None:
        """The metric called `name` (CloudWatch metric name); None when nothing provides it."""
        column = self._trace.columns.get(name)
        if column is not None:
            return lambda t, n: column[t]
        derived = self._derived.get(name)
        return None if derived is None else derived[0]

    def segment(self, name: str) -> Segment | None:
        """The metric called `name` over a stretch of minutes; None when nothing provides it."""
        column = self._trace.columns.get(name)
        if column is not None:
            return lambda start, end, n: column[start:end]
        derived = self._derived.get(name)
        return None if derived is None else derived[1]

    def is_derived(self, name: str) -> bool:
        return name not in self._trace.columns and name in self._derived


def _formula_metrics(demand: list[float], per_node: float) -> tuple[Source, Segment, Source, Segment]:
    """CPU and scheduler utilisation by the invented formula, minute by minute and over a stretch
    (the same expressions, so a replay that skips quiet stretches sees the same numbers)."""
    full = PERCENT.max
    exponent = SCHEDULER_BUSY_WAIT_EXPONENT

    def cpu(t: int, n: int) -> float | None:
        if n <= 0:
            return None
        value = demand[t] / (n * per_node) * full
        return full if value > full else value

    def scheduler(t: int, n: int) -> float | None:
        if n <= 0:
            return None
        share = demand[t] / (n * per_node)
        return full if share >= 1 else full * share**exponent

    def cpu_segment(start: int, end: int, n: int) -> list:
        if n <= 0:
            return [None] * (end - start)
        scale = n * per_node
        return [full if d / scale * full > full else d / scale * full for d in demand[start:end]]

    def scheduler_segment(start: int, end: int, n: int) -> list:
        if n <= 0:
            return [None] * (end - start)
        scale = n * per_node
        return [full if d / scale >= 1 else full * (d / scale) ** exponent for d in demand[start:end]]

    return cpu, cpu_segment, scheduler, scheduler_segment


def _measured_metrics(demand: list[float], profile: NodeProfile) -> tuple[Source, Segment, Source, Segment]:
    """CPU and scheduler utilisation from a profile at each node's share of demand, minute by minute
    and over a stretch (the same calls on the same share, so both give the same numbers)."""

    def per_minute(reported: Callable[[float], float]) -> tuple[Source, Segment]:
        def source(t: int, n: int) -> float | None:
            return reported(demand[t] / n) if n > 0 else None

        def segment(start: int, end: int, n: int) -> list:
            if n <= 0:
                return [None] * (end - start)
            return [reported(d / n) for d in demand[start:end]]

        return source, segment

    return (*per_minute(profile.cpu), *per_minute(profile.scheduler))


class Group:
    """The Auto Scaling group: its sizes and its nodes, each known by the minute it reaches InService
    (its launch minute + the launch hook's join minutes), from which it serves after `serves_after`.

    `launched` stays sorted: launches are appended in time order and removals take the
    newest first (an assumption: AWS's default termination policy balances zones and then
    prefers old launch templates, which a single-template group without zones cannot
    express). `draining` holds the minute each removed node finishes its drain, in order.
    """

    __slots__ = (
        "boot_minutes",
        "desired",
        "drain_minutes",
        "draining",
        "join_minutes",
        "launched",
        "max_size",
        "min_size",
        "serves_after",
    )

    def __init__(
        self,
        min_size: int,
        max_size: int,
        desired: int,
        boot_minutes: int = 0,
        drain_minutes: int = 0,
        launched: list[int] | None = None,
        join_minutes: int = 0,
    ):
        self.min_size = min_size
        self.max_size = max_size
        self.desired = desired
        self.boot_minutes = boot_minutes
        self.drain_minutes = drain_minutes
        self.join_minutes = join_minutes
        self.serves_after = boot_minutes - join_minutes
        """Minutes from InService to serving."""
        self.launched: list[int] = [] if launched is None else launched
        self.draining: deque[int] = deque()

    @classmethod
    def running(cls, min_size: int, max_size: int, desired: int, node: NodeModel) -> Group:
        """A group whose `desired` nodes are all serving and warmed up when the trace starts."""
        return cls(
            min_size,
            max_size,
            desired,
            node.boot_minutes,
            node.drain_minutes,
            [ALREADY_RUNNING] * desired,
            node.join_minutes,
        )

    @property
    def nodes(self) -> int:
        """Nodes running (booting, serving or draining): what instance-hours count."""
        return len(self.launched) + len(self.draining)

    @property
    def current_capacity(self) -> int:
        """What a scale-in starts from: the desired capacity and the nodes still terminating."""
        return self.desired + len(self.draining)

    def advance(self, minute: int) -> None:
        """Let the nodes whose drain has ended by `minute` go."""
        draining = self.draining
        while draining and draining[0] <= minute:
            draining.popleft()

    def warming(self, minute: int, warmup_minutes: int) -> bool:
        """Whether any node has not finished its warmup (it blocks dynamic scale-in)."""
        return bool(self.launched) and self.launched[-1] > minute - warmup_minutes

    def clamp(self, capacity: int) -> int:
        return max(self.min_size, min(self.max_size, capacity))

    def resize(self, desired: int, at: int) -> None:
        """Set the desired capacity (within min and max) from minute `at`; launch or remove nodes to match.

        Launched nodes are InService from `at` + the launch hook's minutes; removed nodes that were
        serving drain from `at` (one still in its launch hook never served: it goes at once)."""
        self.desired = desired = self.clamp(desired)
        launched = self.launched
        in_service_at = at + self.join_minutes
        while len(launched) < desired:
            launched.append(in_service_at)
        served_by = at - 1 - self.serves_after
        while len(launched) > desired:
            if launched.pop() <= served_by:
                self.draining.append(at + self.drain_minutes)
