"""tools/verifier/discovery.py: an environment's resources found by the tag the stack puts on them,
and what verify says when the tag finds none, or more than one."""

from __future__ import annotations

from tests.support.groups import a_group
from tests.support.stacks import Applied, Deploy
from tests.support.verify import failing, failures, findings, run_verify
from tools import verify
from tools.verifier.aws import Aws
from tools.verifier.discovery import discover


def test_the_tag_finds_every_resource_the_stack_exported(dev: Applied) -> None:
    with dev.as_the_callers_account():
        env = discover(Aws(dev.settings.region), dev.settings)
    assert env.group["AutoScalingGroupName"] == dev.outputs["autoScalingGroupName"]
    assert env.target_group["TargetGroupArn"] == dev.outputs["targetGroupArn"]
    assert env.load_balancer["DNSName"] == dev.outputs["loadBalancerDnsName"]
    assert {role: group["GroupId"] for role, group in env.security_groups.items()} == {
        "lb": dev.outputs["loadBalancerSecurityGroupId"],
        "nodes": dev.outputs["nodeSecurityGroupId"],
    }
    assert env.ambiguities == []


def test_a_missing_environment_fails_naming_the_tag_it_looked_for(dev: Applied) -> None:
    env = dev  # shop-dev exists; shop-prod was never applied in this account
    code, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert "no Auto Scaling group tagged elixir-cluster:cluster=shop-prod" in failing(document)["group.exists"]


def test_a_copy_of_the_group_with_the_stacks_tag_fails_naming_both(deploy: Deploy) -> None:
    env = deploy("dev")
    tag = {"Key": "elixir-cluster:cluster", "Value": "shop-dev", "PropagateAtLaunch": True}
    a_group(env.client, "copy", desired=0, Tags=[tag])
    found = findings(env)
    assert failures(found)["group.exists"] == (
        f"2 Auto Scaling groups tagged elixir-cluster:cluster=shop-dev: copy, {env.outputs['autoScalingGroupName']}"
    )
    assert found["group.exists"].fix == "delete or untag the copies so that one remains"
