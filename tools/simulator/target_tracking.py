"""Target tracking policies, as Amazon EC2 Auto Scaling runs them.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
- AWS creates two alarms per policy: a high one (scale out) on the metric above the target
  and a low one (scale in) below it; "the Auto Scaling group scales out proportionally to
  the metric as fast as it can, but scales in more gradually".
- The new capacity is proportional to metric / target, rounded conservatively: "adding
  1.5 instances ... we round up and add two", "removing 1.5 instances ... we remove just
  one". Both are ceil(nodes x metric / target): never fewer nodes than hold the target.
- Several policies: scale out "if any of the target tracking policies are ready for scale
  out", scale in "only if all of the target tracking policies (with the scale-in portion
  enabled) are ready to scale in"; `disableScaleIn` makes a policy scale out only.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html
- The warmup runs from InService (model.py). "While instances are warming up, your dynamic
  scaling policies scale out only if the metric value from instances that are not warming
  up is greater than ... the target utilization of a target tracking scaling policy": the
  metric has a datapoint only once a node has finished its warmup.
- "While scaling out, Amazon EC2 Auto Scaling considers instances that are warming up as
  part of the capacity of the group when deciding how many instances to add to the group.
  Therefore, multiple alarm breaches that require a similar amount of capacity to be added
  result in a single scaling activity." The scale-out sizes the group from every node in
  service, warming ones included (they carry their share of the load the metric shows),
  and the nodes still booting count toward it through the desired capacity: the group
  keeps the larger of the two. (The current page no longer says, as the target tracking
  page once did, that warming instances are left out of the current capacity.)
- "This blocks the scale in activities for dynamic scaling until the new instances finish
  warming up."
- Scale-in starts from the current capacity, terminating nodes included ("While scaling
  in, we consider instances that are terminating as part of the current capacity of the
  group. Therefore, we don't remove more instances from the Auto Scaling group than
  necessary.", the target tracking and step scaling pages).

How far one scale-in goes, and the alarms' datapoints and scale-in threshold, are the
simulator's choices (choices.py), listed in every report.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections.abc import Callable, Sequence

from components.plans.scaling import tracked_metric_name
from components.settings import NAMESPACE, TargetTrackingSettings, format_path

from .alarms import Alarm
from .choices import DEFAULT_CHOICES, ModellingChoices
from .decisions import Proposal
from .model import (
    ROUNDING_SLACK,
    SECONDS_PER_MINUTE,
    Group,
    MetricCatalog,
    Segment,
    Source,
    Unsimulated,
    round_up,
)

TargetTrackingAlarms = ModellingChoices  # the earlier names, kept for their callers
AWS_ALARMS = DEFAULT_CHOICES


class TargetTrackingPolicy:
    """One target tracking policy: its two alarms and how it sizes the group."""

    def __init__(
        self,
        label: str,
        spec: TargetTrackingSettings,
        source: Source,
        choices: ModellingChoices = DEFAULT_CHOICES,
        *,
        record: bool = True,
        segment: Segment | None = None,
    ):
        self.label = label
        self.metric = spec.metric if spec.metric != "custom" else tracked_metric_name(spec)
        self.target = spec.target
        self.scales_in = not spec.disable_scale_in
        self.warmup_minutes = round_up(spec.warmup / SECONDS_PER_MINUTE)
        self._source = source
        self._segment = segment
        self._high = Alarm(
            operator.gt,
            spec.target,
            period_minutes=choices.period_minutes,
            evaluation_periods=choices.scale_out_datapoints,
        )
        self._low = Alarm(
            operator.lt,
            spec.target * choices.scale_in_fraction,
            period_minutes=choices.period_minutes,
            evaluation_periods=choices.scale_in_datapoints,
        )
        self._datapoints = (choices.scale_out_datapoints, choices.scale_in_datapoints)
        self._needed_high, self._needed_low = self._datapoints
        self._low_threshold = self._low.threshold
        # one datapoint a minute: the alarms are N of N, so runs of breaching datapoints say it all
        self._one_a_minute = choices.period_minutes == 1
        self._above = self._below = 0
        self._latest: float | None = None
        self._low_value: float | None = None
        self._stretch: tuple[int, list[float]] = (0, [])  # the values quiet_until last worked out
        self.ready_to_scale_in = False
        """After `evaluate`: whether this policy is ready to scale in (`scale_in_capacity` says to what)."""
        self.values: list[float | None] | None = [] if record else None
        """The metric as the policy saw it, minute by minute (None: no datapoint), when recorded."""

    def evaluate(self, minute: int, group: Group, in_service: int) -> Proposal | None:
        """Feed this minute's datapoint; the scale-out it asks for, if it would grow the group.

        Sets `ready_to_scale_in`. The common case (one datapoint a minute) keeps the two
        alarms as runs of breaching datapoints; it is what the replay spends its time on."""
        warmup = self.warmup_minutes
        launched = group.launched
        value = self._source(minute, in_service) if bisect_right(launched, minute - warmup) else None
        if self.values is not None:
            self.values.append(value)
        if self._one_a_minute:
            if value is not None:
                above = self._above = self._above + 1 if value > self.target else 0
                below = self._below = self._below + 1 if value < self._low_threshold else 0
                self._latest = value
            else:
                above, below = self._above, self._below
            high = above >= self._needed_high
            low = below >= self._needed_low
            high_value = low_value = self._latest
        else:
            high = self._high.observe(minute, value)
            low = self._low.observe(minute, value)
            high_value, low_value = self._high.value, self._low.value
        self._low_value = low_value
        self.ready_to_scale_in = low and self.scales_in and not (launched and launched[-1] > minute - warmup)
        if not high or group.desired >= group.max_size:
            return None
        capacity = round_up(in_service * high_value / self.target)
        if capacity <= group.desired:
            return None
        return Proposal(
            capacity,
            f"{self.label} {self.metric} {high_value:.4g} > {self.target:g} for {self._datapoints[0]} datapoints: "
            f"{in_service} nodes in service x {high_value:.4g}/{self.target:g}",
        )

    def scan(self, start: int, end: int, group: Group, in_service: int) -> tuple[int, list[bool] | None]:
        """Look over minutes [start, end), the group standing still, for what this policy might do.

        Returns the first minute its high alarm is in ALARM with a scale-out that would grow
        the group (end if none; start when it cannot tell), and, when it may scale in here,
        for each minute whether its low alarm is in ALARM with a scale-in that would shrink
        the group (the engine scales in only on a minute every voter marks). The alarms'
        runs move only through `skip`."""
        if not self._one_a_minute or self._segment is None or start >= end:
            return start, None
        if not bisect_right(group.launched, start - self.warmup_minutes):
            return start, None  # no datapoints yet: leave it to the minute loop
        values = self._segment(start, end, in_service)
        if None in values:
            return start, None
        self._stretch = (start, values)
        desired = group.desired
        can_grow = desired < group.max_size
        launched = group.launched
        can_shrink = (
            self.scales_in
            and desired > group.min_size
            and not (launched and launched[-1] > start - self.warmup_minutes)
        )
        target = self.target
        if can_grow and max(values) > target:
            # round_up(x) > desired, as the minute loop decides it: ceil(x - 1e-9) > desired
            needed, above = self._datapoints[0], self._above
            for offset, value in enumerate(values):
                if value > target:
                    above += 1
                    if above >= needed and in_service * value / target - ROUNDING_SLACK > desired:
                        end = start + offset
                        break
                else:
                    above = 0
        if not can_shrink:
            return end, None
        low = self._low.threshold
        if min(values) >= low:
            return end, []  # no minute below the scale-in threshold
        # round_up(x) < desired: ceil(x - 1e-9) <= desired - 1
        current, needed, below, most = group.current_capacity, self._datapoints[1], self._below, desired - 1
        shrinks: list[bool] = []
        for value in values[: end - start]:
            if value < low:
                below += 1
                shrinks.append(below >= needed and current * value / target - ROUNDING_SLACK <= most)
            else:
                below = 0
                shrinks.append(False)
        return end, shrinks

    def skip(self, start: int, end: int) -> None:
        """Move the alarms over minutes [start, end), found quiet by `quiet_until`."""
        if end <= start:
            return
        first, values = self._stretch
        values = values[start - first : end - first]
        self._above = _run(values, lambda value: value > self.target, self._above, self._datapoints[0])
        self._below = _run(values, lambda value: value < self._low.threshold, self._below, self._datapoints[1])
        self._latest = values[-1]
        if self.values is not None:
            self.values.extend(values)

    def scale_in_capacity(self, current_capacity: int) -> int:
        """The capacity this policy, ready to scale in, asks for: ceil(current x metric / target)."""
        return round_up(current_capacity * self._low_value / self.target)

    def scale_in_cause(self) -> str:
        return f"{self.metric} {self._low_value:.4g} < {self._low.threshold:.4g}"


def _run(values: list[float], breaches: Callable[[float], bool], before: int, enough: int) -> int:
    """The run of breaching datapoints after `values`, continuing `before`; capped at `enough`
    (the alarm compares it with `enough` only)."""
    run = 0
    for value in reversed(values):
        if not breaches(value):
            return min(run, enough)
        run += 1
        if run >= enough:
            return enough
    return min(run + before, enough)


def combined_scale_in(
    policies: Sequence[TargetTrackingPolicy], group: Group, choices: ModellingChoices
) -> Proposal | None:
    """The target tracking scale-in, when every policy that may scale in is ready to.

    The largest of their capacities wins; one activity goes `choices.scale_in_step` of the
    way there from the current capacity (terminating nodes included), at least one node."""
    voters = [policy for policy in policies if policy.scales_in]
    if not voters or group.desired <= group.min_size or not all(policy.ready_to_scale_in for policy in voters):
        return None
    current = group.current_capacity
    proportional = max(policy.scale_in_capacity(current) for policy in voters)
    if proportional >= group.desired:
        return None
    removal = current - proportional
    if choices.scale_in_step < 1:
        removal = max(1, math.floor(removal * choices.scale_in_step))
    capacity = current - removal
    if capacity >= group.desired:
        return None
    causes = ", ".join(policy.scale_in_cause() for policy in voters)
    step = "" if capacity == proportional else f", {choices.scale_in_step:g} of the way to {proportional}"
    return Proposal(capacity, f"targetTracking scale-in: {causes} for {choices.scale_in_datapoints} datapoints{step}")


def build_policies(
    specs: Sequence[TargetTrackingSettings],
    catalog: MetricCatalog,
    choices: ModellingChoices = DEFAULT_CHOICES,
    *,
    record: bool = True,
) -> tuple[list[TargetTrackingPolicy], list[str]]:
    """The policies the trace can drive, and a warning for each it cannot."""
    policies, warnings = [], []
    for index, spec in enumerate(specs):
        at = ("scaling", "targetTracking", index)
        path = f"{NAMESPACE}:{format_path(at)}"
        name = tracked_metric_name(spec)
        source = catalog.source(name)
        if source is None:
            line = f"{path}: the trace has no {name} column: policy skipped"
            warnings.append(Unsimulated(line, at, spec.metric, name))
            continue
        policies.append(
            TargetTrackingPolicy(
                f"targetTracking[{index}]", spec, source, choices, record=record, segment=catalog.segment(name)
            )
        )
    return policies, warnings
