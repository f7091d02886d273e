"""GetMetricStatistics answers ExtendedStatistics in the lab's moto server (percentiles.py), computed from the
values PutMetricData's Values and Counts carry, as CloudWatch computes the p99 latency alarm's p99."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.moto_server import server_account
from tools.conformance.autoscale import percentiles

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DIMENSIONS = [{"Name": "LoadBalancer", "Value": "app/shop/50dc6c495c0c9188"}]


def _p99(cloudwatch, start=AT):
    query = {"Namespace": "AWS/ApplicationELB", "MetricName": "TargetResponseTime", "Dimensions": DIMENSIONS}
    return cloudwatch.get_metric_statistics(
        **query, StartTime=start, EndTime=start + timedelta(minutes=1), Period=60, ExtendedStatistics=["p99", "p50"]
    )["Datapoints"]


def test_a_minute_of_response_times_has_its_p99_and_p50(moto_server):
    percentiles.install()
    cloudwatch = server_account(moto_server).client("cloudwatch", "eu-west-1")
    # 200 requests: 150 at 10 ms, 47 at 20 ms, 3 at 900 ms
    datum = {"MetricName": "TargetResponseTime", "Dimensions": DIMENSIONS, "Timestamp": AT, "Unit": "Seconds"}
    cloudwatch.put_metric_data(
        Namespace="AWS/ApplicationELB", MetricData=[{**datum, "Values": [0.01, 0.02, 0.9], "Counts": [150, 47, 3]}]
    )
    [point] = _p99(cloudwatch)
    # nearest rank: p99 is the 198th of 200 (ceil(0.99 x 200)): past the 197 fast ones, 0.9 s;
    # p50 the 100th: 10 ms
    assert point["ExtendedStatistics"] == {"p99": 0.9, "p50": 0.01}


def test_a_statistic_set_hides_its_values_so_it_has_no_percentile(moto_server):
    percentiles.install()
    cloudwatch = server_account(moto_server).client("cloudwatch", "eu-west-1")
    later = AT + timedelta(minutes=5)
    statistics = {"SampleCount": 200, "Sum": 5.0, "Minimum": 0.01, "Maximum": 0.9}
    cloudwatch.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": "TargetResponseTime",
                "Dimensions": DIMENSIONS,
                "Timestamp": later,
                "StatisticValues": statistics,
            }
        ],
    )
    [point] = _p99(cloudwatch, later)
    assert "ExtendedStatistics" not in point


def test_percentiles_by_nearest_rank_and_what_cloudwatch_refuses():
    assert percentiles.percentile([5, 1, 4, 2, 3], "p50") == 3  # ceil(0.5 x 5) = 3rd
    assert percentiles.percentile([5, 1, 4, 2, 3], "p100") == 5
    assert percentiles.percentile([1.0, -1.0], "p99") is None  # no percentile with a negative value
    with pytest.raises(ValueError, match="'q99' is not a percentile"):
        percentiles.percentile([1.0], "q99")
