"""Target tracking policies, as Amazon EC2 Auto Scaling runs them.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
- AWS creates two alarms per policy: a high one (scale out) on the metric above the target
  and a low one (scale in) below it; scale-out is proportional and as fast as it can,
  scale-in gradual.
- The new capacity is proportional to metric / target, rounded conservatively: "adding
  1.5 instances ... we round up and add two", "removing 1.5 instances ... we remove just
  one". Both are ceil(nodes x metric / target): never fewer nodes than hold the target.
- Warmup: "Until its specified warm-up time has expired, an instance is not counted toward
  the aggregated metrics", and "while scaling out, we do not consider instances that are
  warming up as part of the current capacity": the proposal counts warmed nodes only, and
  the group keeps the larger of it and the desired capacity, which already holds the
  warming nodes (they count toward the next scale-out; see also
  https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html).
- "A scale-in activity can't start while a scale-out activity is in progress", and scale-in
  is blocked "until the instances finish warming up" (the warmup page above).
- Several policies: scale out "if any of the target tracking policies are ready for scale
  out", scale in "only if all of the target tracking policies (with the scale-in portion
  enabled) are ready to scale in"; `disableScaleIn` makes a policy scale out only.

AWS documents neither the alarms' datapoint counts nor the scale-in threshold. The
alarms it creates read "3 datapoints within 3 minutes" above the target and "15
datapoints within 15 minutes" below a lower threshold that consoles show between 70% and
90% of the target: `TargetTrackingAlarms` holds these as parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from components.settings import NAMESPACE, PREDEFINED_TARGET_METRICS, TargetTrackingSettings, format_path

from .alarms import Alarm
from .decisions import Proposal
from .model import SECONDS_PER_MINUTE, Group, MetricCatalog, Source, round_up


@dataclass(frozen=True)
class TargetTrackingAlarms:
    """What AWS leaves open about the alarms behind a target tracking policy.

    scale_out_datapoints: consecutive datapoints above the target before scaling out (3).
    scale_in_datapoints: consecutive datapoints below the scale-in threshold before scaling in (15).
    scale_in_fraction: the scale-in threshold as a fraction of the target (0.9; some
        consoles show 0.7).
    period_minutes: one datapoint per this many minutes (1: ALB metrics and detailed
        monitoring; basic EC2 monitoring would be 5).
    """

    scale_out_datapoints: int = 3
    scale_in_datapoints: int = 15
    scale_in_fraction: float = 0.9
    period_minutes: int = 1


AWS_ALARMS = TargetTrackingAlarms()
"""The defaults above: what the alarms AWS creates show."""


def metric_name(spec: TargetTrackingSettings) -> str:
    """The CloudWatch metric a policy tracks."""
    return PREDEFINED_TARGET_METRICS.get(spec.metric) or spec.customized_metric().name


class TargetTrackingPolicy:
    """One target tracking policy: its two alarms and how it sizes the group."""

    def __init__(
        self,
        label: str,
        spec: TargetTrackingSettings,
        source: Source,
        alarms: TargetTrackingAlarms = AWS_ALARMS,
    ):
        self.label = label
        self.metric = spec.metric if spec.metric != "custom" else metric_name(spec)
        self.target = spec.target
        self.scales_in = not spec.disable_scale_in
        self.warmup_minutes = round_up(spec.warmup / SECONDS_PER_MINUTE)
        self._source = source
        self._scale_in_threshold = spec.target * alarms.scale_in_fraction
        self._high = Alarm(
            lambda value: value > spec.target,
            period_minutes=alarms.period_minutes,
            evaluation_periods=alarms.scale_out_datapoints,
        )
        self._low = Alarm(
            lambda value: value < self._scale_in_threshold,
            period_minutes=alarms.period_minutes,
            evaluation_periods=alarms.scale_in_datapoints,
        )
        self._datapoints = (alarms.scale_out_datapoints, alarms.scale_in_datapoints)
        self.values: list[float | None] = []
        """The metric as the policy saw it, minute by minute (None: no datapoint)."""

    def evaluate(self, minute: int, group: Group, in_service: int) -> tuple[Proposal | None, Proposal | None]:
        """(scale-out proposal, scale-in readiness) after this minute's datapoint."""
        warmed = group.warmed(minute, self.warmup_minutes)
        value = self._source(minute, in_service) if warmed else None
        self.values.append(value)
        high, low = self._high.observe(minute, value), self._low.observe(minute, value)
        scale_out = None
        if high and high.in_alarm:
            capacity = round_up(warmed * high.value / self.target)
            if capacity > group.desired:
                scale_out = Proposal(
                    capacity,
                    f"{self.label} {self.metric} {high.value:.4g} > {self.target:g} "
                    f"for {self._datapoints[0]} datapoints: {warmed} warmed nodes x {high.value:.4g}/{self.target:g}",
                )
        ready_to_scale_in = None
        if self.scales_in and low and low.in_alarm and not group.warming(minute, self.warmup_minutes):
            ready_to_scale_in = Proposal(
                round_up(group.current_capacity * low.value / self.target),
                f"{self.metric} {low.value:.4g} < {self._scale_in_threshold:.4g}",
            )
        return scale_out, ready_to_scale_in


def combined_scale_in(
    policies: Sequence[TargetTrackingPolicy], ready: Sequence[Proposal | None], datapoints: int
) -> Proposal | None:
    """The target tracking scale-in, when every policy that may scale in is ready to: the largest capacity."""
    voters = [proposal for policy, proposal in zip(policies, ready, strict=True) if policy.scales_in]
    if not voters or any(proposal is None for proposal in voters):
        return None
    causes = ", ".join(proposal.cause for proposal in voters)
    return Proposal(
        max(proposal.capacity for proposal in voters),
        f"targetTracking scale-in: {causes} for {datapoints} datapoints",
    )


def build_policies(
    specs: Sequence[TargetTrackingSettings], catalog: MetricCatalog, alarms: TargetTrackingAlarms
) -> tuple[list[TargetTrackingPolicy], list[str]]:
    """The policies the trace can drive, and a warning for each it cannot."""
    policies, warnings = [], []
    for index, spec in enumerate(specs):
        path = f"{NAMESPACE}:{format_path(('scaling', 'targetTracking', index))}"
        name = metric_name(spec)
        source = catalog.source(name)
        if source is None:
            warnings.append(f"{path}: the trace has no {name} column: policy skipped")
            continue
        policies.append(TargetTrackingPolicy(f"targetTracking[{index}]", spec, source, alarms))
    return policies, warnings
