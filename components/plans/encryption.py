"""KMS key policies: who administers each key the stack creates, and who may use it.

Every key the stack creates has an explicit policy and rotation on. A policy has:

- the account's administration statement, AWS's default "Enable IAM user permissions"
  (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam):
  the account root gets `kms:*`. That lets nobody in by itself; it lets IAM policies in the
  account grant use of the key, and keeps the key manageable (without it a key whose policy
  names no one else is unmanageable until AWS Support steps in);
- one statement per AWS service that uses the key, scoped by a condition to the one thing
  it encrypts for this stack. Never a "*" principal.

Keys:

- the release cookie's: Parameter Store encrypts and decrypts with the caller's
  credentials, so the deployer (writing the SecureString) and the node role (reading it)
  get their use through IAM, which the account statement lets take effect. The node role's
  `kms:Decrypt` (plans/iam.py) is already scoped to SSM (`kms:ViaService`) and to the one
  parameter (`kms:EncryptionContext:PARAMETER_ARN`); naming the role here too would grant
  the same thing twice, in two places that could drift apart.
- the alert topic's: CloudWatch alarms publish to the encrypted topic (`alert_key_policy`).
- an encrypted log group's: CloudWatch Logs encrypts that log group's events, and nothing
  else, with it (`log_group_key_policy`), as AWS documents in "Encrypt log data in
  CloudWatch Logs using AWS KMS"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).

Pure functions (no Pulumi) of the ARNs and ids the stack knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .iam import POLICY_VERSION

ACCOUNT_ADMINISTERS_SID = "AccountAdministersTheKey"

ALARM_PUBLISHER = "cloudwatch.amazonaws.com"
ENVELOPE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]
"""What a service needs to encrypt data under the key (envelope encryption) and read it back."""

LOGS_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
"""What CloudWatch Logs needs on a log group's key (AWS's documented statement)."""

LOGS_ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"
"""CloudWatch Logs names the log group in the encryption context of every request it makes."""


def account_root(*, partition: str, account_id: str) -> str:
    """`arn:aws:iam::123456789012:root`: the account as a principal (every IAM identity in it, through IAM)."""
    return f"arn:{partition}:iam::{account_id}:root"


def account_administers(*, partition: str, account_id: str) -> dict[str, Any]:
    """AWS's default key policy statement: the account administers the key and delegates its use to IAM."""
    return {
        "Sid": ACCOUNT_ADMINISTERS_SID,
        "Effect": "Allow",
        "Principal": {"AWS": account_root(partition=partition, account_id=account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def cookie_key_policy(*, partition: str, account_id: str) -> dict[str, Any]:
    """The release cookie's key: the account statement alone (the node role's use is granted in IAM)."""
    return _policy(account_administers(partition=partition, account_id=account_id))


def alert_key_policy(*, partition: str, account_id: str) -> dict[str, Any]:
    """The account administers the key through IAM; CloudWatch may encrypt alarm messages with it.

    CloudWatch alarms publish to an encrypted SNS topic only when the key lets the CloudWatch
    service principal use it, and the AWS managed `alias/aws/sns` key's policy cannot be
    changed, so alarms on a topic encrypted with it are dropped silently
    (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    """
    return _policy(
        account_administers(partition=partition, account_id=account_id),
        {
            # AWS's documented statement for CloudWatch and encrypted topics
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": ALARM_PUBLISHER},
            "Action": ENVELOPE_ACTIONS,
            "Resource": "*",
        },
    )


def logs_service_principal(region: str) -> str:
    """CloudWatch Logs' service principal is regional: `logs.eu-west-1.amazonaws.com`."""
    return f"logs.{region}.amazonaws.com"


def log_group_arn(*, partition: str, region: str, account_id: str, name: str) -> str:
    """`arn:aws:logs:<region>:<account>:log-group:<name>`, without the `:*` of its streams."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def log_group_key_policy(
    *, partition: str, account_id: str, region: str, log_group_name: str, service_principals: Sequence[str] = ()
) -> dict[str, Any]:
    """A log group's key: the account administers it; CloudWatch Logs uses it for this log group only.

    `service_principals`: other services that must encrypt for this log group (rarely needed:
    CloudWatch Logs itself encrypts what services deliver to it); they get the envelope
    actions, for requests made on this account's behalf only.
    """
    arn = log_group_arn(partition=partition, region=region, account_id=account_id, name=log_group_name)
    statements = [
        account_administers(partition=partition, account_id=account_id),
        {
            "Sid": "CloudWatchLogsEncryptsTheLogGroup",
            "Effect": "Allow",
            "Principal": {"Service": logs_service_principal(region)},
            "Action": LOGS_ACTIONS,
            "Resource": "*",
            "Condition": {"ArnEquals": {LOGS_ENCRYPTION_CONTEXT_KEY: arn}},
        },
    ]
    if service_principals:
        statements.append(
            {
                "Sid": "ServicesDeliverToTheLogGroup",
                "Effect": "Allow",
                "Principal": {"Service": sorted(service_principals)},
                "Action": ENVELOPE_ACTIONS,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return _policy(*statements)


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}
