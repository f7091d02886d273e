"""Scaling: one plan per kind of policy, from the `scaling` section.

Each plan holds what its resources declare, in AWS's API values, and says through
`described(...)` how AWS's Describe call reports it (DescribePolicies, DescribeAlarms,
DescribeScheduledActions), so `tools.verify` compares like with like. Names AWS only
gives at deploy time (the group's, the request-count label, the policy's ARN) are
parameters. The Scaling component declares the plans; names come from `plans.names`.

- target_tracking: AWS's predefined metrics, or customized ones (memory, BEAM, custom)
- step: the step policy and its alarm
- schedules: scheduled actions, sizes left out stay as they are
- predictive: the forecast's metric pair, mode, buffer and maximum capacity
- metric: a CloudWatch metric and its dimensions; the request-count label
"""

from __future__ import annotations

from dataclasses import dataclass

from ...settings import StackSettings
from .metric import MetricPlan, arn_suffix, request_count_label
from .predictive import PREDICTIVE, PredictivePlan, predictive_plan
from .schedules import UNCHANGED_SIZE, ScheduledActionPlan, provider_size, schedule_plan
from .step import STEP, StepAdjustmentPlan, StepAlarmPlan, StepPlan, StepPolicyPlan, provider_bound, step_plan
from .target_tracking import TARGET_TRACKING, TargetTrackingPlan, target_tracking_plan, tracked_metric_name


@dataclass(frozen=True)
class ScalingPlan:
    """Every policy, alarm and scheduled action the stack puts on its node group."""

    target_tracking: tuple[TargetTrackingPlan, ...]
    step: tuple[StepPlan, ...]
    schedules: tuple[ScheduledActionPlan, ...]
    predictive: PredictivePlan | None


def scaling_plan(settings: StackSettings) -> ScalingPlan:
    scaling = settings.scaling
    return ScalingPlan(
        target_tracking=tuple(target_tracking_plan(settings, t) for t in scaling.target_tracking),
        step=tuple(step_plan(settings, s) for s in scaling.step),
        schedules=tuple(schedule_plan(settings, s) for s in scaling.schedules),
        predictive=predictive_plan(settings),
    )


__all__ = [
    "PREDICTIVE",
    "STEP",
    "TARGET_TRACKING",
    "UNCHANGED_SIZE",
    "MetricPlan",
    "PredictivePlan",
    "ScalingPlan",
    "ScheduledActionPlan",
    "StepAdjustmentPlan",
    "StepAlarmPlan",
    "StepPlan",
    "StepPolicyPlan",
    "TargetTrackingPlan",
    "arn_suffix",
    "predictive_plan",
    "provider_bound",
    "provider_size",
    "request_count_label",
    "scaling_plan",
    "schedule_plan",
    "step_plan",
    "target_tracking_plan",
    "tracked_metric_name",
]
