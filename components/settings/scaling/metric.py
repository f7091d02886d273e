"""A CloudWatch metric that a scaling policy or alarm watches."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..conventions import BEAM_METRICS, GROUP_DIMENSION, METRICS_NAMESPACE, NODE_WARMUP_SECONDS
from ..limits import DIMENSIONS_MAX, METRIC_NAME_MAX_LENGTH, WARMUP_SECONDS
from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem
from ..value_types import CloudWatchName, Dimensions, Statistic


def warmup_setting() -> Any:
    """`warmup`, the same for every kind of policy that scales on a metric."""
    return setting(
        NODE_WARMUP_SECONDS,
        description="Time before a new node's metrics count.",
        unit="seconds",
        limit=WARMUP_SECONDS,
        ours="a node that needs longer is broken",
    )


class MetricSettings(SettingsModel):
    """A CloudWatch metric, aggregated over the node group (AutoScalingGroupName is added)
    unless `perGroup` is false: a metric the cluster does not publish per group, such as a
    queue's depth."""

    namespace: CloudWatchName = setting(
        description="CloudWatch namespace.",
        limit=f"1..{METRIC_NAME_MAX_LENGTH} characters",
        examples=[METRICS_NAMESPACE],
    )
    name: CloudWatchName = setting(
        description="CloudWatch metric name.",
        limit=f"1..{METRIC_NAME_MAX_LENGTH} characters",
        examples=[BEAM_METRICS["runQueue"]],
    )
    statistic: Statistic = setting("Average", description="How datapoints are aggregated per period.")
    dimensions: Dimensions = setting(
        default_factory=dict,
        description="Dimensions beyond AutoScalingGroupName (all of them when perGroup is false).",
        limit=f"at most {DIMENSIONS_MAX}, AutoScalingGroupName included",
        max_length=DIMENSIONS_MAX,
    )
    per_group: bool = setting(
        True,
        description="Whether the metric is published per node group, so AutoScalingGroupName is added to its "
        "dimensions (the release's StatsD and agent metrics are); false for one that is not, such as "
        "AWS/SQS ApproximateNumberOfMessagesVisible by QueueName.",
    )

    def all_dimensions(self, group_name: Any) -> dict[str, Any]:
        """The alarm's dimensions: the group's (when per group), then the declared ones."""
        return ({GROUP_DIMENSION: group_name} if self.per_group else {}) | self.dimensions

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.per_group:
            yield from group_dimension_rules(
                self.dimensions,
                self._path(at, "dimensions"),
                "; for a metric not published per group set perGroup: false",
            )


def group_dimension_rules(dimensions: Mapping[str, str], at: KeyPath, opt_out: str = "") -> Iterator[Problem]:
    """The dimensions of a per-group metric leave room for the one the stack adds."""
    if GROUP_DIMENSION in dimensions:
        yield Problem(
            (*at, GROUP_DIMENSION), f"is added by the stack (the group's generated name): leave it out{opt_out}"
        )
    if len(dimensions) > DIMENSIONS_MAX - 1:
        yield Problem(
            at,
            f"at most {DIMENSIONS_MAX - 1} besides {GROUP_DIMENSION} (CloudWatch allows {DIMENSIONS_MAX})",
            len(dimensions),
        )
