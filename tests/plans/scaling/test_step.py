"""Step plans: the policy as DescribePolicies reports it, its alarm as DescribeAlarms does."""

from __future__ import annotations

import pytest

from components.plans.scaling import provider_bound, scaling_plan
from tests.support.fragments import SQS_BACKLOG
from tests.support.scaling import JOB_BURST, QUIET

POLICY_ARN = (
    "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:c322761b-3172-4d56-9a21-0ed9d6161d67:"
    "autoScalingGroupName/shop-nodes-group-cc8e426:policyName/shop-dev-step-run-queue"
)
RUN_QUEUE = {
    "name": "run-queue",
    "metric": {"namespace": "Elixir/BEAM", "name": "TotalRunQueueLength", "statistic": "Average"},
    "threshold": 50,
    "comparison": "GreaterThanOrEqualToThreshold",
    "period": 60,
    "evaluationPeriods": 2,
    "datapointsToAlarm": 2,
    "adjustmentType": "ChangeInCapacity",
    "steps": [{"from": 50, "change": 3}, {"from": 0, "to": 50, "change": 1}],
}


def _step(settings, entry):
    nodes = {"minSize": 1, "maxSize": 3}
    [step] = scaling_plan(settings(nodes=nodes, scaling={"step": [entry]})).step
    return step


def test_a_scale_out_policy_lists_its_steps_lowest_first_unbounded_above(settings):
    step = _step(settings, RUN_QUEUE)
    assert (step.name, step.policy.role, step.alarm.role) == ("run-queue", "step-run-queue", "step-run-queue-alarm")
    assert step.policy.described() == {
        "PolicyName": "shop-dev-step-run-queue",
        "PolicyType": "StepScaling",
        "AdjustmentType": "ChangeInCapacity",
        "MinAdjustmentMagnitude": None,
        "MetricAggregationType": "Average",
        "EstimatedInstanceWarmup": 120,
        "StepAdjustments": [
            {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 50.0, "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 50.0, "MetricIntervalUpperBound": None, "ScalingAdjustment": 3},
        ],
    }


def test_its_alarm_watches_the_group_and_runs_the_policy_alone(settings):
    alarm = _step(settings, RUN_QUEUE).alarm
    assert alarm.described("shop-nodes-group-cc8e426", POLICY_ARN) == {
        "AlarmName": "shop-dev-step-run-queue",
        "AlarmDescription": "Scales shop-dev out by the step policy run-queue.",
        "ActionsEnabled": True,
        "AlarmActions": [POLICY_ARN],
        "Namespace": "Elixir/BEAM",
        "MetricName": "TotalRunQueueLength",
        "Statistic": "Average",
        "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "shop-nodes-group-cc8e426"}],
        "Period": 60,
        "EvaluationPeriods": 2,
        "DatapointsToAlarm": 2,
        "Threshold": 50.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "missing",
    }


def test_a_scale_in_policy_by_percent_lists_its_steps_lowest_first_unbounded_below(settings):
    step = _step(settings, QUIET)
    assert step.policy.described() == {
        "PolicyName": "shop-dev-step-quiet",
        "PolicyType": "StepScaling",
        "AdjustmentType": "PercentChangeInCapacity",
        "MinAdjustmentMagnitude": 1,
        "MetricAggregationType": "Maximum",
        "EstimatedInstanceWarmup": 120,
        "StepAdjustments": [
            {"MetricIntervalLowerBound": None, "MetricIntervalUpperBound": -10.0, "ScalingAdjustment": -50},
            {"MetricIntervalLowerBound": -10.0, "MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -25},
        ],
    }
    alarm = step.alarm.described("shop-nodes-group-cc8e426", POLICY_ARN)
    assert alarm["AlarmDescription"] == "Scales shop-dev in by the step policy quiet."
    assert (alarm["ComparisonOperator"], alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == (
        "LessThanThreshold",
        "Maximum",
        300,
        3,
    )
    assert alarm["DatapointsToAlarm"] is None  # unset: AWS counts all three periods


def test_an_alarm_on_a_sum_leaves_its_policy_to_awss_average(settings):
    step = _step(settings, JOB_BURST)
    assert step.alarm.described("shop-nodes-group-cc8e426", POLICY_ARN)["Statistic"] == "Sum"
    assert step.policy.described()["MetricAggregationType"] == "Average"  # AWS takes Average, Minimum, Maximum


def test_a_metric_not_published_per_group_has_only_its_own_dimensions(settings):
    alarm = _step(settings, SQS_BACKLOG).alarm.described("shop-nodes-group-cc8e426", POLICY_ARN)
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "shop-jobs"}]


@pytest.mark.parametrize(
    ("statistic", "aggregation"),
    [
        ("Average", "Average"),
        ("Minimum", "Minimum"),
        ("Maximum", "Maximum"),
        ("Sum", "Average"),
        ("SampleCount", "Average"),
    ],
)
def test_a_step_policy_aggregates_as_its_alarm_when_aws_allows_it(settings, statistic, aggregation):
    entry = {**RUN_QUEUE, "metric": {**RUN_QUEUE["metric"], "statistic": statistic}}
    assert _step(settings, entry).policy.metric_aggregation_type == aggregation


@pytest.mark.parametrize(("bound", "text"), [(None, None), (0, "0"), (50.0, "50"), (-10.0, "-10"), (0.5, "0.5")])
def test_step_bounds_are_strings_and_whole_numbers_have_no_decimals(bound, text):
    assert provider_bound(bound) == text
