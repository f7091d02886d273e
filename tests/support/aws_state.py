"""What moto holds for an applied stack, read through boto3: the readers several test modules share."""

from __future__ import annotations

from typing import Any

from components.plans import names
from tests.support.stacks import Applied

# --- the node group ---------------------------------------------------------------------------


def group_of(applied: Applied) -> dict[str, Any]:
    """The stack's Auto Scaling group."""
    client = applied.client("autoscaling")
    return client.describe_auto_scaling_groups(AutoScalingGroupNames=[applied.outputs["autoScalingGroupName"]])[
        "AutoScalingGroups"
    ][0]


def template_data(applied: Applied, version: str | None = None) -> dict[str, Any]:
    """The launch template version the group launches from, as EC2 holds it."""
    group = group_of(applied)
    spec = group.get("LaunchTemplate") or group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    versions = applied.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=spec["LaunchTemplateId"], Versions=[version or spec["Version"]]
    )["LaunchTemplateVersions"]
    return versions[0]["LaunchTemplateData"]


# --- the network ------------------------------------------------------------------------------


def default_route(ec2: Any, subnet_id: str) -> dict[str, Any] | None:
    """The 0.0.0.0/0 route of the subnet's own route table, or None."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])[
        "RouteTables"
    ]
    assert len(tables) == 1, f"{subnet_id} has no route table of its own"
    routes = [r for r in tables[0]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return routes[0] if routes else None


# --- the load balancer ------------------------------------------------------------------------


def balancer_of(applied: Applied) -> dict[str, Any]:
    """The account's one load balancer."""
    balancers = applied.client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert len(balancers) == 1
    return balancers[0]


def attributes_of(pairs: list[dict[str, str]]) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in pairs}


def listeners_by_port(applied: Applied) -> dict[int, dict[str, Any]]:
    """Port -> listener, as moto holds them."""
    elbv2 = applied.client("elbv2")
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer_of(applied)["LoadBalancerArn"])["Listeners"]
    return {listener["Port"]: listener for listener in listeners}


def target_group_of(applied: Applied) -> dict[str, Any]:
    elbv2 = applied.client("elbv2")
    return elbv2.describe_target_groups(TargetGroupArns=[applied.outputs["targetGroupArn"]])["TargetGroups"][0]


def target_group_attributes(applied: Applied) -> dict[str, str]:
    elbv2 = applied.client("elbv2")
    pairs = elbv2.describe_target_group_attributes(TargetGroupArn=applied.outputs["targetGroupArn"])["Attributes"]
    return attributes_of(pairs)


def subnet_ids_of(balancer: dict[str, Any]) -> set[str]:
    return {zone["SubnetId"] for zone in balancer["AvailabilityZones"]}


def real_request_count_label(applied: Applied) -> str:
    """`<load balancer ARN suffix>/<target group ARN suffix>`, computed from what moto holds."""
    target_group = target_group_of(applied)
    [balancer_arn] = target_group["LoadBalancerArns"]
    return f"{balancer_arn.split(':loadbalancer/')[1]}/{target_group['TargetGroupArn'].split(':')[-1]}"


# --- scaling and monitoring -------------------------------------------------------------------


def policies_of(applied: Applied) -> dict[str, dict[str, Any]]:
    """The group's scaling policies in moto, by name."""
    autoscaling = applied.client("autoscaling")
    found = autoscaling.describe_policies(AutoScalingGroupName=applied.outputs["autoScalingGroupName"])
    return {p["PolicyName"]: p for p in found["ScalingPolicies"]}


def alarms_of(applied: Applied) -> dict[str, dict[str, Any]]:
    """The stack's health alarms in moto, by role (the name without the stack's prefix)."""
    wanted = names.health_alarm_names(applied.settings)
    found = applied.client("cloudwatch").describe_alarms(AlarmNames=wanted)["MetricAlarms"]
    return {a["AlarmName"].removeprefix(f"{applied.settings.qualified_name}-"): a for a in found}
