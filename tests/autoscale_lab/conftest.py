"""Autoscale lab fixtures: the example release (built once, as the node lab builds it) and each stack's
run, started side by side in the background on first use (a run is mostly waiting: boots, health
checks, drains, compressed minutes), so the dev and prod runs overlap.

Every test here is marked `autoscale_lab` (`make autoscale-lab`); `make test` deselects them. They need
root, Debian's lab tools and cgroup v1's cpu controller; without them each test is skipped and says
what is missing. AUTOSCALE_LAB_STACKS (default "dev prod") picks the stacks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.autoscale_lab import StartedRuns, lab_stacks
from tests.support.node_lab import missing_lab_tools, sigterm_as_interrupt, skip_unless_ready
from tools.cli import write_plot
from tools.conformance import netns
from tools.conformance.autoscale.cgroup import missing_cgroups
from tools.conformance.autoscale.replay import draw
from tools.conformance.autoscale.scenario import Run
from tools.conformance.node_lab.release import build_release, missing_build_tools

CACHE = Path(os.environ.get("NODE_LAB_CACHE", netns.PROJECT_DIR / "out" / "node-lab-cache"))
RUNS = pytest.StashKey[list[Run]]()
PLOT = "autoscale-lab.png"
"""Written beside the runs' folders (the lab's --basetemp): docs/images/ holds a copy of one."""


@pytest.fixture(scope="session")
def started_runs(tmp_path_factory) -> Iterator[StartedRuns]:
    skip_unless_ready(missing_build_tools() + missing_lab_tools() + missing_cgroups())
    tarball = build_release(CACHE)
    workdirs = {stack: tmp_path_factory.mktemp(f"autoscale-{stack}") for stack in lab_stacks()}
    with sigterm_as_interrupt("autoscale lab"):
        runs = StartedRuns(tarball, workdirs)
        try:
            yield runs
        finally:
            runs.close()


@pytest.fixture(scope="module", params=lab_stacks())
def autoscale_run(request: pytest.FixtureRequest, started_runs: StartedRuns) -> Run:
    """One stack's run of its scenario, with its report (shared by the module's tests)."""
    run = started_runs.run(request.param)
    request.config.stash.setdefault(RUNS, []).append(run)
    return run


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
