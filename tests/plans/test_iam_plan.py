"""The node role's IAM documents (plans/iam.py): valid policy grammar, every statement scoped to
what it needs, and prod's whole document as AWS will hold it, written out.

Run: `.venv/bin/python -m pytest --tb=native -q tests/plans/test_iam_plan.py`
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from moto.iam.policy_validation import IAMPolicyDocumentValidator, IAMTrustPolicyDocumentValidator

from components.plans.iam import (
    artifact_object_arn,
    assume_role_policy,
    node_boot_policy,
    node_lifecycle_policy,
    node_role_policy,
)
from components.settings import StackSettings
from tests.support.fragments import PINNED_SECRET_ID, PINNED_SECRETS
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

PROD_NODE_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DiscoverClusterNodes",
            "Effect": "Allow",
            "Action": ["ec2:DescribeInstances", "ec2:DescribeTags"],
            "Resource": "*",
        },
        {
            "Sid": "ReadGroupMembers",
            "Effect": "Allow",
            "Action": ["autoscaling:DescribeAutoScalingGroups"],
            "Resource": "*",
        },
        {
            "Sid": "ReadReleaseCookie",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/release-cookie",
        },
        {
            "Sid": "DecryptReleaseCookie",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "ssm.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": (
                        "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/release-cookie"
                    ),
                }
            },
        },
        {
            "Sid": "ReadReleaseParameters",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": ["arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/secret-key-base"],
        },
        {
            "Sid": "DecryptReleaseParameters",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": ["arn:aws:kms:eu-west-1:123456789012:key/*"],
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "ssm.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:PARAMETER_ARN": [
                        "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/secret-key-base"
                    ],
                }
            },
        },
        {
            "Sid": "ReadReleaseSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"],
        },
        {
            "Sid": "DecryptReleaseSecrets",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": ["arn:aws:kms:eu-west-1:123456789012:key/*"],
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:SecretARN": [
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
                    ],
                }
            },
        },
        {
            "Sid": "FetchReleaseArtifact",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::shop-releases/shop-1.4.2.tar.gz",
        },
        {
            "Sid": "ReportToSessionManager",
            "Effect": "Allow",
            "Action": ["ssm:UpdateInstanceInformation"],
            "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*",
        },
        {
            "Sid": "OpenSessionManagerChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
        {
            "Sid": "PublishNodeMetrics",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "Elixir/BEAM"}},
        },
        {
            "Sid": "CompleteLifecycleActions",
            "Effect": "Allow",
            "Action": ["autoscaling:CompleteLifecycleAction"],
            "Resource": GROUP_ARN,
        },
    ],
}
"""Every permission a prod node has (with this file's ARNs): the whole policy, as AWS's literal values."""

UNSCOPABLE = {
    # EC2 and Auto Scaling Describe*, Systems Manager's ssmmessages and CloudWatch PutMetricData take no
    # resource-level permission (Service Authorization Reference)
    "DiscoverClusterNodes",
    "ReadGroupMembers",
    "OpenSessionManagerChannels",
    "PublishNodeMetrics",
}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StackSettings]:
    directory = tmp_path_factory.mktemp("stacks")
    variants = {
        "prod": ("prod", {}),
        "dev": ("dev", {}),
        "dns": ("prod", {"elixir-cluster:release": {"discovery": "dns"}}),
        "https": ("dev", {"elixir-cluster:release": {"artifact": "https://releases.example.com/shop-1.4.2.tar.gz"}}),
        "no-secrets": ("prod", {"elixir-cluster:release": {"secrets": None}}),
        "pinned": ("prod", {"elixir-cluster:release": {"secrets": PINNED_SECRETS}}),
    }
    return {
        name: load_stack_settings(write_variant(directory, base, name, changes))
        for name, (base, changes) in variants.items()
    }


def policy(settings: StackSettings) -> dict[str, Any]:
    document = node_role_policy(
        settings.release,
        settings.region,
        cookie_parameter_arn=COOKIE_PARAMETER_ARN,
        cookie_key_arn=COOKIE_KEY_ARN,
        group_arn=GROUP_ARN,
        **discovery(settings),
    )
    return json.loads(json.dumps(document))


def discovery(settings: StackSettings) -> dict[str, str]:
    if settings.release.discovery != "dns":
        return {}
    return {"discovery_service_arn": SERVICE_ARN, "discovery_hosted_zone_id": HOSTED_ZONE_ID}


def statements(settings: StackSettings) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in policy(settings)["Statement"]}


def test_prods_node_role_policy_is_exactly_this(stacks: dict[str, StackSettings]) -> None:
    assert policy(stacks["prod"]) == PROD_NODE_ROLE_POLICY


@pytest.mark.parametrize("variant", ["prod", "dev", "dns", "https", "no-secrets", "pinned"])
def test_policy_is_valid_iam_grammar(stacks: dict[str, StackSettings], variant: str) -> None:
    IAMPolicyDocumentValidator(json.dumps(policy(stacks[variant]))).validate()


@pytest.mark.parametrize("variant", ["prod", "dns", "pinned"])
def test_no_wildcard_action_and_any_resource_only_where_aws_scopes_none(
    stacks: dict[str, StackSettings], variant: str
) -> None:
    for sid, statement in statements(stacks[variant]).items():
        assert statement["Effect"] == "Allow"
        assert not any("*" in action for action in statement["Action"]), sid
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in resources:
            assert sid in UNSCOPABLE, f"{sid}: '*' only where no resource-level permission exists"
        # a key ARN's `key/*` is scoped by its statement's conditions: the service and the secret; the
        # heartbeat's `instance/*` by account and region (a node's instance id is AWS's, at launch)
        assert all(
            r == "*" or "*" not in r or statement.get("Condition") or r.endswith(":instance/*") for r in resources
        ), sid


def test_metrics_go_only_to_the_agents_namespace(stacks: dict[str, StackSettings]) -> None:
    metrics = statements(stacks["prod"])["PublishNodeMetrics"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Elixir/BEAM"}}


def test_pinned_secrets_are_granted_without_their_pin_in_each_ones_account(stacks: dict[str, StackSettings]) -> None:
    found = statements(stacks["pinned"])
    parameters = [
        "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/secret-key-base",  # name:2, in the stack's account
        "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/signing-salt",  # name:live
        "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key",  # as its ARN says
    ]
    secrets = [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf",
        "arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl",
    ]
    assert found["ReadReleaseParameters"]["Resource"] == sorted(parameters)
    assert found["ReadReleaseSecrets"]["Resource"] == sorted(secrets)
    keys = ["arn:aws:kms:eu-west-1:123456789012:key/*", "arn:aws:kms:eu-west-1:210987654321:key/*"]
    assert found["DecryptReleaseParameters"]["Resource"] == keys
    assert found["DecryptReleaseSecrets"]["Resource"] == keys
    assert found["DecryptReleaseParameters"]["Condition"]["StringEquals"] == {
        "kms:ViaService": "ssm.eu-west-1.amazonaws.com",
        "kms:EncryptionContext:PARAMETER_ARN": sorted(parameters),
    }
    assert found["DecryptReleaseSecrets"]["Condition"]["StringEquals"] == {
        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
        "kms:EncryptionContext:SecretARN": sorted(secrets),
    }
    assert PINNED_SECRET_ID not in json.dumps(found), "a version id is the node's call, not IAM's"


def test_without_secrets_the_role_reads_the_cookie_only(stacks: dict[str, StackSettings]) -> None:
    found = statements(stacks["no-secrets"])
    assert not {"ReadReleaseParameters", "DecryptReleaseParameters", "ReadReleaseSecrets"} & set(found)
    reads = [s["Resource"] for s in found.values() if "ssm:GetParameter" in s["Action"]]
    assert reads == [COOKIE_PARAMETER_ARN]
    assert not any(a.startswith("secretsmanager:") for s in found.values() for a in s["Action"])


def test_https_artifact_needs_no_s3_access(stacks: dict[str, StackSettings]) -> None:
    assert artifact_object_arn(stacks["https"].release) is None
    assert not any(action.startswith("s3:") for s in statements(stacks["https"]).values() for action in s["Action"])


def test_dns_discovery_may_register_only_in_its_service_and_zone(stacks: dict[str, StackSettings]) -> None:
    found = statements(stacks["dns"])
    assert found["RegisterInCloudMap"] == {
        "Sid": "RegisterInCloudMap",
        "Effect": "Allow",
        "Action": ["servicediscovery:DeregisterInstance", "servicediscovery:RegisterInstance"],
        "Resource": SERVICE_ARN,
    }
    assert found["PublishNodeRecord"] == {
        "Sid": "PublishNodeRecord",
        "Effect": "Allow",
        "Action": ["route53:ChangeResourceRecordSets"],
        "Resource": f"arn:aws:route53:::hostedzone/{HOSTED_ZONE_ID}",
    }
    # Cloud Map's RegisterInstance needs DescribeInstances; the CloudWatch agent DescribeTags
    assert found["DiscoverClusterNodes"]["Action"] == ["ec2:DescribeInstances", "ec2:DescribeTags"]


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
    assert found["ReadReleaseParameters"]["Resource"] == [
        "arn:aws-cn:ssm:eu-west-1:123456789012:parameter/shop/prod/secret-key-base"
    ]


def test_trust_policy_lets_only_ec2_assume_the_role() -> None:
    document = assume_role_policy()
    IAMTrustPolicyDocumentValidator(json.dumps(document)).validate()
    assert document["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]


@pytest.mark.parametrize("variant", ["prod", "dns"])
def test_boot_needs_nothing_from_the_group_and_lifecycle_actions_touch_only_the_group(
    stacks: dict[str, StackSettings], variant: str
) -> None:
    # The boot document exists before the group (it launches nodes with it): it must not need
    # the group's ARN, and together with the lifecycle document it is the whole role policy.
    settings = stacks[variant]
    boot = node_boot_policy(
        settings.release,
        settings.region,
        cookie_parameter_arn=COOKIE_PARAMETER_ARN,
        cookie_key_arn=COOKIE_KEY_ARN,
        **discovery(settings),
    )
    lifecycle = node_lifecycle_policy(GROUP_ARN)
    # of Auto Scaling, boot reads the group's instances (Describe* takes no resource) and changes nothing
    assert {a for s in boot["Statement"] for a in s["Action"] if a.startswith("autoscaling:")} == {
        "autoscaling:DescribeAutoScalingGroups"
    }
    assert [(s["Action"], s["Resource"]) for s in lifecycle["Statement"]] == [
        (["autoscaling:CompleteLifecycleAction"], GROUP_ARN)
    ]
    assert boot["Statement"] + lifecycle["Statement"] == policy(settings)["Statement"]


def iam_matches(pattern: str, arn: str) -> bool:
    """IAM's Resource matching: * any run of characters, ? one, everything else literal."""
    return (
        re.fullmatch("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), arn) is not None
    )


def test_nodes_complete_lifecycle_actions_of_their_own_group_and_no_other(stacks: dict[str, StackSettings]) -> None:
    # one statement grants it, on the group's ARN: its launch hook and its drain hook alike (a hook's name
    # is no part of the ARN); another group, even one of the same name made again, has another UUID
    granting = [s for s in policy(stacks["prod"])["Statement"] if "autoscaling:CompleteLifecycleAction" in s["Action"]]
    assert [s["Resource"] for s in granting] == [GROUP_ARN]
    other = GROUP_ARN.replace("autoScalingGroupName/", "autoScalingGroupName/other-")
    remade = re.sub(
        r"autoScalingGroup:[0-9a-f-]+:", "autoScalingGroup:00000000-0000-4000-8000-000000000000:", GROUP_ARN
    )
    assert iam_matches(granting[0]["Resource"], GROUP_ARN)
    assert not iam_matches(granting[0]["Resource"], other) and not iam_matches(granting[0]["Resource"], remade)
