"""What moto 5.2's Auto Scaling group forgets or gets wrong, put right (`install()`), so that a
changed group reads back as AWS would report it:

- DefaultInstanceWarmup: moto drops it. Kept from CreateAutoScalingGroup and
  UpdateAutoScalingGroup (-1 clears it, as AWS documents), and reported.
- CapacityRebalance: moto ignores it in UpdateAutoScalingGroup. Applied.
- MixedInstancesPolicy: moto's UpdateAutoScalingGroup removes it when the call does not name
  it (an update of MinSize alone turned a spot group into a plain one). Kept.
- Group metrics: moto's EnableMetricsCollection replaces the enabled set, and it has no
  DisableMetricsCollection. AWS adds to the set, or enables every metric when none is named;
  DisableMetricsCollection removes the named ones, or all
  (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnableMetricsCollection.html).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from moto.autoscaling.models import FakeAutoScalingGroup
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult, EmptyResult

ALL_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
    "WarmPoolMinSize",
)
"""What EnableMetricsCollection enables when it names no metric."""

CLEAR = -1
"""DefaultInstanceWarmup -1: no default warmup any more."""

_installed = False


def install() -> None:
    """Apply the corrections (idempotent)."""
    global _installed
    if _installed:
        return
    responses = AutoScalingResponse
    responses.create_auto_scaling_group = _with_group_attributes(responses.create_auto_scaling_group)
    responses.update_auto_scaling_group = _with_group_attributes(responses.update_auto_scaling_group)
    FakeAutoScalingGroup.update = _keeping_mixed_instances(FakeAutoScalingGroup.update)
    FakeAutoScalingGroup.enable_metrics_collection = _enable_metrics
    responses.disable_metrics_collection = _disable_metrics_collection
    _installed = True


def _with_group_attributes(handler: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    def handle(self: AutoScalingResponse) -> ActionResult:
        result = handler(self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        warmup = self._get_int_param("DefaultInstanceWarmup")
        if warmup is not None:
            group.default_instance_warmup = None if warmup == CLEAR else warmup
        rebalance = self._get_bool_param("CapacityRebalance")
        if rebalance is not None:
            group.capacity_rebalance = rebalance
        return result

    return handle


def _keeping_mixed_instances(update: Callable[..., None]) -> Callable[..., None]:
    def keep(group: FakeAutoScalingGroup, **change: Any) -> None:
        launch_sources = ("mixed_instances_policy", "launch_template", "launch_config_name")
        if group.mixed_instances_policy and not any(change.get(key) for key in launch_sources):
            change["mixed_instances_policy"] = _as_requested(group.mixed_instances_policy)
        update(group, **change)

    return keep


def _as_requested(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy as a request names its template: by id (moto reports the name beside it, and
    refuses a request that gives both)."""
    policy = copy.deepcopy(policy)
    spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
    if spec.get("LaunchTemplateId"):
        spec.pop("LaunchTemplateName", None)
    return policy


def _enable_metrics(group: FakeAutoScalingGroup, metrics: list[str] | None) -> None:
    named = metrics or list(ALL_METRICS)
    group.metrics = [*group.metrics, *(m for m in named if m not in group.metrics)]


def _disable_metrics_collection(self: AutoScalingResponse) -> ActionResult:
    group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
    named = self._get_param("Metrics") or []
    group.metrics = [m for m in group.metrics if named and m not in named]
    return EmptyResult()
