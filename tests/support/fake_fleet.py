"""A fleet for the Auto Scaling stand-in (tools/conformance/auto_scaling/fleet.py), and a clock.

As strict as AWS where AWS refuses: a node is registered only after its launch hook said CONTINUE,
drained only while in service, terminated only once out of service (drained, or never healthy);
launching from a launch template version the fleet was not told about is an error, as a version
that does not exist is at AWS. It counts the nodes in service after every change, which is what a
test of minHealthyPercentage reads, and remembers every node that ever took traffic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from components.plans.lifecycle_hooks import ABANDON, CONTINUE
from tools.conformance.auto_scaling.fleet import ALARM, Launch, Node

SERVES, ABANDONS, UNHEALTHY = "serves", "abandons", "unhealthy"
"""What a launch template version's release does on a new node: joins and serves; fails its launch
hook (crashes at boot, never joins); passes the hook but fails the load balancer's health check."""

OK = "OK"


class FakeClock:
    """Time that passes only when something waits; `watch` is told each time a wait starts."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.watch: Callable[[float], None] | None = None

    def now(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        if self.watch is not None:
            self.watch(self.seconds)
        self.seconds += max(0.0, seconds)


@dataclass
class FakeFleet:
    clock: FakeClock
    serving: list[Node]
    releases: dict[str, str]
    """Launch template version -> SERVES, ABANDONS or UNHEALTHY."""
    alarm_when_serving: dict[str, str] = field(default_factory=dict)
    """Launch template version -> an alarm in ALARM while a node of it is in service."""
    boot_seconds: float = 40
    health_seconds: float = 20
    drain_seconds: float = 45
    capacity: list[int] = field(default_factory=list)
    """The count of nodes in service after each change."""
    served: set[str] = field(default_factory=set)
    launched: list[Node] = field(default_factory=list)
    _pending: dict[str, str] = field(default_factory=dict)  # node -> its launch hook's result
    _drained: set[str] = field(default_factory=set)
    _terminated: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.served |= {n.id for n in self.serving}
        self.capacity.append(len(self.serving))

    def in_service(self) -> list[Node]:
        return list(self.serving)

    def launch(self, version: str) -> Launch:
        if version not in self.releases:
            raise AssertionError(f"launch template version {version} does not exist")
        node = Node(f"i-{len(self.launched) + 1:03d}-v{version}", version)
        self.launched.append(node)
        self.clock.sleep(self.boot_seconds)
        if self.releases[version] == ABANDONS:
            self._pending[node.id] = ABANDON
            return Launch(node, ABANDON, "release did not answer /health within joinSeconds")
        self._pending[node.id] = CONTINUE
        return Launch(node, CONTINUE)

    def wait_healthy(self, node: Node) -> bool:
        if self._pending.get(node.id) != CONTINUE:
            raise AssertionError(f"{node.id} registered with the target group without its launch hook's CONTINUE")
        self.clock.sleep(self.health_seconds)
        if self.releases[node.version] == UNHEALTHY:
            return False
        del self._pending[node.id]
        self.serving.append(node)
        self.served.add(node.id)
        self.capacity.append(len(self.serving))
        return True

    def drain(self, node: Node) -> None:
        if node not in self.serving:
            raise AssertionError(f"{node.id} drained while not in service")
        self.serving.remove(node)
        self.capacity.append(len(self.serving))
        self.clock.sleep(self.drain_seconds)
        self._drained.add(node.id)

    def terminate(self, node: Node) -> None:
        if node in self.serving:
            raise AssertionError(f"{node.id} terminated while in service (not drained)")
        if node.id not in self._drained and node.id not in self._pending:
            raise AssertionError(f"{node.id} terminated without being drained")
        self._pending.pop(node.id, None)
        self._terminated.add(node.id)

    def alarm_states(self, names: list[str]) -> dict[str, str]:
        firing = {self.alarm_when_serving[n.version] for n in self.serving if n.version in self.alarm_when_serving}
        return {name: ALARM if name in firing else OK for name in names}

    def versions(self) -> list[str]:
        return sorted(n.version for n in self.serving)
