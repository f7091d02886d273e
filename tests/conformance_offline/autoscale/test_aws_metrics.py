"""What AWS would publish, from the lab's stand-ins (aws_metrics.py, cgroup.py): the load balancer's
metrics out of HAProxy's counters, EC2's CPUUtilization out of a cgroup's CPU time; and what moto then
answers to the query a policy makes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tools.conformance.autoscale.aws_metrics import (
    BalancerNames,
    balancer_datums,
    balancer_minute,
    cpu_datums,
    group_datums,
    read_stats,
    response_time_datums,
    response_times,
)
from tools.conformance.autoscale.cgroup import cpu_utilization, quota_us

SHOW_STAT = (Path(__file__).parent / "fixtures" / "haproxy-2.6-show-stat.csv").read_text()
"""HAProxy 2.6's `show stat` for a backend `tg` of two servers, as it answered on the lab's machine."""
AT = datetime(2026, 1, 5, 9, 7, tzinfo=UTC)
NAMES = BalancerNames.from_arns(
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-prod/50dc6c495c0c9188",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-prod/943f017f100becff",
)


def _stat(**servers: dict[str, object]) -> str:
    """SHOW_STAT with fields of its servers (node1, node2) or its frontend (FRONTEND) set."""
    header, *rows = SHOW_STAT.lstrip("# ").splitlines()
    out = io.StringIO()
    writer = csv.DictWriter(out, header.split(","), lineterminator="\n")
    writer.writeheader()
    for row in csv.DictReader(io.StringIO("\n".join([header, *rows]))):
        writer.writerow({**row, **servers.get(row["svname"], {})})
    return "# " + out.getvalue()


def test_a_minute_of_haproxy_counters_becomes_the_load_balancer_metrics_aws_publishes():
    before = read_stats(_stat(node1={"hrsp_2xx": 100, "status": "UP"}, node2={"hrsp_2xx": 40, "status": "UP"}), "tg")
    after = read_stats(
        _stat(
            node1={"hrsp_2xx": 400, "hrsp_5xx": 2, "status": "UP"},
            node2={"hrsp_2xx": 340, "status": "UP"},
        ),
        "tg",
    )
    minute = balancer_minute(before, after)
    # node1 (400 + 2) - 100 = 302, node2 340 - 40 = 300: 602 requests, 301 per healthy target
    assert (minute.requests, minute.per_target, minute.errors_5xx) == (602, 301, 2)
    datums = {
        (d["MetricName"], tuple(x["Name"] for x in d["Dimensions"])): d for d in balancer_datums(minute, NAMES, AT)
    }
    assert datums[("RequestCountPerTarget", ("TargetGroup",))]["Dimensions"] == [
        {"Name": "TargetGroup", "Value": "targetgroup/shop-prod/943f017f100becff"}
    ]
    assert datums[("RequestCount", ("LoadBalancer",))]["Dimensions"] == [
        {"Name": "LoadBalancer", "Value": "app/shop-prod/50dc6c495c0c9188"}
    ]
    assert datums[("RequestCount", ("TargetGroup", "LoadBalancer"))]["Value"] == 602
    assert datums[("HTTPCode_Target_5XX_Count", ("TargetGroup", "LoadBalancer"))]["Value"] == 2
    assert {d["Timestamp"] for d in datums.values()} == {AT}


def test_the_load_balancers_own_5xx_are_the_frontends_less_the_servers():
    before = read_stats(
        _stat(FRONTEND={"hrsp_5xx": 12}, node1={"hrsp_5xx": 2, "status": "UP"}, node2={"status": "UP"}), "tg"
    )
    after = read_stats(
        _stat(
            FRONTEND={"hrsp_5xx": 20},
            node1={"hrsp_2xx": 50, "hrsp_5xx": 5, "status": "UP"},
            node2={"hrsp_2xx": 50, "hrsp_5xx": 1, "status": "UP"},
        ),
        "tg",
    )
    minute = balancer_minute(before, after)
    # clients got 20 - 12 = 8 5xx; the servers answered (5 - 2) + (1 - 0) = 4 of them; HAProxy the other 4
    assert (minute.errors_5xx, minute.balancer_5xx) == (4, 4)
    elb = [d for d in balancer_datums(minute, NAMES, AT) if d["MetricName"] == "HTTPCode_ELB_5XX_Count"]
    # by LoadBalancer only: the page lists no TargetGroup dimension for it
    assert elb == [
        {
            "MetricName": "HTTPCode_ELB_5XX_Count",
            "Dimensions": [{"Name": "LoadBalancer", "Value": "app/shop-prod/50dc6c495c0c9188"}],
            "Timestamp": AT,
            "Unit": "Count",
            "Value": 4,
        }
    ]
    # a late read (90 lab seconds) is a minute of it, as every count is: 4 x 60 / 90 = 2.67, 3
    assert minute.per_minute(90).balancer_5xx == 3


def test_5xx_all_from_the_servers_publish_no_load_balancer_5xx():
    after = read_stats(_stat(FRONTEND={"hrsp_5xx": 3}, node1={"hrsp_5xx": 3, "status": "UP"}), "tg")
    minute = balancer_minute(None, after)
    assert (minute.errors_5xx, minute.balancer_5xx) == (3, 0)
    names = {d["MetricName"] for d in balancer_datums(minute, NAMES, AT)}
    assert "HTTPCode_Target_5XX_Count" in names and "HTTPCode_ELB_5XX_Count" not in names


def test_no_5xx_no_5xx_datum_and_no_healthy_target_no_request_count_per_target():
    after = read_stats(_stat(node1={"hrsp_2xx": 10, "status": "DOWN"}, node2={"status": "MAINT"}), "tg")
    names = {d["MetricName"] for d in balancer_datums(balancer_minute(None, after), NAMES, AT)}
    assert names == {"RequestCount", "HealthyHostCount", "UnHealthyHostCount"}


REQUEST_LOG = """\
[WARNING]  (1) : Server tg/node3 is UP, reason: Layer7 check passed
request tg node1 50 200
request tg node2 30 200
request tg node1 50 200
request tg node2 -1 503
request other node9 7 200
request tg node1 1250 200
"""
"""haproxy.log as the lab's HAProxy writes it (haproxy.py's log-format), with a line of its own between."""


def test_each_requests_time_from_haproxys_log_becomes_target_response_time_as_values_and_counts():
    times = response_times(REQUEST_LOG.splitlines(), "tg")
    # the tg backend's Trs in seconds; the 503 had no server response (-1), the other backend is not the group's
    assert times == [0.05, 0.03, 0.05, 1.25]
    datums = response_time_datums(times, NAMES, AT)
    assert [(d["Dimensions"], d["Values"], d["Counts"]) for d in datums] == [
        ([{"Name": "LoadBalancer", "Value": "app/shop-prod/50dc6c495c0c9188"}], [0.03, 0.05, 1.25], [1, 2, 1]),
        (
            [
                {"Name": "TargetGroup", "Value": "targetgroup/shop-prod/943f017f100becff"},
                {"Name": "LoadBalancer", "Value": "app/shop-prod/50dc6c495c0c9188"},
            ],
            [0.03, 0.05, 1.25],
            [1, 2, 1],
        ),
    ]
    assert {(d["MetricName"], d["Unit"], d["Timestamp"]) for d in datums} == {("TargetResponseTime", "Seconds", AT)}


def test_more_distinct_times_than_a_datum_carries_are_split_across_datums():
    times = [ms / 1000 for ms in range(1, 302)]  # 301 distinct times: 150 + 150 + 1 per dimension set
    datums = response_time_datums(times, NAMES, AT)
    assert [len(d["Values"]) for d in datums] == [150, 150, 1, 150, 150, 1]
    assert sum(sum(d["Counts"]) for d in datums) == 2 * 301


def test_the_cpu_of_a_node_of_a_tenth_of_a_core_is_its_share_of_that_tenth():
    # 3 s of CPU time over a 60 s minute on 0.1 cores: 3 / (60 x 0.1) = 50 %
    assert cpu_utilization(3_000_000_000, 60, 0.1) == 50
    # a reading at a sampling edge never goes past 100
    assert cpu_utilization(7_000_000_000, 60, 0.1) == 100
    # 0.1 cores at a 20 ms period: 2 ms per period
    assert quota_us(0.1) == 2_000
    with pytest.raises(ValueError, match="least is 1000 us"):
        quota_us(0.01)


def test_cpu_goes_to_moto_by_instance_and_by_group_and_the_group_series_averages_them(deploy):
    applied = deploy("dev")
    cloudwatch, group = applied.client("cloudwatch"), applied.outputs["autoScalingGroupName"]
    for instance, value in (("i-1", 30.0), ("i-2", 90.0)):
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=cpu_datums(instance, group, value, AT))
    found = cloudwatch.get_metric_statistics(
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": group}],
        StartTime=AT,
        EndTime=AT.replace(minute=8),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert [d["Average"] for d in found] == [60.0]  # (30 + 90) / 2


def test_a_late_read_of_the_counters_is_published_as_a_minute_of_them():
    # a read 90 lab seconds after the last one (a busy machine) saw 300 requests: 200 a minute
    minute = balancer_minute(None, read_stats(_stat(node1={"hrsp_2xx": 300, "status": "UP"}), "tg")).per_minute(90)
    assert (minute.requests, minute.healthy_targets) == (200, 1)


def test_the_group_metrics_count_the_instances_by_lifecycle_state():
    group = {
        "AutoScalingGroupName": "nodes",
        "MinSize": 2,
        "MaxSize": 5,
        "DesiredCapacity": 4,
        "Instances": [{"LifecycleState": s} for s in ("InService", "InService", "Pending:Wait", "Terminating:Wait")],
    }
    values = {d["MetricName"]: d["Value"] for d in group_datums(group, AT)}
    assert values == {
        "GroupMinSize": 2,
        "GroupMaxSize": 5,
        "GroupDesiredCapacity": 4,
        "GroupInServiceInstances": 2,
        "GroupPendingInstances": 1,
        "GroupTerminatingInstances": 1,
        "GroupTotalInstances": 4,
    }
