"""The stack's scaling policies run live: the simulator's AWS engine on the datapoints in moto.

    loop = ScalingLoop.for_group(settings, client, group_name, capacity, time)
    change = loop.evaluate(minute, fleet)     # once per lab minute, after that minute's datapoints landed

moto keeps the policies and the step policies' alarms but evaluates nothing. Each lab minute the loop
reads, for every policy, the minute's datapoint the way its alarm reads it: namespace, metric name,
exactly its dimensions, its statistic and a 60 s period (GetMetricStatistics), taken from what moto
holds, not from the settings:

- a target tracking policy: its TargetTrackingConfiguration (DescribePolicies). A predefined metric
  is the CloudWatch metric AWS documents for it (metrics/contract.py PREDEFINED; PredefinedMetricSpecification in the
  EC2 Auto Scaling API Reference: ALBRequestCountPerTarget's ResourceLabel ends with the target
  group's ARN suffix, the `TargetGroup` dimension); a customized one names its metric itself;
- a step policy: the alarm whose action it is (DescribeAlarms: the stack names it after the policy).

The datapoints go to the simulator's policy objects (tools/simulator/target_tracking.py,
step_scaling.py, alarms.py) built from the stack's settings, and the minute's decision is the
simulator's own (`engine.minute_proposals`, then decisions.py's `decide`). So alarms (M of N,
thresholds, the target tracking alarms' datapoints and scale-in threshold, choices.py), warmup,
proportional sizing, step bounds and the resolution of several policies are the replay's, word for
word; only where the datapoints come from differs. The group the policies see is the lab's: the
minute each node reached InService (its launch hook completed), the nodes serving (the load
balancer's healthy targets), the nodes draining.

A decision is applied in moto with its activity (activities.py), naming the policy (and the alarm
that invoked it); the lab then boots or drains the instances it names.

Two policies asking the same capacity in the same minute: AWS "chooses the policy that provides the
largest capacity" (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scale-based-on-demand.html
#multiple-scaling-policy-resolution) and says no more; either gives the same group. The loop, like the
replay, carries out the first of them in the stack file's order (target tracking policies as listed,
then step policies) and names it in the activity; the Change keeps the others (`tied`), so the report
says the minute was a tie.

moto matches a query's dimensions as a subset where CloudWatch matches them exactly: a series is read
only once ListMetrics shows it with exactly the alarm's dimensions (as the metrics contract does).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from components.plans.names import step_alarm_name, step_policy_name, target_tracking_policy_name
from components.plans.scaling import tracked_metric_name
from components.settings import StackSettings
from tools.conformance.metrics.contract import Metric, target_tracking_metric
from tools.simulator import step_scaling, target_tracking
from tools.simulator.choices import DEFAULT_CHOICES, ModellingChoices
from tools.simulator.decisions import decide
from tools.simulator.engine import minute_proposals
from tools.simulator.model import Group

from .activities import Trigger
from .lab_time import SECONDS_PER_MINUTE, LabTime

NOT_YET_IN_SERVICE = 10**9
"""The InService minute of a node still in its launch hook: after any minute the loop evaluates."""


def alarm_query(alarm: dict[str, Any]) -> Metric:
    """What a metric alarm (as DescribeAlarms returns it) reads, one minute at a time."""
    return Metric.named_in(alarm, alarm["Statistic"], SECONDS_PER_MINUTE)


@dataclass(frozen=True)
class Watched:
    """One policy as the loop runs it: the simulator's label, AWS's names, and what it reads."""

    label: str
    policy: str
    query: Metric
    alarm: str | None = None


def watched_policies(settings: StackSettings, cloudwatch: Any, autoscaling: Any, group_name: str) -> list[Watched]:
    """The group's scaling policies in moto, each with the query its alarm makes (see the module docstring)."""
    described = {
        p["PolicyName"]: p
        for page in autoscaling.get_paginator("describe_policies").paginate(AutoScalingGroupName=group_name)
        for p in page["ScalingPolicies"]
    }
    watched = []
    for index, spec in enumerate(settings.scaling.target_tracking):
        name = target_tracking_policy_name(settings, spec)
        if name not in described:
            raise LookupError(f"{group_name}: no target tracking policy {name} in moto (was the stack applied?)")
        watched.append(Watched(f"targetTracking[{index}]", name, target_tracking_metric(described[name], group_name)))
    for spec in settings.scaling.step:
        alarm_name = step_alarm_name(settings, spec)
        alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
        if not alarms:
            raise LookupError(f"no alarm {alarm_name} in moto for step policy {spec.name}")
        watched.append(
            Watched(f"step {spec.name}", step_policy_name(settings, spec), alarm_query(alarms[0]), alarm_name)
        )
    return watched


class LiveCatalog:
    """The simulator's MetricCatalog, answered from moto: a metric's value at (minute, nodes) is the
    minute's datapoint as the policy's alarm reads it. No segments: every minute is evaluated."""

    def __init__(self, cloudwatch: Any, queries: dict[str, Metric], time: LabTime):
        self._cloudwatch = cloudwatch
        self._queries = queries
        self._time = time
        self._existing: set[Metric] = set()
        self.read: dict[str, dict[int, float | None]] = {name: {} for name in queries}
        """Every datapoint the loop read, by metric name and minute: the report's timeline."""

    def source(self, name: str) -> Callable[[int, int], float | None] | None:
        query = self._queries.get(name)
        if query is None:
            return None

        def value(minute: int, _in_service: int) -> float | None:
            found = self.datapoint(query, minute)
            self.read[name][minute] = found
            return found

        return value

    def datapoint(self, query: Metric, minute: int) -> float | None:
        if query not in self._existing:
            if query.dimensions not in query.series(self._cloudwatch):
                return None
            self._existing.add(query)
        start, end = self._time.minute_start(minute), self._time.minute_start(minute + 1)
        inside = [d for d in query.statistics(self._cloudwatch, start, end) if start <= d["Timestamp"] < end]
        return inside[0][query.statistic] if inside else None

    def segment(self, name: str) -> None:
        return None

    def is_derived(self, name: str) -> bool:
        return False


class FleetView(Protocol):
    """The lab's group as the policies see it."""

    def in_service_minutes(self) -> list[int]:
        """For each node the desired capacity counts (not draining): the lab minute it reached InService,
        NOT_YET_IN_SERVICE while its launch hook holds it; sorted."""

    def serving(self) -> int:
        """Nodes the load balancer sends requests to (healthy targets)."""

    def draining(self) -> int:
        """Nodes taken out of service that are still draining (Terminating:Wait)."""

    def removal_order(self) -> list[str]:
        """Instance ids of the counted nodes, the first to remove first."""


class Capacity(Protocol):
    def change(self, group: str, desired: int, trigger: Trigger, at: datetime, remove: list[str] | None = None): ...


@dataclass(frozen=True)
class Change:
    """One scaling activity the loop carried out."""

    minute: int
    from_: int
    to: int
    policy: str
    alarm: str | None
    cause: str
    launched: list[str] = field(default_factory=list)
    draining: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)
    """Other policies that asked for the same capacity in the same minute (see the module docstring)."""


class ScalingLoop:
    """See the module docstring."""

    def __init__(
        self,
        settings: StackSettings,
        cloudwatch: Any,
        autoscaling: Any,
        group_name: str,
        capacity: Capacity,
        time: LabTime,
        choices: ModellingChoices = DEFAULT_CHOICES,
    ):
        self.settings = settings
        self.autoscaling = autoscaling
        self.group_name = group_name
        self.capacity = capacity
        self.time = time
        self.choices = choices
        self.watched = watched_policies(settings, cloudwatch, autoscaling, group_name)
        queries = {}
        for spec, watched in zip(
            [*settings.scaling.target_tracking, *settings.scaling.step], self.watched, strict=True
        ):
            name = tracked_metric_name(spec) if watched.label.startswith("targetTracking") else spec.metric.name
            queries[name] = watched.query
        self.catalog = LiveCatalog(cloudwatch, queries, time)
        self.tracking, warnings = target_tracking.build_policies(
            settings.scaling.target_tracking, self.catalog, choices
        )
        self.steps, step_warnings = step_scaling.build_policies(settings.scaling.step, self.catalog)
        self.warnings = warnings + step_warnings
        self.voters = [p for p in self.tracking if p.scales_in]
        self.changes: list[Change] = []

    def group(self, fleet: FleetView) -> Group:
        """The simulator's Group for this minute: moto's sizes, the lab's nodes."""
        [described] = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[self.group_name])[
            "AutoScalingGroups"
        ]
        group = Group(
            described["MinSize"],
            described["MaxSize"],
            described["DesiredCapacity"],
            launched=fleet.in_service_minutes(),
        )
        group.draining = deque([NOT_YET_IN_SERVICE] * fleet.draining())
        return group

    def evaluate(self, minute: int, fleet: FleetView) -> Change | None:
        """Every policy sees minute `minute`'s datapoints; the change carried out in moto, if any."""
        group = self.group(fleet)
        proposals = minute_proposals(
            minute, group, fleet.serving(), self.tracking, self.steps, self.voters, self.choices
        )
        decision = decide(group.desired, proposals)
        if decision is None:
            return None
        desired = group.clamp(decision.capacity)
        if desired == group.desired:
            return None
        watched = self._trigger(decision.cause, group)
        alarm = watched.alarm or _tracking_alarm(self.group_name, high=desired > group.desired)
        trigger = Trigger(watched.policy, alarm, decision.cause)
        remove = fleet.removal_order()[: group.desired - desired] if desired < group.desired else None
        done = self.capacity.change(self.group_name, desired, trigger, self.time.minute_start(minute + 1), remove)
        change = Change(minute, group.desired, desired, trigger.policy, alarm, decision.cause)
        change.launched.extend(done["launched"])
        change.draining.extend(done["draining"])
        change.tied.extend(
            self._trigger(p.cause, group).policy
            for p in proposals
            if p is not decision and p.capacity == decision.capacity
        )
        self.changes.append(change)
        return change

    def _trigger(self, cause: str, group: Group) -> Watched:
        """The policy whose proposal the group carried out (the simulator's cause starts with its label)."""
        if cause.startswith("targetTracking scale-in"):
            current = group.current_capacity
            deciding = max(self.voters, key=lambda p: p.scale_in_capacity(current))
            return next(w for w in self.watched if w.label == deciding.label)
        return next(w for w in self.watched if cause.startswith(f"{w.label} ") or cause.startswith(f"{w.label}:"))


def _tracking_alarm(group_name: str, *, high: bool) -> str:
    """The alarm AWS creates for a target tracking policy, `TargetTracking-<group>-AlarmHigh-<id>`
    (AlarmLow for scale-in); moto creates none, so the id is left off."""
    return f"TargetTracking-{group_name}-{'AlarmHigh' if high else 'AlarmLow'}"
