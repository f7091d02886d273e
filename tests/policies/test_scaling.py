"""policies/rules/scaling.py: health checks, sizes, zones, scaling policies, alarm actions."""

from __future__ import annotations

import pytest

from tests.support.synthetic import GROUP, add, change, cluster, findings, named, remove, resource

RULES = [
    "asg-elb-health-checks",
    "asg-size-bounds",
    "prod-groups-span-zones",
    "scalable-groups-have-policies",
    "alarms-have-actions",
    "prod-min-nodes",
]


@pytest.mark.parametrize("rule", RULES)
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize("kind", ["EC2", None])
def test_a_load_balanced_group_uses_elb_health_checks(kind):
    [violation] = findings(change(cluster(), "group", healthCheckType=kind), "asg-elb-health-checks")
    assert violation.resource == "group" and "healthCheckType ELB" in violation.message


def test_a_group_without_target_groups_may_use_ec2_checks():
    document = change(cluster(), "group", healthCheckType="EC2", targetGroupArns=None)
    assert findings(document, "asg-elb-health-checks") == []


@pytest.mark.parametrize("grace", [0, 30])
def test_a_load_balanced_group_has_a_grace_period(grace):
    [violation] = findings(change(cluster(), "group", healthCheckGracePeriod=grace), "asg-elb-health-checks")
    assert "elixir-cluster:nodes.healthCheckGracePeriod to 60" in violation.message


def test_the_grace_period_floor_is_configurable():
    config = {"asg-elb-health-checks": {"minGracePeriodSeconds": 180}}
    assert len(findings(cluster(), "asg-elb-health-checks", config)) == 1


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({"minSize": 5, "maxSize": 4, "desiredCapacity": None}, "minSize 5 is above maxSize 4"),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 2}, "desiredCapacity 2 is below minSize 3"),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 13}, "desiredCapacity 13 is above maxSize 12"),
        ({"minSize": 3, "maxSize": 80, "desiredCapacity": 3}, "maxSize 80 is above the cost ceiling 50"),
    ],
)
def test_sizes_are_ordered_and_under_the_ceiling(sizes, expected):
    [violation] = findings(change(cluster(), "group", **sizes), "asg-size-bounds")
    assert expected in violation.message and "elixir-cluster:nodes" in violation.message


def test_the_cost_ceiling_is_configurable_and_desired_capacity_optional():
    document = change(cluster(), "group", desiredCapacity=None)
    assert findings(document, "asg-size-bounds") == []
    assert len(findings(document, "asg-size-bounds", {"asg-size-bounds": {"maxSizeCeiling": 10}})) == 1


def test_a_production_group_spans_two_subnets():
    [violation] = findings(change(cluster(), "group", vpcZoneIdentifiers=["subnet-c"]), "prod-groups-span-zones")
    assert "elixir-cluster:network.availabilityZones to 2 or more" in violation.message


@pytest.mark.parametrize(
    "subnets",
    [{"subnets": ["subnet-a"]}, {"subnets": None, "subnetMappings": [{"subnetId": "subnet-a"}]}],
    ids=["subnets", "subnetMappings"],
)
def test_a_production_load_balancer_spans_two_subnets(subnets):
    [violation] = findings(change(cluster(), "alb", **subnets), "prod-groups-span-zones")
    assert violation.resource == "alb" and "elixir-cluster:network.availabilityZones to 2" in violation.message
    assert "publicSubnetIds" in violation.message


def test_the_zone_floor_is_configurable():
    config = {"prod-groups-span-zones": {"minSubnets": 3}}
    assert [v.resource for v in findings(cluster(), "prod-groups-span-zones", config)] == ["alb"]  # in 2 subnets


def test_a_dev_group_may_live_in_one_subnet():
    document = change(
        cluster(),
        "group",
        vpcZoneIdentifiers=["subnet-c"],
        tags=[{"key": "Environment", "value": "dev", "propagateAtLaunch": True}],
    )
    assert findings(document, "prod-groups-span-zones") == []


def test_a_group_that_can_scale_needs_a_policy():
    [violation] = findings(remove(cluster(), "cpu"), "scalable-groups-have-policies")
    assert violation.resource == "group" and "elixir-cluster:scaling.targetTracking" in violation.message


def test_the_policy_must_drive_that_group():
    document = change(remove(cluster(), "cpu"), "group", minSize=3)
    add(document, resource("aws:autoscaling/policy:Policy", "other", {"autoscalingGroupName": "another-group"}))
    assert len(findings(document, "scalable-groups-have-policies")) == 1


def test_a_fixed_size_group_needs_no_policy():
    document = change(remove(cluster(), "cpu"), "group", minSize=3, maxSize=3)
    assert findings(document, "scalable-groups-have-policies") == []


def test_the_policy_is_matched_by_the_groups_name():
    document = cluster()
    assert named(document, "cpu")["inputs"]["autoscalingGroupName"] == GROUP
    change(document, "cpu", autoscalingGroupName="shop-nodes-group-other")
    assert len(findings(document, "scalable-groups-have-policies")) == 1


@pytest.mark.parametrize("values", [{"alarmActions": []}, {"alarmActions": None}, {"actionsEnabled": False}])
def test_alarms_without_actions_are_advised(values):
    [violation] = findings(change(cluster(), "unhealthy-hosts", **values), "alarms-have-actions")
    assert violation.level.value == "advisory" and "elixir-cluster:alerts.emails" in violation.message


@pytest.mark.parametrize("low", [0, 1])
def test_a_production_group_keeps_two_nodes(low):
    [violation] = findings(change(cluster(), "group", minSize=low, desiredCapacity=3), "prod-min-nodes")
    assert violation.resource == "group" and f"shrink to {low} node(s)" in violation.message
    assert "elixir-cluster:nodes.minSize to 2 or more" in violation.message


def test_the_node_floor_is_configurable_and_applies_to_production_only():
    config = {"prod-min-nodes": {"minimum": 4}}
    [violation] = findings(cluster(), "prod-min-nodes", config)  # minSize 3
    assert "elixir-cluster:nodes.minSize to 4 or more" in violation.message
    dev = change(
        cluster(), "group", minSize=1, tags=[{"key": "Environment", "value": "dev", "propagateAtLaunch": True}]
    )
    assert findings(dev, "prod-min-nodes") == []


# --- each threshold at both sides of its boundary: the last passing value, the first violating one ---


@pytest.mark.parametrize(("grace", "violations"), [(60, 0), (59, 1)])
def test_the_grace_period_floor_admits_sixty_seconds_and_refuses_fifty_nine(grace, violations):
    document = change(cluster(), "group", healthCheckGracePeriod=grace)
    assert len(findings(document, "asg-elb-health-checks")) == violations


@pytest.mark.parametrize(("grace", "violations"), [(180, 0), (179, 1), (None, 0)])  # unset: the provider's 300 s
def test_a_configured_grace_floor_is_met_exactly_or_violated_by_a_second(grace, violations):
    config = {"asg-elb-health-checks": {"minGracePeriodSeconds": 180}}
    document = change(cluster(), "group", healthCheckGracePeriod=grace)
    assert len(findings(document, "asg-elb-health-checks", config)) == violations


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({"minSize": 4, "maxSize": 4, "desiredCapacity": 4}, []),
        ({"minSize": 5, "maxSize": 4, "desiredCapacity": None}, ["minSize 5 is above maxSize 4"]),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 3}, []),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 2}, ["desiredCapacity 2 is below minSize 3"]),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 12}, []),
        ({"minSize": 3, "maxSize": 12, "desiredCapacity": 13}, ["desiredCapacity 13 is above maxSize 12"]),
        ({"minSize": 3, "maxSize": 50, "desiredCapacity": 3}, []),
        ({"minSize": 3, "maxSize": 51, "desiredCapacity": 3}, ["maxSize 51 is above the cost ceiling 50"]),
    ],
)
def test_sizes_pass_at_their_bounds_and_fail_one_past_them(sizes, expected):
    violations = findings(change(cluster(), "group", **sizes), "asg-size-bounds")
    assert [next(e for e in expected if e in v.message) for v in violations] == expected


@pytest.mark.parametrize(("subnets", "violations"), [(["subnet-c", "subnet-d"], 0), (["subnet-c"], 1)])
def test_a_production_group_passes_in_two_subnets_and_fails_in_one(subnets, violations):
    document = change(cluster(), "group", vpcZoneIdentifiers=subnets)
    assert len(findings(document, "prod-groups-span-zones")) == violations


@pytest.mark.parametrize(("subnets", "violations"), [(["subnet-a", "subnet-b", "subnet-c"], 0), (["subnet-a"], 1)])
def test_a_configured_zone_floor_is_met_exactly_or_violated(subnets, violations):
    config = {"prod-groups-span-zones": {"minSubnets": 3}}
    document = change(cluster(), "alb", subnets=subnets)
    assert [v.resource for v in findings(document, "prod-groups-span-zones", config)] == ["alb"] * violations


@pytest.mark.parametrize(("high", "violations"), [(3, 0), (4, 1)])  # minSize 3
def test_a_group_needs_a_policy_from_the_first_node_it_may_add(high, violations):
    document = change(remove(cluster(), "cpu"), "group", minSize=3, maxSize=high, desiredCapacity=3)
    assert len(findings(document, "scalable-groups-have-policies")) == violations


@pytest.mark.parametrize(("low", "violations"), [(2, 0), (1, 1)])
def test_a_production_group_may_shrink_to_two_nodes_and_not_to_one(low, violations):
    document = change(cluster(), "group", minSize=low, desiredCapacity=3)
    assert len(findings(document, "prod-min-nodes")) == violations


@pytest.mark.parametrize(("low", "violations"), [(4, 0), (3, 1)])
def test_a_configured_node_floor_is_met_exactly_or_violated_by_one_node(low, violations):
    config = {"prod-min-nodes": {"minimum": 4}}
    document = change(cluster(), "group", minSize=low, desiredCapacity=4)
    assert len(findings(document, "prod-min-nodes", config)) == violations
