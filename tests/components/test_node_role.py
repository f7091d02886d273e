"""The NodeRole each shipped stack builds, read back from moto: the role behind the launch
template's instance profile, its managed and inline policies, when each exists, and the aliases
that keep its resources' URNs from before it was a component of its own.

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_node_role.py`
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from components.plans.iam import node_role_policy
from tests.support.aws_state import group_of, template_data
from tests.support.urns import children_of, formerly_in_the_node_group

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


def test_only_ec2_may_assume_the_node_role(stack):
    trust = _document(role_of(stack)["AssumeRolePolicyDocument"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]


def test_node_role_carries_the_two_managed_policies(stack):
    iam = stack.client("iam")
    attached = iam.list_attached_role_policies(RoleName=role_of(stack)["RoleName"])["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    }


def test_inline_policies_are_exactly_the_node_policy_scoped_to_this_stacks_resources(stack):
    ssm = stack.client("ssm")
    parameter = ssm.get_parameter(Name=stack.outputs["cookieParameterName"])["Parameter"]
    key = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [stack.outputs["cookieParameterName"]]}])[
        "Parameters"
    ][0]["KeyId"]
    expected = node_role_policy(
        stack.settings.release,
        "eu-west-1",
        cookie_parameter_arn=parameter["ARN"],
        cookie_key_arn=stack.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"],
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
    role_policy, attachment = ROLE_POLICY, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    expected = {
        "shop-nodes-role": "aws:iam/role:Role",
        "shop-nodes-AmazonSSMManagedInstanceCore": attachment,
        "shop-nodes-CloudWatchAgentServerPolicy": attachment,
        "shop-nodes-profile": "aws:iam/instanceProfile:InstanceProfile",
        "shop-nodes-boot": role_policy,
        "shop-nodes-drain": role_policy,
    }
    stack_name = stack.settings.stack
    assert {r.name: r.aliases for r in children} == {
        name: [formerly_in_the_node_group(stack_name, type_, name)] for name, type_ in expected.items()
    }
