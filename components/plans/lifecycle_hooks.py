"""The lifecycle hooks on the node group, as AWS API values: the termination hook that holds a
leaving node until its drain agent has let the load balancer drain, stopped the release and
completed the action (scripts/drain-agent.sh; the order settings/drain.py budgets for).

The NodeGroup component declares them; `tools.verify` compares DescribeLifecycleHooks with them;
the drain agent reads the hook's name from stack.env (plans/node_scripts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import StackSettings

LIFECYCLE_HOOK_NAME = "release-drain"
"""The termination lifecycle hook the drain agent completes (CONTINUE) once the release stopped."""

TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"

HOOK_DEFAULT_RESULT = "CONTINUE"
"""When the heartbeat runs out (the drain agent died), the node terminates anyway."""


@dataclass(frozen=True)
class LifecycleHookPlan:
    """The termination hook that holds a leaving node until the drain agent completes it."""

    name: str
    transition: str
    heartbeat_timeout: int
    default_result: str

    def described(self) -> dict[str, str | int]:
        """As DescribeLifecycleHooks reports it (the name aside)."""
        return {
            "LifecycleTransition": self.transition,
            "HeartbeatTimeout": self.heartbeat_timeout,
            "DefaultResult": self.default_result,
        }


def drain_hook(settings: StackSettings) -> LifecycleHookPlan:
    """The heartbeat covers the whole drain budget (settings/drain.py)."""
    return LifecycleHookPlan(LIFECYCLE_HOOK_NAME, TERMINATING, settings.drain.heartbeat_seconds, HOOK_DEFAULT_RESULT)
