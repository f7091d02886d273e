"""The lifecycle hooks on the node group, as AWS API values:

- the launch hook holds a new node in Pending:Wait, out of the load balancer, until its launch hook
  script (scripts/launch-hook.sh) has seen the release answer its health check and, when the group
  has nodes in service, see one of them in Node.list(): then CONTINUE, else ABANDON (the order and
  the wait settings/launch.py budgets for);
- the termination hook holds a leaving node until its drain agent has let the load balancer drain,
  stopped the release and completed the action (scripts/drain-agent.sh; the order settings/drain.py
  budgets for).

The NodeGroup component declares them; `tools.verify` compares DescribeLifecycleHooks with them;
the scripts read the hooks' names from stack.env (plans/node_scripts.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import StackSettings

LAUNCH_HOOK_NAME = "release-join"
"""The launch lifecycle hook the launch hook script completes once the release serves and has joined."""

LIFECYCLE_HOOK_NAME = "release-drain"
"""The termination lifecycle hook the drain agent completes (CONTINUE) once the release stopped."""

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"

CONTINUE, ABANDON = "CONTINUE", "ABANDON"
"""CompleteLifecycleAction's results, and a hook's DefaultResult."""

LAUNCH_DEFAULT_RESULT = ABANDON
"""When the heartbeat runs out (the node never said it joined), the node never serves."""

DRAIN_DEFAULT_RESULT = CONTINUE
"""When the drain hook's heartbeat runs out (the drain agent died), the node terminates anyway."""


@dataclass(frozen=True)
class LifecycleHookPlan:
    """A hook that holds a node in a transition until its script completes it, or the heartbeat runs out."""

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


def launch_hook(settings: StackSettings) -> LifecycleHookPlan:
    """The heartbeat covers the whole launch budget (settings/launch.py)."""
    return LifecycleHookPlan(LAUNCH_HOOK_NAME, LAUNCHING, settings.launch.heartbeat_seconds, LAUNCH_DEFAULT_RESULT)


def drain_hook(settings: StackSettings) -> LifecycleHookPlan:
    """The heartbeat covers the whole drain budget (settings/drain.py)."""
    return LifecycleHookPlan(LIFECYCLE_HOOK_NAME, TERMINATING, settings.drain.heartbeat_seconds, DRAIN_DEFAULT_RESULT)
