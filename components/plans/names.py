"""Names of the scaling and monitoring resources, derived from the stack settings alone.

Scaling policies, alarms, scheduled actions, the alert topic and the dashboard carry
explicit names built here, so that a tool with only the stack file (tools/verify.py) can
find them in the account without Pulumi's state. No pulumi import: plain functions.

Every name starts with the cluster's qualified name (`shop-prod`), which is unique per
stack; target tracking alarms are the exception: AWS creates and names those itself
(`TargetTracking-<group>-AlarmHigh-<uuid>`).
"""

from __future__ import annotations

import hashlib
import re

from ..settings import (
    HEALTH_ALARM_ROLES,
    ScheduleSettings,
    StackSettings,
    StepPolicySettings,
    TargetTrackingSettings,
)
from ..settings import web_acl_name as _existing_web_acl_name


def target_tracking_policy_name(settings: StackSettings, tracking: TargetTrackingSettings) -> str:
    """`shop-prod-track-cpu`; a custom metric: `shop-prod-track-custom-<namespace>-<name>[-<dims hash>]`."""
    if tracking.metric != "custom":
        return f"{settings.qualified_name}-track-{tracking.metric}"
    name = f"{settings.qualified_name}-track-custom-{_slug(tracking.namespace or '')}-{_slug(tracking.name or '')}"
    if tracking.dimensions:  # two custom policies may watch one metric with different dimensions
        name += f"-{_digest(sorted(tracking.dimensions.items()))}"
    return name


def step_policy_name(settings: StackSettings, step: StepPolicySettings) -> str:
    """`shop-prod-step-run-queue`."""
    return f"{settings.qualified_name}-step-{step.name}"


def step_alarm_name(settings: StackSettings, step: StepPolicySettings) -> str:
    """`shop-prod-step-run-queue`: the alarm whose action is the step policy of the same name."""
    return step_policy_name(settings, step)


def predictive_policy_name(settings: StackSettings) -> str:
    """`shop-prod-predictive`."""
    return f"{settings.qualified_name}-predictive"


def scheduled_action_name(settings: StackSettings, schedule: ScheduleSettings) -> str:
    """`shop-prod-weekday-morning`."""
    return f"{settings.qualified_name}-{schedule.name}"


def scaling_policy_names(settings: StackSettings) -> list[str]:
    """Every scaling policy the stack puts on its group: target tracking, step, predictive."""
    scaling = settings.scaling
    names = [target_tracking_policy_name(settings, t) for t in scaling.target_tracking]
    names += [step_policy_name(settings, s) for s in scaling.step]
    if scaling.predictive is not None:
        names.append(predictive_policy_name(settings))
    return names


def step_alarm_names(settings: StackSettings) -> list[str]:
    """The alarms that drive the step policies, one per policy."""
    return [step_alarm_name(settings, s) for s in settings.scaling.step]


def scheduled_action_names(settings: StackSettings) -> list[str]:
    return [scheduled_action_name(settings, s) for s in settings.scaling.schedules]


def health_alarm_name(settings: StackSettings, role: str) -> str:
    """`shop-prod-p99-latency`, for a role in HEALTH_ALARM_ROLES."""
    if role not in HEALTH_ALARM_ROLES:
        raise ValueError(f"no health alarm {role!r}; expected one of {', '.join(HEALTH_ALARM_ROLES)}")
    return f"{settings.qualified_name}-{role}"


def health_alarm_roles(settings: StackSettings) -> list[str]:
    """The health alarms this stack has (settings/alarms.py decides which, from the stack file)."""
    return settings.health_alarm_roles


def health_alarm_names(settings: StackSettings) -> list[str]:
    return [health_alarm_name(settings, role) for role in health_alarm_roles(settings)]


def refresh_alarm_names(settings: StackSettings) -> list[str]:
    """The alarms that fail an instance refresh, as AWS names them: each of the stack file's names
    (settings.refresh_alarms) is a health alarm's role or a step policy's name (never both)."""
    steps = {step.name: step for step in settings.scaling.step}
    return [
        step_alarm_name(settings, steps[name]) if name in steps else health_alarm_name(settings, name)
        for name in settings.refresh_alarms
    ]


def alarm_topic_name(settings: StackSettings) -> str:
    """`shop-prod-alarms`: the SNS topic every health alarm notifies."""
    return f"{settings.qualified_name}-alarms"


def dashboard_name(settings: StackSettings) -> str:
    """`shop-prod`: the CloudWatch dashboard of the cluster."""
    return settings.qualified_name


WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
"""AWS WAF logs only to CloudWatch log groups whose name starts with this:
https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html"""


def web_acl_name(settings: StackSettings) -> str:
    """`shop-prod`: the web ACL the stack creates (also its CloudWatch metric name)."""
    return settings.qualified_name


def watched_web_acl_name(settings: StackSettings) -> str:
    """The web ACL in front of the load balancer: the created one's name, or the name in webAclArn.

    Its metrics carry it as their WebACL dimension (the created ACL's metric name is its name;
    an existing ACL's metric name is assumed to be its name, the console's default)."""
    arn = settings.load_balancer.waf.web_acl_arn
    return _existing_web_acl_name(arn) if arn else web_acl_name(settings)


def waf_log_group_name(settings: StackSettings) -> str:
    """`aws-waf-logs-shop-prod`: where the created web ACL logs."""
    return f"{WAF_LOG_GROUP_PREFIX}{settings.qualified_name}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:8]
