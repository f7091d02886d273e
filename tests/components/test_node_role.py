"""The NodeRole each shipped stack builds, read back from moto: the role behind the launch
template's instance profile, its inline policies (and no managed one), what they let a node read
once moto enforces IAM, when each exists, and the aliases that keep its resources' URNs from
before it was a component of its own.

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_node_role.py`
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

from components.plans.iam import node_role_policy
from tests.support.aws_state import group_of, template_data
from tests.support.urns import children_of, formerly_in_the_node_group
from tools.emulator import ACCOUNT_HEADER

GROUP = "aws:autoscaling/group:Group"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NODE_ROLE = "elixir-cluster:index:NodeRole"


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def role_of(applied):
    """The role behind the launch template's instance profile."""
    iam = applied.client("iam")
    profile_name = template_data(applied)["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1]
    roles = iam.get_instance_profile(InstanceProfileName=profile_name)["InstanceProfile"]["Roles"]
    assert len(roles) == 1
    return roles[0]


def inline_policies(applied):
    """Policy name -> document, as IAM holds them."""
    iam = applied.client("iam")
    role = role_of(applied)["RoleName"]
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    return {name: _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]) for name in names}


def _document(value):
    return json.loads(unquote(value)) if isinstance(value, str) else value


def cookie_key_id(applied):
    name = applied.outputs["cookieParameterName"]
    parameters = applied.client("ssm").describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])
    return parameters["Parameters"][0]["KeyId"]


def test_only_ec2_may_assume_the_node_role(stack):
    trust = _document(role_of(stack)["AssumeRolePolicyDocument"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]


def test_node_role_carries_no_managed_policy(stack):
    # AmazonSSMManagedInstanceCore read every parameter of the account; CloudWatchAgentServerPolicy
    # the AmazonCloudWatch-* ones: what a node needs of them is in its inline policy
    iam = stack.client("iam")
    assert iam.list_attached_role_policies(RoleName=role_of(stack)["RoleName"])["AttachedPolicies"] == []


def test_prods_node_role_holds_exactly_these_documents(prod):
    account, group_arn = prod.account_id, group_of(prod)["AutoScalingGroupARN"]
    cookie = f"arn:aws:ssm:eu-west-1:{account}:parameter/shop/prod/release-cookie"
    cookie_key = prod.client("kms").describe_key(KeyId=cookie_key_id(prod))["KeyMetadata"]["Arn"]
    key_base = f"arn:aws:ssm:eu-west-1:{account}:parameter/shop/prod/secret-key-base"
    database = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
    boot = [
        {"Sid": "DiscoverClusterNodes", "Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:DescribeTags"],
         "Resource": "*"},
        {"Sid": "ReadGroupMembers", "Effect": "Allow", "Action": ["autoscaling:DescribeAutoScalingGroups"],
         "Resource": "*"},
        {"Sid": "ReadReleaseCookie", "Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": cookie},
        {"Sid": "DecryptReleaseCookie", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": cookie_key,
         "Condition": {"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com",
                                        "kms:EncryptionContext:PARAMETER_ARN": cookie}}},
        {"Sid": "ReadReleaseParameters", "Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [key_base]},
        {"Sid": "DecryptReleaseParameters", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": [f"arn:aws:kms:eu-west-1:{account}:key/*"],
         "Condition": {"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com",
                                        "kms:EncryptionContext:PARAMETER_ARN": [key_base]}}},
        {"Sid": "ReadReleaseSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": [database]},
        {"Sid": "DecryptReleaseSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": ["arn:aws:kms:eu-west-1:123456789012:key/*"],
         "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                                        "kms:EncryptionContext:SecretARN": [database]}}},
        {"Sid": "FetchReleaseArtifact", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": "arn:aws:s3:::shop-releases/shop-1.4.2.tar.gz"},
        {"Sid": "ReportToSessionManager", "Effect": "Allow", "Action": ["ssm:UpdateInstanceInformation"],
         "Resource": f"arn:aws:ec2:eu-west-1:{account}:instance/*"},
        {"Sid": "OpenSessionManagerChannels", "Effect": "Allow",
         "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
         "Resource": "*"},
        {"Sid": "PublishNodeMetrics", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"], "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": "Elixir/BEAM"}}},
    ]  # fmt: skip
    lifecycle = [  # the launch hook's and the drain hook's actions, on this group's ARN alone
        {"Sid": "CompleteLifecycleActions", "Effect": "Allow", "Action": ["autoscaling:CompleteLifecycleAction"],
         "Resource": group_arn},
    ]  # fmt: skip
    documents = inline_policies(prod)
    by_kind = {name.rsplit("-", 2)[-2]: document for name, document in documents.items()}
    assert len(by_kind) == len(documents) == 2
    assert by_kind == {
        "boot": {"Version": "2012-10-17", "Statement": boot},
        "drain": {"Version": "2012-10-17", "Statement": lifecycle},  # its resource's name since it held the drain alone
    }


def test_inline_policies_are_exactly_the_node_policy_scoped_to_this_stacks_resources(stack):
    parameter = stack.client("ssm").get_parameter(Name=stack.outputs["cookieParameterName"])["Parameter"]
    expected = node_role_policy(
        stack.settings.release,
        "eu-west-1",
        cookie_parameter_arn=parameter["ARN"],
        cookie_key_arn=stack.client("kms").describe_key(KeyId=cookie_key_id(stack))["KeyMetadata"]["Arn"],
        group_arn=group_of(stack)["AutoScalingGroupARN"],
    )
    statements = [s for document in inline_policies(stack).values() for s in document["Statement"]]
    assert sorted(statements, key=lambda s: s["Sid"]) == sorted(expected["Statement"], key=lambda s: s["Sid"])


def test_a_booting_node_has_every_permission_before_the_group_launches_it(stack):
    # the drain statement names the group, so it lives in a policy of its own, created after it
    (group,) = stack.deployment.of_type(GROUP)
    (role,) = [r for r in stack.deployment.of_type("aws:iam/role:Role") if r.name.endswith("-nodes-role")]
    node_policies = [r for r in stack.deployment.of_type(ROLE_POLICY) if r.inputs["role"] == role.id]
    policies = {r.name.rsplit("-", 1)[-1]: r for r in node_policies}
    assert set(policies) == {"boot", "drain"}
    assert policies["boot"].urn in group.dependencies
    attachments = stack.deployment.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert {a.urn for a in attachments if a.inputs["role"] == role.outputs["name"]} <= set(group.dependencies)
    group_arn = group_of(stack)["AutoScalingGroupARN"]
    boot = json.loads(policies["boot"].inputs["policy"])
    drain = json.loads(policies["drain"].inputs["policy"])
    assert all(s["Resource"] != group_arn for s in boot["Statement"])
    assert [(s["Action"], s["Resource"]) for s in drain["Statement"]] == [
        (["autoscaling:CompleteLifecycleAction"], group_arn)
    ]


def test_the_roles_resources_keep_their_urns_from_when_the_node_group_declared_them(stack):
    # `pulumi up` on a stack from before NodeRole existed finds each under its old URN (the
    # engine's, with the parent's whole type chain) and moves it, rather than replacing the role
    children = children_of(stack.deployment, NODE_ROLE)
    role_policy = ROLE_POLICY
    expected = {
        "shop-nodes-role": "aws:iam/role:Role",
        "shop-nodes-profile": "aws:iam/instanceProfile:InstanceProfile",
        "shop-nodes-boot": role_policy,
        "shop-nodes-drain": role_policy,
    }
    stack_name = stack.settings.stack
    assert {r.name: r.aliases for r in children} == {
        name: [formerly_in_the_node_group(stack_name, type_, name)] for name, type_ in expected.items()
    }


# --- what the role lets a node read, with IAM enforced ---------------------------------------------


@contextmanager
def as_a_node(applied) -> Iterator[callable]:
    """Clients with the node role's credentials, as EC2 hands them to an instance, in a moto that
    judges every call by the caller's IAM policies (moto_fixtures names the parameter or secret a
    read is authorized against)."""
    role_arn = role_of(applied)["Arn"]
    with disable_iam_authentication():  # EC2 assumes an instance's role; no caller does
        credentials = applied.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="i-0123456789abcdef0")[
            "Credentials"
        ]
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=applied.settings.region,
    )

    def name_the_account(request, **_):
        request.headers[ACCOUNT_HEADER] = applied.account_id

    def client(service):
        made = session.client(service)
        made.meta.events.register("before-sign", name_the_account)
        return made

    with enable_iam_authentication():
        yield client


def denied(call) -> bool:
    """Whether IAM refuses the call (moto answers a JSON service's refusal in IAM's XML: botocore reads the 403)."""
    try:
        call()
    except ClientError as refused:
        return refused.response["ResponseMetadata"]["HTTPStatusCode"] == 403 and "is not authorized to perform" in str(
            refused
        )
    return False


def test_a_node_reads_its_cookie_and_secrets_and_nothing_else(deploy):
    prod = deploy("prod")
    ssm, secrets = prod.client("ssm"), prod.client("secretsmanager")
    ssm.put_parameter(Name="/shop/prod/payments-key", Type="SecureString", Value="not-for-the-nodes")
    other = secrets.create_secret(Name="shop/prod/admin", SecretString="not-for-the-nodes")["ARN"]
    database = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
    with as_a_node(prod) as node:
        node_ssm, node_secrets = node("ssm"), node("secretsmanager")
        cookie = node_ssm.get_parameter(Name="/shop/prod/release-cookie", WithDecryption=True)["Parameter"]
        key_base = node_ssm.get_parameter(Name="/shop/prod/secret-key-base", WithDecryption=True)["Parameter"]
        url = json.loads(node_secrets.get_secret_value(SecretId=database)["SecretString"])["url"]
        assert len(cookie["Value"]) == 64 and key_base["Value"] and url
        assert denied(lambda: node_ssm.get_parameter(Name="/shop/prod/payments-key", WithDecryption=True))
        assert denied(lambda: node_secrets.get_secret_value(SecretId=other))
        assert denied(lambda: node_ssm.get_parameters_by_path(Path="/shop/prod", WithDecryption=True))
        assert denied(lambda: node_ssm.get_parameters(Names=["/shop/prod/payments-key"], WithDecryption=True))
    # and without a grant the same reads are refused: the allowances above are the role's, not moto's
    prod.client("iam").delete_role_policy(RoleName=role_of(prod)["RoleName"], PolicyName=boot_policy_name(prod))
    with as_a_node(prod) as node:
        assert denied(lambda: node("ssm").get_parameter(Name="/shop/prod/secret-key-base", WithDecryption=True))


def boot_policy_name(applied):
    return next(name for name in inline_policies(applied) if "-boot-" in name)
