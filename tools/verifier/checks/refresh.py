"""The group's instance refreshes against the node group's plan: the latest refresh's preferences
(plans/node_group.py's RefreshPreferences, as DescribeInstanceRefreshes reports them), how it
ended, and the nodes still running another launch template version than the group's.

- `refresh.preferences`: every preference the stack decides, compared with the latest refresh's
  (one started by hand with other preferences fails); passes, saying so, before any refresh ran.
- `refresh.latest`: Failed, Cancelled, RollbackFailed or RollbackSuccessful fails with AWS's status
  reason (a deploy that did not finish: the nodes may run two releases); one still running warns.
- `refresh.node_versions`: nodes on a template version other than the group's warn, by name
  (DescribeAutoScalingGroups reports each instance's; protected and standby nodes a refresh left
  alone, or a refresh that stopped).
"""

from __future__ import annotations

from typing import Any

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, warned
from .common import not_found

NAME = "instance refresh"

CHECKS = ("refresh.preferences", "refresh.latest", "refresh.node_versions")

UNFINISHED = frozenset({"Pending", "InProgress", "Cancelling", "Baking", "RollbackInProgress"})
NOT_DONE = frozenset({"Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"})
"""Refreshes that ended without every node on the group's template (API_InstanceRefresh's Status)."""

RUNBOOK = "docs/shipping-a-release.md, 'When a refresh fails'"


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, check, "Auto Scaling group") for check in CHECKS]
    refreshes = env.aws.client("autoscaling").describe_instance_refreshes(
        AutoScalingGroupName=env.group_name, MaxRecords=1
    )["InstanceRefreshes"]
    latest = refreshes[0] if refreshes else None  # AWS lists the newest first
    return [_preferences(env, latest), _latest(env, latest), _node_versions(env)]


def _preferences(env: Environment, latest: dict[str, Any] | None) -> Finding:
    declared = env.node_group.group.refresh
    wanted = declared.preferences.described()
    summary = f"{declared.strategy}, " + ", ".join(f"{key} {value}" for key, value in wanted.items())
    if latest is None:
        return passed(
            "refresh.preferences",
            f"no instance refresh has run yet: the first `pulumi up` that changes the launch template starts one, "
            f"{summary}",
        )
    found = latest.get("Preferences", {})
    problems = [
        f"Preferences.{key} {found.get(key)!r}, declared {wanted.get(key)!r}"
        for key in declared.preferences.KEYS
        if found.get(key) != wanted.get(key)
    ]
    if latest.get("Strategy") != declared.strategy:
        problems.insert(0, f"Strategy {latest.get('Strategy')!r}, declared {declared.strategy!r}")
    name = f"latest refresh {latest['InstanceRefreshId']} ({latest['Status']})"
    if problems:
        return failed(
            "refresh.preferences",
            f"{name}: {'; '.join(problems)}",
            "a refresh started by hand replaced nodes with other preferences than the stack's: if it is still "
            f"active, cancel it (aws autoscaling cancel-instance-refresh --auto-scaling-group-name {env.group_name}) "
            "and let `pulumi up` roll the nodes",
        )
    return passed("refresh.preferences", f"{name}: {summary}")


def _latest(env: Environment, latest: dict[str, Any] | None) -> Finding:
    if latest is None:
        return passed("refresh.latest", "no instance refresh has run yet")
    status, reason = latest["Status"], latest.get("StatusReason") or "AWS gave no reason"
    name = f"refresh {latest['InstanceRefreshId']}"
    if status in NOT_DONE:
        return failed(
            "refresh.latest",
            f"{name} {status}: {reason}",
            f"the nodes may run two releases: revert the stack file to the release that ran, `pulumi up`, then "
            f"verify again ({RUNBOOK})",
        )
    if status in UNFINISHED:
        done = latest.get("PercentageComplete", 0)
        return warned(
            "refresh.latest",
            f"{name} {status}, {done}% done, {latest.get('InstancesToUpdate', '?')} nodes to go",
            f"a deploy is rolling: verify again when it ends (aws autoscaling describe-instance-refreshes "
            f"--auto-scaling-group-name {env.group_name})",
        )
    return passed("refresh.latest", f"{name} {status}")


def _node_versions(env: Environment) -> Finding:
    if env.launch_template is None:  # group.template_version fails it
        return warned("refresh.node_versions", f"{env.group_name} launches from no launch template", UP_FIX)
    template_id, version = env.launch_template
    behind = sorted(
        f"{i['InstanceId']} (version {i.get('LaunchTemplate', {}).get('Version', '?')}, {i['LifecycleState']})"
        for i in env.group.get("Instances", [])
        if (i.get("LaunchTemplate") or {}).get("LaunchTemplateId") != template_id
        or str(i["LaunchTemplate"].get("Version")) != version
    )
    nodes = len(env.group.get("Instances", []))
    if behind:
        return warned(
            "refresh.node_versions",
            f"{len(behind)} of {nodes} nodes run another launch template version than {template_id} version "
            f"{version}: {', '.join(behind)}",
            "a refresh left them (protected, in standby, or it stopped): `aws autoscaling start-instance-refresh "
            f"--auto-scaling-group-name {env.group_name}` with the stack's preferences, or replace them "
            f"({RUNBOOK})",
        )
    return passed("refresh.node_versions", f"all {nodes} nodes run {template_id} version {version}")
