"""Benchmark (not a test): how long `make test` takes, and where the time goes.

    .venv/bin/python -m benchmarks.suite_speed [--jobs 2] [--top 10]

Runs the offline suite as `make test` runs it (`pytest -n JOBS --dist loadgroup`, bytecode
caches written) in a fresh process and prints its wall time, the CPU time of the run and its workers (user +
system), the test count, and the modules that took longest (setup, call and teardown
summed over their tests). On a shared machine wall times move; CPU time moves less.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^\s*([\d.]+)s (?:call|setup|teardown)\s+([^:\s]+)::")
SUMMARY = re.compile(r"^=*\s*(\d+ passed.*?) in [\d.]+s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.suite_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers, as make test's JOBS (default 2)")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest modules to list (default 10)")
    args = parser.parse_args(argv)

    command = [sys.executable, "-m", "pytest", "-n", str(args.jobs), "--dist", "loadgroup"]
    command += ["-p", "no:cacheprovider", "--durations=0", "--durations-min=0.05"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}  # as `make test` runs it
    run = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    lines = run.stdout.splitlines()
    summary = next((m.group(1) for line in lines if (m := SUMMARY.match(line))), "no summary (see pytest's output)")
    print(f"make test (pytest -n {args.jobs} --dist loadgroup): {summary}")
    print(f"  wall {wall:6.1f} s")
    print(f"  CPU  {cpu:6.1f} s (the run and its workers, user + system)")
    print(f"slowest modules (setup + call + teardown, summed over their tests, across {args.jobs} workers):")
    for module, seconds in _by_module(lines).most_common(args.top):
        print(f"  {seconds:6.1f} s  {module}")
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-2000:], sep="\n", file=sys.stderr)
    return run.returncode


def _by_module(lines: list[str]) -> collections.Counter[str]:
    totals: collections.Counter[str] = collections.Counter()
    for line in lines:
        if match := DURATION.match(line):
            totals[match.group(2)] += float(match.group(1))
    return totals


if __name__ == "__main__":
    sys.exit(main())
