"""tools/emulated_stack.py: each applied stack in an emulated account of its own; and how the suite
shares them: each stack file applied once, read-only to the tests that look, writable to a test
that changes it and put back when it ends (tests/conftest.py, tests/support/stacks.py)."""

from __future__ import annotations

import pytest

from tests.support.aws_state import group_of
from tests.support.stacks import Deployments, SharedStackIsReadOnly


def _account_of(arn: str) -> str:
    return arn.split(":")[4]


def test_each_shipped_stack_lives_in_an_account_of_its_own_and_its_arns_say_so(dev, prod):
    assert dev.account_id != prod.account_id
    for applied in (dev, prod):
        assert len(applied.account_id) == 12 and applied.account_id.isdigit()
        assert _account_of(applied.outputs["targetGroupArn"]) == applied.account_id
        assert _account_of(applied.outputs["alarmTopicArn"]) == applied.account_id
        assert _account_of(group_of(applied)["AutoScalingGroupARN"]) == applied.account_id
        assert applied.client("sts").get_caller_identity()["Account"] == applied.account_id
        groups = applied.client("ec2").describe_security_groups(GroupIds=[applied.outputs["nodeSecurityGroupId"]])
        assert groups["SecurityGroups"][0]["OwnerId"] == applied.account_id


def test_a_stack_sees_only_its_own_account(dev, prod):
    names = {
        g["AutoScalingGroupName"] for g in dev.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    }
    assert names == {dev.outputs["autoScalingGroupName"]}
    assert prod.outputs["vpcId"] not in {v["VpcId"] for v in dev.client("ec2").describe_vpcs()["Vpcs"]}


def test_a_shared_stack_refuses_changes_before_they_reach_moto(dev):
    with pytest.raises(SharedStackIsReadOnly, match="UpdateAutoScalingGroup"):
        dev.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=dev.outputs["autoScalingGroupName"], MinSize=0
        )
    assert group_of(dev)["MinSize"] == dev.settings.nodes.min_size


def test_a_tests_changes_are_put_back_when_it_ends(applied_stacks, tmp_path, dev):
    with Deployments(tmp_path, applied_stacks) as deployments:
        mine = deployments("dev")
        assert mine.outputs == dev.outputs  # the session's one apply of dev, writable
        mine.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=mine.outputs["autoScalingGroupName"], MinSize=0
        )
        assert group_of(mine)["MinSize"] == 0
    assert group_of(dev)["MinSize"] == 1  # dev's nodes.minSize, as applied


def test_a_deployment_without_the_sessions_stacks_is_an_account_of_its_own(tmp_path, dev):
    with Deployments(tmp_path) as deployments:
        mine = deployments("dev")
        assert mine.account_id != dev.account_id
        assert mine.outputs["autoScalingGroupName"] == dev.outputs["autoScalingGroupName"]  # same names, apart
        mine.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=mine.outputs["autoScalingGroupName"], MinSize=0
        )
        assert group_of(dev)["MinSize"] == 1
