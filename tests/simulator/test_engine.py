"""The minute loop's node model, limits and figures, the baseline and the oracle."""

from __future__ import annotations

import pytest

from tests.support.scenario import changes, cpu_policy, run, stack
from tools.simulator import NodeModel


def tracking(*policies, **nodes):
    return stack(nodes=nodes, scaling={"targetTracking": list(policies)})


def test_a_launched_node_serves_after_the_boot():
    # decided on minute 2's datapoint, launched at the end of minute 2, serving 3 minutes later
    simulation = run(tracking(cpu_policy(), desiredCapacity=2), [12] * 8, boot_minutes=3)
    assert simulation.policy.desired == [2, 2, 2, 3, 3, 3, 3, 3]
    assert simulation.policy.in_service == [2, 2, 2, 2, 2, 2, 3, 3]
    assert changes(simulation) == [(2, 2, 3)]  # booting nodes count toward the desired capacity


def test_boot_and_drain_come_from_the_stack_rounded_up_to_minutes():
    settings = stack(
        nodes={"healthCheckGracePeriod": 150},
        loadBalancer={"deregistrationDelay": 45},
        release={"artifact": "s3://shop-releases/shop-1.0.0.tar.gz", "drainSeconds": 30},
    )
    # drain: 5 s poll + 45 s deregistration + 30 s release + 15 s stop margin + 10 s completion = 105 s;
    # the launch hook holds a node until its release serves: the whole boot
    assert NodeModel.for_stack(settings, 10) == NodeModel(10, boot_minutes=3, drain_minutes=2, join_minutes=3)
    node = NodeModel.for_stack(settings, 10, boot_seconds=60)
    assert (node.boot_minutes, node.join_minutes) == (1, 1)


def test_a_node_model_refuses_a_launch_hook_longer_than_the_boot():
    with pytest.raises(ValueError, match="a node serves only once it is InService"):
        NodeModel(10, boot_minutes=1, join_minutes=2)


def test_a_scale_out_is_held_to_the_maximum_size():
    # 100 rps is 100% CPU on 2 nodes: the policy asks for ceil(2 x 100/50) = 4, maxSize is 3
    simulation = run(tracking(cpu_policy(), desiredCapacity=2, maxSize=3), [100] * 3)
    assert changes(simulation) == [(2, 2, 3)]
    assert simulation.policy.activities[0].cause.endswith("(asked 4, held to maxSize 3)")


def test_a_scale_in_is_held_to_the_minimum_size():
    simulation = run(tracking(cpu_policy(), desiredCapacity=5, minSize=2), [0] * 15)
    assert changes(simulation) == [(14, 5, 2)]
    assert simulation.policy.activities[0].cause.endswith("(asked 0, held to minSize 2)")


def test_figures_count_minutes_short_the_largest_shortfall_and_node_hours():
    # one node (10 rps) and no scaling: 15 and 25 rps are short by 5 and 15
    simulation = run(tracking(maxSize=1), [5, 15, 25])
    summary = simulation.summary(simulation.policy)
    assert summary.under_provisioned_minutes == 2
    assert summary.peak_shortfall == 15
    assert summary.instance_hours == pytest.approx(3 / 60)


def test_the_oracle_has_exactly_the_nodes_demand_needs_within_the_sizes():
    simulation = run(tracking(maxSize=2), [5, 15, 25, 0])
    assert simulation.oracle.in_service == [1, 2, 2, 1]
    assert changes(simulation, "oracle") == [(1, 1, 2), (3, 2, 1)]
    summary = simulation.summary(simulation.oracle)
    assert (summary.under_provisioned_minutes, summary.peak_shortfall) == (1, 5)
    assert summary.instance_hours == pytest.approx(6 / 60)


def test_the_baseline_is_cpu_target_tracking_at_fifty_percent():
    # 60% CPU: the stack's policy (target 60) holds, the baseline (50) scales out
    simulation = run(tracking(cpu_policy(60), desiredCapacity=2), [12] * 3)
    assert changes(simulation) == []
    assert changes(simulation, "baseline") == [(2, 2, 3)]


def test_derived_metrics_follow_demand_and_the_nodes_in_service():
    settings = tracking(
        {"metric": "requestsPerTarget", "target": 1000, "warmup": 0},
        {"metric": "schedulerUtilization", "target": 70, "warmup": 0},
        desiredCapacity=2,
    )
    metrics = run(settings, [10]).policy.metrics
    assert metrics["requestsPerTarget"] == [300]  # 10 rps x 60 s / 2 nodes
    assert metrics["schedulerUtilization"] == [pytest.approx(100 * 0.5**1.5)]  # CPU 50%, see model.py


def test_a_trace_column_replaces_a_derived_metric():
    settings = tracking({"metric": "schedulerUtilization", "target": 70, "warmup": 0}, desiredCapacity=2)
    assert run(settings, [10], {"SchedulerUtilization": [90]}).policy.metrics["schedulerUtilization"] == [90]


def test_a_policy_without_a_metric_source_is_skipped_with_a_warning():
    settings = stack(
        scaling={
            "targetTracking": [{"metric": "memory", "target": 70}, cpu_policy()],
            "step": [
                {
                    "name": "queue",
                    "metric": {"namespace": "App", "name": "Queue"},
                    "threshold": 50,
                    "comparison": "GreaterThanThreshold",
                    "steps": [{"from": 0, "change": 1}],
                }
            ],
            "predictive": {"mode": "ForecastAndScale"},
        }
    )
    simulation = run(settings, [0])
    assert simulation.warnings == [
        "elixir-cluster:scaling.targetTracking[0]: the trace has no mem_used_percent column: policy skipped",
        "elixir-cluster:scaling.step[0].metric: the trace has no Queue column: policy queue skipped",
        "elixir-cluster:scaling.predictive.mode: ForecastAndScale is not simulated "
        "(it acts on AWS's forecast): the figures leave it out",
    ]
    assert list(simulation.policy.metrics) == ["cpu"]
