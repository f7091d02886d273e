"""Autoscale lab fixtures: the example release (built once, as the node lab builds it) and each stack's
run, started side by side in the background on first use (a run is mostly waiting: boots, health
checks, drains, compressed minutes), so the dev and prod runs overlap.

Every test here is marked `autoscale_lab` (`make autoscale-lab`); `make test` deselects them. They need
root, Debian's lab tools and cgroup v1's cpu controller; without them each test is skipped and says
what is missing. AUTOSCALE_LAB_STACKS (default "dev prod") picks the stacks.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.node_lab import missing_lab_tools, skip_unless_ready
from tools.cli import write_plot
from tools.conformance import netns
from tools.conformance.autoscale.cgroup import missing_cgroups
from tools.conformance.autoscale.lab import AutoscaleLab
from tools.conformance.autoscale.replay import draw
from tools.conformance.autoscale.scenario import SCENARIOS, Run, run_scenario
from tools.conformance.node_lab.release import build_release, missing_build_tools

CACHE = Path(os.environ.get("NODE_LAB_CACHE", netns.PROJECT_DIR / "out" / "node-lab-cache"))
RUN_TIMEOUT_SECONDS = 900
RUNS = pytest.StashKey[list[Run]]()
PLOT = "autoscale-lab.png"
"""Written beside the runs' folders (the lab's --basetemp): docs/images/ holds a copy of one."""


def lab_stacks() -> list[str]:
    return os.environ.get("AUTOSCALE_LAB_STACKS", "dev prod").split()


class StartedRuns:
    """Each stack's lab, started and run in a thread of its own; closed when the session ends."""

    def __init__(self, tarball: Path, workdirs: dict[str, Path]):
        self.labs = {
            stack: AutoscaleLab(stack, workdir, tarball, SCENARIOS[stack]) for stack, workdir in workdirs.items()
        }
        self._pool = ThreadPoolExecutor(len(self.labs), thread_name_prefix="autoscale-lab")
        self._runs: dict[str, Future[Run]] = {s: self._pool.submit(run_scenario, lab) for s, lab in self.labs.items()}

    def run(self, stack: str) -> Run:
        return self._runs[stack].result(RUN_TIMEOUT_SECONDS)

    def close(self) -> None:
        for stack, run in self._runs.items():
            if not run.done():
                self.labs[stack].lab.interrupt()
        self._pool.shutdown(wait=True)
        for lab in self.labs.values():
            lab.close()


@pytest.fixture(scope="session")
def started_runs(tmp_path_factory) -> Iterator[StartedRuns]:
    skip_unless_ready(missing_build_tools() + missing_lab_tools() + missing_cgroups())
    tarball = build_release(CACHE)
    workdirs = {stack: tmp_path_factory.mktemp(f"autoscale-{stack}") for stack in lab_stacks()}
    previous = signal.signal(signal.SIGTERM, _interrupt)
    runs = StartedRuns(tarball, workdirs)
    try:
        yield runs
    finally:
        runs.close()
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="module", params=lab_stacks())
def autoscale_run(request: pytest.FixtureRequest, started_runs: StartedRuns) -> Run:
    """One stack's run of its scenario, with its report (shared by the module's tests)."""
    run = started_runs.run(request.param)
    request.config.stash.setdefault(RUNS, []).append(run)
    return run


def _interrupt(number: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"autoscale lab: stopped by signal {number}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    runs = config.stash.get(RUNS, [])
    for run in runs:
        terminalreporter.write_line("")
        for line in run.report.splitlines():
            terminalreporter.write_line(line)
    replayed = [(run, run.extras["replay"]) for run in runs if "replay" in run.extras]
    if replayed and config.option.basetemp:
        plot = Path(config.option.basetemp) / PLOT
        if write_plot(plot, lambda pyplot: draw(pyplot, replayed)) == 0:
            terminalreporter.write_line(f"plot: {plot}")
