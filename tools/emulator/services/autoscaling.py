"""EC2 Auto Scaling: groups, lifecycle hooks, scaling policies, scheduled actions.

Covers: aws:autoscaling Group (launch template or mixed instances policy, target groups,
ELB health checks, group metrics, tags that propagate at launch), LifecycleHook, Policy
(simple, step, target tracking and predictive), Schedule.

moto launches the group's instances and registers them with its target groups. A group's
`instanceRefresh` is what the provider sends with the refresh it starts when an update
changes the template; a create starts none, so it is kept in state (the refresh API moto
lacks is instance_refresh.py's; the default warmup it forgets, group_attributes.py keeps).

An update does what the provider's resourceGroupUpdate does (terraform-provider-aws
internal/service/autoscaling/group.go): one UpdateAutoScalingGroup with the changed settings;
tags, target groups and metrics through their own calls; and, when the launch template or the
mixed instances policy changed and the group has `instanceRefresh`, StartInstanceRefresh with
the preferences expandRefreshPreferences sends (the schema's defaults included: min 90, max
100, Ignore for scale-in-protected and standby instances, no skip matching, no auto-rollback;
a desired configuration only with auto-rollback), cancelling a refresh in progress first and
starting again, as startInstanceRefresh does. A deleted group is drained first (sizes 0).
Hooks, policies and schedules are Put again with their new settings.
What moto lacks besides: it never fires alarm actions, so policies never run; and it
ignores the launch template's metadata options on the instances it launches. With a
mixed instances policy it launches from the template without the overrides' instance
types, and truncates fractional capacity (desired 3, on-demand base 2 and 25% above it
launches 2 instances, where AWS launches 3).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..core.registry import Created, EmulatorError, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone
from ..core.wire import to_int, without_none

NAME_MAX = 255
# A scheduled action's sizes in the Terraform provider: -1 leaves the size unchanged, and
# an absent size defaults to 0 (which would empty the group: programs must pass -1).
UNSET_SIZE = -1
ABSENT_SIZE_DEFAULT = 0


def _autoscaling(aws: AwsSession) -> Any:
    return aws.client("autoscaling")


@resource("aws:autoscaling/group:Group")
def group(aws: AwsSession, req: Request) -> Created:
    client = _autoscaling(aws)
    name = aws.physical_name(req, NAME_MAX)
    aws_call(
        req,
        client.create_auto_scaling_group,
        AutoScalingGroupName=name,
        MinSize=int(req.get("minSize")),
        MaxSize=int(req.get("maxSize")),
        DesiredCapacity=to_int(req.get("desiredCapacity")),
        VPCZoneIdentifier=",".join(req.get("vpcZoneIdentifiers", [])) or None,
        LaunchTemplate=_launch_template(req.get("launchTemplate")),
        MixedInstancesPolicy=_mixed_instances(req.get("mixedInstancesPolicy")),
        TargetGroupARNs=req.get("targetGroupArns"),
        HealthCheckType=req.get("healthCheckType"),
        HealthCheckGracePeriod=to_int(req.get("healthCheckGracePeriod")),
        DefaultInstanceWarmup=to_int(req.get("defaultInstanceWarmup")),
        DefaultCooldown=to_int(req.get("defaultCooldown")),
        CapacityRebalance=req.get("capacityRebalance"),
        TerminationPolicies=req.get("terminationPolicies"),
        NewInstancesProtectedFromScaleIn=req.get("protectFromScaleIn"),
        Tags=[_tag(name, t) for t in req.get("tags", [])] or None,
    )
    if req.get("enabledMetrics"):
        aws_call(
            req,
            client.enable_metrics_collection,
            AutoScalingGroupName=name,
            Metrics=req.get("enabledMetrics"),
            Granularity=req.get("metricsGranularity", "1Minute"),
        )
    arn = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
        "AutoScalingGroupARN"
    ]
    state = {**req.inputs, "name": name, "arn": arn, "metricsGranularity": req.get("metricsGranularity", "1Minute")}
    return Created(name, state)


def _launch_template(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if not spec:
        return None
    return without_none(
        {
            "LaunchTemplateId": spec.get("id"),
            "LaunchTemplateName": spec.get("name"),
            "Version": None if spec.get("version") is None else str(spec.get("version")),
        }
    )


def _mixed_instances(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    if not policy:
        return None
    template = policy.get("launchTemplate", {})
    spec = template.get("launchTemplateSpecification", {})
    distribution = policy.get("instancesDistribution", {})
    result: dict[str, Any] = {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {
                "LaunchTemplateId": spec.get("launchTemplateId"),
                "Version": str(spec.get("version")),
            },
            "Overrides": [{"InstanceType": o.get("instanceType")} for o in template.get("overrides", [])],
        }
    }
    if distribution:
        result["InstancesDistribution"] = without_none(
            {
                "OnDemandBaseCapacity": to_int(distribution.get("onDemandBaseCapacity")),
                "OnDemandPercentageAboveBaseCapacity": to_int(distribution.get("onDemandPercentageAboveBaseCapacity")),
                "SpotAllocationStrategy": distribution.get("spotAllocationStrategy"),
                "OnDemandAllocationStrategy": distribution.get("onDemandAllocationStrategy"),
            }
        )
    return result


def _tag(group_name: str, tag: dict[str, Any]) -> dict[str, Any]:
    return {
        "ResourceId": group_name,
        "ResourceType": "auto-scaling-group",
        "Key": tag["key"],
        "Value": tag["value"],
        "PropagateAtLaunch": bool(tag.get("propagateAtLaunch", False)),
    }


@resource("aws:autoscaling/lifecycleHook:LifecycleHook")
def lifecycle_hook(aws: AwsSession, req: Request) -> Created:
    aws_call(
        req,
        _autoscaling(aws).put_lifecycle_hook,
        LifecycleHookName=req.get("name"),
        AutoScalingGroupName=req.get("autoscalingGroupName"),
        LifecycleTransition=req.get("lifecycleTransition"),
        HeartbeatTimeout=to_int(req.get("heartbeatTimeout")),
        DefaultResult=req.get("defaultResult"),
        NotificationTargetARN=req.get("notificationTargetArn"),
        RoleARN=req.get("roleArn"),
        NotificationMetadata=req.get("notificationMetadata"),
    )
    return Created(req.get("name"), dict(req.inputs))


@resource("aws:autoscaling/policy:Policy")
def policy(aws: AwsSession, req: Request) -> Created:
    return _put_policy(aws, req, aws.physical_name(req, NAME_MAX))


def _put_policy(aws: AwsSession, req: Request, name: str) -> Created:
    kind = req.get("policyType", "SimpleScaling")
    client = _autoscaling(aws)
    aws_call(
        req,
        client.put_scaling_policy,
        AutoScalingGroupName=req.get("autoscalingGroupName"),
        PolicyName=name,
        PolicyType=kind,
        AdjustmentType=req.get("adjustmentType"),
        MinAdjustmentMagnitude=to_int(req.get("minAdjustmentMagnitude")),
        ScalingAdjustment=to_int(req.get("scalingAdjustment")),
        Cooldown=to_int(req.get("cooldown")),
        MetricAggregationType=req.get("metricAggregationType"),
        EstimatedInstanceWarmup=to_int(req.get("estimatedInstanceWarmup")),
        StepAdjustments=[_step(s) for s in req.get("stepAdjustments", [])] or None,
        TargetTrackingConfiguration=_target_tracking(req.get("targetTrackingConfiguration")),
        PredictiveScalingConfiguration=_predictive(req.get("predictiveScalingConfiguration")),
        Enabled=req.get("enabled"),
    )
    # read the ARN back: moto's PutScalingPolicy answer misspells the PolicyARN field
    arn = client.describe_policies(AutoScalingGroupName=req.get("autoscalingGroupName"), PolicyNames=[name])[
        "ScalingPolicies"
    ][0]["PolicyARN"]
    return Created(name, {**req.inputs, "name": name, "arn": arn, "policyType": kind})


def _step(step: dict[str, Any]) -> dict[str, Any]:
    # the provider carries the bounds as strings: "" means unbounded
    result: dict[str, Any] = {"ScalingAdjustment": int(step["scalingAdjustment"])}
    for ours, theirs in (
        ("metricIntervalLowerBound", "MetricIntervalLowerBound"),
        ("metricIntervalUpperBound", "MetricIntervalUpperBound"),
    ):
        if step.get(ours) not in (None, ""):
            result[theirs] = float(step[ours])
    return result


def _target_tracking(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    result = _camel_to_pascal(config)
    custom = result.get("CustomizedMetricSpecification")
    if custom and "MetricDimensions" in custom:
        custom["Dimensions"] = custom.pop("MetricDimensions")
    return result


def _predictive(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    result = _camel_to_pascal(config)
    # the provider has one metric specification; the API takes a list
    result["MetricSpecifications"] = [result.pop("MetricSpecification")]
    for key in ("SchedulingBufferTime", "MaxCapacityBuffer"):  # strings in the provider
        if result.get(key) not in (None, ""):
            result[key] = int(result[key])
    return result


_ACRONYMS = {"Arn": "ARN"}


def _camel_to_pascal(value: Any) -> Any:
    """Pulumi's camelCase wire shape as the AutoScaling API's PascalCase one."""
    if isinstance(value, dict):
        return {_pascal(k): _camel_to_pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_to_pascal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pascal(key: str) -> str:
    key = key[0].upper() + key[1:]
    for short, long in _ACRONYMS.items():
        key = key.replace(short, long)
    return key


@resource("aws:autoscaling/schedule:Schedule")
def schedule(aws: AwsSession, req: Request) -> Created:
    name = req.get("scheduledActionName")
    aws_call(
        req,
        _autoscaling(aws).put_scheduled_update_group_action,
        AutoScalingGroupName=req.get("autoscalingGroupName"),
        ScheduledActionName=name,
        Recurrence=req.get("recurrence"),
        TimeZone=req.get("timeZone"),
        StartTime=req.get("startTime") or None,
        EndTime=req.get("endTime") or None,
        MinSize=_size(req.get("minSize")),
        MaxSize=_size(req.get("maxSize")),
        DesiredCapacity=_size(req.get("desiredCapacity")),
    )
    actions = _autoscaling(aws).describe_scheduled_actions(
        AutoScalingGroupName=req.get("autoscalingGroupName"), ScheduledActionNames=[name]
    )["ScheduledUpdateGroupActions"]
    return Created(name, {**req.inputs, "arn": actions[0].get("ScheduledActionARN")})


def _size(value: Any) -> int | None:
    size = ABSENT_SIZE_DEFAULT if value is None else int(value)
    return None if size == UNSET_SIZE else size


# --- changes to an applied stack: updates in place and deletes ------------------------------

SEPARATE_CALLS = ("enabledMetrics", "tags", "targetGroupArns")
"""Group settings the provider changes through their own calls, not UpdateAutoScalingGroup."""
REFRESH_TRIGGERS = ("launchTemplate", "mixedInstancesPolicy")
"""What starts an instance refresh when it changes (the provider's shouldRefreshInstances)."""
TERMINATION_POLICY_DEFAULT = "Default"

REFRESH_DEFAULTS: dict[str, Any] = {
    "minHealthyPercentage": 90,
    "maxHealthyPercentage": 100,
    "scaleInProtectedInstances": "Ignore",
    "skipMatching": False,
    "standbyInstances": "Ignore",
    "autoRollback": False,
}
"""The instance_refresh.preferences schema's defaults, which the provider sends like any value."""

GROUP_SETTINGS = {
    "capacityRebalance": ("CapacityRebalance", lambda v: bool(v)),
    "defaultCooldown": ("DefaultCooldown", to_int),
    "defaultInstanceWarmup": ("DefaultInstanceWarmup", to_int),
    "desiredCapacity": ("DesiredCapacity", to_int),
    "healthCheckGracePeriod": ("HealthCheckGracePeriod", to_int),
    "maxInstanceLifetime": ("MaxInstanceLifetime", to_int),
    "maxSize": ("MaxSize", to_int),
    "minSize": ("MinSize", to_int),
    "launchTemplate": ("LaunchTemplate", _launch_template),
    "mixedInstancesPolicy": ("MixedInstancesPolicy", _mixed_instances),
    "terminationPolicies": ("TerminationPolicies", lambda v: v or [TERMINATION_POLICY_DEFAULT]),
    "vpcZoneIdentifiers": ("VPCZoneIdentifier", lambda v: ",".join(v or [])),
}
"""Wire property -> UpdateAutoScalingGroup parameter and how its value is sent (resourceGroupUpdate)."""


@updates(
    "aws:autoscaling/group:Group",
    handles=(
        *GROUP_SETTINGS,
        *SEPARATE_CALLS,
        "healthCheckType",
        "instanceRefresh",
        "metricsGranularity",
        "protectFromScaleIn",
        "waitForCapacityTimeout",
    ),
)
def update_group(aws: AwsSession, req: Request, old: Existing) -> Created:
    client, name = _autoscaling(aws), old.id
    changes = {key for key in {*old.inputs, *req.inputs} if old.inputs.get(key) != req.inputs.get(key)}
    if changes - set(SEPARATE_CALLS):
        update = {GROUP_SETTINGS[key][0]: GROUP_SETTINGS[key][1](req.get(key)) for key in changes & set(GROUP_SETTINGS)}
        if "healthCheckType" in changes:
            update["HealthCheckType"] = req.get("healthCheckType")
            update["HealthCheckGracePeriod"] = to_int(req.get("healthCheckGracePeriod"))
        aws_call(
            req,
            client.update_auto_scaling_group,
            AutoScalingGroupName=name,
            NewInstancesProtectedFromScaleIn=bool(req.get("protectFromScaleIn", False)),
            **update,
        )
    if "tags" in changes:
        _retag_group(aws, req, old)
    if "targetGroupArns" in changes:
        _move_target_groups(aws, req, old)
    if changes & set(REFRESH_TRIGGERS) and req.get("instanceRefresh"):
        start_refresh(aws, req, name, req.get("instanceRefresh"))
    if "enabledMetrics" in changes:
        _switch_metrics(aws, req, old)
    granularity = req.get("metricsGranularity", "1Minute")
    return Created(name, old.updated(req, metricsGranularity=granularity))


def start_refresh(aws: AwsSession, req: Request, group_name: str, refresh: dict[str, Any]) -> str:
    """StartInstanceRefresh as the provider sends it; a refresh in progress is cancelled first."""
    client = _autoscaling(aws)
    request = without_none(
        {
            "AutoScalingGroupName": group_name,
            "Strategy": refresh.get("strategy"),
            "Preferences": refresh_preferences(refresh["preferences"]) if refresh.get("preferences") else None,
        }
    )
    if request.get("Preferences", {}).get("AutoRollback"):  # "cannot be set to true when DesiredConfiguration is empty"
        request["DesiredConfiguration"] = without_none(
            {
                "LaunchTemplate": _launch_template(req.get("launchTemplate")),
                "MixedInstancesPolicy": _mixed_instances(req.get("mixedInstancesPolicy")),
            }
        )
    try:
        return client.start_instance_refresh(**request)["InstanceRefreshId"]
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "InstanceRefreshInProgress":
            raise EmulatorError(f"{req.type} '{req.name}': {err}") from None
    aws_call(req, client.cancel_instance_refresh, AutoScalingGroupName=group_name)
    return aws_call(req, client.start_instance_refresh, **request)["InstanceRefreshId"]


def refresh_preferences(preferences: dict[str, Any]) -> dict[str, Any]:
    """expandRefreshPreferences: the wire preferences, with the schema's defaults, as the API takes them."""
    given = {**REFRESH_DEFAULTS, **{k: v for k, v in preferences.items() if v is not None}}
    result: dict[str, Any] = {
        "MinHealthyPercentage": int(given["minHealthyPercentage"]),
        "MaxHealthyPercentage": int(given["maxHealthyPercentage"]),
        "ScaleInProtectedInstances": given["scaleInProtectedInstances"],
        "SkipMatching": bool(given["skipMatching"]),
        "StandbyInstances": given["standbyInstances"],
        "AutoRollback": bool(given["autoRollback"]),
    }
    for ours, theirs in (("instanceWarmup", "InstanceWarmup"), ("checkpointDelay", "CheckpointDelay")):
        if given.get(ours) not in (None, ""):  # nullable ints the provider carries as strings
            result[theirs] = int(given[ours])
    if given.get("checkpointPercentages"):
        result["CheckpointPercentages"] = [int(p) for p in given["checkpointPercentages"]]
    if given.get("alarmSpecification"):
        result["AlarmSpecification"] = {"Alarms": list(given["alarmSpecification"].get("alarms") or [])}
    return result


def _retag_group(aws: AwsSession, req: Request, old: Existing) -> None:
    before = {t["key"]: t for t in old.inputs.get("tags") or []}
    after = {t["key"]: t for t in req.get("tags", [])}
    client, name = _autoscaling(aws), old.id
    removed = [_tag(name, tag) for key, tag in before.items() if key not in after]
    if removed:
        aws_call(req, client.delete_tags, Tags=removed)
    changed = [_tag(name, tag) for key, tag in after.items() if before.get(key) != tag]
    if changed:
        aws_call(req, client.create_or_update_tags, Tags=changed)


def _move_target_groups(aws: AwsSession, req: Request, old: Existing) -> None:
    before, after = set(old.inputs.get("targetGroupArns") or []), set(req.get("targetGroupArns", []))
    client, name = _autoscaling(aws), old.id
    if before - after:
        aws_call(
            req,
            client.detach_load_balancer_target_groups,
            AutoScalingGroupName=name,
            TargetGroupARNs=sorted(before - after),
        )
    if after - before:
        aws_call(
            req,
            client.attach_load_balancer_target_groups,
            AutoScalingGroupName=name,
            TargetGroupARNs=sorted(after - before),
        )


def _switch_metrics(aws: AwsSession, req: Request, old: Existing) -> None:
    before, after = set(old.inputs.get("enabledMetrics") or []), set(req.get("enabledMetrics", []))
    client, name = _autoscaling(aws), old.id
    if before - after:
        aws_call(req, client.disable_metrics_collection, AutoScalingGroupName=name, Metrics=sorted(before - after))
    if after - before:
        aws_call(
            req,
            client.enable_metrics_collection,
            AutoScalingGroupName=name,
            Metrics=sorted(after - before),
            Granularity=req.get("metricsGranularity", "1Minute"),
        )


@deletes("aws:autoscaling/group:Group")
def delete_group(aws: AwsSession, old: Existing) -> None:
    """drainGroup first (no instance left to a forced delete), then DeleteAutoScalingGroup."""
    client = _autoscaling(aws)
    gone(
        old,
        client.update_auto_scaling_group,
        missing="not found",
        AutoScalingGroupName=old.id,
        MinSize=0,
        MaxSize=0,
        DesiredCapacity=0,
    )
    gone(old, client.delete_auto_scaling_group, missing="not found", AutoScalingGroupName=old.id)


@updates(
    "aws:autoscaling/lifecycleHook:LifecycleHook",
    handles=(
        "autoscalingGroupName",
        "defaultResult",
        "heartbeatTimeout",
        "lifecycleTransition",
        "notificationMetadata",
        "notificationTargetArn",
        "roleArn",
    ),
)
def update_lifecycle_hook(aws: AwsSession, req: Request, old: Existing) -> Created:
    return lifecycle_hook(aws, req)  # the provider's update is its create: PutLifecycleHook


@deletes("aws:autoscaling/lifecycleHook:LifecycleHook")
def delete_lifecycle_hook(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _autoscaling(aws).delete_lifecycle_hook,
        missing="No Lifecycle Hook found",
        AutoScalingGroupName=old.inputs.get("autoscalingGroupName"),
        LifecycleHookName=old.id,
    )


@updates(
    "aws:autoscaling/policy:Policy",
    handles=(
        "adjustmentType",
        "cooldown",
        "enabled",
        "estimatedInstanceWarmup",
        "metricAggregationType",
        "minAdjustmentMagnitude",
        "policyType",
        "predictiveScalingConfiguration",
        "scalingAdjustment",
        "stepAdjustments",
        "targetTrackingConfiguration",
    ),
)
def update_policy(aws: AwsSession, req: Request, old: Existing) -> Created:
    return _put_policy(aws, req, old.id)  # PutScalingPolicy replaces the policy's settings


@deletes("aws:autoscaling/policy:Policy")
def delete_policy(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _autoscaling(aws).delete_policy,
        missing="not found",
        AutoScalingGroupName=old.inputs.get("autoscalingGroupName"),
        PolicyName=old.id,
    )


@updates(
    "aws:autoscaling/schedule:Schedule",
    handles=("desiredCapacity", "endTime", "maxSize", "minSize", "recurrence", "startTime", "timeZone"),
)
def update_schedule(aws: AwsSession, req: Request, old: Existing) -> Created:
    return schedule(aws, req)  # PutScheduledUpdateGroupAction replaces the action's settings


@deletes("aws:autoscaling/schedule:Schedule")
def delete_schedule(aws: AwsSession, old: Existing) -> None:
    gone(
        old,
        _autoscaling(aws).delete_scheduled_action,
        missing="not found",
        AutoScalingGroupName=old.inputs.get("autoscalingGroupName"),
        ScheduledActionName=old.id,
    )
