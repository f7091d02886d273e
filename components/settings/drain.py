"""The drain budget: how long a leaving node takes, step by step, computed once.

Scale-in, in AWS's order (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html):
the group deregisters the node from the load balancer and waits for in-flight requests
(deregistrationDelay; the activity shows "WaitingForELBConnectionDraining"), then puts it in
Terminating:Wait, where the termination lifecycle hook holds it for at most its heartbeat
timeout (30-7200 s, https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html).

The node's drain agent reads `autoscaling/target-lifecycle-state`, which AWS updates as soon as
the node *prepares* to terminate, possibly before the load balancer has drained. So the agent:

1. notices within one poll (POLL_SECONDS);
2. lets the load balancer drain (deregistrationDelay);
3. stops the release: systemd gives it drainSeconds plus STOP_MARGIN_SECONDS to exit
   (TimeoutStopSec) before it kills it;
4. completes the lifecycle action (COMPLETION_SECONDS covers the call and its retries).

In-flight requests never meet a stopping node, and the hook's heartbeat covers the whole
budget. The settings refuse a budget over the heartbeat's maximum; the termination hook, the
release unit's stop timeout, the drain agent and the simulator all read this one budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from .limits import LIFECYCLE_HEARTBEAT, Range

POLL_SECONDS = 5
"""How often the drain agent reads the target lifecycle state."""

STOP_MARGIN_SECONDS = 15
"""systemd's stop timeout beyond drainSeconds, so a drain that uses all of it still exits cleanly."""

COMPLETION_SECONDS = 10
"""CompleteLifecycleAction, with the aws CLI's retries."""

AGENT_MARGIN_SECONDS = POLL_SECONDS + STOP_MARGIN_SECONDS + COMPLETION_SECONDS
"""What the drain agent adds to deregistrationDelay + drainSeconds (30 s)."""

DRAIN_SECONDS = Range(1, LIFECYCLE_HEARTBEAT.max - AGENT_MARGIN_SECONDS)
"""release.drainSeconds: at least a second, and the whole budget within the heartbeat's maximum."""


@dataclass(frozen=True)
class DrainBudget:
    """The seconds a leaving node takes, from the load balancer's drain to the completed hook."""

    load_balancer_seconds: int
    """loadBalancer.deregistrationDelay: in-flight requests finish before the release stops."""
    release_seconds: int
    """release.drainSeconds: the release's own graceful stop."""

    @property
    def stop_timeout_seconds(self) -> int:
        """systemd's TimeoutStopSec for the release unit: the drain plus a margin to exit."""
        return self.release_seconds + STOP_MARGIN_SECONDS

    @property
    def total_seconds(self) -> int:
        """The longest a leaving node keeps running: poll, load balancer, stop, completion."""
        return POLL_SECONDS + self.load_balancer_seconds + self.stop_timeout_seconds + COMPLETION_SECONDS

    @property
    def heartbeat_seconds(self) -> int:
        """The termination hook's heartbeat: the whole budget, at least AWS's minimum."""
        return max(LIFECYCLE_HEARTBEAT.min, self.total_seconds)

    @property
    def fits_the_heartbeat(self) -> bool:
        """Whether AWS's longest heartbeat holds the whole budget."""
        return self.total_seconds <= LIFECYCLE_HEARTBEAT.max
