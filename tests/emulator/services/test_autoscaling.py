"""Auto Scaling groups, hooks, policies and schedules in moto."""

from __future__ import annotations

import base64

import pytest

from tests.support.programs import GROUP, NETWORK, TARGET_GROUP
from tools.emulator import EmulatorError

EXPORT = """
pulumi.export("group", group.name)
pulumi.export("tg", tg.arn)
pulumi.export("template", template.id)
"""


def test_group_instances_register_healthy_in_the_target_group(run, aws):
    out = run(NETWORK + TARGET_GROUP + GROUP + EXPORT).outputs
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[out["group"]])["AutoScalingGroups"][
        0
    ]
    assert (group["MinSize"], group["MaxSize"], group["HealthCheckType"], group["HealthCheckGracePeriod"]) == (
        2,
        4,
        "ELB",
        120,
    )
    assert group["TargetGroupARNs"] == [out["tg"]]
    assert {m["Metric"] for m in group["EnabledMetrics"]} == {"GroupInServiceInstances", "GroupDesiredCapacity"}
    instances = {i["InstanceId"] for i in group["Instances"]}
    assert len(instances) == 2
    health = aws("elbv2").describe_target_health(TargetGroupArn=out["tg"])["TargetHealthDescriptions"]
    assert {h["Target"]["Id"] for h in health} == instances
    assert {h["TargetHealth"]["State"] for h in health} == {"healthy"}


def test_tags_propagate_to_the_instances(run, aws):
    out = run(NETWORK + TARGET_GROUP + GROUP + EXPORT).outputs
    reservations = aws("ec2").describe_instances(
        Filters=[{"Name": "tag:elixir-cluster:cluster", "Values": ["shop-dev"]}]
    )["Reservations"]
    assert sum(len(r["Instances"]) for r in reservations) == 2
    assert out["group"]


def test_launch_template_keeps_metadata_options_and_encrypted_gp3(run, aws):
    out = run(NETWORK + TARGET_GROUP + GROUP + EXPORT).outputs
    data = aws("ec2").describe_launch_template_versions(LaunchTemplateId=out["template"])["LaunchTemplateVersions"][0][
        "LaunchTemplateData"
    ]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["InstanceMetadataTags"] == "enabled"
    ebs = data["BlockDeviceMappings"][0]["Ebs"]
    assert (ebs["VolumeType"], ebs["Encrypted"], ebs["VolumeSize"]) == ("gp3", True, 20)


def test_an_image_parameter_that_does_not_exist_fails_the_template(run):
    with pytest.raises(EmulatorError, match="'lt'.*ParameterNotFound"):
        run('aws.ec2.LaunchTemplate("lt", image_id="resolve:ssm:/aws/service/nope", instance_type="t4g.small")\n')


SCALING = """
hook = aws.autoscaling.LifecycleHook("drain", name="drain", autoscaling_group_name=group.name,
    lifecycle_transition="autoscaling:EC2_INSTANCE_TERMINATING", heartbeat_timeout=90, default_result="CONTINUE")
cpu = aws.autoscaling.Policy("cpu", autoscaling_group_name=group.name, policy_type="TargetTrackingScaling",
    target_tracking_configuration={"predefined_metric_specification": {
        "predefined_metric_type": "ASGAverageCPUUtilization"}, "target_value": 60})
steps = aws.autoscaling.Policy("steps", autoscaling_group_name=group.name, policy_type="StepScaling",
    adjustment_type="ChangeInCapacity", step_adjustments=[
        {"metric_interval_lower_bound": "0", "metric_interval_upper_bound": "50", "scaling_adjustment": 1},
        {"metric_interval_lower_bound": "50", "scaling_adjustment": 3}])
aws.autoscaling.Schedule("morning", scheduled_action_name="morning", autoscaling_group_name=group.name,
    recurrence="0 7 * * MON-FRI", time_zone="Europe/Berlin", min_size=3, max_size=-1, desired_capacity=-1)
pulumi.export("cpu", cpu.arn)
"""


def test_hooks_policies_and_schedules(run, aws):
    out = run(NETWORK + TARGET_GROUP + GROUP + EXPORT + SCALING).outputs
    client = aws("autoscaling")
    hook = client.describe_lifecycle_hooks(AutoScalingGroupName=out["group"])["LifecycleHooks"][0]
    assert (hook["LifecycleHookName"], hook["HeartbeatTimeout"], hook["DefaultResult"]) == ("drain", 90, "CONTINUE")
    policies = {
        p["PolicyType"]: p for p in client.describe_policies(AutoScalingGroupName=out["group"])["ScalingPolicies"]
    }
    assert policies["TargetTrackingScaling"]["PolicyARN"] == out["cpu"]
    assert policies["TargetTrackingScaling"]["TargetTrackingConfiguration"]["TargetValue"] == 60
    steps = policies["StepScaling"]["StepAdjustments"]
    assert [
        (s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound"), s["ScalingAdjustment"]) for s in steps
    ] == [
        (0.0, 50.0, 1),
        (50.0, None, 3),
    ]
    action = client.describe_scheduled_actions(AutoScalingGroupName=out["group"])["ScheduledUpdateGroupActions"][0]
    assert (action["Recurrence"], action["TimeZone"], action["MinSize"]) == ("0 7 * * MON-FRI", "Europe/Berlin", 3)
    assert "MaxSize" not in action and "DesiredCapacity" not in action  # -1: left unchanged


def test_a_schedule_without_sizes_sets_them_to_zero_as_the_provider_does(run, aws):
    out = run(
        NETWORK
        + TARGET_GROUP
        + GROUP
        + EXPORT
        + 'aws.autoscaling.Schedule("night", scheduled_action_name="night", autoscaling_group_name=group.name,'
        ' recurrence="0 22 * * *", min_size=1)\n'
    ).outputs
    action = aws("autoscaling").describe_scheduled_actions(AutoScalingGroupName=out["group"])[
        "ScheduledUpdateGroupActions"
    ][0]
    assert action["MaxSize"] == 0 and action["DesiredCapacity"] == 0


def test_a_group_with_a_missing_target_group_fails_like_aws(run):
    missing = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/none/0123456789abcdef"
    program = NETWORK + TARGET_GROUP + GROUP.replace("target_group_arns=[tg.arn]", f"target_group_arns=[{missing!r}]")
    with pytest.raises(EmulatorError, match="'asg'"):
        run(program)


# --- an applied group changed (autoscaling/group.go resourceGroupUpdate) ---------------------------

REFRESHED_GROUP = GROUP.replace(
    "    tags=[",
    '    instance_refresh={"strategy": "Rolling", "preferences": {"min_healthy_percentage": 75, '
    '"instance_warmup": "60"}},\n    tags=[',
)
PROGRAM = NETWORK + TARGET_GROUP + REFRESHED_GROUP + EXPORT


def _refreshes(aws, group: str) -> list[dict]:
    return aws("autoscaling").describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]


def test_a_new_template_version_updates_the_group_and_starts_the_refresh_the_provider_sends(run, update, aws):
    first = run(PROGRAM)
    changes = update(PROGRAM.replace('instance_type="t4g.small"', 'instance_type="t4g.medium"'), first)
    assert {s.name: s.action for s in changes.steps if s.action != "same"} == {"lt": "update", "asg": "update"}
    group_name = first.outputs["group"]
    assert changes.deployment.outputs["group"] == group_name  # the same group, changed in place
    template = aws("ec2").describe_launch_templates(LaunchTemplateIds=[first.outputs["template"]])["LaunchTemplates"][0]
    # a new version; the default moves only with update_default_version, which this template lacks
    assert (template["LatestVersionNumber"], template["DefaultVersionNumber"]) == (2, 1)
    [group] = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    assert group["LaunchTemplate"]["Version"] == "2"
    (refresh,) = _refreshes(aws, group_name)
    assert (refresh["Status"], refresh["Strategy"], refresh["InstancesToUpdate"]) == ("Pending", "Rolling", 2)
    # expandRefreshPreferences sends the schema's defaults with the given values: MaxHealthyPercentage
    # 100 among them, which AWS would not report had it not been sent
    assert refresh["Preferences"] == {
        "MinHealthyPercentage": 75,
        "MaxHealthyPercentage": 100,
        "InstanceWarmup": 60,
        "SkipMatching": False,
        "AutoRollback": False,
        "ScaleInProtectedInstances": "Ignore",
        "StandbyInstances": "Ignore",
    }
    assert "DesiredConfiguration" not in refresh  # only with auto-rollback


def test_a_refresh_in_progress_is_cancelled_before_the_new_one_starts(run, update, aws):
    first = run(PROGRAM)
    group_name = first.outputs["group"]
    earlier = aws("autoscaling").start_instance_refresh(AutoScalingGroupName=group_name)["InstanceRefreshId"]
    update(PROGRAM.replace('instance_type="t4g.small"', 'instance_type="t4g.medium"'), first)
    refreshes = _refreshes(aws, group_name)
    assert [r["Status"] for r in refreshes] == ["Pending", "Cancelled"]
    assert refreshes[1]["InstanceRefreshId"] == earlier


def test_a_group_change_that_keeps_the_template_starts_no_refresh(run, update, aws):
    first = run(PROGRAM)
    update(PROGRAM.replace("min_size=2", "min_size=1"), first)
    group_name = first.outputs["group"]
    [group] = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    assert group["MinSize"] == 1
    assert _refreshes(aws, group_name) == []


def test_a_group_the_program_drops_is_drained_and_deleted(run, update, aws):
    first = run(PROGRAM)
    update(NETWORK + TARGET_GROUP, first)
    autoscaling = aws("autoscaling")
    assert (
        autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[first.outputs["group"]])["AutoScalingGroups"]
        == []
    )
    states = {i["State"]["Name"] for r in aws("ec2").describe_instances()["Reservations"] for i in r["Instances"]}
    assert states <= {"shutting-down", "terminated"}


def test_a_group_launches_from_a_new_template_versions_user_data(aws):
    """CreateLaunchTemplateVersion's user data is decoded as CreateLaunchTemplate's is: a group on the
    new version launches, and the instance's user data is the version's (moto 5.2 kept the base64
    string and failed an assertion at the launch)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    first, second = base64.b64encode(b"#!/bin/sh\necho v1\n"), base64.b64encode(b"#!/bin/sh\necho v2\n")
    template = ec2.create_launch_template(
        LaunchTemplateName="user-data-probe",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t4g.small", "UserData": first.decode()},
    )["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1", LaunchTemplateData={"UserData": second.decode()}
    )
    aws("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="user-data-probe",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "2"},
        MinSize=1,
        MaxSize=1,
        VPCZoneIdentifier=subnet,
    )
    [group] = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["user-data-probe"])[
        "AutoScalingGroups"
    ]
    [instance] = group["Instances"]
    attribute = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")
    assert base64.b64decode(attribute["UserData"]["Value"]) == b"#!/bin/sh\necho v2\n"
