"""EC2 Auto Scaling: groups, lifecycle hooks, scaling policies, scheduled actions.

Covers: aws:autoscaling Group (launch template or mixed instances policy, target groups,
ELB health checks, group metrics, tags that propagate at launch), LifecycleHook, Policy
(simple, step, target tracking and predictive), Schedule.

moto launches the group's instances and registers them with its target groups. A group's
`instanceRefresh` is what the provider sends with the refresh it starts when an update
changes the template; a create starts none, so it is kept in state (the refresh API moto
lacks is instance_refresh.py's; the default warmup it forgets, group_attributes.py keeps).
What moto lacks besides: it never fires alarm actions, so policies never run; and it
ignores the launch template's metadata options on the instances it launches. With a
mixed instances policy it launches from the template without the overrides' instance
types, and truncates fractional capacity (desired 3, on-demand base 2 and 25% above it
launches 2 instances, where AWS launches 3).
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Request, resource
from ..core.session import AwsSession, aws_call
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
    name = aws.physical_name(req, NAME_MAX)
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
