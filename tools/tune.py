"""Tune: search a stack's scaling section for the cheapest policy that meets a service objective.

    python -m tools.tune (--stack NAME | --config FILE) --trace FILE [FILE ...] [--trace FILE ...]
                         [--slo under=1%,shortfall=10%] [--min-size A..B] [--max-size A..B]
                         [--node-rps N] [--boot-seconds S] [--start ISO-8601] [--scale-in-step FRACTION]
                         [--budget N] [--processes N] [--plot OUT.png] [--format table|yaml|json]

Replays every trace through candidate scaling sections (the simulator's semantics, as
`python -m tools.simulate`) and prints the cheapest in instance-hours that meets the
objective on every trace, as stack-file YAML ready to paste under `config:`, beside its
figures, the current policy's, the CPU-50% baseline's and the oracle's. Where the current
policy misses the objective on a trace, the tuned one must do no worse than it there. Every
candidate passes the stack's settings first, so the YAML it prints is one the preview accepts.

Exit 0: done (a stderr line says so when nothing meets the objective). Exit 2: bad input
(the stack file, a trace, --slo or the size bounds), one line per problem naming the file,
row or flag. Exit 1: anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from components.settings import GROUP_SIZE, MAX_SIZE
from tools.cli import EXIT_OK, add_stack_arguments, chosen_stack, refuse, write_plot
from tools.simulate import add_model_arguments, parse_start
from tools.simulator import ModellingChoices, NodeModel, TraceError, read_trace
from tools.tuner import (
    DEFAULT_BUDGET,
    BoundsError,
    NamedTrace,
    ObjectiveError,
    parse_objective,
    parse_size_range,
    sections_as_written,
    tune,
)
from tools.tuner.objective import SLO_HELP
from tools.tuner.output import draw_plot, render_table, render_yaml, to_json


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    traces = [named for path in args.trace if (named := _trace(path, problems))]
    objective = _parsed(lambda: parse_objective(args.slo), problems)
    min_size = _parsed(lambda: args.min_size and parse_size_range("--min-size", args.min_size, GROUP_SIZE), problems)
    max_size = _parsed(lambda: args.max_size and parse_size_range("--max-size", args.max_size, MAX_SIZE), problems)
    start = parse_start(args.start, problems)
    if problems:
        return refuse(problems)
    node = NodeModel.for_stack(stack.settings, args.node_rps, args.boot_seconds)
    written = sections_as_written(stack)
    try:
        choices = ModellingChoices(scale_in_step=args.scale_in_step)
        tuning = tune(written, traces, node, start, objective, min_size, max_size, args.budget, args.processes, choices)
    except BoundsError as impossible:
        return refuse([str(impossible)])
    for warning in tuning.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not tuning.meets("tuned"):
        print("warning: no candidate found meets the objective on every trace: the closest is shown", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(to_json(tuning)))
    elif args.format == "yaml":
        print(render_yaml(tuning), end="")
    else:
        print(render_table(tuning), end="")
    return write_plot(args.plot, lambda pyplot: draw_plot(pyplot, tuning)) if args.plot else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.tune", description=__doc__.split("\n\n")[0])
    add_stack_arguments(parser)
    parser.add_argument(
        "--trace",
        metavar="FILE",
        required=True,
        action="extend",
        nargs="+",
        help="CSV: minute,requests_per_second[,...]; several after one --trace (traces/*.csv) or --trace again",
    )
    parser.add_argument("--slo", metavar="current|under=P%,shortfall=P%", help=SLO_HELP.replace("%", "%%"))
    parser.add_argument("--min-size", metavar="A..B", help="nodes.minSize may range over A..B (default: the stack's)")
    parser.add_argument("--max-size", metavar="A..B", help="nodes.maxSize may range over A..B (default: the stack's)")
    add_model_arguments(parser, traces="the traces'")
    parser.add_argument(
        "--budget",
        type=_count,
        default=DEFAULT_BUDGET,
        metavar="N",
        help=f"candidates to judge at most (default {DEFAULT_BUDGET})",
    )
    parser.add_argument("--processes", type=_count, default=2, metavar="N", help="worker processes (default 2)")
    parser.add_argument("--plot", metavar="OUT.png", help="write demand against the tuned and the current capacity")
    parser.add_argument("--format", choices=("table", "yaml", "json"), default="table")
    return parser


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def _trace(path: str, problems: list[str]) -> NamedTrace | None:
    try:
        return NamedTrace(Path(path), read_trace(path))
    except TraceError as invalid:
        # one line per file: a gap in the minutes makes every later row a problem of its own
        first, more = invalid.problems[0], len(invalid.problems) - 1
        problems.append(first + (f" (and {more} more in this file)" if more else ""))
        return None


def _parsed(parse, problems: list[str]):
    try:
        return parse()
    except (ObjectiveError, BoundsError) as invalid:
        problems.append(str(invalid))
        return None


if __name__ == "__main__":
    sys.exit(main())
