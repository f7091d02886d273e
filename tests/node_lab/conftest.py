"""Node lab fixtures: the example release, built once per session, and lab namespaces.

Every test here is marked `node_lab` (`make node-lab`), so `make test` deselects them. They
need root (namespaces, mounts) and Debian's tools; without them each test is skipped and
says what is missing. The release is built into NODE_LAB_CACHE (default out/node-lab-cache,
ignored by git) and rebuilt only when examples/shop changes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.node_lab import (
    StartedLabs,
    labs_here,
    missing_lab_tools,
    runs_the_tests_without_a_lab,
    sigterm_as_interrupt,
    skip_unless_ready,
)
from tools.conformance import netns
from tools.conformance.node_lab.lab import NodeLab, versions
from tools.conformance.node_lab.release import build_release, missing_build_tools
from tools.conformance.node_lab.report import NodeLabReport

REPORTS = pytest.StashKey[list[NodeLabReport]]()

CACHE = Path(os.environ.get("NODE_LAB_CACHE", netns.PROJECT_DIR / "out" / "node-lab-cache"))


@pytest.fixture(scope="session")
def release_tarball() -> Path:
    skip_unless_ready(missing_build_tools())
    return build_release(CACHE)


@pytest.fixture(scope="session")
def release_as_version(release_tarball: Path) -> Callable[[str], Path]:
    """The release's tarball built as another version (`/node` reports it): the rollout's v2."""
    return functools.partial(build_release, CACHE)


@pytest.fixture(scope="session")
def lab_tools() -> None:
    """Skips the test, naming what is missing, unless this machine can run lab namespaces."""
    skip_unless_ready(missing_lab_tools())


@pytest.fixture
def lab_network(request: pytest.FixtureRequest, lab_tools: None) -> Iterator[netns.Network]:
    """A bridge of lab namespaces for one test, removed afterwards whatever happened."""
    netns.remove_leftovers()
    network = netns.Network(f"nl{request.node.name[:6]}")
    try:
        network.create()
        yield network
    finally:
        network.remove()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[REPORTS] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a shard (NODE_LAB_SHARD), the tests that need no booted lab run in one shard only."""
    if runs_the_tests_without_a_lab():
        return
    kept = [item for item in items if "node_lab" in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def started_labs(release_tarball: Path, lab_tools: None, tmp_path_factory) -> Iterator[StartedLabs]:
    workdirs = {
        param: tmp_path_factory.mktemp(f"node-lab-{param.replace(':', '-')}{'' if ':' in param else '-shipped'}")
        for param in labs_here()
    }
    with sigterm_as_interrupt("node lab"):
        labs = StartedLabs(release_tarball, workdirs)
        try:
            yield labs
        finally:
            labs.close()


@pytest.fixture(scope="session", params=labs_here())
def node_lab(request: pytest.FixtureRequest, started_labs: StartedLabs) -> Iterator[NodeLab]:
    """One stack's group booted in the lab (three instances behind HAProxy), shared by the tests."""
    lab = started_labs.labs[request.param]
    try:
        started_labs.started(request.param)
        lab.report = NodeLabReport(lab.stack, lab.settings.release.discovery, _versions(), timings=lab.timings)
        request.config.stash[REPORTS].append(lab.report)
        yield lab
    finally:
        started_labs.finish(request.param)


@functools.cache
def _versions() -> str:
    return versions()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for report in config.stash.get(REPORTS, []):
        terminalreporter.write_line("")
        for line in report.render().splitlines():
            terminalreporter.write_line(line)
