"""The node lab's moto server counts a group's capacity as AWS does (tools/conformance/node_lab/moto_server.py):
an instance held in Pending:Wait by its launch hook is part of the group, so raising the desired
capacity by one launches one instance, and a node the refresh is still draining is not taken."""

from __future__ import annotations

import pytest
from moto.autoscaling.models import FakeAutoScalingGroup, autoscaling_backends

from tests.support.groups import a_group
from tests.support.moto_server import server_account
from tools.conformance.node_lab import moto_server as lab_server

REGION = "eu-west-1"


@pytest.fixture
def held_group(moto_server, monkeypatch):
    """A group of 2 InService instances and a third held in Pending:Wait, as the lab's hold route leaves it."""
    monkeypatch.setattr(FakeAutoScalingGroup, "active_instances", lab_server.counted_toward_capacity)
    account = server_account(moto_server)
    a_group(lambda service: account.client(service, REGION), "nodes", desired=3)
    group = autoscaling_backends[account.account_id][REGION].autoscaling_groups["nodes"]
    group.instance_states[-1].lifecycle_state = "Pending:Wait"
    return account.client("autoscaling", REGION), group


def _instances(autoscaling) -> dict[str, str]:
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes"])["AutoScalingGroups"]
    return {i["InstanceId"]: i["LifecycleState"] for i in group["Instances"]}


def test_one_more_in_desired_capacity_launches_one_instance_while_another_waits_in_its_hook(held_group):
    autoscaling, _group = held_group
    before = _instances(autoscaling)
    autoscaling.set_desired_capacity(AutoScalingGroupName="nodes", DesiredCapacity=4)
    after = _instances(autoscaling)
    # moto's own count (InService only) sees 2 of 4 and launches 2
    assert len(after) == 4 and set(before) < set(after), after
    assert sorted(after.values()).count("Pending:Wait") == 1


def test_terminating_the_drained_node_keeps_every_other_node_and_launches_none(held_group):
    autoscaling, _group = held_group
    oldest, *others = _instances(autoscaling)
    autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=oldest, ShouldDecrementDesiredCapacity=True)
    # 2 left of 3, none launched in its place: moto's own count would find 1 InService of 2 desired
    # and launch one more
    assert set(_instances(autoscaling)) == set(others)


def test_an_abandoned_launch_stops_counting_once_it_is_terminating(held_group):
    autoscaling, group = held_group
    group.instance_states[-1].lifecycle_state = "Terminating"  # CompleteLifecycleAction ABANDON
    autoscaling.set_desired_capacity(AutoScalingGroupName="nodes", DesiredCapacity=3)
    states = sorted(_instances(autoscaling).values())
    assert states == ["InService", "InService", "InService", "Terminating"], states
