"""components/plans/health_alarms.py: which health alarms a stack has and each one as DescribeAlarms
reports it, with AWS's literal names and values; no Pulumi, no emulator."""

from __future__ import annotations

from components.plans.health_alarms import Watched, alarm_arn, health_alarms

RESOLVED = {
    Watched.GROUP: "shop-nodes-group-1234567",
    Watched.LOAD_BALANCER: "app/shop-lb-alb-1234567/0123456789abcdef",
    Watched.TARGET_GROUP: "targetgroup/shop-lb-targets-1234567/fedcba9876543210",
}
TARGETS = [
    {"Name": "TargetGroup", "Value": "targetgroup/shop-lb-targets-1234567/fedcba9876543210"},
    {"Name": "LoadBalancer", "Value": "app/shop-lb-alb-1234567/0123456789abcdef"},
]
ALERTS = {"latencyP99Ms": 250, "error5xxPercent": 1.5, "atMaxSizeMinutes": 20}
WAF = {"waf": {"enabled": True, "blockedRequestsAlarm": 40}}


def _by_role(settings):
    return {alarm.role: alarm for alarm in health_alarms(settings)}


def test_an_application_load_balancer_with_waf_gets_every_alarm_under_the_stacks_names(settings):
    alarms = health_alarms(settings(loadBalancer=WAF))
    assert [(a.role, a.name) for a in alarms] == [
        ("unhealthy-hosts", "shop-dev-unhealthy-hosts"),
        ("healthy-hosts-below-min", "shop-dev-healthy-hosts-below-min"),
        ("5xx-rate", "shop-dev-5xx-rate"),
        ("p99-latency", "shop-dev-p99-latency"),
        ("at-max-size", "shop-dev-at-max-size"),
        ("waf-blocked-requests", "shop-dev-waf-blocked-requests"),
    ]


def test_host_alarms_watch_the_target_group_and_treat_missing_data_each_their_way(settings):
    alarms = _by_role(settings(nodes={"minSize": 2, "maxSize": 6}))
    assert alarms["unhealthy-hosts"].described(RESOLVED) == {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "UnHealthyHostCount",
        "Statistic": "Maximum",
        "Dimensions": TARGETS,
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    assert alarms["healthy-hosts-below-min"].described(RESOLVED) == {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "HealthyHostCount",
        "Statistic": "Minimum",
        "Dimensions": TARGETS,
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 2.0,
        "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "breaching",
    }


def test_latency_is_judged_in_seconds_three_minutes_out_of_five(settings):
    latency = _by_role(settings(alerts=ALERTS))["p99-latency"]
    assert latency.described(RESOLVED) == {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "TargetResponseTime",
        "ExtendedStatistic": "p99",
        "Dimensions": TARGETS,
        "Period": 60,
        "EvaluationPeriods": 5,
        "DatapointsToAlarm": 3,
        "Threshold": 0.25,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    assert latency.description == "shop-dev: The slowest 1% of requests take longer than 250 ms."


def test_the_5xx_share_counts_the_load_balancers_own_errors_in_both_terms(settings):
    rate = _by_role(settings(alerts=ALERTS))["5xx-rate"].described(RESOLVED)
    balancer = [{"Name": "LoadBalancer", "Value": "app/shop-lb-alb-1234567/0123456789abcdef"}]

    def counted(query_id, metric):
        return {
            "Id": query_id,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric, "Dimensions": balancer},
                "Period": 60,
                "Stat": "Sum",
            },
        }

    assert rate == {
        "Metrics": [
            counted("target5xx", "HTTPCode_Target_5XX_Count"),
            counted("elb5xx", "HTTPCode_ELB_5XX_Count"),
            counted("requests", "RequestCount"),
            {
                "Id": "errorRate",
                "ReturnData": True,
                "Expression": "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))",
                "Label": "5xx (% of requests)",
            },
        ],
        "EvaluationPeriods": 5,
        "DatapointsToAlarm": 3,
        "Threshold": 1.5,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def test_the_ceiling_alarm_waits_the_configured_minutes_and_says_when_group_metrics_are_missing(settings):
    ceiling = _by_role(settings(alerts=ALERTS))["at-max-size"].described(RESOLVED)
    group = [{"Name": "AutoScalingGroupName", "Value": "shop-nodes-group-1234567"}]
    assert [(q["Id"], q.get("MetricStat", {}).get("Stat"), q.get("Expression")) for q in ceiling["Metrics"]] == [
        ("desired", "Maximum", None),
        ("ceiling", "Minimum", None),
        ("headroom", None, "ceiling - desired"),
    ]
    assert all(q["MetricStat"]["Metric"]["Dimensions"] == group for q in ceiling["Metrics"][:2])
    assert (ceiling["EvaluationPeriods"], ceiling["Threshold"], ceiling["ComparisonOperator"]) == (
        20,
        0.0,
        "LessThanOrEqualToThreshold",
    )
    assert ceiling["TreatMissingData"] == "missing"
    assert "DatapointsToAlarm" not in ceiling


def test_blocked_requests_are_summed_for_the_whole_web_acl(settings):
    blocked = _by_role(settings(loadBalancer=WAF))["waf-blocked-requests"].described(RESOLVED)
    assert (blocked["Namespace"], blocked["MetricName"], blocked["Statistic"], blocked["Threshold"]) == (
        "AWS/WAFV2",
        "BlockedRequests",
        "Sum",
        40.0,
    )
    assert blocked["Dimensions"] == [
        {"Name": "WebACL", "Value": "shop-dev"},
        {"Name": "Region", "Value": "eu-west-1"},
        {"Name": "Rule", "Value": "ALL"},
    ]
    existing = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
    behind_edge = _by_role(settings(loadBalancer={"waf": {"enabled": True, "webAclArn": existing}}))
    assert behind_edge["waf-blocked-requests"].described(RESOLVED)["Dimensions"][0] == {
        "Name": "WebACL",
        "Value": "edge",
    }


def test_a_network_load_balancer_gets_host_alarms_on_its_namespace_and_no_http_alarms(settings):
    alarms = _by_role(settings(loadBalancer={"type": "network"}, network={"availabilityZones": 2}))
    assert sorted(alarms) == ["at-max-size", "healthy-hosts-below-min", "unhealthy-hosts"]
    assert alarms["unhealthy-hosts"].described(RESOLVED)["Namespace"] == "AWS/NetworkELB"


def test_a_group_that_cannot_grow_has_no_ceiling_alarm_unless_a_schedule_moves_it(settings):
    fixed = {"minSize": 2, "maxSize": 2}
    roles = set(_by_role(settings(nodes=fixed)))
    assert "at-max-size" not in roles
    assert "healthy-hosts-below-min" in roles
    scheduled = {"schedules": [{"name": "peak", "cron": "0 7 * * *", "minSize": 2, "maxSize": 4}]}
    assert "at-max-size" in _by_role(settings(nodes=fixed, scaling=scheduled))
    assert "at-max-size" in _by_role(settings(nodes={"minSize": 2, "maxSize": 3}))


def test_what_is_not_found_stays_unresolved_in_the_description(settings):
    unhealthy = _by_role(settings())["unhealthy-hosts"]
    assert unhealthy.described(dict.fromkeys(Watched))["Dimensions"] == [
        {"Name": "TargetGroup", "Value": None},
        {"Name": "LoadBalancer", "Value": None},
    ]


def test_an_alarms_arn_names_its_partition_region_and_account():
    assert alarm_arn(partition="aws", region="eu-west-1", account_id="123456789012", name="shop-prod-5xx-rate") == (
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-prod-5xx-rate"
    )
