"""The node lab's shared pieces: which stacks it boots, what it needs, and its labs started side by side.

The fixtures in tests/node_lab/conftest.py use these; a test module imports them from here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tools.conformance.node_lab.database import missing_database_tools
from tools.conformance.node_lab.lab import NodeLab

DEFAULT_STACKS = "dev prod dev:dns"
"""`stack` or `stack:discovery` (the stack file with release.discovery changed), space-separated."""

LAB_COMMANDS = {
    "ip": "iproute2",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "setpriv": "util-linux",
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

LAB_START_TIMEOUT_SECONDS = 900
"""Three labs booting side by side on a busy two-core machine take a few minutes; this stops a hung one."""


def lab_stacks() -> list[str]:
    return os.environ.get("NODE_LAB_STACKS", DEFAULT_STACKS).split()


def labs_here() -> list[str]:
    """The labs this pytest process boots and tests: NODE_LAB_SHARD's one (tests/support/node_lab_shards.py
    runs one process per lab, side by side), else every lab of NODE_LAB_STACKS."""
    shard = os.environ.get("NODE_LAB_SHARD")
    if shard is None:
        return lab_stacks()
    if shard not in lab_stacks():
        raise pytest.UsageError(f"NODE_LAB_SHARD={shard} is not a lab of NODE_LAB_STACKS ({' '.join(lab_stacks())})")
    return [shard]


def runs_the_tests_without_a_lab() -> bool:
    """Whether this process runs the tests that need no booted lab: the last shard's (the lightest), or
    the only process."""
    return os.environ.get("NODE_LAB_SHARD", lab_stacks()[-1]) == lab_stacks()[-1]


def lab_param(lab: NodeLab) -> str:
    """The lab as NODE_LAB_STACKS names it: `stack` or `stack:discovery`."""
    return f"{lab.stack}:{lab.discovery}" if lab.discovery else lab.stack


def telltales(lab: NodeLab) -> dict[str, str]:
    """What no log, command line, other process or leftover file may show: the cookie, the lab's secrets."""
    return {"RELEASE_COOKIE": lab.facts["cookie"], **lab.secrets.telltales()}


def first_lab_of_each_stack() -> set[str]:
    """Of NODE_LAB_STACKS, the first lab of each stack file (`dev`, not `dev:dns` after it)."""
    first: dict[str, str] = {}
    for param in lab_stacks():
        first.setdefault(param.partition(":")[0], param)
    return set(first.values())


def missing_lab_tools() -> list[str]:
    missing = [] if os.geteuid() == 0 else ["root: namespaces and mounts need it (run as root)"]
    missing += [f"{c}: apt-get install {p}" for c, p in LAB_COMMANDS.items() if shutil.which(c) is None]
    return missing + missing_database_tools()


def skip_unless_ready(missing: list[str]) -> None:
    if missing:
        pytest.skip("node lab cannot run here; missing: " + "; ".join(missing))


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


@contextmanager
def sigterm_as_interrupt(what: str) -> Iterator[None]:
    """SIGTERM (CI's timeout, the shards' runner) raises KeyboardInterrupt in the main thread, so the
    labs' `finally` blocks close their processes and namespaces; the previous handler comes back after."""

    def interrupt(number: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"{what}: stopped by signal {number}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_traffic(loop: subprocess.Popen) -> None:
    """Stop a request loop (tools.conformance.traffic) as it expects, killed if it does not end."""
    loop.send_signal(signal.SIGTERM)
    try:
        loop.wait(30)
    except subprocess.TimeoutExpired:
        loop.kill()
        loop.wait()
