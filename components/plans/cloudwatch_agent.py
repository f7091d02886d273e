"""The CloudWatch agent on a node: memory, and a StatsD listener for the BEAM's metrics, in
METRICS_NAMESPACE, dimensioned by the Auto Scaling group (what the scaling policies and the
dashboard read).
"""

from __future__ import annotations

from typing import Any

from ..settings import GROUP_DIMENSION, MEMORY_METRIC, METRICS_NAMESPACE, STATSD_ADDRESS

CLOUDWATCH_AGENT_PACKAGE = "amazon-cloudwatch-agent"
CLOUDWATCH_AGENT_USER = "cwagent"
ASG_NAME_PLACEHOLDER = "${aws:AutoScalingGroupName}"
"""Resolved by the CloudWatch agent itself at start (it reads the instance's tags)."""

STATSD_COLLECTION_SECONDS = 10
"""How often the CloudWatch agent collects what arrived on the StatsD listener."""

METRICS_AGGREGATION_SECONDS = 60
"""Period the CloudWatch agent aggregates StatsD metrics over before publishing them."""


def cloudwatch_agent_config() -> dict[str, Any]:
    """The CloudWatch agent's configuration: memory and BEAM metrics (StatsD), per group."""
    return {
        "agent": {"run_as_user": CLOUDWATCH_AGENT_USER},
        "metrics": {
            "namespace": METRICS_NAMESPACE,
            "append_dimensions": {GROUP_DIMENSION: ASG_NAME_PLACEHOLDER},
            "aggregation_dimensions": [[GROUP_DIMENSION]],
            "metrics_collected": {
                "mem": {"measurement": [MEMORY_METRIC]},
                "statsd": {
                    "service_address": STATSD_ADDRESS,
                    "metrics_collection_interval": STATSD_COLLECTION_SECONDS,
                    "metrics_aggregation_interval": METRICS_AGGREGATION_SECONDS,
                },
            },
        },
    }
