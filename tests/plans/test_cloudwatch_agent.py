"""The CloudWatch agent's configuration: memory and the BEAM's StatsD metrics, per group."""

from __future__ import annotations

import json

import pytest

from components.plans.node_layout import NodeLayout
from components.settings import MEMORY_METRIC, METRICS_NAMESPACE, STATSD_ADDRESS
from tests.support.node_bootstrap import VARIANTS, stack_values, user_data, variant, written_file


@pytest.mark.parametrize("name", VARIANTS)
def test_cloudwatch_agent_publishes_memory_and_statsd_per_group(name: str) -> None:
    settings = variant(name)
    layout = NodeLayout(settings.release.name)
    config = json.loads(written_file(settings, layout.cloudwatch_config))
    metrics = config["metrics"]
    assert metrics["namespace"] == METRICS_NAMESPACE
    assert metrics["append_dimensions"] == {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"}
    assert metrics["aggregation_dimensions"] == [["AutoScalingGroupName"]]
    assert metrics["metrics_collected"]["mem"]["measurement"] == [MEMORY_METRIC]
    assert metrics["metrics_collected"]["statsd"]["service_address"] == STATSD_ADDRESS
    assert "amazon-cloudwatch-agent" in user_data(settings)["packages"]
    assert stack_values(settings)["CLOUDWATCH_CONFIG"] == layout.cloudwatch_config


def test_prod_agent_configuration_is_what_the_dashboard_and_scaling_read() -> None:
    # The agent's own keys (amazon-cloudwatch-agent configuration file reference); the
    # namespace, metric and port are the ones the scaling policies and the dashboard name.
    assert json.loads(written_file(variant("prod"), "/etc/shop/cloudwatch-agent.json")) == {
        "agent": {"run_as_user": "cwagent"},
        "metrics": {
            "namespace": "Elixir/BEAM",
            "append_dimensions": {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"},
            "aggregation_dimensions": [["AutoScalingGroupName"]],
            "metrics_collected": {
                "mem": {"measurement": ["mem_used_percent"]},
                "statsd": {
                    "service_address": "127.0.0.1:8125",
                    "metrics_collection_interval": 10,
                    "metrics_aggregation_interval": 60,
                },
            },
        },
    }
