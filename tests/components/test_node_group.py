"""The NodeGroup each shipped stack builds, read back from moto: the group, its launch
template and its launch and drain hooks.

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_node_group.py`
"""

from __future__ import annotations

import base64

import pytest

from components.plans.user_data import render_user_data
from tests.support.aws_state import group_of, template_data
from tests.support.urns import children_of

GROUP = "aws:autoscaling/group:Group"
NODE_GROUP = "elixir-cluster:index:NodeGroup"


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


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


# What the shipped stack files say (desiredCapacity: dev leaves it to minSize).
SIZES = {"dev": (1, 3, 1), "prod": (3, 12, 3)}
COMMON_REFRESH = {"instanceWarmup": "120", "skipMatching": True, "scaleInProtectedInstances": "Ignore"}
REFRESH = {  # the provider's instance_refresh.preferences, by its wire names (the two seconds as strings)
    "dev": {"minHealthyPercentage": 50, "maxHealthyPercentage": 100, **COMMON_REFRESH, "standbyInstances": "Ignore"},
    "prod": {
        "minHealthyPercentage": 90,
        "maxHealthyPercentage": 110,
        **COMMON_REFRESH,
        "standbyInstances": "Ignore",
        "checkpointPercentages": [8, 100],
        "checkpointDelay": "600",
        "alarmSpecification": {"alarms": ["shop-prod-5xx-rate", "shop-prod-unhealthy-hosts"]},
    },
}
CLUSTER_TAGS = {"dev": {"team": "payments"}, "prod": {"team": "payments", "cost-center": "4711"}}


def test_group_is_attached_to_the_target_group_one_way_and_trusts_its_health_checks(stack):
    group = group_of(stack)
    assert group["TargetGroupARNs"] == [stack.outputs["targetGroupArn"]]
    assert not group.get("LoadBalancerNames") and not group.get("TrafficSources")
    assert not stack.deployment.of_type("aws:autoscaling/attachment:Attachment")
    assert not stack.deployment.of_type("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment")
    assert (group["HealthCheckType"], group["HealthCheckGracePeriod"]) == ("ELB", 120)
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == SIZES[stack.settings.stack]


def test_group_launches_the_templates_latest_version_by_number(stack):
    spec = group_of(stack)["LaunchTemplate"]
    templates = stack.client("ec2").describe_launch_templates(LaunchTemplateIds=[spec["LaunchTemplateId"]])
    latest = templates["LaunchTemplates"][0]["LatestVersionNumber"]
    assert spec["Version"] == str(latest)  # never "$Latest": a new version must start an instance refresh


def test_pulumi_up_never_resets_the_desired_capacity(stack):
    (group,) = stack.deployment.of_type(GROUP)
    assert group.ignore_changes == ["desiredCapacity"]


def test_instance_refresh_rolls_nodes_as_configured(stack):
    # AWS keeps the preferences on each refresh, which the provider starts on an update: on a
    # fresh stack the group's registered inputs are what the provider will send
    (group,) = stack.deployment.of_type(GROUP)
    assert group.inputs["instanceRefresh"] == {"strategy": "Rolling", "preferences": REFRESH[stack.settings.stack]}
    assert "autoRollback" not in group.inputs["instanceRefresh"]["preferences"]
    assert not stack.client("autoscaling").describe_instance_refreshes(
        AutoScalingGroupName=stack.outputs["autoScalingGroupName"]
    )["InstanceRefreshes"]


def test_a_new_node_warms_up_as_long_as_a_refresh_waits_for_it(stack):
    assert group_of(stack)["DefaultInstanceWarmup"] == 120


def test_one_on_demand_type_needs_no_mixed_instances_nor_capacity_rebalance(stack):
    group = group_of(stack)
    assert "MixedInstancesPolicy" not in group
    assert group["CapacityRebalance"] is False
    assert template_data(stack)["InstanceType"] == {"dev": "t4g.small", "prod": "c7g.large"}[stack.settings.stack]


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


def hooks(stack) -> dict[str, dict]:
    client = stack.client("autoscaling")
    found = client.describe_lifecycle_hooks(AutoScalingGroupName=stack.outputs["autoScalingGroupName"])
    return {hook["LifecycleHookName"]: hook for hook in found["LifecycleHooks"]}


def test_the_group_has_a_launch_hook_and_a_drain_hook_and_no_other(stack):
    assert sorted(hooks(stack)) == ["release-drain", "release-join"]


def test_a_new_node_is_held_until_it_has_joined_and_abandoned_if_it_never_says_so(stack):
    hook = hooks(stack)["release-join"]
    assert hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING"
    assert hook["DefaultResult"] == "ABANDON"
    # boot 300 + release.joinSeconds (120 in both) + completion 10
    assert hook["HeartbeatTimeout"] == 430


def test_a_leaving_node_is_held_until_the_load_balancer_and_the_release_have_drained(stack):
    hook = hooks(stack)["release-drain"]
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
    assert (ebs["VolumeType"], ebs["Encrypted"], ebs["VolumeSize"]) == ("gp3", True, 20)
    assert ebs["DeleteOnTermination"] is True


def test_nodes_report_their_metrics_every_minute(stack):
    assert template_data(stack)["Monitoring"] == {"Enabled": True}


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
    environment = stack.settings.stack
    for kind in ("volume", "network-interface"):
        assert {t["Key"]: t["Value"] for t in specifications[kind]} == {
            "elixir-cluster:cluster": f"shop-{environment}",
            "Environment": environment,
            "ManagedBy": "pulumi",
            "Name": f"shop-{environment}-node",
            **CLUSTER_TAGS[environment],
        }


# --- what it kept from before the node role and the cookie moved out -------------------------


def test_the_group_template_and_drain_hook_stay_where_they_always_were(stack):
    # their URNs are unchanged: still children of the NodeGroup shop-nodes, under the same names
    (component,) = stack.deployment.of_type(NODE_GROUP)
    assert component.name == "shop-nodes"
    children = children_of(stack.deployment, NODE_GROUP)
    assert sorted((r.type, r.name) for r in children) == [
        ("aws:autoscaling/group:Group", "shop-nodes-group"),
        ("aws:autoscaling/lifecycleHook:LifecycleHook", "shop-nodes-drain"),
        ("aws:autoscaling/lifecycleHook:LifecycleHook", "shop-nodes-join"),  # new beside them
        ("aws:ec2/launchTemplate:LaunchTemplate", "shop-nodes-template"),
    ]
    assert not [r.aliases for r in children if r.aliases]


def test_exports_the_group_name(stack):
    assert group_of(stack)["AutoScalingGroupName"] == stack.outputs["autoScalingGroupName"]
