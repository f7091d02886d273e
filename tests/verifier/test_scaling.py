"""tools/verifier/checks/scaling.py: every field the scaling plans declare is compared with what
AWS holds.

The scaling variant (every option the shipped stacks leave out) verifies clean: what the plans
say AWS reports is what the emulator holds. The walks change one thing at a time, as an operator
would (PutScalingPolicy, PutMetricAlarm, PutScheduledUpdateGroupAction): each fails its check and
no other. Then one deployment of prod takes a hand change to every other field the checks
compare; one verify run must fail exactly the checks they touch, each naming exactly its changed
fields, and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.plans import names
from tests.support.aws_state import policies_of, real_request_count_label
from tests.support.scaling import SCALING_VARIANT
from tests.support.stacks import Applied, Deploy, write_variant
from tests.support.verify import ALARM_INPUTS, POLICY_INPUTS, Change, Tamper, failing, run_verify, verdicts, walk
from tools import verify

OTHER_LABEL = "app/shop-lb-alb-0000000/0123456789abcdef/targetgroup/old-targets/fedcba9876543210"
"""The request-count label of a load balancer and target group that are not the stack's."""


def test_the_scaling_variant_verifies_clean(scaling_variant: Applied, tmp_path: Path) -> None:
    path = write_variant(tmp_path, "dev", "variant", SCALING_VARIANT)
    code, document, _ = run_verify(scaling_variant, "--config", str(path), "--format", "json")
    assert failing(document) == {}
    assert code == verify.EXIT_OK
    custom = names.target_tracking_policy_name(
        scaling_variant.settings, scaling_variant.settings.scaling.target_tracking[1]
    )
    checked = {check for check in verdicts(document) if check.startswith("scaling.")}
    assert checked == {
        "scaling.track-memory",
        f"scaling.{custom.removeprefix('shop-dev-')}",
        "scaling.step-backlog",
        "scaling.step-quiet",
        "scaling.step-job-burst",
        "scaling.predictive",
        "scaling.undeclared",
        "scaling.schedules",
    }


# --- hand changes, made as an operator would ------------------------------------------------------


def _repolicy(env: Applied, name: str, **change: Any) -> None:
    """The policy re-put as DescribePolicies shows it, `change` applied over it."""
    policy = policies_of(env)[name]
    kept = {key: value for key, value in policy.items() if key in POLICY_INPUTS and value not in ({}, [], None)}
    env.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], **{**kept, **change}
    )


def _realarm(env: Applied, name: str, **change: Any) -> None:
    """The alarm re-put as DescribeAlarms shows it, `change` applied over it."""
    cloudwatch = env.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    kept = {key: value for key, value in alarm.items() if key in ALARM_INPUTS and value not in ([], None)}
    cloudwatch.put_metric_alarm(**{**kept, **change})


def change_the_cpu_tracking(**change: Any) -> Change:
    """The first target tracking policy re-put with one field changed (in its configuration, or the warmup)."""

    def tamper(env: Applied) -> None:
        name = names.target_tracking_policy_name(env.settings, env.settings.scaling.target_tracking[0])
        config = {k: v for k, v in change.items() if k != "EstimatedInstanceWarmup"}
        warmup = {k: v for k, v in change.items() if k == "EstimatedInstanceWarmup"}
        tracking = policies_of(env)[name]["TargetTrackingConfiguration"]
        _repolicy(env, name, TargetTrackingConfiguration={**tracking, **config}, **warmup)

    tamper.__name__ = "change_the_cpu_tracking_" + "_".join(change)
    return tamper


def delete_the_cpu_tracking(env: Applied) -> None:
    name = names.target_tracking_policy_name(env.settings, env.settings.scaling.target_tracking[0])
    env.client("autoscaling").delete_policy(AutoScalingGroupName=env.outputs["autoScalingGroupName"], PolicyName=name)


def add_a_scaling_policy_by_hand(env: Applied) -> None:
    env.client("autoscaling").put_scaling_policy(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        PolicyName="debug-scale-out",
        PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=5,
    )


def change_the_step_alarm(**change: Any) -> Change:
    """The first step policy's alarm re-put with `change`."""

    def tamper(env: Applied) -> None:
        _realarm(env, names.step_alarm_name(env.settings, env.settings.scaling.step[0]), **change)

    tamper.__name__ = "change_the_step_alarm_" + "_".join(change)
    return tamper


def silence_the_step_alarm(env: Applied) -> None:
    env.client("cloudwatch").disable_alarm_actions(
        AlarmNames=[names.step_alarm_name(env.settings, env.settings.scaling.step[0])]
    )


def delete_the_step_alarm(env: Applied) -> None:
    env.client("cloudwatch").delete_alarms(
        AlarmNames=[names.step_alarm_name(env.settings, env.settings.scaling.step[0])]
    )


def add_nodes_faster_on_a_long_queue(env: Applied) -> None:
    """The step policy re-put with its top step adding 5 nodes instead of 3."""
    name = names.step_policy_name(env.settings, env.settings.scaling.step[0])
    steps = [
        {**step, "ScalingAdjustment": 5} if step.get("MetricIntervalUpperBound") is None else step
        for step in policies_of(env)[name]["StepAdjustments"]
    ]
    _repolicy(env, name, StepAdjustments=steps)


def change_the_forecast(**change: Any) -> Change:
    def tamper(env: Applied) -> None:
        name = names.predictive_policy_name(env.settings)
        forecast = policies_of(env)[name]["PredictiveScalingConfiguration"]
        _repolicy(env, name, PredictiveScalingConfiguration={**forecast, **change})

    tamper.__name__ = "change_the_forecast_" + "_".join(change)
    return tamper


SCHEDULE_INPUTS = ("ScheduledActionName", "Recurrence", "TimeZone", "MinSize", "MaxSize", "DesiredCapacity")


def change_the_evening_schedule(**change: Any) -> Change:
    """The second schedule re-put as it is, one field changed."""

    def tamper(env: Applied) -> None:
        autoscaling = env.client("autoscaling")
        group = env.outputs["autoScalingGroupName"]
        name = names.scheduled_action_name(env.settings, env.settings.scaling.schedules[1])
        [action] = autoscaling.describe_scheduled_actions(AutoScalingGroupName=group, ScheduledActionNames=[name])[
            "ScheduledUpdateGroupActions"
        ]
        kept = {key: action[key] for key in SCHEDULE_INPUTS if action.get(key) is not None}
        autoscaling.put_scheduled_update_group_action(AutoScalingGroupName=group, **{**kept, **change})

    tamper.__name__ = "change_the_evening_schedule_" + "_".join(change)
    return tamper


def delete_the_morning_schedule(env: Applied) -> None:
    env.client("autoscaling").delete_scheduled_action(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        ScheduledActionName=names.scheduled_action_name(env.settings, env.settings.scaling.schedules[0]),
    )


def add_a_schedule_by_hand(env: Applied) -> None:
    env.client("autoscaling").put_scheduled_update_group_action(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        ScheduledActionName="debug-night",
        Recurrence="0 1 * * *",
        MinSize=1,
    )


TAMPERS = {
    "dev": [
        Tamper(change_the_cpu_tracking(TargetValue=90.0), "scaling.track-cpu", "TargetValue 90.0, declared 60.0"),
        Tamper(
            change_the_cpu_tracking(DisableScaleIn=True), "scaling.track-cpu", "DisableScaleIn True, declared False"
        ),
        Tamper(
            change_the_cpu_tracking(EstimatedInstanceWarmup=600),
            "scaling.track-cpu",
            "EstimatedInstanceWarmup 600, declared 120",
        ),
        Tamper(
            change_the_cpu_tracking(PredefinedMetricSpecification={"PredefinedMetricType": "ASGAverageNetworkIn"}),
            "scaling.track-cpu",
            "PredefinedMetricType 'ASGAverageNetworkIn', declared 'ASGAverageCPUUtilization'",
        ),
        Tamper(delete_the_cpu_tracking, "scaling.track-cpu", "no TargetTrackingScaling policy shop-dev-track-cpu"),
        Tamper(add_a_scaling_policy_by_hand, "scaling.undeclared", "debug-scale-out"),
    ],
    "prod": [
        Tamper(change_the_step_alarm(Threshold=500.0), "scaling.step-run-queue", "Threshold 500.0, declared 50.0"),
        Tamper(
            change_the_step_alarm(ComparisonOperator="GreaterThanThreshold"),
            "scaling.step-run-queue",
            "ComparisonOperator 'GreaterThanThreshold', declared 'GreaterThanOrEqualToThreshold'",
        ),
        Tamper(
            change_the_step_alarm(MetricName="ProcessCount"),
            "scaling.step-run-queue",
            "MetricName 'ProcessCount', declared 'TotalRunQueueLength'",
        ),
        Tamper(
            change_the_step_alarm(Dimensions=[{"Name": "AutoScalingGroupName", "Value": "old-nodes"}]),
            "scaling.step-run-queue",
            "Dimensions {'AutoScalingGroupName': 'old-nodes'}, declared {'AutoScalingGroupName': 'shop-nodes-group-",
        ),
        Tamper(
            add_nodes_faster_on_a_long_queue,
            "scaling.step-run-queue",
            "StepAdjustments [(0.0, 50.0, 1), (50.0, None, 5)]",
        ),
        Tamper(
            silence_the_step_alarm,
            "scaling.step-run-queue",
            "shop-prod-step-run-queue: the alarm shop-prod-step-run-queue no longer triggers the policy",
        ),
        Tamper(delete_the_step_alarm, "scaling.step-run-queue", "alarm shop-prod-step-run-queue is missing"),
        Tamper(
            change_the_forecast(Mode="ForecastAndScale"),
            "scaling.predictive",
            "Mode 'ForecastAndScale', declared 'ForecastOnly'",
        ),
        Tamper(
            change_the_forecast(
                MetricSpecifications=[
                    {
                        "TargetValue": 60.0,
                        "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ASGCPUUtilization"},
                    }
                ]
            ),
            "scaling.predictive",
            "PredefinedMetricType 'ASGCPUUtilization', declared 'ALBRequestCount'",
        ),
        Tamper(
            change_the_evening_schedule(Recurrence="0 23 * * *"),
            "scaling.schedules",
            "Recurrence '0 23 * * *', declared '0 21 * * MON-FRI'",
        ),
        Tamper(
            change_the_evening_schedule(TimeZone="Etc/UTC"),
            "scaling.schedules",
            "TimeZone 'Etc/UTC', declared 'Europe/Berlin'",
        ),
        Tamper(change_the_evening_schedule(MinSize=4), "scaling.schedules", "MinSize 4, declared 3"),
        Tamper(change_the_evening_schedule(MaxSize=20), "scaling.schedules", "MaxSize 20, declared None"),
        Tamper(change_the_evening_schedule(DesiredCapacity=5), "scaling.schedules", "DesiredCapacity 5, declared None"),
        Tamper(delete_the_morning_schedule, "scaling.schedules", "missing shop-prod-weekday-morning"),
        Tamper(add_a_schedule_by_hand, "scaling.schedules", "undeclared debug-night"),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_scaling_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])


def test_each_declared_field_changed_by_hand_fails_its_check_alone(deploy: Deploy) -> None:
    env = deploy("prod")
    settings = env.settings
    requests, beam = settings.scaling.target_tracking
    [step] = settings.scaling.step
    requests_name = names.target_tracking_policy_name(settings, requests)
    beam_name = names.target_tracking_policy_name(settings, beam)
    step_name = names.step_policy_name(settings, step)
    forecast_name = names.predictive_policy_name(settings)
    group = env.outputs["autoScalingGroupName"]
    label = real_request_count_label(env)

    policies = policies_of(env)
    # request counts from another load balancer's target group
    requests_config = policies[requests_name]["TargetTrackingConfiguration"]
    counted = {**requests_config["PredefinedMetricSpecification"], "ResourceLabel": OTHER_LABEL}
    _repolicy(
        env, requests_name, TargetTrackingConfiguration={**requests_config, "PredefinedMetricSpecification": counted}
    )
    # scheduler utilisation read from another namespace and metric, by its peak, for another group
    beam_config = policies[beam_name]["TargetTrackingConfiguration"]
    other_metric = {
        "Namespace": "Elixir/Nodes",
        "MetricName": "SchedulerUsage",
        "Statistic": "Maximum",
        "Dimensions": [{"Name": "AutoScalingGroupName", "Value": "old-nodes"}],
    }
    _repolicy(
        env, beam_name, TargetTrackingConfiguration={**beam_config, "CustomizedMetricSpecification": other_metric}
    )
    # the run-queue alarm made slower and noisier, and its policy made to add a share of the group
    _realarm(
        env,
        names.step_alarm_name(settings, step),
        AlarmDescription="debugging the run queue",
        Namespace="Elixir/Nodes",
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=3,
        DatapointsToAlarm=1,
        TreatMissingData="breaching",
    )
    _repolicy(
        env,
        step_name,
        AdjustmentType="PercentChangeInCapacity",
        MinAdjustmentMagnitude=2,
        MetricAggregationType="Maximum",
        EstimatedInstanceWarmup=600,
    )
    # the forecast allowed past maxSize, launching earlier, on a lower target and another target group
    forecast = policies[forecast_name]["PredictiveScalingConfiguration"]
    [spec] = forecast["MetricSpecifications"]
    pair = {**spec["PredefinedMetricPairSpecification"], "ResourceLabel": OTHER_LABEL}
    _repolicy(
        env,
        forecast_name,
        PredictiveScalingConfiguration={
            **forecast,
            "SchedulingBufferTime": 900,
            "MaxCapacityBreachBehavior": "IncreaseMaxCapacity",
            "MaxCapacityBuffer": 10,
            "MetricSpecifications": [{**spec, "TargetValue": 800.0, "PredefinedMetricPairSpecification": pair}],
        },
    )

    code, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    found = {check: _drift_of(detail) for check, detail in failing(document).items()}
    assert found == {
        "scaling.track-requestsPerTarget": (
            requests_name,
            {f"ResourceLabel {OTHER_LABEL!r}, declared {label!r}"},
        ),
        "scaling.track-schedulerUtilization": (
            beam_name,
            {
                "Namespace 'Elixir/Nodes', declared 'Elixir/BEAM'",
                "MetricName 'SchedulerUsage', declared 'SchedulerUtilization'",
                "Statistic 'Maximum', declared 'Average'",
                f"Dimensions {{'AutoScalingGroupName': 'old-nodes'}}, declared {{'AutoScalingGroupName': {group!r}}}",
            },
        ),
        "scaling.step-run-queue": (
            step_name,
            {
                "AlarmDescription 'debugging the run queue', "
                "declared 'Scales shop-prod out by the step policy run-queue.'",
                "Namespace 'Elixir/Nodes', declared 'Elixir/BEAM'",
                "Statistic 'Maximum', declared 'Average'",
                "Period 300, declared 60",
                "EvaluationPeriods 3, declared 2",
                "DatapointsToAlarm 1, declared 2",
                "TreatMissingData 'breaching', declared 'missing'",
                "AdjustmentType 'PercentChangeInCapacity', declared 'ChangeInCapacity'",
                "MinAdjustmentMagnitude 2, declared None",
                "MetricAggregationType 'Maximum', declared 'Average'",
                "EstimatedInstanceWarmup 600, declared 120",
            },
        ),
        "scaling.predictive": (
            forecast_name,
            {
                "TargetValue 800.0, declared 1000.0",
                f"ResourceLabel {OTHER_LABEL!r}, declared {label!r}",
                "SchedulingBufferTime 900, declared 300",
                "MaxCapacityBreachBehavior 'IncreaseMaxCapacity', declared 'HonorMaxCapacity'",
                "MaxCapacityBuffer 10, declared None",
            },
        ),
    }
    assert all(verdicts(document)[check]["fix"] for check in found), "every failure says what to do"


def _drift_of(detail: str) -> tuple[str, set[str]]:
    """`<name>: <field drift>; <field drift>` as (name, the drifts)."""
    name, _, drift = detail.partition(": ")
    return name, set(drift.split("; "))
