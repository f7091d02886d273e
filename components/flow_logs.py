"""VpcFlowLogs: the VPC's flow logs, to an encrypted log group the stack creates or to S3.

The flow log is plans/flow_logs.py's `flow_log_plan`. To CloudWatch Logs: an
EncryptedLogGroup (its own rotating KMS key, `retentionDays`), a delivery role that the
flow logs service alone may assume and that may write to that log group alone, and the
flow log. To S3: the flow log only; the bucket is the team's, and its policy must admit
`delivery.logs.amazonaws.com`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .base import ClusterComponent
from .log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from .plans.flow_logs import delivery_policy, delivery_trust_policy, flow_log_plan
from .settings import FlowLogsSettings


@dataclass
class VpcFlowLogsArgs:
    flow_logs: FlowLogsSettings
    """The `network.flowLogs` section (enabled): which traffic, to where, kept how long."""
    vpc_id: pulumi.Input[str]
    """The VPC whose traffic is logged: the created one, or vpcId."""
    log_group_name: str
    """The log group to create when the destination is cloudwatch (plans.flow_logs.log_group_name)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on the flow log, its log group, key and role."""


class VpcFlowLogs(ClusterComponent):
    TOKEN = "elixir-cluster:index:VpcFlowLogs"

    flow_log_id: pulumi.Output[str]
    """The flow log (fl-...)."""
    destination_arn: pulumi.Output[str]
    """The log group's or the bucket's ARN the records go to."""

    def __init__(self, name: str, args: VpcFlowLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.tags, opts)
        plan = flow_log_plan(args.flow_logs, args.log_group_name)
        role_arn: pulumi.Output[str] | None = None
        ready: list[pulumi.Resource] = []
        if plan.to_cloudwatch:
            logs = EncryptedLogGroup(
                self._child_name("cloudwatch"),
                EncryptedLogGroupArgs(
                    log_group_name=plan.destination, retention_days=plan.retention_days, tags=args.tags
                ),
                opts=self._child(),
            )
            role, policy = self._delivery_role(logs)
            destination, role_arn, ready = logs.arn, role.arn, [policy]
        else:
            destination = pulumi.Output.from_input(plan.destination)
        flow_log = aws.ec2.FlowLog(
            self._child_name("vpc"),
            vpc_id=args.vpc_id,
            traffic_type=plan.traffic_type,
            log_destination_type=plan.destination_type,
            log_destination=destination,
            iam_role_arn=role_arn,
            max_aggregation_interval=plan.max_aggregation_interval,
            tags=self._tags("vpc"),
            # the first delivery must find the role allowed to write
            opts=self._child(depends_on=ready),
        )
        self.flow_log_id = flow_log.id
        self.destination_arn = destination
        self.register_outputs({"flowLogId": self.flow_log_id, "destinationArn": self.destination_arn})

    def _delivery_role(self, logs: EncryptedLogGroup) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        invoke = self._invoke()
        known = pulumi.Output.all(
            aws.get_partition_output(opts=invoke).partition,
            aws.get_region_output(opts=invoke).region,
            aws.get_caller_identity_output(opts=invoke).account_id,
        )
        role = aws.iam.Role(
            self._child_name("delivery"),
            description="VPC flow logs delivery to its own log group",
            assume_role_policy=known.apply(
                lambda k: json.dumps(delivery_trust_policy(partition=k[0], region=k[1], account_id=k[2]))
            ),
            tags=self._tags("delivery"),
            opts=self._child(),
        )
        policy = aws.iam.RolePolicy(
            self._child_name("delivery"),
            role=role.id,
            policy=logs.arn.apply(lambda arn: json.dumps(delivery_policy(arn))),
            opts=self._child(),
        )
        return role, policy
