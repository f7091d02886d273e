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
from typing import Annotated, Literal

from pydantic import AfterValidator

from .fields import Context, SettingsModel, bucket_name_problem, refuse, setting
from .limits import FLOW_LOG_S3_SUBFOLDER_REFUSED, LOG_RETENTION_DAYS, S3_KEY_MAX_BYTES
from .problems import KeyPath, Problem

CLOUDWATCH = "cloudwatch"
S3_ARN_PATTERN = r"^arn:(aws|aws-cn|aws-us-gov):s3:::(?P<bucket>[^/]+)(?:/(?P<prefix>.*))?$"
S3_ARN_FORM = "arn:aws:s3:::<bucket>[/<prefix>/]"


def _destination(value: str) -> str:
    if value == CLOUDWATCH:
        return value
    if value.startswith("s3://"):
        bucket_and_prefix = value.removeprefix("s3://")
        refuse(f"an S3 destination is a bucket ARN, not a URL: use arn:aws:s3:::{bucket_and_prefix}")
    found = re.match(S3_ARN_PATTERN, value)
    if not found:
        refuse(f"must be {CLOUDWATCH} or an S3 bucket ARN {S3_ARN_FORM}")
    problem = bucket_name_problem(found["bucket"])
    if problem:
        refuse(f"{S3_ARN_FORM}: {problem}")
    prefix = found["prefix"]
    if prefix is not None:
        folders = prefix.rstrip("/").split("/")
        if not prefix or prefix.startswith("/") or "" in folders:
            refuse(f"{S3_ARN_FORM}: the prefix needs folder names, no empty ones ('//')")
        if FLOW_LOG_S3_SUBFOLDER_REFUSED in folders:
            refuse(f"{S3_ARN_FORM}: AWS refuses '{FLOW_LOG_S3_SUBFOLDER_REFUSED}' as a folder (it adds its own)")
        if len(prefix.encode()) > S3_KEY_MAX_BYTES:
            refuse(f"{S3_ARN_FORM}: the prefix has at most {S3_KEY_MAX_BYTES} bytes")
    return value


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        longer = [days for days in LOG_RETENTION_DAYS if days >= value]
        hint = f" (the next one up is {longer[0]})" if longer else ""
        refuse(f"must be one of CloudWatch Logs' retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}{hint}")
    return value


FlowLogDestination = Annotated[str, AfterValidator(_destination)]
RetentionDays = Annotated[int, AfterValidator(_retention)]


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
        limit=f"{CLOUDWATCH} or {S3_ARN_FORM} (a bucket name; no '{FLOW_LOG_S3_SUBFOLDER_REFUSED}' folder)",
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
        found = re.match(S3_ARN_PATTERN, self.destination)
        return found["bucket"] if found else None

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if not self.to_cloudwatch and self.is_set("retention_days"):
            yield Problem(
                self._path(at, "retention_days"),
                "only with destination cloudwatch: an S3 bucket keeps objects by its lifecycle rules; remove it",
                self.retention_days,
            )
