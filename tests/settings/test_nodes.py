"""`nodes`: the node group's instance types, image, sizes, spot share and replacement."""

from __future__ import annotations

import pytest

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
