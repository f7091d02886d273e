"""tools/verifier/checks/group.py against the node group's plan: sizes, capacity, load balancing
and health checks, the template version, warmup, metrics, the instance mix and tags; each tamper
fails its check and no other (the group's instance refreshes: tests/verifier/test_refresh.py).

The instance mix is walked on prod's variant with spot and two instance types
(tests/support/verify.py's PROD_VARIANT); the rest on dev. Expected details are AWS's values and
the stack file's, written out.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.aws_state import group_of
from tests.support.stacks import Applied, Deploy
from tests.support.verify import PROD_VARIANT, Change, Tamper, failures, findings, walk


def update_the_group(**change: Any) -> Change:
    """UpdateAutoScalingGroup, these fields changed."""

    def tamper(env: Applied) -> None:
        env.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=env.outputs["autoScalingGroupName"], **change
        )

    tamper.__name__ = "update_the_group_" + "_".join(change)
    return tamper


def raise_the_minimum_to_the_maximum(env: Applied) -> None:
    update_the_group(MinSize=env.settings.nodes.max_size)(env)


def put_a_node_in_standby(env: Applied) -> None:
    """Fewer nodes in service than the minimum (moto allows what AWS refuses at the minimum, standing
    in for launches that fail)."""
    env.client("autoscaling").enter_standby(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        InstanceIds=[group_of(env)["Instances"][0]["InstanceId"]],
        ShouldDecrementDesiredCapacity=True,
    )


def detach_the_target_group(env: Applied) -> None:
    env.client("autoscaling").detach_load_balancer_target_groups(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], TargetGroupARNs=[env.outputs["targetGroupArn"]]
    )


def stop_collecting_pending_capacity(env: Applied) -> None:
    env.client("autoscaling").disable_metrics_collection(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], Metrics=["GroupPendingCapacity"]
    )


def _update_the_mixed_instances(env: Applied, **change: Any) -> None:
    """UpdateAutoScalingGroup with the mixed instances policy as it is, one part of it changed."""
    policy = group_of(env)["MixedInstancesPolicy"]
    spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
    launch_template = {
        "LaunchTemplateSpecification": {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]},
        "Overrides": policy["LaunchTemplate"]["Overrides"],
        **change.get("LaunchTemplate", {}),
    }
    distribution = {**policy["InstancesDistribution"], **change.get("InstancesDistribution", {})}
    update_the_group(MixedInstancesPolicy={"LaunchTemplate": launch_template, "InstancesDistribution": distribution})(
        env
    )


def put_every_node_above_the_base_on_spot(env: Applied) -> None:
    _update_the_mixed_instances(env, InstancesDistribution={"OnDemandPercentageAboveBaseCapacity": 0})


def allow_a_bigger_instance_type(env: Applied) -> None:
    overrides = [{"InstanceType": "c7g.large"}, {"InstanceType": "c7g.4xlarge"}]
    _update_the_mixed_instances(env, LaunchTemplate={"Overrides": overrides})


def launch_the_latest_template_version(env: Applied) -> None:
    spec = group_of(env)["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    specification = {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": "$Latest"}
    _update_the_mixed_instances(env, LaunchTemplate={"LaunchTemplateSpecification": specification})


def change_the_tag(key: str, **change: Any) -> Change:
    """CreateOrUpdateTags with the group's tag `key` as it is, `change` applied."""

    def tamper(env: Applied) -> None:
        tag = next(t for t in group_of(env)["Tags"] if t["Key"] == key)
        kept = {k: tag[k] for k in ("ResourceId", "ResourceType", "Key", "Value", "PropagateAtLaunch")}
        env.client("autoscaling").create_or_update_tags(Tags=[{**kept, **change}])

    tamper.__name__ = f"change_the_{key}_tag_" + "_".join(change)
    return tamper


TAMPERS = {
    "dev": [
        Tamper(raise_the_minimum_to_the_maximum, "group.size", "MinSize 3, declared 1"),
        Tamper(update_the_group(MaxSize=6), "group.size", "MaxSize 6, declared 3"),
        Tamper(update_the_group(HealthCheckType="EC2"), "group.load_balancing", "health check type EC2, declared ELB"),
        Tamper(
            update_the_group(HealthCheckGracePeriod=0),
            "group.load_balancing",
            "health check grace period 0 s, declared 120 s",
        ),
        Tamper(put_a_node_in_standby, "group.capacity", "2 in service, desired 2, min 3"),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""

VARIANT_TAMPERS = [
    Tamper(update_the_group(DefaultInstanceWarmup=600), "group.warmup", "DefaultInstanceWarmup 600, declared 120"),
    Tamper(stop_collecting_pending_capacity, "group.metrics", "not collected: GroupPendingCapacity"),
    Tamper(update_the_group(CapacityRebalance=False), "group.instances", "CapacityRebalance False, declared True"),
    Tamper(
        put_every_node_above_the_base_on_spot,
        "group.instances",
        "MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity 0, declared 50",
    ),
    Tamper(
        allow_a_bigger_instance_type,
        "group.instances",
        "MixedInstancesPolicy.LaunchTemplate.Overrides [{'InstanceType': 'c7g.large'}, "
        "{'InstanceType': 'c7g.4xlarge'}], declared",
    ),
    Tamper(change_the_tag("Name", PropagateAtLaunch=False), "group.tags", "tag Name no longer propagates to new nodes"),
    Tamper(change_the_tag("team", Value="platform"), "group.tags", "tag team 'platform', declared 'payments'"),
    Tamper(launch_the_latest_template_version, "group.template_version", "version $Latest"),
]
"""On prod's variant with spot and two instance types, in this order (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_group_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])


@pytest.mark.xdist_group("prod-variant")  # with its clean verify (tests/tools/test_verify.py): one apply
def test_each_instance_mix_tamper_fails_its_check_and_no_other(deploy: Deploy) -> None:
    env = deploy("prod", PROD_VARIANT)
    clean = findings(env)
    assert clean["group.instances"].detail == "mixed instances c7g.large, c6g.large; capacity rebalance True"
    walk(env, VARIANT_TAMPERS)


def test_a_detached_target_group_fails_the_group_and_its_targets(deploy: Deploy) -> None:
    env = deploy("dev")
    detach_the_target_group(env)
    assert "not attached to the target group" in failures(findings(env))["group.load_balancing"]
