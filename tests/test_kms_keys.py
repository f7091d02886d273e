"""The KMS keys each stack creates, as KMS holds them: rotation on, an explicit policy in which
the account root administers the key and only the services that use it may, nothing broader."""

from __future__ import annotations

import json
from typing import Any

import pytest

FLOW_LOG_GROUP = "/elixir-cluster/shop-prod/vpc-flow-logs"
WAF_LOG_GROUP = "aws-waf-logs-shop-prod"


def _policy(applied, key_id: str) -> dict[str, Any]:
    return json.loads(applied.client("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


def _document(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def _cookie_key(applied) -> str:
    name = applied.outputs["cookieParameterName"]
    return applied.client("ssm").describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
        "Parameters"
    ][0]["KeyId"]


def _topic_key(applied) -> str:
    topic = applied.outputs["alarmTopicArn"]
    return applied.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]


def _log_group_key(applied, name: str = FLOW_LOG_GROUP) -> str:
    [group] = applied.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return group["kmsKeyId"]


def _root_administers(applied) -> dict[str, Any]:
    return {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{applied.account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def test_prods_four_keys_each_encrypt_one_thing_and_rotate(prod):
    kms = prod.client("kms")
    declared = {r.outputs["keyId"] for r in prod.deployment.of_type("aws:kms/key:Key")}
    in_use = {
        kms.describe_key(KeyId=k)["KeyMetadata"]["KeyId"]
        for k in (_cookie_key(prod), _topic_key(prod), _log_group_key(prod), _log_group_key(prod, WAF_LOG_GROUP))
    }
    assert declared == in_use and len(in_use) == 4
    for key in in_use:
        assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_cookie_key_is_administered_by_the_account_and_used_through_iam_only(shipped, stack):
    applied = shipped(stack)
    assert _policy(applied, _cookie_key(applied))["Statement"] == [_root_administers(applied)]


def test_the_node_role_decrypts_the_cookie_through_ssm_only_which_the_key_policy_lets_iam_grant(prod):
    """The key policy delegates to IAM (its root statement); the role's own policy does the scoping."""
    iam = prod.client("iam")
    role = prod.deployment.of_type("aws:iam/role:Role")
    [node_role] = [r.outputs["name"] for r in role if r.name == "shop-nodes-role"]
    decrypt = [
        statement
        for name in iam.list_role_policies(RoleName=node_role)["PolicyNames"]
        for statement in _document(iam.get_role_policy(RoleName=node_role, PolicyName=name)["PolicyDocument"])[
            "Statement"
        ]
        if "kms:Decrypt" in statement["Action"]
    ]
    key_arn = prod.client("kms").describe_key(KeyId=_cookie_key(prod))["KeyMetadata"]["Arn"]
    [statement] = decrypt
    assert statement["Resource"] == key_arn
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == "ssm.eu-west-1.amazonaws.com"


def test_the_alert_key_lets_cloudwatch_alarms_publish(prod):
    statements = _policy(prod, _topic_key(prod))["Statement"]
    assert statements[0] == _root_administers(prod)
    assert statements[1]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statements[1]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert len(statements) == 2


def test_the_flow_log_key_lets_cloudwatch_logs_encrypt_that_log_group_only(prod):
    statements = _policy(prod, _log_group_key(prod))["Statement"]
    log_group_arn = f"arn:aws:logs:eu-west-1:{prod.account_id}:log-group:{FLOW_LOG_GROUP}"
    assert statements[0] == _root_administers(prod)
    assert statements[1] == {
        "Sid": "CloudWatchLogsEncryptsTheLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
    }
    assert len(statements) == 2


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_no_key_of_any_stack_names_a_wildcard_principal(shipped, stack):
    applied = shipped(stack)
    for key in applied.deployment.of_type("aws:kms/key:Key"):
        for statement in _policy(applied, key.outputs["keyId"])["Statement"]:
            assert statement["Principal"] != "*"
            assert "*" not in json.dumps(statement["Principal"]).replace("\\", "").split('"')
