"""The run measured as a node profile, and replayed through the simulator (issue 24 item 6).

    profile = measure_profile(run)          # tools/simulator/profile.py's NodeProfile, the shared format
    comparison = compare(run, profile)      # the lab's demand replayed: nodes in service, live vs simulated

Profile, from the run's own minutes (lab units: requests per lab second, lab seconds; lab_time.py):
- a point per bucket of per-node request rate (tools.node_profile's `bucket`: the same bucketing a team
  applies to its CloudWatch history), over the steady minutes: the same nodes serving as the minute
  before and after it, and the same demand as the minute before, so a minute's requests, CPU (EC2's
  CPUUtilization, from the cgroups) and SchedulerUtilization (the agent's, by AutoScalingGroupName)
  belong together;
- the saturated minutes (CPU at SATURATED % or more) make one point, the node's capacity, at their mean
  rate: a saturated node's CPU stays at 100 % while the rate it answers in a minute swings with its
  backlog (a minute that drains queued requests counts more of them), which bucketing by rate would
  turn into points past the capacity;
- launchToInServiceSeconds and launchToServingSeconds: the median over the launched nodes of launch ->
  launch hook completed, and launch -> HAProxy's health checks passed.

Replay: the lab's demand minute by minute (what the generator was asked for), and the BEAM's two
metrics as the nodes reported them, through the lab variant's scaling settings (the same file the loop
ran), on NodeModel.measured's node: capacity and CPU from the profile, join and boot from its seconds,
the drain as the lab measured it (the lab's drains run in real seconds: lab seconds are x factor).
Then nodes in service minute by minute, live (HAProxy's UP targets at each evaluation) against
simulated, and the activities side by side.

The simulator derives CPU, requests per target and scheduler utilisation from demand and its nodes,
and has no model of a queue; a trace column is replayed as recorded instead. Both BEAM metrics are
columns, because both are the queue's: TotalRunQueueLength is the requests waiting, and
SchedulerUtilization is 100 % at a node with requests waiting, whatever the demand per node. After an
overload the backlog keeps every node busy until it drains: three nodes read 100 % for minutes after
the third joined, where demand per node alone (the profile) says 65 % (run 5 of this branch, where the
profile's curve left the replay a third node short of the live group for ten minutes). The profile
still measures scheduler utilisation against CPU and rate, for `tools.simulate --node-profile`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from components.settings import BEAM_METRICS
from tools.node_profile import Minute as ProfileMinute
from tools.node_profile import bucket
from tools.simulator import DEFAULT_START, NodeModel, prepare, replay
from tools.simulator.engine import Run as SimulatedRun
from tools.simulator.profile import NodeProfile, ProfilePoint
from tools.simulator.trace import Trace

MIN_MINUTES_PER_POINT = 2
"""A lab run has tens of minutes, not a team's weeks: two steady minutes make a point."""
SATURATED = 99.0
"""CPU % from which a minute counts as saturated."""
GOAL_SHARE = 0.9
"""Issue 24: within one node in at least 90 % of the minutes."""


def steady_minutes(run: Any) -> list[ProfileMinute]:
    """Per node and minute: requests per lab second, CPU, scheduler utilisation (steady minutes only)."""
    found = []
    scheduler = BEAM_METRICS["schedulerUtilization"]
    for before, minute, after in zip(run.minutes, run.minutes[1:], run.minutes[2:], strict=False):
        # the nodes serving are sampled after the minute: a node that came in during it shows in the next too
        steady = before.in_service == minute.in_service == after.in_service and before.demand == minute.demand
        value = minute.beam.get(scheduler)
        if not steady or not minute.in_service or not minute.cpu or value is None or minute.demand == 0:
            continue
        rate = minute.requests / 60 / minute.in_service
        cpu = statistics.fmean(minute.cpu.values())
        found.append(ProfileMinute(rate, cpu, value))
    return found


def launch_seconds(run: Any) -> tuple[float, float]:
    launched = [n for n in run.nodes if n.launched_at is not None and n.serving_at is not None]
    if not launched:
        raise ValueError("no node launched and served in the run: nothing to measure a launch by")
    in_service = statistics.median(n.in_service_at - n.launched_at for n in launched)
    serving = statistics.median(n.serving_at - n.launched_at for n in launched)
    return round(in_service), round(serving)


def measure_profile(run: Any) -> NodeProfile:
    minutes = steady_minutes(run)
    saturated = [m for m in minutes if m.cpu_utilization >= SATURATED]
    points = list(
        bucket([m for m in minutes if m.cpu_utilization < SATURATED], min_minutes=MIN_MINUTES_PER_POINT).points
    )
    if len(saturated) >= MIN_MINUTES_PER_POINT:
        capacity = statistics.fmean(m.requests_per_second for m in saturated)
        points = [p for p in points if p.requests_per_second < capacity]
        points.append(
            ProfilePoint(
                round(capacity, 2),
                round(statistics.fmean(m.cpu_utilization for m in saturated), 2),
                round(statistics.fmean(m.scheduler_utilization for m in saturated), 2),
            )
        )
    in_service, serving = launch_seconds(run)
    scenario = run.scenario
    description = (
        f"examples/shop on a lab node of {scenario.cores:g} cores (cgroup quota) serving /work?kloops="
        f"{scenario.work_kloops}, measured by make autoscale-lab on {run.stack}; lab units: one lab second is "
        f"{1 / scenario.factor:g} real seconds (x{scenario.factor:g} for real requests/s), seconds are lab seconds"
    )
    return NodeProfile(description, tuple(points), in_service, serving)


def drain_seconds(run: Any) -> float:
    drained = [n.gone_at - n.draining_at for n in run.nodes if n.gone_at is not None and n.draining_at is not None]
    return statistics.median(drained) if drained else run.settings.drain.total_seconds * run.scenario.factor


@dataclass
class Comparison:
    live: list[int]
    simulated: list[int]
    simulated_run: SimulatedRun
    node: NodeModel
    lines: list[str]

    @property
    def within_one(self) -> float:
        close = sum(1 for a, b in zip(self.live, self.simulated, strict=True) if abs(a - b) <= 1)
        return close / len(self.live) if self.live else 0.0


def compare(run: Any, profile: NodeProfile) -> Comparison:
    settings = run.settings
    minutes = len(run.minutes)
    recorded = {name: [m.beam.get(name) for m in run.minutes] for name in BEAM_METRICS.values()}
    trace = Trace([m.demand for m in run.minutes], recorded)
    node = NodeModel.from_seconds(
        profile.capacity,
        profile.launch_to_serving_seconds,
        drain_seconds(run),
        profile.launch_to_in_service_seconds,
        profile,
    )
    simulated = replay(settings.nodes, settings.scaling, prepare(trace, node, DEFAULT_START), record_metrics=True)
    live = [m.in_service for m in run.minutes]
    lines = [
        f"Live against simulated ({run.stack}): the lab's demand replayed on the measured node (capacity "
        f"{profile.capacity:.2f} requests per lab second, launch to InService {profile.launch_to_in_service_seconds:g} "
        f"lab s, to serving {profile.launch_to_serving_seconds:g}, drain {node.drain_minutes} min)",
        f"  {'min':>3} {'demand':>6} {'live':>4} {'sim':>4}",
    ]
    for minute in range(minutes):
        mark = "" if abs(live[minute] - simulated.in_service[minute]) <= 1 else "  <- more than one node apart"
        lines.append(
            f"  {minute:>3} {trace.demand[minute]:>6.1f} {live[minute]:>4} {simulated.in_service[minute]:>4}{mark}"
        )
    comparison = Comparison(live, simulated.in_service, simulated, node, lines)
    lines.append(f"  within one node in {comparison.within_one:.0%} of {minutes} minutes (goal {GOAL_SHARE:.0%})")
    lines += ["", "Activities side by side (lab minute: from -> to, cause)", "  live:"]
    lines += [f"    {_live_minute(run, a)}: {a['Description']}; {a['Cause'].split('  ')[0]}" for a in run.activities]
    lines.append("  simulated:")
    lines += [f"    {a.minute}: {a.from_} -> {a.to}, {a.cause}" for a in simulated.activities]
    return comparison


def _live_minute(run: Any, activity: dict[str, Any]) -> str:
    start = run.extras.get("lab_start")
    if start is None:
        return "?"
    return f"{(activity['StartTime'] - start).total_seconds() / 60 - 1:.0f}"


def under_provisioned_minutes(run: Any, capacity: float) -> int:
    """Minutes of load whose demand exceeded what the serving nodes serve (the simulator's figure)."""
    return sum(1 for m in run.minutes if m.demand > m.in_service * capacity + 1e-9)


def draw(pyplot: Any, runs: list[tuple[Any, Comparison]]) -> Any:
    """Per stack: demand, and nodes in service live against simulated (tools.cli.write_plot saves it)."""
    figure, axes = pyplot.subplots(len(runs), 1, sharex=True, figsize=(10, 3.2 * len(runs)), squeeze=False)
    for (run, comparison), (axis,) in zip(runs, axes, strict=True):
        minutes = list(range(len(comparison.live)))
        axis.step(minutes, comparison.live, where="post", color="tab:blue", label="nodes in service, live")
        axis.step(minutes, comparison.simulated, where="post", color="tab:orange", linestyle="--", label="simulated")
        demand = axis.twinx()
        demand.fill_between(minutes, [m.demand for m in run.minutes], step="post", color="0.85", alpha=0.6)
        demand.set_ylabel("demand (requests per lab s)")
        axis.set_zorder(demand.get_zorder() + 1)
        axis.patch.set_visible(False)
        axis.set_ylabel(f"{run.stack}: nodes")
        axis.yaxis.get_major_locator().set_params(integer=True)
        axis.legend(loc="upper right")
        axis.grid(alpha=0.3)
    axes[-1][0].set_xlabel("lab minute (6 real seconds each)")
    axes[0][0].set_title("make autoscale-lab: nodes in service, live against the simulator's replay")
    return figure
