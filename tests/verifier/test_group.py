"""verify's group checks (tools/verifier/checks/group.py) against the node group's plan: each field
it newly compares, changed by hand on a group of spot and two instance types, fails its check and
no other; an instance refresh started by hand with other preferences fails the refresh check.

The checks the older walk covers (sizes, capacity, health checks: tests/test_verify.py) are not
repeated here. Expected details are AWS's values and the stack file's, written out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.stacks import Applied, Deploy, write_variant
from tests.support.verify import Tamper, failing, verdicts, verify_json, walk

SPOT = {
    "elixir-cluster:nodes": {
        "instanceTypes": ["c7g.large", "c6g.large"],
        "spot": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 50},
    }
}
"""prod on spot and two types: the group has a mixed instances policy and capacity rebalance."""


def _group(env: Applied) -> dict[str, Any]:
    return env.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[env.outputs["autoScalingGroupName"]]
    )["AutoScalingGroups"][0]


def _update(env: Applied, **change: Any) -> None:
    env.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], **change
    )


def lengthen_the_default_warmup(env: Applied) -> None:
    _update(env, DefaultInstanceWarmup=600)


def stop_collecting_pending_capacity(env: Applied) -> None:
    env.client("autoscaling").disable_metrics_collection(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], Metrics=["GroupPendingCapacity"]
    )


def turn_capacity_rebalance_off(env: Applied) -> None:
    _update(env, CapacityRebalance=False)


def _change_the_mixed_instances(env: Applied, **change: Any) -> None:
    """UpdateAutoScalingGroup with the policy as it is, one part of it changed."""
    policy = _group(env)["MixedInstancesPolicy"]
    spec = policy["LaunchTemplate"]["LaunchTemplateSpecification"]
    launch_template = {
        "LaunchTemplateSpecification": {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": spec["Version"]},
        "Overrides": policy["LaunchTemplate"]["Overrides"],
        **change.pop("LaunchTemplate", {}),
    }
    distribution = {**policy["InstancesDistribution"], **change.pop("InstancesDistribution", {})}
    _update(env, MixedInstancesPolicy={"LaunchTemplate": launch_template, "InstancesDistribution": distribution})


def put_every_node_above_the_base_on_spot(env: Applied) -> None:
    _change_the_mixed_instances(env, InstancesDistribution={"OnDemandPercentageAboveBaseCapacity": 0})


def allow_a_bigger_instance_type(env: Applied) -> None:
    overrides = [{"InstanceType": "c7g.large"}, {"InstanceType": "c7g.4xlarge"}]
    _change_the_mixed_instances(env, LaunchTemplate={"Overrides": overrides})


def launch_the_latest_template_version(env: Applied) -> None:
    spec = _group(env)["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    specification = {"LaunchTemplateId": spec["LaunchTemplateId"], "Version": "$Latest"}
    _change_the_mixed_instances(env, LaunchTemplate={"LaunchTemplateSpecification": specification})


def _tag(env: Applied, key: str, **change: Any) -> None:
    tag = next(t for t in _group(env)["Tags"] if t["Key"] == key)
    kept = {k: tag[k] for k in ("ResourceId", "ResourceType", "Key", "Value", "PropagateAtLaunch")}
    env.client("autoscaling").create_or_update_tags(Tags=[{**kept, **change}])


def stop_propagating_the_name(env: Applied) -> None:
    _tag(env, "Name", PropagateAtLaunch=False)


def hand_the_nodes_to_another_team(env: Applied) -> None:
    _tag(env, "team", Value="platform")


def refresh_the_nodes_by_hand_half_at_a_time(env: Applied) -> None:
    """What `aws autoscaling start-instance-refresh --preferences MinHealthyPercentage=50` starts."""
    env.client("autoscaling").start_instance_refresh(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 120},
    )


TAMPERS = [
    Tamper(lengthen_the_default_warmup, "group.warmup", "DefaultInstanceWarmup 600, declared 120"),
    Tamper(stop_collecting_pending_capacity, "group.metrics", "not collected: GroupPendingCapacity"),
    Tamper(turn_capacity_rebalance_off, "group.instances", "CapacityRebalance False, declared True"),
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
    Tamper(stop_propagating_the_name, "group.tags", "tag Name no longer propagates to new nodes"),
    Tamper(hand_the_nodes_to_another_team, "group.tags", "tag team 'platform', declared 'payments'"),
    Tamper(launch_the_latest_template_version, "group.template_version", "version $Latest"),
    # the provider would have sent 90 and 110 (prod's instanceRefresh); AWS's default max is 100
    Tamper(
        refresh_the_nodes_by_hand_half_at_a_time,
        "group.refresh",
        "Preferences.MinHealthyPercentage 50, declared 90; Preferences.MaxHealthyPercentage None, declared 110",
    ),
]


def test_each_group_tamper_fails_its_check_and_no_other(
    deploy: Deploy, tmp_path: Path, verify_reusing_clients: None
) -> None:
    env = deploy("prod", SPOT)
    path = write_variant(tmp_path, "prod", "variant", SPOT)
    _, clean = verify_json(env, "--config", str(path))
    assert failing(clean) == {}
    checks = verdicts(clean)
    assert checks["group.refresh"]["detail"].startswith("no instance refresh has run yet")
    assert checks["group.instances"]["detail"] == "mixed instances c7g.large, c6g.large; capacity rebalance True"
    # a refresh as the provider starts it on an update (prod's instanceRefresh), then cancelled: the
    # latest refresh passes, and the walk's refresh by hand becomes the latest
    autoscaling, group = env.client("autoscaling"), env.outputs["autoScalingGroupName"]
    autoscaling.start_instance_refresh(
        AutoScalingGroupName=group,
        Strategy="Rolling",
        Preferences={"MinHealthyPercentage": 90, "MaxHealthyPercentage": 110, "InstanceWarmup": 120},
    )
    refresh = verdicts(verify_json(env, "--config", str(path))[1])["group.refresh"]
    assert (refresh["status"], refresh["detail"].split(": ", 1)[1]) == (
        "pass",
        "Rolling, MinHealthyPercentage 90, MaxHealthyPercentage 110, InstanceWarmup 120",
    )
    autoscaling.cancel_instance_refresh(AutoScalingGroupName=group)
    walk(env, ("--config", str(path)), TAMPERS)
