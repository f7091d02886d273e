"""The agent's StatsD input: what a datagram becomes, as telegraf's parser (vendored by the agent) reads it."""

from __future__ import annotations

import pytest

from tests.support.metrics_path import RELEASE_DATAGRAM
from tools.conformance.metrics.statsd import StatsdInput, UnsupportedLine, parse_line


def test_the_release_datagram_is_two_gauges_named_as_cloudwatch_will_name_them():
    statsd = StatsdInput()
    statsd.receive(RELEASE_DATAGRAM)

    collected = {(c.name, tuple(sorted(c.tags.items())), c.value) for c in statsd.gather()}

    assert collected == {
        ("SchedulerUtilization", (("metric_type", "gauge"),), 42.5),
        ("TotalRunQueueLength", (("metric_type", "gauge"),), 7.0),
    }


def test_a_gauge_keeps_its_last_value_and_a_collection_forgets_it():
    statsd = StatsdInput()
    statsd.receive(b"SchedulerUtilization:30|g")
    statsd.receive(b"SchedulerUtilization:80|g")

    assert [c.value for c in statsd.gather()] == [80.0]
    assert statsd.gather() == []  # delete_gauges: nothing new, nothing collected


def test_signed_gauge_values_add_and_counters_sum():
    statsd = StatsdInput()
    statsd.receive(b"queue:10|g\nqueue:+5|g\nqueue:-2|g\nrequests:3|c\nrequests:4|c")

    assert {(c.name, c.tags["metric_type"], c.value) for c in statsd.gather()} == {
        ("queue", "gauge", 13.0),
        ("requests", "counter", 7.0),
    }


def test_bucket_tags_become_dimensions():
    (sample,) = parse_line("SchedulerUtilization,node=a:1|g")

    assert dict(sample.tags) == {"node": "a", "metric_type": "gauge"}


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("SchedulerUtilization 42", "Error: splitting ':', Unable to parse metric: SchedulerUtilization 42"),
        ("SchedulerUtilization:42", "Error: splitting '|', Unable to parse metric: SchedulerUtilization:42"),
        ("SchedulerUtilization:42|x", "Error: Statsd Metric type x unsupported"),
        ("SchedulerUtilization:high|g", "Error: parsing value to float64: SchedulerUtilization:high|g"),
    ],
)
def test_a_line_the_agent_cannot_parse_is_dropped_with_its_error(line, error):
    statsd = StatsdInput()
    statsd.receive(line.encode() + b"\nTotalRunQueueLength:7|g")

    assert statsd.rejected == [error]
    assert [c.name for c in statsd.gather()] == ["TotalRunQueueLength"]


def test_a_timing_is_refused_rather_than_modelled_half():
    with pytest.raises(UnsupportedLine, match="a timing"):
        StatsdInput().receive(b"request_ms:12|ms")
