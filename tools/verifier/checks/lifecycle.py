"""The group's lifecycle hooks against the node group's plan: the launch hook that keeps a new node
out of the load balancer until it has joined, and the termination hook that holds a leaving node
while it drains, each as declared; and no other (a hook nobody declared holds nodes that nothing
completes, until its heartbeat runs out)."""

from __future__ import annotations

from typing import Any

from components.plans.lifecycle_hooks import LAUNCHING, TERMINATING, LifecycleHookPlan

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand
from .common import not_found

NAME = "lifecycle hooks"

CHECKS = (
    ("lifecycle.join", "launch_hook", "new nodes would take requests before they joined the cluster"),
    ("lifecycle.drain", "drain_hook", "scale-in would kill nodes without draining"),
)
"""Each declared hook's check: its name, the plan's attribute, and what its absence means."""

ON = {LAUNCHING: "launch", TERMINATING: "termination"}


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, check, "Auto Scaling group") for check, _, _ in CHECKS]
    hooks = env.aws.client("autoscaling").describe_lifecycle_hooks(AutoScalingGroupName=env.group_name)[
        "LifecycleHooks"
    ]
    found = {hook["LifecycleHookName"]: hook for hook in hooks}
    plan = env.node_group
    return [
        *(_declared(env, check, getattr(plan, attribute), found, missing) for check, attribute, missing in CHECKS),
        _undeclared(hooks, {hook.name for hook in plan.hooks}),
    ]


def _declared(
    env: Environment, check: str, declared: LifecycleHookPlan, found: dict[str, dict[str, Any]], missing: str
) -> Finding:
    hook = found.get(declared.name)
    if hook is None:
        return failed(check, f"{env.group_name} has no lifecycle hook {declared.name}: {missing}", UP_FIX)
    drift = [
        f"{key} {hook.get(key)!r}, declared {value!r}"
        for key, value in declared.described().items()
        if hook.get(key) != value
    ]
    if drift:
        return failed(check, f"{declared.name}: {'; '.join(drift)}", UP_FIX)
    return passed(
        check,
        f"{declared.name} on {ON[declared.transition]}, heartbeat {hook['HeartbeatTimeout']} s, "
        f"then {declared.default_result}",
    )


def _undeclared(hooks: list[dict[str, Any]], known: set[str]) -> Finding:
    others = [
        f"undeclared hook {h['LifecycleHookName']} on {h['LifecycleTransition']}: holds each node up to "
        f"{h['HeartbeatTimeout']} s, then {h['DefaultResult']}"
        for h in hooks
        if h["LifecycleHookName"] not in known
    ]
    if others:
        undeclared = ", ".join(h["LifecycleHookName"] for h in hooks if h["LifecycleHookName"] not in known)
        return failed(
            "lifecycle.undeclared",
            "; ".join(others),
            remove_by_hand(f"delete {undeclared} (aws autoscaling delete-lifecycle-hook)"),
        )
    return passed("lifecycle.undeclared", "no hook but the stack's")
