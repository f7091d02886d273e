"""tools/verifier/checks/monitoring.py: the alert topic and its subscribers, each health alarm field
by field and its actions, the dashboard's widgets; each tamper fails its check and no other."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.plans import names
from tests.support.stacks import Applied, Deploy
from tests.support.verify import ALARM_INPUTS, Change, Tamper, walk


def change_the_alarm(role: str, **change: Any) -> Change:
    """PutMetricAlarm with the health alarm `role` as it is, `change` applied (None removes a field)."""

    def tamper(env: Applied) -> None:
        cloudwatch = env.client("cloudwatch")
        [alarm] = cloudwatch.describe_alarms(AlarmNames=[names.health_alarm_name(env.settings, role)])["MetricAlarms"]
        kept = {key: value for key, value in alarm.items() if key in ALARM_INPUTS and value not in ([], None)}
        changed = {key: value for key, value in {**kept, **change}.items() if value is not None}
        cloudwatch.put_metric_alarm(**changed)

    tamper.__name__ = f"change_the_{role}_alarm_" + "_".join(change)
    return tamper


def _metrics_with(env: Applied, role: str, change: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    [alarm] = env.client("cloudwatch").describe_alarms(AlarmNames=[f"shop-prod-{role}"])["MetricAlarms"]
    metrics = alarm["Metrics"]
    for query in metrics:
        change(query)
    return metrics


def count_only_target_errors(env: Applied) -> None:
    """The 5xx share without the load balancer's own 5xx (the 503s of an empty target group)."""

    def change(query: dict[str, Any]) -> None:
        if query["Id"] == "errorRate":
            query["Expression"] = "100 * FILL(target5xx, 0) / FILL(requests, 1)"

    change_the_alarm("5xx-rate", Metrics=_metrics_with(env, "5xx-rate", change))(env)


def unsubscribe_the_on_call(env: Applied) -> None:
    sns = env.client("sns")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=env.outputs["alarmTopicArn"])["Subscriptions"]
    [on_call] = [s for s in subscriptions if s["Endpoint"] == "oncall@example.com"]
    sns.unsubscribe(SubscriptionArn=on_call["SubscriptionArn"])


def subscribe_a_stranger(env: Applied) -> None:
    env.client("sns").subscribe(
        TopicArn=env.outputs["alarmTopicArn"], Protocol="email", Endpoint="stranger@example.org"
    )


def _put_widgets(env: Applied, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    cloudwatch = env.client("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName="shop-prod")["DashboardBody"])
    cloudwatch.put_dashboard(DashboardName="shop-prod", DashboardBody=json.dumps({"widgets": change(body["widgets"])}))


def drop_the_hosts_graph(env: Applied) -> None:
    _put_widgets(env, lambda widgets: [w for w in widgets if w["properties"].get("title") != "Hosts"])


def move_the_latency_line(env: Applied) -> None:
    def change(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for widget in widgets:
            if widget["properties"].get("title") == "Target response time (s)":
                widget["properties"]["annotations"]["horizontal"][0]["value"] = 2.0
        return widgets

    _put_widgets(env, change)


def delete_the_dashboard(env: Applied) -> None:
    env.client("cloudwatch").delete_dashboards(DashboardNames=["shop-prod"])


def delete_the_unhealthy_hosts_alarm(env: Applied) -> None:
    env.client("cloudwatch").delete_alarms(AlarmNames=[names.health_alarm_name(env.settings, "unhealthy-hosts")])


def silence_the_latency_alarm(env: Applied) -> None:
    env.client("cloudwatch").disable_alarm_actions(AlarmNames=[names.health_alarm_name(env.settings, "p99-latency")])


def delete_the_alert_topic(env: Applied) -> None:
    env.client("sns").delete_topic(TopicArn=env.outputs["alarmTopicArn"])


TAMPERS = {
    "dev": [
        Tamper(delete_the_unhealthy_hosts_alarm, "monitoring.alarms", "missing shop-dev-unhealthy-hosts"),
        Tamper(silence_the_latency_alarm, "monitoring.alarms", "shop-dev-p99-latency does not notify shop-dev-alarms"),
        Tamper(
            change_the_alarm("healthy-hosts-below-min", OKActions=[]),
            "monitoring.alarms",
            "shop-dev-healthy-hosts-below-min does not tell shop-dev-alarms when it clears",
        ),
    ],
    "prod": [
        Tamper(unsubscribe_the_on_call, "monitoring.topic", "shop-prod-alarms: oncall@example.com is not subscribed"),
        Tamper(subscribe_a_stranger, "monitoring.topic", "stranger@example.org is subscribed but not in alerts.emails"),
        Tamper(
            change_the_alarm("healthy-hosts-below-min", TreatMissingData="notBreaching"),
            "monitoring.alarms",
            "shop-prod-healthy-hosts-below-min: TreatMissingData 'notBreaching', declared 'breaching'",
        ),
        Tamper(
            change_the_alarm("healthy-hosts-below-min", ComparisonOperator="LessThanOrEqualToThreshold"),
            "monitoring.alarms",
            "ComparisonOperator 'LessThanOrEqualToThreshold', declared 'LessThanThreshold'",
        ),
        Tamper(
            change_the_alarm("healthy-hosts-below-min", DatapointsToAlarm=1),
            "monitoring.alarms",
            "shop-prod-healthy-hosts-below-min: DatapointsToAlarm 1, declared none",
        ),
        Tamper(
            change_the_alarm(
                "healthy-hosts-below-min", Dimensions=[{"Name": "TargetGroup", "Value": "targetgroup/x/1"}]
            ),
            "monitoring.alarms",
            "shop-prod-healthy-hosts-below-min: Dimensions {'TargetGroup': 'targetgroup/x/1'}, "
            "declared {'TargetGroup': 'targetgroup/shop-lb-targets-",
        ),
        Tamper(
            change_the_alarm("p99-latency", Threshold=5.0),
            "monitoring.alarms",
            "shop-prod-p99-latency: Threshold 5.0, declared 0.5",
        ),
        Tamper(
            change_the_alarm("p99-latency", ExtendedStatistic="p50"),
            "monitoring.alarms",
            "shop-prod-p99-latency: ExtendedStatistic 'p50', declared 'p99'",
        ),
        Tamper(
            change_the_alarm("p99-latency", DatapointsToAlarm=1),
            "monitoring.alarms",
            "shop-prod-p99-latency: DatapointsToAlarm 1, declared 3",
        ),
        Tamper(
            change_the_alarm("unhealthy-hosts", EvaluationPeriods=10),
            "monitoring.alarms",
            "shop-prod-unhealthy-hosts: EvaluationPeriods 10, declared 3",
        ),
        Tamper(
            change_the_alarm("unhealthy-hosts", Period=300),
            "monitoring.alarms",
            "shop-prod-unhealthy-hosts: Period 300, declared 60",
        ),
        Tamper(
            change_the_alarm("unhealthy-hosts", Statistic="Average"),
            "monitoring.alarms",
            "shop-prod-unhealthy-hosts: Statistic 'Average', declared 'Maximum'",
        ),
        Tamper(
            change_the_alarm("waf-blocked-requests", MetricName="AllowedRequests"),
            "monitoring.alarms",
            "shop-prod-waf-blocked-requests: MetricName 'AllowedRequests', declared 'BlockedRequests'",
        ),
        Tamper(
            change_the_alarm("waf-blocked-requests", Namespace="AWS/WAF"),
            "monitoring.alarms",
            "shop-prod-waf-blocked-requests: Namespace 'AWS/WAF', declared 'AWS/WAFV2'",
        ),
        Tamper(
            count_only_target_errors,
            "monitoring.alarms",
            "shop-prod-5xx-rate: Metrics",
        ),
        Tamper(drop_the_hosts_graph, "monitoring.dashboard", "shop-prod: missing the 'Hosts' widget"),
        Tamper(move_the_latency_line, "monitoring.dashboard", "the 'Target response time (s)' widget changed"),
        Tamper(delete_the_dashboard, "monitoring.dashboard", "no dashboard shop-prod"),
        Tamper(delete_the_alert_topic, "monitoring.topic", "no SNS topic shop-prod-alarms"),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_monitoring_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
