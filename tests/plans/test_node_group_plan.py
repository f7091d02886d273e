"""The node group's AWS values: instance metadata, the drain hook, mixed instances, metrics."""

from __future__ import annotations

from components.plans.node_group import (
    DESIRED_CAPACITY,
    GROUP_METRICS,
    HEALTH_CHECK_TYPE,
    METADATA_OPTIONS,
    METRICS_GRANULARITY,
    capacity_rebalance,
    drain_hook,
    instance_type,
    instances_distribution,
    is_mixed,
)


def test_instance_metadata_is_imdsv2_only_one_hop_with_tags():
    assert METADATA_OPTIONS.described() == {
        "HttpEndpoint": "enabled",
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 1,
        "InstanceMetadataTags": "enabled",
    }


def test_the_drain_hook_holds_a_leaving_node_for_the_whole_drain(settings):
    stack = settings(loadBalancer={"deregistrationDelay": 45}, release={"drainSeconds": 60})
    hook = drain_hook(stack)
    assert hook.name == "release-drain"
    # 45 s of load balancer draining + 60 s of release drain + the agent's 30 s margin
    assert hook.described() == {
        "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
        "HeartbeatTimeout": 135,
        "DefaultResult": "CONTINUE",
    }


def test_one_on_demand_type_needs_no_mixed_instances_policy(settings):
    nodes = settings(nodes={"instanceTypes": ["c7g.large"]}).nodes
    assert (is_mixed(nodes), instance_type(nodes), capacity_rebalance(nodes)) == (False, "c7g.large", None)


def test_several_types_without_spot_are_all_on_demand(settings):
    nodes = settings(nodes={"instanceTypes": ["c7g.large", "c6g.large"]}).nodes
    assert is_mixed(nodes) and instance_type(nodes) is None
    distribution = instances_distribution(nodes)
    assert (
        distribution.on_demand_base_capacity,
        distribution.on_demand_percentage_above_base,
        distribution.spot_allocation_strategy,
    ) == (0, 100, None)


def test_spot_follows_the_settings_and_rebalances_capacity(settings):
    spot = {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 25}
    nodes = settings(nodes={"instanceTypes": ["c7g.large", "c6g.large"], "spot": spot}).nodes
    distribution = instances_distribution(nodes)
    assert (distribution.on_demand_base_capacity, distribution.on_demand_percentage_above_base) == (1, 25)
    assert distribution.spot_allocation_strategy == nodes.spot.allocation_strategy
    assert capacity_rebalance(nodes) is True


def test_the_group_is_health_checked_by_the_load_balancer_and_keeps_scalings_capacity():
    assert HEALTH_CHECK_TYPE == "ELB"
    assert DESIRED_CAPACITY == "desiredCapacity"  # the provider's property name, ignored after creation


def test_every_group_metric_but_the_warm_pools_is_collected_each_minute():
    assert set(GROUP_METRICS) == {
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
    assert METRICS_GRANULARITY == "1Minute"
