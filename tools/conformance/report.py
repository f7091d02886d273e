"""The short report of one stack's conformance run: what was proven, with the numbers.

The tests fill a `Report` as they measure; `render` prints it at the end of the run.
A field left None was not measured (its test was deselected or failed before it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Probe:
    """Connection attempts from one namespace to one kind of port on the nodes."""

    source: str
    port: str
    outcomes: Counter[str]


@dataclass(frozen=True)
class Requests:
    ok: int
    failed: int


@dataclass(frozen=True)
class Failover:
    node: str
    detection_seconds: float
    bound_seconds: float
    before_detection: Requests
    after_detection: Requests


@dataclass(frozen=True)
class Rejoin:
    mesh_seconds: float
    in_service_seconds: float


@dataclass(frozen=True)
class Drain:
    node: str
    delay_seconds: int
    requests: Requests


@dataclass
class Report:
    stack: str
    versions: str = ""
    timing: str = ""
    nodes: list[str] = field(default_factory=list)
    load_balancer: str = ""
    mesh_seconds: float | None = None
    remote_call: str | None = None
    probes: list[Probe] = field(default_factory=list)
    negative_control: str | None = None
    spread: Counter[str] | None = None
    failover: Failover | None = None
    rejoin: Rejoin | None = None
    drain: Drain | None = None

    def render(self) -> str:
        rows = [
            ("nodes", ", ".join(self.nodes)),
            ("load balancer", self.load_balancer),
            ("full mesh", self._mesh()),
            *self._probes(),
            ("negative control", self.negative_control),
            ("spread", self._spread()),
            ("failover", self._failover()),
            ("rejoin", self._rejoin()),
            ("drain", self._drain()),
        ]
        width = max(len(label) for label, _ in rows)
        lines = [f"conformance {self.stack}: {self.versions}", f"  {self.timing}"]
        lines += [f"  {label.ljust(width)}  {text or 'not measured'}" for label, text in rows]
        return "\n".join(lines)

    def _mesh(self) -> str | None:
        if self.mesh_seconds is None:
            return None
        mesh = f"every node lists every other {self.mesh_seconds:.1f} s after start"
        return f"{mesh}; {self.remote_call}" if self.remote_call else mesh

    def _probes(self) -> list[tuple[str, str]]:
        rows = []
        for probe in self.probes:
            counts = ", ".join(f"{outcome} {n}" for outcome, n in sorted(probe.outcomes.items()))
            rows.append((f"from {probe.source}", f"{probe.port}: {counts}"))
        return rows or [("probes", None)]

    def _spread(self) -> str | None:
        if self.spread is None:
            return None
        counts = ", ".join(f"{node} {n}" for node, n in sorted(self.spread.items()))
        return f"{sum(self.spread.values())} requests: {counts}"

    def _failover(self) -> str | None:
        f = self.failover
        if f is None:
            return None
        return (
            f"{f.node} killed, marked down in {f.detection_seconds:.1f} s (bound {f.bound_seconds:.0f} s); "
            f"requests before detection ok {f.before_detection.ok} failed {f.before_detection.failed}, "
            f"after detection ok {f.after_detection.ok} failed {f.after_detection.failed}"
        )

    def _rejoin(self) -> str | None:
        r = self.rejoin
        if r is None:
            return None
        return f"full mesh {r.mesh_seconds:.1f} s after restart, back in service after {r.in_service_seconds:.1f} s"

    def _drain(self) -> str | None:
        d = self.drain
        if d is None:
            return None
        return (
            f"{d.node} drained, stopped after the {d.delay_seconds} s deregistration delay: "
            f"requests ok {d.requests.ok} failed {d.requests.failed}"
        )
