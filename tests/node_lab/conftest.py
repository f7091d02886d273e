"""Node lab fixtures: the example release, built once per session, and lab namespaces.

Every test here is marked `node_lab` (`make node-lab`), so `make test` deselects them. They
need root (namespaces, mounts) and Debian's tools; without them each test is skipped and
says what is missing. The release is built into NODE_LAB_CACHE (default out/node-lab-cache,
ignored by git) and rebuilt only when examples/shop changes.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools.conformance import netns
from tools.conformance.node_lab.lab import NodeLab, versions
from tools.conformance.node_lab.release import build_release, missing_build_tools
from tools.conformance.node_lab.report import NodeLabReport

DEFAULT_STACKS = "dev prod dev:dns"
"""`stack` or `stack:discovery` (the stack file with release.discovery changed), space-separated."""
REPORTS = pytest.StashKey[list[NodeLabReport]]()

CACHE = Path(os.environ.get("NODE_LAB_CACHE", netns.PROJECT_DIR / "out" / "node-lab-cache"))

LAB_COMMANDS = {
    "ip": "iproute2",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "mount": "mount",
    "curl": "curl",
    "sysctl": "procps",
    "cloud-init": "cloud-init",
    "/usr/bin/aws": "awscli",
    "haproxy": "haproxy",
    "iptables-restore": "iptables",
    "epmd": "erlang-base",
}
"""Each command the instance lab runs and the Debian package that provides it."""


def missing_lab_tools() -> list[str]:
    missing = [] if os.geteuid() == 0 else ["root: namespaces and mounts need it (run as root)"]
    return missing + [f"{c}: apt-get install {p}" for c, p in LAB_COMMANDS.items() if shutil.which(c) is None]


def skip_unless_ready(missing: list[str]) -> None:
    if missing:
        pytest.skip("node lab cannot run here; missing: " + "; ".join(missing))


@pytest.fixture(scope="session")
def release_tarball() -> Path:
    skip_unless_ready(missing_build_tools())
    return build_release(CACHE)


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


def lab_stacks() -> list[str]:
    return os.environ.get("NODE_LAB_STACKS", DEFAULT_STACKS).split()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[REPORTS] = []


class StartedLabs:
    """Every stack's lab, all started at once in the background on first use.

    Starting a lab is mostly waiting (moto, cloud-init's stages, the stack's health checks),
    so the labs of NODE_LAB_STACKS boot side by side, and the tests of one stack run while
    the others still boot. Each lab is closed once its tests are done, and every lab at the
    end of the session, whether its start or its tests failed.
    """

    def __init__(self, tarball: Path, workdirs: dict[str, Path]):
        self.labs = {}
        for param, workdir in workdirs.items():
            stack, _, discovery = param.partition(":")
            self.labs[param] = NodeLab(stack, workdir, tarball, discovery or None)
        self._pool = ThreadPoolExecutor(len(self.labs), thread_name_prefix="node-lab-start")
        self._starts = {param: self._pool.submit(lab.start) for param, lab in self.labs.items()}

    def started(self, param: str) -> NodeLab:
        """The lab of `param` once it is in service; its start's exception if it failed."""
        self._starts[param].result(LAB_START_TIMEOUT_SECONDS)
        return self.labs[param]

    def finish(self, param: str) -> None:
        """Close the lab of `param` once its tests are done (a start still running is left to `close`)."""
        if self._starts[param].done():
            self.labs[param].close()

    def close(self) -> None:
        for param, start in self._starts.items():
            if not start.cancel() and not start.done():
                self.labs[param].interrupt()  # its processes and namespaces go: its next step fails
        self._pool.shutdown(wait=True)
        for lab in self.labs.values():
            lab.close()


LAB_START_TIMEOUT_SECONDS = 900
"""Three labs booting side by side on a busy two-core machine take a few minutes; this stops a hung one."""


@pytest.fixture(scope="session")
def started_labs(release_tarball: Path, lab_tools: None, tmp_path_factory) -> Iterator[StartedLabs]:
    workdirs = {
        param: tmp_path_factory.mktemp(f"node-lab-{param.replace(':', '-')}{'' if ':' in param else '-shipped'}")
        for param in lab_stacks()
    }
    previous = signal.signal(signal.SIGTERM, _interrupt)
    labs = StartedLabs(release_tarball, workdirs)
    try:
        yield labs
    finally:
        labs.close()
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session", params=lab_stacks())
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


def _interrupt(number: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"node lab: stopped by signal {number}")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    for report in config.stash.get(REPORTS, []):
        terminalreporter.write_line("")
        for line in report.render().splitlines():
            terminalreporter.write_line(line)
