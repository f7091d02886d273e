"""Scaling options a stack file can ask for beyond the shipped stacks, applied in the emulator:
memory and custom metrics, step policies that scale in or watch a metric not published per
group, schedules with a single size, predictive scaling that acts, and what a network load
balancer cannot offer. All but the last read one shared variant (tests/support/scaling.py); the last
reads prod behind a network load balancer (tests/support/variants.py).

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_scaling_variants.py`
"""

from __future__ import annotations

import pytest

from components.plans import names
from components.settings import SettingsError
from tests.support.aws_state import policies_of
from tests.support.stacks import Applied, write_variant
from tools.stack_files import load_stack_settings


def _step(variant: Applied, name: str):
    [step] = [s for s in variant.settings.scaling.step if s.name == name]
    return step


def _alarm(variant: Applied, name: str) -> dict:
    [alarm] = variant.client("cloudwatch").describe_alarms(
        AlarmNames=[names.step_alarm_name(variant.settings, _step(variant, name))]
    )["MetricAlarms"]
    return alarm


def _step_policy(variant: Applied, name: str) -> dict:
    return policies_of(variant)[names.step_policy_name(variant.settings, _step(variant, name))]


def test_memory_and_custom_metrics_track_the_group_with_their_dimensions(scaling_variant):
    settings = scaling_variant.settings
    group = {"Name": "AutoScalingGroupName", "Value": scaling_variant.outputs["autoScalingGroupName"]}
    memory, custom = settings.scaling.target_tracking
    policies = policies_of(scaling_variant)
    assert sorted(policies) == sorted(names.scaling_policy_names(settings))
    memory_spec = policies[names.target_tracking_policy_name(settings, memory)]["TargetTrackingConfiguration"][
        "CustomizedMetricSpecification"
    ]
    assert (memory_spec["Namespace"], memory_spec["MetricName"], memory_spec["Statistic"]) == (
        "Elixir/BEAM",
        "mem_used_percent",
        "Average",
    )
    assert memory_spec["Dimensions"] == [group]
    policy = policies[names.target_tracking_policy_name(settings, custom)]
    config = policy["TargetTrackingConfiguration"]
    spec = config["CustomizedMetricSpecification"]
    assert (spec["Namespace"], spec["MetricName"], spec["Statistic"]) == ("Shop/Jobs", "BusyWorkersPercent", "Maximum")
    assert spec["Dimensions"] == [group, {"Name": "Queue", "Value": "mailers"}]
    assert (config["TargetValue"], config["DisableScaleIn"], policy["EstimatedInstanceWarmup"]) == (70, True, 300)


def test_a_step_policy_on_a_metric_not_published_per_group_alarms_on_its_own_dimensions(scaling_variant):
    alarm = _alarm(scaling_variant, "backlog")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "shop-jobs"}]
    assert alarm["AlarmActions"] == [_step_policy(scaling_variant, "backlog")["PolicyARN"]]


def test_scale_in_step_policy_has_negative_bounds_and_its_own_alarm(scaling_variant):
    policy = _step_policy(scaling_variant, "quiet")
    assert (policy["AdjustmentType"], policy["MinAdjustmentMagnitude"], policy["MetricAggregationType"]) == (
        "PercentChangeInCapacity",
        1,
        "Maximum",
    )
    assert [
        (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"])
        for s in policy["StepAdjustments"]
    ] == [(None, -10.0, -50), (-10.0, 0.0, -25)]
    alarm = _alarm(scaling_variant, "quiet")
    assert alarm["AlarmActions"] == [policy["PolicyARN"]]
    assert (alarm["ComparisonOperator"], alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == (
        "LessThanThreshold",
        "Maximum",
        300,
        3,
    )


def test_a_step_alarm_on_a_sum_leaves_its_policy_to_awss_average(scaling_variant):
    assert _alarm(scaling_variant, "job-burst")["Statistic"] == "Sum"
    assert _step_policy(scaling_variant, "job-burst")["MetricAggregationType"] == "Average"


def test_a_schedule_that_sets_only_desired_capacity_leaves_min_and_max_alone(scaling_variant):
    [action] = scaling_variant.client("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=scaling_variant.outputs["autoScalingGroupName"]
    )["ScheduledUpdateGroupActions"]
    assert action["ScheduledActionName"] == "shop-dev-lunch"
    assert (action["Recurrence"], action["TimeZone"], action["DesiredCapacity"]) == ("30 11 * * *", "UTC", 2)
    assert "MinSize" not in action and "MaxSize" not in action


def test_predictive_scaling_on_cpu_can_act_and_needs_no_load_balancer_label(scaling_variant):
    policies = policies_of(scaling_variant)
    config = policies[names.predictive_policy_name(scaling_variant.settings)]["PredictiveScalingConfiguration"]
    [metric] = config["MetricSpecifications"]
    assert (config["Mode"], config["SchedulingBufferTime"], config["MaxCapacityBreachBehavior"]) == (
        "ForecastAndScale",
        600,
        "IncreaseMaxCapacity",
    )
    assert config["MaxCapacityBuffer"] == 0  # AWS requires one with IncreaseMaxCapacity: up to the forecast
    assert metric["PredefinedMetricPairSpecification"] == {"PredefinedMetricType": "ASGCPUUtilization"}
    assert metric["TargetValue"] == 50


def test_a_network_load_balancer_cannot_scale_on_request_count(tmp_path):
    path = write_variant(
        tmp_path,
        "prod",
        "variant",
        {"elixir-cluster:loadBalancer": {"type": "network", "sslPolicy": None, "idleTimeout": None}},
    )
    with pytest.raises(SettingsError) as refused:
        load_stack_settings(path)
    lines = str(refused.value).splitlines()
    assert any(
        line.startswith("elixir-cluster:scaling.targetTracking[0].metric: needs an application") for line in lines
    )
    assert any(line.startswith("elixir-cluster:scaling.predictive.metric: needs an application") for line in lines)


def test_a_network_load_balancer_scales_on_beam_metrics_without_request_count(prod_behind_an_nlb_in_one_zone):
    applied = prod_behind_an_nlb_in_one_zone  # the schedulers tracked, CPU forecast (tests/support/variants.py)
    policies = policies_of(applied)
    assert sorted(policies) == sorted(names.scaling_policy_names(applied.settings))
    assert all("ResourceLabel" not in str(p) for p in policies.values())
