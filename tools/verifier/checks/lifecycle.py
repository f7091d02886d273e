"""The group's lifecycle hooks against the node group's plan: the termination hook that holds a
leaving node while it drains, as declared, and no other (a hook nobody declared holds nodes
that nothing completes, until its heartbeat runs out)."""

from __future__ import annotations

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed, remove_by_hand
from .common import not_found

NAME = "lifecycle hook"


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "lifecycle.hook", "Auto Scaling group")]
    hooks = env.aws.client("autoscaling").describe_lifecycle_hooks(AutoScalingGroupName=env.group_name)[
        "LifecycleHooks"
    ]
    declared = env.node_group.drain_hook
    problems = []
    hook = next((h for h in hooks if h["LifecycleHookName"] == declared.name), None)
    if hook is None:
        problems.append(
            f"{env.group_name} has no lifecycle hook {declared.name}: scale-in kills nodes without draining"
        )
    else:
        drift = [
            f"{key} {hook.get(key)!r}, declared {value!r}"
            for key, value in declared.described().items()
            if hook.get(key) != value
        ]
        if drift:
            problems.append(f"{declared.name}: {'; '.join(drift)}")
    known = {h.name for h in env.node_group.hooks}
    problems += [
        f"undeclared hook {h['LifecycleHookName']} on {h['LifecycleTransition']}: holds each node up to "
        f"{h['HeartbeatTimeout']} s, then {h['DefaultResult']}"
        for h in hooks
        if h["LifecycleHookName"] not in known
    ]
    if problems:
        undeclared = [h["LifecycleHookName"] for h in hooks if h["LifecycleHookName"] not in known]
        delete = f"delete {', '.join(undeclared)} (aws autoscaling delete-lifecycle-hook)"
        return [failed("lifecycle.hook", "; ".join(problems), remove_by_hand(delete) if undeclared else UP_FIX)]
    return [
        passed(
            "lifecycle.hook",
            f"{declared.name} on termination, heartbeat {hook['HeartbeatTimeout']} s, then {declared.default_result}",
        )
    ]
