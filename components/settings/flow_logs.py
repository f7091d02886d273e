"""`network.flowLogs`: VPC flow logs, to a log group the stack creates or to an S3 bucket.

    flowLogs:
      enabled: true                  # default: on in staging and prod, off in dev
      destination: cloudwatch        # or arn:aws:s3:::shop-flow-logs[/prefix/]
      retentionDays: 365             # cloudwatch only
      trafficType: ALL               # ALL | ACCEPT | REJECT
      maxAggregationInterval: 600    # 60 | 600 seconds

Limits from https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html (the
bucket ARN, an optional subfolder that is not `AWSLogs`) and
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateFlowLogs.html
(traffic type, aggregation interval).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from .conventions import CLOUDWATCH
from .limits import FLOW_LOG_S3_SUBFOLDER_REFUSED, LOG_RETENTION_DAYS, S3_BUCKET_ARN_FORM, S3_BUCKET_ARN_PATTERN
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem
from .value_types import FlowLogDestination, RetentionDays


class FlowLogsSettings(SettingsModel):
    """VPC flow logs: IP traffic of every network interface in the VPC, for audits and incidents.

    To CloudWatch Logs: a log group the stack creates, encrypted with a KMS key of its own,
    written through a role that may write to that log group only. To S3: a bucket you own,
    whose bucket policy admits `delivery.logs.amazonaws.com` (AWS adds the statement when
    the bucket has none). Rules: `retentionDays` only with `cloudwatch` (an S3 bucket keeps
    objects by its lifecycle rules).
    """

    enabled: bool = setting(
        by_environment="network.flowLogs.enabled",
        description="Log the VPC's traffic (the created VPC, or vpcId).",
    )
    destination: FlowLogDestination = setting(
        CLOUDWATCH,
        description=f"`{CLOUDWATCH}`: a KMS-encrypted log group the stack creates; or an S3 bucket ARN.",
        limit=f"{CLOUDWATCH} or {S3_BUCKET_ARN_FORM} (a bucket name; no '{FLOW_LOG_S3_SUBFOLDER_REFUSED}' folder)",
        examples=[CLOUDWATCH, "arn:aws:s3:::shop-flow-logs/prod/"],
    )
    retention_days: RetentionDays = setting(
        by_environment="network.flowLogs.retentionDays",
        description="How long the log group keeps records (cloudwatch only).",
        unit="days",
        limit=f"one of {', '.join(map(str, LOG_RETENTION_DAYS))}",
    )
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = setting(
        "ALL", description="Which traffic to record: all, or only what security groups and NACLs accepted or rejected."
    )
    max_aggregation_interval: Literal[60, 600] = setting(
        600,
        description="Longest time packets of a flow are aggregated into one record (60 costs more records).",
        unit="seconds",
    )

    @property
    def to_cloudwatch(self) -> bool:
        """True when the stack creates the log group the records go to."""
        return self.destination == CLOUDWATCH

    @property
    def bucket(self) -> str | None:
        """The S3 bucket the records go to; None for cloudwatch."""
        found = re.match(S3_BUCKET_ARN_PATTERN, self.destination)
        return found["bucket"] if found else None

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if not self.to_cloudwatch and self.is_set("retention_days"):
            yield Problem(
                self._path(at, "retention_days"),
                "only with destination cloudwatch: an S3 bucket keeps objects by its lifecycle rules; remove it",
                self.retention_days,
            )
