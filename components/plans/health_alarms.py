"""The health alarms: what each watches, when it fires, and what missing data means.

One alarm per role `names.health_alarm_roles` gives the stack: unhealthy hosts above zero;
healthy hosts below `nodes.minSize`; behind an application load balancer, the 5xx share of
requests (metric math) above `alerts.error5xxPercent` and p99 target response time above
`alerts.latencyP99Ms`; the group held at its maximum size for `alerts.atMaxSizeMinutes`
(metric math); with `loadBalancer.waf`, AWS WAF blocking more than `waf.blockedRequestsAlarm`
requests a minute. What missing data means is chosen per alarm, with the reason beside it.

Some dimensions name what only exists once the stack is up (the group, the load balancer,
the target group): the plan says which (`Watched`), and whoever declares or reads the alarm
resolves them. The Monitoring component declares these alarms; `tools.verify` compares a
deployed alarm with `described()`, the alarm as DescribeAlarms reports it. No pulumi here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from ..settings import GROUP_DIMENSION, STANDARD_PERIOD_UNIT, StackSettings
from . import names
from .dashboard import BLOCKED_REQUESTS, ELB_NAMESPACES, MILLISECONDS_PER_SECOND, WAF_NAMESPACE, waf_dimensions

ALARM_PERIOD_SECONDS = STANDARD_PERIOD_UNIT
"""Load balancer and group metrics arrive once a minute."""

HOST_ALARM_MINUTES = 3
"""A node failing its health checks is replaced within minutes; a few minutes of it is worth a mail,
one failed check is not."""

TRAFFIC_ALARM_MINUTES = 5
TRAFFIC_ALARM_DATAPOINTS = 3
"""5xx, latency and blocked requests: three bad minutes out of five, so one slow deploy minute does not page."""

AUTOSCALING_NAMESPACE = "AWS/AutoScaling"
BREACHING, NOT_BREACHING, MISSING = "breaching", "notBreaching", "missing"
"""TreatMissingData values."""


class Watched(StrEnum):
    """What a dimension names that exists only once the stack is up."""

    GROUP = "the Auto Scaling group's name"
    LOAD_BALANCER = "the load balancer's ARN suffix"
    TARGET_GROUP = "the target group's ARN suffix"


T = TypeVar("T")
Dimensions = tuple[tuple[str, str | Watched], ...]


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric and the statistic the alarm takes of it."""

    namespace: str
    name: str
    dimensions: Dimensions
    stat: str
    """Sum, Minimum, Maximum... or an extended statistic such as p99."""

    @property
    def percentile(self) -> bool:
        """An extended statistic (ExtendedStatistic), not a plain one (Statistic)."""
        return self.stat.startswith("p")

    def resolved(self, resolve: Mapping[Watched, T]) -> dict[str, str | T]:
        """The dimensions, each Watched one replaced by what `resolve` maps it to."""
        return {key: resolve[value] if isinstance(value, Watched) else value for key, value in self.dimensions}


@dataclass(frozen=True)
class Query:
    """One entry of a metric-math alarm: a metric, or the expression whose value the alarm judges."""

    id: str
    metric: Metric | None = None
    expression: str | None = None
    label: str | None = None

    @property
    def returns_data(self) -> bool:
        return self.expression is not None


@dataclass(frozen=True)
class HealthAlarm:
    """One health alarm: its metric (or metric math), threshold, window and missing-data treatment."""

    role: str
    """Its role in names.HEALTH_ALARM_ROLES: names the alarm resource `<monitoring>-<role>`."""
    name: str
    description: str
    comparison: str
    threshold: float
    evaluation_periods: int
    treat_missing_data: str
    metric: Metric | None = None
    """A single metric, or None with `queries`."""
    queries: tuple[Query, ...] = ()
    datapoints_to_alarm: int | None = None
    """None: every evaluated period must breach."""
    period: int = ALARM_PERIOD_SECONDS

    def described(self, resolve: Mapping[Watched, str | None]) -> dict[str, Any]:
        """What DescribeAlarms reports for it (its actions aside), Watched dimensions resolved."""
        described: dict[str, Any] = {
            "EvaluationPeriods": self.evaluation_periods,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing_data,
        }
        if self.datapoints_to_alarm is not None:
            described["DatapointsToAlarm"] = self.datapoints_to_alarm
        if self.metric is None:
            return {**described, "Metrics": [_described_query(q, self.period, resolve) for q in self.queries]}
        metric = self.metric
        statistic = {"ExtendedStatistic": metric.stat} if metric.percentile else {"Statistic": metric.stat}
        return {
            **described,
            "Namespace": metric.namespace,
            "MetricName": metric.name,
            **statistic,
            "Dimensions": _described_dimensions(metric, resolve),
            "Period": self.period,
        }


def _described_dimensions(metric: Metric, resolve: Mapping[Watched, str | None]) -> list[dict[str, str | None]]:
    return [{"Name": key, "Value": value} for key, value in metric.resolved(resolve).items()]


def _described_query(query: Query, period: int, resolve: Mapping[Watched, str | None]) -> dict[str, Any]:
    described: dict[str, Any] = {"Id": query.id, "ReturnData": query.returns_data}
    if query.expression is not None:
        described["Expression"] = query.expression
    if query.label is not None:
        described["Label"] = query.label
    if query.metric is not None:
        metric = query.metric
        described["MetricStat"] = {
            "Metric": {
                "Namespace": metric.namespace,
                "MetricName": metric.name,
                "Dimensions": _described_dimensions(metric, resolve),
            },
            "Period": period,
            "Stat": metric.stat,
        }
    return described


def alarm_arn(*, partition: str, region: str, account_id: str, name: str) -> str:
    """`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`."""
    return f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{name}"


def health_alarms(settings: StackSettings) -> list[HealthAlarm]:
    """The stack's health alarms, in names.health_alarm_roles' order."""
    return [_ALARMS[role](settings) for role in names.health_alarm_roles(settings)]


def _alarm(settings: StackSettings, role: str, description: str, **alarm: Any) -> HealthAlarm:
    return HealthAlarm(
        role=role,
        name=names.health_alarm_name(settings, role),
        description=f"{settings.qualified_name}: {description}",
        **alarm,
    )


def _target_metric(settings: StackSettings, name: str, stat: str) -> Metric:
    """A metric of this target group behind this load balancer."""
    namespace = ELB_NAMESPACES[settings.load_balancer.type]
    dimensions = (("TargetGroup", Watched.TARGET_GROUP), ("LoadBalancer", Watched.LOAD_BALANCER))
    return Metric(namespace, name, dimensions, stat)


def _balancer_metric(settings: StackSettings, name: str) -> Metric:
    """A count of this load balancer, summed."""
    return Metric(ELB_NAMESPACES[settings.load_balancer.type], name, (("LoadBalancer", Watched.LOAD_BALANCER),), "Sum")


def _group_metric(name: str, stat: str) -> Metric:
    return Metric(AUTOSCALING_NAMESPACE, name, ((GROUP_DIMENSION, Watched.GROUP),), stat)


def unhealthy_hosts(settings: StackSettings) -> HealthAlarm:
    return _alarm(
        settings,
        "unhealthy-hosts",
        "A node fails the load balancer's health check.",
        metric=_target_metric(settings, "UnHealthyHostCount", "Maximum"),
        comparison="GreaterThanThreshold",
        threshold=0,
        evaluation_periods=HOST_ALARM_MINUTES,
        # the load balancer reports hosts every minute; a gap is no evidence of a sick node
        treat_missing_data=NOT_BREACHING,
    )


def too_few_healthy_hosts(settings: StackSettings) -> HealthAlarm:
    min_size = settings.nodes.min_size
    return _alarm(
        settings,
        "healthy-hosts-below-min",
        f"Fewer healthy nodes than nodes.minSize ({min_size}).",
        metric=_target_metric(settings, "HealthyHostCount", "Minimum"),
        comparison="LessThanThreshold",
        threshold=min_size,
        evaluation_periods=HOST_ALARM_MINUTES,
        # no count at all means the load balancer sees nothing healthy: count it as bad
        treat_missing_data=BREACHING,
    )


def error_rate(settings: StackSettings) -> HealthAlarm:
    percent = settings.alerts.error5xx_percent
    return _alarm(
        settings,
        "5xx-rate",
        f"More than {percent:g}% of requests answered 5xx (nodes' and the load balancer's own).",
        queries=(
            Query("target5xx", _balancer_metric(settings, "HTTPCode_Target_5XX_Count")),
            Query("elb5xx", _balancer_metric(settings, "HTTPCode_ELB_5XX_Count")),
            Query("requests", _balancer_metric(settings, "RequestCount")),
            Query(
                "errorRate",
                # RequestCount leaves out requests refused before a target was chosen (the 503s
                # of an empty target group), so they join the denominator: a total outage reads
                # 100%, not a division by zero. ALB publishes counts only when non-zero: FILL.
                expression="100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))",
                label="5xx (% of requests)",
            ),
        ),
        comparison="GreaterThanThreshold",
        threshold=percent,
        evaluation_periods=TRAFFIC_ALARM_MINUTES,
        datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
        # no requests, no errors
        treat_missing_data=NOT_BREACHING,
    )


def p99_latency(settings: StackSettings) -> HealthAlarm:
    milliseconds = settings.alerts.latency_p99_ms
    return _alarm(
        settings,
        "p99-latency",
        f"The slowest 1% of requests take longer than {milliseconds:g} ms.",
        metric=_target_metric(settings, "TargetResponseTime", "p99"),
        comparison="GreaterThanThreshold",
        threshold=milliseconds / MILLISECONDS_PER_SECOND,  # the metric is in seconds
        evaluation_periods=TRAFFIC_ALARM_MINUTES,
        datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
        # no requests, no latency to speak of
        treat_missing_data=NOT_BREACHING,
    )


def scaling_ceiling(settings: StackSettings) -> HealthAlarm:
    minutes = settings.alerts.at_max_size_minutes
    return _alarm(
        settings,
        "at-max-size",
        f"Scaling has wanted the group's maximum size for {minutes} minutes: raise nodes.maxSize or find the load.",
        queries=(
            Query("desired", _group_metric("GroupDesiredCapacity", "Maximum")),
            # the current maximum, so a schedule that raises it moves the ceiling too
            Query("ceiling", _group_metric("GroupMaxSize", "Minimum")),
            Query("headroom", expression="ceiling - desired", label="nodes below maxSize"),
        ),
        comparison="LessThanOrEqualToThreshold",
        threshold=0,
        evaluation_periods=minutes,
        # group metrics come every minute while collection is on; without them the alarm
        # stays INSUFFICIENT_DATA, which says so, rather than OK, which would hide it
        treat_missing_data=MISSING,
    )


def blocked_requests(settings: StackSettings) -> HealthAlarm:
    per_minute = settings.load_balancer.waf.blocked_requests_alarm
    return _alarm(
        settings,
        "waf-blocked-requests",
        f"AWS WAF blocks more than {per_minute} requests a minute: an attack, or a rule that blocks real users "
        "(the WAF log group shows which).",
        metric=Metric(WAF_NAMESPACE, BLOCKED_REQUESTS, tuple(waf_dimensions(settings).items()), "Sum"),
        comparison="GreaterThanThreshold",
        threshold=per_minute,
        evaluation_periods=TRAFFIC_ALARM_MINUTES,
        datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
        # WAF publishes BlockedRequests only in minutes it blocked something
        treat_missing_data=NOT_BREACHING,
    )


_ALARMS = {
    "unhealthy-hosts": unhealthy_hosts,
    "healthy-hosts-below-min": too_few_healthy_hosts,
    "5xx-rate": error_rate,
    "p99-latency": p99_latency,
    "at-max-size": scaling_ceiling,
    "waf-blocked-requests": blocked_requests,
}
"""The alarm of each role in names.HEALTH_ALARM_ROLES."""
