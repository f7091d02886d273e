"""The minute loop: replay a trace through a stack's scaling settings, a baseline and an oracle.

Each minute t, in this order:
1. nodes whose drain has ended leave; scheduled actions due at t set the group's sizes
   (nodes they launch are InService once their launch hook ends, t + join, and serve from
   t + boot);
2. the group serves demand[t] with the nodes in service (what the figures count);
3. every policy sees minute t's datapoint and, while its alarm is in ALARM, asks for a
   capacity; the group carries out what they ask for together (decisions.py), from t + 1:
   nodes launched are InService from t + 1 + join and serve from t + 1 + boot, nodes removed stop
   serving and drain from t + 1 (model.py).
The group starts at the stack's desiredCapacity, its nodes serving and warmed up.

For many replays of one trace (a tuner), `prepare` the trace once and call `replay` with
each candidate's validated `NodesSettings` and `ScalingSettings`: what does not depend on
the candidate (metric sources, schedule firings, the oracle's node counts) is computed
once and shared.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from components.settings import (
    NAMESPACE,
    NodesSettings,
    ScalingSettings,
    StackSettings,
    TargetTrackingSettings,
    format_path,
)

from . import step_scaling, target_tracking
from .choices import DEFAULT_CHOICES, ModellingChoices
from .decisions import Proposal, decide
from .model import SECONDS_PER_MINUTE, Group, MetricCatalog, NodeModel
from .quiet import Lookout, quiet_until
from .schedules import FiringCache, ScheduledAction, timetable
from .target_tracking import combined_scale_in
from .trace import Trace

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, so weekday schedules show in a day's trace
BASELINE_CPU_TARGET = 50.0
"""The baseline: one CPU target tracking policy at 50%, the common default (the AWS console
suggests 50% average CPU), with the stack's sizes and nothing else."""
BASELINE_SCALING = ScalingSettings(target_tracking=[TargetTrackingSettings(metric="cpu", target=BASELINE_CPU_TARGET)])


@dataclass(frozen=True)
class Activity:
    """A change of the desired capacity: when, from, to, and the policy or schedule that made it."""

    minute: int
    from_: int
    to: int
    cause: str


@dataclass
class Run:
    """One variant replayed: the group minute by minute and its activities."""

    desired: list[int] = field(default_factory=list)
    in_service: list[int] = field(default_factory=list)
    nodes: list[int] = field(default_factory=list)
    """Nodes running each minute, booting and draining ones included: what instance-hours count."""
    activities: list[Activity] = field(default_factory=list)
    metrics: dict[str, list[float | None]] = field(default_factory=dict)
    """Each policy's metric as it saw it, by metric name (when recorded)."""
    warnings: list[str] = field(default_factory=list)
    """Policies the trace cannot drive, and what the replay leaves out."""


@dataclass(frozen=True)
class Summary:
    """The figures a variant is judged by."""

    under_provisioned_minutes: int
    """Minutes in which demand exceeded what the nodes in service can serve."""
    peak_shortfall: float
    """The largest excess of demand over in-service capacity, in requests/s (0 when never short)."""
    peak_shortfall_share: float
    """The largest such excess as a share of that minute's demand (0 when never short)."""
    instance_hours: float
    """Node-hours running, booting and draining ones included."""


@dataclass
class PreparedTrace:
    """A trace made ready for many replays: what every candidate policy shares.

    Build it with `prepare`; it is read-only to `replay` apart from its caches."""

    trace: Trace
    node: NodeModel
    start: datetime
    catalog: MetricCatalog
    firings: FiringCache = field(default_factory=dict)
    _needed: list[int] | None = None

    @property
    def needed(self) -> list[int]:
        """The fewest nodes that serve each minute's demand (the oracle, before minSize/maxSize)."""
        if self._needed is None:
            self._needed = [self.node.nodes_for(demand) for demand in self.trace.demand]
        return self._needed

    def summary(self, run: Run) -> Summary:
        """The figures of a replay of this trace."""
        under, peak, peak_share = 0, 0.0, 0.0
        rps = self.node.node_rps
        for demand, in_service in zip(self.trace.demand, run.in_service, strict=True):
            shortfall = demand - in_service * rps
            if shortfall > 1e-9:
                under += 1
                peak = max(peak, shortfall)
                peak_share = max(peak_share, shortfall / demand)
        return Summary(under, peak, peak_share, sum(run.nodes) / SECONDS_PER_MINUTE)


def prepare(trace: Trace, node: NodeModel, start: datetime = DEFAULT_START) -> PreparedTrace:
    """Everything about `trace` that no candidate policy changes, computed once."""
    return PreparedTrace(trace, node, start, MetricCatalog(trace, node))


@dataclass
class Simulation:
    """The stack's policies, the baseline and the oracle, replayed over one trace."""

    stack: str
    trace: Trace
    node: NodeModel
    start: datetime
    policy: Run
    baseline: Run
    oracle: Run
    warnings: list[str]
    choices: ModellingChoices = DEFAULT_CHOICES
    prepared: PreparedTrace | None = None

    def summary(self, run: Run) -> Summary:
        prepared = self.prepared or prepare(self.trace, self.node, self.start)
        return prepared.summary(run)


def simulate(
    settings: StackSettings,
    trace: Trace,
    node: NodeModel,
    start: datetime = DEFAULT_START,
    choices: ModellingChoices = DEFAULT_CHOICES,
) -> Simulation:
    """Replay `trace` through the stack's scaling, the baseline and the oracle."""
    prepared = prepare(trace, node, start)
    policy = replay(settings.nodes, settings.scaling, prepared, choices, record_metrics=True)
    baseline = replay(settings.nodes, BASELINE_SCALING, prepared, choices)
    return Simulation(
        settings.stack,
        trace,
        node,
        start,
        policy,
        baseline,
        oracle(settings.nodes, prepared),
        policy.warnings,
        choices,
        prepared,
    )


def replay(
    nodes: NodesSettings,
    scaling: ScalingSettings,
    prepared: PreparedTrace,
    choices: ModellingChoices = DEFAULT_CHOICES,
    *,
    record_metrics: bool = False,
    skip_quiet: bool = True,
) -> Run:
    """Replay the prepared trace through one `scaling` section on a group of `nodes`' sizes.

    Both settings must be validated models (as loading a stack builds them); nothing here
    checks them again. `record_metrics` keeps each policy's metric minute by minute (the
    report's timeline); a tuner leaves it off. `skip_quiet=False` evaluates every minute
    (the reference the skipping of quiet stretches is tested against; slower)."""
    tracking, warnings = target_tracking.build_policies(
        scaling.target_tracking, prepared.catalog, choices, record=record_metrics
    )
    steps, step_warnings = step_scaling.build_policies(scaling.step, prepared.catalog, record=record_metrics)
    warnings += step_warnings
    if scaling.predictive and scaling.predictive.mode == "ForecastAndScale":
        warnings.append(
            f"{NAMESPACE}:{format_path(('scaling', 'predictive', 'mode'))}: ForecastAndScale is not simulated "
            "(it acts on AWS's forecast): the figures leave it out"
        )
    group = Group.running(nodes.min_size, nodes.max_size, nodes.desired_capacity, prepared.node)
    scheduled = timetable(scaling.schedules, prepared.start, prepared.trace.minutes, prepared.firings)
    run = _replay(group, tracking, steps, scheduled, prepared.trace.minutes, choices, skip_quiet=skip_quiet)
    run.warnings = warnings
    if record_metrics:
        run.metrics = {policy.metric: policy.values for policy in [*tracking, *steps]}
    return run


def replay_scaling(
    nodes: NodesSettings,
    scaling: ScalingSettings,
    trace: Trace,
    node: NodeModel,
    start: datetime,
    choices: ModellingChoices = DEFAULT_CHOICES,
    catalog: MetricCatalog | None = None,
) -> tuple[Run, list[str]]:
    """The earlier entry point, kept for its callers: prefer `prepare` once and `replay` per candidate.

    A caller that passes the same `catalog` each time shares one prepared trace (and its
    schedule firings) across calls."""
    if catalog is None:
        prepared = prepare(trace, node, start)
    else:
        prepared = _PREPARED.get(catalog)
        if prepared is None or prepared.start != start or prepared.node != node:
            prepared = _PREPARED[catalog] = PreparedTrace(trace, node, start, catalog)
    run = replay(nodes, scaling, prepared, choices)
    return run, run.warnings


_PREPARED: WeakKeyDictionary[MetricCatalog, PreparedTrace] = WeakKeyDictionary()


def _replay(
    group: Group,
    tracking: list[target_tracking.TargetTrackingPolicy],
    steps: list[step_scaling.StepScalingPolicy],
    scheduled: dict[int, list[ScheduledAction]],
    minutes: int,
    choices: ModellingChoices,
    *,
    skip_quiet: bool = True,
) -> Run:
    """The minute loop. Where the group stands still (no node starts serving, warms up or
    finishes draining, no schedule fires) and no policy's alarm could move it, the minutes
    are skipped in one go: the alarms' runs move over them (`quiet_until`, `skip`), the logs
    repeat the group. `skip_quiet=False` runs every minute (the tests compare the two)."""
    run = Run()
    desired_log, in_service_log, nodes_log = run.desired, run.in_service, run.nodes
    launched, draining = group.launched, group.draining
    serves_after = group.serves_after
    voters = [policy for policy in tracking if policy.scales_in]
    policies = [*tracking, *steps]
    warmups = sorted({policy.warmup_minutes for policy in policies})
    firings = sorted(scheduled)
    lookout = Lookout()
    minute = 0
    while minute < minutes:
        if skip_quiet and policies and minute >= lookout.retry_at:
            limit = lookout.limit(minute, minutes)
            quiet = quiet_until(group, tracking, steps, warmups, firings, minute, limit)
            lookout.found(minute, limit, quiet)
            if quiet > minute:
                in_service = bisect_right(launched, minute - serves_after)
                stretch = quiet - minute
                desired_log.extend([group.desired] * stretch)
                in_service_log.extend([in_service] * stretch)
                nodes_log.extend([len(launched) + len(draining)] * stretch)
                for policy in policies:
                    policy.skip(minute, quiet)
                minute = quiet
                if minute >= minutes:
                    break
        if draining and draining[0] <= minute:
            group.advance(minute)
        actions = scheduled.get(minute)
        if actions:
            for action in actions:
                _carry_out(group, action.apply(group), minute, minute, run)
        in_service = bisect_right(launched, minute - serves_after)
        desired_log.append(group.desired)
        in_service_log.append(in_service)
        nodes_log.append(len(launched) + len(draining))
        decision = decide(group.desired, minute_proposals(minute, group, in_service, tracking, steps, voters, choices))
        if decision:
            _carry_out(group, decision, minute, minute + 1, run)
        minute += 1
    return run


def minute_proposals(
    minute: int,
    group: Group,
    in_service: int,
    tracking: list[target_tracking.TargetTrackingPolicy],
    steps: list[step_scaling.StepScalingPolicy],
    voters: list[target_tracking.TargetTrackingPolicy],
    choices: ModellingChoices,
) -> list[Proposal]:
    """What every policy asks for in minute `minute`'s datapoint, in the stack file's order: the target
    tracking policies, their combined scale-in, then the step policies (step 3 of the module docstring;
    decisions.py's `decide` picks what the group carries out, and keeps the first of equal capacities, so
    this order is how a tie is reported). The replay calls it per minute; the autoscale lab calls it live,
    on the datapoints in its moto (tools/conformance/autoscale/loop.py). `voters`: the tracking policies
    that scale in."""
    proposals: list[Proposal] = []
    ready_to_scale_in = bool(voters)
    for policy in tracking:
        scale_out = policy.evaluate(minute, group, in_service)
        if scale_out is not None:
            proposals.append(scale_out)
        if policy.scales_in and not policy.ready_to_scale_in:
            ready_to_scale_in = False
    if ready_to_scale_in:
        scale_in = combined_scale_in(voters, group, choices)
        if scale_in is not None:
            proposals.append(scale_in)
    for policy in steps:
        proposal = policy.evaluate(minute, group, in_service)
        if proposal is not None:
            proposals.append(proposal)
    return proposals


def _carry_out(group: Group, proposal: Proposal, minute: int, at: int, run: Run) -> None:
    """Resize the group as `proposal` asks, from minute `at`; log the activity under `minute`."""
    before = group.desired
    group.resize(proposal.capacity, at)
    if group.desired == before:
        return
    cause = proposal.cause
    if group.desired != proposal.capacity:
        limit = "maxSize" if proposal.capacity > group.desired else "minSize"
        cause += f" (asked {proposal.capacity}, held to {limit} {group.desired})"
    run.activities.append(Activity(minute, before, group.desired, cause))


def oracle(nodes: NodesSettings, prepared: PreparedTrace) -> Run:
    """Exactly the nodes demand needs, every minute, within the stack's minSize and maxSize."""
    run = Run()
    low, high = nodes.min_size, nodes.max_size
    previous = None
    for minute, (needed, demand) in enumerate(zip(prepared.needed, prepared.trace.demand, strict=True)):
        capacity = low if needed < low else high if needed > high else needed
        if previous is not None and capacity != previous:
            run.activities.append(Activity(minute, previous, capacity, f"demand {demand:.4g} rps"))
        run.desired.append(capacity)
        previous = capacity
    run.in_service = run.nodes = run.desired
    return run
