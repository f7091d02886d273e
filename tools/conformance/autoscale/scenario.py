"""The scenario each stack runs (issue 24 item 5), and what a run leaves for the tests and the report.

Demand, in requests per lab second (the simulator's unit; lab_time.py), for nodes of a tenth of a
core serving `/work?kloops=2500`. Measured on such a node (the report's profile gives each run's own
figures): about 34 % CPU at 5 real requests/s, 62 % at 10, 80 % at 15, 98 % at 20: about 2.05
requests per lab second (20.5 real ones) at 100 %.

- BASE 1.5 (7.5 real requests/s per node of two, about 48 % CPU): what the minimum serves, under
  dev's 60 % target and prod's lab request target (45 per node per lab minute against 100);
- PEAK 4.5, three times BASE, from minute STEP_AT for HOLD minutes: 22.5 real requests/s per node of
  two, past what two nodes serve (about 41), so the group is short until a new node serves; three
  nodes serve it (61);
- LOW 0.5, a third of BASE, from STEP_AT + HOLD on: the fall back. Lower than BASE so that one target
  tracking scale-in (proportional: ceil(nodes x metric / target)) reaches the minimum: dev's five
  nodes at BASE would read about 25 % CPU, ceil(5 x 25 / 60) = 3, and a second scale-in would take 15
  more minutes; at LOW about 15 %, ceil(5 x 15 / 60) = 2.
The load runs until the scale-in could have started (15 datapoints below the scale-in threshold,
choices.py) and the stack's drains have had their time (settings.drain.total_seconds, real seconds,
so x FACTOR in lab seconds), so the drains happen under traffic.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from components.plans.names import health_alarm_names, step_alarm_names
from tools.conformance.metrics.contract import check_metrics
from tools.conformance.metrics.contract import render as render_contract
from tools.stack_files import load_stack_settings, stack_file

from .lab import AutoscaleLab, LabNode, Minute, Scenario, _Routed
from .replay import compare, measure_profile, under_provisioned_minutes
from .report import render

BASE, PEAK, LOW = 1.5, 4.5, 0.5
STEP_AT = 5
HOLD = 15
SCALE_IN_DATAPOINTS = 15
"""choices.py's target tracking scale-in: 15 datapoints below 0.9 x the target."""
FACTOR = 10
STEPS = ((0, BASE), (STEP_AT, PEAK), (STEP_AT + HOLD, LOW))
SLACK_MINUTES = 3
RUN_FILE = "run.pickle"
"""What a run recorded, kept in its workdir: its report and replay can be made again from it (`finish`)."""


def scenario_for(stack: str) -> Scenario:
    """The scenario on `stack`: the load lasts through its scale-in's drains."""
    drain = load_stack_settings(stack_file(stack)).drain.total_seconds
    settle = math.ceil(drain * FACTOR / 60) + SLACK_MINUTES
    until = STEP_AT + HOLD + SCALE_IN_DATAPOINTS + settle
    return Scenario(STEPS, load_until=until, end_by=until + 10, factor=FACTOR)


SCENARIOS = {stack: scenario_for(stack) for stack in ("dev", "prod")}


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
    error: str = ""

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
            node.error,
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
        run.extras["lab_start"] = lab.time.start
        save(run, lab.workdir / RUN_FILE)
        try:
            run.extras["contract"] = _contract(lab)
        except Exception as failed:  # noqa: BLE001 - the run stands; the report says what failed
            run.extras["contract"] = [f"Metrics contract: not computed ({type(failed).__name__}: {failed})"]
        finish(run)
        return run
    finally:
        lab.close()


def _contract(lab: AutoscaleLab) -> list[str]:
    """The metrics contract over the run: every alarm and policy read as it reads its metric."""
    settings = lab.lab.settings
    record = next((n.agent.record for n in lab.nodes if n.agent is not None), None)
    findings = check_metrics(
        _Routed(lab.lab.account, "cloudwatch"),
        _Routed(lab.lab.account, "autoscaling"),
        lab.group,
        lab.time.minute_start(0),
        lab.time.minute_start(len(lab.minutes) + 1),
        record,
        alarm_names=health_alarm_names(settings) + step_alarm_names(settings),
        published_by_aws=True,
    )
    return [
        "Metrics contract (each alarm and policy, read from moto as it reads its metric)",
        *[f"  {line}" for line in render_contract(findings).splitlines()],
    ]


def _measure(run: Run) -> None:
    """The node profile the run measured, the under-provisioned minutes on its capacity, the replay."""
    try:
        profile = measure_profile(run)
    except ValueError as unmeasured:
        run.extras["comparison"] = [f"No profile measured: {unmeasured}"]
        return
    run.extras["profile"] = profile
    run.extras["under_provisioned_minutes"] = under_provisioned_minutes(run, profile.capacity)
    comparison = compare(run, profile)
    run.extras["replay"] = comparison
    run.extras["comparison"] = [
        f"Node profile measured (lab units): {profile.to_json()}",
        f"Under-provisioned minutes (demand above the serving nodes' capacity, {profile.capacity:.2f} each): "
        f"{run.extras['under_provisioned_minutes']}",
        "",
        *comparison.lines,
    ]


def save(run: Run, path) -> None:
    import pickle

    path.write_bytes(pickle.dumps(run))


def load(path) -> Run:
    import pickle

    return pickle.loads(path.read_bytes())


def finish(run: Run) -> Run:
    """The profile, the replay and the report of a recorded run (a failure in them is reported, not raised)."""
    try:
        _measure(run)
    except Exception as failed:  # noqa: BLE001 - the run stands; the report says what failed
        run.extras["comparison"] = [f"Profile and replay: not computed ({type(failed).__name__}: {failed})"]
    run.report = render(run)
    return run


def main(argv: list[str] | None = None) -> int:
    """`python -m tools.conformance.autoscale.scenario RUN.pickle ... [--plot OUT.png]`: the report of
    recorded runs made again (profile, replay, report), and the plot of them all."""
    import argparse
    from pathlib import Path

    from tools.cli import write_plot

    from .replay import draw

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args(argv)
    runs = [finish(load(path)) for path in args.runs]
    for run in runs:
        print(run.report)
    replayed = [(run, run.extras["replay"]) for run in runs if "replay" in run.extras]
    if args.plot and replayed:
        return write_plot(args.plot, lambda pyplot: draw(pyplot, replayed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
