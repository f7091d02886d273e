"""tools/emulator/services/force_new.py against facts checked by hand in terraform-provider-aws's
schemas (the files and commits its docstring names): which changed property replaces a resource,
and which one the provider updates in place."""

from __future__ import annotations

from typing import Any

import pytest

from tools.emulator.core.registry import FORCE_NEW
from tools.emulator.core.update import delete_before_replace, replacing_properties

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


def replaces(token: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return replacing_properties(FORCE_NEW[token], old, new)


@pytest.mark.parametrize(
    ("token", "old", "new", "because"),
    [
        # elbv2/load_balancer.go: "internal": {Optional, ForceNew, Computed}; idle_timeout is an attribute
        (LOAD_BALANCER, {"internal": True}, {"internal": False}, ["internal"]),
        (LOAD_BALANCER, {"idleTimeout": 60}, {"idleTimeout": 120}, []),
        # autoscaling/group.go: name ForceNew; launch_template updated in place (shouldRefreshInstances)
        ("aws:autoscaling/group:Group", {"name": "a"}, {"name": "b"}, ["name"]),
        ("aws:autoscaling/group:Group", {"launchTemplate": {"version": "1"}}, {"launchTemplate": {"version": "2"}}, []),
        # autoscaling/lifecycle_hook.go: name ForceNew, autoscaling_group_name Required without ForceNew
        (
            "aws:autoscaling/lifecycleHook:LifecycleHook",
            {"autoscalingGroupName": "a"},
            {"autoscalingGroupName": "b"},
            [],
        ),
        ("aws:autoscaling/lifecycleHook:LifecycleHook", {"name": "drain"}, {"name": "leave"}, ["name"]),
        # elbv2/listener.go: load_balancer_arn ForceNew; port updated by ModifyListener
        ("aws:lb/listener:Listener", {"loadBalancerArn": "a"}, {"loadBalancerArn": "b"}, ["loadBalancerArn"]),
        ("aws:lb/listener:Listener", {"port": 80}, {"port": 8080}, []),
        # cloudwatch/metric_alarm.go: alarm_name (Pulumi's `name`) ForceNew; threshold put again
        ("aws:cloudwatch/metricAlarm:MetricAlarm", {"name": "a"}, {"name": "b"}, ["name"]),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", {"threshold": 1.0}, {"threshold": 2.0}, []),
        # elbv2/target_group.go: port ForceNew; health_check updated by ModifyTargetGroup
        ("aws:lb/targetGroup:TargetGroup", {"port": 4000}, {"port": 4001}, ["port"]),
        ("aws:lb/targetGroup:TargetGroup", {"healthCheck": {"path": "/"}}, {"healthCheck": {"path": "/health"}}, []),
        # ec2/ec2_launch_template.go: instance_type and user_data are updateKeys (a new version)
        ("aws:ec2/launchTemplate:LaunchTemplate", {"instanceType": "c7g.large"}, {"instanceType": "c7g.xlarge"}, []),
        # ec2/vpc_security_group.go: description ForceNew
        ("aws:ec2/securityGroup:SecurityGroup", {"description": "a"}, {"description": "b"}, ["description"]),
        # ec2/vpc_subnet.go: cidr_block ForceNew, map_public_ip_on_launch modified in place
        ("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.1.0/24"}, {"cidrBlock": "10.0.2.0/24"}, ["cidrBlock"]),
        ("aws:ec2/subnet:Subnet", {"mapPublicIpOnLaunch": False}, {"mapPublicIpOnLaunch": True}, []),
        # ssm/parameter.go: name ForceNew; value put again with Overwrite
        ("aws:ssm/parameter:Parameter", {"name": "/a"}, {"name": "/b"}, ["name"]),
        ("aws:ssm/parameter:Parameter", {"value": "a"}, {"value": "b"}, []),
    ],
)
def test_the_provider_replaces_only_where_its_schema_forces_it(token, old, new, because):
    assert replaces(token, old, new) == because


def test_a_network_load_balancers_subnets_change_in_place_only_by_growing():
    """customizeDiffLoadBalancerNLB: `deltaN <= 0` forces new; an ALB changes them by SetSubnets."""
    nlb = {"loadBalancerType": "network", "subnets": ["a", "b"]}
    assert replaces(LOAD_BALANCER, nlb, {**nlb, "subnets": ["a", "b", "c"]}) == []
    assert replaces(LOAD_BALANCER, nlb, {**nlb, "subnets": ["a", "c"]}) == ["subnets"]
    alb = {"loadBalancerType": "application", "subnets": ["a", "b"]}
    assert replaces(LOAD_BALANCER, alb, {**alb, "subnets": ["a", "c"]}) == []


def test_a_network_load_balancer_gains_or_loses_all_its_security_groups_only_by_replacement():
    nlb = {"loadBalancerType": "network", "securityGroups": []}
    assert replaces(LOAD_BALANCER, nlb, {**nlb, "securityGroups": ["sg-1"]}) == ["securityGroups"]
    held = {**nlb, "securityGroups": ["sg-1"]}
    assert replaces(LOAD_BALANCER, held, {**held, "securityGroups": ["sg-2"]}) == []


def test_a_security_group_rule_keeps_its_group_and_the_kind_of_its_source():
    """vpc_security_group_ingress_rule.go: security_group_id RequiresReplace; ModifyPlan replaces a
    rule whose source changes kind; a new CIDR of the same kind is ModifySecurityGroupRules."""
    rule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    from_cidr = {"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/16"}
    assert replaces(rule, from_cidr, {**from_cidr, "securityGroupId": "sg-2"}) == ["securityGroupId"]
    assert replaces(rule, from_cidr, {**from_cidr, "cidrIpv4": "10.1.0.0/16"}) == []
    from_group = {"securityGroupId": "sg-1", "referencedSecurityGroupId": "sg-9"}
    assert replaces(rule, from_cidr, from_group) == ["referencedSecurityGroupId"]


def test_a_parameter_moves_down_from_the_advanced_tier_only_by_replacement():
    """ssm/parameter.go: ForceNewIfChange("tier", Advanced -> Standard)."""
    parameter = "aws:ssm/parameter:Parameter"
    assert replaces(parameter, {"tier": "Advanced"}, {"tier": "Standard"}) == ["tier"]
    assert replaces(parameter, {"tier": "Standard"}, {"tier": "Advanced"}) == []


def test_an_auto_named_name_given_explicitly_makes_a_replacement_delete_first():
    """pulumi-terraform-bridge schema.go nameRequiresDeleteBeforeReplace: only for the auto-named
    `name` (SetAutonaming); a schedule's scheduledActionName is not auto-named."""
    assert delete_before_replace(FORCE_NEW["aws:ssm/parameter:Parameter"], {"name": "/shop/prod/cookie"}, False)
    assert not delete_before_replace(FORCE_NEW[LOAD_BALANCER], {"internal": False}, False)  # auto-named
    schedule = FORCE_NEW["aws:autoscaling/schedule:Schedule"]
    assert not delete_before_replace(schedule, {"scheduledActionName": "shop-prod-morning"}, False)
    assert delete_before_replace(schedule, {}, True)  # the program's deleteBeforeReplace


def test_every_entry_cites_a_provider_schema_file():
    for token, facts in FORCE_NEW.items():
        provider = "terraform-provider-random" if token.startswith("random:") else "terraform-provider-aws"
        assert facts.source.startswith(provider) and facts.source.endswith(".go"), token
    assert FORCE_NEW["aws:cloudwatch/metricAlarm:MetricAlarm"].renames == {"name": "alarm_name"}
