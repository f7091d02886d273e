"""A run's timeline: the demand it is asked for, minute by minute (`Scenario`), and what the lab saw in
each lab minute (`Minute`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .variants import NODE_CAPACITY


@dataclass(frozen=True)
class Scenario:
    """The demand (requests per lab second) from each lab minute on, and how the lab runs."""

    steps: tuple[tuple[int, float], ...]
    load_until: int
    """The lab minute the load stops."""
    end_by: int
    """The lab minute the run ends at the latest (the scale-in has had its time)."""
    factor: float = 10
    cores: float = 0.1
    """Each node's CPU quota (cgroup.py): the instance's vCPUs."""
    node_capacity: float = NODE_CAPACITY
    """Requests per lab second a node serves at 100 % of its quota: the calibration sets the work per
    request so (calibrate.py)."""
    work_kloops: int | None = None
    """`/work?kloops=N`: a request counts down from N thousand, a fixed amount of CPU (calibrate.py sets N at
    the start of the run); `/work?ms=N` would spin by the wall clock, whose CPU cost a quota cuts."""
    max_outstanding: int = 200

    def demand(self, minute: int) -> float:
        rate = 0.0
        for start, value in self.steps:
            if minute >= start:
                rate = value
        return rate if minute < self.load_until else 0.0

    def schedule(self) -> str:
        return ",".join(f"{m}:{r:g}" for m, r in self.steps)


@dataclass
class Minute:
    """What the lab saw in one lab minute."""

    minute: int
    demand: float
    """Requests per lab second the generator was asked for."""
    desired: int = 0
    in_service: int = 0
    """Nodes HAProxy had UP at the minute's evaluation."""
    requests: int = 0
    """RequestCount: what the nodes answered in the minute."""
    cpu: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float | None] = field(default_factory=dict)
    """The loop's datapoints, by metric name."""
    beam: dict[str, float | None] = field(default_factory=dict)
    """The release's metrics by AutoScalingGroupName (Average), whether or not a policy reads them."""
    p99: float | None = None
    """The 99th percentile of the minute's TargetResponseTime, in seconds (from HAProxy's request log)."""
    change: str = ""
    tied: list[str] = field(default_factory=list)
    """Other policies that asked for the same capacity in the change's minute (loop.py: a tie)."""
