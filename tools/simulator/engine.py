"""The minute loop: replay a trace through a stack's scaling settings, a baseline and an oracle.

Each minute t, in this order:
1. scheduled actions due at t set the group's sizes; nodes they launch serve from t + boot;
2. the group serves demand[t] with the nodes in service (what the figures count);
3. every policy sees minute t's datapoint; the group carries out what they ask for
   together (decisions.py); nodes launched now, at the end of the minute, serve from
   t + 1 + boot, and nodes removed stop serving and drain (model.py).
The group starts at the stack's desiredCapacity, its nodes serving and warmed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from components.settings import (
    NAMESPACE,
    NodesSettings,
    ScalingSettings,
    StackSettings,
    TargetTrackingSettings,
    format_path,
)

from . import step_scaling, target_tracking
from .decisions import Proposal, decide
from .model import SECONDS_PER_MINUTE, Group, MetricCatalog, NodeModel
from .schedules import ScheduledAction, timetable
from .target_tracking import AWS_ALARMS, TargetTrackingAlarms, TargetTrackingPolicy, combined_scale_in
from .trace import Trace

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, so weekday schedules show in a day's trace
BASELINE_CPU_TARGET = 50.0
"""The baseline: one CPU target tracking policy at 50%, the common default (the AWS console
suggests 50% average CPU), with the stack's sizes and nothing else."""


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
    """Nodes running each minute, booting ones included: what instance-hours count."""
    activities: list[Activity] = field(default_factory=list)
    metrics: dict[str, list[float | None]] = field(default_factory=dict)
    """Each policy's metric as it saw it, by metric name."""


@dataclass(frozen=True)
class Summary:
    """The figures a variant is judged by."""

    under_provisioned_minutes: int
    """Minutes in which demand exceeded what the nodes in service can serve."""
    peak_shortfall: float
    """The largest excess of demand over in-service capacity, in requests/s (0 when never short)."""
    instance_hours: float
    """Node-hours running, booting ones included."""


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

    def summary(self, run: Run) -> Summary:
        under, peak = 0, 0.0
        for demand, in_service in zip(self.trace.demand, run.in_service, strict=True):
            shortfall = demand - in_service * self.node.node_rps
            if shortfall > 1e-9:
                under += 1
                peak = max(peak, shortfall)
        return Summary(under, peak, sum(run.nodes) / SECONDS_PER_MINUTE)


def simulate(
    settings: StackSettings,
    trace: Trace,
    node: NodeModel,
    start: datetime = DEFAULT_START,
    alarms: TargetTrackingAlarms = AWS_ALARMS,
) -> Simulation:
    """Replay `trace` through the stack's scaling, the baseline and the oracle."""
    catalog = MetricCatalog(trace, node)
    policy, warnings = replay_scaling(settings.nodes, settings.scaling, trace, node, start, alarms, catalog)
    baseline_scaling = ScalingSettings(
        target_tracking=[TargetTrackingSettings(metric="cpu", target=BASELINE_CPU_TARGET)]
    )
    baseline, _ = replay_scaling(settings.nodes, baseline_scaling, trace, node, start, alarms, catalog)
    return Simulation(
        settings.stack, trace, node, start, policy, baseline, oracle(settings.nodes, trace, node), warnings
    )


def replay_scaling(
    nodes: NodesSettings,
    scaling: ScalingSettings,
    trace: Trace,
    node: NodeModel,
    start: datetime,
    alarms: TargetTrackingAlarms,
    catalog: MetricCatalog,
) -> tuple[Run, list[str]]:
    """Replay the trace through one `scaling` section on a group of the stack's sizes."""
    tracking, warnings = target_tracking.build_policies(scaling.target_tracking, catalog, alarms)
    steps, step_warnings = step_scaling.build_policies(scaling.step, catalog)
    warnings += step_warnings
    if scaling.predictive and scaling.predictive.mode == "ForecastAndScale":
        warnings.append(
            f"{NAMESPACE}:{format_path(('scaling', 'predictive', 'mode'))}: ForecastAndScale is not simulated "
            "(it acts on AWS's forecast): the figures leave it out"
        )
    group = Group.running(nodes.min_size, nodes.max_size, nodes.desired_capacity, node.drain_minutes)
    run = _replay(group, tracking, steps, timetable(scaling.schedules, start, trace.minutes), trace, node, alarms)
    run.metrics = {policy.metric: policy.values for policy in [*tracking, *steps]}
    return run, warnings


def _replay(
    group: Group,
    tracking: list[TargetTrackingPolicy],
    steps: list[step_scaling.StepScalingPolicy],
    scheduled: dict[int, list[ScheduledAction]],
    trace: Trace,
    node: NodeModel,
    alarms: TargetTrackingAlarms,
) -> Run:
    run = Run()
    boot = node.boot_minutes
    for minute in range(trace.minutes):
        for action in scheduled.get(minute, ()):
            _carry_out(group, action.apply(group), minute, minute + boot, run)
        group.advance(minute)
        in_service = group.in_service(minute)
        run.desired.append(group.desired)
        run.in_service.append(in_service)
        run.nodes.append(group.nodes)
        proposals: list[Proposal] = []
        ready_to_scale_in: list[Proposal | None] = []
        for policy in tracking:
            scale_out, ready = policy.evaluate(minute, group, in_service)
            if scale_out:
                proposals.append(scale_out)
            ready_to_scale_in.append(ready)
        scale_in = combined_scale_in(tracking, ready_to_scale_in, alarms.scale_in_datapoints)
        if scale_in and scale_in.capacity < group.desired:
            proposals.append(scale_in)
        for policy in steps:
            proposal = policy.evaluate(minute, group, in_service)
            if proposal:
                proposals.append(proposal)
        decision = decide(group.desired, proposals)
        if decision:
            _carry_out(group, decision, minute, minute + 1 + boot, run)
    return run


def _carry_out(group: Group, proposal: Proposal, minute: int, ready_at: int, run: Run) -> None:
    before = group.desired
    group.resize(proposal.capacity, minute, ready_at)
    if group.desired == before:
        return
    cause = proposal.cause
    if group.desired != proposal.capacity:
        limit = "maxSize" if proposal.capacity > group.desired else "minSize"
        cause += f" (asked {proposal.capacity}, held to {limit} {group.desired})"
    run.activities.append(Activity(minute, before, group.desired, cause))


def oracle(nodes: NodesSettings, trace: Trace, node: NodeModel) -> Run:
    """Exactly the nodes demand needs, every minute, within the stack's minSize and maxSize."""
    run = Run()
    for minute, demand in enumerate(trace.demand):
        capacity = max(nodes.min_size, min(nodes.max_size, node.nodes_for(demand)))
        if run.desired and capacity != run.desired[-1]:
            run.activities.append(Activity(minute, run.desired[-1], capacity, f"demand {demand:.4g} rps"))
        run.desired.append(capacity)
    run.in_service = run.nodes = run.desired
    return run
