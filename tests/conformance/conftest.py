"""The lab fixture: one stack's cluster on real Erlang, HAProxy and iptables per session.

`make conformance` runs `pytest -m conformance tests/conformance` as root, for the stacks
in CONFORMANCE_STACKS (default "dev prod"). Every test here is marked `conformance`, so
`make test` deselects them all. When they are selected and the machine lacks root or a
tool, the run stops with exit 1 and says what is missing: it never passes by skipping.

The `lab` fixture is session-scoped and parametrized by stack, so pytest runs all tests
of one stack on one lab, then tears it down and builds the next. Each stack's report is
printed at the end of the run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tools.conformance.lab import Lab, missing_prerequisites
from tools.conformance.report import Report
from tools.conformance.stack_facts import read_stack_facts

DEFAULT_STACKS = "dev prod"
REPORTS = pytest.StashKey[list[Report]]()


def _stacks() -> list[str]:
    return os.environ.get("CONFORMANCE_STACKS", DEFAULT_STACKS).split()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[REPORTS] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any(item.get_closest_marker("conformance") for item in session.items):
        return
    missing = missing_prerequisites()
    if missing:
        lines = "\n".join(f"  - {m}" for m in missing)
        pytest.exit(
            f"conformance cannot run on this machine; missing:\n{lines}", returncode=pytest.ExitCode.TESTS_FAILED
        )


@pytest.fixture(scope="session", params=_stacks())
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    laboratory = Lab(read_stack_facts(request.param), tmp_path_factory.mktemp(f"lab-{request.param}"))
    request.config.stash[REPORTS].append(laboratory.report)
    # A CI timeout sends SIGTERM: stop the run as Ctrl-C does, so the finalizers still run.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        laboratory.start()
        yield laboratory
    finally:
        laboratory.close()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(number: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"conformance: stopped by signal {number}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for report in config.stash.get(REPORTS, []):
        terminalreporter.write_line("")
        for line in report.render().splitlines():
            terminalreporter.write_line(line)
