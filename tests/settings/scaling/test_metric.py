"""A CloudWatch metric that a step policy's alarm or a custom target tracks: per group, or not."""

from __future__ import annotations

import pytest

from tests.support.fragments import RUN_QUEUE, step_policy
from tests.support.sections import load, problems, refusals


def test_a_step_metric_not_published_per_group_alarms_on_its_own_dimensions_only():
    queue = {"namespace": "AWS/SQS", "name": "ApproximateNumberOfMessagesVisible", "dimensions": {"QueueName": "jobs"}}
    loaded = load(scaling={"step": [step_policy(metric={**queue, "perGroup": False})]})
    assert loaded.scaling.step[0].metric.all_dimensions("shop-nodes") == {"QueueName": "jobs"}
    per_group = load(scaling={"step": [step_policy(metric=queue)]}).scaling.step[0].metric
    assert per_group.all_dimensions("shop-nodes") == {"AutoScalingGroupName": "shop-nodes", "QueueName": "jobs"}


def test_the_group_dimension_is_the_stacks_to_add():
    many = {f"D{i}": "x" for i in range(30)}
    custom = {"metric": "custom", "target": 5, "namespace": "Shop", "name": "Busy", "statistic": "Average"}
    assert problems(
        scaling={
            "targetTracking": [{**custom, "dimensions": {"AutoScalingGroupName": "shop-nodes"}}],
            "step": [
                step_policy(metric={**RUN_QUEUE, "dimensions": {"AutoScalingGroupName": "shop-nodes"}}),
                step_policy(name="wide", metric={**RUN_QUEUE, "dimensions": many}),
            ],
        }
    ) == [
        "elixir-cluster:scaling.targetTracking[0].dimensions.AutoScalingGroupName: is added by the stack "
        "(the group's generated name): leave it out",
        "elixir-cluster:scaling.step[0].metric.dimensions.AutoScalingGroupName: is added by the stack "
        "(the group's generated name): leave it out; for a metric not published per group set perGroup: false",
        "elixir-cluster:scaling.step[1].metric.dimensions: at most 29 besides AutoScalingGroupName "
        "(CloudWatch allows 30), got 30",
    ]
    wide = load(scaling={"step": [step_policy(metric={**RUN_QUEUE, "dimensions": many, "perGroup": False})]})
    assert len(wide.scaling.step[0].metric.all_dimensions("shop-nodes")) == 30


@pytest.mark.parametrize(
    ("dimensions", "per_group", "refused"),
    [
        # a per-group metric leaves one of CloudWatch's 30 dimensions to the group's
        (29, True, None),
        (
            30,
            True,
            "elixir-cluster:scaling.step[0].metric.dimensions: at most 29 besides AutoScalingGroupName (CloudWatch "
            "allows 30), got 30",
        ),
        # one that is not has all 30
        (30, False, None),
        (31, False, "elixir-cluster:scaling.step[0].metric.dimensions: must have at most 30 entries, got 31"),
    ],
)
def test_dimensions_at_their_boundaries(dimensions, per_group, refused):
    metric = {**RUN_QUEUE, "dimensions": {f"D{i}": "x" for i in range(dimensions)}, "perGroup": per_group}
    assert refusals(scaling={"step": [step_policy(metric=metric)]}) == ([] if refused is None else [refused])
