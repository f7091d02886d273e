"""The CloudWatch agent's configuration, read as the agent reads it: what the stand-in does is
whatever the rendered file says, with the agent's own defaults where it says nothing.

The defaults and rules, each from aws/amazon-cloudwatch-agent:

- `metrics.namespace`: "CWAgent" when absent (translator/translate/metrics/ruleNamespace.go);
- `statsd.service_address`: ":8125" (.../metrics_collect/statsd/ruleServiceAddress.go);
- `statsd.metrics_collection_interval`: 10 s (ruleMetricsCollectionInterval.go), how often the
  input's Gather runs;
- `statsd.metrics_aggregation_interval`: 60 s (ruleMetricsAggregationInterval.go, through
  util.ProcessMetricsAggregationInterval): the tag `aws:AggregationInterval` that makes the
  CloudWatch output aggregate; 0 turns aggregation off and publishes each value at high
  resolution instead (`aws:StorageResolution`);
- the `mem` input collects at the agent's interval, 60 s when neither it nor the `agent`
  section sets `metrics_collection_interval` ([agent] interval in translator/tocwconfig/
  sampleConfig/*.conf); its measurements are named `mem_<field>`, written with or without the
  prefix (internal/metric/metric.go `DecorateMetricName`);
- `append_dimensions`: the four the agent resolves on the instance, each under its own key
  (plugins/processors/ec2tagger/config.go `SupportedAppendDimensions`); with any of them the
  `host` dimension is dropped (translator/translate/metrics/ruleTagExclude.go);
- `aggregation_dimensions`: the rollup sets, each deduplicated and sorted, duplicates dropped
  (plugins/outputs/cloudwatch/cloudwatch.go `GetUniqueRollupList`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_NAMESPACE = "CWAgent"
DEFAULT_STATSD_ADDRESS = ":8125"
DEFAULT_STATSD_COLLECTION_SECONDS = 10
DEFAULT_AGGREGATION_SECONDS = 60
DEFAULT_COLLECTION_SECONDS = 60
"""The agent's defaults, as the files named in the module docstring set them."""

SUPPORTED_APPEND_DIMENSIONS = {
    "AutoScalingGroupName": "${aws:AutoScalingGroupName}",
    "ImageId": "${aws:ImageId}",
    "InstanceId": "${aws:InstanceId}",
    "InstanceType": "${aws:InstanceType}",
}
"""ec2tagger's SupportedAppendDimensions: a dimension and the placeholder the agent resolves for it."""

MEM_MEASUREMENT = "mem"


class AgentConfigError(ValueError):
    """The configuration would not do what the stack needs; the message names the key and the fix."""


@dataclass(frozen=True)
class StatsdSettings:
    host: str
    """The address to bind; "" is every address."""
    port: int
    collection_seconds: int
    aggregation_seconds: int
    """0: no aggregation, every collected value published at high resolution."""


@dataclass(frozen=True)
class AgentConfig:
    """What the stand-in needs of the configuration: where metrics go, with which dimensions, how often."""

    namespace: str
    append_dimensions: Mapping[str, str]
    """Dimension -> its placeholder (resolved on the instance) or a literal value."""
    rollups: tuple[tuple[str, ...], ...]
    statsd: StatsdSettings | None
    memory_metrics: tuple[str, ...]
    """`mem_used_percent`...: the mem input's metrics, by their CloudWatch names."""
    memory_seconds: int

    @classmethod
    def read(cls, config: Mapping[str, Any]) -> AgentConfig:
        """The agent's reading of `config` (the JSON the stack renders); AgentConfigError on what it refuses."""
        metrics = config.get("metrics")
        if not isinstance(metrics, Mapping):
            raise AgentConfigError("metrics: missing; without it the agent publishes no metric at all")
        collected = metrics.get("metrics_collected") or {}
        agent_seconds = (config.get("agent") or {}).get("metrics_collection_interval", DEFAULT_COLLECTION_SECONDS)
        memory = collected.get(MEM_MEASUREMENT)
        return cls(
            namespace=metrics.get("namespace", DEFAULT_NAMESPACE),
            append_dimensions=_append_dimensions(metrics.get("append_dimensions") or {}),
            rollups=_rollups(metrics.get("aggregation_dimensions") or []),
            statsd=_statsd(collected["statsd"]) if "statsd" in collected else None,
            memory_metrics=_memory_metrics(memory) if memory is not None else (),
            memory_seconds=int((memory or {}).get("metrics_collection_interval", agent_seconds)),
        )

    @property
    def drops_host(self) -> bool:
        """The `host` dimension is left out: append_dimensions is set (ruleTagExclude.go)."""
        return bool(self.append_dimensions)


def _append_dimensions(dimensions: Mapping[str, str]) -> dict[str, str]:
    for key, value in dimensions.items():
        placeholder = value.startswith("${")
        if placeholder and SUPPORTED_APPEND_DIMENSIONS.get(key) != value:
            supported = ", ".join(f"{k}: {v}" for k, v in SUPPORTED_APPEND_DIMENSIONS.items())
            raise AgentConfigError(
                f"metrics.append_dimensions.{key}: {value} is not a placeholder the agent resolves under that key; "
                f"it resolves {supported}"
            )
    return dict(dimensions)


def _rollups(sets: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    unique: list[tuple[str, ...]] = []
    for dimensions in sets:
        rollup = tuple(sorted(set(dimensions)))
        if rollup not in unique:
            unique.append(rollup)
    return tuple(unique)


def _statsd(statsd: Mapping[str, Any]) -> StatsdSettings:
    address = statsd.get("service_address", DEFAULT_STATSD_ADDRESS)
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise AgentConfigError(
            f"metrics.metrics_collected.statsd.service_address: {address!r} is not host:port; e.g. 127.0.0.1:8125"
        )
    return StatsdSettings(
        host=host,
        port=int(port),
        collection_seconds=int(statsd.get("metrics_collection_interval", DEFAULT_STATSD_COLLECTION_SECONDS)),
        aggregation_seconds=int(statsd.get("metrics_aggregation_interval", DEFAULT_AGGREGATION_SECONDS)),
    )


def _memory_metrics(memory: Mapping[str, Any]) -> tuple[str, ...]:
    names = []
    for measurement in memory.get("measurement", []):
        name = measurement["name"] if isinstance(measurement, Mapping) else measurement
        field = name.removeprefix(f"{MEM_MEASUREMENT}_")
        names.append(f"{MEM_MEASUREMENT}_{field}")
    return tuple(names)
