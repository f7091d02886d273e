"""The agent stand-in on a node of prod, with the node role's credentials and IAM enforced: what
lands in CloudWatch (moto), read back with boto3."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from tests.support.metrics_path import RELEASE_DATAGRAM, MetricsRun
from tools.conformance.metrics.agent import AgentFailed, StatsdListener
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
    prod = deploy("prod")
    group = prod.outputs["autoScalingGroupName"]
    run = MetricsRun.start_on(prod)
    with iam_enforced():  # 10, 20, ... 60 % in the first full minute, one value each 10 s collection
        run.clock.advance(60 - 3)  # to the minute's start: nothing arrived, nothing is published
        run.agent.advance()
        for percent in (10, 20, 30, 40, 50, 60):
            run.agent.receive(f"SchedulerUtilization:{percent}|g".encode())
            run.clock.advance(10)
            run.agent.advance()
        run.clock.advance(10)
        run.agent.advance()

    per_node = [{"Name": "AutoScalingGroupName", "Value": group}, {"Name": "metric_type", "Value": "gauge"}]
    (point,) = prod.client("cloudwatch").get_metric_statistics(
        Namespace="Elixir/BEAM",
        MetricName="SchedulerUtilization",
        Dimensions=per_node,
        StartTime=run.start,
        EndTime=run.clock() + timedelta(minutes=1),
        Period=600,
        Statistics=["SampleCount", "Average", "Minimum", "Maximum"],
    )["Datapoints"]
    assert (point["SampleCount"], point["Average"], point["Minimum"], point["Maximum"]) == (6, 35, 10, 60)


def test_two_datagrams_in_one_collection_interval_count_once_the_last(deploy):
    prod = deploy("prod")
    run = MetricsRun.start_on(prod)
    with iam_enforced():
        for _ in range(6):
            run.agent.receive(b"TotalRunQueueLength:100|g")
            run.agent.receive(b"TotalRunQueueLength:4|g")
            run.clock.advance(10)
            run.agent.advance()
        run.clock.advance(60)
        run.agent.advance()

    points = prod.client("cloudwatch").get_metric_statistics(
        Namespace="Elixir/BEAM",
        MetricName="TotalRunQueueLength",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": prod.outputs["autoScalingGroupName"]}],
        StartTime=run.start,
        EndTime=run.clock(),
        Period=600,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [p["Maximum"] for p in points] == [4]


def test_memory_is_published_in_percent_each_minute(deploy):
    prod = deploy("prod")
    run = MetricsRun.start_on(prod)
    run.minutes(3)  # read at 1, 2 and 3 minutes from the start, each sent within the second
    with iam_enforced():
        run.clock.advance(1)
        run.agent.advance()

    points = prod.client("cloudwatch").get_metric_statistics(
        Namespace="Elixir/BEAM",
        MetricName="mem_used_percent",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": prod.outputs["autoScalingGroupName"]}],
        StartTime=run.start,
        EndTime=run.clock() + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert len(points) == 3
    assert {(p["Average"], p["Unit"]) for p in points} == {(50.0, "Percent")}


def test_the_agent_listens_where_the_release_sends(deploy):
    run = MetricsRun.start_on(deploy("prod"))
    with StatsdListener(run.agent, ("127.0.0.1", 0)) as listener, socket.socket(type=socket.SOCK_DGRAM) as release:
        release.sendto(RELEASE_DATAGRAM, listener.address)
        assert listener.poll(timeout=5) == 1

    assert run.agent.record.received == {"SchedulerUtilization", "TotalRunQueueLength"}


def test_an_instance_without_its_group_tag_cannot_start_the_agent(deploy):
    prod = deploy("prod")
    ec2 = prod.client("ec2")
    group = prod.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0]
    instance = group["Instances"][0]["InstanceId"]
    ec2.delete_tags(Resources=[instance], Tags=[{"Key": "aws:autoscaling:groupName"}])

    with pytest.raises(AgentFailed, match=f"instance {instance} has no aws:autoscaling:groupName tag"):
        MetricsRun.start_on(prod)
