"""Names and values the parts of the stack agree on: the config namespace, the listener ports,
the discovery tag, the metric namespace and names, the environments, the subnet plan.

None of them is an AWS limit (those are in limits.py): they are this stack's choices, which the
validators, the plans, the components, the bootstrap and the tools must all spell the same way.
Import them; never repeat the literal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

NAMESPACE = "elixir-cluster"
"""The Pulumi config namespace (the project name)."""

Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)

# --- ports ------------------------------------------------------------------------------------

HTTP_LISTENER_PORT = 80
HTTPS_LISTENER_PORT = 443

EPMD_WELL_KNOWN_PORT = 4369
"""EPMD's registered port: what every Erlang tool assumes unless ERL_EPMD_PORT says otherwise."""

STATSD_ADDRESS = "127.0.0.1:8125"
"""Where the CloudWatch agent listens for the release's StatsD metrics (UDP)."""
STATSD_PORT = int(STATSD_ADDRESS.rsplit(":", 1)[1])

# --- tags ---------------------------------------------------------------------------------------

DISCOVERY_TAG_KEY = f"{NAMESPACE}:cluster"
"""Tag on every resource and instance; libcluster's EC2 strategy filters on it."""

STACK_TAG_KEYS = (DISCOVERY_TAG_KEY, "Environment", "ManagedBy")
"""Tags the stack sets on everything (see StackSettings.tags); `Name` is set per resource."""

# --- metrics ------------------------------------------------------------------------------------

GROUP_DIMENSION = "AutoScalingGroupName"
"""The CloudWatch dimension of per-group metrics: the agent aggregates node metrics by it,
and EC2 and Auto Scaling publish theirs under it."""

METRICS_NAMESPACE = "Elixir/BEAM"
"""CloudWatch namespace of the agent on each node: memory and the StatsD BEAM metrics,
aggregated by GROUP_DIMENSION."""

MEMORY_METRIC = "mem_used_percent"
"""The CloudWatch agent's memory metric (percent), in METRICS_NAMESPACE."""

BEAM_METRICS: Mapping[str, str] = {
    "schedulerUtilization": "SchedulerUtilization",
    "runQueue": "TotalRunQueueLength",
}
"""BEAM metrics the release publishes to the StatsD listener, by role: scheduler
utilisation (percent of time schedulers do work; unlike OS CPU it excludes busy-waiting)
and the total run-queue length (processes waiting for a scheduler)."""

PREDEFINED_TARGET_METRICS: Mapping[str, str] = {
    "cpu": "ASGAverageCPUUtilization",
    "requestsPerTarget": "ALBRequestCountPerTarget",
}
"""Target-tracking metrics AWS predefines, by their config name."""

PREDICTIVE_METRIC_PAIRS: Mapping[str, str] = {"cpu": "ASGCPUUtilization", "requestsPerTarget": "ALBRequestCount"}
"""Predictive scaling's predefined metric pairs, by their config name."""

PERCENT_TARGET_METRICS = ("cpu", "memory", "schedulerUtilization")
"""Target-tracking metrics (config names) measured in percent: their target is at most 100."""

# --- nodes and the network ----------------------------------------------------------------------

NODE_WARMUP_SECONDS = 120
"""How long a new node takes to serve: boot, cloud-init, fetch and start the release, pass
health checks. The default of every warmup (instance refresh, scaling policies, predictive
scaling's buffer)."""

SUBNET_PLAN_EXTRA_BITS = 4
PRIVATE_SUBNET_BLOCK_OFFSET = 2**SUBNET_PLAN_EXTRA_BITS // 2
"""The subnet plan of a created VPC: it is cut into 16 blocks (prefix + 4); public subnet i is
block i, private subnet i is block 8 + i (NetworkSettings.subnet_cidrs)."""

CLOUDWATCH = "cloudwatch"
"""network.flowLogs.destination for a log group the stack creates (else an S3 bucket ARN)."""
