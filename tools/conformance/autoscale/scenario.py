"""The scenario each stack runs (issue 24 item 5), and what a run leaves for the tests and the report.

Demand, in requests per lab second (the simulator's unit; lab_time.py), for nodes of a tenth of a
core serving `/work?ms=5`. Measured on such a node (the report's profile gives the run's own figures):
about 7 % CPU idle (the BEAM's schedulers busy-wait) and 4.4 % more per request per real second, so
about 21 requests per real second at 100 %:

- BASE 2.0 (20 real requests/s, 10 per node): what the minimum (2 nodes) serves at about 50 % CPU,
  under dev's 60 % target and above its scale-in threshold... of 0.9 x 60 = 54 % only a little: at
  its minimum the group cannot scale in anyway;
- PEAK 6.0, three times BASE, from minute STEP_AT, for HOLD minutes: 30 real requests/s per node of
  two, past what two nodes serve (about 42), so the group is short until new nodes serve;
- LOW 1.0, half of BASE, from minute STEP_AT + HOLD on: the fall back. Half, not BASE, so that one
  target tracking scale-in (proportional: ceil(5 nodes x CPU / target)) reaches the minimum: BASE on
  five nodes is about 25 % CPU, ceil(5 x 25 / 60) = 3, and a second scale-in would need 15 more
  minutes; LOW is about 16 %, ceil(5 x 16 / 60) = 2.
The load runs until SETTLE minutes after the scale-in could have started (15 datapoints below the
scale-in threshold, choices.py), so the drains happen under traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lab import AutoscaleLab, LabNode, Minute, Scenario

BASE, PEAK, LOW = 2.0, 6.0, 1.0
STEP_AT = 5
HOLD = 15
SCALE_IN_DATAPOINTS = 15
SETTLE = 8
"""Lab minutes after the scale-in could start: the drains (dev's 30 s, prod's 75 s of real time, so 5
and 13 lab minutes at a factor of 10) under load."""
FACTOR = 10

LOAD_UNTIL = STEP_AT + HOLD + SCALE_IN_DATAPOINTS + SETTLE
STEPS = ((0, BASE), (STEP_AT, PEAK), (STEP_AT + HOLD, LOW))
SCENARIOS = {
    stack: Scenario(STEPS, load_until=LOAD_UNTIL, end_by=LOAD_UNTIL + 10, factor=FACTOR) for stack in ("dev", "prod")
}


@dataclass
class NodeTimes:
    instance_id: str
    launched_at: float | None
    in_service_at: float | None
    serving_at: float | None
    draining_at: float | None
    gone_at: float | None
    launch_result: str
    served: int
    agent_error: str

    @classmethod
    def of(cls, node: LabNode, served: int) -> NodeTimes:
        return cls(
            node.instance_id,
            node.launched_at,
            node.in_service_at,
            node.serving_at,
            node.draining_at,
            node.gone_at,
            node.launch_result,
            served,
            node.agent_error,
        )


@dataclass
class Run:
    """What one stack's run left behind (lab times in lab seconds since minute 0)."""

    stack: str
    scenario: Scenario
    settings: Any
    minutes: list[Minute]
    nodes: list[NodeTimes]
    activities: list[dict[str, Any]]
    """DescribeScalingActivities, oldest first."""
    requests: list[dict[str, Any]]
    peak_mesh: dict[str, list[str]]
    final_group: dict[str, Any]
    timings: dict[str, float]
    report: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


def run_scenario(lab: AutoscaleLab) -> Run:
    """Start the lab, run its scenario, read what it did, close it; the run (also when a test will fail)."""
    import time

    started = time.monotonic()
    try:
        lab.start()
        minutes = lab.run()
        group = lab.lab.account.call(
            lambda aws: aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[lab.group])
        )["AutoScalingGroups"][0]
        run = Run(
            lab.stack,
            lab.scenario,
            lab.lab.settings,
            minutes,
            [NodeTimes.of(n, lab.served_by.get(n.instance_id, 0)) for n in lab.nodes],
            list(reversed(lab.activities())),
            lab.requests(),
            lab.peak_mesh,
            group,
            {**lab.timings, "wall (s)": time.monotonic() - started},
        )
        run.extras["loop_warnings"] = list(lab.loop.warnings)
        run.extras["names"] = {n.instance_id: n.node.name for n in lab.nodes}
        from .report import render

        run.report = render(run)
        return run
    finally:
        lab.close()
