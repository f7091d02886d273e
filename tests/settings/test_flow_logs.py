"""components/settings/flow_logs.py: `network.flowLogs`, its per-environment defaults and what
EC2 and CloudWatch Logs would refuse, each named with its fix."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import SettingsError, load_settings
from tests.support.fragments import CERTIFICATE, MINIMAL, merged
from tests.support.sections import refusals


def problems(stack: str, flow_logs: dict[str, Any]) -> list[str]:
    with pytest.raises(SettingsError) as refused:
        load_settings(merged(MINIMAL, {"network": {"flowLogs": flow_logs}}), stack=stack, region="eu-west-1")
    return refused.value.problems


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


@pytest.mark.parametrize(
    ("flow_logs", "refused"),
    [
        # retentionDays only with destination cloudwatch
        ({"enabled": True, "destination": "cloudwatch", "retentionDays": 30}, None),
        ({"enabled": True, "destination": "arn:aws:s3:::shop-flow-logs/prod/"}, None),
        (
            {"enabled": True, "destination": "arn:aws:s3:::shop-flow-logs/prod/", "retentionDays": 30},
            "elixir-cluster:network.flowLogs.retentionDays: only with destination cloudwatch: an S3 bucket keeps "
            "objects by its lifecycle rules; remove it, got 30",
        ),
        # retention periods: one CloudWatch Logs knows, at the ends of its list
        ({"retentionDays": 1}, None),
        ({"retentionDays": 3653}, None),
        (
            {"retentionDays": 3654},
            "elixir-cluster:network.flowLogs.retentionDays: must be one of CloudWatch Logs' retention periods: "
            "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, "
            "3653, got 3654",
        ),
    ],
)
def test_flow_log_rules_at_their_boundaries(flow_logs, refused):
    assert refusals(network={"flowLogs": flow_logs}) == ([] if refused is None else [refused])
