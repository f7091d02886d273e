"""components/flow_logs.py: the VPC's flow log as moto holds it (the flow log, its encrypted log
group, the delivery role), with AWS's literal values as the expected ones."""

from __future__ import annotations

from typing import Any

from tests.support.kms import document

PROD_LOG_GROUP = "/elixir-cluster/shop-prod/vpc-flow-logs"
DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)
"""AWS's default record format: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html"""


def _flow_logs(applied) -> list[dict[str, Any]]:
    vpc = applied.outputs["vpcId"]
    return applied.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]


def test_prod_logs_all_vpc_traffic_to_its_own_log_group(prod):
    [flow_log] = _flow_logs(prod)
    assert flow_log["FlowLogStatus"] == "ACTIVE"
    assert flow_log["DeliverLogsStatus"] == "SUCCESS"
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    assert flow_log["LogGroupName"] == PROD_LOG_GROUP
    assert flow_log["MaxAggregationInterval"] == 600
    assert flow_log["LogFormat"] == DEFAULT_FORMAT


def test_prod_flow_log_group_keeps_a_year_encrypted_under_a_rotating_key_only_logs_may_use(prod):
    [group] = prod.client("logs").describe_log_groups(logGroupNamePrefix=PROD_LOG_GROUP)["logGroups"]
    assert group["retentionInDays"] == 365
    kms = prod.client("kms")
    key = group["kmsKeyId"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    policy = document(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    [logs] = [s for s in policy["Statement"] if s["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}]
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{prod.account_id}:log-group:{PROD_LOG_GROUP}"
        }
    }


def test_prod_flow_log_role_is_assumable_by_flow_logs_only_and_writes_to_its_log_group_only(prod):
    [flow_log] = _flow_logs(prod)
    iam = prod.client("iam")
    role_name = flow_log["DeliverLogsPermissionArn"].rsplit("/", 1)[1]
    role = iam.get_role(RoleName=role_name)["Role"]
    [trust] = document(role["AssumeRolePolicyDocument"])["Statement"]
    account = prod.account_id
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:eu-west-1:{account}:vpc-flow-log/*"},
    }
    [policy_name] = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    [statement] = document(iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"])[
        "Statement"
    ]
    group_arn = f"arn:aws:logs:eu-west-1:{account}:log-group:{PROD_LOG_GROUP}"
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []


def test_dev_has_no_flow_log_unless_it_asks(dev):
    assert _flow_logs(dev) == []
    assert dev.client("logs").describe_log_groups()["logGroups"] == []


# --- to S3 ---------------------------------------------------------------------------------


def test_flow_logs_to_an_s3_bucket_need_no_role_and_no_log_group(private_dev):
    applied = private_dev  # rejected traffic to a bucket, every minute (tests/support/variants.py)
    [flow_log] = _flow_logs(applied)
    assert flow_log["LogDestinationType"] == "s3"
    assert flow_log["LogDestination"] == "arn:aws:s3:::shop-flow-logs/dev/"
    assert flow_log["TrafficType"] == "REJECT"
    assert flow_log["MaxAggregationInterval"] == 60
    assert "DeliverLogsPermissionArn" not in flow_log
    assert applied.client("logs").describe_log_groups()["logGroups"] == []
