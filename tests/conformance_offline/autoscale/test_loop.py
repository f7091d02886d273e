"""The stack's own policies run live by the loop (tools/conformance/autoscale/loop.py) on datapoints put
into moto: the minute a policy scales, to what, and the activity moto then holds, naming the policy.

Each test applies the lab's variant of dev or prod (minSize 2, maxSize 5, desired 2) in the emulator,
puts datapoints the way the lab's publishers put them, and runs the loop minute by minute. Expected
capacities are worked by hand in each test from the stack file's numbers and AWS's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tools.conformance.autoscale import activities
from tools.conformance.autoscale.activities import InProcessCapacity
from tools.conformance.autoscale.lab_time import LabTime
from tools.conformance.autoscale.loop import NOT_YET_IN_SERVICE, ScalingLoop
from tools.conformance.autoscale.variants import lab_changes
from tools.conformance.metrics.contract import Metric
from tools.simulator.model import ALREADY_RUNNING

pytestmark = pytest.mark.xdist_group("autoscale-lab-variants")  # each variant applied once, on one worker

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FACTOR = 10


class Fleet:
    """The lab's group as the policies see it, held by the test."""

    def __init__(self, autoscaling, group: str):
        self.autoscaling, self.group = autoscaling, group
        self.minutes: dict[str, int] = {}

    def ids(self, state: str = "InService") -> list[str]:
        [described] = self.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[self.group])[
            "AutoScalingGroups"
        ]
        return [i["InstanceId"] for i in described["Instances"] if i["LifecycleState"] == state]

    def in_service_minutes(self) -> list[int]:
        counted = self.ids() + self.ids("Pending:Wait")
        return sorted(self.minutes.get(i, ALREADY_RUNNING if i in self.ids() else NOT_YET_IN_SERVICE) for i in counted)

    def serving(self) -> int:
        return len(self.ids())

    def draining(self) -> int:
        return len(self.ids("Terminating:Wait"))

    def removal_order(self) -> list[str]:
        return sorted(self.ids(), key=lambda i: self.minutes.get(i, ALREADY_RUNNING), reverse=True)


@pytest.fixture
def describe_activities():
    activities.install()  # moto answers DescribeScalingActivities from the loop's record


def _lab(deploy, stack: str):
    applied = deploy(stack, lab_changes(stack, FACTOR))
    group = applied.outputs["autoScalingGroupName"]
    time = LabTime(FACTOR, START, monotonic=lambda: 0.0)
    capacity = InProcessCapacity(applied.account_id, applied.settings.region)
    loop = ScalingLoop(
        applied.settings, applied.client("cloudwatch"), applied.client("autoscaling"), group, capacity, time
    )
    return applied, group, loop, Fleet(applied.client("autoscaling"), group)


def _put(applied, namespace: str, name: str, dimensions: dict[str, str], minute: int, *values: float) -> None:
    """One datum per value in lab minute `minute` (at 10 s, 20 s, ...), as a publisher stamps them."""
    at = START + timedelta(minutes=minute)
    applied.client("cloudwatch").put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": at + timedelta(seconds=10 * (i + 1)),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def _cpu(applied, group: str, minute: int, *per_instance: float) -> None:
    """EC2's CPUUtilization by AutoScalingGroupName: one datum per instance (their Average is the group's)."""
    _put(applied, "AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": group}, minute, *per_instance)


def test_dev_scales_out_on_its_cpu_policy_after_three_datapoints_above_60(deploy, describe_activities):
    applied, group, loop, fleet = _lab(deploy, "dev")
    for minute in range(3):
        _cpu(applied, group, minute, 80, 100)  # Average 90 > dev's target 60
    assert loop.evaluate(0, fleet) is None  # one datapoint above the target
    assert loop.evaluate(1, fleet) is None  # two
    change = loop.evaluate(2, fleet)  # three: the high alarm's 3 of 3
    # ceil(2 nodes x 90 / 60) = ceil(3.0) = 3
    assert (change.minute, change.from_, change.to, change.policy) == (2, 2, 3, "shop-dev-track-cpu")

    [described] = applied.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group])[
        "AutoScalingGroups"
    ]
    assert described["DesiredCapacity"] == 3
    [new] = change.launched
    assert {i["InstanceId"]: i["LifecycleState"] for i in described["Instances"]}[new] == "Pending:Wait"
    [activity] = applied.client("autoscaling").describe_scaling_activities(AutoScalingGroupName=group)["Activities"]
    assert activity["Description"] == f"Launching a new EC2 instance: {new}"
    assert activity["Cause"].startswith(
        f"At 2026-01-05T09:03:00Z a monitor alarm TargetTracking-{group}-AlarmHigh in state ALARM triggered "
        "policy shop-dev-track-cpu changing the desired capacity from 2 to 3."
    )


def test_a_booting_node_counts_toward_the_next_scale_out(deploy, describe_activities):
    applied, group, loop, fleet = _lab(deploy, "dev")
    for minute in range(4):
        _cpu(applied, group, minute, 90, 90)
    for minute in range(3):
        loop.evaluate(minute, fleet)  # minute 2: to ceil(2 x 90 / 60) = 3
    # minute 3: still 90 on the 2 serving nodes: ceil(2 x 90 / 60) = 3, which the booting node already makes
    assert loop.evaluate(3, fleet) is None


def test_datapoints_with_other_dimensions_are_not_what_the_alarm_reads(deploy, describe_activities):
    applied, group, loop, fleet = _lab(deploy, "dev")
    for minute in range(5):
        # per instance only: CloudWatch's exact dimension match finds no {AutoScalingGroupName} series
        _put(applied, "AWS/EC2", "CPUUtilization", {"InstanceId": "i-0123456789abcdef0"}, minute, 100)
        assert loop.evaluate(minute, fleet) is None
    assert loop.catalog.read["ASGAverageCPUUtilization"] == dict.fromkeys(range(5))


def test_dev_scales_in_after_fifteen_datapoints_below_90_percent_of_the_target(deploy, describe_activities):
    applied, group, loop, fleet = _lab(deploy, "dev")
    applied.client("autoscaling").set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=4)
    for minute in range(15):
        _cpu(applied, group, minute, 20, 20, 20, 20)  # 20 < 0.9 x 60 = 54
    changes = [loop.evaluate(minute, fleet) for minute in range(15)]
    assert changes[:14] == [None] * 14
    # ceil(4 x 20 / 60) = ceil(1.33) = 2, at minSize
    assert (changes[14].from_, changes[14].to, changes[14].policy) == (4, 2, "shop-dev-track-cpu")
    assert sorted(fleet.ids("Terminating:Wait")) == sorted(changes[14].draining)
    assert len(fleet.ids()) == 2
    causes = [a["Cause"] for a in applied.client("autoscaling").describe_scaling_activities()["Activities"]]
    assert len(causes) == 2 and all(
        f"a monitor alarm TargetTracking-{group}-AlarmLow in state ALARM triggered policy shop-dev-track-cpu "
        "changing the desired capacity from 4 to 2." in cause
        for cause in causes
    )


def test_prod_scales_out_on_its_run_queue_step_policy(deploy, describe_activities):
    applied, group, loop, fleet = _lab(deploy, "prod")
    beam = {"AutoScalingGroupName": group}
    for minute in range(2):
        _put(applied, "Elixir/BEAM", "TotalRunQueueLength", beam, minute, 120)
        _put(applied, "Elixir/BEAM", "SchedulerUtilization", beam, minute, 50)  # below its target 70
    assert loop.evaluate(0, fleet) is None  # 1 of prod's 2 datapoints to alarm
    change = loop.evaluate(1, fleet)
    # breach 120 - 50 = 70 falls in the step {from: 50, change: 3}: 2 warmed nodes + 3 = 5 (maxSize)
    assert (change.from_, change.to) == (2, 5)
    assert (change.policy, change.alarm) == ("shop-prod-step-run-queue", "shop-prod-step-run-queue")
    causes = {a["Cause"] for a in applied.client("autoscaling").describe_scaling_activities()["Activities"]}
    assert len(causes) == 1
    assert (
        "a monitor alarm shop-prod-step-run-queue in state ALARM triggered policy shop-prod-step-run-queue "
        "changing the desired capacity from 2 to 5." in causes.pop()
    )


def test_prod_reads_its_policies_metrics_as_its_alarms_do(deploy, describe_activities):
    applied, group, loop, _fleet = _lab(deploy, "prod")
    queries = {w.policy: w.query for w in loop.watched}
    target_group = applied.client("autoscaling").describe_policies(PolicyNames=["shop-prod-track-requestsPerTarget"])[
        "ScalingPolicies"
    ][0]["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["ResourceLabel"]
    target_group = target_group[target_group.index("targetgroup/") :]  # the target group's ARN suffix
    assert queries == {
        "shop-prod-track-requestsPerTarget": Metric(
            "AWS/ApplicationELB",
            "RequestCountPerTarget",
            (("TargetGroup", target_group),),
            "Sum",
            60,
        ),
        "shop-prod-track-schedulerUtilization": Metric(
            "Elixir/BEAM", "SchedulerUtilization", (("AutoScalingGroupName", group),), "Average", 60
        ),
        "shop-prod-step-run-queue": Metric(
            "Elixir/BEAM", "TotalRunQueueLength", (("AutoScalingGroupName", group),), "Average", 60
        ),
    }


def test_two_policies_asking_the_same_capacity_name_the_first_in_the_stack_file_and_keep_the_other(
    deploy, describe_activities
):
    applied, group, loop, fleet = _lab(deploy, "prod")
    beam = {"AutoScalingGroupName": group}
    [label] = [w.query for w in loop.watched if w.policy == "shop-prod-track-requestsPerTarget"]
    for minute in range(3):
        _put(applied, "AWS/ApplicationELB", "RequestCountPerTarget", dict(label.dimensions), minute, 120)
        _put(applied, "Elixir/BEAM", "SchedulerUtilization", beam, minute, 100)
        _put(applied, "Elixir/BEAM", "TotalRunQueueLength", beam, minute, 10)  # under the step's 50
    assert [loop.evaluate(minute, fleet) for minute in range(2)] == [None, None]
    change = loop.evaluate(2, fleet)  # both target tracking alarms have their 3 datapoints
    # requestsPerTarget: ceil(2 x 120 / 100) = ceil(2.4) = 3; schedulerUtilization: ceil(2 x 100 / 70) =
    # ceil(2.86) = 3. The same capacity: the first in the stack file (targetTracking[0]) is named.
    assert (change.from_, change.to, change.policy) == (2, 3, "shop-prod-track-requestsPerTarget")
    assert change.tied == ["shop-prod-track-schedulerUtilization"]
    [activity] = applied.client("autoscaling").describe_scaling_activities(AutoScalingGroupName=group)["Activities"]
    assert (
        "triggered policy shop-prod-track-requestsPerTarget changing the desired capacity from 2 to 3."
        in (activity["Cause"])
    )
