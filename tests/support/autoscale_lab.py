"""The autoscale lab's runs, started side by side: tests/autoscale_lab/conftest.py's fixtures use these."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tools.conformance.autoscale.lab import AutoscaleLab
from tools.conformance.autoscale.scenario import SCENARIOS, Run, run_scenario

RUN_TIMEOUT_SECONDS = 900
DEFAULT_STACKS = "dev prod"


def lab_stacks() -> list[str]:
    """AUTOSCALE_LAB_STACKS, space-separated (default dev and prod)."""
    return os.environ.get("AUTOSCALE_LAB_STACKS", DEFAULT_STACKS).split()


class StartedRuns:
    """Each stack's lab, started and run in a thread of its own (a run is mostly waiting: boots, health
    checks, drains, compressed minutes), so the runs overlap; closed when the session ends."""

    def __init__(self, tarball: Path, workdirs: dict[str, Path]):
        self.labs = {stack: AutoscaleLab(stack, path, tarball, SCENARIOS[stack]) for stack, path in workdirs.items()}
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
