"""Scaling values as the provider and AWS carry them."""

from __future__ import annotations

import pytest

from components.plans.scaling import (
    PREDICTIVE,
    STEP,
    TARGET_TRACKING,
    described_size,
    scheduled_size,
    step_aggregation,
    step_bound,
)


def test_policy_types_are_awss():
    assert (TARGET_TRACKING, STEP, PREDICTIVE) == ("TargetTrackingScaling", "StepScaling", "PredictiveScaling")


def test_a_size_a_schedule_leaves_out_stays_as_it_is():
    assert scheduled_size(None) == -1  # the provider's "unchanged"; 0 would empty the group
    assert scheduled_size(6) == 6
    assert described_size(-1) is None and described_size(None) is None
    assert described_size(6) == 6


@pytest.mark.parametrize(("bound", "text"), [(None, None), (0, "0"), (50.0, "50"), (-10.0, "-10"), (0.5, "0.5")])
def test_step_bounds_are_strings_and_whole_numbers_have_no_decimals(bound, text):
    assert step_bound(bound) == text


def _step(settings, statistic):
    scaling = {
        "step": [
            {
                "name": "run-queue",
                "metric": {"namespace": "Elixir/BEAM", "name": "TotalRunQueueLength", "statistic": statistic},
                "threshold": 50,
                "comparison": "GreaterThanOrEqualToThreshold",
                "period": 60,
                "evaluationPeriods": 2,
                "adjustmentType": "ChangeInCapacity",
                "steps": [{"from": 0, "to": 50, "change": 1}, {"from": 50, "change": 3}],
            }
        ]
    }
    return settings(scaling=scaling).scaling.step[0]


def test_a_step_policy_aggregates_as_its_alarm_when_aws_allows_it(settings):
    assert step_aggregation(_step(settings, "Maximum")) == "Maximum"
    assert step_aggregation(_step(settings, "Sum")) is None  # AWS accepts Average, Minimum, Maximum only
