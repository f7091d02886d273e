"""tools/verifier/checks/network.py: the flow log (destination, record format, its log group's
retention) and a created VPC's default security group without rules; each tamper fails its check
and no other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk

SHORT_FORMAT = "${srcaddr} ${dstaddr} ${action}"


def _flow_logs(env: Applied) -> list[dict[str, Any]]:
    vpc = [{"Name": "resource-id", "Values": [env.outputs["vpcId"]]}]
    return env.client("ec2").describe_flow_logs(Filters=vpc)["FlowLogs"]


def log_addresses_only(env: Applied) -> None:
    """A flow log cannot be modified: replaced by hand with one of a shorter record format, to the
    same log group through the same role."""
    ec2 = env.client("ec2")
    [flow_log] = _flow_logs(env)
    ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])
    ec2.create_flow_logs(
        ResourceIds=[env.outputs["vpcId"]],
        ResourceType="VPC",
        TrafficType=flow_log["TrafficType"],
        LogDestinationType=flow_log["LogDestinationType"],
        LogGroupName=flow_log["LogGroupName"],
        DeliverLogsPermissionArn=flow_log["DeliverLogsPermissionArn"],
        MaxAggregationInterval=flow_log["MaxAggregationInterval"],
        LogFormat=SHORT_FORMAT,
    )


def delete_the_flow_log(env: Applied) -> None:
    env.client("ec2").delete_flow_logs(FlowLogIds=[f["FlowLogId"] for f in _flow_logs(env)])


def shorten_the_flow_log_retention(env: Applied) -> None:
    env.client("logs").put_retention_policy(
        logGroupName=f"/elixir-cluster/{env.settings.qualified_name}/vpc-flow-logs", retentionInDays=1
    )


def open_ssh_on_the_default_security_group(env: Applied) -> None:
    ec2 = env.client("ec2")
    vpc = [{"Name": "vpc-id", "Values": [env.outputs["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=vpc)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )


TAMPERS = {
    "prod": [
        Tamper(
            log_addresses_only,
            "network.flow_logs",
            f"LogFormat '{SHORT_FORMAT}', declared '${{version}} ${{account-id}}",
        ),
    ],
    "staging": [
        Tamper(shorten_the_flow_log_retention, "network.flow_logs", "log group retention 1, declared 90"),
        Tamper(delete_the_flow_log, "network.flow_logs", "no flow log on vpc-"),
        Tamper(
            open_ssh_on_the_default_security_group,
            "network.default_security_group",
            "has rules (declared none): ingress tcp 22-22 0.0.0.0/0",
        ),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_network_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
