"""`python -m tools.simulate` (tools/simulate.py): its JSON shape, exit codes and messages, the shipped
stacks and traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.profiles import HAND_PROFILE, write_profile
from tools import simulate
from tools.cli import EXIT_INVALID, EXIT_OK

PROJECT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name.split(".")[1] for p in (PROJECT / "stacks").glob("Pulumi.*.yaml"))
TRACES = sorted((PROJECT / "traces").glob("*.csv"))

STACK_FILE = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes: {minSize: 1, maxSize: 4, healthCheckGracePeriod: 60}
  elixir-cluster:scaling:
    targetTracking: [{metric: cpu, target: 50, warmup: 0}]
    schedules: [{name: morning, cron: "0 7 * * MON-FRI", timezone: Europe/Berlin, minSize: 2}]
"""


@pytest.fixture
def files(tmp_path):
    stack = tmp_path / "Pulumi.shape.yaml"
    stack.write_text(STACK_FILE)
    trace = tmp_path / "load.csv"
    trace.write_text("minute,requests_per_second\n" + "".join(f"{m},{30 if m > 2 else 5}\n" for m in range(480)))
    return stack, trace


def simulate_json(capsys, *args) -> dict:
    assert simulate.main([*args, "--format", "json"]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_json_has_the_issue_s_shape(files, capsys):
    stack, trace = files
    document = simulate_json(capsys, "--config", str(stack), "--trace", str(trace), "--node-rps", "10")
    assert list(document) == ["stack", "policy", "baseline", "oracle", "timeline", "modellingChoices"]
    assert document["stack"] == "shape"
    for variant in ("policy", "baseline", "oracle"):
        assert list(document[variant]) == ["underProvisionedMinutes", "peakShortfall", "instanceHours", "activities"]
        for activity in document[variant]["activities"]:
            assert list(activity) == ["minute", "from", "to", "cause"]
    assert len(document["timeline"]) == 480
    first = document["timeline"][0]
    assert list(first)[:4] == ["minute", "demand", "desired", "inService"]
    assert {"cpu", "baselineInService", "oracle"} <= set(first)
    # 30 rps needs 3 nodes of 10: the policy gets there, the morning schedule (06:00 UTC) raises the floor
    causes = [a["cause"] for a in document["policy"]["activities"]]
    assert causes[0].startswith("targetTracking[0] cpu 100 > 50")
    assert document["oracle"]["activities"][0] == {"minute": 3, "from": 1, "to": 3, "cause": "demand 30 rps"}


def test_start_moves_the_schedules(files, capsys):
    stack, trace = files
    args = ("--config", str(stack), "--trace", str(trace), "--node-rps", "100")
    monday = simulate_json(capsys, *args, "--start", "2026-01-05T05:00:00Z")["policy"]["activities"]
    saturday = simulate_json(capsys, *args, "--start", "2026-01-10T05:00:00Z")["policy"]["activities"]
    assert [(a["minute"], a["to"]) for a in monday] == [(60, 2)]  # 06:00 UTC
    assert saturday == []


def test_boot_seconds_default_to_the_stack_s_grace_period(files, capsys):
    stack, trace = files
    args = ("--config", str(stack), "--trace", str(trace), "--node-rps", "10")
    default = simulate_json(capsys, *args)["timeline"]
    slower = simulate_json(capsys, *args, "--boot-seconds", "300")["timeline"]
    # CPU is 100% (capped) from minute 3: on minute 5's datapoint 1 node x 100/50 -> 2, launched at
    # the end of minute 5: serving 1 minute later (the stack's 60 s), or 5 minutes later
    assert [row["inService"] for row in default[5:8]] == [1, 1, 2]
    assert [row["inService"] for row in slower[5:12]] == [1, 1, 1, 1, 1, 1, 2]


def test_the_report_lists_the_modelling_choices_in_force(files, capsys):
    stack, trace = files
    args = ("--config", str(stack), "--trace", str(trace), "--node-rps", "10")
    choices = simulate_json(capsys, *args, "--scale-in-step", "0.25")["modellingChoices"]
    assert choices == {
        "targetTrackingScaleOutDatapoints": 3,
        "targetTrackingScaleInDatapoints": 15,
        "targetTrackingScaleInThreshold": 0.9,
        "targetTrackingPeriodMinutes": 1,
        "targetTrackingScaleInStep": 0.25,
        "bootMinutes": 1,  # the stack's healthCheckGracePeriod, 60 s
        "drainMinutes": 2,  # 5 s poll + deregistrationDelay 30 s + drainSeconds 30 s + 15 s stop + 10 s: 90 s
        "nodeRps": 10.0,
    }
    assert simulate.main(["--config", str(stack), "--trace", str(trace)]) == EXIT_OK
    table = capsys.readouterr().out
    assert "target tracking scale-in: all the way to the proportional capacity in one activity" in table


def test_scale_in_step_must_be_a_fraction(files, capsys):
    stack, trace = files
    with pytest.raises(SystemExit) as refused:
        simulate.main(["--config", str(stack), "--trace", str(trace), "--scale-in-step", "1.5"])
    assert refused.value.code == EXIT_INVALID
    assert "--scale-in-step: must be > 0 and <= 1, got '1.5'" in capsys.readouterr().err


def test_an_invalid_stack_and_trace_exit_2_with_every_problem_key_path_first(tmp_path, capsys):
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text(STACK_FILE.replace("maxSize: 4", "maxSize: 0"))
    trace = tmp_path / "load.csv"
    trace.write_text("minute,requests_per_second\n0,fast\n")
    assert simulate.main(["--config", str(stack), "--trace", str(trace), "--start", "soon"]) == EXIT_INVALID
    assert capsys.readouterr().err.splitlines() == [
        "elixir-cluster:nodes.maxSize: must be >= 1, got 0",
        f"{trace}:2: requests_per_second: must be a number >= 0, got 'fast'",
        "--start: must be an ISO-8601 time such as 2026-01-05T00:00:00Z, got 'soon'",
    ]


def test_a_missing_stack_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "Pulumi.none.yaml"
    assert simulate.main(["--config", str(missing), "--trace", str(TRACES[0])]) == EXIT_INVALID
    assert capsys.readouterr().err == f"{missing}: no stack file at this path\n"


def test_a_policy_the_trace_cannot_drive_is_a_warning(files, tmp_path, capsys):
    stack, trace = files
    stack.write_text(STACK_FILE.replace("metric: cpu, target: 50", "metric: memory, target: 70"))
    assert simulate.main(["--config", str(stack), "--trace", str(trace)]) == EXIT_OK
    assert capsys.readouterr().err == (
        "warning: elixir-cluster:scaling.targetTracking[0]: the trace has no mem_used_percent column: policy skipped\n"
    )


def test_plot_writes_a_png(files, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    stack, trace = files
    image = tmp_path / "plot.png"
    assert simulate.main(["--config", str(stack), "--trace", str(trace), "--plot", str(image)]) == EXIT_OK
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: p.stem)
@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_trace_runs_against_every_shipped_stack(stack, trace, capsys):
    assert simulate.main(["--stack", stack, "--trace", str(trace)]) == EXIT_OK
    table = capsys.readouterr().out.splitlines()
    assert table[2].split() == ["policy", "baseline", "oracle"]
    assert table[3].startswith("under-provisioned (min)")


def test_the_shipped_traces_are_the_generator_s(tmp_path):
    from tools import make_traces

    make_traces.main(["--out", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [p.name for p in TRACES]
    for shipped in TRACES:
        assert (tmp_path / shipped.name).read_text() == shipped.read_text(), shipped.name


MEASURED_STACK = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes: {minSize: 1, maxSize: 6, desiredCapacity: 2}
  elixir-cluster:scaling:
    targetTracking: [{metric: schedulerUtilization, target: 50, warmup: 0}]
"""


@pytest.fixture
def measured(tmp_path):
    """A stack scaling on scheduler utilisation, 20 rps for 3 minutes then 50, and the hand-computed
    profile (tests/support/profiles.py: 22.5 rps at 100% CPU, InService after 50 s, serving after 100 s)."""
    stack = tmp_path / "Pulumi.measured.yaml"
    stack.write_text(MEASURED_STACK)
    trace = tmp_path / "step.csv"
    trace.write_text("minute,requests_per_second\n" + "".join(f"{m},{20 if m < 3 else 50}\n" for m in range(10)))
    return ["--config", str(stack), "--trace", str(trace), "--node-profile", str(write_profile(tmp_path))]


def test_a_measured_node_drives_the_replay_minute_by_minute(measured, capsys):
    document = simulate_json(capsys, *measured)
    timeline = document["timeline"]
    # minutes 0-2: 20 rps on 2 nodes, 10 each: the profile's second point, CPU 50, scheduler 30 (< 50: hold)
    # minutes 3-7: 50 rps on 2 nodes, 25 each, above the capacity of 22.5: saturated, CPU 100 and scheduler
    #   at its value at capacity, 80 + 2.5 x 5 = 92.5; on minute 5's datapoint, the third above 50, the policy
    #   asks for ceil(2 x 92.5 / 50) = ceil(3.7) = 4 nodes, launched at the end of minute 5: InService
    #   50 s later (minute 7), serving 100 s later (minute 8); meanwhile 2 serve 45 rps, 5 short
    # minutes 8-9: 50 rps on 4 nodes, 12.5 each: CPU 50 + 2.5 x 4 = 60, scheduler 30 + 2.5 x 5 = 42.5
    assert [row["cpu"] for row in timeline] == [50] * 3 + [100] * 5 + [60] * 2
    assert [row["schedulerUtilization"] for row in timeline] == [30] * 3 + [92.5] * 5 + [42.5] * 2
    assert [row["desired"] for row in timeline] == [2] * 6 + [4] * 4
    assert [row["inService"] for row in timeline] == [2] * 8 + [4] * 2
    assert document["policy"]["activities"] == [
        {
            "minute": 5,
            "from": 2,
            "to": 4,
            "cause": "targetTracking[0] schedulerUtilization 92.5 > 50 for 3 datapoints: 2 nodes in service x 92.5/50",
        }
    ]
    assert (document["policy"]["underProvisionedMinutes"], document["policy"]["peakShortfall"]) == (5, 5.0)
    # the oracle: ceil(20 / 22.5) = 1 node, then ceil(50 / 22.5) = 3
    assert [row["oracle"] for row in timeline] == [1] * 3 + [3] * 7
    choices = document["modellingChoices"]
    assert (choices["nodeRps"], choices["joinMinutes"], choices["bootMinutes"]) == (22.5, 1, 2)
    assert choices["nodeProfile"] == HAND_PROFILE


def test_the_table_names_the_node_model_it_ran_on(measured, files, capsys):
    assert simulate.main(measured) == EXIT_OK
    table = capsys.readouterr().out.splitlines()
    assert table[0].endswith(
        "a measured node (22.5 rps at 100% CPU), 1 min from launch to InService, 2 to serving, 2 min to drain"
    )
    assert f"  node model: measured, {HAND_PROFILE['description']}" in table
    stack, trace = files
    assert simulate.main(["--config", str(stack), "--trace", str(trace), "--node-rps", "10"]) == EXIT_OK
    assert (
        "  node model: invented, 10 rps per node at 100% CPU, scheduler utilisation 100 x (CPU/100)^1.5 "
        "(--node-profile FILE replays a measured one)"
    ) in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"points": [*HAND_PROFILE["points"][:2], {**HAND_PROFILE["points"][2], "cpuUtilization": 130}]},
            ["points[2].cpuUtilization: 130 is above 100; give a percentage 0-100"],
        ),
        (
            {"launchToServingSeconds": 30, "description": ""},
            [
                "description: must be a non-empty string; say what was measured (release, instance type, when, "
                "how), got ''",
                "launchToServingSeconds: 30 is below launchToInServiceSeconds (50); the load balancer sends a node "
                "requests only once it is InService: give launchToServingSeconds >= 50",
            ],
        ),
    ],
    ids=["a percentage above 100", "two problems"],
)
def test_a_bad_node_profile_exits_2_naming_the_file_and_each_key(measured, tmp_path, capsys, changes, expected):
    profile = write_profile(tmp_path, "bad.json", **changes)
    assert simulate.main([*measured[:-1], str(profile)]) == EXIT_INVALID
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [f"{profile}: {line}" for line in expected])


def test_a_missing_node_profile_and_a_bad_trace_are_both_reported(measured, tmp_path, capsys):
    trace = tmp_path / "bad.csv"
    trace.write_text("minute,requests_per_second\n0,fast\n")
    missing = tmp_path / "none.json"
    args = ["--config", measured[1], "--trace", str(trace), "--node-profile", str(missing)]
    assert simulate.main(args) == EXIT_INVALID
    assert capsys.readouterr().err.splitlines() == [
        f"{trace}:2: requests_per_second: must be a number >= 0, got 'fast'",
        f"{missing}: cannot read the node profile: No such file or directory",
    ]


def test_the_node_profile_is_refused_beside_the_flags_it_replaces(measured, capsys):
    assert simulate.main([*measured, "--node-rps", "10", "--boot-seconds", "60"]) == EXIT_INVALID
    assert capsys.readouterr().err.splitlines() == [
        "--node-rps and --node-profile: the profile gives the node's capacity (the requests/s at which its CPU "
        "reaches 100%); give one of them",
        "--boot-seconds and --node-profile: the profile gives the seconds from launch to serving "
        "(launchToServingSeconds); give one of them",
    ]
