"""The `scaling` section: how the node group follows load, one module per kind of policy."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem
from .predictive import PredictiveSettings
from .schedules import ScheduleSettings
from .step import StepPolicySettings
from .target_tracking import TargetTrackingSettings


class ScalingSettings(SettingsModel):
    """How the node group follows load: target tracking, step policies, schedules, predictive.

    Rules: no two target tracking policies on the same metric; step policy and schedule
    names unique.
    """

    target_tracking: list[TargetTrackingSettings] = setting(
        default_factory=lambda: [TargetTrackingSettings(metric="cpu", target=60)],
        description="Target tracking policies; several scale out when any asks and in when all agree.",
        default_text="[{metric: cpu, target: 60}]",
    )
    step: list[StepPolicySettings] = setting(
        default_factory=list, description="Step scaling policies with their alarms."
    )
    schedules: list[ScheduleSettings] = setting(default_factory=list, description="Scheduled size changes.")
    predictive: PredictiveSettings | None = setting(None, description="Predictive scaling.", default_text="off")

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        seen: dict[tuple, int] = {}
        for index, policy in enumerate(self.target_tracking):
            identity = policy.identity()
            if identity in seen:
                yield Problem(
                    self._path(at, "target_tracking", index, "metric"),
                    f"targetTracking[{seen[identity]}] already tracks this metric",
                    policy.metric,
                )
            seen.setdefault(identity, index)
        for name in ("step", "schedules"):
            first_by_name: dict[str, int] = {}
            for index, item in enumerate(getattr(self, name)):
                if item.name in first_by_name:
                    yield Problem(
                        self._path(at, name, index, "name"),
                        f"{name}[{first_by_name[item.name]}] has this name already",
                        item.name,
                    )
                first_by_name.setdefault(item.name, index)
