"""Node group variants a stack file can ask for, applied in the emulator and read from moto:
spot and several instance types, several on-demand types, an existing VPC with extra security
groups (the last two in one variant the session shares: tests/support/variants.py).

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_node_group_variants.py`
"""

from __future__ import annotations

from tests.support.aws_state import group_of, template_data
from tests.support.fragments import EXISTING_NETWORK
from tests.support.variants import DATABASE_ACCESS


def test_spot_and_several_instance_types_make_a_mixed_instances_policy(deploy):
    # base 1 and 50% above it: numbers moto's capacity arithmetic gets right (see emulator/services/autoscaling.py)
    applied = deploy(
        "prod",
        {
            "elixir-cluster:nodes": {
                "instanceTypes": ["c7g.large", "c6g.large"],
                "spot": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 50},
            }
        },
    )
    group = group_of(applied)
    assert "LaunchTemplate" not in group  # the template is named once, inside the policy
    policy = group["MixedInstancesPolicy"]
    assert [o["InstanceType"] for o in policy["LaunchTemplate"]["Overrides"]] == ["c7g.large", "c6g.large"]
    distribution = policy["InstancesDistribution"]
    assert (
        distribution["OnDemandBaseCapacity"],
        distribution["OnDemandPercentageAboveBaseCapacity"],
        distribution["SpotAllocationStrategy"],
    ) == (1, 50, "price-capacity-optimized")
    spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
    latest = applied.client("ec2").describe_launch_templates(LaunchTemplateIds=[spec["LaunchTemplateId"]])
    assert spec["Version"] == str(latest["LaunchTemplates"][0]["LatestVersionNumber"])
    assert group["CapacityRebalance"] is True
    assert "InstanceType" not in template_data(applied)  # the overrides choose
    health = applied.client("elbv2").describe_target_health(TargetGroupArn=applied.outputs["targetGroupArn"])
    assert len(health["TargetHealthDescriptions"]) == len(group["Instances"]) == applied.settings.nodes.desired_capacity


def test_several_on_demand_types_stay_on_demand(dev_in_an_existing_vpc):
    applied = dev_in_an_existing_vpc
    assert applied.settings.nodes.instance_types == ["t4g.small", "t4g.medium"] and applied.settings.nodes.spot is None
    distribution = group_of(applied)["MixedInstancesPolicy"]["InstancesDistribution"]
    assert (distribution["OnDemandBaseCapacity"], distribution["OnDemandPercentageAboveBaseCapacity"]) == (0, 100)
    assert not group_of(applied).get("CapacityRebalance")


def test_an_existing_vpc_hosts_the_nodes_with_their_extra_security_groups(dev_in_an_existing_vpc):
    applied = dev_in_an_existing_vpc
    group = group_of(applied)
    assert set(group["VPCZoneIdentifier"].split(",")) == set(EXISTING_NETWORK["privateSubnetIds"])
    assert template_data(applied)["SecurityGroupIds"] == [applied.outputs["nodeSecurityGroupId"], DATABASE_ACCESS]
    balancer = applied.client("elbv2").describe_load_balancers()["LoadBalancers"][0]
    assert balancer["VpcId"] == EXISTING_NETWORK["vpcId"]
    assert {z["SubnetId"] for z in balancer["AvailabilityZones"]} == set(EXISTING_NETWORK["publicSubnetIds"])
    health = applied.client("elbv2").describe_target_health(TargetGroupArn=applied.outputs["targetGroupArn"])
    assert {t["TargetHealth"]["State"] for t in health["TargetHealthDescriptions"]} == {"healthy"}
