"""Target tracking: AWS adds and removes nodes to hold a metric near a target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ..conventions import (
    BEAM_METRICS,
    MEMORY_METRIC,
    METRICS_NAMESPACE,
    PERCENT_TARGET_METRICS,
    PREDEFINED_TARGET_METRICS,
)
from ..limits import PERCENT
from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem
from ..value_types import CloudWatchName, Dimensions, Statistic
from .metric import MetricSettings, group_dimension_rules, warmup_setting


class TargetTrackingSettings(SettingsModel):
    """A target tracking policy: AWS adds and removes nodes to hold `metric` near `target`.

    Rules: percentage metrics (cpu, memory, schedulerUtilization) take a target in
    (0, 100]; only `custom` takes namespace, name, statistic and dimensions, and needs
    the first three.
    """

    metric: Literal["cpu", "requestsPerTarget", "memory", "schedulerUtilization", "custom"] = setting(
        description="cpu (OS CPU: overstates BEAM load, schedulers busy-wait), requestsPerTarget (ALB requests per "
        "node per minute), memory (agent's mem_used_percent), schedulerUtilization (BEAM), custom.",
        examples=["schedulerUtilization"],
    )
    target: float = setting(
        description="Value to hold the metric at.",
        unit="percent for cpu, memory and schedulerUtilization; requests per node per minute; the metric's unit",
        limit="> 0; <= 100 for percentages",
        gt=0,
        examples=[60],
    )
    warmup: int = warmup_setting()
    disable_scale_in: bool = setting(False, description="Only ever add nodes with this policy.")
    namespace: CloudWatchName | None = setting(None, description="custom only: CloudWatch namespace.")
    name: CloudWatchName | None = setting(None, description="custom only: CloudWatch metric name.")
    statistic: Statistic | None = setting(None, description="custom only: how datapoints are aggregated.")
    dimensions: Dimensions | None = setting(None, description="custom only: dimensions beyond AutoScalingGroupName.")

    def customized_metric(self) -> MetricSettings | None:
        """The CloudWatch metric behind memory, schedulerUtilization and custom; None for AWS's predefined ones."""
        if self.metric in PREDEFINED_TARGET_METRICS:
            return None
        if self.metric == "custom":
            return MetricSettings(
                namespace=self.namespace,
                name=self.name,
                statistic=self.statistic,
                dimensions=self.dimensions or {},
            )
        name = MEMORY_METRIC if self.metric == "memory" else BEAM_METRICS[self.metric]
        return MetricSettings(namespace=METRICS_NAMESPACE, name=name)

    def identity(self) -> tuple:
        """What makes two policies track the same metric."""
        if self.metric != "custom":
            return (self.metric,)
        return (self.namespace, self.name, tuple(sorted((self.dimensions or {}).items())))

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        metric_path = self._path(at, "metric")
        if self.metric in PERCENT_TARGET_METRICS and self.target > PERCENT.max:
            yield Problem(
                self._path(at, "target"),
                f"must be <= 100 for {self.metric} (a percentage)",
                self.target,
                refs=(metric_path,),
            )
        custom_keys = ("namespace", "name", "statistic", "dimensions")
        if self.metric == "custom":
            missing = [name for name in ("namespace", "name", "statistic") if getattr(self, name) is None]
            for name in missing:
                yield Problem(self._path(at, name), "required with metric custom")
            yield from group_dimension_rules(self.dimensions or {}, self._path(at, "dimensions"))
        else:
            for name in custom_keys:
                if self.is_set(name):
                    yield Problem(
                        self._path(at, name),
                        f"only metric custom takes {name}",
                        getattr(self, name),
                        refs=(metric_path,),
                    )
