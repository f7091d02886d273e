"""Scaling on the shipped stacks, read back from moto: dev tracks CPU; prod tracks requests per
node and scheduler utilisation, steps on the run queue, follows weekday schedules and forecasts.

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_scaling.py`
"""

from __future__ import annotations

import re

import pytest

from components.plans import names
from tests.support.aws_state import policies_of, real_request_count_label
from tools.stack_files import load_stack_settings, stack_file

AWS_PREDEFINED_METRIC = {"cpu": "ASGAverageCPUUtilization", "requestsPerTarget": "ALBRequestCountPerTarget"}
"""The stack file's metric -> AWS's predefined target tracking metric type."""
BEAM_METRIC = {"schedulerUtilization": "SchedulerUtilization"}
"""The stack file's BEAM metric -> the CloudWatch metric name the nodes publish under Elixir/BEAM."""
REQUEST_COUNT_LABEL = re.compile(r"^app/[^/]+/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+$")


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def test_the_group_has_exactly_the_policies_the_settings_name(stack):
    assert sorted(policies_of(stack)) == sorted(names.scaling_policy_names(stack.settings))


def test_each_target_tracking_entry_holds_its_metric_at_its_target(stack):
    policies = policies_of(stack)
    group = stack.outputs["autoScalingGroupName"]
    for tracking in stack.settings.scaling.target_tracking:
        policy = policies[names.target_tracking_policy_name(stack.settings, tracking)]
        config = policy["TargetTrackingConfiguration"]
        assert policy["PolicyType"] == "TargetTrackingScaling"
        assert (config["TargetValue"], config["DisableScaleIn"]) == (tracking.target, tracking.disable_scale_in)
        assert policy["EstimatedInstanceWarmup"] == tracking.warmup
        if tracking.metric in AWS_PREDEFINED_METRIC:
            predefined = config["PredefinedMetricSpecification"]
            assert predefined["PredefinedMetricType"] == AWS_PREDEFINED_METRIC[tracking.metric]
        else:
            custom = config["CustomizedMetricSpecification"]
            assert (custom["Namespace"], custom["MetricName"]) == ("Elixir/BEAM", BEAM_METRIC[tracking.metric])
            assert custom["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": group}]


def test_dev_scales_on_cpu_and_prod_on_what_loads_a_beam_node():
    dev, prod = (load_stack_settings(stack_file(name)).scaling for name in ("dev", "prod"))
    assert [t.metric for t in dev.target_tracking] == ["cpu"]
    assert not dev.step and not dev.schedules and dev.predictive is None
    assert [t.metric for t in prod.target_tracking] == ["requestsPerTarget", "schedulerUtilization"]
    assert [s.metric.name for s in prod.step] == ["TotalRunQueueLength"]
    assert {s.recurrence().weekdays for s in prod.schedules} == {frozenset(range(1, 6))}  # Monday to Friday


# --- prod ------------------------------------------------------------------------------------


only_prod = pytest.mark.parametrize("stack", ["prod"], indirect=True)
"""The tests below read what only prod declares; the module's applied prod is reused."""


@pytest.fixture
def prod(stack):
    return stack


@only_prod
def test_prod_counts_requests_on_its_own_load_balancer_and_target_group(prod):
    [tracking] = [t for t in prod.settings.scaling.target_tracking if t.metric == "requestsPerTarget"]
    policy = policies_of(prod)[names.target_tracking_policy_name(prod.settings, tracking)]
    label = policy["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert REQUEST_COUNT_LABEL.match(label)
    assert label == real_request_count_label(prod)


@only_prod
def test_prod_run_queue_alarm_fires_the_run_queue_step_policy(prod):
    [step] = prod.settings.scaling.step
    policy = policies_of(prod)[names.step_policy_name(prod.settings, step)]
    assert (policy["PolicyType"], policy["AdjustmentType"]) == ("StepScaling", step.adjustment_type)
    assert [
        (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"])
        for s in policy["StepAdjustments"]
    ] == [(s.from_, s.to, s.change) for s in step.steps_in_order()]
    [alarm] = prod.client("cloudwatch").describe_alarms(AlarmNames=[names.step_alarm_name(prod.settings, step)])[
        "MetricAlarms"
    ]
    assert alarm["AlarmActions"] == [policy["PolicyARN"]]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("Elixir/BEAM", "TotalRunQueueLength")
    assert alarm["Dimensions"] == [{"Name": "AutoScalingGroupName", "Value": prod.outputs["autoScalingGroupName"]}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (step.threshold, step.comparison)
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        step.period,
        step.evaluation_periods,
        step.datapoints_to_alarm,
    )


@only_prod
def test_prod_weekday_schedules_raise_the_floor_in_berlin_time_and_leave_the_rest(prod):
    actions = prod.client("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=prod.outputs["autoScalingGroupName"]
    )["ScheduledUpdateGroupActions"]
    by_name = {a["ScheduledActionName"]: a for a in actions}
    assert sorted(by_name) == sorted(names.scheduled_action_names(prod.settings))
    for schedule in prod.settings.scaling.schedules:
        action = by_name[names.scheduled_action_name(prod.settings, schedule)]
        assert (action["Recurrence"], action["TimeZone"]) == (schedule.cron, "Europe/Berlin")
        assert action["MinSize"] == schedule.min_size
        # unset sizes stay as they are: not set to 0, which would empty the group
        assert "MaxSize" not in action and "DesiredCapacity" not in action


@only_prod
def test_prod_forecasts_request_count_without_acting_on_it(prod):
    predictive = prod.settings.scaling.predictive
    policy = policies_of(prod)[names.predictive_policy_name(prod.settings)]
    config = policy["PredictiveScalingConfiguration"]
    assert policy["PolicyType"] == "PredictiveScaling"
    assert (config["Mode"], config["SchedulingBufferTime"]) == ("ForecastOnly", predictive.scheduling_buffer_time)
    # the maximum size holds (the default), and AWS refuses a buffer beside it
    assert config["MaxCapacityBreachBehavior"] == "HonorMaxCapacity" and "MaxCapacityBuffer" not in config
    [metric] = config["MetricSpecifications"]
    pair = metric["PredefinedMetricPairSpecification"]
    assert (metric["TargetValue"], pair["PredefinedMetricType"]) == (predictive.target, "ALBRequestCount")
    assert pair["ResourceLabel"] == real_request_count_label(prod)
