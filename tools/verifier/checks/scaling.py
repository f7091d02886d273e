"""Scaling: every policy the stack declares on the group, each step policy's alarm, the schedules.

Names come from `components.plans.names`, the functions the Scaling component names its
resources with. A policy, alarm or scheduled action the stack does not declare is a fail
too: it changes how the group scales behind the stack's back. Alarm states are reported:
a step alarm without data scales nothing (the release is not publishing its metric).
"""

from __future__ import annotations

from typing import Any

from components.plans import names
from components.plans.scaling import PREDICTIVE, STEP, TARGET_TRACKING, described_size, step_adjustments
from components.settings import (
    PREDEFINED_TARGET_METRICS,
    PREDICTIVE_METRIC_PAIRS,
    StepPolicySettings,
    TargetTrackingSettings,
)

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .common import not_found

NAME = "scaling policies and alarms"
NO_DATA, FIRING = "INSUFFICIENT_DATA", "ALARM"
ALARM_NAMES_PER_CALL = 100
"""DescribeAlarms takes at most 100 alarm names."""


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "scaling.policies", "Auto Scaling group")]
    autoscaling = env.aws.client("autoscaling")
    policies = {
        p["PolicyName"]: p
        for p in env.aws.pages(
            "autoscaling", "describe_policies", "ScalingPolicies", AutoScalingGroupName=env.group_name
        )
    }
    settings = env.settings
    findings = [_target_tracking(env, t, policies) for t in settings.scaling.target_tracking]
    findings += [_step(env, s, policies) for s in settings.scaling.step]
    if settings.scaling.predictive is not None:
        findings.append(_predictive(env, policies))
    findings.append(_undeclared_policies(env, policies))
    actions = autoscaling.describe_scheduled_actions(AutoScalingGroupName=env.group_name)["ScheduledUpdateGroupActions"]
    findings.append(_schedules(env, actions))
    return findings


def acts_on(alarm: dict[str, Any], target: str, actions: str = "AlarmActions") -> bool:
    """Whether `alarm` still calls `target` (a policy or topic ARN) from its `actions` list:
    `aws cloudwatch disable-alarm-actions` keeps the list but silences it."""
    return alarm.get("ActionsEnabled", True) and target in alarm.get(actions, [])


def alarms_named(env: Environment, alarm_names: list[str]) -> dict[str, dict[str, Any]]:
    """The metric alarms among `alarm_names` that exist, by name."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(alarm_names), ALARM_NAMES_PER_CALL):
        batch = alarm_names[start : start + ALARM_NAMES_PER_CALL]
        for alarm in env.aws.pages("cloudwatch", "describe_alarms", "MetricAlarms", AlarmNames=batch):
            found[alarm["AlarmName"]] = alarm
    return found


# --- policies ---------------------------------------------------------------------------------


def _target_tracking(env: Environment, tracking: TargetTrackingSettings, policies: dict[str, dict]) -> Finding:
    name = names.target_tracking_policy_name(env.settings, tracking)
    check = f"scaling.{name.removeprefix(env.settings.qualified_name + '-')}"
    policy = policies.get(name)
    if policy is None or policy.get("PolicyType") != TARGET_TRACKING:
        return _missing_policy(env, check, name, TARGET_TRACKING)
    config = policy.get("TargetTrackingConfiguration", {})
    drift = _drift(
        {
            "metric": _tracked_metric(config),
            "TargetValue": float(config.get("TargetValue", 0)),
            "DisableScaleIn": bool(config.get("DisableScaleIn", False)),
            "EstimatedInstanceWarmup": policy.get("EstimatedInstanceWarmup"),
        },
        {
            "metric": _declared_metric(tracking),
            "TargetValue": float(tracking.target),
            "DisableScaleIn": tracking.disable_scale_in,
            "EstimatedInstanceWarmup": tracking.warmup,
        },
    )
    # AWS creates and names target tracking alarms itself, and lists them on the policy
    listed = [a["AlarmName"] for a in policy.get("Alarms", [])]
    missing = sorted(set(listed) - set(alarms_named(env, listed)))
    drift += [f"its alarm {alarm} was deleted: the policy cannot scale" for alarm in missing]
    if drift:
        return failed(check, f"{name}: {'; '.join(drift)}", UP_FIX)
    return passed(check, f"{name}: {_declared_metric(tracking)} at {tracking.target:g}")


def _tracked_metric(config: dict[str, Any]) -> str:
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        return predefined.get("PredefinedMetricType", "?")
    custom = config.get("CustomizedMetricSpecification", {})
    return f"{custom.get('Namespace')}/{custom.get('MetricName')}"


def _declared_metric(tracking: TargetTrackingSettings) -> str:
    spec = tracking.customized_metric()
    return PREDEFINED_TARGET_METRICS[tracking.metric] if spec is None else f"{spec.namespace}/{spec.name}"


def _step(env: Environment, step: StepPolicySettings, policies: dict[str, dict]) -> Finding:
    name = names.step_policy_name(env.settings, step)
    check = f"scaling.step-{step.name}"
    policy = policies.get(name)
    if policy is None or policy.get("PolicyType") != STEP:
        return _missing_policy(env, check, name, STEP)
    alarm_name = names.step_alarm_name(env.settings, step)
    alarm = alarms_named(env, [alarm_name]).get(alarm_name)
    if alarm is None:
        return failed(check, f"{name}: its alarm {alarm_name} is missing: the policy never runs", UP_FIX)
    if not acts_on(alarm, policy["PolicyARN"]):
        return failed(check, f"{name}: the alarm {alarm_name} no longer triggers the policy", UP_FIX)
    drift = _drift(
        {
            "Threshold": alarm.get("Threshold"),
            "ComparisonOperator": alarm.get("ComparisonOperator"),
            "metric": f"{alarm.get('Namespace')}/{alarm.get('MetricName')}",
            "Dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
        },
        {
            "Threshold": float(step.threshold),
            "ComparisonOperator": step.comparison,
            "metric": f"{step.metric.namespace}/{step.metric.name}",
            "Dimensions": step.metric.all_dimensions(env.group_name),
        },
    )
    drift += _drift(
        {"adjustments": _adjustments(policy)},
        {"adjustments": step_adjustments(step)},
    )
    if drift:
        return failed(check, f"{name}: {'; '.join(drift)}", UP_FIX)
    metric = f"{step.metric.namespace}/{step.metric.name}"
    state = alarm.get("StateValue")
    if state == NO_DATA:
        return warned(
            check,
            f"{name}: alarm {alarm_name} has no data for {metric}",
            "check that the release publishes the metric to the CloudWatch agent's StatsD listener",
        )
    doing = " (scaling now)" if state == FIRING else ""
    return passed(check, f"{name}: alarm {alarm_name} {state}{doing}")


def _adjustments(policy: dict[str, Any]) -> list[tuple]:
    """(from, to, change) relative to the threshold, lowest first: the settings' steps' shape."""
    steps = [
        (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"])
        for s in policy.get("StepAdjustments", [])
    ]
    return sorted(steps, key=lambda s: float("-inf") if s[0] is None else s[0])


def _predictive(env: Environment, policies: dict[str, dict]) -> Finding:
    name = names.predictive_policy_name(env.settings)
    declared = env.settings.scaling.predictive
    policy = policies.get(name)
    if policy is None or policy.get("PolicyType") != PREDICTIVE:
        return _missing_policy(env, "scaling.predictive", name, PREDICTIVE)
    config = policy.get("PredictiveScalingConfiguration", {})
    specs = config.get("MetricSpecifications", [{}])
    pair = (specs[0] if specs else {}).get("PredefinedMetricPairSpecification", {})
    drift = _drift(
        {"Mode": config.get("Mode"), "metric": pair.get("PredefinedMetricType")},
        {"Mode": declared.mode, "metric": PREDICTIVE_METRIC_PAIRS[declared.metric]},
    )
    if drift:
        return failed("scaling.predictive", f"{name}: {'; '.join(drift)}", UP_FIX)
    return passed("scaling.predictive", f"{name}: {declared.mode} on {PREDICTIVE_METRIC_PAIRS[declared.metric]}")


def _undeclared_policies(env: Environment, policies: dict[str, dict]) -> Finding:
    extra = sorted(set(policies) - set(names.scaling_policy_names(env.settings)))
    if extra:
        return failed(
            "scaling.undeclared",
            f"policies the stack does not declare: {', '.join(extra)}",
            "delete them (aws autoscaling delete-policy) or declare them in the stack's scaling section",
        )
    return passed("scaling.undeclared", f"{len(policies)} policies, all declared")


def _missing_policy(env: Environment, check: str, name: str, kind: str) -> Finding:
    return failed(check, f"no {kind} policy {name} on {env.group_name}", UP_FIX)


# --- schedules --------------------------------------------------------------------------------


def _schedules(env: Environment, actions: list[dict[str, Any]]) -> Finding:
    by_name = {a["ScheduledActionName"]: a for a in actions}
    problems = []
    for schedule in env.settings.scaling.schedules:
        name = names.scheduled_action_name(env.settings, schedule)
        action = by_name.pop(name, None)
        if action is None:
            problems.append(f"missing {name}")
            continue
        declared = {
            "Recurrence": schedule.cron,
            "TimeZone": schedule.timezone,
            "MinSize": described_size(schedule.min_size),
            "MaxSize": described_size(schedule.max_size),
            "DesiredCapacity": described_size(schedule.desired_capacity),
        }
        actual = {
            key: described_size(action.get(key)) if key.endswith(("Size", "Capacity")) else action.get(key)
            for key in declared
        }
        problems += [f"{name}: {d}" for d in _drift(actual, declared)]
    problems += [f"undeclared {name}" for name in sorted(by_name)]
    if problems:
        return failed("scaling.schedules", "; ".join(problems), UP_FIX)
    count = len(env.settings.scaling.schedules)
    return passed("scaling.schedules", f"{count} scheduled action{'s' if count != 1 else ''} as declared")


def _drift(actual: dict[str, Any], declared: dict[str, Any]) -> list[str]:
    return [f"{key} {actual[key]!r}, declared {value!r}" for key, value in declared.items() if actual[key] != value]
