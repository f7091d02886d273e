"""Target tracking as AWS runs it, each rule on a tiny trace with the outcome worked out by hand.

Node model (scenario.py): 10 requests/s per node at 100% CPU, boot 0, drain 0.
"""

from __future__ import annotations

from tests.support.scenario import changes, cpu_policy, run, stack
from tools.simulator import ModellingChoices


def tracking(*policies, **nodes):
    return stack(nodes=nodes, scaling={"targetTracking": list(policies)})


def test_scales_out_after_three_datapoints_above_the_target():
    # 12 rps on 2 nodes = 60% > 50 at minutes 0, 1, 2 -> ceil(2 x 60/50 = 2.4) = 3 at minute 2
    assert changes(run(tracking(cpu_policy(), desiredCapacity=2), [12, 12, 12])) == [(2, 2, 3)]


def test_two_datapoints_above_are_not_enough():
    assert changes(run(tracking(cpu_policy(), desiredCapacity=2), [12, 12, 5, 12, 12])) == []


def test_scale_out_is_proportional_and_rounds_up():
    # 30.4 rps on 4 nodes = 76%: 4 x 76/50 = 6.08 nodes -> 7, not one more
    assert changes(run(tracking(cpu_policy(), desiredCapacity=4), [30.4] * 3)) == [(2, 4, 7)]


def test_scales_in_after_fifteen_datapoints_below_ninety_percent_of_the_target():
    # 36 rps on 10 nodes = 36% < 45 from minute 0: at minute 14, ceil(10 x 36/50 = 7.2) = 8 (not 7),
    # after which 36 rps on 8 nodes is 45%, no longer below 45
    settings = tracking(cpu_policy(), desiredCapacity=10)
    assert changes(run(settings, [36] * 14)) == []
    assert changes(run(settings, [36] * 40)) == [(14, 10, 8)]


def test_a_metric_between_ninety_percent_and_the_target_never_scales_in():
    # 92 rps on 20 nodes = 46%: above 45, though 20 x 46/50 = 18.4 -> 19 nodes would still hold the target
    settings = tracking(cpu_policy(), desiredCapacity=20, maxSize=20)
    assert changes(run(settings, [92] * 40)) == []
    assert changes(run(settings, [92] * 40, alarms=ModellingChoices(scale_in_fraction=1))) == [(14, 20, 19)]


def test_the_scale_in_threshold_is_a_parameter():
    settings = tracking(cpu_policy(), desiredCapacity=10)
    assert changes(run(settings, [36] * 40, alarms=ModellingChoices(scale_in_fraction=0.7))) == []


def test_warming_nodes_count_in_the_capacity_a_scale_out_sizes():
    # minute 2: 3 nodes; the third is InService and serving from minute 3, warm at 8.
    # minute 3: 16 rps on 3 nodes = 53.3% > 50 (fourth datapoint above in a row): the warming
    # node carries a third of the load, so 3 nodes x 53.3/50 = 3.2 -> 4, at once
    settings = tracking(cpu_policy(warmup=300), desiredCapacity=2)
    assert changes(run(settings, [12, 12, 12] + [16] * 8)) == [(2, 2, 3), (3, 3, 4)]


def test_nodes_still_booting_count_toward_the_desired_capacity_only():
    # boot 3: the node launched at minute 3 serves from 6. Minutes 3-5: 16 rps on 2 nodes = 80%,
    # 2 serving x 80/50 = 3.2 -> 4 at minute 3; the booting node is part of the 4, so minutes
    # 4-5 (still 80% on 2 nodes, 3.2 -> 4 again) add nothing
    settings = tracking(cpu_policy(), desiredCapacity=2)
    simulation = run(settings, [12, 12, 12] + [16] * 3, boot_minutes=3)
    assert changes(simulation) == [(2, 2, 3), (3, 3, 4)]


def test_no_scale_in_while_a_node_warms_up():
    # the node launched at minute 2 is InService (and, boot 0, serving) from 3 and warms up for
    # 20 minutes, until 23; the low alarm is in ALARM from minute 17 (minutes 3-17 at 6.7%),
    # but scale-in waits for minute 23
    demand = [12, 12, 12] + [2] * 40
    assert changes(run(tracking(cpu_policy(warmup=1200), desiredCapacity=2), demand)) == [(2, 2, 3), (23, 3, 1)]
    assert changes(run(tracking(cpu_policy(warmup=0), desiredCapacity=2), demand)) == [(2, 2, 3), (17, 3, 1)]


def test_the_warmup_runs_from_in_service_not_from_serving():
    # boot 30, warmup 0: the node launched at minute 2 is InService at 3 and warm at once; the
    # scale-out activity is over. The low alarm (2 rps on 2 nodes = 10%) is in ALARM at 17:
    # 3 x 10/50 -> 1, and the node still booting goes first
    settings = tracking(cpu_policy(), desiredCapacity=2)
    assert changes(run(settings, [12, 12, 12] + [2] * 40, boot_minutes=30)) == [(2, 2, 3), (17, 3, 1)]
    # warmup 30 min from InService (minute 3): scale-in waits for minute 33
    settings = tracking(cpu_policy(warmup=1800), desiredCapacity=2)
    assert changes(run(settings, [12, 12, 12] + [2] * 40, boot_minutes=30)) == [(2, 2, 3), (33, 3, 1)]


def requests(target: float, **extra):
    return {"metric": "requestsPerTarget", "target": target, "warmup": 0, **extra}


def test_any_policy_scales_out():
    # 12 rps on 2 nodes: CPU 60% (target 90: below, ready to scale in), 360 requests per node
    # per minute (target 300: above) -> ceil(2 x 360/300 = 2.4) = 3 from the second policy
    simulation = run(tracking(cpu_policy(90), requests(300), desiredCapacity=2), [12, 12, 12])
    assert changes(simulation) == [(2, 2, 3)]
    assert simulation.policy.activities[0].cause.startswith("targetTracking[1] requestsPerTarget 360 > 300")


def test_all_policies_must_agree_to_scale_in_and_the_largest_capacity_wins():
    # 8 rps on 4 nodes: CPU 20% (< 45: 4 x 20/50 -> 2) and 120 requests per node (< 900: 4 x 120/1000 -> 1)
    agreeing = tracking(cpu_policy(), requests(1000), desiredCapacity=4)
    assert changes(run(agreeing, [8] * 20)) == [(14, 4, 2)]
    # 120 requests per node against a target of 130 is not below 117: that policy is not ready
    holding_out = tracking(cpu_policy(), requests(130), desiredCapacity=4)
    assert changes(run(holding_out, [8] * 20)) == []


def test_a_policy_with_scale_in_disabled_has_no_say_in_scale_in():
    settings = tracking(cpu_policy(), requests(130, disableScaleIn=True), desiredCapacity=4)
    assert changes(run(settings, [8] * 15)) == [(14, 4, 2)]


def test_disable_scale_in_only_ever_adds_nodes():
    assert changes(run(tracking(cpu_policy(disableScaleIn=True), desiredCapacity=4), [8] * 30)) == []
    assert changes(run(tracking(cpu_policy(disableScaleIn=True), desiredCapacity=2), [12] * 3)) == [(2, 2, 3)]


def test_scale_in_step_is_a_modelling_choice_all_the_way_by_default():
    # 8 rps on 10 nodes = 8% < 45 for 15 datapoints at minute 14: 10 x 8/50 = 1.6 -> 2 nodes
    settings = tracking(cpu_policy(), desiredCapacity=10)
    assert changes(run(settings, [8] * 20)) == [(14, 10, 2)]
    # half of the way per activity, at least one node, re-invoked each minute the low alarm stays in ALARM:
    # 14: 10 - floor(8 x 0.5) = 6; 15: 8 rps on 6 = 13.3%, 6 x 13.3/50 = 1.6 -> 2, 6 - 2 = 4; 16: 20%, 4 -> 3;
    # 17: 26.7%, 3 -> 2 (at least one); 18: 40%, 2 x 40/50 = 1.6 -> 2: done
    halfway = run(settings, [8] * 20, alarms=ModellingChoices(scale_in_step=0.5))
    assert changes(halfway) == [(14, 10, 6), (15, 6, 4), (16, 4, 3), (17, 3, 2)]
