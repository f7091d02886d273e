"""What moto's Auto Scaling group forgot, as the emulator keeps it (tools/emulator/core/group_attributes.py):
a default warmup, capacity rebalance on update, a mixed instances policy through an update that
does not name it, and group metrics enabled and disabled as AWS adds and removes them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.groups import a_group


def _group(autoscaling: Any, name: str = "nodes") -> dict[str, Any]:
    return autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


@pytest.fixture
def autoscaling(aws):
    return aws("autoscaling")


def test_the_default_warmup_is_kept_changed_and_cleared(aws, autoscaling):
    a_group(aws, DefaultInstanceWarmup=120)
    assert _group(autoscaling)["DefaultInstanceWarmup"] == 120
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="nodes", DefaultInstanceWarmup=300)
    assert _group(autoscaling)["DefaultInstanceWarmup"] == 300
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="nodes", DefaultInstanceWarmup=-1)  # AWS: "turn off"
    assert "DefaultInstanceWarmup" not in _group(autoscaling)


def test_an_update_turns_capacity_rebalance_on_and_off(aws, autoscaling):
    a_group(aws, mixed=True, CapacityRebalance=True)
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="nodes", CapacityRebalance=False)
    assert _group(autoscaling)["CapacityRebalance"] is False
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="nodes", CapacityRebalance=True)
    assert _group(autoscaling)["CapacityRebalance"] is True


def test_an_update_that_names_no_launch_source_keeps_the_mixed_instances_policy(aws, autoscaling):
    a_group(aws, mixed=True)
    before = _group(autoscaling)["MixedInstancesPolicy"]
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="nodes", MaxSize=6)
    group = _group(autoscaling)
    assert group["MaxSize"] == 6
    assert group["MixedInstancesPolicy"] == before
    assert [o["InstanceType"] for o in before["LaunchTemplate"]["Overrides"]] == ["t4g.small", "t4g.medium"]


def test_metrics_are_added_to_and_removed_from_what_the_group_collects(aws, autoscaling):
    a_group(aws)
    autoscaling.enable_metrics_collection(
        AutoScalingGroupName="nodes", Metrics=["GroupMinSize", "GroupMaxSize"], Granularity="1Minute"
    )
    autoscaling.enable_metrics_collection(
        AutoScalingGroupName="nodes", Metrics=["GroupTotalInstances"], Granularity="1Minute"
    )
    collected = {m["Metric"] for m in _group(autoscaling)["EnabledMetrics"]}
    assert collected == {"GroupMinSize", "GroupMaxSize", "GroupTotalInstances"}
    autoscaling.disable_metrics_collection(AutoScalingGroupName="nodes", Metrics=["GroupMaxSize"])
    assert {m["Metric"] for m in _group(autoscaling)["EnabledMetrics"]} == {"GroupMinSize", "GroupTotalInstances"}
    autoscaling.disable_metrics_collection(AutoScalingGroupName="nodes")  # no metric named: all of them
    assert _group(autoscaling).get("EnabledMetrics", []) == []


def test_naming_no_metric_enables_all_of_them(aws, autoscaling):
    a_group(aws)
    autoscaling.enable_metrics_collection(AutoScalingGroupName="nodes", Granularity="1Minute")
    collected = {m["Metric"] for m in _group(autoscaling)["EnabledMetrics"]}
    assert len(collected) == 21  # 13 group metrics, 8 of the warm pool
    assert {"GroupInServiceInstances", "WarmPoolMinSize", "GroupAndWarmPoolTotalCapacity"} <= collected
