"""GetMetricStatistics in the lab's moto server matches dimensions exactly, as CloudWatch does
(exact_dimensions.py): RequestCountPerTarget by TargetGroup is not summed with the same datum by
TargetGroup,LoadBalancer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.moto_server import server_account
from tools.conformance.autoscale import exact_dimensions

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TARGET_GROUP = {"Name": "TargetGroup", "Value": "targetgroup/shop/943f017f100becff"}
LOAD_BALANCER = {"Name": "LoadBalancer", "Value": "app/shop/50dc6c495c0c9188"}


def test_a_query_by_target_group_reads_only_the_series_by_target_group(moto_server):
    exact_dimensions.install()
    cloudwatch = server_account(moto_server).client("cloudwatch", "eu-west-1")
    datum = {"MetricName": "RequestCountPerTarget", "Timestamp": AT, "Value": 120.0}
    cloudwatch.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[{**datum, "Dimensions": [TARGET_GROUP]}, {**datum, "Dimensions": [TARGET_GROUP, LOAD_BALANCER]}],
    )
    query = {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "RequestCountPerTarget",
        "StartTime": AT,
        "EndTime": AT + timedelta(minutes=1),
        "Period": 60,
        "Statistics": ["Sum"],
    }
    [by_group] = cloudwatch.get_metric_statistics(**query, Dimensions=[TARGET_GROUP])["Datapoints"]
    [by_both] = cloudwatch.get_metric_statistics(**query, Dimensions=[LOAD_BALANCER, TARGET_GROUP])["Datapoints"]
    assert (by_group["Sum"], by_both["Sum"]) == (120.0, 120.0)  # moto alone: 240 by TargetGroup
    listed = cloudwatch.list_metrics(Namespace="AWS/ApplicationELB", Dimensions=[TARGET_GROUP])["Metrics"]
    assert len(listed) == 2  # ListMetrics filters by a subset, as CloudWatch's does
