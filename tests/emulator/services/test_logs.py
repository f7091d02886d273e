"""CloudWatch Logs in moto: an encrypted log group, and the key policy AWS insists on."""

from __future__ import annotations

import json

import pytest

from tools.emulator import EmulatorError

ENCRYPTED = """
from components.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
logs = EncryptedLogGroup("flow", EncryptedLogGroupArgs(log_group_name="/shop/flow", retention_days=365,
    tags={"team": "payments"}))
pulumi.export("name", logs.name)
pulumi.export("arn", logs.arn)
pulumi.export("key", logs.key_arn)
"""


def test_an_encrypted_log_group_keeps_a_year_under_a_rotating_key_only_logs_may_use(run, aws):
    out = run(ENCRYPTED).outputs
    [group] = aws("logs").describe_log_groups(logGroupNamePrefix="/shop/flow")["logGroups"]
    account = aws("sts").get_caller_identity()["Account"]
    assert out["arn"] == f"arn:aws:logs:eu-west-1:{account}:log-group:/shop/flow"
    assert group["retentionInDays"] == 365
    assert group["kmsKeyId"] == out["key"]
    kms = aws("kms")
    assert kms.get_key_rotation_status(KeyId=out["key"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=out["key"], PolicyName="default")["Policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert principals == [{"AWS": f"arn:aws:iam::{account}:root"}, {"Service": "logs.eu-west-1.amazonaws.com"}]
    [logs_statement] = [s for s in policy["Statement"] if "Service" in s["Principal"]]
    assert logs_statement["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{account}:log-group:/shop/flow"}
    }


def test_a_log_group_under_a_key_logs_may_not_use_is_refused(run):
    body = """
key = aws.kms.Key("plain")  # the default policy: the account only, not CloudWatch Logs
aws.cloudwatch.LogGroup("g", name="/shop/plain", kms_key_id=key.arn)
"""
    with pytest.raises(EmulatorError, match=r"'g'.*AccessDeniedException.*log-group:/shop/plain"):
        run(body)
