"""What AWS itself publishes, derived from the lab's stand-ins: the load balancer's metrics from
HAProxy's counters, EC2's CPUUtilization from each node's cgroup.

Each lab minute the publisher reads HAProxy's `show stat` and every node's cgroup, and puts into moto,
stamped with the lab minute (lab_time.py), what CloudWatch would hold for that minute:

Application Load Balancer (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
load-balancer-cloudwatch-metrics.html), namespace AWS/ApplicationELB:
- RequestCount, Sum: requests the load balancer sent to a target; by LoadBalancer, and by
  TargetGroup,LoadBalancer. From HAProxy: the backend servers' responses (hrsp_1xx..hrsp_other) in
  the minute (HAProxy's counters are cumulative: the minute's difference).
- RequestCountPerTarget, Sum ("the only valid statistic is Sum ... this represents the average"):
  RequestCount / the healthy targets of the target group; by TargetGroup, and TargetGroup,LoadBalancer.
- TargetResponseTime, seconds, Average (and percentiles): by LoadBalancer, and TargetGroup,LoadBalancer.
  HAProxy keeps per server only `rtime`, the average response time of its last 1024 requests, so the
  minute's statistic set is built from it: SampleCount the minute's requests, Sum each server's
  rtime x its requests, Minimum and Maximum the servers' rtimes. An approximation AWS's per-request
  figure does not need; said in the report.
- HTTPCode_Target_5XX_Count, Sum: the servers' hrsp_5xx in the minute; AWS reports it only when
  non-zero ("Reporting criteria: There is a nonzero value"), so does the lab.
- HealthyHostCount and UnHealthyHostCount (by TargetGroup,LoadBalancer): HAProxy's servers UP, and DOWN.
The dimension values are what CloudWatch uses: LoadBalancer `app/<name>/<id>` and TargetGroup
`targetgroup/<name>/<id>`, the final portions of their ARNs.

EC2 (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html),
namespace AWS/EC2, CPUUtilization in Percent, one-minute periods (the stack's launch template turns
on detailed monitoring): by InstanceId, and by AutoScalingGroupName ("available only for instances
in an Auto Scaling group": one datum per instance, so the series' Average is the group's average).
The value is cgroup.py's: CPU time the node's processes used over the minute, as a share of the CPU
its quota gives it (the instance's vCPUs).

Auto Scaling's group metrics (https://docs.aws.amazon.com/autoscaling/ec2/userguide/
ec2-auto-scaling-metrics.html), namespace AWS/AutoScaling, by AutoScalingGroupName, one-minute
granularity when the group's metrics collection is on (the stack turns it on): GroupMinSize,
GroupMaxSize, GroupDesiredCapacity, GroupInServiceInstances, GroupPendingInstances,
GroupTerminatingInstances, GroupTotalInstances, from the group as moto describes it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ELB_NAMESPACE = "AWS/ApplicationELB"
EC2_NAMESPACE = "AWS/EC2"
RESPONSE_COUNTERS = ("hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other")
MILLISECONDS = 1000


@dataclass(frozen=True)
class ServerCounters:
    """One HAProxy server of the target group's backend, as `show stat` reports it."""

    name: str
    status: str
    responses: int
    errors_5xx: int
    response_ms: float
    """rtime: the average response time of its last 1024 requests, in ms."""


def read_stats(text: str, backend: str) -> dict[str, ServerCounters]:
    """The backend's servers from `show stat` CSV (HAProxy's management guide, "9.1. CSV format")."""
    rows = csv.DictReader(text.lstrip("# ").splitlines())
    servers = {}
    for row in rows:
        if row["pxname"] != backend or row["svname"] in ("BACKEND", "FRONTEND"):
            continue
        servers[row["svname"]] = ServerCounters(
            row["svname"],
            row["status"],
            sum(int(row[c] or 0) for c in RESPONSE_COUNTERS),
            int(row["hrsp_5xx"] or 0),
            float(row["rtime"] or 0),
        )
    return servers


@dataclass(frozen=True)
class BalancerMinute:
    """The load balancer's minute: requests, 5xx answers, response time, healthy targets."""

    requests: int
    errors_5xx: int
    response_seconds_sum: float
    response_seconds_min: float
    response_seconds_max: float
    healthy_targets: int
    unhealthy_targets: int = 0

    @property
    def per_target(self) -> float | None:
        return self.requests / self.healthy_targets if self.healthy_targets else None

    def per_minute(self, lab_seconds: float) -> BalancerMinute:
        """The counts over `lab_seconds` as a minute's: the lab reads HAProxy once a lab minute, but a busy
        machine can make a read late, and the next one early; a rate stays a rate."""
        if lab_seconds <= 0:
            return self
        scale = 60 / lab_seconds
        return BalancerMinute(
            round(self.requests * scale),
            round(self.errors_5xx * scale),
            self.response_seconds_sum * scale,
            self.response_seconds_min,
            self.response_seconds_max,
            self.healthy_targets,
            self.unhealthy_targets,
        )


def balancer_minute(before: dict[str, ServerCounters], after: dict[str, ServerCounters]) -> BalancerMinute:
    """What the load balancer did between two reads of its counters (a server new since `before` starts at 0)."""
    requests = errors = 0
    total, times = 0.0, []
    for name, now in after.items():
        then = before.get(name)
        served = now.responses - (then.responses if then else 0)
        requests += served
        errors += now.errors_5xx - (then.errors_5xx if then else 0)
        if served:
            total += served * now.response_ms / MILLISECONDS
            times.append(now.response_ms / MILLISECONDS)
    healthy = sum(1 for s in after.values() if s.status.startswith("UP"))
    unhealthy = sum(1 for s in after.values() if s.status.startswith("DOWN"))
    return BalancerMinute(requests, errors, total, min(times, default=0), max(times, default=0), healthy, unhealthy)


@dataclass(frozen=True)
class BalancerNames:
    load_balancer: str
    """`app/<name>/<id>`: the final portion of the load balancer's ARN."""
    target_group: str
    """`targetgroup/<name>/<id>`: the final portion of the target group's ARN."""

    @classmethod
    def from_arns(cls, load_balancer_arn: str, target_group_arn: str) -> BalancerNames:
        return cls(load_balancer_arn.split(":loadbalancer/", 1)[1], target_group_arn.rsplit(":", 1)[1])


def balancer_datums(minute: BalancerMinute, names: BalancerNames, at: datetime) -> list[dict[str, Any]]:
    """PutMetricData's datums for the minute stamped `at`, as the page in the module docstring lists them."""
    by_balancer = [{"Name": "LoadBalancer", "Value": names.load_balancer}]
    by_group = [{"Name": "TargetGroup", "Value": names.target_group}, *by_balancer]
    target_group_only = [{"Name": "TargetGroup", "Value": names.target_group}]

    def datum(name: str, dimensions: list, unit: str, **value: Any) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dimensions, "Timestamp": at, "Unit": unit, **value}

    datums = [datum("RequestCount", dims, "Count", Value=minute.requests) for dims in (by_balancer, by_group)]
    if minute.per_target is not None:
        datums += [
            datum("RequestCountPerTarget", dims, "Count", Value=minute.per_target)
            for dims in (target_group_only, by_group)
        ]
    if minute.requests:
        statistics = {
            "SampleCount": minute.requests,
            "Sum": minute.response_seconds_sum,
            "Minimum": minute.response_seconds_min,
            "Maximum": minute.response_seconds_max,
        }
        datums += [
            datum("TargetResponseTime", dims, "Seconds", StatisticValues=statistics) for dims in (by_balancer, by_group)
        ]
    datums += [
        datum("HealthyHostCount", by_group, "Count", Value=minute.healthy_targets),
        datum("UnHealthyHostCount", by_group, "Count", Value=minute.unhealthy_targets),
    ]
    if minute.errors_5xx:
        datums += [
            datum("HTTPCode_Target_5XX_Count", dims, "Count", Value=minute.errors_5xx)
            for dims in (by_balancer, by_group)
        ]
    return datums


def cpu_datums(instance_id: str, group: str, utilization: float, at: datetime) -> list[dict[str, Any]]:
    """EC2's CPUUtilization of one instance for the minute stamped `at`: by instance, and by its group."""
    return [
        {"MetricName": "CPUUtilization", "Dimensions": [dims], "Timestamp": at, "Unit": "Percent", "Value": utilization}
        for dims in ({"Name": "InstanceId", "Value": instance_id}, {"Name": "AutoScalingGroupName", "Value": group})
    ]


GROUP_NAMESPACE = "AWS/AutoScaling"


def group_datums(group: dict[str, Any], at: datetime) -> list[dict[str, Any]]:
    """Auto Scaling's group metrics for the minute stamped `at`, from DescribeAutoScalingGroups' group."""
    states = [i["LifecycleState"] for i in group.get("Instances", [])]
    values = {
        "GroupMinSize": group["MinSize"],
        "GroupMaxSize": group["MaxSize"],
        "GroupDesiredCapacity": group["DesiredCapacity"],
        "GroupInServiceInstances": states.count("InService"),
        "GroupPendingInstances": sum(1 for s in states if s.startswith("Pending")),
        "GroupTerminatingInstances": sum(1 for s in states if s.startswith("Terminating")),
        "GroupTotalInstances": len(states),
    }
    dimensions = [{"Name": "AutoScalingGroupName", "Value": group["AutoScalingGroupName"]}]
    return [
        {"MetricName": name, "Dimensions": dimensions, "Timestamp": at, "Unit": "None", "Value": value}
        for name, value in values.items()
    ]
