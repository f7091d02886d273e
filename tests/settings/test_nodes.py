"""`nodes`: the node group's instance types, image, sizes, spot share and replacement."""

from __future__ import annotations

import pytest

from tests.support.fragments import RUN_QUEUE_STEP
from tests.support.sections import load, problems, refusals

X86_IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


@pytest.mark.parametrize(
    ("nodes", "line"),
    [
        ({"minSize": 3, "maxSize": 2}, "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2"),
        ({"minSize": 2, "desiredCapacity": 1}, "elixir-cluster:nodes.desiredCapacity: must be >= minSize (2), got 1"),
        ({"maxSize": 3, "desiredCapacity": 4}, "elixir-cluster:nodes.desiredCapacity: must be <= maxSize (3), got 4"),
        (
            {"instanceTypes": ["c7g.large", "m7i.large"]},
            "elixir-cluster:nodes.instanceTypes[1]: is x86_64 but c7g.large is arm64",
        ),
        (
            {"instanceTypes": ["m7i.large"]},
            "elixir-cluster:nodes.instanceTypes: are x86_64 but ami names an arm64 image: set ami to the x86_64 image",
        ),
        ({"instanceTypes": ["large"]}, "elixir-cluster:nodes.instanceTypes[0]: must be an EC2 instance type"),
        (
            {"instanceTypes": ["c7g.large", "c7g.large"]},
            'elixir-cluster:nodes.instanceTypes[1]: listed twice, got "c7g.large"',
        ),
        ({"ami": "al2023"}, "elixir-cluster:nodes.ami: must be resolve:ssm:/<parameter> (recommended) or ami-<hex>"),
        (
            {"spot": {"onDemandBaseCapacity": 5}},
            "elixir-cluster:nodes.spot.onDemandBaseCapacity: must be <= maxSize (3), got 5",
        ),
        ({"spot": {"allocationStrategy": "cheapest"}}, "elixir-cluster:nodes.spot.allocationStrategy: must be one of"),
        (
            {"extraSecurityGroupIds": ["sg-01234567", "sg-01234568", "sg-01234569", "sg-0123456a", "sg-0123456b"]},
            "elixir-cluster:nodes.extraSecurityGroupIds: must have at most 4 items",
        ),
        (
            {"extraSecurityGroupIds": ["sg-xyz"]},
            "elixir-cluster:nodes.extraSecurityGroupIds[0]: must be a security group id",
        ),
        (
            {"instanceRefresh": {"minHealthyPercentage": 50, "maxHealthyPercentage": 200}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be <= minHealthyPercentage + 100 (150)",
        ),
        (
            {"instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 100}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be above 100 when "
            "minHealthyPercentage is 100",
        ),
        ({"rootVolumeGiB": 20000}, "elixir-cluster:nodes.rootVolumeGiB: must be <= 16384, got 20000"),
    ],
)
def test_node_group_rules(nodes, line):
    (found,) = problems(nodes=nodes)
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("nodes", "refused"),
    [
        # maxSize >= minSize
        ({"minSize": 3, "maxSize": 3}, None),
        ({"minSize": 4, "maxSize": 3}, "elixir-cluster:nodes.maxSize: must be >= minSize (4), got 3"),
        # minSize <= desiredCapacity <= maxSize
        ({"minSize": 2, "maxSize": 4, "desiredCapacity": 2}, None),
        (
            {"minSize": 2, "maxSize": 4, "desiredCapacity": 1},
            "elixir-cluster:nodes.desiredCapacity: must be >= minSize (2), got 1",
        ),
        ({"minSize": 2, "maxSize": 4, "desiredCapacity": 4}, None),
        (
            {"minSize": 2, "maxSize": 4, "desiredCapacity": 5},
            "elixir-cluster:nodes.desiredCapacity: must be <= maxSize (4), got 5",
        ),
        # spot's on-demand base fits the group
        ({"maxSize": 4, "spot": {"onDemandBaseCapacity": 4}}, None),
        (
            {"maxSize": 4, "spot": {"onDemandBaseCapacity": 5}},
            "elixir-cluster:nodes.spot.onDemandBaseCapacity: must be <= maxSize (4), got 5",
        ),
        # an instance refresh: maxHealthyPercentage - minHealthyPercentage <= 100
        ({"instanceRefresh": {"minHealthyPercentage": 50, "maxHealthyPercentage": 150}}, None),
        (
            {"instanceRefresh": {"minHealthyPercentage": 50, "maxHealthyPercentage": 151}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be <= minHealthyPercentage + 100 (150), "
            "as AWS requires, got 151",
        ),
        # ... and room to replace a node: not both 100
        ({"instanceRefresh": {"minHealthyPercentage": 99, "maxHealthyPercentage": 100}}, None),
        ({"instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 101}}, None),
        (
            {"instanceRefresh": {"minHealthyPercentage": 100, "maxHealthyPercentage": 100}},
            "elixir-cluster:nodes.instanceRefresh.maxHealthyPercentage: must be above 100 when minHealthyPercentage "
            "is 100, or no node can be replaced, got 100",
        ),
        # at most 4 extra security groups beside the node group's own
        ({"extraSecurityGroupIds": ["sg-01234567", "sg-01234568", "sg-01234569", "sg-0123456a"]}, None),
    ],
)
def test_size_and_refresh_rules_at_their_boundaries(nodes, refused):
    assert refusals(nodes=nodes) == ([] if refused is None else [refused])


def test_the_desired_capacity_defaults_to_the_minimum_size():
    loaded = load(nodes={"minSize": 2, "maxSize": 5})
    assert loaded.nodes.desired_capacity == 2 and not loaded.nodes.is_set("desired_capacity")


def test_prod_may_run_a_single_node():
    # a cost choice the policy pack judges (prod-min-nodes); AWS and the BEAM run one node fine
    loaded = load(stack="prod", nodes={"minSize": 1, "desiredCapacity": 1})
    assert (loaded.nodes.min_size, loaded.nodes.desired_capacity) == (1, 1)


def test_prod_sizes_keep_their_order():
    assert problems(stack="prod", nodes={"minSize": 1, "maxSize": 2, "desiredCapacity": 3}) == [
        "elixir-cluster:nodes.desiredCapacity: must be <= maxSize (2), got 3"
    ]


def test_x86_nodes_with_an_x86_image():
    nodes = {"instanceTypes": ["m7i.large", "c7i.large"], "ami": X86_IMAGE}
    assert load(nodes=nodes).nodes.architecture == "x86_64"


def test_an_ami_id_names_no_architecture_so_any_type_goes():
    loaded = load(nodes={"instanceTypes": ["m7i.large"], "ami": "ami-0123456789abcdef0"})
    assert loaded.nodes.architecture == "x86_64"


# --- instanceRefresh as AWS's RefreshPreferences defines it ---------------------------------------


@pytest.mark.parametrize(
    ("refresh", "refused"),
    [
        # checkpoints: each 1..100, unique and ascending; a last one below 100 stops there, as AWS allows
        ({"checkpoints": {"percentages": [1, 100]}}, None),
        ({"checkpoints": {"percentages": [100]}}, None),
        ({"checkpoints": {"percentages": [20, 50]}}, None),
        (
            {"checkpoints": {"percentages": [0, 100]}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages[0]: must be >= 1, got 0",
        ),
        (
            {"checkpoints": {"percentages": [50, 101]}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages[1]: must be <= 100, got 101",
        ),
        (
            {"checkpoints": {"percentages": [50, 50, 100]}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages[1]: must be above percentages[0] (50), "
            "as AWS requires, got 50",
        ),
        (
            {"checkpoints": {"percentages": [60, 30, 100]}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages[1]: must be above percentages[0] (60), "
            "as AWS requires, got 30",
        ),
        (
            {"checkpoints": {"percentages": []}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages: must have at least 1 items",
        ),
        ({"checkpoints": {"delay": 300}}, "elixir-cluster:nodes.instanceRefresh.checkpoints.percentages: required"),
        # the delay: 0..172800 s (two days)
        ({"checkpoints": {"percentages": [50, 100], "delay": 0}}, None),
        ({"checkpoints": {"percentages": [50, 100], "delay": 172800}}, None),
        (
            {"checkpoints": {"percentages": [50, 100], "delay": 172801}},
            "elixir-cluster:nodes.instanceRefresh.checkpoints.delay: must be <= 172800, got 172801",
        ),
        # at most 10 alarms, each once
        ({"alarms": ["unhealthy-hosts", "healthy-hosts-below-min", "5xx-rate", "p99-latency"]}, None),
        (
            {"alarms": ["unhealthy-hosts"] * 11},
            "elixir-cluster:nodes.instanceRefresh.alarms: must have at most 10 items",
        ),
        (
            {"alarms": ["5xx-rate", "unhealthy-hosts", "5xx-rate"]},
            'elixir-cluster:nodes.instanceRefresh.alarms[2]: listed twice, got "5xx-rate"',
        ),
        # protected and standby nodes: AWS's choices for each, which differ
        ({"scaleInProtectedInstances": "Refresh", "standbyInstances": "Terminate"}, None),
        ({"scaleInProtectedInstances": "Wait", "standbyInstances": "Wait"}, None),
        (
            {"standbyInstances": "Refresh"},
            "elixir-cluster:nodes.instanceRefresh.standbyInstances: must be one of: Terminate, Ignore, Wait",
        ),
        (
            {"scaleInProtectedInstances": "Terminate"},
            "elixir-cluster:nodes.instanceRefresh.scaleInProtectedInstances: must be one of: Refresh, Ignore, Wait",
        ),
    ],
)
def test_refresh_preferences_at_awss_boundaries(refresh, refused):
    found = refusals(nodes={"instanceRefresh": refresh})
    if refused is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(refused), found


@pytest.mark.parametrize("key", ["autoRollback", "bakeTime"])
def test_what_the_provider_cannot_carry_is_refused_saying_why(key):
    (line,) = problems(nodes={"instanceRefresh": {key: True}})
    assert line.startswith(f"elixir-cluster:nodes.instanceRefresh.{key}: not offered: pulumi-aws")


def test_auto_rollback_is_refused_with_the_upstream_issue_and_the_way_back():
    (line,) = problems(nodes={"instanceRefresh": {"autoRollback": True}})
    assert "https://github.com/hashicorp/terraform-provider-aws/issues/34189" in line
    assert "revert the stack file and run `pulumi up`" in line
    assert "SSM parameter" in line


def test_a_refresh_skips_matching_nodes_and_leaves_protected_and_standby_ones_unless_told():
    refresh = load().nodes.instance_refresh
    assert (refresh.skip_matching, refresh.scale_in_protected_instances, refresh.standby_instances) == (
        True,
        "Ignore",
        "Ignore",
    )
    assert refresh.checkpoints is None
    assert (
        load(nodes={"instanceRefresh": {"checkpoints": {"percentages": [50]}}}).nodes.instance_refresh.checkpoints.delay
        == 3600
    )


def test_prods_refresh_fails_on_its_5xx_and_unhealthy_host_alarms_by_default():
    assert load(stack="prod").refresh_alarms == ["5xx-rate", "unhealthy-hosts"]
    assert load(stack="staging").refresh_alarms == [] and load().refresh_alarms == []


def test_behind_a_network_load_balancer_prods_default_keeps_the_alarm_it_has():
    # an NLB publishes no HTTP codes, so the stack has no 5xx-rate alarm: the default names what exists
    nlb = {"type": "network", "certificateArn": None, "waf": {"enabled": False}}
    assert load(stack="prod", loadBalancer=nlb).refresh_alarms == ["unhealthy-hosts"]


def test_refresh_alarms_name_health_alarms_by_role_and_step_policies_by_name():
    refresh = {"alarms": ["p99-latency", "run-queue"]}
    loaded = load(nodes={"instanceRefresh": refresh}, scaling={"step": [RUN_QUEUE_STEP]})
    assert loaded.refresh_alarms == ["p99-latency", "run-queue"]
