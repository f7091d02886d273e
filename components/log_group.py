"""EncryptedLogGroup: a CloudWatch Logs log group encrypted with a KMS key of its own.

The key's policy (plans/encryption.py) lets the account administer it and CloudWatch Logs
use it for this log group only (the `kms:EncryptionContext:aws:logs:arn` condition); the
key rotates yearly. The log group keeps events for `retention_days`.

Reused wherever the stack keeps logs: the VPC's flow logs, the WAF's logging.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .plans.encryption import log_group_key_policy


@dataclass
class EncryptedLogGroupArgs:
    log_group_name: str
    """The log group's name (a WAF's must start with `aws-waf-logs-`)."""
    retention_days: int
    """Days CloudWatch Logs keeps events: one of limits.LOG_RETENTION_DAYS."""
    service_principals: Sequence[str] = ()
    """Services besides CloudWatch Logs that must encrypt for this log group (usually none)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the key and the log group."""


class EncryptedLogGroup(ClusterComponent):
    TOKEN = "elixir-cluster:index:EncryptedLogGroup"

    name: pulumi.Output[str]
    """The log group's name."""
    arn: pulumi.Output[str]
    """The log group's ARN (without the `:*` of its streams)."""
    key_arn: pulumi.Output[str]
    """The KMS key that encrypts its events."""

    def __init__(self, name: str, args: EncryptedLogGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        key = aws.kms.Key(
            self._child_name("key"),
            description=f"Encrypts the log group {args.log_group_name}",
            enable_key_rotation=True,
            policy=self._key_policy(args),
            tags=self._tags("key"),
            opts=self._child(),
        )
        group = aws.cloudwatch.LogGroup(
            self._child_name("log-group"),
            name=args.log_group_name,
            retention_in_days=args.retention_days,
            kms_key_id=key.arn,
            tags=self._tags("log-group"),
            opts=self._child(),
        )
        self.name = group.name
        self.arn = group.arn
        self.key_arn = key.arn
        self.register_outputs({"name": self.name, "arn": self.arn, "keyArn": self.key_arn})

    def _key_policy(self, args: EncryptedLogGroupArgs) -> pulumi.Output[str]:
        invoke = self._invoke()
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        return pulumi.Output.all(partition, account, region).apply(
            lambda known: json.dumps(
                log_group_key_policy(
                    partition=known[0],
                    account_id=known[1],
                    region=known[2],
                    log_group_name=args.log_group_name,
                    service_principals=args.service_principals,
                )
            )
        )
