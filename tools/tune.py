"""Tune: search a stack's scaling section for the cheapest policy that meets a service objective.

    python -m tools.tune (--stack NAME | --config FILE) --trace FILE [FILE ...] [--trace FILE ...]
                         [--slo under=1%,shortfall=10%] [--min-size A..B] [--max-size A..B]
                         [--node-rps N] [--boot-seconds S] | [--node-profile FILE]
                         [--start ISO-8601] [--scale-in-step FRACTION]
                         [--fill-gaps] [--allow-unsimulated] [--budget N] [--processes N]
                         [--plot OUT.png] [--format table|yaml|json|diff] [--write]

Replays every trace through candidate scaling sections (the simulator's semantics, as
`python -m tools.simulate`) and prints the cheapest in instance-hours that meets the
objective on every trace, beside its figures, the current policy's, the CPU-50% baseline's
and the oracle's, and the change to the stack file: only the values that move, its comments
and layout kept (`--write` makes it; `--format diff` prints the patch alone, `--format yaml`
the keys to paste under `config:`). Where the current policy misses the objective on a
trace, the tuned one must do no worse than it there. Every candidate passes the stack's
settings first, so the file it proposes is one the preview accepts.

A policy whose metric is in no column of a trace cannot be simulated: the tuner refuses
(exit 2, one line per column) unless --allow-unsimulated, and then says so.

The node model is the simulator's: invented from --node-rps and --boot-seconds, or measured
(--node-profile FILE, in their place).

Exit 0: done (stderr lines say what to know before applying it: no candidate meets the
objective, a value at the edge of its search range, a schedule left with nothing to do, a
policy not simulated). Exit 2: bad input (the stack file, a trace, the node profile, --slo, the
size bounds, a policy the traces cannot drive, flags that conflict), one line per problem naming
the file, row, key, flag or column.
Exit 1: anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from components.settings import GROUP_SIZE, MAX_SIZE
from tools.cli import EXIT_OK, add_stack_arguments, chosen_stack, plot_file, refuse, whole_count, write_plot
from tools.simulate import add_model_arguments, node_model, node_profile, parse_start
from tools.simulator import ModellingChoices, TraceError, read_trace
from tools.tuner import (
    DEFAULT_BUDGET,
    BoundsError,
    NamedTrace,
    ObjectiveError,
    UnsimulatedPolicies,
    parse_objective,
    parse_size_range,
    sections_as_written,
    tune,
)
from tools.tuner.objective import SLO_HELP
from tools.tuner.output import draw_plot, render_patch, render_table, render_yaml, to_json


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problems: list[str] = []
    stack = chosen_stack(args, problems)
    traces = [named for path in args.trace if (named := _trace(path, problems, args.fill_gaps))]
    objective = _parsed(lambda: parse_objective(args.slo), problems)
    min_size = _parsed(lambda: args.min_size and parse_size_range("--min-size", args.min_size, GROUP_SIZE), problems)
    max_size = _parsed(lambda: args.max_size and parse_size_range("--max-size", args.max_size, MAX_SIZE), problems)
    profile = node_profile(args, problems)
    start = parse_start(args.start, problems)
    if problems:
        return refuse(problems)
    node = node_model(stack.settings, args, profile)
    written = sections_as_written(stack)
    try:
        choices = ModellingChoices(scale_in_step=args.scale_in_step)
        tuning = tune(
            written, traces, node, start, objective, min_size, max_size, args.budget, args.processes, choices,
            allow_unsimulated=args.allow_unsimulated,
        )  # fmt: skip
    except BoundsError as impossible:
        return refuse([str(impossible)])
    except UnsimulatedPolicies as unsimulated:
        return refuse(unsimulated.lines)
    for warning in tuning.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not tuning.meets("tuned"):
        print("warning: no candidate found meets the objective on every trace: the closest is shown", file=sys.stderr)
    if args.format != "table":  # the table says it in its own section
        for line in tuning.advice:
            print(f"warning: {line}", file=sys.stderr)
    print(RENDERERS[args.format](tuning), end="")
    if args.write:
        _write(tuning)
    return write_plot(args.plot, lambda pyplot: draw_plot(pyplot, tuning)) if args.plot else EXIT_OK


RENDERERS = {
    "table": render_table,
    "yaml": render_yaml,
    "json": lambda tuning: json.dumps(to_json(tuning)) + "\n",
    "diff": render_patch,
}


def _write(tuning) -> None:
    edited = tuning.edited
    if not edited.changed:
        print(f"{edited.path}: nothing to change", file=sys.stderr)
        return
    edited.write()
    print(f"{edited.path}: wrote {', '.join(edited.changed)}", file=sys.stderr)


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
        type=whole_count,
        default=DEFAULT_BUDGET,
        metavar="N",
        help=f"candidates to judge at most (default {DEFAULT_BUDGET})",
    )
    parser.add_argument("--processes", type=whole_count, default=2, metavar="N", help="worker processes (default 2)")
    parser.add_argument(
        "--plot", metavar="OUT.png", type=plot_file, help="write demand against the tuned and the current capacity"
    )
    parser.add_argument(
        "--allow-unsimulated",
        action="store_true",
        help="tune even when a trace lacks the column of a policy's metric: that policy is then left out of "
        "the figures, and left as it is where no trace drives it (refused by default)",
    )
    parser.add_argument(
        "--format",
        choices=tuple(RENDERERS),
        default="table",
        help="table (default); yaml: the keys to paste under config:; json; diff: the patch of the stack file",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the proposal into the stack file: only the values that change, comments and layout kept",
    )
    return parser


def _trace(path: str, problems: list[str], fill_gaps: bool) -> NamedTrace | None:
    try:
        return NamedTrace(Path(path), read_trace(path, fill_gaps=fill_gaps))
    except TraceError as invalid:
        # one line per file: the first problem shows what is wrong, the count how much
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
