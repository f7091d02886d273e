"""The change report's document: what an edited stack file does, as docs/design.md's contract gives it.

    {"stack": str,
     "changes": [{"urn", "type", "name", "action": "create"|"update"|"replace"|"delete",
                  "changed": {property path: {"old", "new"}}, "replaceBecause": [property, ...]}],
     "refresh": null | {"group", "nodes", "batch", "checkpoints", "minimumSeconds"}}

Unchanged resources are not listed; secrets are masked ("[secret]"). A change `pulumi up` would
stop at keeps the steps done until then and says which one failed and why (`failure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.changes.refresh import RefreshPlan, refresh_plan
from tools.emulated_stack import AppliedChange, StartedRefresh
from tools.emulator import Step
from tools.emulator.core.update import PROVIDER_PREFIX, REPLACE, SAME


@dataclass(frozen=True)
class Refresh:
    """The node refresh a change starts: its group and how AWS runs it."""

    group: str
    plan: RefreshPlan

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "nodes": self.plan.nodes,
            "batch": self.plan.batch,
            "checkpoints": [
                {"percentage": c.percentage, "delaySeconds": c.delay_seconds} for c in self.plan.checkpoints
            ],
            "minimumSeconds": self.plan.minimum_seconds,
        }


@dataclass
class ChangeReport:
    stack: str
    old_file: str
    changes: list[Step]
    unchanged: int
    refresh: Refresh | None = None
    failure: str | None = field(default=None)

    @property
    def replaces(self) -> bool:
        return any(step.action == REPLACE for step in self.changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "changes": [
                {
                    "urn": step.urn,
                    "type": step.type,
                    "name": step.name,
                    "action": step.action,
                    "changed": {path: {"old": old, "new": new} for path, (old, new) in step.changed.items()},
                    "replaceBecause": list(step.replace_because),
                }
                for step in self.changes
            ],
            "refresh": self.refresh.to_json() if self.refresh else None,
        }


def change_report(stack: str, old_file: str, applied: AppliedChange, drain_seconds: int) -> ChangeReport:
    """The report of `applied` (stack `stack`, from `old_file`); `drain_seconds` is how long an old
    node takes to leave (the stack's drain budget)."""
    shown = [step for step in applied.steps if step.action != SAME and not step.type.startswith(PROVIDER_PREFIX)]
    unchanged = sum(1 for step in applied.steps if step.action == SAME)
    refresh = _refresh(applied.refreshes[0], drain_seconds) if applied.refreshes else None
    failure = str(applied.failure) if applied.failure else None
    return ChangeReport(stack, old_file, shown, unchanged, refresh, failure)


def _refresh(started: StartedRefresh, drain_seconds: int) -> Refresh:
    preferences = started.refresh.get("Preferences", {})
    group = started.group
    # without InstanceWarmup AWS uses the group's default warmup, else its health check grace period
    warmup = preferences.get(
        "InstanceWarmup", group.get("DefaultInstanceWarmup", group.get("HealthCheckGracePeriod", 0))
    )
    plan = refresh_plan(
        nodes=started.refresh["InstancesToUpdate"],
        min_healthy_percentage=preferences["MinHealthyPercentage"],
        max_healthy_percentage=preferences.get("MaxHealthyPercentage", 100),
        warmup_seconds=warmup,
        drain_seconds=drain_seconds,
        checkpoint_percentages=preferences.get("CheckpointPercentages") or (),
        checkpoint_delay=preferences.get("CheckpointDelay"),
    )
    return Refresh(started.refresh["AutoScalingGroupName"], plan)
