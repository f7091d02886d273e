"""What happened to each node during a refresh, in the refresh's seconds: the launch template
version it runs, when it was launched, went in service, was drained and was terminated. A node the
refresh found has no launch time; one abandoned by its launch hook has no in-service time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NodeTimeline:
    node: str
    version: str
    launched: float | None = None
    in_service: float | None = None
    drained: float | None = None
    terminated: float | None = None
    abandoned: str | None = None
    """Why its launch hook said ABANDON (or it never became healthy), if it did."""

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "version": self.version,
            "launched": self.launched,
            "inService": self.in_service,
            "drained": self.drained,
            "terminated": self.terminated,
            "abandoned": self.abandoned,
        }


@dataclass
class Timeline:
    """Every node the refresh touched or found, in the order it met them."""

    nodes: dict[str, NodeTimeline] = field(default_factory=dict)

    def node(self, node: str, version: str) -> NodeTimeline:
        return self.nodes.setdefault(node, NodeTimeline(node, version))

    def table(self) -> str:
        """One line a node: what a reader of a lab's report checks the order of events with."""
        rows = [("node", "version", "launched", "in service", "drained", "terminated", "abandoned")]
        for n in self.nodes.values():
            times = (n.launched, n.in_service, n.drained, n.terminated)
            rows.append((n.node, n.version, *(_seconds(t) for t in times), n.abandoned or ""))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _seconds(at: float | None) -> str:
    return "-" if at is None else f"{at:.0f}s"
