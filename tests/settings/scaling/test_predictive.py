"""`scaling.predictive`: AWS forecasts load from history and can launch ahead of it."""

from __future__ import annotations

import pytest

from tests.support.sections import problems, refusals


def test_predictive_cpu_target_is_a_percentage():
    assert problems(scaling={"predictive": {"metric": "cpu", "target": 150}}) == [
        "elixir-cluster:scaling.predictive.target: must be <= 100 for cpu (a percentage), got 150"
    ]


@pytest.mark.parametrize(
    ("predictive", "refused"),
    [
        ({"metric": "cpu", "target": 100}, None),
        (
            {"metric": "cpu", "target": 100.5},
            "elixir-cluster:scaling.predictive.target: must be <= 100 for cpu (a percentage), got 100.5",
        ),
        ({"metric": "requestsPerTarget", "target": 1000}, None),
        ({"schedulingBufferTime": 3600}, None),
        (
            {"schedulingBufferTime": 3601},
            "elixir-cluster:scaling.predictive.schedulingBufferTime: must be <= 3600, got 3601",
        ),
    ],
)
def test_predictive_rules_at_their_boundaries(predictive, refused):
    assert refusals(scaling={"predictive": predictive}) == ([] if refused is None else [refused])
