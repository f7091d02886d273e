"""Predictive scaling: AWS forecasts load from history and can launch ahead of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ..conventions import NODE_WARMUP_SECONDS
from ..limits import PERCENT, SCHEDULING_BUFFER_SECONDS
from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem


class PredictiveSettings(SettingsModel):
    """Predictive scaling: AWS forecasts load from history and can launch ahead of it."""

    mode: Literal["ForecastOnly", "ForecastAndScale"] = setting(
        "ForecastOnly", description="ForecastOnly to review forecasts first; ForecastAndScale to act on them."
    )
    metric: Literal["cpu", "requestsPerTarget"] = setting("cpu", description="Load metric the forecast follows.")
    target: float = setting(
        60,
        description="Utilisation the forecast capacity aims at.",
        unit="percent (cpu) or requests per node",
        limit="> 0; <= 100 for cpu",
        gt=0,
    )
    scheduling_buffer_time: int = setting(
        NODE_WARMUP_SECONDS,
        description="How early nodes launch before the forecast need.",
        unit="seconds",
        limit=SCHEDULING_BUFFER_SECONDS,
    )
    max_capacity_breach_behavior: Literal["HonorMaxCapacity", "IncreaseMaxCapacity"] = setting(
        "HonorMaxCapacity", description="Whether a forecast may raise the group above maxSize."
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.metric == "cpu" and self.target > PERCENT.max:
            yield Problem(
                self._path(at, "target"),
                "must be <= 100 for cpu (a percentage)",
                self.target,
                refs=(self._path(at, "metric"),),
            )
