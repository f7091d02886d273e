"""The tuner on the shipped stacks and traces: prod tuned is no worse than prod shipped, on service
and on cost; every stack tunes; and the YAML it prints, pasted into prod's file, previews."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.support.aws_state import group_of, policies_of
from tools import tune
from tools.stack_files import PROJECT_DIR, stack_file, stack_names

TRACES = sorted(str(path) for path in (PROJECT_DIR / "traces").glob("*.csv"))
EVERY_TRACE = [argument for path in TRACES for argument in ("--trace", path)]


def tuned_json(capsys, *args) -> dict:
    assert tune.main([*args, "--format", "json"]) == tune.EXIT_OK
    return json.loads(capsys.readouterr().out)


# One process: the suite's process may hold the emulator's threads, and forking it is what
# tests/tuner/test_search.py alone checks (the children only replay, taking no lock of theirs).


def test_tuned_prod_serves_every_trace_as_well_as_shipped_prod_for_fewer_instance_hours(capsys):
    # the default objective: every minute shipped prod serves, the tuned policy serves; where shipped
    # prod falls short (the flash spike), the tuned one falls short by no more minutes, no more rps
    document = tuned_json(capsys, "--stack", "prod", *EVERY_TRACE, "--budget", "100", "--processes", "1")
    tuned, shipped = document["tuned"], document["current"]
    assert len(tuned["traces"]) == 4
    for name, figures in tuned["traces"].items():
        assert figures["underProvisionedMinutes"] <= shipped["traces"][name]["underProvisionedMinutes"], name
        assert figures["peakShortfall"] <= shipped["traces"][name]["peakShortfall"], name
    assert tuned["instanceHours"] < shipped["instanceHours"]
    assert document["meetsObjective"] and document["changes"]


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_tunes_on_the_shipped_traces(capsys, stack):
    # dev's and staging's maxSize cannot carry the traces: the objective falls back to their own figures
    document = tuned_json(capsys, "--stack", stack, *EVERY_TRACE, "--budget", "12", "--processes", "1")
    assert document["meetsObjective"]
    assert document["tuned"]["instanceHours"] <= document["current"]["instanceHours"]


CONFIG_KEY = re.compile(r"^  (?P<key>[\w-]+:\w+):")
"""A key directly under `config:` (`  elixir-cluster:scaling:`)."""


def paste(stack_text: str, printed: str) -> str:
    """The stack file with each key the tuner printed replacing the block of that key, as a person pastes."""
    lines = stack_text.splitlines(keepends=True)
    for key, block in _blocks(printed.splitlines(keepends=True)).items():
        start = next(index for index, line in enumerate(lines) if line.startswith(f"  {key}:"))
        lines[start : start + len(_blocks(lines)[key])] = block
    return "".join(lines)


def _blocks(lines: list[str]) -> dict[str, list[str]]:
    """Each key under `config:`, with its line and the more indented lines below it."""
    blocks: dict[str, list[str]] = {}
    key = None
    for line in lines:
        found = CONFIG_KEY.match(line)
        if found:
            key = found["key"]
            blocks[key] = []
        elif not line.startswith("   "):
            key = None
        if key:
            blocks[key].append(line)
    return blocks


def test_the_yaml_printed_for_prod_pasted_into_its_file_previews(capsys, tmp_path, deploy):
    # --min-size 4..5 moves prod's minSize of 3: the nodes section is printed too
    args = ("--stack", "prod", "--trace", TRACES[0], "--min-size", "4..5", "--budget", "20", "--processes", "1")
    args = (*args, "--format", "yaml")
    assert tune.main(list(args)) == tune.EXIT_OK
    printed = capsys.readouterr().out
    keys = yaml.safe_load("config:\n" + printed)["config"]
    assert list(keys) == ["elixir-cluster:scaling", "elixir-cluster:nodes"]
    pasted = tmp_path / "Pulumi.prod.yaml"
    pasted.write_text(paste(stack_file("prod").read_text(), printed))
    assert yaml.safe_load(pasted.read_text())["config"]["elixir-cluster:scaling"] == keys["elixir-cluster:scaling"]

    applied = deploy.file(pasted)  # the settings load it and the program runs against the emulator

    nodes, scaling = keys["elixir-cluster:nodes"], keys["elixir-cluster:scaling"]
    assert (group_of(applied)["MinSize"], group_of(applied)["MaxSize"]) == (nodes["minSize"], nodes["maxSize"])
    targets = sorted(
        p["TargetTrackingConfiguration"]["TargetValue"]
        for p in policies_of(applied).values()
        if p["PolicyType"] == "TargetTrackingScaling"
    )
    assert targets == sorted(policy["target"] for policy in scaling["targetTracking"])
    actions = applied.client("autoscaling").describe_scheduled_actions(
        AutoScalingGroupName=applied.outputs["autoScalingGroupName"]
    )["ScheduledUpdateGroupActions"]
    assert sorted(a["MinSize"] for a in actions) == sorted(s["minSize"] for s in scaling["schedules"])
