"""The scenario each stack runs (issue 24 item 5), and what a run leaves for the tests and the report.

Demand, in requests per lab second (the simulator's unit; lab_time.py), as shares of what the group's
minimum serves: minSize nodes of NODE_CAPACITY each (variants.py), 2 x 2 = 4 requests per lab second.
At the start of each run the calibration (calibrate.py) sets the work per request so that a node serves
NODE_CAPACITY on the machine at hand: the levels below are the same load on a fast machine and a slow one.

- BASE = BASE_SHARE x 4 = 1.44 (0.72 per node, 36 % of a node's capacity): well under every scale-out
  threshold of both stacks:
  - dev's CPU target 60. CPU runs ahead of the load (schedulers busy-wait between requests): a lab node
    at a third of its capacity read about 40 % CPU on an idle machine, at 0.4 about 55 %; at 36 %,
    about 45 %; a busy machine reads less (its other work takes the spinning schedulers' time);
  - prod's requestsPerTarget target: 0.72 x 60 = 43 requests per node per lab minute against 100;
  - prod's schedulerUtilization target 70: the normal schedulers are busy about 10-15 % of the time at
    a third of a node's capacity (the profile of each run shows it);
  - prod's run-queue step, 50: below capacity nothing waits (0 to 1);
- PEAK = 3 x BASE = 4.32 from minute STEP_AT for HOLD minutes: 1.08 times what two nodes serve, so
  the group is short until a third node serves (three serve 6);
- LOW = BASE / 3 = 0.48 from STEP_AT + HOLD on: the fall back. Lower than BASE so that one target
  tracking scale-in (proportional: ceil(nodes x metric / target)) surely reaches the minimum: dev's
  five nodes at BASE (0.29 each) would read about 20 % CPU, ceil(5 x 20 / 60) = 2 with nothing to
  spare (24 % would make it 3, and a second scale-in 15 minutes later); at LOW about 10 %,
  ceil(5 x 10 / 60) = 1, held to minSize 2.
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

from .lab import AutoscaleLab, LabNode
from .replay import compare, measure_profile, under_provisioned_minutes
from .report import render
from .routed import RoutedClient
from .timeline import Minute, Scenario
from .variants import LAB_SIZES, NODE_CAPACITY

MIN_GROUP_CAPACITY = LAB_SIZES["minSize"] * NODE_CAPACITY
BASE_SHARE = 0.36
BASE = round(BASE_SHARE * MIN_GROUP_CAPACITY, 2)
PEAK = 3 * BASE
LOW = round(BASE / 3, 2)
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
        run.extras["calibration"] = lab.calibration.describe()
        run.extras["calibration_readings"] = lab.calibration.readings
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
        RoutedClient(lab.lab.account, "cloudwatch"),
        RoutedClient(lab.lab.account, "autoscaling"),
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
