"""Scaling options a stack file can ask for beyond the shipped stacks, applied in the emulator:
memory and custom metrics, scale-in step policies, schedules with a single size, predictive
scaling that acts, and what a network load balancer cannot offer.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_scaling_variants.py`
"""

from __future__ import annotations

import pytest

from components.plans import names
from components.settings import SettingsError
from tests.support.aws_state import policies_of
from tests.support.fragments import SQS_BACKLOG
from tests.support.stacks import write_variant
from tools.stack_files import load_stack_settings

BUSY_WORKERS = {  # the share of a job queue's workers busy on each node, published through StatsD
    "metric": "custom",
    "target": 70,
    "namespace": "Shop/Jobs",
    "name": "BusyWorkersPercent",
    "statistic": "Maximum",
    "dimensions": {"Queue": "mailers"},
    "disableScaleIn": True,
    "warmup": 300,
}


def test_memory_and_custom_metrics_track_the_group_with_their_dimensions(deploy):
    applied = deploy(
        "dev",
        {"elixir-cluster:scaling": {"targetTracking": [{"metric": "memory", "target": 75}, BUSY_WORKERS]}},
    )
    settings = applied.settings
    group = {"Name": "AutoScalingGroupName", "Value": applied.outputs["autoScalingGroupName"]}
    memory, custom = settings.scaling.target_tracking
    policies = policies_of(applied)
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


def test_a_step_policy_on_a_metric_not_published_per_group_alarms_on_its_own_dimensions(deploy):
    applied = deploy(
        "dev",
        {"elixir-cluster:scaling": {"targetTracking": [{"metric": "cpu", "target": 60}], "step": [SQS_BACKLOG]}},
    )
    [step] = applied.settings.scaling.step
    [alarm] = applied.client("cloudwatch").describe_alarms(AlarmNames=[names.step_alarm_name(applied.settings, step)])[
        "MetricAlarms"
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "shop-jobs"}]
    assert alarm["AlarmActions"] == [policies_of(applied)[names.step_policy_name(applied.settings, step)]["PolicyARN"]]


def test_scale_in_step_policy_has_negative_bounds_and_its_own_alarm(deploy):
    scale_in = {
        "name": "quiet",
        "metric": {"namespace": "Elixir/BEAM", "name": "SchedulerUtilization", "statistic": "Maximum"},
        "threshold": 20,
        "comparison": "LessThanThreshold",
        "period": 300,
        "evaluationPeriods": 3,
        "adjustmentType": "PercentChangeInCapacity",
        "minAdjustmentMagnitude": 1,
        "steps": [{"to": -10, "change": -50}, {"from": -10, "to": 0, "change": -25}],
    }
    applied = deploy(
        "dev",
        {
            "elixir-cluster:nodes": {"minSize": 1, "maxSize": 3},
            "elixir-cluster:scaling": {"targetTracking": [{"metric": "cpu", "target": 60}], "step": [scale_in]},
        },
    )
    [step] = applied.settings.scaling.step
    policy = policies_of(applied)[names.step_policy_name(applied.settings, step)]
    assert (policy["AdjustmentType"], policy["MinAdjustmentMagnitude"], policy["MetricAggregationType"]) == (
        "PercentChangeInCapacity",
        1,
        "Maximum",
    )
    assert [
        (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"])
        for s in policy["StepAdjustments"]
    ] == [(None, -10.0, -50), (-10.0, 0.0, -25)]
    [alarm] = applied.client("cloudwatch").describe_alarms(AlarmNames=[names.step_alarm_name(applied.settings, step)])[
        "MetricAlarms"
    ]
    assert alarm["AlarmActions"] == [policy["PolicyARN"]]
    assert (alarm["ComparisonOperator"], alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == (
        "LessThanThreshold",
        "Maximum",
        300,
        3,
    )


def test_a_schedule_that_sets_only_desired_capacity_leaves_min_and_max_alone(deploy):
    applied = deploy(
        "dev",
        {"elixir-cluster:scaling": {"schedules": [{"name": "lunch", "cron": "30 11 * * *", "desiredCapacity": 2}]}},
    )
    [action] = applied.client("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=applied.outputs["autoScalingGroupName"]
    )["ScheduledUpdateGroupActions"]
    assert action["ScheduledActionName"] == "shop-dev-lunch"
    assert (action["Recurrence"], action["TimeZone"], action["DesiredCapacity"]) == ("30 11 * * *", "UTC", 2)
    assert "MinSize" not in action and "MaxSize" not in action


def test_predictive_scaling_on_cpu_can_act_and_needs_no_load_balancer_label(deploy):
    applied = deploy(
        "dev",
        {
            "elixir-cluster:scaling": {
                "predictive": {"mode": "ForecastAndScale", "metric": "cpu", "target": 50, "schedulingBufferTime": 600}
            }
        },
    )
    config = policies_of(applied)[names.predictive_policy_name(applied.settings)]["PredictiveScalingConfiguration"]
    [metric] = config["MetricSpecifications"]
    assert (config["Mode"], config["SchedulingBufferTime"], config["MaxCapacityBreachBehavior"]) == (
        "ForecastAndScale",
        600,
        "HonorMaxCapacity",
    )
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


def test_a_network_load_balancer_scales_on_beam_metrics_without_request_count(deploy):
    applied = deploy(
        "prod",
        {
            "elixir-cluster:loadBalancer": {
                "type": "network",
                "idleTimeout": None,
                "stickiness": None,
                "algorithm": None,
                "accessLogs": None,
                "waf": None,
            },
            "elixir-cluster:scaling": {
                "targetTracking": [{"metric": "schedulerUtilization", "target": 70}],
                "predictive": {"metric": "cpu", "target": 60},
            },
        },
    )
    policies = policies_of(applied)
    assert sorted(policies) == sorted(names.scaling_policy_names(applied.settings))
    assert all("ResourceLabel" not in str(p) for p in policies.values())
