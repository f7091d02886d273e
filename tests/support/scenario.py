"""Tiny stacks and traces for the simulator's tests, with a node model easy to compute by hand.

A node serves NODE_RPS = 10 requests/s at 100% CPU, so 12 rps on 2 nodes is 60% CPU and
600 requests per node per minute is a full node. Nodes boot in 0 minutes, drain in 0 and
have no launch hook unless a test says otherwise; the group starts with `desiredCapacity` nodes warmed up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from components.settings import StackSettings, load_settings
from tools.simulator import DEFAULT_CHOICES, DEFAULT_START, ModellingChoices, NodeModel, Simulation, Trace, simulate

NODE_RPS = 10.0


def stack(
    *, nodes: dict[str, Any] | None = None, scaling: dict[str, Any] | None = None, **sections: Any
) -> StackSettings:
    """A valid dev stack with these nodes and scaling sections (min 1, max 10 by default)."""
    return load_settings(
        {
            "cluster": {"name": "shop", "environment": "dev"},
            "release": {"artifact": "s3://shop-releases/shop-1.0.0.tar.gz"},
            "nodes": {"minSize": 1, "maxSize": 10, **(nodes or {})},
            "scaling": scaling or {},
            **sections,
        },
        stack="test",
        region="eu-west-1",
    )


def cpu_policy(target: float = 50, **extra: Any) -> dict[str, Any]:
    """A CPU target tracking policy without warmup, unless `extra` says otherwise."""
    return {"metric": "cpu", "target": target, "warmup": 0, **extra}


def run(
    settings: StackSettings,
    demand: list[float],
    columns: dict[str, list[float | None]] | None = None,
    *,
    boot_minutes: int = 0,
    drain_minutes: int = 0,
    join_minutes: int = 0,
    start: datetime = DEFAULT_START,
    alarms: ModellingChoices = DEFAULT_CHOICES,
) -> Simulation:
    trace = Trace(list(demand), columns or {})
    node = NodeModel(NODE_RPS, boot_minutes, drain_minutes, join_minutes)
    return simulate(settings, trace, node, start, alarms)


def changes(simulation: Simulation, variant: str = "policy") -> list[tuple[int, int, int]]:
    """The variant's activities as (minute, from, to)."""
    return [(a.minute, a.from_, a.to) for a in getattr(simulation, variant).activities]
