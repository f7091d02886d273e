"""The node group each shipped stack builds, read back from moto: the group, its launch
template, its IAM role and its drain hook.

Run: `.venv/bin/python -m pytest --tb=native -q tests/test_node_group.py`
"""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import pytest

from components.plans.bootstrap import render_user_data
from components.plans.iam import node_role_policy
from tests.support.aws_state import group_of, template_data

GROUP = "aws:autoscaling/group:Group"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def role_of(applied):
    """The role behind the launch template's instance profile."""
    iam = applied.client("iam")
    profile_name = template_data(applied)["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
    roles = iam.get_instance_profile(InstanceProfileName=profile_name)["InstanceProfile"]["Roles"]
    assert len(roles) == 1
    return roles[0]


def inline_policies(applied):
    """Policy name -> document, as IAM holds them."""
    iam = applied.client("iam")
    role = role_of(applied)["RoleName"]
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    return {name: _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]) for name in names}


def _document(value):
    return json.loads(unquote(value)) if isinstance(value, str) else value


# --- the group ------------------------------------------------------------------------------


def test_nodes_register_and_are_healthy_in_the_target_group(stack):
    group = group_of(stack)
    instances = {i["InstanceId"] for i in group["Instances"]}
    assert len(instances) == stack.settings.nodes.desired_capacity
    health = stack.client("elbv2").describe_target_health(TargetGroupArn=stack.outputs["targetGroupArn"])
    targets = health["TargetHealthDescriptions"]
    assert {t["Target"]["Id"] for t in targets} == instances
    assert {t["Target"]["Port"] for t in targets} == {stack.settings.release.http_port}
    assert {t["TargetHealth"]["State"] for t in targets} == {"healthy"}


def test_nodes_run_in_the_private_subnets_only(stack):
    group = group_of(stack)
    private = set(stack.outputs["privateSubnetIds"])
    assert set(group["VPCZoneIdentifier"].split(",")) == private
    ids = [i["InstanceId"] for i in group["Instances"]]
    reservations = stack.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    assert {i["SubnetId"] for r in reservations for i in r["Instances"]} <= private


def test_group_is_attached_to_the_target_group_one_way_and_trusts_its_health_checks(stack):
    group = group_of(stack)
    nodes = stack.settings.nodes
    assert group["TargetGroupARNs"] == [stack.outputs["targetGroupArn"]]
    assert not group.get("LoadBalancerNames") and not group.get("TrafficSources")
    assert not stack.deployment.of_type("aws:autoscaling/attachment:Attachment")
    assert not stack.deployment.of_type("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment")
    assert (group["HealthCheckType"], group["HealthCheckGracePeriod"]) == ("ELB", nodes.health_check_grace_period)
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (
        nodes.min_size,
        nodes.max_size,
        nodes.desired_capacity,
    )


def test_group_launches_the_templates_latest_version_by_number(stack):
    spec = group_of(stack)["LaunchTemplate"]
    templates = stack.client("ec2").describe_launch_templates(LaunchTemplateIds=[spec["LaunchTemplateId"]])
    latest = templates["LaunchTemplates"][0]["LatestVersionNumber"]
    assert spec["Version"] == str(latest)  # never "$Latest": a new version must start an instance refresh


def test_pulumi_up_never_resets_the_desired_capacity(stack):
    (group,) = stack.deployment.of_type(GROUP)
    assert group.ignore_changes == ["desiredCapacity"]


def test_instance_refresh_rolls_nodes_as_configured(stack):
    # moto has no instance refresh: the group's registered inputs are what the provider receives
    (group,) = stack.deployment.of_type(GROUP)
    refresh = stack.settings.nodes.instance_refresh
    assert group.inputs["instanceRefresh"] == {
        "strategy": "Rolling",
        "preferences": {
            "minHealthyPercentage": refresh.min_healthy_percentage,
            "maxHealthyPercentage": refresh.max_healthy_percentage,
            "instanceWarmup": str(refresh.instance_warmup),
        },
    }


def test_every_group_metric_is_collected_every_minute(stack):
    metrics = group_of(stack)["EnabledMetrics"]
    assert {m["Metric"] for m in metrics} == {  # every metric AWS offers for a group, as it spells them
        "GroupMinSize",
        "GroupMaxSize",
        "GroupDesiredCapacity",
        "GroupInServiceInstances",
        "GroupPendingInstances",
        "GroupStandbyInstances",
        "GroupTerminatingInstances",
        "GroupTotalInstances",
        "GroupInServiceCapacity",
        "GroupPendingCapacity",
        "GroupStandbyCapacity",
        "GroupTerminatingCapacity",
        "GroupTotalCapacity",
    }
    assert {m["Granularity"] for m in metrics} == {"1Minute"}


def test_tags_reach_the_nodes_so_discovery_finds_them(stack):
    group = group_of(stack)
    assert all(tag["PropagateAtLaunch"] for tag in group["Tags"])
    key, value = stack.settings.discovery_tag
    found = stack.client("ec2").describe_instances(Filters=[{"Name": f"tag:{key}", "Values": [value]}])
    tagged = {i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]}
    assert tagged == {i["InstanceId"] for i in group["Instances"]}


def test_ec2_tag_discovery_needs_no_cloud_map(stack):
    assert stack.settings.release.discovery == "ec2Tags"
    assert not [r for r in stack.deployment.resources if r.type.startswith("aws:servicediscovery/")]
    assert "elixir-cluster:discovery-service-id" not in {t["Key"] for t in group_of(stack)["Tags"]}


def test_a_leaving_node_is_held_until_the_load_balancer_and_the_release_have_drained(stack):
    client = stack.client("autoscaling")
    hooks = client.describe_lifecycle_hooks(AutoScalingGroupName=stack.outputs["autoScalingGroupName"])
    (hook,) = hooks["LifecycleHooks"]
    assert hook["LifecycleHookName"] == "release-drain"
    assert hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
    assert hook["DefaultResult"] == "CONTINUE"
    # poll 5 + deregistrationDelay + drainSeconds + stop margin 15 + completion 10:
    # dev 5 + 15 + 15 + 15 + 10, prod 5 + 45 + 30 + 15 + 10
    assert hook["HeartbeatTimeout"] == {"dev": 60, "prod": 105}[stack.settings.stack]


# --- the launch template --------------------------------------------------------------------


def test_nodes_require_imdsv2_and_see_their_tags_in_instance_metadata(stack):
    options = template_data(stack)["MetadataOptions"]
    assert options["HttpEndpoint"] == "enabled"
    assert options["HttpTokens"] == "required"
    assert options["InstanceMetadataTags"] == "enabled"
    assert options["HttpPutResponseHopLimit"] == 1  # the node itself, not a container behind it


def test_root_volume_is_encrypted_gp3_of_the_configured_size(stack):
    (root,) = template_data(stack)["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    ebs = root["Ebs"]
    assert (ebs["VolumeType"], ebs["Encrypted"], ebs["VolumeSize"]) == (
        "gp3",
        True,
        stack.settings.nodes.root_volume_gib,
    )
    assert ebs["DeleteOnTermination"] is True


def test_nodes_boot_the_configured_image_with_the_rendered_user_data(stack):
    data = template_data(stack)
    nodes = stack.settings.nodes
    assert data["ImageId"] == nodes.ami
    assert data["InstanceType"] == nodes.instance_types[0]
    assert base64.b64decode(data["UserData"]).decode() == render_user_data(stack.settings)
    assert data["SecurityGroupIds"] == [stack.outputs["nodeSecurityGroupId"], *nodes.extra_security_group_ids]


def test_node_volumes_and_interfaces_carry_the_stack_tags(stack):
    specifications = {s["ResourceType"]: s["Tags"] for s in template_data(stack)["TagSpecifications"]}
    assert {"volume", "network-interface"} <= set(specifications)  # moto lists the template's own tags too
    for tags in specifications.values():
        assert {t["Key"]: t["Value"] for t in tags}.items() >= stack.settings.tags.items()


# --- IAM --------------------------------------------------------------------------------------


def test_only_ec2_may_assume_the_node_role(stack):
    trust = _document(role_of(stack)["AssumeRolePolicyDocument"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]


def test_node_role_carries_the_two_managed_policies(stack):
    iam = stack.client("iam")
    attached = iam.list_attached_role_policies(RoleName=role_of(stack)["RoleName"])["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    }


def test_inline_policies_are_exactly_the_node_policy_scoped_to_this_stacks_resources(stack):
    ssm = stack.client("ssm")
    parameter = ssm.get_parameter(Name=stack.outputs["cookieParameterName"])["Parameter"]
    key = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [stack.outputs["cookieParameterName"]]}])[
        "Parameters"
    ][0]["KeyId"]
    expected = node_role_policy(
        stack.settings,
        cookie_parameter_arn=parameter["ARN"],
        cookie_key_arn=stack.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"],
        group_arn=group_of(stack)["AutoScalingGroupARN"],
    )
    statements = [s for document in inline_policies(stack).values() for s in document["Statement"]]
    assert sorted(statements, key=lambda s: s["Sid"]) == sorted(expected["Statement"], key=lambda s: s["Sid"])


def test_a_booting_node_has_every_permission_before_the_group_launches_it(stack):
    # the drain statement names the group, so it lives in a policy of its own, created after it
    (group,) = stack.deployment.of_type(GROUP)
    (role,) = [r for r in stack.deployment.of_type("aws:iam/role:Role") if r.name.endswith("-nodes-role")]
    node_policies = [r for r in stack.deployment.of_type(ROLE_POLICY) if r.inputs["role"] == role.id]
    policies = {r.name.rsplit("-", 1)[-1]: r for r in node_policies}
    assert set(policies) == {"boot", "drain"}
    assert policies["boot"].urn in group.dependencies
    group_arn = group_of(stack)["AutoScalingGroupARN"]
    boot = json.loads(policies["boot"].inputs["policy"])
    drain = json.loads(policies["drain"].inputs["policy"])
    assert all(s["Resource"] != group_arn for s in boot["Statement"])
    assert [(s["Action"], s["Resource"]) for s in drain["Statement"]] == [
        (["autoscaling:CompleteLifecycleAction"], group_arn)
    ]


def test_exports_the_group_name(stack):
    assert group_of(stack)["AutoScalingGroupName"] == stack.outputs["autoScalingGroupName"]
