"""policies/rules/compute.py: IMDSv2, encrypted volumes, no wildcard actions in the node role."""

from __future__ import annotations

import json

import pytest

from tests.support.synthetic import add, change, cluster, findings, named, resource


@pytest.mark.parametrize("rule", ["imdsv2-required", "encrypted-volumes", "node-role-no-wildcard-actions"])
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize(
    "metadata",
    [{"httpEndpoint": "enabled", "httpTokens": "optional"}, {"httpEndpoint": "enabled"}, None],
)
def test_imds_v1_is_refused(metadata):
    document = change(cluster(), "template", metadataOptions=metadata)
    [violation] = findings(document, "imdsv2-required")
    assert violation.resource == "template" and "httpTokens" in violation.message


def test_a_template_without_metadata_service_passes():
    document = change(cluster(), "template", metadataOptions={"httpEndpoint": "disabled"})
    assert findings(document, "imdsv2-required") == []


def test_instances_need_imdsv2_too():
    document = add(cluster(), resource("aws:ec2/instance:Instance", "debug-box", {"instanceType": "t4g.nano"}))
    assert [v.resource for v in findings(document, "imdsv2-required")] == ["debug-box"]


@pytest.mark.parametrize("encrypted", ["false", False, None])
def test_an_unencrypted_root_volume_is_refused(encrypted):
    document = cluster()
    named(document, "template")["inputs"]["blockDeviceMappings"][0]["ebs"]["encrypted"] = encrypted
    [violation] = findings(document, "encrypted-volumes")
    assert "/dev/xvda" in violation.message and "ebs.encrypted" in violation.message


def test_a_template_without_block_devices_gets_the_amis_unencrypted_default():
    document = change(cluster(), "template", blockDeviceMappings=None)
    [violation] = findings(document, "encrypted-volumes")
    assert "no blockDeviceMappings" in violation.message


def test_volumes_and_instances_are_checked():
    document = add(
        cluster(),
        resource("aws:ebs/volume:Volume", "scratch", {"size": 10, "availabilityZone": "eu-west-1a"}),
        resource("aws:ebs/volume:Volume", "data", {"size": 10, "encrypted": True, "availabilityZone": "eu-west-1a"}),
        resource(
            "aws:ec2/instance:Instance",
            "box",
            {"rootBlockDevice": {"encrypted": True}, "metadataOptions": {"httpTokens": "required"}},
        ),
    )
    assert [v.resource for v in findings(document, "encrypted-volumes")] == ["scratch"]


def _with_statement(statement):
    document = cluster()
    boot = named(document, "boot")
    policy = json.loads(boot["inputs"]["policy"])
    policy["Statement"].append(statement)
    return change(document, "boot", policy=json.dumps(policy))


@pytest.mark.parametrize(
    ("action", "shown"),
    [("*", "allows *"), ("s3:*", "allows s3:*"), (["ssm:GetParameter", "ssm:*"], "allows ssm:*")],
)
def test_wildcard_actions_are_refused(action, shown):
    document = _with_statement({"Sid": "Careless", "Effect": "Allow", "Action": action, "Resource": "*"})
    [violation] = findings(document, "node-role-no-wildcard-actions")
    assert violation.resource == "boot" and f"Careless {shown}" in violation.message


def test_not_action_allows_are_refused_and_denies_pass():
    document = _with_statement({"Sid": "AllBut", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert len(findings(document, "node-role-no-wildcard-actions")) == 1
    document = _with_statement({"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    assert findings(document, "node-role-no-wildcard-actions") == []


def test_a_role_with_an_inline_wildcard_policy_is_refused():
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    document = add(
        cluster(),
        resource("aws:iam/role:Role", "role", {"inlinePolicies": [{"name": "admin", "policy": json.dumps(admin)}]}),
    )
    assert [v.resource for v in findings(document, "node-role-no-wildcard-actions")] == ["role"]


@pytest.mark.parametrize(("action", "violations"), [("s3:Get*", 0), ("s3:*", 1), ("*", 1)])
def test_a_prefix_wildcard_passes_where_a_whole_service_or_everything_does_not(action, violations):
    document = _with_statement({"Sid": "Read", "Effect": "Allow", "Action": action, "Resource": "*"})
    assert len(findings(document, "node-role-no-wildcard-actions")) == violations


@pytest.mark.parametrize(("endpoint", "tokens", "violations"), [("disabled", None, 0), ("enabled", None, 1)])
def test_imds_v1_matters_only_while_the_metadata_service_is_on(endpoint, tokens, violations):
    metadata = {"httpEndpoint": endpoint, **({"httpTokens": tokens} if tokens else {})}
    document = change(cluster(), "template", metadataOptions=metadata)
    assert len(findings(document, "imdsv2-required")) == violations
