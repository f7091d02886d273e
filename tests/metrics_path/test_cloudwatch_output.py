"""The agent's CloudWatch output: a minute of values becomes one statistic set, published once per
dimension set and once more for each rollup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tools.conformance.metrics.cloudwatch_output import CloudWatchOutput, build_dimensions, rollup_dimensions

MINUTE = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
NODE = {"AutoScalingGroupName": "shop-nodes", "metric_type": "gauge"}


def test_a_minute_of_ten_second_values_is_one_statistic_set_per_dimension_set():
    output = CloudWatchOutput(rollups=(("AutoScalingGroupName",),))
    for seconds, value in zip(range(3, 60, 10), (10, 20, 30, 40, 50, 60), strict=True):
        output.add("SchedulerUtilization", NODE, value, "None", MINUTE + timedelta(seconds=seconds), 60)

    datums = output.flush(60)

    assert [d["Dimensions"] for d in datums] == [
        [{"Name": "AutoScalingGroupName", "Value": "shop-nodes"}, {"Name": "metric_type", "Value": "gauge"}],
        [{"Name": "AutoScalingGroupName", "Value": "shop-nodes"}],
    ]
    for datum in datums:
        assert datum["StatisticValues"] == {"Minimum": 10, "Maximum": 60, "SampleCount": 6, "Sum": 210}
        assert sorted(datum["Values"]) == [10, 20, 30, 40, 50, 60]
        assert datum["Counts"] == [1, 1, 1, 1, 1, 1]
        assert datum["Timestamp"] == MINUTE + timedelta(seconds=3)  # the first value's
        assert datum["StorageResolution"] == 60
    assert output.flush(60) == []


def test_values_of_the_next_minute_are_a_datum_of_their_own():
    output = CloudWatchOutput(rollups=())
    output.add("TotalRunQueueLength", NODE, 7, "None", MINUTE + timedelta(seconds=53), 60)
    output.add("TotalRunQueueLength", NODE, 9, "None", MINUTE + timedelta(seconds=63), 60)

    assert [d["StatisticValues"]["Sum"] for d in output.flush(60)] == [7, 9]


def test_a_rollup_needs_fewer_dimensions_than_the_datum_and_every_one_of_its_own():
    own = build_dimensions({"metric_type": "gauge", "AutoScalingGroupName": "g", "host": "ip-10-0-0-1"})

    assert own == (("host", "ip-10-0-0-1"), ("AutoScalingGroupName", "g"), ("metric_type", "gauge"))
    assert rollup_dimensions(own, (("AutoScalingGroupName",), ("InstanceId",), ("a", "b", "c"))) == [
        own,
        (("AutoScalingGroupName", "g"),),
    ]
    only_group = (("AutoScalingGroupName", "g"),)
    assert rollup_dimensions(only_group, (("AutoScalingGroupName",),)) == [only_group]


def test_without_aggregation_each_value_goes_out_at_high_resolution():
    output = CloudWatchOutput(rollups=())
    output.add("SchedulerUtilization", NODE, 42.5, "None", MINUTE, aggregation_seconds=0, high_resolution=True)

    (datum,) = output.flush()
    assert (datum["Value"], datum["StorageResolution"]) == (42.5, 1)


def test_a_negative_value_is_dropped_as_the_agents_distribution_refuses_it():
    output = CloudWatchOutput(rollups=())
    output.add("TotalRunQueueLength", NODE, -1, "None", MINUTE, 60)

    assert output.flush(60) == []
    assert output.dropped == ["TotalRunQueueLength has an unsupported value: -1, dropping it"]
