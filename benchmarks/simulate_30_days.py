"""Benchmark (not a test): simulate 30 days at one-minute resolution and print the wall time.

    .venv/bin/python -m benchmarks.simulate_30_days [--stack prod]

The trace is 30 generated weekdays (tools/make_traces.py's diurnal shape and synthetic run
queue, fixed seed), 43,200 minutes. It goes through the same path as the command: the
stack's policies, the baseline and the oracle, then the JSON document. Target: < 2 s.
"""

from __future__ import annotations

import argparse
import random
import time

from tools.make_traces import RUN_QUEUE_COLUMN, SEED, diurnal, run_queue
from tools.paths import STACKS_DIR
from tools.simulate import DEFAULT_NODE_RPS
from tools.simulator import NodeModel, Trace, simulate
from tools.simulator.report import to_json
from tools.stack_settings import load_stack_settings

DAYS = 30
TARGET_SECONDS = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.simulate_30_days", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="prod", help="stack in stacks/ (default prod: every kind of policy)")
    stack = parser.parse_args(argv).stack
    settings = load_stack_settings(STACKS_DIR / f"Pulumi.{stack}.yaml")
    rng = random.Random(f"{SEED}-benchmark")
    demand = diurnal(rng, days=DAYS)
    trace = Trace(demand, {RUN_QUEUE_COLUMN: [float(n) for n in run_queue(demand, rng)]})
    began = time.perf_counter()
    simulation = simulate(settings, trace, NodeModel.for_stack(settings, DEFAULT_NODE_RPS))
    document = to_json(simulation)
    elapsed = time.perf_counter() - began
    verdict = "meets" if elapsed < TARGET_SECONDS else "MISSES"
    print(
        f"{stack}: {trace.minutes} minutes ({DAYS} days), {len(document['policy']['activities'])} policy activities: "
        f"{elapsed:.2f} s wall time ({verdict} the {TARGET_SECONDS:g} s target)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
