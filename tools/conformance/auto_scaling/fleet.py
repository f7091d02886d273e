"""What the stand-in asks of a fleet: the steps a node goes through in an instance refresh.

A node arrives through the launch hook (it boots the launch template version's user data and its
launch hook script answers CONTINUE or ABANDON), is registered with the target group and found
healthy by the load balancer, then leaves through the termination hook (deregistered, drained by
its drain agent) and is terminated. Which alarms are in ALARM is the fleet's to tell too: in a lab
they follow what its traffic does. The node lab implements this with namespaces; tests with a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from components.plans.lifecycle_hooks import ABANDON, CONTINUE

ALARM = "ALARM"
"""CloudWatch's state of an alarm whose threshold is breached (OK, ALARM, INSUFFICIENT_DATA)."""


@dataclass(frozen=True)
class Node:
    """A node of the group: its instance id and the launch template version it was launched from."""

    id: str
    version: str


@dataclass(frozen=True)
class Launch:
    """A node launched for the refresh, and how its launch hook was completed."""

    node: Node
    result: str
    """CONTINUE (the release serves and has joined) or ABANDON (the node must never serve)."""
    reason: str = ""
    """Why, as the launch hook script logged it (for an ABANDON)."""

    def __post_init__(self) -> None:
        if self.result not in (CONTINUE, ABANDON):
            raise ValueError(f"a launch hook completes with CONTINUE or ABANDON, got {self.result!r}")


class Fleet(Protocol):
    def in_service(self) -> list[Node]:
        """The group's nodes in service, oldest first."""

    def launch(self, version: str) -> Launch:
        """Start a node from launch template version `version` and wait for its launch hook's result."""

    def wait_healthy(self, node: Node) -> bool:
        """Register a node whose launch hook said CONTINUE with the target group; True once the
        load balancer finds it healthy (InService), False if it never does within the grace period."""

    def drain(self, node: Node) -> None:
        """Take a node out: deregister it and let the termination hook hold it until its drain agent
        has stopped the release (the lifecycle action completed)."""

    def terminate(self, node: Node) -> None:
        """Terminate a node that was drained, or whose launch failed."""

    def alarm_states(self, names: list[str]) -> dict[str, str]:
        """The state of each alarm named (OK, ALARM, INSUFFICIENT_DATA)."""
