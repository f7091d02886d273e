"""The termination lifecycle hook that holds a leaving node while it drains."""

from __future__ import annotations

from components.node_group import HOOK_DEFAULT_RESULT, TERMINATING
from components.plans.bootstrap import LIFECYCLE_HOOK_NAME

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
    hook = next((h for h in hooks if h["LifecycleHookName"] == LIFECYCLE_HOOK_NAME), None)
    if hook is None:
        return [
            failed(
                "lifecycle.hook",
                f"{env.group_name} has no lifecycle hook {LIFECYCLE_HOOK_NAME}: scale-in kills nodes without draining",
                UP_FIX,
            )
        ]
    expected = {
        "LifecycleTransition": TERMINATING,
        "HeartbeatTimeout": env.settings.lifecycle_heartbeat_seconds,
        "DefaultResult": HOOK_DEFAULT_RESULT,
    }
    drift = [
        f"{key} {hook.get(key)!r}, declared {value!r}" for key, value in expected.items() if hook.get(key) != value
    ]
    if drift:
        return [failed("lifecycle.hook", f"{LIFECYCLE_HOOK_NAME}: {'; '.join(drift)}", UP_FIX)]
    return [
        passed(
            "lifecycle.hook",
            f"{LIFECYCLE_HOOK_NAME} on termination, heartbeat {hook['HeartbeatTimeout']} s, then {HOOK_DEFAULT_RESULT}",
        )
    ]
