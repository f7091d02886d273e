"""What-if: replay a load trace through a stack's scaling policies, with AWS's semantics.

    python -m tools.simulate (--stack NAME | --config FILE) --trace FILE [--node-rps N]
                             [--boot-seconds S] [--start ISO-8601] [--scale-in-step FRACTION]
                             [--fill-gaps] [--plot OUT.png] [--format table|json]

Reads the stack's nodes and scaling sections through the project's settings, replays the
trace (CSV: minute,requests_per_second[,<CloudWatch metric>...]) minute by minute, and
prints the policy's figures beside those of a baseline (CPU target tracking at 50%) and
an oracle (exactly the nodes demand needs), and the modelling choices in force (what AWS
leaves open: tools/simulator/choices.py). Warnings (a policy the trace cannot drive) go
to stderr.

Exit 0: done. Exit 2: the stack file or the trace is invalid (stderr: one line per
problem, each starting with its key path or file:line). Exit 1: anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from tools.cli import EXIT_OK, add_stack_arguments, chosen_stack, refuse, write_plot
from tools.simulator import (
    DEFAULT_CHOICES,
    DEFAULT_START,
    ModellingChoices,
    NodeModel,
    TraceError,
    read_trace,
    simulate,
)
from tools.simulator.report import draw_plot, render_table, to_json

DEFAULT_NODE_RPS = 25.0
"""Requests/s one node serves at 100% CPU when --node-rps is not given: 1500 requests per
node per minute, so prod's requestsPerTarget target of 1000 (its load test's knee) is
two thirds of a node. Measure yours with a load test and pass it."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    trace = _read(args.trace, problems, args.fill_gaps)
    start = parse_start(args.start, problems)
    if problems:
        return refuse(problems)
    settings = stack.settings
    node = NodeModel.for_stack(settings, args.node_rps, args.boot_seconds)
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
    parser.add_argument("--plot", metavar="OUT.png", help="write demand against capacity (needs matplotlib)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def add_model_arguments(parser: argparse.ArgumentParser, traces: str = "the trace's") -> None:
    """What both the simulator and the tuner take about the nodes, the modelling choices and the traces' gaps."""
    parser.add_argument(
        "--node-rps",
        type=_positive,
        default=DEFAULT_NODE_RPS,
        metavar="N",
        help=f"requests/s one node serves at 100%% CPU (default {DEFAULT_NODE_RPS:g})",
    )
    parser.add_argument(
        "--boot-seconds",
        type=_not_negative,
        metavar="S",
        help="launch to serving, which the launch hook holds a node for (default: the stack's "
        "nodes.healthCheckGracePeriod)",
    )
    parser.add_argument(
        "--start",
        metavar="ISO-8601",
        help=f"{traces} minute 0 (default {DEFAULT_START:%Y-%m-%dT%H:%M:%SZ}, a Monday)",
    )
    parser.add_argument(
        "--scale-in-step",
        type=_fraction,
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


def _fraction(text: str) -> float:
    value = _positive(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be > 0 and <= 1, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = _not_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def _not_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


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
