"""components/log_group.py: each EncryptedLogGroup's key, as KMS holds it: rotating, administered
by the account, and usable by CloudWatch Logs for that log group only (prod's flow log and WAF
log groups)."""

from __future__ import annotations

import pytest

from tests.support.kms import key_policy, log_group_key, root_administers

FLOW_LOG_GROUP = "/elixir-cluster/shop-prod/vpc-flow-logs"
WAF_LOG_GROUP = "aws-waf-logs-shop-prod"


@pytest.mark.parametrize("log_group", [FLOW_LOG_GROUP, WAF_LOG_GROUP])
def test_a_log_groups_key_lets_cloudwatch_logs_encrypt_that_log_group_only(prod, log_group):
    key = log_group_key(prod, log_group)
    statements = key_policy(prod, key)["Statement"]
    log_group_arn = f"arn:aws:logs:eu-west-1:{prod.account_id}:log-group:{log_group}"
    assert statements[0] == root_administers(prod)
    assert statements[1] == {
        "Sid": "CloudWatchLogsEncryptsTheLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
    }
    assert len(statements) == 2
    kms = prod.client("kms")
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
