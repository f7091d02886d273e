"""VPC flow logs: where the records go, and the role that delivers them to CloudWatch Logs.

The role follows AWS's "IAM role for publishing flow logs to CloudWatch Logs"
(https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html): it trusts the
flow logs service, for this account's flow logs only (`aws:SourceAccount`,
`aws:SourceArn`: AWS's guard against the confused deputy), and where AWS's example grants
five actions on "*", it grants the three a delivery makes on the one log group the stack
created for it (the log group exists before the flow log, so CreateLogGroup and
DescribeLogGroups are never needed).

Pure functions (no Pulumi) of the settings and the ARNs the stack knows.
"""

from __future__ import annotations

from typing import Any

from ..settings import NAMESPACE, FlowLogsSettings, StackSettings
from .iam import POLICY_VERSION

FLOW_LOGS_SERVICE_PRINCIPAL = "vpc-flow-logs.amazonaws.com"

DELIVERY_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
"""What the flow logs service does with the role: a stream per network interface, then its events."""

CLOUDWATCH_LOGS = "cloud-watch-logs"
S3 = "s3"


def log_group_name(settings: StackSettings) -> str:
    """`/elixir-cluster/shop-prod/vpc-flow-logs`: the log group the stack creates for the records."""
    return f"/{NAMESPACE}/{settings.qualified_name}/vpc-flow-logs"


def destination_type(flow_logs: FlowLogsSettings) -> str:
    """EC2's LogDestinationType: `cloud-watch-logs` or `s3`."""
    return CLOUDWATCH_LOGS if flow_logs.to_cloudwatch else S3


def delivery_trust_policy(*, partition: str, region: str, account_id: str) -> dict[str, Any]:
    """Who may assume the delivery role: the flow logs service, for this account's flow logs in this region."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
                },
            }
        ],
    }


def delivery_policy(log_group_arn: str) -> dict[str, Any]:
    """What the delivery role may do: write streams and events into this log group, nothing else.

    Both the log group's ARN and `<arn>:*` (its streams, `:log-stream:<name>`): CloudWatch
    Logs authorizes DescribeLogStreams and CreateLogStream on the log group and PutLogEvents
    on the stream.
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "DeliverFlowLogs",
                "Effect": "Allow",
                "Action": DELIVERY_ACTIONS,
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }
