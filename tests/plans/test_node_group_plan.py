"""The node group's plan (plans/node_group.py) as AWS reports each part: the group's sizes,
health checks, warmup, metrics, instance mix and tags (DescribeAutoScalingGroups), the refresh
preferences (DescribeInstanceRefreshes), the launch and drain hooks (DescribeLifecycleHooks).

Expected values are AWS's literals, or computed here by hand from the settings given."""

from __future__ import annotations

import pytest

from components.plans.node_group import GROUP_METRICS, group_plan, node_group_plan
from tests.support.fragments import RUN_QUEUE_STEP

EVERY_GROUP_METRIC = [  # as AWS spells them, sorted: every group metric but the warm pool's
    "GroupDesiredCapacity",
    "GroupInServiceCapacity",
    "GroupInServiceInstances",
    "GroupMaxSize",
    "GroupMinSize",
    "GroupPendingCapacity",
    "GroupPendingInstances",
    "GroupStandbyCapacity",
    "GroupStandbyInstances",
    "GroupTerminatingCapacity",
    "GroupTerminatingInstances",
    "GroupTotalCapacity",
    "GroupTotalInstances",
]


def test_sizes_are_the_nodes_section_and_desired_capacity_is_set_at_creation_only(settings):
    group = group_plan(
        settings(nodes={"instanceTypes": ["c7g.large"], "minSize": 2, "maxSize": 6, "desiredCapacity": 4})
    )
    assert (group.sizes.min_size, group.sizes.max_size, group.sizes.desired_capacity) == (2, 6, 4)
    assert group.sizes.described() == {"MinSize": 2, "MaxSize": 6}  # desired is scaling's to change
    assert group.ignore_changes == ("desiredCapacity",)  # the provider's property name


def test_desired_capacity_starts_at_min_size_when_unset(settings):
    group = group_plan(settings(nodes={"instanceTypes": ["c7g.large"], "minSize": 3, "maxSize": 6}))
    assert group.sizes.desired_capacity == 3


def test_the_load_balancer_judges_health_after_the_grace_period(settings):
    group = group_plan(settings(nodes={"instanceTypes": ["c7g.large"], "healthCheckGracePeriod": 90}))
    assert group.described_health_check() == {"HealthCheckType": "ELB", "HealthCheckGracePeriod": 90}


def test_a_refresh_rolls_with_the_preferences_of_the_stack_file(settings):
    refresh = {
        "minHealthyPercentage": 75,
        "maxHealthyPercentage": 150,
        "instanceWarmup": 200,
        "checkpoints": {"percentages": [20, 100], "delay": 600},
        "alarms": ["unhealthy-hosts", "p99-latency"],
        "skipMatching": False,
        "scaleInProtectedInstances": "Refresh",
        "standbyInstances": "Terminate",
    }
    group = group_plan(settings(nodes={"instanceTypes": ["c7g.large"], "instanceRefresh": refresh}))
    assert group.refresh.described() == {
        "Strategy": "Rolling",
        "Preferences": {
            "MinHealthyPercentage": 75,
            "MaxHealthyPercentage": 150,
            "InstanceWarmup": 200,
            "CheckpointPercentages": [20, 100],
            "CheckpointDelay": 600,
            # CloudWatch's names for them: the cluster's qualified name, then the role
            "AlarmSpecification": {"Alarms": ["shop-dev-unhealthy-hosts", "shop-dev-p99-latency"]},
            "SkipMatching": False,
            "ScaleInProtectedInstances": "Refresh",
            "StandbyInstances": "Terminate",
        },
    }
    assert group.default_instance_warmup == 200  # as DescribeAutoScalingGroups reports DefaultInstanceWarmup


def test_a_refresh_without_checkpoints_or_alarms_sends_neither(settings):
    preferences = group_plan(settings(nodes={"instanceTypes": ["c7g.large"]})).refresh.described()["Preferences"]
    # a checkpoint delay without percentages is refused by AWS; an empty alarm list means nothing
    assert preferences == {
        "MinHealthyPercentage": 50,  # dev's default
        "MaxHealthyPercentage": 100,
        "InstanceWarmup": 120,
        "SkipMatching": True,
        "ScaleInProtectedInstances": "Ignore",
        "StandbyInstances": "Ignore",
    }


def test_a_step_policy_fails_a_refresh_by_its_alarm(settings):
    stack = settings(
        nodes={"instanceTypes": ["c7g.large"], "instanceRefresh": {"alarms": ["run-queue"]}},
        scaling={"step": [RUN_QUEUE_STEP]},
    )
    assert group_plan(stack).refresh.preferences.alarms == ("shop-dev-step-run-queue",)


@pytest.mark.parametrize(
    ("percentages", "nodes", "canary"),
    [
        # AWS reaches a checkpoint once at least its share of the nodes is new
        ([34, 100], 3, 2),  # 1 of 3 is 33.3% < 34
        ([33, 100], 3, 1),
        ([8, 100], 12, 1),  # 1 of 12 is 8.3%
        ([10, 100], 12, 2),
        ([20, 100], 10, 2),  # exactly 2: no float noise
        ([100], 3, 3),
        (None, 5, 5),  # no checkpoints: one pass over every node
    ],
)
def test_the_first_checkpoint_is_the_canary(settings, percentages, nodes, canary):
    refresh = {"checkpoints": {"percentages": percentages}} if percentages else {}
    stack = settings(nodes={"instanceTypes": ["c7g.large"], "instanceRefresh": refresh})
    assert group_plan(stack).refresh.preferences.canary_nodes(nodes) == canary


def test_every_group_metric_but_the_warm_pools_is_collected_each_minute(settings):
    group = group_plan(settings(nodes={"instanceTypes": ["c7g.large"]}))
    assert group.described_metrics() == [{"Metric": m, "Granularity": "1Minute"} for m in EVERY_GROUP_METRIC]
    assert sorted(GROUP_METRICS) == EVERY_GROUP_METRIC


def test_pulumi_up_waits_ten_minutes_for_the_nodes(settings):
    assert group_plan(settings(nodes={"instanceTypes": ["c7g.large"]})).capacity_wait_timeout == "10m"


def test_one_on_demand_type_needs_no_mixed_instances_policy(settings):
    plan = node_group_plan(settings(nodes={"instanceTypes": ["c7g.large"]}))
    assert plan.group.described_instances() == {"CapacityRebalance": False}
    assert plan.template.instance_type == "c7g.large"


def test_several_types_without_spot_are_all_on_demand(settings):
    plan = node_group_plan(settings(nodes={"instanceTypes": ["c7g.large", "c6g.large"]}))
    assert plan.group.described_instances() == {
        "CapacityRebalance": False,
        "MixedInstancesPolicy": {
            "LaunchTemplate": {"Overrides": [{"InstanceType": "c7g.large"}, {"InstanceType": "c6g.large"}]},
            "InstancesDistribution": {"OnDemandBaseCapacity": 0, "OnDemandPercentageAboveBaseCapacity": 100},
        },
    }
    assert plan.template.instance_type is None  # the overrides choose


def test_spot_follows_the_settings_and_rebalances_capacity(settings):
    spot = {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBase": 25}
    plan = node_group_plan(settings(nodes={"instanceTypes": ["c7g.large", "c6g.large"], "spot": spot}))
    instances = plan.group.described_instances()
    assert instances["CapacityRebalance"] is True
    assert instances["MixedInstancesPolicy"]["InstancesDistribution"] == {
        "OnDemandBaseCapacity": 1,
        "OnDemandPercentageAboveBaseCapacity": 25,
        "SpotAllocationStrategy": "price-capacity-optimized",  # AWS's recommendation, the default
    }


def test_spot_on_one_type_is_a_mixed_instances_policy_too(settings):
    plan = node_group_plan(settings(nodes={"instanceTypes": ["c7g.large"], "spot": {}}))
    overrides = plan.group.described_instances()["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]
    assert overrides == [{"InstanceType": "c7g.large"}]
    assert plan.template.instance_type is None


def test_every_tag_of_the_group_reaches_its_nodes(settings):
    group = group_plan(settings(cluster={"tags": {"team": "payments"}}, nodes={"instanceTypes": ["c7g.large"]}))
    assert group.described_tags() == [
        {"Key": "Environment", "Value": "dev", "PropagateAtLaunch": True},
        {"Key": "ManagedBy", "Value": "pulumi", "PropagateAtLaunch": True},
        {"Key": "Name", "Value": "shop-dev-node", "PropagateAtLaunch": True},
        {"Key": "elixir-cluster:cluster", "Value": "shop-dev", "PropagateAtLaunch": True},  # discovery filters on it
        {"Key": "team", "Value": "payments", "PropagateAtLaunch": True},
    ]


def test_the_drain_hook_holds_a_leaving_node_for_the_whole_drain(settings):
    stack = settings(
        loadBalancer={"deregistrationDelay": 45}, release={"drainSeconds": 60}, nodes={"instanceTypes": ["c7g.large"]}
    )
    plan = node_group_plan(stack)
    assert plan.drain_hook.name == "release-drain"
    # poll 5 + 45 s of load balancer draining + 60 s of release drain + stop margin 15 + completion 10
    assert plan.drain_hook.described() == {
        "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
        "HeartbeatTimeout": 135,
        "DefaultResult": "CONTINUE",
    }
    assert [hook.name for hook in plan.hooks] == ["release-join", "release-drain"]


def test_the_launch_hook_holds_a_new_node_until_it_joined_and_abandons_it_after(settings):
    plan = node_group_plan(settings(release={"joinSeconds": 200}, nodes={"instanceTypes": ["c7g.large"]}))
    assert plan.launch_hook.name == "release-join"
    # boot 300 + the join wait 200 + completion 10; a node nobody vouched for never serves
    assert plan.launch_hook.described() == {
        "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
        "HeartbeatTimeout": 510,
        "DefaultResult": "ABANDON",
    }


def test_dev_drains_in_a_minute(settings):
    stack = settings(
        loadBalancer={"deregistrationDelay": 15}, release={"drainSeconds": 15}, nodes={"instanceTypes": ["t4g.small"]}
    )
    # 5 + 15 + 15 + 15 + 10
    assert node_group_plan(stack).drain_hook.heartbeat_timeout == 60
