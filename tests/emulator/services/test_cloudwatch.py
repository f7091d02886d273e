"""Alarms and dashboards in moto."""

from __future__ import annotations

import json


def test_alarm_with_metric_math_and_actions(run, aws):
    run(
        """
topic = aws.sns.Topic("alerts")
aws.cloudwatch.MetricAlarm("errors", comparison_operator="GreaterThanThreshold", evaluation_periods=3,
    threshold=2, alarm_actions=[topic.arn], ok_actions=[topic.arn], treat_missing_data="notBreaching",
    metric_queries=[
        {"id": "errors", "metric": {"metric_name": "HTTPCode_Target_5XX_Count", "namespace": "AWS/ApplicationELB",
                                    "period": 60, "stat": "Sum", "dimensions": {"LoadBalancer": "app/x/1"}}},
        {"id": "requests", "metric": {"metric_name": "RequestCount", "namespace": "AWS/ApplicationELB",
                                      "period": 60, "stat": "Sum", "dimensions": {"LoadBalancer": "app/x/1"}}},
        {"id": "rate", "expression": "100 * errors / requests", "label": "5xx %", "return_data": True}])
aws.cloudwatch.MetricAlarm("p99", comparison_operator="GreaterThanThreshold", evaluation_periods=3,
    metric_name="TargetResponseTime", namespace="AWS/ApplicationELB", period=60, extended_statistic="p99",
    threshold=0.5, dimensions={"LoadBalancer": "app/x/1"}, alarm_actions=[topic.arn])
"""
    )
    alarms = {a["AlarmName"]: a for a in aws("cloudwatch").describe_alarms()["MetricAlarms"]}
    errors = next(a for name, a in alarms.items() if name.startswith("errors"))
    topic_arn = aws("sns").list_topics()["Topics"][0]["TopicArn"]
    assert errors["AlarmActions"] == [topic_arn] and errors["OKActions"] == [topic_arn]
    assert [m["Id"] for m in errors["Metrics"]] == ["errors", "requests", "rate"]
    assert errors["Metrics"][2]["Expression"] == "100 * errors / requests"
    p99 = next(a for name, a in alarms.items() if name.startswith("p99"))
    assert p99["ExtendedStatistic"] == "p99"


def test_dashboard_body_round_trips(run, aws):
    body = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "hi"}}]}
    run(f'aws.cloudwatch.Dashboard("d", dashboard_name="probe", dashboard_body={json.dumps(json.dumps(body))})\n')
    assert json.loads(aws("cloudwatch").get_dashboard(DashboardName="probe")["DashboardBody"]) == body


def test_email_subscription(run, aws):
    run('t = aws.sns.Topic("t")\naws.sns.TopicSubscription("e", topic=t.arn, protocol="email", endpoint="a@b.co")\n')
    subscriptions = aws("sns").list_subscriptions()["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "a@b.co")]
