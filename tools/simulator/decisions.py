"""How the group resolves what several policies ask for in the same minute.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scale-based-on-demand.html#multiple-scaling-policy-resolution
"Amazon EC2 Auto Scaling chooses the policy that provides the largest capacity for both
scale out and scale in." A scale-out, when any policy asks for one, wins over any scale-in.
https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
Several target tracking policies: scale out if any is ready to, scale in only if all of
them (with scale-in enabled) are; see `target_tracking.combined_scale_in`.
The result is clamped to the group's minimum and maximum size (same page as the first:
"the new capacity never goes outside of the minimum and maximum size limits").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Proposal:
    """A capacity a policy asks for, and why (the activity's cause)."""

    capacity: int
    cause: str


def decide(desired: int, proposals: Iterable[Proposal]) -> Proposal | None:
    """The proposal the group carries out, or None when none changes the desired capacity. Of proposals
    asking the same capacity (AWS's rule leaves the choice open: any gives the same group), the first."""
    proposals = list(proposals)
    larger = [p for p in proposals if p.capacity > desired]
    if larger:
        return max(larger, key=lambda p: p.capacity)
    smaller = [p for p in proposals if p.capacity < desired]
    return max(smaller, key=lambda p: p.capacity) if smaller else None
