"""Predictive scaling: AWS forecasts load from a predefined metric pair and can launch ahead of it.

https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...settings import PREDICTIVE_METRIC_PAIRS, StackSettings
from .. import names
from .target_tracking import REQUEST_COUNT

PREDICTIVE = "PredictiveScaling"
"""AWS's PolicyType."""

INCREASE_MAX_CAPACITY = "IncreaseMaxCapacity"
"""The breach behaviour that lets a forecast raise the group's maximum size."""

FORECAST_CAPACITY_BUFFER = 0
"""MaxCapacityBuffer, percent above the forecast, with INCREASE_MAX_CAPACITY: AWS requires one
then (and refuses one otherwise); 0 lets the maximum rise to the forecast capacity, no further."""


@dataclass(frozen=True)
class PredictivePlan:
    """The predictive policy, as PutScalingPolicy takes it."""

    name: str
    mode: str
    scheduling_buffer_time: int
    """Seconds nodes launch ahead of the forecast need."""
    max_capacity_breach_behavior: str
    max_capacity_buffer: int | None
    """Percent; None unless the forecast may raise the maximum."""
    metric_pair: str
    """AWS's predefined metric pair."""
    target: float
    counts_requests: bool
    """The pair is the load balancer's request count: it needs the request-count label."""
    role: str = "predictive"
    """Names the policy's resource (and its verify check)."""
    policy_type: str = PREDICTIVE

    def described(self, request_count_label: str | None = None) -> dict[str, Any]:
        """The policy as DescribePolicies reports it (None: AWS reports no such field)."""
        pair = {
            "PredefinedMetricType": self.metric_pair,
            "ResourceLabel": request_count_label if self.counts_requests else None,
        }
        return {
            "PolicyName": self.name,
            "PolicyType": self.policy_type,
            "PredictiveScalingConfiguration": {
                "MetricSpecifications": [{"TargetValue": self.target, "PredefinedMetricPairSpecification": pair}],
                "Mode": self.mode,
                "SchedulingBufferTime": self.scheduling_buffer_time,
                "MaxCapacityBreachBehavior": self.max_capacity_breach_behavior,
                "MaxCapacityBuffer": self.max_capacity_buffer,
            },
        }


def predictive_plan(settings: StackSettings) -> PredictivePlan | None:
    predictive = settings.scaling.predictive
    if predictive is None:
        return None
    behavior = predictive.max_capacity_breach_behavior
    return PredictivePlan(
        name=names.predictive_policy_name(settings),
        mode=predictive.mode,
        scheduling_buffer_time=predictive.scheduling_buffer_time,
        max_capacity_breach_behavior=behavior,
        max_capacity_buffer=FORECAST_CAPACITY_BUFFER if behavior == INCREASE_MAX_CAPACITY else None,
        metric_pair=PREDICTIVE_METRIC_PAIRS[predictive.metric],
        target=predictive.target,
        counts_requests=predictive.metric == REQUEST_COUNT,
    )
