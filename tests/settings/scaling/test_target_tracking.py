"""`scaling.targetTracking[]`: AWS holds a metric near a target."""

from __future__ import annotations

import pytest

from tests.support.sections import load, problems, refusals

CUSTOM = {"metric": "custom", "target": 5, "namespace": "Shop", "name": "QueueDepth", "statistic": "Sum"}


@pytest.mark.parametrize(
    ("scaling", "line"),
    [
        (
            {"targetTracking": [{"metric": "cpu", "target": 150}]},
            "elixir-cluster:scaling.targetTracking[0].target: must be <= 100 for cpu (a percentage), got 150",
        ),
        (
            {"targetTracking": [{"metric": "memory", "target": 0}]},
            "elixir-cluster:scaling.targetTracking[0].target: must be > 0, got 0",
        ),
        (
            {"targetTracking": [{"metric": "custom", "target": 5, "name": "QueueDepth", "statistic": "Sum"}]},
            "elixir-cluster:scaling.targetTracking[0].namespace: required with metric custom",
        ),
        (
            {"targetTracking": [{"metric": "cpu", "target": 60, "namespace": "X"}]},
            'elixir-cluster:scaling.targetTracking[0].namespace: only metric custom takes namespace, got "X"',
        ),
    ],
)
def test_target_tracking_rules(scaling, line):
    (found,) = problems(scaling=scaling)
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        # a percentage metric's target is at most 100, for each of them
        ({"metric": "cpu", "target": 100}, None),
        (
            {"metric": "cpu", "target": 100.5},
            "elixir-cluster:scaling.targetTracking[0].target: must be <= 100 for cpu (a percentage), got 100.5",
        ),
        ({"metric": "memory", "target": 100}, None),
        (
            {"metric": "memory", "target": 101},
            "elixir-cluster:scaling.targetTracking[0].target: must be <= 100 for memory (a percentage), got 101",
        ),
        ({"metric": "schedulerUtilization", "target": 100}, None),
        (
            {"metric": "schedulerUtilization", "target": 101},
            "elixir-cluster:scaling.targetTracking[0].target: must be <= 100 for schedulerUtilization (a percentage), "
            "got 101",
        ),
        # ... and more than nothing
        ({"metric": "cpu", "target": 0.5}, None),
        # requests per node are no percentage; nor is a custom metric
        ({"metric": "requestsPerTarget", "target": 1000}, None),
        ({**CUSTOM, "target": 500}, None),
        # custom needs its namespace, name and statistic, each
        (
            {key: value for key, value in CUSTOM.items() if key != "name"},
            "elixir-cluster:scaling.targetTracking[0].name: required with metric custom",
        ),
        (
            {key: value for key, value in CUSTOM.items() if key != "statistic"},
            "elixir-cluster:scaling.targetTracking[0].statistic: required with metric custom",
        ),
        (
            {"metric": "memory", "target": 80, "dimensions": {"Queue": "jobs"}},
            'elixir-cluster:scaling.targetTracking[0].dimensions: only metric custom takes dimensions, got {"Queue": '
            '"jobs"}',
        ),
    ],
)
def test_target_tracking_rules_at_their_boundaries(policy, refused):
    assert refusals(scaling={"targetTracking": [policy]}) == ([] if refused is None else [refused])


def test_customized_metrics_behind_the_beam_and_memory_targets():
    loaded = load(
        scaling={
            "targetTracking": [
                {"metric": "schedulerUtilization", "target": 70},
                {"metric": "memory", "target": 80},
                {"metric": "cpu", "target": 60},
                {
                    "metric": "custom",
                    "target": 5,
                    "namespace": "Shop",
                    "name": "QueueDepth",
                    "statistic": "Maximum",
                    "dimensions": {"Queue": 1},
                },
            ]
        }
    )
    metrics = [p.customized_metric() for p in loaded.scaling.target_tracking]
    assert (metrics[0].namespace, metrics[0].name) == ("Elixir/BEAM", "SchedulerUtilization")
    assert (metrics[1].namespace, metrics[1].name) == ("Elixir/BEAM", "mem_used_percent")
    assert metrics[2] is None  # AWS's predefined ASGAverageCPUUtilization
    assert (metrics[3].name, metrics[3].statistic, metrics[3].dimensions) == ("QueueDepth", "Maximum", {"Queue": "1"})
