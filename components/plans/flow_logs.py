"""VPC flow logs: what is recorded and where it goes, and the role that delivers it to CloudWatch Logs.

`flow_log_plan` is the flow log as DescribeFlowLogs reports it (traffic type, destination,
aggregation interval, record format): the VpcFlowLogs component declares it, `tools.verify`
compares a deployed flow log with it.

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

from dataclasses import dataclass
from typing import Any

from ..settings import NAMESPACE, FlowLogsSettings, StackSettings
from .iam import POLICY_VERSION

FLOW_LOGS_SERVICE_PRINCIPAL = "vpc-flow-logs.amazonaws.com"

DELIVERY_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
"""What the flow logs service does with the role: a stream per network interface, then its events."""

CLOUDWATCH_LOGS = "cloud-watch-logs"
S3 = "s3"

DEFAULT_LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
"""The record format the stack declares by declaring none: AWS's default (version 2) fields:
https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-default"""


@dataclass(frozen=True)
class FlowLogPlan:
    """The VPC's flow log: which traffic, to where, how often, in which format."""

    traffic_type: str
    """ALL, ACCEPT or REJECT."""
    destination_type: str
    """CLOUDWATCH_LOGS or S3."""
    destination: str
    """The log group's name (cloudwatch) or the bucket ARN (s3)."""
    max_aggregation_interval: int
    """Seconds over which a record aggregates packets: 60 or 600."""
    retention_days: int | None
    """Days the log group keeps records; None for S3 (the bucket's lifecycle rules decide)."""
    log_format: str = DEFAULT_LOG_FORMAT

    @property
    def to_cloudwatch(self) -> bool:
        """Records go to a log group the stack creates (with its key and delivery role)."""
        return self.destination_type == CLOUDWATCH_LOGS

    def described(self) -> dict[str, Any]:
        """What DescribeFlowLogs reports for it, its destination aside."""
        return {
            "LogDestinationType": self.destination_type,
            "TrafficType": self.traffic_type,
            "MaxAggregationInterval": self.max_aggregation_interval,
            "LogFormat": self.log_format,
        }


def flow_log_plan(flow_logs: FlowLogsSettings, log_group_name: str) -> FlowLogPlan:
    """The `network.flowLogs` settings as a flow log; `log_group_name` is where cloudwatch records go."""
    cloudwatch = flow_logs.to_cloudwatch
    return FlowLogPlan(
        traffic_type=flow_logs.traffic_type,
        destination_type=CLOUDWATCH_LOGS if cloudwatch else S3,
        destination=log_group_name if cloudwatch else flow_logs.destination,
        max_aggregation_interval=flow_logs.max_aggregation_interval,
        retention_days=flow_logs.retention_days if cloudwatch else None,
    )


def log_group_name(settings: StackSettings) -> str:
    """`/elixir-cluster/shop-prod/vpc-flow-logs`: the log group the stack creates for the records."""
    return f"/{NAMESPACE}/{settings.qualified_name}/vpc-flow-logs"


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
