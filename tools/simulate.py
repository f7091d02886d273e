"""What-if: replay a load trace through a stack's scaling policies, with AWS's semantics.

    python -m tools.simulate (--stack NAME | --config FILE) --trace FILE
                             [--node-rps N] [--boot-seconds S] | [--node-profile FILE]
                             [--start ISO-8601] [--scale-in-step FRACTION]
                             [--fill-gaps] [--plot OUT.png] [--format table|json]

Reads the stack's nodes and scaling sections through the project's settings, replays the
trace (CSV: minute,requests_per_second[,<CloudWatch metric>...]) minute by minute, and
prints the policy's figures beside those of a baseline (CPU target tracking at 50%) and
an oracle (exactly the nodes demand needs), and the modelling choices in force (what AWS
leaves open: tools/simulator/choices.py) and the node model. Warnings (a policy the trace
cannot drive) go to stderr.

The node model is invented unless `--node-profile` names a measured one (tools/simulator/profile.py):
then the node's capacity, its CPU and scheduler utilisation at each request rate and its seconds
from launch to InService and to serving come from the profile, and `--node-rps` and
`--boot-seconds`, which it replaces, are refused beside it.

Exit 0: done. Exit 2: the stack file, the trace or the node profile is invalid, or flags conflict
(stderr: one line per problem, each starting with its key path, file:line or FILE: key path, or
flag). Exit 1: anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from components.settings import StackSettings
from tools.cli import (
    EXIT_OK,
    add_stack_arguments,
    chosen_stack,
    fraction,
    not_negative,
    plot_file,
    positive,
    refuse,
    write_plot,
)
from tools.simulator import (
    DEFAULT_CHOICES,
    DEFAULT_START,
    ModellingChoices,
    NodeModel,
    NodeProfile,
    ProfileError,
    TraceError,
    read_profile,
    read_trace,
    simulate,
)
from tools.simulator.report import draw_plot, render_table, to_json

DEFAULT_NODE_RPS = 25.0
"""Requests/s one node serves at 100% CPU when --node-rps is not given: 1500 requests per
node per minute, so prod's requestsPerTarget target of 1000 (its load test's knee) is
two thirds of a node. Measure yours with a load test and pass it, or measure a whole node
profile (--node-profile; README: "Measuring a node profile")."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    trace = _read(args.trace, problems, args.fill_gaps)
    profile = node_profile(args, problems)
    start = parse_start(args.start, problems)
    if problems:
        return refuse(problems)
    settings = stack.settings
    node = node_model(settings, args, profile)
    choices = ModellingChoices(scale_in_step=args.scale_in_step)
    simulation = simulate(settings, trace, node, start, choices)
    for warning in simulation.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(to_json(simulation)))
    else:
        print(render_table(simulation, args.trace), end="")
    if args.plot:
        title = f"{simulation.stack}: {Path(args.trace).name}"
        return write_plot(args.plot, lambda pyplot: draw_plot(pyplot, simulation, title))
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.simulate", description=__doc__.split("\n\n")[0])
    add_stack_arguments(parser)
    parser.add_argument("--trace", metavar="FILE", required=True, help="CSV: minute,requests_per_second[,...]")
    add_model_arguments(parser)
    parser.add_argument(
        "--plot", metavar="OUT.png", type=plot_file, help="write demand against capacity (needs matplotlib)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def add_model_arguments(parser: argparse.ArgumentParser, traces: str = "the trace's") -> None:
    """What both the simulator and the tuner take about the nodes, the modelling choices and the traces' gaps."""
    parser.add_argument(
        "--node-rps",
        type=positive,
        metavar="N",
        help=f"requests/s one node serves at 100%% CPU (default {DEFAULT_NODE_RPS:g}; not with --node-profile)",
    )
    parser.add_argument(
        "--boot-seconds",
        type=not_negative,
        metavar="S",
        help="launch to serving, which the launch hook holds a node for (default: the stack's "
        "nodes.healthCheckGracePeriod; not with --node-profile)",
    )
    parser.add_argument(
        "--node-profile",
        metavar="FILE",
        help="a measured node in place of the invented formula (JSON, or YAML by its suffix): CPU and scheduler "
        "utilisation at each requests/s per node, capacity where CPU reaches 100%%, seconds from launch to "
        "InService and to serving (README: Measuring a node profile)",
    )
    parser.add_argument(
        "--start",
        metavar="ISO-8601",
        help=f"{traces} minute 0 (default {DEFAULT_START:%Y-%m-%dT%H:%M:%SZ}, a Monday)",
    )
    parser.add_argument(
        "--scale-in-step",
        type=fraction,
        default=DEFAULT_CHOICES.scale_in_step,
        metavar="FRACTION",
        help="share of the way to the proportional capacity one target tracking scale-in removes, "
        f"0 < FRACTION <= 1 (default {DEFAULT_CHOICES.scale_in_step:g}: all the way; AWS only says "
        "it scales in 'more gradually')",
    )
    parser.add_argument(
        "--fill-gaps",
        action="store_true",
        help="minutes missing from a trace had no requests (a load balancer publishes none for them) and no "
        "datapoint in the other columns, rather than an error",
    )


MEASURED_BY_THE_PROFILE = {
    "--node-rps": ("node_rps", "the node's capacity (the requests/s at which its CPU reaches 100%)"),
    "--boot-seconds": ("boot_seconds", "the seconds from launch to serving (launchToServingSeconds)"),
}


def node_profile(args: argparse.Namespace, problems: list[str]) -> NodeProfile | None:
    """The `--node-profile` file, read and checked; None without one, or with a line in `problems` for
    each of its problems and for each flag given beside it that it replaces."""
    if args.node_profile is None:
        return None
    for flag, (attribute, measured) in MEASURED_BY_THE_PROFILE.items():
        if getattr(args, attribute) is not None:
            problems.append(f"{flag} and --node-profile: the profile gives {measured}; give one of them")
    try:
        return read_profile(args.node_profile)
    except ProfileError as invalid:
        problems.extend(invalid.problems)
        return None


def node_model(settings: StackSettings, args: argparse.Namespace, profile: NodeProfile | None) -> NodeModel:
    """The measured node when a profile was given, else the invented one from --node-rps and --boot-seconds."""
    if profile is not None:
        return NodeModel.measured(settings, profile)
    node_rps = DEFAULT_NODE_RPS if args.node_rps is None else args.node_rps
    return NodeModel.for_stack(settings, node_rps, args.boot_seconds)


def _read(path: str, problems: list[str], fill_gaps: bool):
    try:
        return read_trace(path, fill_gaps=fill_gaps)
    except TraceError as invalid:
        problems.extend(invalid.problems)
        return None


def parse_start(text: str | None, problems: list[str]) -> datetime:
    if text is None:
        return DEFAULT_START
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"--start: must be an ISO-8601 time such as 2026-01-05T00:00:00Z, got {text!r}")
        return DEFAULT_START
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


if __name__ == "__main__":
    sys.exit(main())
