"""A change of capacity through the lab's moto server route (activities.py), as the lab's loop makes it:
what DescribeAutoScalingGroups and DescribeScalingActivities then report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.support.groups import a_group
from tests.support.moto_server import server_account
from tools.conformance.autoscale import activities
from tools.conformance.autoscale.activities import ServerCapacity, Trigger
from tools.emulator import server

REGION = "eu-west-1"
AT = datetime(2026, 1, 5, 9, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def activities_server() -> Iterator[str]:
    """A server of its own: moto builds its administration API's routes when it first serves one, so a
    route added after the session's shared server has answered one would never be found there."""
    activities.install()
    moto, url = server.start()
    yield url
    moto.stop()


@pytest.fixture
def served(activities_server):
    account = server_account(activities_server)
    a_group(lambda service: account.client(service, REGION), "nodes", desired=2)
    return (
        account,
        account.client("autoscaling", REGION),
        ServerCapacity(activities_server, account.account_id, REGION),
    )


def _states(autoscaling) -> dict[str, str]:
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes"])["AutoScalingGroups"]
    return {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]}


def test_a_scale_out_launches_into_the_launch_hook_with_an_activity_per_instance(served):
    _account, autoscaling, capacity = served
    done = capacity.change("nodes", 4, Trigger("shop-dev-track-cpu", "TargetTracking-nodes-AlarmHigh"), AT)

    assert len(done["launched"]) == 2
    states = _states(autoscaling)
    assert sorted(states.values()) == ["InService", "InService", "Pending:Wait", "Pending:Wait"]
    assert {states[i] for i in done["launched"]} == {"Pending:Wait"}
    found = autoscaling.describe_scaling_activities(AutoScalingGroupName="nodes")["Activities"]
    assert sorted(a["Description"] for a in found) == sorted(
        f"Launching a new EC2 instance: {i}" for i in done["launched"]
    )
    assert found[0]["Cause"] == (
        "At 2026-01-05T09:03:00Z a monitor alarm TargetTracking-nodes-AlarmHigh in state ALARM triggered policy "
        "shop-dev-track-cpu changing the desired capacity from 2 to 4.  At 2026-01-05T09:03:00Z an instance was "
        "started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4."
    )


def test_pending_instances_count_toward_a_second_scale_out(served):
    _account, autoscaling, capacity = served
    capacity.change("nodes", 3, Trigger("p"), AT)
    done = capacity.change("nodes", 4, Trigger("p"), AT)
    assert len(done["launched"]) == 1 and len(_states(autoscaling)) == 4


def test_a_scale_in_holds_the_named_instances_in_the_termination_hook_until_terminated(served):
    _account, autoscaling, capacity = served
    capacity.change("nodes", 3, Trigger("p"), AT)
    newest = [i for i, s in _states(autoscaling).items() if s == "Pending:Wait"]
    done = capacity.change("nodes", 2, Trigger("shop-dev-track-cpu", "TargetTracking-nodes-AlarmLow"), AT, newest)

    assert done["draining"] == newest
    assert _states(autoscaling)[newest[0]] == "Terminating:Wait"
    capacity.terminate("nodes", newest[0])
    states = _states(autoscaling)
    assert newest[0] not in states and list(states.values()) == ["InService", "InService"]
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes"])["AutoScalingGroups"]
    assert group["DesiredCapacity"] == 2


def test_a_scale_in_must_name_as_many_instances_as_it_removes(served):
    _account, _autoscaling, capacity = served
    with pytest.raises(Exception, match="names 1 instances of the group to remove"):
        capacity.change("nodes", 1, Trigger("p"), AT, [])
