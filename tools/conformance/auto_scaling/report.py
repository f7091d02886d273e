"""A rollout's report: how the refresh ended, its batches, the least in-service capacity the fleet
saw, and each node's timeline; as JSON for a lab's record, as text for its reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.conformance.auto_scaling.instance_refresh import RefreshOutcome
from tools.conformance.auto_scaling.order import RefreshOrder


@dataclass(frozen=True)
class RolloutReport:
    stack: str
    order: RefreshOrder
    outcome: RefreshOutcome
    least_in_service: int | None = None
    """The fewest nodes in service the fleet counted during the refresh (None: not measured)."""

    def to_json(self) -> dict[str, Any]:
        plan = self.outcome.plan
        return {
            "stack": self.stack,
            "group": self.order.group,
            "version": self.order.desired_version,
            "status": self.outcome.status,
            "statusReason": self.outcome.reason,
            "replaced": self.outcome.replaced,
            "toReplace": self.outcome.to_replace,
            "batch": plan.batch,
            "launchesFirst": plan.launches_first,
            "inServiceAtLeast": plan.in_service_at_least,
            "leastInService": self.least_in_service,
            "nodes": [n.to_json() for n in self.outcome.timeline.nodes.values()],
        }

    def text(self) -> str:
        plan = self.outcome.plan
        order = "new nodes first" if plan.launches_first else "old nodes first"
        lines = [
            f"{self.stack}: refresh of {self.order.group} to launch template version {self.order.desired_version}: "
            f"{self.outcome.status}" + (f" ({self.outcome.reason})" if self.outcome.reason else ""),
            f"  replaced {self.outcome.replaced} of {self.outcome.to_replace}, {plan.batch} at a time, {order}; "
            f"in service at least {plan.in_service_at_least}"
            + ("" if self.least_in_service is None else f", least seen {self.least_in_service}"),
        ]
        return "\n".join(lines + ["  " + row for row in self.outcome.timeline.table().splitlines()])
