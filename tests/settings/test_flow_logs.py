"""`network.flowLogs`: the rule between its keys, at both sides (the values it refuses are in
tests/test_flow_logs.py beside what each stack holds)."""

from __future__ import annotations

import pytest

from tests.support.sections import refusals


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
