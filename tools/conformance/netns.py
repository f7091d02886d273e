"""Network namespaces on one bridge: the lab's VPC, leaving no trace on the host.

The bridge lives in a namespace of its own (the switch) and every veth pair is created
straight between the switch and a member namespace, so the host's interfaces, routes and
iptables are never touched. Each member gets one address from LAB_NETWORK on its `eth0`.

Namespace names carry NAME_PREFIX and the id of the process that made them: a run that
died without cleaning up (SIGKILL, a crashed interpreter) is recognised by the next one,
which ends the processes left inside and deletes the namespaces (`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

NAME_PREFIX = "elixir-conformance-"
"""Every namespace the lab creates starts with this, then `<pid>-`."""

LAB_NETWORK = ipaddress.ip_network("198.18.0.0/24")
"""RFC 2544's benchmarking range: never routed, so it cannot shadow a network the host uses."""

BRIDGE = "br0"
MEMBER_INTERFACE = "eth0"
COMMAND_TIMEOUT_SECONDS = 30
"""Bound on any single ip/iptables command (they take milliseconds)."""

PROJECT_DIR = Path(__file__).resolve().parents[2]


class LabCommandFailed(RuntimeError):
    """A command the lab ran failed; the message has the command and its stderr."""


def run(
    argv: Sequence[str], *, stdin: str | None = None, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end (ip, or anything through `ip netns exec`), bounded."""
    done = subprocess.run(
        list(argv), input=stdin, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False
    )
    if check and done.returncode != 0:
        raise LabCommandFailed(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done


@dataclass(frozen=True)
class Namespace:
    """One network namespace of the lab and its address on the bridge (None for the switch)."""

    name: str
    address: ipaddress.IPv4Address | None = None

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv` as run inside this namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: Sequence[str], *, stdin: str | None = None, check: bool = True, env=None):
        return run(self.command(argv), stdin=stdin, check=check, env=env)

    def start(self, argv: Sequence[str], *, env: dict[str, str] | None = None, log: Path | None = None):
        """Start a long-running process inside this namespace; its output goes to `log`."""
        output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(self.command(argv), env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
        finally:
            if log:
                output.close()

    def python(self, module: str, *args: str) -> list[str]:
        """The command line running `python -m module args` from this project, for `run`/`start`."""
        return ["env", f"PYTHONPATH={PROJECT_DIR}", sys.executable, "-m", module, *args]

    def pids(self) -> list[int]:
        """Every process living in this namespace."""
        done = run(["ip", "netns", "pids", self.name], check=False)
        return [int(pid) for pid in done.stdout.split()]


class Network:
    """The switch and its members, named `<NAME_PREFIX><pid>-<label>-<role>`."""

    def __init__(self, label: str):
        self.prefix = f"{NAME_PREFIX}{os.getpid()}-{label}-"
        self.switch = Namespace(self.prefix + "switch")
        self.members: list[Namespace] = []
        self._addresses: Iterator[ipaddress.IPv4Address] = LAB_NETWORK.hosts()

    def create(self) -> None:
        _create_namespace(self.switch.name)
        self.switch.run(["ip", "link", "add", BRIDGE, "type", "bridge"])
        self.switch.run(["ip", "link", "set", BRIDGE, "up"])

    def add(self, role: str, address: ipaddress.IPv4Address | None = None) -> Namespace:
        """A new namespace on the bridge with `address` (the node lab gives moto's), else the next free one."""
        member = Namespace(self.prefix + role, address or next(self._addresses))
        _create_namespace(member.name)
        self.members.append(member)
        port = f"p{len(self.members)}"  # the switch's end: interface names are at most 15 characters
        self.switch.run(
            ["ip", "link", "add", port, "type", "veth", "peer", "name", MEMBER_INTERFACE, "netns", member.name]
        )
        self.switch.run(["ip", "link", "set", port, "master", BRIDGE, "up"])
        member.run(["ip", "addr", "add", f"{member.address}/{LAB_NETWORK.prefixlen}", "dev", MEMBER_INTERFACE])
        member.run(["ip", "link", "set", MEMBER_INTERFACE, "up"])
        return member

    def discard(self, member: Namespace) -> None:
        """Remove one member (its processes, namespace and veth pair)."""
        remove_namespace(member.name)
        self.members.remove(member)

    def remove(self) -> None:
        """End every process in the lab's namespaces, then delete them (the veths and bridge go with them)."""
        for namespace in [*self.members, self.switch]:
            remove_namespace(namespace.name)
        self.members.clear()


def _create_namespace(name: str) -> None:
    run(["ip", "netns", "add", name])
    namespace = Namespace(name)
    namespace.run(["ip", "link", "set", "lo", "up"])
    # The lab is IPv4 only: with IPv6 off, no path bypasses the IPv4 firewall.
    namespace.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"])


def remove_namespace(name: str) -> None:
    """Kill (by pid) what runs inside the namespace, then delete it; a no-op if it is gone."""
    for pid in Namespace(name).pids():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    run(["ip", "netns", "delete", name], check=False)


def lab_namespaces() -> list[str]:
    """Names of every namespace any lab run created that still exists."""
    listing = run(["ip", "netns", "list"], check=False).stdout
    names = (line.split()[0] for line in listing.splitlines() if line.strip())
    return [name for name in names if name.startswith(NAME_PREFIX)]


def remove_leftovers() -> list[str]:
    """Delete the namespaces of lab runs whose process is gone; returns their names."""
    removed = []
    for name in lab_namespaces():
        owner = name[len(NAME_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not process_alive(int(owner)):
            remove_namespace(name)
            removed.append(name)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (the owner of a lab's namespaces or files)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
