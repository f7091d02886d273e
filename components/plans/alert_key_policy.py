"""The key policy of the alert topic's KMS key: a pure function, no pulumi import.

Why a key of our own: CloudWatch alarms publish to an encrypted SNS topic only when the
key lets the CloudWatch service principal use it, and the AWS managed `alias/aws/sns`
key's policy cannot be changed, so alarms on a topic encrypted with it are dropped
silently (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
"""

from __future__ import annotations

from typing import Any

ALARM_PUBLISHER = "cloudwatch.amazonaws.com"
ENVELOPE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]
"""What SNS needs from the publisher's side to encrypt a message under the key."""


def alert_key_policy(*, partition: str, account_id: str) -> dict[str, Any]:
    """The account administers the key through IAM; CloudWatch may encrypt alarm messages with it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # the key's default statement: without it no IAM policy could grant its use
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                # AWS's documented statement for CloudWatch and encrypted topics
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": ALARM_PUBLISHER},
                "Action": ENVELOPE_ACTIONS,
                "Resource": "*",
            },
        ],
    }
