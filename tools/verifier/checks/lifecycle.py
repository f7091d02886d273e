"""The termination lifecycle hook that holds a leaving node while it drains."""

from __future__ import annotations

from components.plans.node_group import drain_hook

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed
from .common import not_found

NAME = "lifecycle hook"


def run(env: Environment) -> list[Finding]:
    if env.group is None:
        return [not_found(env, "lifecycle.hook", "Auto Scaling group")]
    hooks = env.aws.client("autoscaling").describe_lifecycle_hooks(AutoScalingGroupName=env.group_name)[
        "LifecycleHooks"
    ]
    declared = drain_hook(env.settings)
    hook = next((h for h in hooks if h["LifecycleHookName"] == declared.name), None)
    if hook is None:
        return [
            failed(
                "lifecycle.hook",
                f"{env.group_name} has no lifecycle hook {declared.name}: scale-in kills nodes without draining",
                UP_FIX,
            )
        ]
    expected = declared.described()
    drift = [
        f"{key} {hook.get(key)!r}, declared {value!r}" for key, value in expected.items() if hook.get(key) != value
    ]
    if drift:
        return [failed("lifecycle.hook", f"{declared.name}: {'; '.join(drift)}", UP_FIX)]
    return [
        passed(
            "lifecycle.hook",
            f"{declared.name} on termination, heartbeat {hook['HeartbeatTimeout']} s, then {declared.default_result}",
        )
    ]
