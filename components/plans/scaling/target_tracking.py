"""Target tracking policies: AWS adds and removes nodes to hold a metric near a target.

CPU and request count per target are AWS's predefined metrics (request count needs the
label of the load balancer and target group it counts); memory, scheduler utilisation
and custom metrics are customized metric specifications. AWS creates and names the
policy's alarms itself.
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_TargetTrackingConfiguration.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...settings import PREDEFINED_TARGET_METRICS, StackSettings, TargetTrackingSettings
from .. import names
from .metric import MetricPlan, metric_plan

TARGET_TRACKING = "TargetTrackingScaling"
"""AWS's PolicyType."""

REQUEST_COUNT = "requestsPerTarget"
"""The stack file's metric whose predefined type needs a resource label."""


@dataclass(frozen=True)
class TargetTrackingPlan:
    """One target tracking policy, as PutScalingPolicy takes it."""

    metric: str
    """The stack file's metric (cpu, requestsPerTarget, memory, schedulerUtilization, custom)."""
    name: str
    role: str
    """`track-<metric>`: names the policy's resource (and its verify check)."""
    target: float
    disable_scale_in: bool
    warmup: int
    """EstimatedInstanceWarmup, seconds."""
    predefined_metric_type: str | None
    """AWS's predefined metric; None for a customized one."""
    customized_metric: MetricPlan | None
    policy_type: str = TARGET_TRACKING

    @property
    def counts_requests(self) -> bool:
        """The metric is the load balancer's request count: it needs the request-count label."""
        return self.metric == REQUEST_COUNT

    @property
    def metric_name(self) -> str:
        """The CloudWatch metric the policy holds at its target."""
        return self.predefined_metric_type or self.customized_metric.name

    def described(self, group_name: str, request_count_label: str | None = None) -> dict[str, Any]:
        """The policy as DescribePolicies reports it (None: AWS reports no such field)."""
        config: dict[str, Any] = {"TargetValue": self.target, "DisableScaleIn": self.disable_scale_in}
        if self.customized_metric is None:
            config["PredefinedMetricSpecification"] = {
                "PredefinedMetricType": self.predefined_metric_type,
                "ResourceLabel": request_count_label if self.counts_requests else None,
            }
        else:
            metric = self.customized_metric
            config["CustomizedMetricSpecification"] = {
                "Namespace": metric.namespace,
                "MetricName": metric.name,
                "Dimensions": metric.described_dimensions(group_name),
                "Statistic": metric.statistic,
            }
        return {
            "PolicyName": self.name,
            "PolicyType": self.policy_type,
            "EstimatedInstanceWarmup": self.warmup,
            "TargetTrackingConfiguration": config,
        }


def target_tracking_plan(settings: StackSettings, tracking: TargetTrackingSettings) -> TargetTrackingPlan:
    name = names.target_tracking_policy_name(settings, tracking)
    predefined, customized = _tracked(tracking)
    return TargetTrackingPlan(
        metric=tracking.metric,
        name=name,
        role=name.removeprefix(f"{settings.qualified_name}-"),
        target=tracking.target,
        disable_scale_in=tracking.disable_scale_in,
        warmup=tracking.warmup,
        predefined_metric_type=predefined,
        customized_metric=customized,
    )


def tracked_metric_name(tracking: TargetTrackingSettings) -> str:
    """The CloudWatch metric a `targetTracking` entry holds at its target (the simulator's trace column)."""
    predefined, customized = _tracked(tracking)
    return predefined or customized.name


def _tracked(tracking: TargetTrackingSettings) -> tuple[str | None, MetricPlan | None]:
    """(AWS's predefined metric type, None) or (None, the customized metric)."""
    customized = tracking.customized_metric()
    if customized is None:
        return PREDEFINED_TARGET_METRICS[tracking.metric], None
    return None, metric_plan(customized)
