"""components/plans/encryption.py: the key policies, as plain documents with AWS's literal values,
and as KMS holds them for every key each stack creates: rotation on, an explicit policy in which
the account root administers the key and only the services that use it may, nothing broader."""

from __future__ import annotations

import json

import pytest

from components.plans.encryption import alert_key_policy, cookie_key_policy, log_group_key_policy
from tests.support.kms import cookie_key, document, key_policy, log_group_key, root_administers, topic_key

ROOT = {
    "Sid": "AccountAdministersTheKey",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"},
    "Action": "kms:*",
    "Resource": "*",
}
FLOW_LOG_GROUP = "/elixir-cluster/shop-prod/vpc-flow-logs"
WAF_LOG_GROUP = "aws-waf-logs-shop-prod"


# --- the documents ----------------------------------------------------------------------------


def test_the_cookie_key_policy_is_the_account_statement_alone():
    assert cookie_key_policy(partition="aws-cn", account_id="123456789012") == {
        "Version": "2012-10-17",
        "Statement": [ROOT],
    }


def test_the_alert_key_policy_lets_cloudwatch_encrypt_alarm_messages():
    assert alert_key_policy(partition="aws-cn", account_id="123456789012")["Statement"] == [
        ROOT,
        {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        },
    ]


def test_a_log_group_key_policy_names_the_regional_logs_principal_and_its_log_group_only():
    policy = log_group_key_policy(
        partition="aws-cn", account_id="123456789012", region="cn-north-1", log_group_name="/x/flow"
    )
    [root, logs] = policy["Statement"]
    assert root == ROOT
    assert logs["Principal"] == {"Service": "logs.cn-north-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/x/flow"}
    }


def test_services_delivering_to_a_log_group_get_the_envelope_actions_for_this_account_only():
    policy = log_group_key_policy(
        partition="aws",
        account_id="123456789012",
        region="eu-west-1",
        log_group_name="x",
        service_principals=["vpc-flow-logs.amazonaws.com", "delivery.logs.amazonaws.com"],
    )
    assert policy["Statement"][2] == {
        "Sid": "ServicesDeliverToTheLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": ["delivery.logs.amazonaws.com", "vpc-flow-logs.amazonaws.com"]},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }


# --- as KMS holds them --------------------------------------------------------------------------


def test_prods_four_keys_each_encrypt_one_thing_and_rotate(prod):
    kms = prod.client("kms")
    declared = {r.outputs["keyId"] for r in prod.deployment.of_type("aws:kms/key:Key")}
    in_use = {
        kms.describe_key(KeyId=k)["KeyMetadata"]["KeyId"]
        for k in (
            cookie_key(prod),
            topic_key(prod),
            log_group_key(prod, FLOW_LOG_GROUP),
            log_group_key(prod, WAF_LOG_GROUP),
        )
    }
    assert declared == in_use and len(in_use) == 4
    for key in in_use:
        assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_cookie_key_is_administered_by_the_account_and_used_through_iam_only(shipped, stack):
    applied = shipped(stack)
    assert key_policy(applied, cookie_key(applied))["Statement"] == [root_administers(applied)]


def test_the_node_role_decrypts_the_cookie_through_ssm_only_which_the_key_policy_lets_iam_grant(prod):
    """The key policy delegates to IAM (its root statement); the role's own policy does the scoping."""
    iam = prod.client("iam")
    role = prod.deployment.of_type("aws:iam/role:Role")
    [node_role] = [r.outputs["name"] for r in role if r.name == "shop-nodes-role"]
    decrypt = [
        statement
        for name in iam.list_role_policies(RoleName=node_role)["PolicyNames"]
        for statement in document(iam.get_role_policy(RoleName=node_role, PolicyName=name)["PolicyDocument"])[
            "Statement"
        ]
        if "kms:Decrypt" in statement["Action"]
    ]
    key_arn = prod.client("kms").describe_key(KeyId=cookie_key(prod))["KeyMetadata"]["Arn"]
    [statement] = [s for s in decrypt if s["Resource"] == key_arn]  # the others: release.secrets' keys
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == "ssm.eu-west-1.amazonaws.com"
    assert all("kms:ViaService" in s["Condition"]["StringEquals"] for s in decrypt)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_no_key_of_any_stack_names_a_wildcard_principal(shipped, stack):
    applied = shipped(stack)
    for key in applied.deployment.of_type("aws:kms/key:Key"):
        for statement in key_policy(applied, key.outputs["keyId"])["Statement"]:
            assert statement["Principal"] != "*"
            assert "*" not in json.dumps(statement["Principal"]).replace("\\", "").split('"')
