"""A recorded run measured as a node profile and replayed by the simulator (replay.py), on a run made up
here: two nodes serving a step of demand, one more launched that serves from minute 8."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.stacks import write_variant
from tools.conformance.autoscale.replay import compare, measure_profile, steady_minutes, under_provisioned_minutes
from tools.conformance.autoscale.scenario import NodeTimes, Run, finish, scenario_for
from tools.conformance.autoscale.timeline import Minute
from tools.conformance.autoscale.variants import lab_changes
from tools.stack_files import load_stack_settings


def _run(tmp_path, stack: str = "dev") -> Run:
    settings = load_stack_settings(write_variant(tmp_path, stack, stack, lab_changes(stack, 10)))
    minutes = []
    for minute in range(12):
        demand = 1.0 if minute < 4 else 3.0
        serving = 2 if minute < 8 else 3
        per_node = min(demand / serving, 1.2)  # a node serves 1.2 requests per lab second at most
        cpu = min(100.0, 10 + 75 * per_node)  # 10 % idle, 75 % per request per lab second
        minutes.append(
            Minute(
                minute,
                demand,
                desired=serving,
                in_service=serving,
                requests=round(per_node * serving * 60),
                cpu={f"i-{n}": cpu for n in range(serving)},
                beam={"SchedulerUtilization": cpu / 4},
            )
        )
    nodes = [NodeTimes(f"i-{n}", None, None, None, None, None, "", 100, "") for n in range(2)]
    nodes.append(NodeTimes("i-2", 6.5 * 60, 6.5 * 60 + 40, 6.5 * 60 + 70, None, None, "CONTINUE", 50, ""))
    return Run(
        stack,
        scenario_for(stack),
        settings,
        minutes,
        nodes,
        [],
        [],
        {},
        {},
        {},
        extras={"lab_start": datetime(2026, 1, 5, tzinfo=UTC)},
    )


def test_the_profile_is_measured_from_steady_minutes_only(tmp_path):
    run = _run(tmp_path)
    # minute 0 has no minute before it and 11 none after, 4 changes demand, 7 and 8 are next to the change of
    # the nodes serving (sampled after the minute): 12 - 5 = 7 steady minutes
    assert len(steady_minutes(run)) == 7
    profile = measure_profile(run)
    # two nodes at 1.0 -> 0.5 per node: CPU 10 + 37.5 = 47.5; at 3.0 they are full (1.2 each, CPU 100)
    # and three serve 1.0 each (CPU 85)
    assert [(p.requests_per_second, p.cpu_utilization) for p in profile.points] == [
        (0.5, 47.5),
        (1.0, 85.0),
        (1.2, 100.0),
    ]
    assert (profile.launch_to_in_service_seconds, profile.launch_to_serving_seconds) == (40, 70)
    assert profile.capacity == 1.2


def test_under_provisioned_minutes_are_those_whose_demand_the_serving_nodes_cannot_serve(tmp_path):
    run = _run(tmp_path)
    # 3.0 on two nodes of 1.2 (2.4) from minute 4 to 7; three serve 3.6 from minute 8
    assert under_provisioned_minutes(run, 1.2) == 4


def test_the_replay_compares_nodes_in_service_minute_by_minute(tmp_path):
    run = _run(tmp_path)
    comparison = compare(run, measure_profile(run))
    assert len(comparison.simulated) == len(comparison.live) == 12
    assert comparison.simulated[:4] == [2, 2, 2, 2]
    assert any(line.startswith("  within one node in") for line in comparison.lines)
    assert "Node profile measured" in finish(run).report


def test_the_beam_metrics_are_replayed_as_the_nodes_reported_them(tmp_path):
    run = _run(tmp_path, "prod")
    for minute in run.minutes[:3]:
        minute.beam["SchedulerUtilization"] = 100.0  # nodes with a backlog: busy whatever the demand
    simulated = compare(run, measure_profile(run)).simulated_run
    # 100 for prod's 3 datapoints: ceil(2 x 100 / 70) = 3 at minute 2, where the profile at 0.5 requests per lab
    # second per node (47.5 % CPU, scheduler a quarter of it) would ask for nothing
    first = simulated.activities[0]
    assert (first.minute, first.from_, first.to) == (2, 2, 3)
    assert first.cause.startswith("targetTracking[1] schedulerUtilization 100 > 70 for 3 datapoints")
