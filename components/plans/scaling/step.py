"""Step scaling: a policy of steps, and the CloudWatch alarm whose one action is that policy.

Step bounds are relative to the alarm's threshold; AWS describes an unbounded side by
leaving the bound out. https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...settings import StackSettings, StepPolicySettings
from .. import names
from .metric import MetricPlan, metric_plan

STEP = "StepScaling"
"""AWS's PolicyType."""

STEP_AGGREGATIONS = ("Average", "Minimum", "Maximum")
"""What a step policy accepts as its MetricAggregationType."""

DEFAULT_AGGREGATION = "Average"
"""AWS's aggregation when none is given: the policy's, for an alarm statistic it does not accept (Sum)."""

MISSING_DATA = "missing"
"""A step alarm without datapoints (the release publishes nothing) stays INSUFFICIENT_DATA:
it scales nothing, and the state tells the operator the metric is absent."""


@dataclass(frozen=True)
class StepAdjustmentPlan:
    """One step: an interval relative to the threshold (None: unbounded), and the change."""

    lower: float | None
    upper: float | None
    change: int

    def described(self) -> dict[str, Any]:
        return {
            "MetricIntervalLowerBound": self.lower,
            "MetricIntervalUpperBound": self.upper,
            "ScalingAdjustment": self.change,
        }


@dataclass(frozen=True)
class StepPolicyPlan:
    """The step policy, as PutScalingPolicy takes it."""

    name: str
    role: str
    """`step-<name>`: names the policy's resource (and its verify check)."""
    adjustment_type: str
    min_adjustment_magnitude: int | None
    metric_aggregation_type: str
    warmup: int
    """EstimatedInstanceWarmup, seconds."""
    adjustments: tuple[StepAdjustmentPlan, ...]
    """Lowest interval first."""
    policy_type: str = STEP

    def described(self) -> dict[str, Any]:
        """The policy as DescribePolicies reports it (None: AWS reports no such field)."""
        return {
            "PolicyName": self.name,
            "PolicyType": self.policy_type,
            "AdjustmentType": self.adjustment_type,
            "MinAdjustmentMagnitude": self.min_adjustment_magnitude,
            "MetricAggregationType": self.metric_aggregation_type,
            "EstimatedInstanceWarmup": self.warmup,
            "StepAdjustments": [step.described() for step in self.adjustments],
        }


@dataclass(frozen=True)
class StepAlarmPlan:
    """The alarm that runs the step policy, as PutMetricAlarm takes it."""

    name: str
    role: str
    description: str
    metric: MetricPlan
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int | None
    """None: AWS counts every evaluation period (N of N)."""
    threshold: float
    comparison: str
    treat_missing_data: str = MISSING_DATA

    def described(self, group_name: str, policy_arn: str) -> dict[str, Any]:
        """The alarm as DescribeAlarms reports it once its action is the policy at `policy_arn`."""
        return {
            "AlarmName": self.name,
            "AlarmDescription": self.description,
            "ActionsEnabled": True,
            "AlarmActions": [policy_arn],
            "Namespace": self.metric.namespace,
            "MetricName": self.metric.name,
            "Statistic": self.metric.statistic,
            "Dimensions": self.metric.described_dimensions(group_name),
            "Period": self.period,
            "EvaluationPeriods": self.evaluation_periods,
            "DatapointsToAlarm": self.datapoints_to_alarm,
            "Threshold": self.threshold,
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing_data,
        }


@dataclass(frozen=True)
class StepPlan:
    """A `step` entry: its policy and its alarm."""

    name: str
    """The stack file's name (`run-queue`)."""
    policy: StepPolicyPlan
    alarm: StepAlarmPlan


def step_plan(settings: StackSettings, step: StepPolicySettings) -> StepPlan:
    policy_name = names.step_policy_name(settings, step)
    direction = "out" if step.scales_out else "in"
    role = f"step-{step.name}"
    policy = StepPolicyPlan(
        name=policy_name,
        role=role,
        adjustment_type=step.adjustment_type,
        min_adjustment_magnitude=step.min_adjustment_magnitude,
        metric_aggregation_type=step_aggregation(step),
        warmup=step.warmup,
        adjustments=tuple(StepAdjustmentPlan(s.from_, s.to, s.change) for s in step.steps_in_order()),
    )
    alarm = StepAlarmPlan(
        name=names.step_alarm_name(settings, step),
        role=f"{role}-alarm",
        description=f"Scales {settings.qualified_name} {direction} by the step policy {step.name}.",
        metric=metric_plan(step.metric),
        period=step.period,
        evaluation_periods=step.evaluation_periods,
        datapoints_to_alarm=step.datapoints_to_alarm,
        threshold=float(step.threshold),
        comparison=step.comparison,
    )
    return StepPlan(step.name, policy, alarm)


def step_aggregation(step: StepPolicySettings) -> str:
    """The policy's metric aggregation: the alarm's statistic where a step policy accepts it, else AWS's default."""
    statistic = step.metric.statistic
    return statistic if statistic in STEP_AGGREGATIONS else DEFAULT_AGGREGATION


def provider_bound(value: float | None) -> str | None:
    """A step's interval bound as the provider carries it: a string, absent when unbounded."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)
