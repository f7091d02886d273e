"""Monitoring: who hears about trouble, and one page that shows the cluster.

- An SNS topic encrypted with a KMS key of its own (CloudWatch cannot publish to a topic
  under the AWS managed key: see plans/encryption.py), with one e-mail subscription per
  `alerts.emails` entry (each address confirms by mail).
- The health alarms of plans/health_alarms.py, each notifying the topic when it fires and
  when it clears (alarm and OK actions).
- A CloudWatch dashboard: plans/dashboard.py's body, rendered once the group, load balancer
  and alarm names are known.

Names come from components/plans/names.py, through the args.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.dashboard import DashboardNames, DashboardPlan
from .plans.encryption import alert_key_policy
from .plans.health_alarms import HealthAlarm, Metric, Query, Watched


@dataclass
class MonitoringArgs:
    emails: Sequence[str]
    """`alerts.emails`: who is mailed every alarm and recovery."""
    alarms: Sequence[HealthAlarm]
    """The health alarms to declare (plans.health_alarms.health_alarms): what each watches, when it fires."""
    dashboard: DashboardPlan
    """What the dashboard shows (plans.dashboard.dashboard_plan)."""
    qualified_name: str
    """`<cluster>-<environment>`: what the topic, its key and the mails call the cluster."""
    topic_name: str
    """The alert topic's name (plans.names.alarm_topic_name)."""
    dashboard_name: str
    """The dashboard's name (plans.names.dashboard_name)."""
    group_name: pulumi.Input[str]
    """The Auto Scaling group of nodes."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """The load balancer's CloudWatch dimension."""
    target_group_arn_suffix: pulumi.Input[str]
    """The target group's CloudWatch dimension."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the key, the topic and the alarms."""


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
        self._topic = self._alert_topic()
        for email in args.emails:
            self.subscribe(email)
        alarms = [self.alarm(plan) for plan in args.alarms]
        dashboard = self._dashboard([a.arn for a in alarms])
        self.topic_arn = self._topic.arn
        self.alarm_arns = pulumi.Output.all(*[a.arn for a in alarms])
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs(
            {"topicArn": self.topic_arn, "alarmArns": self.alarm_arns, "dashboardName": self.dashboard_name}
        )

    # --- the topic -------------------------------------------------------------------------

    def _alert_topic(self) -> aws.sns.Topic:
        args = self._args
        identity = aws.get_caller_identity_output()
        partition = aws.get_partition_output()
        key = aws.kms.Key(
            self._child_name("topic-key"),
            description=f"Encrypts the alarm notifications of {args.qualified_name}",
            enable_key_rotation=True,
            policy=pulumi.Output.all(partition.partition, identity.account_id).apply(
                lambda known: json.dumps(alert_key_policy(partition=known[0], account_id=known[1]))
            ),
            tags=self._tags("topic-key"),
            opts=self._child(),
        )
        return aws.sns.Topic(
            self._child_name("topic"),
            name=args.topic_name,
            display_name=f"{args.qualified_name} alarms",
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

    def alarm(self, plan: HealthAlarm) -> aws.cloudwatch.MetricAlarm:
        """The alarm `plan` describes, notifying the topic when it fires and when it clears."""
        if plan.metric is None:
            watching = {"metric_queries": [self._query(query, plan.period) for query in plan.queries]}
        else:
            watching = {**self._metric(plan.metric), "period": plan.period}
        return aws.cloudwatch.MetricAlarm(
            self._child_name(plan.role),
            name=plan.name,
            alarm_description=plan.description,
            alarm_actions=[self._topic.arn],
            ok_actions=[self._topic.arn],
            comparison_operator=plan.comparison,
            threshold=plan.threshold,
            evaluation_periods=plan.evaluation_periods,
            datapoints_to_alarm=plan.datapoints_to_alarm,
            treat_missing_data=plan.treat_missing_data,
            tags=self._tags(plan.role),
            **watching,
            opts=self._child(),
        )

    def _metric(self, metric: Metric) -> dict[str, object]:
        statistic = {"extended_statistic": metric.stat} if metric.percentile else {"statistic": metric.stat}
        return {
            "namespace": metric.namespace,
            "metric_name": metric.name,
            "dimensions": metric.resolved(self._watched),
            **statistic,
        }

    def _query(self, query: Query, period: int) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        if query.metric is None:
            return aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query.id, expression=query.expression, label=query.label, return_data=query.returns_data
            )
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query.id,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=query.metric.namespace,
                metric_name=query.metric.name,
                dimensions=query.metric.resolved(self._watched),
                period=period,
                stat=query.metric.stat,
            ),
        )

    @property
    def _watched(self) -> dict[Watched, pulumi.Input[str]]:
        args = self._args
        return {
            Watched.GROUP: args.group_name,
            Watched.LOAD_BALANCER: args.load_balancer_arn_suffix,
            Watched.TARGET_GROUP: args.target_group_arn_suffix,
        }

    # --- the dashboard -------------------------------------------------------------------------

    def _dashboard(self, alarm_arns: list[pulumi.Output[str]]) -> aws.cloudwatch.Dashboard:
        args = self._args
        resolved = pulumi.Output.all(
            args.group_name, args.load_balancer_arn_suffix, args.target_group_arn_suffix, *alarm_arns
        )
        body = resolved.apply(
            lambda known: args.dashboard.body(
                DashboardNames(
                    group_name=known[0], load_balancer=known[1], target_group=known[2], alarm_arns=tuple(known[3:])
                )
            )
        )
        return aws.cloudwatch.Dashboard(
            self._child_name("dashboard"),
            dashboard_name=args.dashboard_name,
            dashboard_body=body,
            opts=self._child(),
        )
