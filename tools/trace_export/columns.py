"""Which CloudWatch metric becomes which column of a trace, and what a minute without a datapoint
means in it.

- `requests_per_second`: the load balancer's RequestCount, Sum per minute, divided by 60. An
  Application Load Balancer publishes it only for minutes with requests ("Elastic Load
  Balancing reports metrics to CloudWatch only when requests are flowing through the load
  balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
  a count's missing minute is zero.
- one column per metric the stack's step and target tracking policies watch that the simulator
  cannot derive (`TotalRunQueueLength`, `mem_used_percent`, a custom metric), with the policy's
  statistic and dimensions: a gauge. Its missing minute stays empty: no value to carry over, and
  the alarm watching it saw no datapoint either (its TreatMissingData decides).

CPU, requests per target and scheduler utilisation are not exported: the simulator derives them
from demand and the nodes in service (`tools.simulator.DERIVED_METRICS`), and a what-if changes
how many nodes serve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components.plans.scaling.metric import metric_plan
from components.settings import GROUP_DIMENSION, StackSettings
from tools.simulator import DEMAND_COLUMN, DERIVED_METRICS

LOAD_BALANCER_NAMESPACE = "AWS/ApplicationELB"
REQUEST_COUNT = "RequestCount"
LOAD_BALANCER_DIMENSION = "LoadBalancer"
"""RequestCount by load balancer: its ARN suffix, `app/<name>/<id>`."""
SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class TraceColumn:
    """One column of the trace and the CloudWatch metric it is read from."""

    name: str
    """The column's header: `requests_per_second`, or the metric's CloudWatch name."""
    namespace: str
    metric: str
    statistic: str
    dimensions: Mapping[str, str]
    """The declared dimensions, beyond the group's or the load balancer's."""
    per_group: bool
    """Dimensioned by AutoScalingGroupName (else, for demand, by LoadBalancer; else as declared)."""
    counts: bool
    """A count: a minute without a datapoint had none (0). Else a gauge: the minute stays empty."""
    divisor: int = 1
    """The column's value is the datapoint's divided by it (a Sum per minute, as per second)."""

    def query(self, query_id: str, group_name: str, load_balancer: str, period: int) -> dict:
        """The GetMetricData query of this column, once the group's and the load balancer's names are known."""
        if self.name == DEMAND_COLUMN:
            dimensions = {LOAD_BALANCER_DIMENSION: load_balancer}
        else:
            dimensions = ({GROUP_DIMENSION: group_name} if self.per_group else {}) | dict(self.dimensions)
        metric = {
            "Namespace": self.namespace,
            "MetricName": self.metric,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        }
        return {"Id": query_id, "MetricStat": {"Metric": metric, "Period": period, "Stat": self.statistic}}

    @property
    def path(self) -> str:
        return f"{self.namespace}/{self.metric} ({self.statistic})"


DEMAND = TraceColumn(
    DEMAND_COLUMN,
    LOAD_BALANCER_NAMESPACE,
    REQUEST_COUNT,
    "Sum",
    {},
    per_group=False,
    counts=True,
    divisor=SECONDS_PER_MINUTE,
)


def trace_columns(settings: StackSettings) -> list[TraceColumn]:
    """Demand, then each metric the stack's policies watch that the simulator cannot derive, once by name."""
    watched = [tracking.customized_metric() for tracking in settings.scaling.target_tracking]
    watched += [step.metric for step in settings.scaling.step]
    columns = {DEMAND.name: DEMAND}
    for metric in filter(None, watched):
        plan = metric_plan(metric)
        if plan.name in DERIVED_METRICS or plan.name in columns:
            continue
        columns[plan.name] = TraceColumn(
            plan.name, plan.namespace, plan.name, plan.statistic, plan.dimensions, plan.per_group, counts=False
        )
    return list(columns.values())
