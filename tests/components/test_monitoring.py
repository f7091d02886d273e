"""components/monitoring.py, read back from moto: the alert topic, its key and who it mails, the
health alarms and what they watch (prod's, field by field, against AWS's literal values), the
dashboard about this group; and a variant the session shares (tests/support/variants.py): behind a
network load balancer, mailing several addresses.
(Which alarms a group that cannot grow gets: tests/plans/test_health_alarms.py.)
"""

from __future__ import annotations

import json
import re

import pytest

from components.plans import names
from tests.support.aws_state import alarms_of, real_request_count_label
from tests.support.kms import key_policy, root_administers, topic_key


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def dimensions(applied) -> list[dict[str, str]]:
    """TargetGroup and LoadBalancer, from the load balancer and target group moto holds."""
    balancer, target_group = real_request_count_label(applied).split("/targetgroup/")
    return [
        {"Name": "TargetGroup", "Value": f"targetgroup/{target_group}"},
        {"Name": "LoadBalancer", "Value": balancer},
    ]


def test_the_topic_is_exported_and_encrypted_with_a_key_cloudwatch_may_use(stack):
    sns, kms = stack.client("sns"), stack.client("kms")
    topic_arn = stack.outputs["alarmTopicArn"]
    assert topic_arn.endswith(f":{names.alarm_topic_name(stack.settings)}")
    key_id = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["KmsMasterKeyId"]
    assert not key_id.startswith("alias/aws/")  # CloudWatch cannot publish under the AWS managed key
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    [grant] = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]


def test_every_alert_address_is_subscribed_by_email(stack):
    subscriptions = stack.client("sns").list_subscriptions_by_topic(TopicArn=stack.outputs["alarmTopicArn"])
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions["Subscriptions"]) == sorted(
        ("email", email) for email in stack.settings.alerts.emails
    )


def test_every_health_alarm_notifies_an_existing_topic_when_it_fires_and_when_it_clears(stack):
    alarms = alarms_of(stack)
    assert sorted(alarms) == sorted(names.health_alarm_roles(stack.settings))
    assert set(alarms) >= {"unhealthy-hosts", "healthy-hosts-below-min", "5xx-rate", "p99-latency", "at-max-size"}
    topics = {t["TopicArn"] for t in stack.client("sns").list_topics()["Topics"]}
    for alarm in alarms.values():
        assert alarm["ActionsEnabled"]
        assert alarm["AlarmActions"] == alarm["OKActions"] == [stack.outputs["alarmTopicArn"]]
        assert set(alarm["AlarmActions"]) <= topics


def test_host_alarms_watch_this_target_group(stack):
    alarms = alarms_of(stack)
    unhealthy, healthy = alarms["unhealthy-hosts"], alarms["healthy-hosts-below-min"]
    for alarm in (unhealthy, healthy):
        assert alarm["Namespace"] == "AWS/ApplicationELB"
        assert alarm["Dimensions"] == dimensions(stack)
    assert (unhealthy["MetricName"], unhealthy["ComparisonOperator"], unhealthy["Threshold"]) == (
        "UnHealthyHostCount",
        "GreaterThanThreshold",
        0,
    )
    assert (healthy["MetricName"], healthy["ComparisonOperator"], healthy["Threshold"]) == (
        "HealthyHostCount",
        "LessThanThreshold",
        stack.settings.nodes.min_size,
    )
    # nothing reported about healthy hosts is itself bad news; about unhealthy ones it is not
    assert (healthy["TreatMissingData"], unhealthy["TreatMissingData"]) == ("breaching", "notBreaching")


def test_the_5xx_alarm_divides_errors_by_requests_on_this_load_balancer(stack):
    alarm = alarms_of(stack)["5xx-rate"]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    stats = {
        query_id: (
            m["MetricStat"]["Metric"]["MetricName"],
            m["MetricStat"]["Stat"],
            m["MetricStat"]["Metric"]["Dimensions"],
        )
        for query_id, m in metrics.items()
        if "MetricStat" in m
    }
    balancer = [dimensions(stack)[1]]
    assert stats == {
        "target5xx": ("HTTPCode_Target_5XX_Count", "Sum", balancer),
        "elb5xx": ("HTTPCode_ELB_5XX_Count", "Sum", balancer),
        "requests": ("RequestCount", "Sum", balancer),
    }
    [result] = [m for m in metrics.values() if m["ReturnData"]]
    assert {"target5xx", "elb5xx", "requests"} <= set(re.findall(r"[a-z]\w*", result["Expression"]))
    assert result["Expression"].startswith("100 *")
    assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["TreatMissingData"]) == (
        stack.settings.alerts.error5xx_percent,
        "GreaterThanThreshold",
        "notBreaching",
    )


def test_the_latency_alarm_compares_p99_in_seconds_with_the_milliseconds_of_the_settings(stack):
    alarm = alarms_of(stack)["p99-latency"]
    assert (alarm["MetricName"], alarm["ExtendedStatistic"]) == ("TargetResponseTime", "p99")
    assert alarm["Threshold"] == stack.settings.alerts.latency_p99_ms / 1000
    assert alarm["Dimensions"] == dimensions(stack)


def test_the_ceiling_alarm_fires_after_the_group_wanted_max_size_for_the_configured_minutes(stack):
    alarm = alarms_of(stack)["at-max-size"]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    group = [{"Name": "AutoScalingGroupName", "Value": stack.outputs["autoScalingGroupName"]}]
    assert {
        query_id: (m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
        for query_id, m in metrics.items()
        if "MetricStat" in m
    } == {"desired": ("AWS/AutoScaling", "GroupDesiredCapacity"), "ceiling": ("AWS/AutoScaling", "GroupMaxSize")}
    assert all(m["MetricStat"]["Metric"]["Dimensions"] == group for m in metrics.values() if "MetricStat" in m)
    assert metrics["headroom"]["Expression"] == "ceiling - desired"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanOrEqualToThreshold", 0)
    assert alarm["EvaluationPeriods"] == stack.settings.alerts.at_max_size_minutes
    assert "DatapointsToAlarm" not in alarm or alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]


def test_the_dashboard_is_exported_parses_and_shows_this_group_and_load_balancer(stack):
    assert stack.outputs["dashboardName"] == names.dashboard_name(stack.settings)
    body = json.loads(
        stack.client("cloudwatch").get_dashboard(DashboardName=stack.outputs["dashboardName"])["DashboardBody"]
    )
    text = json.dumps(body)
    assert stack.outputs["autoScalingGroupName"] in text
    assert dimensions(stack)[1]["Value"] in text  # the load balancer
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    alarm_arns = {a["AlarmArn"] for a in alarms_of(stack).values()}
    assert set(alarm_widget["properties"]["alarms"]) == alarm_arns


def test_the_alert_key_lets_cloudwatch_alarms_publish(prod):
    statements = key_policy(prod, topic_key(prod))["Statement"]
    assert statements[0] == root_administers(prod)
    assert statements[1]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statements[1]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert len(statements) == 2


# --- prod's alarms, field by field --------------------------------------------------------------

PROD_ALARMS = {
    # role: (metric, statistic, comparison, threshold, period, evaluation periods, datapoints, missing data)
    "unhealthy-hosts": ("UnHealthyHostCount", "Maximum", "GreaterThanThreshold", 0.0, 60, 3, None, "notBreaching"),
    "healthy-hosts-below-min": ("HealthyHostCount", "Minimum", "LessThanThreshold", 3.0, 60, 3, None, "breaching"),
    "p99-latency": ("TargetResponseTime", "p99", "GreaterThanThreshold", 0.5, 60, 5, 3, "notBreaching"),
    "waf-blocked-requests": ("BlockedRequests", "Sum", "GreaterThanThreshold", 100.0, 60, 5, 3, "notBreaching"),
    "5xx-rate": (None, None, "GreaterThanThreshold", 2.0, None, 5, 3, "notBreaching"),
    "at-max-size": (None, None, "LessThanOrEqualToThreshold", 0.0, None, 15, None, "missing"),
}
"""prod: minSize 3, latencyP99Ms 500 (0.5 s), error5xxPercent 2, atMaxSizeMinutes 15, WAF's 100 a minute."""


def test_prods_alarms_fire_on_what_its_stack_file_says_and_treat_missing_data_as_declared(prod):
    alarms = alarms_of(prod)
    assert set(alarms) == set(PROD_ALARMS)
    for role, expected in PROD_ALARMS.items():
        alarm = alarms[role]
        statistic = alarm.get("ExtendedStatistic") or alarm.get("Statistic")
        assert (
            alarm.get("MetricName"),
            statistic,
            alarm["ComparisonOperator"],
            alarm["Threshold"],
            alarm.get("Period"),
            alarm["EvaluationPeriods"],
            alarm.get("DatapointsToAlarm"),
            alarm["TreatMissingData"],
        ) == expected, role


def test_prods_metric_math_reads_each_metric_a_minute_at_a_time(prod):
    alarms = alarms_of(prod)
    stats = {
        (role, query["Id"]): (query["MetricStat"]["Period"], query["MetricStat"]["Stat"])
        for role in ("5xx-rate", "at-max-size")
        for query in alarms[role]["Metrics"]
        if "MetricStat" in query
    }
    assert stats == {
        ("5xx-rate", "target5xx"): (60, "Sum"),
        ("5xx-rate", "elb5xx"): (60, "Sum"),
        ("5xx-rate", "requests"): (60, "Sum"),
        ("at-max-size", "desired"): (60, "Maximum"),
        ("at-max-size", "ceiling"): (60, "Minimum"),
    }
    [rate] = [q for q in alarms["5xx-rate"]["Metrics"] if q["ReturnData"]]
    assert rate["Expression"] == "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))"


# --- AWS WAF's blocked requests ----------------------------------------------------------------


def test_a_surge_of_blocked_requests_raises_an_alarm_on_the_topic(prod):
    [alarm] = prod.client("cloudwatch").describe_alarms(AlarmNames=["shop-prod-waf-blocked-requests"])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/WAFV2", "BlockedRequests", "Sum")
    assert sorted(alarm["Dimensions"], key=lambda d: d["Name"]) == [
        {"Name": "Region", "Value": "eu-west-1"},
        {"Name": "Rule", "Value": "ALL"},
        {"Name": "WebACL", "Value": "shop-prod"},
    ]
    assert (alarm["Threshold"], alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        100,
        60,
        5,
        3,
    )
    assert alarm["AlarmActions"] == [prod.outputs["alarmTopicArn"]]
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_dashboard_graphs_blocked_requests(prod):
    body = json.loads(prod.client("cloudwatch").get_dashboard(DashboardName="shop-prod")["DashboardBody"])
    [graph] = [w for w in body["widgets"] if "BlockedRequests" in json.dumps(w.get("properties", {}).get("metrics"))]
    assert graph["properties"]["metrics"] == [
        ["AWS/WAFV2", "BlockedRequests", "WebACL", "shop-prod", "Region", "eu-west-1", "Rule", "ALL"]
    ]
    assert graph["properties"]["stat"] == "Sum"
    assert graph["properties"]["annotations"]["horizontal"][0]["value"] == 100


# --- variants ---------------------------------------------------------------------------------


def test_behind_a_network_load_balancer_host_alarms_stay_and_http_alarms_are_omitted(dev_behind_an_nlb):
    applied = dev_behind_an_nlb
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


def test_each_alert_address_gets_its_own_subscription(dev_behind_an_nlb):
    applied = dev_behind_an_nlb
    subscriptions = applied.client("sns").list_subscriptions_by_topic(TopicArn=applied.outputs["alarmTopicArn"])
    assert sorted(s["Endpoint"] for s in subscriptions["Subscriptions"]) == [
        "oncall@example.com",
        "platform@example.com",
    ]
