"""The CloudWatch metric a scaling policy or alarm watches, and the request-count label.

Both depend on names AWS gives at deploy time (the group's, the load balancer's and the
target group's), so a plan holds the rule and takes the names as parameters: the
component passes Pulumi outputs, `tools.verify` the names it found in the account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from ...settings import GROUP_DIMENSION, MetricSettings

Name = TypeVar("Name")
"""A name known at deploy time: a string, or a Pulumi output of one."""


@dataclass(frozen=True)
class MetricPlan:
    """A CloudWatch metric: namespace, name, statistic and dimensions."""

    namespace: str
    name: str
    statistic: str
    dimensions: Mapping[str, str]
    """The declared dimensions, beyond the group's."""
    per_group: bool
    """Published per node group: AutoScalingGroupName, the group's name, comes first."""

    def dimensions_for(self, group_name: Name) -> dict[str, Name | str]:
        """The metric's dimensions, by name, once the group's name is known."""
        return ({GROUP_DIMENSION: group_name} if self.per_group else {}) | dict(self.dimensions)

    def described_dimensions(self, group_name: str) -> list[dict[str, str]]:
        """The dimensions as DescribePolicies and DescribeAlarms list them."""
        return [{"Name": key, "Value": value} for key, value in self.dimensions_for(group_name).items()]

    @property
    def path(self) -> str:
        """`Elixir/BEAM/TotalRunQueueLength`: how a report names the metric."""
        return f"{self.namespace}/{self.name}"


def metric_plan(metric: MetricSettings) -> MetricPlan:
    return MetricPlan(
        namespace=metric.namespace,
        name=metric.name,
        statistic=metric.statistic,
        dimensions=dict(metric.dimensions),
        per_group=metric.per_group,
    )


def request_count_label(load_balancer_arn_suffix: str, target_group_arn_suffix: str) -> str:
    """`app/<lb>/<id>/targetgroup/<tg>/<id>`: the ResourceLabel AWS counts a target group's requests by."""
    return f"{load_balancer_arn_suffix}/{target_group_arn_suffix}"


def arn_suffix(arn: str) -> str:
    """What CloudWatch names a load balancer or target group by: `app/<name>/<id>`, `targetgroup/<name>/<id>`."""
    resource = arn.split(":", 5)[5]
    return resource.removeprefix("loadbalancer/")
