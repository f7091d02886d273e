"""`python -m tools.simulate` (tools/simulate.py): its JSON shape, exit codes and messages, the shipped
stacks and traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
