"""Monitoring: who hears about trouble, and one page that shows the cluster.

- An SNS topic encrypted with a KMS key of its own (CloudWatch cannot publish to a topic
  under the AWS managed key: see plans/encryption.py), with one e-mail subscription per
  `alerts.emails` entry (each address confirms by mail).
- Health alarms, each notifying the topic when it fires and when it clears (alarm and OK
  actions): unhealthy hosts above zero; healthy hosts below `nodes.minSize`; and, behind an
  application load balancer only (a network load balancer has no HTTP metrics), the 5xx
  share of requests through metric math and p99 target response time above
  `alerts.latencyP99Ms`; the group held at its maximum size for `alerts.atMaxSizeMinutes`
  (scaling wants more nodes than it may launch); with `loadBalancer.waf`, AWS WAF blocking
  more than `waf.blockedRequestsAlarm` requests a minute. What missing data means is chosen per
  alarm (`treat_missing_data`), with the reason beside it.
- A CloudWatch dashboard rendered by dashboard.py from the resolved names.

Names come from components/plans/names.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans import names
from .plans.dashboard import (
    BLOCKED_REQUESTS,
    ELB_NAMESPACES,
    MILLISECONDS_PER_SECOND,
    WAF_NAMESPACE,
    DashboardNames,
    render_dashboard,
    waf_dimensions,
)
from .plans.encryption import alert_key_policy
from .settings import GROUP_DIMENSION, STANDARD_PERIOD_UNIT, StackSettings

ALARM_PERIOD_SECONDS = STANDARD_PERIOD_UNIT
"""Load balancer and group metrics arrive once a minute."""

HOST_ALARM_MINUTES = 3
"""A node failing its health checks is replaced within minutes; a few minutes of it is worth a mail,
one failed check is not."""

TRAFFIC_ALARM_MINUTES = 5
TRAFFIC_ALARM_DATAPOINTS = 3
"""5xx and latency: three bad minutes out of five, so one slow deploy minute does not page."""


@dataclass
class MonitoringArgs:
    settings: StackSettings
    """The stack settings: alerts, sizes, the load balancer type, tags."""
    group_name: pulumi.Input[str]
    """The Auto Scaling group of nodes."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """The load balancer's CloudWatch dimension."""
    target_group_arn_suffix: pulumi.Input[str]
    """The target group's CloudWatch dimension."""
    tags: dict[str, str] = field(default_factory=dict)


class Monitoring(ClusterComponent):
    TOKEN = "elixir-cluster:index:Monitoring"

    topic_arn: pulumi.Output[str]
    """The SNS topic the health alarms notify."""
    alarm_arns: pulumi.Output[list[str]]
    """The health alarms."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard of the cluster."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        self._args = args
        settings = args.settings
        self._topic = self._alert_topic()
        for email in settings.alerts.emails:
            self.subscribe(email)
        alarms = [self._alarm_for(role) for role in names.health_alarm_roles(settings)]
        dashboard = self._dashboard([a.arn for a in alarms])
        self.topic_arn = self._topic.arn
        self.alarm_arns = pulumi.Output.all(*[a.arn for a in alarms])
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs(
            {"topicArn": self.topic_arn, "alarmArns": self.alarm_arns, "dashboardName": self.dashboard_name}
        )

    # --- the topic -------------------------------------------------------------------------

    def _alert_topic(self) -> aws.sns.Topic:
        settings = self._args.settings
        identity = aws.get_caller_identity_output()
        partition = aws.get_partition_output()
        key = aws.kms.Key(
            self._child_name("topic-key"),
            description=f"Encrypts the alarm notifications of {settings.qualified_name}",
            enable_key_rotation=True,
            policy=pulumi.Output.all(partition.partition, identity.account_id).apply(
                lambda known: json.dumps(alert_key_policy(partition=known[0], account_id=known[1]))
            ),
            tags=self._tags("topic-key"),
            opts=self._child(),
        )
        return aws.sns.Topic(
            self._child_name("topic"),
            name=names.alarm_topic_name(settings),
            display_name=f"{settings.qualified_name} alarms",
            kms_master_key_id=key.arn,
            tags=self._tags("topic"),
            opts=self._child(),
        )

    def subscribe(self, email: str) -> aws.sns.TopicSubscription:
        """Mail every alarm and recovery to `email` (once the address confirms)."""
        return aws.sns.TopicSubscription(
            self._child_name(f"email-{re.sub(r'[^a-z0-9]+', '-', email.lower())}"),
            topic=self._topic.arn,
            protocol="email",
            endpoint=email,
            opts=self._child(),
        )

    # --- health alarms ---------------------------------------------------------------------

    def _alarm_for(self, role: str) -> aws.cloudwatch.MetricAlarm:
        verbs = {
            "unhealthy-hosts": self.alarm_on_unhealthy_hosts,
            "healthy-hosts-below-min": self.alarm_on_too_few_healthy_hosts,
            "5xx-rate": self.alarm_on_5xx_rate,
            "p99-latency": self.alarm_on_p99_latency,
            "at-max-size": self.alarm_on_scaling_ceiling,
            "waf-blocked-requests": self.alarm_on_blocked_requests,
        }
        return verbs[role]()

    def alarm_on_unhealthy_hosts(self) -> aws.cloudwatch.MetricAlarm:
        return self._alarm(
            "unhealthy-hosts",
            "A node fails the load balancer's health check.",
            namespace=self._elb_namespace,
            metric_name="UnHealthyHostCount",
            statistic="Maximum",
            dimensions=self._target_dimensions(),
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            evaluation_periods=HOST_ALARM_MINUTES,
            # the load balancer reports hosts every minute; a gap is no evidence of a sick node
            treat_missing_data="notBreaching",
        )

    def alarm_on_too_few_healthy_hosts(self) -> aws.cloudwatch.MetricAlarm:
        min_size = self._args.settings.nodes.min_size
        return self._alarm(
            "healthy-hosts-below-min",
            f"Fewer healthy nodes than nodes.minSize ({min_size}).",
            namespace=self._elb_namespace,
            metric_name="HealthyHostCount",
            statistic="Minimum",
            dimensions=self._target_dimensions(),
            comparison_operator="LessThanThreshold",
            threshold=min_size,
            evaluation_periods=HOST_ALARM_MINUTES,
            # no count at all means the load balancer sees nothing healthy: count it as bad
            treat_missing_data="breaching",
        )

    def alarm_on_5xx_rate(self) -> aws.cloudwatch.MetricAlarm:
        alerts = self._args.settings.alerts
        balancer = {"LoadBalancer": self._args.load_balancer_arn_suffix}
        return self._alarm(
            "5xx-rate",
            f"More than {alerts.error5xx_percent:g}% of requests answered 5xx (nodes' and the load balancer's own).",
            metric_queries=[
                self._query("target5xx", "HTTPCode_Target_5XX_Count", balancer),
                self._query("elb5xx", "HTTPCode_ELB_5XX_Count", balancer),
                self._query("requests", "RequestCount", balancer),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="errorRate",
                    # RequestCount leaves out requests refused before a target was chosen (the 503s
                    # of an empty target group), so they join the denominator: a total outage reads
                    # 100%, not a division by zero. ALB publishes counts only when non-zero: FILL.
                    expression="100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))",
                    label="5xx (% of requests)",
                    return_data=True,
                ),
            ],
            comparison_operator="GreaterThanThreshold",
            threshold=alerts.error5xx_percent,
            evaluation_periods=TRAFFIC_ALARM_MINUTES,
            datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
            # no requests, no errors
            treat_missing_data="notBreaching",
        )

    def alarm_on_p99_latency(self) -> aws.cloudwatch.MetricAlarm:
        alerts = self._args.settings.alerts
        return self._alarm(
            "p99-latency",
            f"The slowest 1% of requests take longer than {alerts.latency_p99_ms:g} ms.",
            namespace=self._elb_namespace,
            metric_name="TargetResponseTime",
            extended_statistic="p99",
            dimensions=self._target_dimensions(),
            comparison_operator="GreaterThanThreshold",
            threshold=alerts.latency_p99_ms / MILLISECONDS_PER_SECOND,  # the metric is in seconds
            evaluation_periods=TRAFFIC_ALARM_MINUTES,
            datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
            # no requests, no latency to speak of
            treat_missing_data="notBreaching",
        )

    def alarm_on_scaling_ceiling(self) -> aws.cloudwatch.MetricAlarm:
        minutes = self._args.settings.alerts.at_max_size_minutes
        group = {GROUP_DIMENSION: self._args.group_name}
        return self._alarm(
            "at-max-size",
            f"Scaling has wanted the group's maximum size for {minutes} minutes: raise nodes.maxSize or find the load.",
            metric_queries=[
                self._query("desired", "GroupDesiredCapacity", group, namespace="AWS/AutoScaling", stat="Maximum"),
                # the current maximum, so a schedule that raises it moves the ceiling too
                self._query("ceiling", "GroupMaxSize", group, namespace="AWS/AutoScaling", stat="Minimum"),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="headroom", expression="ceiling - desired", label="nodes below maxSize", return_data=True
                ),
            ],
            comparison_operator="LessThanOrEqualToThreshold",
            threshold=0,
            evaluation_periods=minutes,
            # group metrics come every minute while collection is on; without them the alarm
            # stays INSUFFICIENT_DATA, which says so, rather than OK, which would hide it
            treat_missing_data="missing",
        )

    def alarm_on_blocked_requests(self) -> aws.cloudwatch.MetricAlarm:
        settings = self._args.settings
        per_minute = settings.load_balancer.waf.blocked_requests_alarm
        return self._alarm(
            "waf-blocked-requests",
            f"AWS WAF blocks more than {per_minute} requests a minute: an attack, or a rule that blocks real users "
            "(the WAF log group shows which).",
            namespace=WAF_NAMESPACE,
            metric_name=BLOCKED_REQUESTS,
            statistic="Sum",
            dimensions=waf_dimensions(settings),
            comparison_operator="GreaterThanThreshold",
            threshold=per_minute,
            evaluation_periods=TRAFFIC_ALARM_MINUTES,
            datapoints_to_alarm=TRAFFIC_ALARM_DATAPOINTS,
            # WAF publishes BlockedRequests only in minutes it blocked something
            treat_missing_data="notBreaching",
        )

    def _alarm(self, role: str, description: str, **alarm: Any) -> aws.cloudwatch.MetricAlarm:
        settings = self._args.settings
        if "metric_queries" not in alarm:
            alarm["period"] = ALARM_PERIOD_SECONDS
        return aws.cloudwatch.MetricAlarm(
            self._child_name(role),
            name=names.health_alarm_name(settings, role),
            alarm_description=f"{settings.qualified_name}: {description}",
            alarm_actions=[self._topic.arn],
            ok_actions=[self._topic.arn],
            tags=self._tags(role),
            **alarm,
            opts=self._child(),
        )

    def _query(
        self,
        query_id: str,
        metric_name: str,
        dimensions: dict[str, pulumi.Input[str]],
        *,
        namespace: str | None = None,
        stat: str = "Sum",
    ) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query_id,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=namespace or self._elb_namespace,
                metric_name=metric_name,
                dimensions=dimensions,
                period=ALARM_PERIOD_SECONDS,
                stat=stat,
            ),
        )

    @property
    def _elb_namespace(self) -> str:
        return ELB_NAMESPACES[self._args.settings.load_balancer.type]

    def _target_dimensions(self) -> dict[str, pulumi.Input[str]]:
        return {"TargetGroup": self._args.target_group_arn_suffix, "LoadBalancer": self._args.load_balancer_arn_suffix}

    # --- the dashboard -------------------------------------------------------------------------

    def _dashboard(self, alarm_arns: list[pulumi.Output[str]]) -> aws.cloudwatch.Dashboard:
        settings = self._args.settings
        resolved = pulumi.Output.all(
            self._args.group_name, self._args.load_balancer_arn_suffix, self._args.target_group_arn_suffix, *alarm_arns
        )
        body = resolved.apply(
            lambda known: render_dashboard(
                settings,
                DashboardNames(
                    region=settings.region,
                    group_name=known[0],
                    load_balancer=known[1],
                    target_group=known[2],
                    alarm_arns=tuple(known[3:]),
                ),
            )
        )
        return aws.cloudwatch.Dashboard(
            self._child_name("dashboard"),
            dashboard_name=names.dashboard_name(settings),
            dashboard_body=body,
            opts=self._child(),
        )
