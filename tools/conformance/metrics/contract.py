"""The metrics contract: every alarm and every scaling policy of a stack finds data where it looks.

    findings = check_metrics(cloudwatch, autoscaling, group_name, start, end, agent.record, alarm_names)
    print(render(findings))

For each of the stack's alarms (DescribeAlarms: its metric, or each metric of its metric math) and each scaling
policy of the group (DescribePolicies: a target tracking policy's customized metric, a step
policy through the alarms whose action it is, a predictive policy's customized queries), the
metric is read as the alarm reads it: namespace, name, exactly its dimensions, its statistic and
period, with GetMetricStatistics over the window. A finding is

- `ok`: datapoints arrived (how many, and the last value);
- `no data`, naming the first link that produced nothing, in the order data travels: a
  namespace the node's agent does not publish in; PutMetricData refused to the node role; a
  metric name the release never sent; a dimension the agent configuration never adds
  (append_dimensions); a dimension set it never rolls up to (aggregation_dimensions); or,
  the series existing, nothing in the window;
- `no data, as AWS publishes none while the count is 0`: a count AWS publishes only in minutes it is
  non-zero (PUBLISHED_ONLY_WHEN_NONZERO), absent, read by an alarm whose TreatMissingData is
  notBreaching, so a quiet minute leaves it OK. With any other TreatMissingData the finding is `no
  data`, and says that every quiet minute is missing data to the alarm;
- `published by AWS, not checked offline`: an `AWS/` namespace or a predefined metric (EC2's
  CPU, the load balancer's request count): AWS publishes those, the emulator does not, so the
  contract says so rather than call them ok. Where something does publish them (the autoscale lab,
  `published_by_aws=True`: tools/conformance/autoscale/aws_metrics.py), they are checked like the
  rest, a predefined metric as the CloudWatch metric AWS documents for it (autoscale/loop.py).

The links before CloudWatch come from the agent's record (what arrived over StatsD, what was
refused): in a lab, the stand-in's; on a real deployment, the same questions are answered by the
agent's log. Without a record the finding names what CloudWatch alone shows.

moto matches a query's dimensions as a subset (a datum with more dimensions also answers), where
CloudWatch matches them exactly; so the contract first looks for a series with exactly the alarm's
dimensions (ListMetrics) and reads its statistics only then. Where a rollup and the per-node series
both exist, moto's statistics mix them: counts (SampleCount, Sum) can be higher than AWS's, an
Average of the same values is the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .agent import AgentRecord

OK = "ok"
NO_DATA = "no data"
NONE_WHILE_ZERO = "no data, as AWS publishes none while the count is 0"
AWS_PUBLISHED = "published by AWS, not checked offline"

PUBLISHED_ONLY_WHEN_NONZERO = {
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
    ("AWS/WAFV2", "BlockedRequests"),
}
"""Counts AWS publishes only in minutes they are non-zero: "Reporting criteria: There is a nonzero value"
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
for both 5XX counts; https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html for
BlockedRequests). An alarm on one must treat missing data as not breaching."""
NOT_BREACHING = "notBreaching"

AWS_NAMESPACE_PREFIX = "AWS/"
"""Namespaces AWS services publish in; a custom namespace may not start with it (PutMetricData)."""

TARGET_TRACKING_PERIOD = 60
"""A target tracking policy's alarms evaluate one-minute periods unless its MetricStat sets `Period`
(TargetTrackingMetricStat, Amazon EC2 Auto Scaling API Reference)."""

PREDICTIVE_PERIOD = 3600
"""Predictive scaling reads its metrics in hourly sums."""


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period: int

    @classmethod
    def named_in(cls, source: dict[str, Any], statistic: str, period: int) -> Metric:
        """The metric `source` names (Namespace, MetricName, Dimensions: an alarm, a metric, a specification)."""
        pairs = tuple(sorted((d["Name"], d["Value"]) for d in source.get("Dimensions", [])))
        return cls(source["Namespace"], source["MetricName"], pairs, statistic, int(period))

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name} {{{_pairs(self.dimensions)}}} {self.statistic}/{self.period}s"

    def series(self, cloudwatch: Any) -> set[tuple[tuple[str, str], ...]]:
        """Every dimension set the metric has in CloudWatch, each exactly (sorted pairs: ListMetrics)."""
        pages = cloudwatch.get_paginator("list_metrics").paginate(Namespace=self.namespace, MetricName=self.name)
        return {
            tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])) for page in pages for m in page["Metrics"]
        }

    def statistics(self, cloudwatch: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """GetMetricStatistics as the alarm asks: exactly these dimensions, its statistic per period."""
        query: dict[str, Any] = {
            "Namespace": self.namespace,
            "MetricName": self.name,
            "Dimensions": [{"Name": key, "Value": value} for key, value in self.dimensions],
            "StartTime": start,
            "EndTime": end,
            "Period": self.period,
        }
        extended = self.statistic.startswith("p")
        query["ExtendedStatistics" if extended else "Statistics"] = [self.statistic]
        return cloudwatch.get_metric_statistics(**query)["Datapoints"]


PREDEFINED = {
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}
"""A predefined target tracking metric -> (namespace, metric name, statistic), as AWS documents them:
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredefinedMetricSpecification.html (the
types), https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html
(CPUUtilization by AutoScalingGroupName), https://docs.aws.amazon.com/elasticloadbalancing/latest/
application/load-balancer-cloudwatch-metrics.html (RequestCountPerTarget by TargetGroup, Sum only)."""

TARGET_GROUP_LABEL = "targetgroup/"
"""Where the target group's ARN suffix starts in an ALBRequestCountPerTarget ResourceLabel."""


def target_tracking_metric(policy: dict[str, Any], group_name: str) -> Metric:
    """The metric a target tracking policy (as DescribePolicies returns it) holds at its target: a
    predefined one as the CloudWatch metric AWS documents for it (PREDEFINED)."""
    config = policy["TargetTrackingConfiguration"]
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        kind = predefined["PredefinedMetricType"]
        namespace, name, statistic = PREDEFINED[kind]
        if kind == "ALBRequestCountPerTarget":
            label = predefined["ResourceLabel"]
            dimensions = (("TargetGroup", label[label.index(TARGET_GROUP_LABEL) :]),)
        else:
            dimensions = (("AutoScalingGroupName", group_name),)
        return Metric(namespace, name, dimensions, statistic, TARGET_TRACKING_PERIOD)
    spec = config["CustomizedMetricSpecification"]
    return Metric.named_in(spec, spec["Statistic"], spec.get("Period", TARGET_TRACKING_PERIOD))


@dataclass(frozen=True)
class Watched:
    """What one alarm, policy or query reads: a metric, or a metric AWS publishes (named)."""

    subject: str
    metric: Metric | None
    aws_metric: str | None = None
    via: str | None = None
    """A step policy's alarm: the policy is checked through it."""
    published: Metric | None = None
    """An AWS metric as its alarm reads it (checked when something publishes AWS's metrics)."""
    treat_missing: str | None = None
    """The alarm's TreatMissingData (None: a policy's metric)."""
    filled: bool = False
    """A metric-math alarm's expression FILLs this query's missing values."""


@dataclass(frozen=True)
class Finding:
    subject: str
    metric: str
    status: str
    detail: str


def watched_metrics(
    cloudwatch: Any,
    autoscaling: Any,
    group_name: str,
    alarm_names: list[str] | None = None,
    published_by_aws: bool = False,
) -> list[Watched]:
    """Every metric a scaling policy of the group reads, or one of the alarms named (None: every alarm of
    the account; the stack's are `names.health_alarm_names` and `names.step_alarm_names`)."""
    query = {} if alarm_names is None else {"AlarmNames": alarm_names}
    pages = cloudwatch.get_paginator("describe_alarms").paginate(**query)
    alarms = [alarm for page in pages for alarm in page["MetricAlarms"]]
    policies = [
        p
        for page in autoscaling.get_paginator("describe_policies").paginate(AutoScalingGroupName=group_name)
        for p in page["ScalingPolicies"]
    ]
    watched = [w for alarm in alarms for w in _alarm_metrics(alarm)]
    for policy in policies:
        watched += _policy_metrics(policy, alarms)
    if published_by_aws:
        watched = [_as_published(w, policies, group_name) for w in watched]
    return watched


def _as_published(item: Watched, policies: list[dict[str, Any]], group_name: str) -> Watched:
    """An AWS metric as a metric to check: a predefined one as the metric AWS documents for it."""
    if item.aws_metric is None:
        return item
    if item.published is not None:
        return replace(item, metric=item.published, aws_metric=None, published=None)
    name = item.subject.removeprefix("policy ")
    policy = next((p for p in policies if p["PolicyName"] == name), None)
    if policy is None or item.aws_metric not in PREDEFINED or "TargetTrackingConfiguration" not in policy:
        return item
    return Watched(item.subject, target_tracking_metric(policy, group_name))


def _alarm_metrics(alarm: dict[str, Any]) -> list[Watched]:
    subject = f"alarm {alarm['AlarmName']}"
    treat_missing = alarm.get("TreatMissingData", "missing")
    if alarm.get("MetricName"):
        statistic = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
        return [replace(_watched(subject, alarm, statistic, alarm["Period"]), treat_missing=treat_missing)]
    return [replace(w, treat_missing=treat_missing) for w in _queries(subject, alarm.get("Metrics", []))]


def _policy_metrics(policy: dict[str, Any], alarms: list[dict[str, Any]]) -> list[Watched]:
    subject = f"policy {policy['PolicyName']}"
    kind = policy["PolicyType"]
    if kind == "TargetTrackingScaling":
        config = policy["TargetTrackingConfiguration"]
        if "PredefinedMetricSpecification" in config:
            return [Watched(subject, None, aws_metric=config["PredefinedMetricSpecification"]["PredefinedMetricType"])]
        spec = config["CustomizedMetricSpecification"]
        if "MetricName" in spec:
            return [_watched(subject, spec, spec["Statistic"], spec.get("Period", TARGET_TRACKING_PERIOD))]
        return _queries(subject, spec.get("Metrics", []), TARGET_TRACKING_PERIOD)
    if kind == "PredictiveScaling":
        return [
            w
            for spec in policy["PredictiveScalingConfiguration"]["MetricSpecifications"]
            for w in _predictive(subject, spec)
        ]
    invoking = [a for a in alarms if policy["PolicyARN"] in a.get("AlarmActions", [])]
    if not invoking:
        return [Watched(subject, None, via="")]
    return [Watched(subject, None, via=f"alarm {alarm['AlarmName']}") for alarm in invoking]


def _predictive(subject: str, spec: dict[str, Any]) -> list[Watched]:
    watched = [
        Watched(subject, None, aws_metric=value["PredefinedMetricType"])
        for key, value in spec.items()
        if key.startswith("Predefined")
    ]
    for key, value in spec.items():
        if key.startswith("Customized"):
            watched += _queries(subject, value["MetricDataQueries"], PREDICTIVE_PERIOD)
    return watched


def _queries(subject: str, queries: list[dict[str, Any]], period: int | None = None) -> list[Watched]:
    """The metrics of a metric-math query list (each MetricStat's own Period, else `period`); expressions
    read those metrics, so they are checked through them."""
    expressions = "".join(query.get("Expression", "") for query in queries).replace(" ", "")
    return [
        replace(
            _watched(f"{subject} ({query['Id']})", stat["Metric"], stat["Stat"], stat.get("Period", period)),
            filled=f"FILL({query['Id']}," in expressions,
        )
        for query in queries
        if (stat := query.get("MetricStat"))
    ]


def _watched(subject: str, source: dict[str, Any], statistic: str, period: int) -> Watched:
    """The metric `source` names (Namespace, MetricName, Dimensions: an alarm, a metric, a specification)."""
    metric = Metric.named_in(source, statistic, period)
    if metric.namespace.startswith(AWS_NAMESPACE_PREFIX):
        return Watched(subject, None, aws_metric=f"{metric.namespace}/{metric.name}", published=metric)
    return Watched(subject, metric)


def check_metrics(
    cloudwatch: Any,
    autoscaling: Any,
    group_name: str,
    start: datetime,
    end: datetime,
    record: AgentRecord | None = None,
    alarm_names: list[str] | None = None,
    published_by_aws: bool = False,
) -> list[Finding]:
    """The contract's findings, one per alarm, policy or query (see the module docstring)."""
    watched = watched_metrics(cloudwatch, autoscaling, group_name, alarm_names, published_by_aws)
    by_alarm: dict[str, list[Finding]] = {}
    findings = []
    for item in [w for w in watched if w.via is None]:
        finding = _check(cloudwatch, item, start, end, record)
        by_alarm.setdefault(item.subject.split(" (")[0], []).append(finding)
        findings.append(finding)
    for item in [w for w in watched if w.via is not None]:
        findings.append(_through_alarm(item, by_alarm))
    return findings


def _through_alarm(item: Watched, by_alarm: dict[str, list[Finding]]) -> Finding:
    if not item.via:
        return Finding(item.subject, "-", NO_DATA, "no alarm has this policy as its action: nothing invokes it")
    checked = by_alarm[item.via]
    status = NO_DATA if any(f.status == NO_DATA for f in checked) else checked[0].status
    return Finding(item.subject, checked[0].metric, status, f"through {item.via}")


def _check(cloudwatch: Any, item: Watched, start: datetime, end: datetime, record: AgentRecord | None) -> Finding:
    if item.metric is None:
        return Finding(item.subject, item.aws_metric, AWS_PUBLISHED, "AWS publishes it; the emulator does not")
    metric = item.metric
    series = metric.series(cloudwatch)
    quiet = (metric.namespace, metric.name) in PUBLISHED_ONLY_WHEN_NONZERO
    if quiet and not series:
        return _none_while_zero(item)
    if metric.dimensions not in series:
        return Finding(item.subject, str(metric), NO_DATA, _broken_link(cloudwatch, metric, series, record))
    datapoints = metric.statistics(cloudwatch, start, end)
    if quiet and not datapoints:
        return _none_while_zero(item)
    if not datapoints:
        return Finding(
            item.subject,
            str(metric),
            NO_DATA,
            f"the series exists, but has no datapoint from {start:%H:%M} to {end:%H:%M}",
        )
    last = max(datapoints, key=lambda d: d["Timestamp"])
    value = last.get(metric.statistic, last.get("ExtendedStatistics", {}).get(metric.statistic))
    count = f"{len(datapoints)} datapoint{'s' if len(datapoints) > 1 else ''}"
    if value is None:
        return Finding(
            item.subject,
            str(metric),
            NO_DATA,
            f"{count} in the window, none with a {metric.statistic}: CloudWatch computes a percentile from the "
            "values published, and statistic sets carry none",
        )
    return Finding(item.subject, str(metric), OK, f"{count}, last {metric.statistic} {value:g}")


def _none_while_zero(item: Watched) -> Finding:
    """A count AWS publishes only when non-zero, absent: fine for an alarm that treats missing data as not
    breaching (see PUBLISHED_ONLY_WHEN_NONZERO)."""
    metric = str(item.metric)
    filled = ", and its expression FILLs the query with a value" if item.filled else ""
    if item.treat_missing == NOT_BREACHING:
        return Finding(
            item.subject, metric, NONE_WHILE_ZERO, f"the alarm's TreatMissingData is notBreaching{filled}: it stays OK"
        )
    return Finding(
        item.subject,
        metric,
        NO_DATA,
        f"AWS publishes none while the count is 0, and the alarm's TreatMissingData is {item.treat_missing}{filled}: "
        "a quiet minute is missing data to it; set it to notBreaching",
    )


def _broken_link(cloudwatch: Any, metric: Metric, series: set, record: AgentRecord | None) -> str:
    """The first link, in the order data travels, that produced nothing."""
    if metric.namespace.startswith(AWS_NAMESPACE_PREFIX) and not series:
        return f"no {metric.name} in {metric.namespace} at all: nothing published AWS's metric"
    if record is not None and not metric.namespace.startswith(AWS_NAMESPACE_PREFIX):
        if metric.namespace != record.namespace:
            return (
                f"namespace {metric.namespace} is not the node agent's ({record.namespace}): "
                "nothing on the nodes publishes it"
            )
        if record.denied:
            return f"the agent's PutMetricData was refused: {record.denied[-1]}"
        if metric.name not in record.received and metric.name not in record.own:
            sent = ", ".join(sorted(record.received)) or "nothing"
            return f"the release never sent {metric.name} over StatsD (it sent: {sent})"
    elif not _namespace_has_data(cloudwatch, metric.namespace):
        return (
            f"nothing at all in {metric.namespace}: no agent published "
            "(not running, or PutMetricData refused: see its log)"
        )
    if not series:
        return f"no {metric.name} in {metric.namespace} at all"
    wanted = {key for key, _ in metric.dimensions}
    present = {key for dims in series for key, _ in dims}
    shown = "; ".join("{" + ",".join(f"{k}={v}" for k, v in dims) + "}" for dims in sorted(series))
    if wanted - present:
        unresolved = {key: why for key, why in (record.unresolved if record else {}).items() if key in wanted}
        if unresolved:
            return "; ".join(
                f"the agent could not resolve {key} on its instance: {why}" for key, why in unresolved.items()
            )
        return (
            f"published only as {shown}: the agent configuration's append_dimensions lacks "
            f"{', '.join(sorted(wanted - present))}"
        )
    if not any(dict(dims).items() >= dict(metric.dimensions).items() for dims in series):
        return f"published only as {shown}: none has the value the alarm names ({_pairs(metric.dimensions)})"
    return (
        f"published only as {shown}, never with exactly {{{_pairs(metric.dimensions)}}}: the agent configuration's "
        f"aggregation_dimensions lacks {sorted(wanted)}"
    )


def _pairs(dimensions: Iterable[tuple[str, str]]) -> str:
    return ",".join(f"{key}={value}" for key, value in dimensions)


def _namespace_has_data(cloudwatch: Any, namespace: str) -> bool:
    return any(page["Metrics"] for page in cloudwatch.get_paginator("list_metrics").paginate(Namespace=namespace))


def render(findings: list[Finding]) -> str:
    """The findings as a table a reviewer reads."""
    rows = [("subject", "metric", "status", "detail"), *((f.subject, f.metric, f.status, f.detail) for f in findings)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    )
