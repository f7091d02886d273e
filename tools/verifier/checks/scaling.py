"""Scaling: every policy the stack declares on the group, each step policy's alarm, the schedules.

What is expected is `components.plans.scaling`, the plans the Scaling component declares:
each says how DescribePolicies, DescribeAlarms or DescribeScheduledActions reports it, and
every field it declares is compared. A policy, alarm or scheduled action the stack does not
declare is a fail too: it changes how the group scales behind the stack's back. Alarm states
are reported: a step alarm without data scales nothing (the release is not publishing its metric).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.plans import names
from components.plans.scaling import (
    PredictivePlan,
    ScheduledActionPlan,
    StepPlan,
    TargetTrackingPlan,
    arn_suffix,
    request_count_label,
    scaling_plan,
)

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand, warned
from .common import not_compared, not_found

NAME = "scaling policies and alarms"
NO_DATA, FIRING = "INSUFFICIENT_DATA", "ALARM"
ALARM_NAMES_PER_CALL = 100
"""DescribeAlarms takes at most 100 alarm names."""


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "scaling.policies", "Auto Scaling group")]
    plan = scaling_plan(env.settings)
    policies = {
        p["PolicyName"]: p
        for p in env.aws.pages(
            "autoscaling", "describe_policies", "ScalingPolicies", AutoScalingGroupName=env.group_name
        )
    }
    label = _request_count_label(env)
    findings = [_target_tracking(env, t, policies, label) for t in plan.target_tracking]
    findings += [_step(env, s, policies) for s in plan.step]
    if plan.predictive is not None:
        findings.append(_predictive(env, plan.predictive, policies, label))
    findings.append(_undeclared_policies(env, policies))
    actions = env.aws.client("autoscaling").describe_scheduled_actions(AutoScalingGroupName=env.group_name)
    findings.append(_schedules(plan.schedules, actions["ScheduledUpdateGroupActions"]))
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


def _target_tracking(
    env: Environment, tracking: TargetTrackingPlan, policies: dict[str, dict], label: str | None
) -> Finding:
    check = f"scaling.{tracking.role}"
    policy = policies.get(tracking.name)
    if policy is None or policy.get("PolicyType") != tracking.policy_type:
        return _missing_policy(env, check, tracking.name, tracking.policy_type)
    drift = _drift(policy, tracking.described(env.group_name, label), label_known=label is not None)
    # AWS creates and names target tracking alarms itself, and lists them on the policy
    listed = [a["AlarmName"] for a in policy.get("Alarms", [])]
    missing = sorted(set(listed) - set(alarms_named(env, listed)))
    drift += [f"its alarm {alarm} was deleted: the policy cannot scale" for alarm in missing]
    if drift:
        return failed(check, f"{tracking.name}: {'; '.join(drift)}", _TRACKING_ALARMS_FIX if missing else UP_FIX)
    return _label_compared(check, f"{tracking.name}: {tracking.metric_name} at {tracking.target:g}", tracking, label)


def _step(env: Environment, step: StepPlan, policies: dict[str, dict]) -> Finding:
    declared, check = step.policy, f"scaling.{step.policy.role}"
    policy = policies.get(declared.name)
    if policy is None or policy.get("PolicyType") != declared.policy_type:
        return _missing_policy(env, check, declared.name, declared.policy_type)
    alarm = alarms_named(env, [step.alarm.name]).get(step.alarm.name)
    if alarm is None:
        return failed(check, f"{declared.name}: its alarm {step.alarm.name} is missing: the policy never runs", UP_FIX)
    if not acts_on(alarm, policy["PolicyARN"]):
        return failed(check, f"{declared.name}: the alarm {step.alarm.name} no longer triggers the policy", UP_FIX)
    drift = _drift(alarm, step.alarm.described(env.group_name, policy["PolicyARN"]))
    drift += _drift(policy, declared.described())
    if drift:
        return failed(check, f"{declared.name}: {'; '.join(drift)}", UP_FIX)
    state = alarm.get("StateValue")
    if state == NO_DATA:
        return warned(
            check,
            f"{declared.name}: alarm {step.alarm.name} has no data for {step.alarm.metric.path}",
            "check that the release publishes the metric to the CloudWatch agent's StatsD listener",
        )
    doing = " (scaling now)" if state == FIRING else ""
    return passed(check, f"{declared.name}: alarm {step.alarm.name} {state}{doing}")


def _predictive(env: Environment, forecast: PredictivePlan, policies: dict[str, dict], label: str | None) -> Finding:
    check = f"scaling.{forecast.role}"
    policy = policies.get(forecast.name)
    if policy is None or policy.get("PolicyType") != forecast.policy_type:
        return _missing_policy(env, check, forecast.name, forecast.policy_type)
    drift = _drift(policy, forecast.described(label), label_known=label is not None)
    if drift:
        return failed(check, f"{forecast.name}: {'; '.join(drift)}", UP_FIX)
    return _label_compared(check, f"{forecast.name}: {forecast.mode} on {forecast.metric_pair}", forecast, label)


_TRACKING_ALARMS_FIX = (
    "AWS re-creates a target tracking policy's alarms only when the policy is put again, and Pulumi's state "
    "holds the policy, not its alarms: replace the policy (`pulumi up --target-replace <its URN>`, "
    "`pulumi stack --show-urns` lists it)"
)


def _label_compared(check: str, detail: str, plan: TargetTrackingPlan | PredictivePlan, label: str | None) -> Finding:
    """A pass, unless the policy tracks requests per target and the load balancer or target group
    its ResourceLabel names was not found: then that part was not compared."""
    if label is None and plan.counts_requests:
        return not_compared(check, detail, ["the load balancer or target group its ResourceLabel names"])
    return passed(check, detail)


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


def _request_count_label(env: Environment) -> str | None:
    """The label request-count metrics carry for the stack's load balancer and target group (None: not found)."""
    if env.load_balancer is None or env.target_group is None:
        return None
    return request_count_label(
        arn_suffix(env.load_balancer["LoadBalancerArn"]), arn_suffix(env.target_group["TargetGroupArn"])
    )


# --- schedules --------------------------------------------------------------------------------


def _schedules(schedules: tuple[ScheduledActionPlan, ...], actions: list[dict[str, Any]]) -> Finding:
    by_name = {a["ScheduledActionName"]: a for a in actions}
    problems = []
    for schedule in schedules:
        action = by_name.pop(schedule.name, None)
        if action is None:
            problems.append(f"missing {schedule.name}")
            continue
        problems += [f"{schedule.name}: {d}" for d in _drift(action, schedule.described())]
    problems += [f"undeclared {name}" for name in sorted(by_name)]
    if by_name:
        delete = f"delete {', '.join(sorted(by_name))} (aws autoscaling delete-scheduled-action)"
        return failed("scaling.schedules", "; ".join(problems), remove_by_hand(delete))
    if problems:
        return failed("scaling.schedules", "; ".join(problems), UP_FIX)
    count = len(schedules)
    return passed("scaling.schedules", f"{count} scheduled action{'s' if count != 1 else ''} as declared")


# --- comparing --------------------------------------------------------------------------------

LABEL = "ResourceLabel"


def _drift(actual: Mapping[str, Any], described: Mapping[str, Any], *, label_known: bool = True) -> list[str]:
    """`<field> <actual>, declared <value>` for each field of `described` that AWS reports otherwise."""
    declared, found = _fields(described), _fields(actual)
    if not label_known:  # the load balancer or target group is missing: their own checks say so
        declared.pop(LABEL, None)
    return [
        f"{key} {found.get(key)!r}, declared {value!r}" for key, value in declared.items() if found.get(key) != value
    ]


def _fields(reply: Mapping[str, Any]) -> dict[str, Any]:
    """A Describe reply's fields by their own name: nested structures opened, the one metric
    specification opened, dimensions as a dict, step adjustments as (lower, upper, change) lowest first."""
    fields: dict[str, Any] = {}
    for key, value in reply.items():
        if isinstance(value, Mapping):
            fields.update(_fields(value))
        elif key == "MetricSpecifications":
            fields.update(_fields(value[0]) if value else {})
        elif key == "Dimensions":
            fields[key] = {d["Name"]: d["Value"] for d in value}
        elif key == "StepAdjustments":
            steps = [
                (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"])
                for s in value
            ]
            fields[key] = sorted(steps, key=lambda s: float("-inf") if s[0] is None else s[0])
        else:
            fields[key] = value
    return fields
