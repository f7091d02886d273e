"""The launch budget: how long a new node may take before it serves, step by step, computed once.

Scale-out and instance refresh, in AWS's order (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html):
the group launches the instance and its launch lifecycle hook holds it in Pending:Wait, for at
most the hook's heartbeat timeout (30-7200 s, https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html);
only once the hook is completed (CONTINUE) does the group register the node with the load
balancer and put it InService, where its warmup starts. ABANDON, or a heartbeat that runs out
(the hook's default result is ABANDON), terminates it without a request ever reaching it.

On the node (scripts/launch-hook.sh):

1. EC2 boots the instance and cloud-init installs the packages, fetches and unpacks the release
   and starts it (BOOT_SECONDS, an allowance of ours);
2. the launch hook script waits, polling every POLL_SECONDS, at most release.joinSeconds, for the
   release to answer the load balancer's health check and, when the group has nodes in service,
   to see one of them in Node.list();
3. it completes the lifecycle action, CONTINUE or ABANDON (COMPLETION_SECONDS covers the call and
   its retries).

The launch hook's heartbeat covers the whole budget; the settings refuse a joinSeconds that would
not fit the heartbeat's maximum. The hook and the script read this one budget; the simulator
holds a node in the hook for its boot (tools/simulator/model.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .drain import COMPLETION_SECONDS
from .limits import LIFECYCLE_HEARTBEAT, Range

BOOT_SECONDS = 300
"""EC2's boot and cloud-init's work before the release starts: packages (the CloudWatch agent), the
artifact's download, the release's unpacking. Ours: AL2023 nodes take one to two minutes."""

POLL_SECONDS = 5
"""How often the launch hook script asks the release again."""

JOIN_SECONDS = Range(POLL_SECONDS, LIFECYCLE_HEARTBEAT.max - BOOT_SECONDS - COMPLETION_SECONDS)
"""release.joinSeconds: at least one poll, and the whole budget within the heartbeat's maximum."""


@dataclass(frozen=True)
class LaunchBudget:
    """The seconds a new node may take, from its launch to the completed launch hook."""

    join_seconds: int
    """release.joinSeconds: from the release's start to serving its health check and seeing a peer."""

    @property
    def heartbeat_seconds(self) -> int:
        """The launch hook's heartbeat: boot, the join wait and the completion, at least AWS's minimum."""
        return max(LIFECYCLE_HEARTBEAT.min, BOOT_SECONDS + self.join_seconds + COMPLETION_SECONDS)
