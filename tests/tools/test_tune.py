"""`python -m tools.tune`: exit codes, one line per bad input, the JSON and YAML it prints, the plot."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.support.profiles import HAND_PROFILE, write_profile
from tools import tune
from tools.cli import EXIT_INVALID, EXIT_OK
from tools.stack_files import stack_file

FAST = ("--budget", "40", "--processes", "1", "--node-rps", "10")


def run(capsys, *args) -> tuple[int, str, str]:
    code = tune.main([*args, *FAST])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("minute,rps\n0,1\n", "{path}:1: header must start with minute,requests_per_second, got 'minute,rps'"),
        (
            "minute,requests_per_second\n0,1\n1,many\n",
            "{path}:3: requests_per_second: must be a number >= 0, got 'many'",
        ),
        (
            "minute,requests_per_second\n0,1\n1,1\n3,1\n4,1\n5,1\n",
            "{path}:4: minute 2 is missing: a load balancer publishes no RequestCount for a minute without "
            "requests; fill the gap with such minutes (--fill-gaps), or export the trace again",
        ),
        (
            "minute,requests_per_second\n0,1\n0,1\n1,x\n",
            "{path}:3: minute: must be 1 (minutes count up from 0), got '0' (and 2 more in this file)",
        ),
    ],
    ids=["missing column", "not a number", "gap", "several problems"],
)
def test_a_bad_trace_is_one_line_naming_the_file_and_row(capsys, small_stack, tmp_path, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, out, err = run(capsys, "--config", str(small_stack), "--trace", str(path))
    assert code == EXIT_INVALID
    assert err.splitlines() == [expected.format(path=path)]
    assert out == ""


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--min-size", "4..2"), "--min-size: the range runs backwards: write 2..4, got '4..2'"),
        (("--max-size", "3..200"), "--max-size: must lie within 1..100 nodes, got '3..200'"),
        (("--min-size", "three"), "--min-size: must be A..B in whole nodes, such as 3..6, got 'three'"),
        (
            ("--min-size", "5..8", "--max-size", "2..4"),
            "--min-size 5..8 and --max-size 2..4: minSize can never be <= maxSize; "
            "give a --max-size reaching at least 5 or a --min-size from at most 4",
        ),
        (
            ("--max-size", "1..1", "--min-size", "2..3"),
            "--min-size 2..3 and --max-size 1..1: minSize can never be <= maxSize; "
            "give a --max-size reaching at least 2 or a --min-size from at most 1",
        ),
        (("--slo", "under=2"), None),  # valid: two percent
    ],
)
def test_impossible_bounds_are_one_line_naming_the_flag(capsys, small_stack, write_trace, flags, expected):
    code, _, err = run(capsys, "--config", str(small_stack), "--trace", str(write_trace([5] * 30)), *flags)
    if expected is None:
        assert code == EXIT_OK
        return
    assert code == EXIT_INVALID
    assert err.splitlines() == [expected]


def test_bounds_against_the_stack_s_own_size_name_it(capsys, tmp_path, write_trace):
    prod = tmp_path / "Pulumi.prod.yaml"
    prod.write_text(stack_file("prod").read_text())
    code, _, err = run(capsys, "--config", str(prod), "--trace", str(write_trace([5] * 30)), "--max-size", "2..2")
    assert code == EXIT_INVALID
    assert err.splitlines() == [
        "the stack's nodes.minSize (3) and --max-size 2..2: minSize can never be <= maxSize; "
        "give a --max-size reaching at least 3 or a --min-size from at most 2"
    ]


def test_bounds_the_settings_refuse_are_one_line_with_the_settings_reason(capsys, tmp_path, write_trace):
    # a /23 VPC gives /27 private subnets: 32 - 5 reserved = 27 addresses per zone; 100 nodes at the
    # instance refresh's 110% are 110 over three zones: 37 per zone
    prod = tmp_path / "Pulumi.prod.yaml"
    prod.write_text(stack_file("prod").read_text().replace("vpcCidr: 10.40.0.0/16", "vpcCidr: 10.40.0.0/23"))
    code, _, err = run(capsys, "--config", str(prod), "--trace", str(write_trace([5] * 30)), "--max-size", "100..100")
    assert code == EXIT_INVALID
    assert err.splitlines() == [
        "--max-size 100..100: the stack file they leave is refused: elixir-cluster:network.vpcCidr: gives /27 "
        'private subnets with 27 usable addresses, but nodes.maxSize (100) needs 37 per zone, got "10.40.0.0/23"'
    ]


def test_every_bad_input_is_reported_at_once(capsys, small_stack, tmp_path):
    missing = tmp_path / "none.csv"
    code, _, err = run(capsys, "--config", str(small_stack), "--trace", str(missing), "--slo", "p99=1%")
    assert code == EXIT_INVALID
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{missing}: cannot read the trace")
    assert lines[1].startswith("--slo: expected current, or KEY=PERCENT")


def test_json_gives_the_four_variants_per_trace_and_the_keys_to_paste(capsys, small_stack, write_trace):
    first, second = write_trace([25] * 60, "flat.csv"), write_trace([5] * 30 + [25] * 30, "step.csv")
    code, out, _ = run(
        capsys, "--config", str(small_stack), "--trace", str(first), "--trace", str(second), "--format", "json"
    )
    assert code == EXIT_OK
    document = json.loads(out)
    assert list(document) == [
        "stack", "objective", "meetsObjective", "search", "changes", "config", "modellingChoices",
        "tuned", "current", "baseline", "oracle",
    ]  # fmt: skip
    assert document["objective"] == {"underProvisioned": 0.01, "peakShortfall": 0.1}
    assert list(document["config"]) == ["elixir-cluster:scaling"]  # sizes were not searched
    for variant in ("tuned", "current", "baseline", "oracle"):
        assert list(document[variant]["traces"]) == ["flat.csv", "step.csv"]
    # the oracle runs 3 nodes of 10 rps for 25 rps: 3 instance-hours over the flat hour
    assert document["oracle"]["traces"]["flat.csv"]["instanceHours"] == 3.0
    assert document["search"]["evaluated"] <= 40
    tuned_target = document["config"]["elixir-cluster:scaling"]["targetTracking"][0]["target"]
    assert document["changes"] == ([] if tuned_target == 60 else [
        {"key": "scaling.targetTracking[0].target", "from": 60, "to": tuned_target}
    ])  # fmt: skip


def test_yaml_prints_only_the_stack_file_keys_indented_under_config(capsys, small_stack, write_trace):
    # the stack's minSize 1 lies outside --min-size 2..3: the sizes change, so nodes is printed, whole
    trace = write_trace([25] * 60)
    args = ("--config", str(small_stack), "--trace", str(trace), "--format", "yaml", "--min-size", "2..3")
    code, out, _ = run(capsys, *args)
    assert code == EXIT_OK
    assert out.startswith("  elixir-cluster:scaling:\n")
    pasted = yaml.safe_load("config:\n" + out)["config"]
    assert list(pasted) == ["elixir-cluster:scaling", "elixir-cluster:nodes"]
    nodes = pasted["elixir-cluster:nodes"]
    assert nodes["healthCheckGracePeriod"] == 60 and nodes["maxSize"] == 4
    assert 2 <= nodes["minSize"] <= 3


def test_plot_writes_a_png(capsys, small_stack, write_trace, tmp_path):
    out = tmp_path / "tuned.png"
    code, _, _ = run(capsys, "--config", str(small_stack), "--trace", str(write_trace([5] * 30)), "--plot", str(out))
    assert code == EXIT_OK
    assert out.read_bytes().startswith(b"\x89PNG")


def test_help_explains_the_objective(capsys):
    with pytest.raises(SystemExit) as done:
        tune.main(["--help"])
    assert done.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "`current` (the default) holds every trace to the stack's current policy" in help_text


def test_the_modelling_choices_in_force_are_reported_and_passed_to_every_replay(capsys, small_stack, write_trace):
    # 40 rps falls to 5 on nodes of 10: all the way in goes 4 -> 1 at once; half the way, 4 -> 2 first
    trace = str(write_trace([40] * 30 + [5] * 60))
    args = ("--config", str(small_stack), "--trace", trace, "--format", "json", "--min-size", "1..1")
    assert tune.main([*args, *FAST]) == EXIT_OK
    whole = json.loads(capsys.readouterr().out)
    assert tune.main([*args, *FAST, "--scale-in-step", "0.5"]) == EXIT_OK
    half = json.loads(capsys.readouterr().out)
    assert (
        whole["modellingChoices"]["targetTrackingScaleInStep"],
        half["modellingChoices"]["targetTrackingScaleInStep"],
    ) == (1.0, 0.5)
    assert half["current"]["instanceHours"] > whole["current"]["instanceHours"]


def test_a_policy_the_traces_cannot_drive_is_refused_in_one_line_naming_the_column(capsys, write_trace):
    # prod steps on TotalRunQueueLength; traces of demand alone cannot drive that policy
    traces = (str(write_trace([30] * 30, "monday.csv")), str(write_trace([40] * 30, "tuesday.csv")))
    code, out, err = run(capsys, "--stack", "prod", "--trace", *traces)
    assert (code, out) == (EXIT_INVALID, "")
    assert err.splitlines() == [
        "monday.csv, tuesday.csv: no TotalRunQueueLength column: elixir-cluster:scaling.step[0] (run-queue) "
        "cannot be simulated without it; add the column (README: Traces), or pass --allow-unsimulated to tune "
        "without that policy"
    ]


def test_allowed_a_policy_the_traces_cannot_drive_is_one_warning_and_left_as_it_is(capsys, write_trace):
    traces = (str(write_trace([30] * 30, "monday.csv")), str(write_trace([40] * 30, "tuesday.csv")))
    code, out, err = run(capsys, "--stack", "prod", "--trace", *traces, "--allow-unsimulated", "--format", "json")
    assert code == EXIT_OK
    unsimulated = [line for line in err.splitlines() if "run-queue" in line]
    assert unsimulated == [
        "warning: elixir-cluster:scaling.step[0] (run-queue) was not simulated on any trace (no "
        "TotalRunQueueLength column): the proposal leaves it as the stack file has it, and its figures leave it out"
    ]
    assert not [change for change in json.loads(out)["changes"] if change["key"].startswith("scaling.step[0]")]


def test_write_edits_the_stack_file_in_place_and_diff_prints_that_change(capsys, small_stack, write_trace):
    # one CPU policy at 60% on nodes of 10 rps under a flat 25 rps: the tuner moves the target
    trace = str(write_trace([25] * 60))
    before = small_stack.read_text()
    code, patch, _ = run(capsys, "--config", str(small_stack), "--trace", trace, "--format", "diff")
    assert code == EXIT_OK
    removed = [line for line in patch.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == ["-    targetTracking: [{metric: cpu, target: 60, warmup: 0}]"]
    assert small_stack.read_text() == before, "--format diff alone writes nothing"
    code, _, err = run(capsys, "--config", str(small_stack), "--trace", trace, "--format", "json", "--write")
    assert code == EXIT_OK
    after = small_stack.read_text()
    assert err.splitlines()[-1] == f"{small_stack}: wrote scaling.targetTracking[0].target"
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert len(changed) == 1 and changed[0][1].startswith("    targetTracking: [{metric: cpu, target: ")
    assert [line for line in patch.splitlines() if line.startswith("+") and not line.startswith("+++")] == [
        f"+{changed[0][1]}"
    ]


def test_fill_gaps_tunes_a_trace_with_missing_minutes(capsys, small_stack, tmp_path):
    path = tmp_path / "gappy.csv"
    path.write_text("minute,requests_per_second\n" + "".join(f"{m},25\n" for m in (*range(30), *range(40, 60))))
    code, out, _ = run(capsys, "--config", str(small_stack), "--trace", str(path), "--format", "json", "--fill-gaps")
    assert code == EXIT_OK
    assert json.loads(out)["current"]["traces"]["gappy.csv"]["minutes"] == 60


def test_traces_that_share_a_file_name_are_told_apart_by_their_path(capsys, small_stack, tmp_path):
    paths = []
    for folder, demand in (("monday", 5), ("tuesday", 25)):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "load.csv"
        path.write_text("minute,requests_per_second\n" + "".join(f"{m},{demand}\n" for m in range(30)))
        paths.append(str(path))
    code, out, _ = run(capsys, "--config", str(small_stack), "--trace", *paths, "--format", "json")
    assert code == EXIT_OK
    assert list(json.loads(out)["current"]["traces"]) == paths


def test_the_tuner_replays_every_candidate_on_a_measured_node(capsys, tmp_path, write_trace):
    # the hand-computed profile (tests/support/profiles.py): 22.5 rps at 100% CPU. The oracle serves 50 rps
    # with ceil(50 / 22.5) = 3 nodes, 3 instance-hours over the hour (at the invented default of 25 rps, 2);
    # requestsPerTarget targets range over the profile's capacity: 22.5 x 60 = 1350 requests per node-minute
    # at 100%, so 20%..95% of it
    stack = tmp_path / "Pulumi.small.yaml"
    stack.write_text(
        "config:\n"
        "  aws:region: eu-west-1\n"
        "  elixir-cluster:cluster: {name: shop, environment: dev}\n"
        "  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}\n"
        "  elixir-cluster:nodes: {minSize: 1, maxSize: 4}\n"
        "  elixir-cluster:scaling:\n"
        "    targetTracking: [{metric: requestsPerTarget, target: 900, warmup: 0}]\n"
    )
    trace = str(write_trace([50] * 60))
    args = ["--config", str(stack), "--trace", trace, "--node-profile", str(write_profile(tmp_path))]
    assert tune.main([*args, "--budget", "40", "--processes", "1", "--format", "json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["oracle"]["traces"]["load.csv"]["instanceHours"] == 3.0
    assert document["modellingChoices"]["nodeProfile"] == HAND_PROFILE
    assert document["modellingChoices"]["nodeRps"] == 22.5
    tuned = document["config"]["elixir-cluster:scaling"]["targetTracking"][0]["target"]
    assert tuned in {900, *(round(1350 * utilisation / 100) for utilisation in range(20, 96, 5))}
    assert tune.main([*args, "--budget", "40", "--processes", "1"]) == EXIT_OK
    table = capsys.readouterr().out.splitlines()
    assert table[0] == (
        "Stack small, 1 trace(s), 60 minutes, a measured node (22.5 rps at 100% CPU), 1 min from launch to "
        "InService, 2 to serving"
    )
    assert f"  node model: measured, {HAND_PROFILE['description']}" in table


def test_the_tuner_refuses_a_bad_profile_and_the_flags_it_replaces_one_line_each(capsys, small_stack, tmp_path):
    profile = write_profile(tmp_path, points=HAND_PROFILE["points"][:1])
    trace = tmp_path / "load.csv"
    trace.write_text("minute,requests_per_second\n0,1\n")
    args = ["--config", str(small_stack), "--trace", str(trace), "--node-profile", str(profile)]
    assert tune.main([*args, "--boot-seconds", "60"]) == EXIT_INVALID
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "--boot-seconds and --node-profile: the profile gives the seconds from launch to serving "
        "(launchToServingSeconds); give one of them",
        f"{profile}: points: 1 given; give at least 2 points, each {{requestsPerSecond, cpuUtilization, "
        "schedulerUtilization}",
    ]
