"""Benchmark (not a test): the tuner judging candidate policies over a 30-day trace, on 2 processes.

    .venv/bin/python -m benchmarks.tune_speed [--stack prod] [--candidates 500] [--processes 2] [--days 30]

The trace is the one `benchmarks/simulate_30_days.py` replays: 30 generated weekdays
(tools/make_traces.py's diurnal shape and synthetic run queue, fixed seed), 43,200 minutes.
The tuner's own search runs over it with a budget of `--candidates`, every candidate through
the settings and a full replay, as `python -m tools.tune` does. Prints the candidates
judged, the wall time, the time per candidate (wall, and CPU across the processes), one
replay alone for comparison, and the verdict against the issue's target (at least 500
candidates in under 60 s on 2 cores) as measured and as the CPU time says it would be on two
free cores: on a shared machine the wall time counts the other users' work too.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from tools.make_traces import RUN_QUEUE_COLUMN, SEED, diurnal, run_queue
from tools.simulate import DEFAULT_NODE_RPS
from tools.simulator import DEFAULT_START, NodeModel, Trace
from tools.stack_files import load_stack, stack_file
from tools.tuner import Evaluator, NamedTrace, Objective, build_space, search, sections_as_written
from tools.tuner.objective import limits_for

DAYS = 30
TARGET_CANDIDATES, TARGET_SECONDS = 500, 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tune_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="prod", help="stack in stacks/ (default prod: every kind of policy)")
    parser.add_argument("--candidates", type=int, default=TARGET_CANDIDATES, help="the search's budget")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args(argv)
    stack = sections_as_written(load_stack(stack_file(args.stack)))
    rng = random.Random(f"{SEED}-benchmark")
    demand = diurnal(rng, days=args.days)
    trace = Trace(demand, {RUN_QUEUE_COLUMN: [float(n) for n in run_queue(demand, rng)]})
    node = NodeModel.for_stack(stack.settings, DEFAULT_NODE_RPS)

    began = time.perf_counter()
    evaluator = Evaluator(stack.stack, stack.region, [NamedTrace(stack.path, trace)], node, DEFAULT_START)
    space = build_space(stack.sections, node.node_rps)
    prepared = time.perf_counter() - began
    began = time.perf_counter()
    current = evaluator.replay(stack.settings)
    one_replay = time.perf_counter() - began
    limits = [limits_for(Objective(), figures) for figures in current]

    cpu_before = _cpu_seconds()
    result = search(space, evaluator, limits, budget=args.candidates, processes=args.processes)
    cpu = _cpu_seconds() - cpu_before
    judged = result.evaluated + result.refused
    print(
        f"{args.stack}: {trace.minutes} minutes ({args.days} days), {len(space.knobs)} knobs, load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  prepare the trace and the search space   {prepared:8.2f} s")
    print(f"  one replay of the stack's policy          {one_replay:8.2f} s")
    print(
        f"  candidates judged                         {judged:8d}   ({result.evaluated} replayed, "
        f"{result.refused} refused by the settings)"
    )
    print(f"  wall time on {args.processes} processes               {result.seconds:8.2f} s")
    print(f"  per candidate, wall                       {result.seconds / judged * 1000:8.1f} ms")
    print(f"  per candidate, CPU (all processes)        {cpu / judged * 1000:8.1f} ms")
    free = cpu / args.processes
    print(f"  wall time if the {args.processes} cores were free           {free:8.2f} s   (CPU time / processes)")
    hours = sum(f.instance_hours for f in result.best.outcome.figures)
    print(f"  instance-hours: current {sum(f.instance_hours for f in current):.1f}, best found {hours:.1f}")
    enough = judged >= TARGET_CANDIDATES
    for label, seconds in (("as measured", result.seconds), ("on free cores", free)):
        verdict = "meets" if enough and seconds < TARGET_SECONDS else "MISSES"
        print(f"{verdict} the target ({TARGET_CANDIDATES} candidates in under {TARGET_SECONDS:g} s on 2 cores) {label}")
    return 0


def _cpu_seconds() -> float:
    """User + system time of this process and its finished children (the workers, once joined)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


if __name__ == "__main__":
    raise SystemExit(main())
