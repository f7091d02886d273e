"""verify's scaling checks: every field the scaling plans declare is compared with what AWS holds.

The scaling variant (every option the shipped stacks leave out) verifies clean: what the plans
say AWS reports is what the emulator holds. Then one deployment of prod takes a hand change to
every field the checks compare beyond tests/test_verify.py's walk, made as an operator would
(PutScalingPolicy, PutMetricAlarm); one verify run must fail exactly the checks they touch, each
naming exactly its changed fields, and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.plans import names
from tests.support.aws_state import policies_of, real_request_count_label
from tests.support.scaling import SCALING_VARIANT
from tests.support.stacks import Applied, Deploy, write_variant
from tests.support.verify import failing, run_verify, verdicts
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

POLICY_INPUTS = {
    *("PolicyName", "PolicyType", "AdjustmentType", "MinAdjustmentMagnitude", "MetricAggregationType"),
    *("EstimatedInstanceWarmup", "StepAdjustments", "TargetTrackingConfiguration", "PredictiveScalingConfiguration"),
}
ALARM_INPUTS = {
    *("AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "MetricName", "Namespace", "Statistic"),
    *("Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator"),
    "TreatMissingData",
}


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
    kept = {key: value for key, value in alarm.items() if key in ALARM_INPUTS}
    cloudwatch.put_metric_alarm(**{**kept, **change})


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
