"""components/plans/flow_logs.py: the flow log as DescribeFlowLogs reports it, and the delivery
role's documents, with AWS's literal values."""

from __future__ import annotations

from components.plans.flow_logs import delivery_policy, delivery_trust_policy, flow_log_plan, log_group_name

DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
"""AWS's default record format: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html"""


def test_flow_logs_to_cloudwatch_go_to_the_stacks_own_log_group(settings):
    stack = settings(network={"flowLogs": {"enabled": True, "retentionDays": 90}})
    plan = flow_log_plan(stack.network.flow_logs, log_group_name(stack))
    assert (plan.destination, plan.to_cloudwatch, plan.retention_days) == (
        "/elixir-cluster/shop-dev/vpc-flow-logs",
        True,
        90,
    )
    assert plan.described() == {
        "LogDestinationType": "cloud-watch-logs",
        "TrafficType": "ALL",
        "MaxAggregationInterval": 600,
        "LogFormat": DEFAULT_FORMAT,
    }


def test_flow_logs_to_s3_go_to_the_bucket_and_keep_nothing_themselves(settings):
    bucket = "arn:aws:s3:::shop-flow-logs/dev/"
    flow_logs = {"enabled": True, "destination": bucket, "trafficType": "REJECT", "maxAggregationInterval": 60}
    stack = settings(network={"flowLogs": flow_logs})
    plan = flow_log_plan(stack.network.flow_logs, log_group_name(stack))
    assert (plan.destination, plan.to_cloudwatch, plan.retention_days) == (bucket, False, None)
    assert plan.described() == {
        "LogDestinationType": "s3",
        "TrafficType": "REJECT",
        "MaxAggregationInterval": 60,
        "LogFormat": DEFAULT_FORMAT,
    }


def test_only_this_accounts_flow_logs_may_assume_the_delivery_role():
    trust = delivery_trust_policy(partition="aws", region="eu-west-1", account_id="123456789012")
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"},
            },
        }
    ]


def test_the_delivery_role_writes_streams_and_events_to_its_log_group_alone():
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/elixir-cluster/shop-dev/vpc-flow-logs"
    [statement] = delivery_policy(arn)["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert statement["Resource"] == [arn, f"{arn}:*"]
