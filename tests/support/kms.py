"""The KMS keys of an applied stack as KMS holds them: found through what each encrypts."""

from __future__ import annotations

import json
from typing import Any

from tests.support.stacks import Applied


def key_policy(applied: Applied, key_id: str) -> dict[str, Any]:
    """The key's policy document."""
    return json.loads(applied.client("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


def document(value: Any) -> dict[str, Any]:
    """A policy document IAM returns as JSON text or (boto3's decoding) as an object."""
    return json.loads(value) if isinstance(value, str) else value


def cookie_key(applied: Applied) -> str:
    name = applied.outputs["cookieParameterName"]
    return applied.client("ssm").describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
        "Parameters"
    ][0]["KeyId"]


def topic_key(applied: Applied) -> str:
    topic = applied.outputs["alarmTopicArn"]
    return applied.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]


def log_group_key(applied: Applied, name: str) -> str:
    [group] = applied.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return group["kmsKeyId"]


def root_administers(applied: Applied) -> dict[str, Any]:
    """AWS's default statement, as the stack writes it: the account root administers the key."""
    return {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{applied.account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
