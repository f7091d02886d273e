"""The agent stand-in on a node of prod, with the node role's credentials and IAM enforced: what
lands in CloudWatch (moto), read back with boto3."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.support.metrics_path import RELEASE_DATAGRAM, MetricsRun, finding
from tools.conformance.metrics.agent import StatsdListener
from tools.conformance.metrics.iam import iam_enforced

pytestmark = pytest.mark.xdist_group("prod")  # the session's apply of prod, on the worker that has it


def _series(cloudwatch, name):
    metrics = cloudwatch.list_metrics(Namespace="Elixir/BEAM", MetricName=name)["Metrics"]
    return sorted(
        {tuple((d["Name"], d["Value"]) for d in m["Dimensions"]) for m in metrics}
    )  # moto lists one per datum


def test_beam_metrics_land_per_group_and_rolled_up_to_the_group_alone(deploy):
    prod = deploy("prod")
    group = prod.outputs["autoScalingGroupName"]
    run = MetricsRun.start_on(prod)
    run.minutes(3)

    cloudwatch = prod.client("cloudwatch")
    for name in ("SchedulerUtilization", "TotalRunQueueLength"):
        assert _series(cloudwatch, name) == [
            (("AutoScalingGroupName", group),),
            (("AutoScalingGroupName", group), ("metric_type", "gauge")),
        ]
    assert _series(cloudwatch, "mem_used_percent") == [(("AutoScalingGroupName", group),)]


def test_a_minute_of_datagrams_is_one_datum_of_six_samples(deploy):
    run = MetricsRun.start_on(deploy("prod"))
    run.tick(seconds=60 - 3)  # to the minute's start: nothing arrived, nothing is published
    for percent in (10, 20, 30, 40, 50, 60):  # one value each 10 s collection
        run.tick(f"SchedulerUtilization:{percent}|g".encode())
    run.tick()

    (point,) = run.statistics(
        "SchedulerUtilization", ["SampleCount", "Average", "Minimum", "Maximum"], 600, metric_type="gauge"
    )
    assert (point["SampleCount"], point["Average"], point["Minimum"], point["Maximum"]) == (6, 35, 10, 60)


def test_two_datagrams_in_one_collection_interval_count_once_the_last(deploy):
    run = MetricsRun.start_on(deploy("prod"))
    for _ in range(6):
        run.tick(b"TotalRunQueueLength:100|g", b"TotalRunQueueLength:4|g")
    run.tick(seconds=60)

    assert [p["Maximum"] for p in run.statistics("TotalRunQueueLength", ["Maximum"], 600)] == [4]


def test_memory_is_published_in_percent_each_minute(deploy):
    run = MetricsRun.start_on(deploy("prod"))
    run.minutes(3)  # read at 1, 2 and 3 minutes from the start, each sent within the second
    run.tick(seconds=1)

    points = run.statistics("mem_used_percent", ["Average"], 60)
    assert len(points) == 3
    assert {(p["Average"], p["Unit"]) for p in points} == {(50.0, "Percent")}


def test_the_agent_serves_its_listener_and_publishes_on_its_clock(deploy):
    run = MetricsRun.start_on(deploy("prod"))
    stop = threading.Event()
    with StatsdListener(run.agent, port=0) as listener, socket.socket(type=socket.SOCK_DGRAM) as release:
        assert listener.address[0] == "127.0.0.1"  # the rendered host; the port is the test's
        with iam_enforced():
            agent = threading.Thread(target=listener.serve, args=(stop, 0.05))
            agent.start()
            try:
                release.sendto(RELEASE_DATAGRAM, listener.address)
                _wait_until(lambda: run.agent.record.received == {"SchedulerUtilization", "TotalRunQueueLength"})
                run.clock.advance(120)
                _wait_until(lambda: "SchedulerUtilization" in run.agent.record.published)
            finally:
                stop.set()
                agent.join(5)

    assert run.statistics("SchedulerUtilization", ["Average"], 600)[0]["Average"] == 42.5


def _wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the agent did not get there in time"
        time.sleep(0.01)


def test_an_instance_without_its_group_tag_publishes_without_the_dimension_and_says_why(deploy):
    prod = deploy("prod")
    group = prod.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0]
    instance = group["Instances"][0]["InstanceId"]
    prod.client("ec2").delete_tags(Resources=[instance], Tags=[{"Key": "aws:autoscaling:groupName"}])
    run = MetricsRun.start_on(prod)
    run.minutes(2)

    why = f"instance {instance} has no aws:autoscaling:groupName tag (Auto Scaling tags its instances)"
    assert run.agent.record.unresolved == {"AutoScalingGroupName": why}
    assert run.agent.record.published["SchedulerUtilization"] == {(("metric_type", "gauge"),)}
    detail = finding(run.contract(), "alarm shop-prod-step-run-queue").detail
    assert detail.startswith("the agent could not resolve AutoScalingGroupName on its instance: instance i-")
