"""Benchmark (not a test): replay 30 days at one-minute resolution and print the figures.

    .venv/bin/python -m benchmarks.simulate_30_days [--stack prod] [--runs 5] [--profile]

Traces, 43,200 minutes each: 30 generated weekdays (tools/make_traces.py's diurnal shape
and synthetic run queue, fixed seed), and each shipped trace in traces/ repeated to 30 days.
For each, the median over `--runs` of:

- replay: one replay of the stack's scaling on a prepared trace (what a tuner pays per
  candidate and trace), and the candidates per second that makes;
- command: what `python -m tools.simulate --format json` does after reading its inputs:
  prepare the trace, replay the policy and the baseline, the oracle, the JSON document.

Wall time and this process's CPU time are both printed: on a shared machine the wall time
also counts waiting for a core, the CPU time is what a free core would take. Target: a
30-day replay under 1 s (the command, with its baseline, oracle and JSON, is shown beside
it against the same second). `--profile` adds cProfile's top functions for one replay of
the generated trace.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tools.make_traces import RUN_QUEUE_COLUMN, SEED, diurnal, run_queue
from tools.simulate import DEFAULT_NODE_RPS
from tools.simulator import NodeModel, Trace, prepare, read_trace, replay, simulate
from tools.simulator.report import to_json
from tools.stack_files import PROJECT_DIR, load_stack_settings, stack_file

DAYS = 30
MINUTES = DAYS * 24 * 60
TARGET_SECONDS = 1.0
TRACES_DIR = PROJECT_DIR / "traces"


def generated() -> Trace:
    rng = random.Random(f"{SEED}-benchmark")
    demand = diurnal(rng, days=DAYS)
    return Trace(demand, {RUN_QUEUE_COLUMN: [float(n) for n in run_queue(demand, rng)]})


def repeated(path: Path) -> Trace:
    """The shipped trace, start to end, again and again until it fills 30 days."""
    trace = read_trace(path)
    copies = -(-MINUTES // trace.minutes)
    demand = (trace.demand * copies)[:MINUTES]
    columns = {name: (values * copies)[:MINUTES] for name, values in trace.columns.items()}
    return Trace(demand, columns)


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `work` over `runs` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate_30_days", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="prod", help="stack in stacks/ (default prod: every kind of policy)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is printed (default 5)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions of a replay")
    args = parser.parse_args(argv)
    settings = load_stack_settings(stack_file(args.stack))
    node = NodeModel.for_stack(settings, DEFAULT_NODE_RPS)
    traces = {"generated 30 weekdays": generated()}
    traces.update({f"{path.stem} x {DAYS} days": repeated(path) for path in sorted(TRACES_DIR.glob("*.csv"))})
    print(f"{args.stack}: {MINUTES} minutes a trace, median of {args.runs} runs, wall / CPU seconds")
    print(f"{'trace':<28}{'replay':>16}{'candidates/s':>14}{'command':>16}")
    slowest = {"replay": (0.0, 0.0), "command": (0.0, 0.0)}
    for name, trace in traces.items():
        prepared = prepare(trace, node)
        one = timed(lambda p=prepared: replay(settings.nodes, settings.scaling, p), args.runs)
        command = timed(lambda t=trace: to_json(simulate(settings, t, node)), args.runs)
        slowest["replay"] = max(slowest["replay"], one)
        slowest["command"] = max(slowest["command"], command)
        print(f"{name:<28}{one[0]:>8.3f} /{one[1]:>6.3f}{1 / one[1]:>14.1f}{command[0]:>8.3f} /{command[1]:>6.3f}")
    for what, (wall, cpu) in slowest.items():
        verdicts = [
            f"{'meets' if seconds < TARGET_SECONDS else 'MISSES'} on {kind}"
            for kind, seconds in (("wall", wall), ("CPU", cpu))
        ]
        print(
            f"slowest {what}: {wall:.3f} s wall, {cpu:.3f} s CPU: target < {TARGET_SECONDS:g} s {', '.join(verdicts)}"
        )
    if args.profile:
        prepared = prepare(traces["generated 30 weekdays"], node)
        profile = cProfile.Profile()
        profile.runcall(replay, settings.nodes, settings.scaling, prepared)
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
