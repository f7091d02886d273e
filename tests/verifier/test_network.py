"""tools/verifier/checks/network.py: the flow log's record format; the tamper fails its check and
no other (on the shared prod walk)."""

from __future__ import annotations

from tests.support.stacks import Applied
from tests.support.verify import SHARES_DRIFTING_PROD, walk_tampers

pytestmark = SHARES_DRIFTING_PROD

SHORT_FORMAT = "${srcaddr} ${dstaddr} ${action}"


def log_addresses_only(env: Applied) -> None:
    """A flow log cannot be modified: replaced by hand with one of a shorter record format, to the
    same log group through the same role."""
    ec2 = env.client("ec2")
    vpc = [{"Name": "resource-id", "Values": [env.outputs["vpcId"]]}]
    [flow_log] = ec2.describe_flow_logs(Filters=vpc)["FlowLogs"]
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


def test_a_flow_log_in_another_format_fails_the_flow_log_check_alone(drifting_prod: Applied, verify_reusing_clients):
    walk_tampers(
        drifting_prod,
        "prod",
        [
            (
                log_addresses_only,
                "network.flow_logs",
                f"LogFormat '{SHORT_FORMAT}', declared '${{version}} ${{account-id}}",
            )
        ],
    )
