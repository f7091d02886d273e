"""Scaling policies and scheduled actions as AWS API values, from the `scaling` section.

The Scaling component declares them; `tools.verify` compares what the group has with
them. Policy, alarm and action names are in names.py.
"""

from __future__ import annotations

from ..settings import StepPolicySettings

TARGET_TRACKING, STEP, PREDICTIVE = "TargetTrackingScaling", "StepScaling", "PredictiveScaling"
"""AWS's PolicyType of each kind of policy."""

UNCHANGED_SIZE = -1
"""A scheduled action's size the provider leaves as it is; an absent size would mean 0."""

STEP_AGGREGATIONS = ("Average", "Minimum", "Maximum")
"""What a step policy accepts as its metric aggregation type (AWS's default is Average)."""

STEP_ALARM_MISSING_DATA = "missing"
"""A step alarm without datapoints (the release publishes nothing) stays INSUFFICIENT_DATA:
it scales nothing, and the state tells the operator the metric is absent."""


def scheduled_size(value: int | None) -> int:
    """A schedule's size for the provider: UNCHANGED_SIZE where the schedule leaves it out."""
    return UNCHANGED_SIZE if value is None else value


def described_size(value: int | None) -> int | None:
    """A scheduled size as the stack means it: None when it stays as it is (absent in AWS, UNCHANGED_SIZE here)."""
    return None if value is None or value == UNCHANGED_SIZE else int(value)


def step_bound(value: float | None) -> str | None:
    """A step's interval bound as the provider carries it: a string, absent when unbounded."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def step_aggregation(step: StepPolicySettings) -> str | None:
    """The policy's metric aggregation: the alarm's statistic when a step policy accepts it."""
    return step.metric.statistic if step.metric.statistic in STEP_AGGREGATIONS else None


def step_adjustments(step: StepPolicySettings) -> list[tuple[float | None, float | None, int]]:
    """(lower bound, upper bound, change) relative to the threshold, lowest first, as AWS describes them."""
    return [(s.from_, s.to, s.change) for s in step.steps_in_order()]
