"""The node role's IAM documents (plans/iam.py): valid policy grammar, and every statement
scoped to what it needs.

Run: `.venv/bin/python -m pytest --tb=native -q tests/plans/test_iam_plan.py`
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from moto.iam.policy_validation import IAMPolicyDocumentValidator, IAMTrustPolicyDocumentValidator

from components.plans.iam import (
    CLOUDWATCH_AGENT_SERVER_POLICY_ARN,
    DESCRIBE_ACTIONS,
    MANAGED_POLICY_ARNS,
    SSM_MANAGED_INSTANCE_CORE_POLICY_ARN,
    artifact_object_arn,
    assume_role_policy,
    node_boot_policy,
    node_drain_policy,
    node_role_policy,
)
from components.settings import StackSettings
from tests.support.stacks import write_variant
from tools.stack_files import load_stack_settings

ACCOUNT = "123456789012"
REGION = "eu-west-1"
COOKIE_PARAMETER_ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/prod/release-cookie"
COOKIE_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
GROUP_ARN = (
    f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:"
    "4f2a0c1e-9b8d-4e5f-a6b7-c8d9e0f1a2b3:autoScalingGroupName/shop-prod-nodes-4f2a"
)
SERVICE_ARN = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-abcdef0123456789"
HOSTED_ZONE_ID = "Z0123456789ABCDEFGHIJ"


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StackSettings]:
    directory = tmp_path_factory.mktemp("stacks")
    variants = {
        "prod": ("prod", {}),
        "dev": ("dev", {}),
        "dns": ("prod", {"elixir-cluster:release": {"discovery": "dns"}}),
        "https": ("dev", {"elixir-cluster:release": {"artifact": "https://releases.example.com/shop-1.4.2.tar.gz"}}),
    }
    return {
        name: load_stack_settings(write_variant(directory, base, name, changes))
        for name, (base, changes) in variants.items()
    }


def policy(settings: StackSettings) -> dict[str, Any]:
    discovery = {}
    if settings.release.discovery == "dns":
        discovery = {"discovery_service_arn": SERVICE_ARN, "discovery_hosted_zone_id": HOSTED_ZONE_ID}
    document = node_role_policy(
        settings.release,
        settings.region,
        cookie_parameter_arn=COOKIE_PARAMETER_ARN,
        cookie_key_arn=COOKIE_KEY_ARN,
        group_arn=GROUP_ARN,
        **discovery,
    )
    return json.loads(json.dumps(document))


def statements(settings: StackSettings) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in policy(settings)["Statement"]}


@pytest.mark.parametrize("variant", ["prod", "dev", "dns", "https"])
def test_policy_is_valid_iam_grammar(stacks: dict[str, StackSettings], variant: str) -> None:
    IAMPolicyDocumentValidator(json.dumps(policy(stacks[variant]))).validate()


@pytest.mark.parametrize("variant", ["prod", "dev", "dns", "https"])
def test_no_wildcard_actions_and_star_only_for_describe(stacks: dict[str, StackSettings], variant: str) -> None:
    for statement in policy(stacks[variant])["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", action) for action in actions), actions
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in resources:
            assert set(actions) <= DESCRIBE_ACTIONS, f"{statement['Sid']}: '*' only for EC2 Describe*"
        assert all(resource == "*" or "*" not in resource for resource in resources), statement


def test_each_statement_names_exactly_its_resource(stacks: dict[str, StackSettings]) -> None:
    found = statements(stacks["prod"])
    assert set(found) == {
        "DiscoverClusterNodes",
        "ReadReleaseCookie",
        "DecryptReleaseCookie",
        "FetchReleaseArtifact",
        "CompleteScaleInDrain",
    }
    assert found["DiscoverClusterNodes"]["Action"] == ["ec2:DescribeInstances", "ec2:DescribeTags"]
    assert found["ReadReleaseCookie"] == {
        **found["ReadReleaseCookie"],
        "Action": ["ssm:GetParameter"],
        "Resource": COOKIE_PARAMETER_ARN,
    }
    assert found["FetchReleaseArtifact"]["Action"] == ["s3:GetObject"]
    assert found["FetchReleaseArtifact"]["Resource"] == "arn:aws:s3:::shop-releases/shop-1.4.2.tar.gz"
    assert found["CompleteScaleInDrain"]["Action"] == ["autoscaling:CompleteLifecycleAction"]
    assert found["CompleteScaleInDrain"]["Resource"] == GROUP_ARN


def test_cookie_key_decrypts_only_through_parameter_store_for_the_cookie(stacks: dict[str, StackSettings]) -> None:
    decrypt = statements(stacks["prod"])["DecryptReleaseCookie"]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Resource"] == COOKIE_KEY_ARN
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": f"ssm.{REGION}.amazonaws.com",
            "kms:EncryptionContext:PARAMETER_ARN": COOKIE_PARAMETER_ARN,
        }
    }


def test_https_artifact_needs_no_s3_access(stacks: dict[str, StackSettings]) -> None:
    assert artifact_object_arn(stacks["https"].release) is None
    assert not any(action.startswith("s3:") for s in statements(stacks["https"]).values() for action in s["Action"])


def test_dns_discovery_may_register_only_in_its_service_and_zone(stacks: dict[str, StackSettings]) -> None:
    found = statements(stacks["dns"])
    assert found["RegisterInCloudMap"]["Action"] == [
        "servicediscovery:DeregisterInstance",
        "servicediscovery:RegisterInstance",
    ]
    assert found["RegisterInCloudMap"]["Resource"] == SERVICE_ARN
    assert found["PublishNodeRecord"] == {
        **found["PublishNodeRecord"],
        "Action": ["route53:ChangeResourceRecordSets"],
        "Resource": f"arn:aws:route53:::hostedzone/{HOSTED_ZONE_ID}",
    }
    # No libcluster EC2 polling: DescribeInstances stays for Cloud Map's RegisterInstance.
    assert found["DiscoverClusterNodes"]["Action"] == ["ec2:DescribeInstances"]


def test_ec2_tags_discovery_gets_no_cloud_map_access(stacks: dict[str, StackSettings]) -> None:
    actions = [action for s in statements(stacks["prod"]).values() for action in s["Action"]]
    assert not any(action.startswith(("servicediscovery:", "route53:")) for action in actions)


def test_discovery_arguments_must_match_the_discovery_mode(stacks: dict[str, StackSettings]) -> None:
    common = {"cookie_parameter_arn": COOKIE_PARAMETER_ARN, "cookie_key_arn": COOKIE_KEY_ARN, "group_arn": GROUP_ARN}
    with pytest.raises(ValueError, match="dns needs"):
        node_role_policy(stacks["dns"].release, REGION, **common, discovery_service_arn=SERVICE_ARN)
    with pytest.raises(ValueError, match="registers nothing"):
        node_role_policy(
            stacks["prod"].release,
            REGION,
            **common,
            discovery_service_arn=SERVICE_ARN,
            discovery_hosted_zone_id=HOSTED_ZONE_ID,
        )


def test_arns_built_here_follow_the_partition_of_the_arns_given(stacks: dict[str, StackSettings]) -> None:
    china = {
        "cookie_parameter_arn": COOKIE_PARAMETER_ARN.replace("arn:aws:", "arn:aws-cn:"),
        "cookie_key_arn": COOKIE_KEY_ARN.replace("arn:aws:", "arn:aws-cn:"),
        "group_arn": GROUP_ARN.replace("arn:aws:", "arn:aws-cn:"),
    }
    found = {s["Sid"]: s for s in node_role_policy(stacks["prod"].release, REGION, **china)["Statement"]}
    assert found["FetchReleaseArtifact"]["Resource"].startswith("arn:aws-cn:s3:::")


def test_trust_policy_lets_only_ec2_assume_the_role() -> None:
    document = assume_role_policy()
    IAMTrustPolicyDocumentValidator(json.dumps(document)).validate()
    assert document["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]


def test_managed_policies_are_ssm_core_and_the_cloudwatch_agent() -> None:
    assert MANAGED_POLICY_ARNS == (SSM_MANAGED_INSTANCE_CORE_POLICY_ARN, CLOUDWATCH_AGENT_SERVER_POLICY_ARN)
    assert [arn.rsplit("/", 1)[1] for arn in MANAGED_POLICY_ARNS] == [
        "AmazonSSMManagedInstanceCore",
        "CloudWatchAgentServerPolicy",
    ]
    assert all(arn.startswith("arn:aws:iam::aws:policy/") for arn in MANAGED_POLICY_ARNS)


@pytest.mark.parametrize("variant", ["prod", "dns"])
def test_boot_needs_nothing_from_the_group_and_drain_touches_only_the_group(
    stacks: dict[str, StackSettings], variant: str
) -> None:
    # The boot document exists before the group (it launches nodes with it): it must not need
    # the group's ARN, and together with the drain document it is the whole role policy.
    settings = stacks[variant]
    discovery = {}
    if settings.release.discovery == "dns":
        discovery = {"discovery_service_arn": SERVICE_ARN, "discovery_hosted_zone_id": HOSTED_ZONE_ID}
    boot = node_boot_policy(
        settings.release,
        settings.region,
        cookie_parameter_arn=COOKIE_PARAMETER_ARN,
        cookie_key_arn=COOKIE_KEY_ARN,
        **discovery,
    )
    drain = node_drain_policy(GROUP_ARN)
    assert not any(a.startswith("autoscaling:") for s in boot["Statement"] for a in s["Action"])
    assert [(s["Action"], s["Resource"]) for s in drain["Statement"]] == [
        (["autoscaling:CompleteLifecycleAction"], GROUP_ARN)
    ]
    assert boot["Statement"] + drain["Statement"] == policy(settings)["Statement"]
