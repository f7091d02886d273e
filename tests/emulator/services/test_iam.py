"""The node role, its policies and the instance profile in moto."""

from __future__ import annotations

import json

import pytest

from tools.emulator import EmulatorError

ROLE = """
import json
role = aws.iam.Role("node", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("node", role=role.name, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/c"}]}))
profile = aws.iam.InstanceProfile("node", role=role.name)
pulumi.export("role", role.name)
pulumi.export("profile", profile.name)
"""


def test_role_with_inline_policy_and_profile(run, aws):
    out = run(
        ROLE + 'aws.iam.RolePolicyAttachment("ssm", role=role.name,'
        ' policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")\n'
    ).outputs
    iam = aws("iam")
    [name] = iam.list_role_policies(RoleName=out["role"])["PolicyNames"]
    document = iam.get_role_policy(RoleName=out["role"], PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"][0]["Action"] == "ssm:GetParameter"
    attached = iam.list_attached_role_policies(RoleName=out["role"])["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonSSMManagedInstanceCore"]
    profile = iam.get_instance_profile(InstanceProfileName=out["profile"])["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [out["role"]]


def test_attaching_a_managed_policy_that_does_not_exist_fails(run):
    with pytest.raises(EmulatorError, match="'typo'"):
        run(
            ROLE + 'aws.iam.RolePolicyAttachment("typo", role=role.name,'
            ' policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCor")\n'
        )
