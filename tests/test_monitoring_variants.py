"""Monitoring variants: behind a network load balancer, for a group that cannot grow, with
several alert addresses.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_monitoring_variants.py`
"""

from __future__ import annotations

import json

from components.plans import names
from tests.support.aws_state import alarms_of

NETWORK_LB = {
    "elixir-cluster:loadBalancer": {"type": "network", "idleTimeout": None, "stickiness": None, "algorithm": None},
    "elixir-cluster:scaling": {"targetTracking": [{"metric": "cpu", "target": 60}]},
}


def test_behind_a_network_load_balancer_host_alarms_stay_and_http_alarms_are_omitted(deploy):
    applied = deploy("dev", NETWORK_LB)
    alarms = alarms_of(applied)
    assert sorted(alarms) == ["at-max-size", "healthy-hosts-below-min", "unhealthy-hosts"]
    assert {alarms[role]["Namespace"] for role in ("unhealthy-hosts", "healthy-hosts-below-min")} == {"AWS/NetworkELB"}
    names_in_account = {a["AlarmName"] for a in applied.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert not names_in_account & {names.health_alarm_name(applied.settings, r) for r in ("5xx-rate", "p99-latency")}
    body = applied.client("cloudwatch").get_dashboard(DashboardName=applied.outputs["dashboardName"])["DashboardBody"]
    metric_names = {
        m[1] for w in json.loads(body)["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]
    }
    assert "NewFlowCount" in metric_names
    assert not metric_names & {"RequestCount", "TargetResponseTime", "HTTPCode_Target_5XX_Count"}


def test_a_group_that_cannot_grow_has_no_ceiling_alarm(deploy):
    applied = deploy("dev", {"elixir-cluster:nodes": {"minSize": 2, "maxSize": 2}})
    assert "at-max-size" not in alarms_of(applied)
    assert "healthy-hosts-below-min" in alarms_of(applied)


def test_each_alert_address_gets_its_own_subscription(deploy):
    emails = ["oncall@example.com", "platform@example.com"]
    applied = deploy("dev", {"elixir-cluster:alerts": {"emails": emails}})
    subscriptions = applied.client("sns").list_subscriptions_by_topic(TopicArn=applied.outputs["alarmTopicArn"])
    assert sorted(s["Endpoint"] for s in subscriptions["Subscriptions"]) == emails
