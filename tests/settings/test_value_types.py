"""What a key may hold: the values each type takes, and what it makes of them."""

from __future__ import annotations

import pytest

from components.settings import ami_architecture, instance_architecture, matcher_ranges
from tests.support.sections import load


def test_yaml_numbers_become_text_where_aws_wants_text():
    loaded = load(cluster={"tags": {"cost-center": 4711}}, loadBalancer={"healthCheck": {"matcher": 200}})
    assert loaded.cluster.tags["cost-center"] == "4711"
    assert loaded.load_balancer.health_check.matcher == "200"


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("c7g.large", "arm64"),
        ("m7gd.xlarge", "arm64"),
        ("t4g.small", "arm64"),
        ("c7gn.2xlarge", "arm64"),
        ("r8g.large", "arm64"),
        ("im4gn.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.medium", "arm64"),
        ("m7i.large", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("c5.large", "x86_64"),
        ("t3.micro", "x86_64"),
    ],
)
def test_instance_architecture_from_the_family_name(instance_type, architecture):
    assert instance_architecture(instance_type) == architecture


@pytest.mark.parametrize(
    ("ami", "architecture"),
    [
        ("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", "arm64"),
        ("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "x86_64"),
        ("resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id", "x86_64"),
        ("resolve:ssm:/shop/golden-image", None),
        ("ami-0123456789abcdef0", None),
    ],
)
def test_an_image_names_its_architecture_only_in_its_parameter_path(ami, architecture):
    assert ami_architecture(ami) == architecture


def test_a_matcher_is_ranges_of_codes():
    assert matcher_ranges("200,202-204") == [(200, 200), (202, 204)]
