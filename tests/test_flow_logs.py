"""VPC flow logs: the setting, and what each stack holds in moto (the flow log, its encrypted
log group, the delivery role), with AWS's literal values as the expected ones."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.settings import SettingsError, load_settings
from tests.support.fragments import CERTIFICATE, EXISTING_NETWORK, MINIMAL, merged

PROD_LOG_GROUP = "/elixir-cluster/shop-prod/vpc-flow-logs"


def problems(stack: str, flow_logs: dict[str, Any]) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load_settings(merged(MINIMAL, {"network": {"flowLogs": flow_logs}}), stack=stack, region="eu-west-1")
    return refused.value.problems


# --- the setting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "enabled", "retention"), [("dev", False, 30), ("staging", True, 90), ("prod", True, 365)]
)
def test_flow_logs_are_on_by_default_in_staging_and_prod_and_keep_a_year_in_prod(stack, enabled, retention):
    config = merged(MINIMAL, {"loadBalancer": {"certificateArn": CERTIFICATE}})
    flow_logs = load_settings(config, stack=stack, region="eu-west-1").network.flow_logs
    assert (flow_logs.enabled, flow_logs.retention_days, flow_logs.destination) == (enabled, retention, "cloudwatch")
    assert (flow_logs.traffic_type, flow_logs.max_aggregation_interval) == ("ALL", 600)


@pytest.mark.parametrize(
    ("flow_logs", "line"),
    [
        (
            {"destination": "s3://shop-flow-logs/prod"},
            "elixir-cluster:network.flowLogs.destination: an S3 destination is a bucket ARN, not a URL: "
            'use arn:aws:s3:::shop-flow-logs/prod, got "s3://shop-flow-logs/prod"',
        ),
        (
            {"destination": "arn:aws:s3:::Shop_Logs"},
            "elixir-cluster:network.flowLogs.destination: arn:aws:s3:::<bucket>[/<prefix>/]: a bucket name uses "
            "a-z, 0-9, '.' and '-', and starts and ends with a letter or digit, got \"arn:aws:s3:::Shop_Logs\"",
        ),
        (
            {"destination": "arn:aws:s3:::shop-flow-logs/AWSLogs/"},
            "elixir-cluster:network.flowLogs.destination: arn:aws:s3:::<bucket>[/<prefix>/]: AWS refuses 'AWSLogs' "
            'as a folder (it adds its own), got "arn:aws:s3:::shop-flow-logs/AWSLogs/"',
        ),
        (
            {"destination": "arn:aws:s3:::shop-flow-logs//prod"},
            "elixir-cluster:network.flowLogs.destination: arn:aws:s3:::<bucket>[/<prefix>/]: the prefix needs "
            "folder names, no empty ones ('//'), got \"arn:aws:s3:::shop-flow-logs//prod\"",
        ),
        (
            {"destination": "arn:aws:logs:eu-west-1:123456789012:log-group:mine"},
            "elixir-cluster:network.flowLogs.destination: must be cloudwatch or an S3 bucket ARN "
            'arn:aws:s3:::<bucket>[/<prefix>/], got "arn:aws:logs:eu-west-1:123456789012:log-group:mine"',
        ),
        (
            {"retentionDays": 300},
            "elixir-cluster:network.flowLogs.retentionDays: must be one of CloudWatch Logs' retention periods: "
            "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, "
            "3653 (the next one up is 365), got 300",
        ),
        (
            {"destination": "arn:aws:s3:::shop-flow-logs", "retentionDays": 30},
            "elixir-cluster:network.flowLogs.retentionDays: only with destination cloudwatch: an S3 bucket keeps "
            "objects by its lifecycle rules; remove it, got 30",
        ),
    ],
)
def test_a_flow_log_setting_aws_would_refuse_is_named_with_its_fix(flow_logs, line):
    assert problems("dev", flow_logs) == [line]


def test_traffic_type_and_aggregation_interval_take_only_what_ec2_takes():
    lines = problems("dev", {"trafficType": "all", "maxAggregationInterval": 120})
    assert [line.split(":")[1].split(" ")[0] for line in lines] == [
        "network.flowLogs.trafficType",
        "network.flowLogs.maxAggregationInterval",
    ]


# --- what prod holds ---------------------------------------------------------------------


def _flow_logs(applied) -> list[dict[str, Any]]:
    vpc = applied.outputs["vpcId"]
    return applied.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]


def _document(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def test_prod_logs_all_vpc_traffic_to_its_own_log_group(prod):
    [flow_log] = _flow_logs(prod)
    assert flow_log["FlowLogStatus"] == "ACTIVE"
    assert flow_log["DeliverLogsStatus"] == "SUCCESS"
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    assert flow_log["LogGroupName"] == PROD_LOG_GROUP
    assert flow_log["MaxAggregationInterval"] == 600


def test_prod_flow_log_group_keeps_a_year_encrypted_under_a_rotating_key_only_logs_may_use(prod):
    [group] = prod.client("logs").describe_log_groups(logGroupNamePrefix=PROD_LOG_GROUP)["logGroups"]
    assert group["retentionInDays"] == 365
    kms = prod.client("kms")
    key = group["kmsKeyId"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    policy = _document(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
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
    [trust] = _document(role["AssumeRolePolicyDocument"])["Statement"]
    account = prod.account_id
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:eu-west-1:{account}:vpc-flow-log/*"},
    }
    [policy_name] = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    [statement] = _document(iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"])[
        "Statement"
    ]
    group_arn = f"arn:aws:logs:eu-west-1:{account}:log-group:{PROD_LOG_GROUP}"
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []


def test_dev_has_no_flow_log_unless_it_asks(dev):
    assert _flow_logs(dev) == []
    assert dev.client("logs").describe_log_groups()["logGroups"] == []


# --- variants ----------------------------------------------------------------------------


def test_flow_logs_to_an_s3_bucket_need_no_role_and_no_log_group(deploy):
    bucket = "arn:aws:s3:::shop-flow-logs/dev/"
    change = {
        "flowLogs": {"enabled": True, "destination": bucket, "trafficType": "REJECT", "maxAggregationInterval": 60}
    }
    applied = deploy("dev", {"elixir-cluster:network": change})
    [flow_log] = _flow_logs(applied)
    assert flow_log["LogDestinationType"] == "s3"
    assert flow_log["LogDestination"] == bucket
    assert flow_log["TrafficType"] == "REJECT"
    assert flow_log["MaxAggregationInterval"] == 60
    assert "DeliverLogsPermissionArn" not in flow_log
    assert applied.client("logs").describe_log_groups()["logGroups"] == []


def test_an_existing_vpc_gets_the_flow_log_but_keeps_its_own_default_security_group(deploy):
    change = {**EXISTING_NETWORK, "flowLogs": {"enabled": True}}
    applied = deploy("dev", {"elixir-cluster:network": change})
    assert applied.outputs["vpcId"] == EXISTING_NETWORK["vpcId"]
    [flow_log] = _flow_logs(applied)
    assert flow_log["ResourceId"] == EXISTING_NETWORK["vpcId"]
    [default] = _default_group(applied)
    # AWS's own egress rule stays (moto's default group lacks AWS's ingress-from-itself rule)
    assert default["IpPermissionsEgress"][0]["IpProtocol"] == "-1"
    assert default["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]


# --- the default security group ----------------------------------------------------------


def _default_group(applied) -> list[dict[str, Any]]:
    filters = [{"Name": "vpc-id", "Values": [applied.outputs["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    return applied.client("ec2").describe_security_groups(Filters=filters)["SecurityGroups"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_created_vpcs_default_security_group_has_no_rules(shipped, stack):
    applied = shipped(stack)
    [default] = _default_group(applied)
    assert default["IpPermissions"] == []
    assert default["IpPermissionsEgress"] == []
    rules = applied.client("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [default["GroupId"]]}]
    )["SecurityGroupRules"]
    assert rules == []


def test_nothing_in_prod_uses_the_default_security_group(prod):
    [default] = _default_group(prod)
    ec2 = prod.client("ec2")
    in_use = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [default["GroupId"]]}])
    # moto gives a NAT gateway's interface the default group; AWS gives it none
    nat_interfaces = {
        a["NetworkInterfaceId"] for n in ec2.describe_nat_gateways()["NatGateways"] for a in n["NatGatewayAddresses"]
    }
    assert {i["NetworkInterfaceId"] for i in in_use["NetworkInterfaces"]} <= nat_interfaces
    for template in ec2.describe_launch_templates()["LaunchTemplates"]:
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])
        for version in versions["LaunchTemplateVersions"]:
            assert default["GroupId"] not in version["LaunchTemplateData"].get("SecurityGroupIds", [])
