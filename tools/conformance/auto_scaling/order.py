"""The refresh to perform, as AWS describes it: DescribeInstanceRefreshes (the preferences the
provider sent, a desired configuration if any), DescribeAutoScalingGroups (the launch template
version, the desired capacity) and DescribeLifecycleHooks (the hook a new node must pass).

What a preference left out means is AWS's (API_RefreshPreferences): MaxHealthyPercentage 100,
InstanceWarmup the group's default instance warmup, else its health check grace period,
CheckpointDelay 3600 s once percentages are given (tools/changes/refresh.py takes it from the
settings' limits, one source), SkipMatching false, no alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.plans.lifecycle_hooks import LAUNCHING
from tools.changes.refresh import RefreshPlan, refresh_plan
from tools.emulated_stack import StartedRefresh

NOT_STARTED = "Pending"
DEFAULT_MAX_HEALTHY_PERCENTAGE = 100


class NoRefreshToPerform(LookupError):
    """The group has no refresh waiting to be performed."""


@dataclass(frozen=True)
class RefreshOrder:
    """One Pending refresh of one group, with everything AWS needs to perform it."""

    group: str
    refresh_id: str
    desired_version: str
    """The launch template version new nodes launch from (the desired configuration's, else the group's)."""
    desired_capacity: int
    preferences: dict[str, Any]
    launch_hook: str | None
    """The group's EC2_INSTANCE_LAUNCHING hook, if it has one."""
    warmup_seconds: int

    @property
    def skip_matching(self) -> bool:
        return bool(self.preferences.get("SkipMatching", False))

    @property
    def alarms(self) -> list[str]:
        return list((self.preferences.get("AlarmSpecification") or {}).get("Alarms") or [])

    def plan(self, drain_seconds: int = 0) -> RefreshPlan:
        """The batches of this refresh over the group's desired capacity (tools/changes/refresh.py)."""
        return refresh_plan(
            nodes=self.desired_capacity,
            min_healthy_percentage=self.preferences["MinHealthyPercentage"],
            max_healthy_percentage=self.preferences.get("MaxHealthyPercentage", DEFAULT_MAX_HEALTHY_PERCENTAGE),
            warmup_seconds=self.warmup_seconds,
            drain_seconds=drain_seconds,
            checkpoint_percentages=self.preferences.get("CheckpointPercentages") or (),
            checkpoint_delay=self.preferences.get("CheckpointDelay"),
        )


def pending_refresh(autoscaling: Any, group: str) -> RefreshOrder:
    """The group's newest refresh, which must still be Pending (nothing has performed it yet)."""
    found = autoscaling.describe_instance_refreshes(AutoScalingGroupName=group, MaxRecords=1)["InstanceRefreshes"]
    if not found or found[0]["Status"] != NOT_STARTED:
        status = found[0]["Status"] if found else "none started"
        raise NoRefreshToPerform(f"{group}: no Pending instance refresh (latest: {status})")
    [described] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
    hooks = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group)["LifecycleHooks"]
    return refresh_order(found[0], described, hooks)


def started_refresh(started: StartedRefresh) -> RefreshOrder:
    """The order of a refresh `tools.emulated_stack.apply_change` reports (its account is gone:
    the group's hooks are not known)."""
    return refresh_order(started.refresh, started.group, [])


def refresh_order(refresh: dict[str, Any], group: dict[str, Any], hooks: list[dict[str, Any]]) -> RefreshOrder:
    """From DescribeInstanceRefreshes', DescribeAutoScalingGroups' and DescribeLifecycleHooks' answers."""
    preferences = refresh["Preferences"]
    # without InstanceWarmup AWS uses the group's default instance warmup, else its grace period
    warmup = preferences.get(
        "InstanceWarmup", group.get("DefaultInstanceWarmup", group.get("HealthCheckGracePeriod", 0))
    )
    return RefreshOrder(
        group=group["AutoScalingGroupName"],
        refresh_id=refresh["InstanceRefreshId"],
        desired_version=_desired_version(refresh.get("DesiredConfiguration") or {}, group),
        desired_capacity=group["DesiredCapacity"],
        preferences=preferences,
        launch_hook=next((h["LifecycleHookName"] for h in hooks if h["LifecycleTransition"] == LAUNCHING), None),
        warmup_seconds=int(warmup),
    )


def _desired_version(desired: dict[str, Any], group: dict[str, Any]) -> str:
    """The version new nodes take: the desired configuration's, else the group's own (as AWS
    skips matching against "the same configuration that is already set on the group")."""
    for source in (desired, group):
        template = source.get("LaunchTemplate") or (
            (source.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
        )
        if template and template.get("Version"):
            return str(template["Version"])
    raise NoRefreshToPerform(f"{group['AutoScalingGroupName']}: no launch template version to refresh to")
