"""`scaling`: rules across its policies (scaling/__init__.py)."""

from __future__ import annotations

import pytest

from tests.support.fragments import step_policy
from tests.support.sections import load, problems, refusals

QUEUE = {"metric": "custom", "target": 5, "namespace": "Shop", "name": "QueueDepth", "statistic": "Sum"}


@pytest.mark.parametrize(
    ("scaling", "line"),
    [
        (
            {"targetTracking": [{"metric": "cpu", "target": 60}, {"metric": "cpu", "target": 40}]},
            'elixir-cluster:scaling.targetTracking[1].metric: targetTracking[0] already tracks this metric, got "cpu"',
        ),
        (
            {"step": [step_policy(), step_policy()]},
            'elixir-cluster:scaling.step[1].name: step[0] has this name already, got "run-queue"',
        ),
    ],
)
def test_policies_are_unique(scaling, line):
    (found,) = problems(scaling=scaling)
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("scaling", "refused"),
    [
        # two metrics, or one custom metric on two dimensions, are two policies
        ({"targetTracking": [{"metric": "cpu", "target": 60}, {"metric": "memory", "target": 80}]}, None),
        (
            {
                "targetTracking": [
                    {**QUEUE, "dimensions": {"Queue": "a"}},
                    {**QUEUE, "dimensions": {"Queue": "b"}},
                ]
            },
            None,
        ),
        (
            {"targetTracking": [{**QUEUE, "dimensions": {"Queue": "a"}}, {**QUEUE, "dimensions": {"Queue": "a"}}]},
            "elixir-cluster:scaling.targetTracking[1].metric: targetTracking[0] already tracks this metric, "
            'got "custom"',
        ),
        ({"step": [step_policy(), step_policy(name="run-queue-2")]}, None),
        (
            {
                "schedules": [
                    {"name": "morning", "cron": "0 7 * * *", "minSize": 2},
                    {"name": "morning", "cron": "0 19 * * *", "minSize": 1},
                ]
            },
            'elixir-cluster:scaling.schedules[1].name: schedules[0] has this name already, got "morning"',
        ),
    ],
)
def test_uniqueness_at_its_boundaries(scaling, refused):
    assert refusals(scaling=scaling) == ([] if refused is None else [refused])


def test_the_default_is_one_cpu_target():
    assert [(p.metric, p.target) for p in load().scaling.target_tracking] == [("cpu", 60)]
