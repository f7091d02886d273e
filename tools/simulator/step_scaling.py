"""Step scaling policies and the CloudWatch alarm that drives each, as AWS runs them.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html
- Step bounds are relative to the alarm threshold. "If the metric value is above the
  breach threshold, the lower bound is inclusive and the upper bound is exclusive. If the
  metric value is below the breach threshold, the lower bound is exclusive and the upper
  bound is inclusive." (also https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StepAdjustment.html).
  At the threshold itself the comparison decides: GreaterThan* reads it as above,
  LessThan* as below, so [0, 10) and (-10, 0] both hold it.
- Adjustment types: ChangeInCapacity adds to the current capacity, ExactCapacity sets it,
  PercentChangeInCapacity adds a percentage rounded as "values greater than 1 are rounded
  down ... between 0 and 1 are rounded to 1 ... between 0 and -1 are rounded to -1 ...
  less than -1 are rounded up", then raised to MinAdjustmentMagnitude nodes.
- Warmup, counted from InService (model.py). The step scaling page defines the capacity an
  adjustment starts from: "Current capacity - The number of instances (or capacity units)
  in your group that have passed their warmup and cooldown periods and are running and
  ready to be used", and works the example through: at 60 a 10-node group goes to 11; at
  62, "the current capacity is still 10 instances, so 1 instance is added (10 percent of
  10 instances), but the desired capacity of the group is already 11 instances, so AWS
  does not increase the desired capacity further"; at 70, "we should add 3 instances (30
  percent of 10 instances). However, the desired capacity of the group is already 11, so
  we add only 2 instances". The warming instances thus count toward the result, as the
  default-instance-warmup page puts it: "While scaling out, Amazon EC2 Auto Scaling
  considers instances that are warming up as part of the capacity of the group when
  deciding how many instances to add to the group. Therefore, multiple alarm breaches that
  require a similar amount of capacity to be added result in a single scaling activity."
  So the adjustment applies to the warmed nodes and the group keeps the larger of that and
  its desired capacity. "While scaling in, we consider instances that are terminating as
  part of the current capacity": a scale-in starts from the desired capacity plus the
  nodes still draining. Scale-in waits until no node is warming up ("This blocks the scale
  in activities for dynamic scaling until the new instances finish warming up",
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html).
- CloudWatch invokes the policy every minute its alarm stays in ALARM, whatever the
  alarm's period (alarms.py).
- The policy applies the aggregated value of the latest datapoint: "applies the aggregation
  type to the most recent metric data points".

Open details, decided here: MinAdjustmentMagnitude raises scale-in steps as well as
scale-out ones (AWS: "the minimum number of instances to scale"); alarm periods below a
minute (10, 20, 30 s) are evaluated once a minute, the trace's resolution; a derived
metric (CPU, request count per target, scheduler utilisation) is the same on every node,
so its Average, Minimum and Maximum agree, and Sum or SampleCount of it is not simulated.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

from components.settings import NAMESPACE, StepPolicySettings, StepSettings, format_path

from .alarms import COMPARISONS, Alarm
from .decisions import Proposal
from .model import SECONDS_PER_MINUTE, Group, MetricCatalog, Segment, Source, Unsimulated, round_up

PER_NODE_STATISTICS = ("Average", "Minimum", "Maximum")


def round_percent_change(change: float) -> int:
    """AWS's rounding of a PercentChangeInCapacity adjustment that is not a whole number of nodes."""
    if change >= 1:
        return math.floor(change)
    if change > 0:
        return 1
    if change > -1:
        return -1 if change < 0 else 0
    return math.ceil(change)


def percent_adjustment(capacity: int, percent: int, min_magnitude: int | None) -> int:
    """Nodes to add (or remove) for `percent` % of `capacity`, at least `min_magnitude` of them."""
    change = round_percent_change(capacity * percent / 100)
    if min_magnitude and abs(change) < min_magnitude:
        change = int(math.copysign(min_magnitude, percent))
    return change


def step_for(steps: Sequence[StepSettings], breach: float, above: bool) -> StepSettings | None:
    """The step whose interval holds `breach` (metric - threshold), with AWS's inclusive bound."""
    for step in steps:
        lower = -math.inf if step.from_ is None else step.from_
        upper = math.inf if step.to is None else step.to
        inside = lower <= breach < upper if above else lower < breach <= upper
        if inside:
            return step
    return None


class StepScalingPolicy:
    """One step policy: its alarm, and the adjustment it makes while the alarm is in ALARM."""

    def __init__(
        self,
        label: str,
        spec: StepPolicySettings,
        source: Source,
        *,
        record: bool = True,
        segment: Segment | None = None,
    ):
        self.label = label
        self.metric = spec.metric.name
        self.warmup_minutes = round_up(spec.warmup / SECONDS_PER_MINUTE)
        self._spec = spec
        self._source = source
        self._segment = segment
        self._stretch: tuple[int, list[float]] = (0, [])  # the values quiet_until last worked out
        self._alarm = Alarm(
            COMPARISONS[spec.comparison],
            spec.threshold,
            period_minutes=max(1, spec.period // SECONDS_PER_MINUTE),
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            statistic=spec.metric.statistic,
        )
        self.values: list[float | None] | None = [] if record else None
        """The metric as the alarm saw it, minute by minute (None: no datapoint), when recorded."""

    def evaluate(self, minute: int, group: Group, in_service: int) -> Proposal | None:
        """What the policy asks for after this minute, if its alarm is in ALARM and the group would change."""
        warmed = bisect_right(group.launched, minute - self.warmup_minutes)
        value = self._source(minute, in_service) if warmed else None
        if self.values is not None:
            self.values.append(value)
        if not self._alarm.observe(minute, value):
            return None
        spec = self._spec
        datapoint = self._alarm.value
        asked = self._asks(datapoint, group, warmed, group.warming(minute, self.warmup_minutes))
        if asked is None:
            return None
        step, capacity = asked
        cause = (
            f"step {spec.name}: {self.metric} {datapoint:.4g} vs threshold {spec.threshold:g}, "
            f"step {_interval(step, spec.scales_out)}: {spec.adjustment_type} {step.change:+d}"
        )
        return Proposal(capacity, cause)

    def scan(self, start: int, end: int, group: Group, in_service: int) -> int:
        """The first minute in [start, end) at which this policy asks for something, the group
        standing still (end if none): a minute its alarm is in ALARM with a step that would move
        the group. `start` when it cannot tell (alarms of longer periods, M out of N)."""
        alarm = self._alarm
        if not alarm.runs or self._segment is None or start >= end:
            return start
        if not bisect_right(group.launched, start - self.warmup_minutes):
            return start
        values = self._segment(start, end, in_service)
        if None in values:
            return start
        self._stretch = (start, values)
        warmed = bisect_right(group.launched, start - self.warmup_minutes)
        warming = group.warming(start, self.warmup_minutes)
        compare, threshold, needed = alarm.compare, alarm.threshold, alarm.needed
        run = alarm.run
        for offset, value in enumerate(values):
            if compare(value, threshold):
                run += 1
                if run >= needed and self._asks(value, group, warmed, warming) is not None:
                    return start + offset
            else:
                run = 0
        return end

    def skip(self, start: int, end: int) -> None:
        """Move the alarm over minutes [start, end), found quiet by `quiet_until`."""
        if end <= start:
            return
        first, values = self._stretch
        values = values[start - first : end - first]
        self._alarm.follow(values)
        if self.values is not None:
            self.values.extend(values)

    def _asks(self, datapoint: float, group: Group, warmed: int, warming: bool) -> tuple[StepSettings, int] | None:
        """The step and the capacity the policy asks for on `datapoint` while in ALARM, when
        that would change the group (None: it would not)."""
        spec = self._spec
        step = step_for(spec.steps, datapoint - spec.threshold, above=spec.scales_out)
        if step is None:
            return None
        capacity = self._capacity(step, group, warmed)
        desired = group.desired
        if spec.adjustment_type != "ExactCapacity" and (capacity > desired) != spec.scales_out:
            return None  # a scale-out that warming nodes already cover, or a scale-in to no fewer nodes
        if capacity > desired:
            return None if desired >= group.max_size else (step, capacity)
        if capacity < desired:
            return None if desired <= group.min_size or warming else (step, capacity)
        return None

    def _capacity(self, step: StepSettings, group: Group, warmed: int) -> int:
        spec = self._spec
        if spec.adjustment_type == "ExactCapacity":
            return step.change
        current = warmed if spec.scales_out else group.current_capacity
        if spec.adjustment_type == "ChangeInCapacity":
            return current + step.change
        return current + percent_adjustment(current, step.change, spec.min_adjustment_magnitude)


def _interval(step: StepSettings, above: bool) -> str:
    lower = "-inf" if step.from_ is None else f"{step.from_:g}"
    upper = "+inf" if step.to is None else f"{step.to:g}"
    return f"[{lower}, {upper})" if above else f"({lower}, {upper}]"


def build_policies(
    specs: Sequence[StepPolicySettings], catalog: MetricCatalog, *, record: bool = True
) -> tuple[list[StepScalingPolicy], list[str]]:
    """The policies the trace can drive, and a warning for each it cannot."""
    policies, warnings = [], []
    for index, spec in enumerate(specs):
        at = ("scaling", "step", index)
        path = f"{NAMESPACE}:{format_path((*at, 'metric'))}"
        name = spec.metric.name
        source = catalog.source(name)
        if source is None:
            line = f"{path}: the trace has no {name} column: policy {spec.name} skipped"
            warnings.append(Unsimulated(line, at, spec.name, name))
        elif catalog.is_derived(name) and spec.metric.statistic not in PER_NODE_STATISTICS:
            line = (
                f"{path}.statistic: {spec.metric.statistic} of the derived {name} is not simulated: "
                f"policy {spec.name} skipped"
            )
            warnings.append(Unsimulated(line, at, spec.name, name))
        else:
            policies.append(
                StepScalingPolicy(f"step {spec.name}", spec, source, record=record, segment=catalog.segment(name))
            )
    return policies, warnings
