"""`scaling.step[]`: a CloudWatch alarm and the steps it takes, by how far past the threshold."""

from __future__ import annotations

import pytest

from tests.support.fragments import step_policy
from tests.support.sections import problems, refusals


@pytest.mark.parametrize(
    ("scaling", "line"),
    [
        (
            {"step": [step_policy(period=45)]},
            "elixir-cluster:scaling.step[0].period: must be 10, 20, 30 or a multiple of 60, got 45",
        ),
        (
            {"step": [step_policy(period=3600, evaluationPeriods=200)]},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (3600) x evaluationPeriods must be <= "
            "604800 s, got 200",
        ),
        (
            {"step": [step_policy(period=60, evaluationPeriods=1441)]},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (60) x evaluationPeriods must be <= 86400 s",
        ),
        (
            {"step": [step_policy(evaluationPeriods=2, datapointsToAlarm=3)]},
            "elixir-cluster:scaling.step[0].datapointsToAlarm: must be <= evaluationPeriods (2), got 3",
        ),
        (
            {"step": [step_policy(minAdjustmentMagnitude=2)]},
            "elixir-cluster:scaling.step[0].minAdjustmentMagnitude: only with adjustmentType "
            "PercentChangeInCapacity, got 2",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 60, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap (gap), "
            "got 60",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 40, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap "
            "(overlap), got 40",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "change": 1}, {"from": 50, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps[1].to: only one step may leave to open (steps[0] does)",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "to": 50, "change": 1}, {"from": 50, "to": 70, "change": 3}])]},
            "elixir-cluster:scaling.step[0].steps: the last step must leave `to` open: the metric can rise without "
            "limit, got [0, 50) [50, 70)",
        ),
        (
            {"step": [step_policy(steps=[{"from": 10, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps: for GreaterThanOrEqualToThreshold the steps must start at from: 0",
        ),
        (
            {"step": [step_policy(steps=[{"from": 0, "change": -1}])]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be > 0: GreaterThanOrEqualToThreshold scales "
            "out, got -1",
        ),
        (
            {"step": [step_policy(comparison="LessThanThreshold", steps=[{"to": 0, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be < 0: LessThanThreshold scales in, got 1",
        ),
        (
            {"step": [step_policy(comparison="LessThanThreshold", steps=[{"from": -10, "to": 0, "change": -1}])]},
            "elixir-cluster:scaling.step[0].steps: the first step must leave `from` open: the metric can fall "
            "without limit",
        ),
        ({"step": [step_policy(steps=[{"change": 1}])]}, "elixir-cluster:scaling.step[0].steps[0]: needs from or to"),
        (
            {"step": [step_policy(steps=[{"from": 5, "to": 5, "change": 1}])]},
            "elixir-cluster:scaling.step[0].steps[0].to: must be > from (5), got 5",
        ),
        (
            {"step": [step_policy(name="Run Queue")]},
            "elixir-cluster:scaling.step[0].name: must be 1-63 characters of a-z, 0-9 and '-'",
        ),
    ],
)
def test_scaling_policy_rules(scaling, line):
    (found,) = problems(scaling=scaling)
    assert found.startswith(line)


def test_a_step_with_an_open_upper_bound_below_another_overlaps():
    steps = [{"from": 0, "change": 1}, {"from": 50, "to": 100, "change": 2}, {"from": 100, "to": 200, "change": 3}]
    assert problems(scaling={"step": [step_policy(steps=steps)]}) == [
        "elixir-cluster:scaling.step[0].steps[0].to: is open but steps[1] starts at 50: overlap"
    ]


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        # M of N: datapointsToAlarm <= evaluationPeriods
        ({"evaluationPeriods": 3, "datapointsToAlarm": 3}, None),
        (
            {"evaluationPeriods": 3, "datapointsToAlarm": 4},
            "elixir-cluster:scaling.step[0].datapointsToAlarm: must be <= evaluationPeriods (3), got 4",
        ),
        # under an hour a period's alarm looks back at most a day ...
        ({"period": 60, "evaluationPeriods": 1440}, None),
        (
            {"period": 60, "evaluationPeriods": 1441},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (60) x evaluationPeriods must be <= 86400 s, "
            "got 1441",
        ),
        ({"period": 3540, "evaluationPeriods": 24}, None),
        (
            {"period": 3540, "evaluationPeriods": 25},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (3540) x evaluationPeriods must be <= 86400 s, "
            "got 25",
        ),
        # ... from an hour, seven days
        ({"period": 3600, "evaluationPeriods": 168}, None),
        (
            {"period": 3600, "evaluationPeriods": 169},
            "elixir-cluster:scaling.step[0].evaluationPeriods: period (3600) x evaluationPeriods must be <= 604800 s, "
            "got 169",
        ),
        # periods: 10, 20, 30 or a multiple of 60
        ({"period": 30}, None),
        ({"period": 120}, None),
        (
            {"period": 90},
            "elixir-cluster:scaling.step[0].period: must be 10, 20, 30 or a multiple of 60, got 90",
        ),
        # minAdjustmentMagnitude with PercentChangeInCapacity only
        ({"adjustmentType": "PercentChangeInCapacity", "minAdjustmentMagnitude": 1}, None),
        (
            {"adjustmentType": "ChangeInCapacity", "minAdjustmentMagnitude": 1},
            "elixir-cluster:scaling.step[0].minAdjustmentMagnitude: only with adjustmentType PercentChangeInCapacity, "
            "got 1",
        ),
        # a step's interval is not empty: from < to, however close
        ({"steps": [{"from": 0, "to": 0.5, "change": 1}, {"from": 0.5, "change": 2}]}, None),
        # scale out by at least one, scale in by at least one
        ({"steps": [{"from": 0, "change": 1}]}, None),
        (
            {"steps": [{"from": 0, "change": 0}]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be > 0: GreaterThanOrEqualToThreshold scales out, "
            "got 0",
        ),
        ({"comparison": "LessThanOrEqualToThreshold", "steps": [{"to": 0, "change": -1}]}, None),
        (
            {"comparison": "LessThanOrEqualToThreshold", "steps": [{"to": 0, "change": 0}]},
            "elixir-cluster:scaling.step[0].steps[0].change: must be < 0: LessThanOrEqualToThreshold scales in, got 0",
        ),
        # GreaterThanThreshold scales out too; LessThanThreshold's steps end at the threshold
        ({"comparison": "GreaterThanThreshold"}, None),
        (
            {"comparison": "LessThanThreshold", "steps": [{"to": -10, "change": -1}]},
            "elixir-cluster:scaling.step[0].steps: for LessThanThreshold the steps must end at to: 0 (the threshold), "
            "got [-inf, -10)",
        ),
        # steps in any order, as long as they meet
        ({"steps": [{"from": 50, "change": 3}, {"from": 0, "to": 50, "change": 1}]}, None),
        # a percentage change that scales out is a positive percentage
        ({"adjustmentType": "PercentChangeInCapacity", "steps": [{"from": 0, "change": 10}]}, None),
    ],
)
def test_step_policy_rules_at_their_boundaries(policy, refused):
    assert refusals(scaling={"step": [step_policy(**policy)]}) == ([] if refused is None else [refused])
