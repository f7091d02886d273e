"""Benchmark (not a test): the prod preview's wall time against the AWS CDK synth of the same
architecture, measured in the same run, and where the preview's time goes.

    .venv/bin/python -m benchmarks.preview_speed [--runs 5] [--stack prod] [--cdk DIR]

Each run is a fresh process, as a user runs it: `python -m tools.preview --stack prod
--format json` against `node app.js` (CDK synth, its validation on). The figures are
medians of wall time and of CPU time (user + system, all the process's threads). On a
shared machine wall times move by seconds; CPU time moves less, so it is shown too.

--cdk names the CDK anchor: a directory with app.js and package.json (default
../shared/anchors/cdk). Without node_modules there, it is copied to a temporary directory
and installed with `npm install` first (needs the npm registry). The CDK part is skipped,
with a line saying why, when node, npm or the anchor is missing.

The phases come from one more process that times each step in place, with the garbage
collector paused as the command pauses it (tools.cli.run_once): imports, reading the stack
file, moto's start (with the fixtures the stack needs), the program run, rendering and moto's
stop; then a second program run in the same process, without the imports and the first
clients: the cost of the resources themselves.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CDK = PROJECT_DIR.parent / "shared" / "anchors" / "cdk"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.preview_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5); the median is shown")
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--cdk", type=Path, default=DEFAULT_CDK, help=f"the CDK anchor (default {DEFAULT_CDK})")
    args = parser.parse_args(argv)
    preview = [sys.executable, "-m", "tools.preview", "--stack", args.stack, "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="cdk-") as scratch:
        cdk = _cdk_command(args.cdk, Path(scratch))
        rows = [("preview", *_medians(preview, PROJECT_DIR, args.runs))]
        if isinstance(cdk, str):
            print(f"CDK synth skipped: {cdk}")
        else:
            rows.append(("CDK synth", *_medians(cdk[0], cdk[1], args.runs)))
    print(f"median of {args.runs}: wall s, CPU s")
    for name, wall, cpu in rows:
        print(f"  {name:<10} {wall:6.2f}  {cpu:6.2f}")
    if len(rows) == 2:
        print(f"preview / CDK synth: wall {rows[0][1] / rows[1][1]:.2f}, CPU {rows[0][2] / rows[1][2]:.2f}")
    print("phases of one preview (s):")
    subprocess.run([sys.executable, "-c", PHASES, args.stack], cwd=PROJECT_DIR, check=True)
    return 0


def _medians(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` runs of `command`."""
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - began)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cdk_command(anchor: Path, scratch: Path) -> tuple[list[str], Path] | str:
    """`node app.js` and where to run it, or why it cannot run."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node:
        return "node is not installed"
    if not (anchor / "app.js").exists():
        return f"no CDK anchor at {anchor} (pass --cdk DIR)"
    if not (anchor / "node_modules").exists():
        if not npm:
            return f"{anchor} is not installed and npm is missing"
        for name in ("app.js", "package.json"):
            shutil.copy(anchor / name, scratch / name)
        install = [npm, "install", "--no-audit", "--no-fund"]
        if subprocess.run(install, cwd=scratch, capture_output=True).returncode != 0:
            return f"npm install of {anchor} failed"
        anchor = scratch
    return [node, str(anchor / "app.js")], anchor


# Runs in its own process: one preview, timed step by step (wall and CPU), as the command runs it
# (the collector paused, tools.cli.run_once), then a second program run in the same process.
PHASES = """
import gc, sys, time
gc.disable()
def now():
    return time.perf_counter(), time.process_time()
began = now()
from tools import preview
from tools.emulated_stack import provide_existing_resources
from tools.stack_files import PROJECT_DIR, load_stack, stack_file
from tools.emulator import Emulator
marks = [("imports", now())]
stack = load_stack(stack_file(sys.argv[1]))
settings, config = stack.settings, stack.config
marks.append(("stack file", now()))
with Emulator(region=config.region, stack=config.stack) as emulator:
    provide_existing_resources(emulator, settings)
    marks.append(("moto start", now()))
    deployment = emulator.run(PROJECT_DIR, config)
    marks.append(("program run", now()))
    preview.render_json(deployment)
    marks.append(("render", now()))
marks.append(("moto stop", now()))
with Emulator(region=config.region, stack=config.stack) as emulator:
    provide_existing_resources(emulator, settings)
    again = now()
    emulator.run(PROJECT_DIR, config)
    second = [b - a for a, b in zip(again, now())]
last = began
print(f"  {'':<12} {'wall':>5} {'CPU':>5}")
for name, mark in marks:
    print(f"  {name:<12} {mark[0] - last[0]:5.2f} {mark[1] - last[1]:5.2f}")
    last = mark
print(f"  {'total':<12} {last[0] - began[0]:5.2f} {last[1] - began[1]:5.2f}  ({len(deployment.resources)} resources)")
print(f"  second program run in the same process: wall {second[0]:.2f}, CPU {second[1]:.2f}")
"""


if __name__ == "__main__":
    sys.exit(main())
