"""Step scaling as AWS runs it: bounds, adjustment types and rounding, alarms, warmup.

The policies read a `Queue` column of the trace (a custom metric); demand plays no part.
"""

from __future__ import annotations

import pytest

from components.settings import StepSettings
from tests.support.scenario import changes, run, stack
from tools.simulator.step_scaling import percent_adjustment, round_percent_change, step_for

SCALE_OUT_STEPS = [{"from": 0, "to": 50, "change": 1}, {"from": 50, "change": 3}]


def queue_policy(**extra):
    """Queue >= 50: +1 node up to 100, +3 from 100 (bounds relative to the threshold)."""
    return {
        "name": "queue",
        "metric": {"namespace": "App", "name": "Queue"},
        "threshold": 50,
        "comparison": "GreaterThanOrEqualToThreshold",
        "warmup": 0,
        "steps": SCALE_OUT_STEPS,
        **extra,
    }


def stepping(*policies, **nodes):
    return stack(nodes=nodes, scaling={"targetTracking": [], "step": list(policies)})


def replay(settings, queue, **options):
    return run(settings, [0] * len(queue), {"Queue": list(queue)}, **options)


@pytest.mark.parametrize(
    ("breach", "change"),
    [(0, 1), (49.9, 1), (50, 3), (500, 3)],
)
def test_above_the_threshold_the_lower_bound_is_inclusive(breach, change):
    steps = [StepSettings(**step) for step in SCALE_OUT_STEPS]
    assert step_for(steps, breach, above=True).change == change


@pytest.mark.parametrize(
    ("breach", "change"),
    [(0, -1), (-9.9, -1), (-10, -2), (-500, -2)],
)
def test_below_the_threshold_the_upper_bound_is_inclusive(breach, change):
    steps = [StepSettings(to=-10, change=-2), StepSettings(**{"from": -10, "to": 0, "change": -1})]
    assert step_for(steps, breach, above=False).change == change


def test_change_in_capacity_follows_the_step_the_breach_falls_in():
    # minute 1: 50 is the threshold itself -> [0, 50): +1 on 2 nodes; minute 2: 100 -> [50, inf): +3 on 3
    assert changes(replay(stepping(queue_policy(), desiredCapacity=2), [49, 50, 100])) == [(1, 2, 3), (2, 3, 6)]


def test_greater_than_leaves_the_threshold_itself_alone():
    assert changes(replay(stepping(queue_policy(comparison="GreaterThanThreshold"), desiredCapacity=2), [50])) == []


def scale_in_policy(**extra):
    """Queue <= 20: -1 node down to 10, -2 below (bounds relative to the threshold)."""
    return queue_policy(
        name="idle",
        threshold=20,
        comparison="LessThanOrEqualToThreshold",
        steps=[{"to": -10, "change": -2}, {"from": -10, "to": 0, "change": -1}],
        **extra,
    )


def test_scale_in_steps_hold_their_upper_bound():
    assert changes(replay(stepping(scale_in_policy(), desiredCapacity=6), [20])) == [(0, 6, 5)]
    assert changes(replay(stepping(scale_in_policy(), desiredCapacity=6), [10])) == [(0, 6, 4)]


def test_exact_capacity_sets_the_node_count():
    policy = queue_policy(adjustmentType="ExactCapacity", steps=[{"from": 0, "change": 7}])
    assert changes(replay(stepping(policy, desiredCapacity=2), [60])) == [(0, 2, 7)]


@pytest.mark.parametrize(
    ("change", "rounded"),
    # AWS's examples: 12.7 -> 12, .67 -> 1, -.58 -> -1, -6.67 -> -6; whole numbers stay
    [(12.7, 12), (0.67, 1), (-0.58, -1), (-6.67, -6), (1, 1), (3, 3), (-1, -1), (-3, -3)],
)
def test_percent_change_rounds_as_aws_does(change, rounded):
    assert round_percent_change(change) == rounded


@pytest.mark.parametrize(
    ("capacity", "percent", "minimum", "nodes"),
    [
        (10, 10, None, 1),  # AWS: 10% of 10 adds 1
        (11, 30, None, 3),  # 3.3 rounded down
        (14, -10, None, -1),  # -1.4 rounded up
        (13, -30, None, -3),  # -3.9 rounded up
        (4, 25, 2, 2),  # AWS: 25% of 4 is 1, MinAdjustmentMagnitude 2 makes it 2
        (4, -25, 2, -2),
        (20, 25, 2, 5),  # the minimum only ever raises
    ],
)
def test_percent_adjustment_and_min_adjustment_magnitude(capacity, percent, minimum, nodes):
    assert percent_adjustment(capacity, percent, minimum) == nodes


def test_min_adjustment_magnitude_in_a_replay():
    percent = {"adjustmentType": "PercentChangeInCapacity", "steps": [{"from": 0, "change": 25}]}
    assert changes(replay(stepping(queue_policy(**percent), desiredCapacity=4), [60])) == [(0, 4, 5)]
    with_minimum = queue_policy(**percent, minAdjustmentMagnitude=2)
    assert changes(replay(stepping(with_minimum, desiredCapacity=4), [60])) == [(0, 4, 6)]


def test_warming_nodes_count_toward_the_next_step_as_in_aws_example():
    # AWS's example: 10 nodes, +10% from 60, +30% from 70. At 60 the group goes to 11; at 62,
    # while the new node warms up, 10% of the 10 warmed nodes is 11 again: nothing; at 70,
    # 30% of 10 warmed nodes is 13: the group adds only 2.
    policy = queue_policy(
        threshold=60,
        warmup=600,
        adjustmentType="PercentChangeInCapacity",
        steps=[{"from": 0, "to": 10, "change": 10}, {"from": 10, "change": 30}],
    )
    assert changes(replay(stepping(policy, desiredCapacity=10, maxSize=20), [60, 62, 70])) == [
        (0, 10, 11),
        (2, 11, 13),
    ]


def test_datapoints_to_alarm_out_of_evaluation_periods():
    two_of_three = queue_policy(evaluationPeriods=3, datapointsToAlarm=2)
    assert changes(replay(stepping(two_of_three, desiredCapacity=2), [60, 10, 60, 10])) == [(2, 2, 3)]
    three_of_three = queue_policy(evaluationPeriods=3)
    assert changes(replay(stepping(three_of_three, desiredCapacity=2), [60, 10, 60, 60, 60])) == [(4, 2, 3)]


def test_a_longer_period_aggregates_its_minutes_with_the_statistic():
    # one datapoint per two minutes, at minute 1: Average of 80 and 10 is 45 (< 50), Maximum is 80
    average = queue_policy(period=120)
    assert changes(replay(stepping(average, desiredCapacity=2), [80, 10])) == []
    assert changes(replay(stepping(average, desiredCapacity=2), [80, 30])) == [(1, 2, 3)]
    maximum = queue_policy(period=120, metric={"namespace": "App", "name": "Queue", "statistic": "Maximum"})
    assert changes(replay(stepping(maximum, desiredCapacity=2), [80, 10])) == [(1, 2, 3)]


def test_terminating_nodes_count_as_current_capacity_for_the_next_scale_in():
    # -1 node per minute below 20; a node removed at the end of minute 0 drains through
    # minutes 1 and 2 and still counts (current capacity 4 + 1 = 5, minus 1 is no change), so
    # the next scale-in waits for minute 3: minutes 0, 3, 6 instead of 0, 1, 2, 3
    policy = queue_policy(name="idle", threshold=20, comparison="LessThanThreshold", steps=[{"to": 0, "change": -1}])
    settings = stepping(policy, desiredCapacity=5)
    assert changes(replay(settings, [10] * 7)) == [(0, 5, 4), (1, 4, 3), (2, 3, 2), (3, 2, 1)]
    draining = replay(settings, [10] * 7, drain_minutes=2)
    assert changes(draining) == [(0, 5, 4), (3, 4, 3), (6, 3, 2)]
    # and instance-hours count the draining nodes: 5 + (4+1) + (4+1) + 4 + (3+1) + (3+1) + 3 = 30 node-minutes
    assert draining.summary(draining.policy).instance_hours == pytest.approx(30 / 60)


def test_no_step_scale_in_while_a_node_warms_up():
    busy = queue_policy(name="busy", steps=[{"from": 0, "change": 1}])
    idle = queue_policy(
        name="idle", threshold=20, comparison="LessThanThreshold", warmup=600, steps=[{"to": 0, "change": -1}]
    )
    # minute 0 adds a node serving from minute 1, warm at 11: the idle policy waits until then
    assert changes(replay(stepping(busy, idle, desiredCapacity=2), [60] + [10] * 15)) == [
        (0, 2, 3),
        (11, 3, 2),
        (12, 2, 1),
    ]
