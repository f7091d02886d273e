"""One lab namespace as one EC2 instance: a private file system and its own metadata service.

    instance = Instance(namespace, workdir, metadata)   # namespace: a member of the lab's Network
    instance.start()        # file system view, 169.254.169.254 on the namespace's loopback, IMDS
    instance.run(["cloud-init", ...])                   # runs inside both namespaces
    instance.path("/etc/shop/release.env").read_text()  # the host's view into the instance's files
    instance.set_lifecycle_state("Terminated")          # what Auto Scaling does on scale-in
    instance.close()        # every process in it killed; its mounts vanish with its mount namespace

The file system: a holder process (`python -m tools.conformance.node_lab.instance`) enters a
new mount namespace (`unshare --mount`, private propagation, so nothing propagates back to
the host), mounts a tmpfs as scratch space and lays an overlay over each of OVERLAID_DIRS
with its upper layer on that tmpfs: the instance sees the host's files and writes only to
memory. /run starts empty, as after a boot. Its own /etc/resolv.conf names the lab's
resolver (the VPC's DNS), /etc/hostname and /etc/hosts its own name. Everything the
instance runs enters the holder's mount and network namespaces through nsenter.

The metadata service listens on 169.254.169.254, an address added to the loopback of the
instance's network namespace only: the host has no such address and no route to this
server, so nothing from the host's namespace is ever sent to it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..netns import Namespace, run
from ..waiting import wait_until
from .imds import IMDS_ADDRESS, write_metadata

OVERLAID_DIRS = ("/etc", "/opt", "/var", "/usr/local", "/root", "/home", "/srv", "/tmp")
"""Where cloud-init, the bootstrap and the release write: seen through, written to memory."""

EMPTY_DIRS = ("/run",)
"""Runtime state starts empty on every boot."""

INSTANCE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"""PATH inside the instance: Debian's tools, with the lab's shims in /usr/local first."""

START_TIMEOUT_SECONDS = 10
"""Bound on the holder's mounts and the metadata service's first listen (both take well under a second)."""

COMMAND_TIMEOUT_SECONDS = 120


class InstanceFailed(RuntimeError):
    """The instance's file system or metadata service did not come up; the message has the log."""


class Instance:
    """See the module docstring."""

    def __init__(self, namespace: Namespace, workdir: Path, metadata: dict[str, Any], resolver: str | None = None):
        self.namespace = namespace
        self.workdir = workdir
        self.resolver = resolver
        self.metadata = {"local-ipv4": str(namespace.address), **metadata}
        self.metadata_file = workdir / "imds.json"
        self.log = workdir / "instance.log"
        self.holder: subprocess.Popen | None = None
        self.imds: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return self.namespace.name.rsplit("-", 1)[1]

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        write_metadata(self.metadata_file, self.metadata)
        self._start_file_system()
        self.namespace.run(["ip", "addr", "add", f"{IMDS_ADDRESS}/32", "dev", "lo"])
        ready = self.workdir / "imds.ready"
        argv = self.namespace.python(
            "tools.conformance.node_lab.imds", "--metadata", str(self.metadata_file), "--ready", str(ready)
        )
        self.imds = self.namespace.start(argv, log=self.workdir / "imds.log")
        if wait_until(ready.exists, START_TIMEOUT_SECONDS) is None:
            raise InstanceFailed(f"{self.name}: the metadata service did not listen; see {self.workdir / 'imds.log'}")

    def _start_file_system(self) -> None:
        scratch = self.workdir / "scratch"  # a mount point only: the tmpfs on it is private
        scratch.mkdir(exist_ok=True)
        ready = self.workdir / "filesystem.ready"
        hold = ["--scratch", str(scratch), "--ready", str(ready), "--hostname", self.name]
        if self.resolver:
            hold += ["--resolver", self.resolver]
        argv = ["unshare", "--mount", "--uts", "--propagation", "private", "--"]
        argv += self.namespace.python("tools.conformance.node_lab.instance", *hold)
        self.holder = self.namespace.start(argv, log=self.log)
        if wait_until(lambda: _written(ready) or self.holder.poll() is not None, START_TIMEOUT_SECONDS) is None:
            raise InstanceFailed(f"{self.name}: its file system was not ready in {START_TIMEOUT_SECONDS} s")
        if not _written(ready):
            raise InstanceFailed(f"{self.name}: its file system could not be set up: {self.log.read_text()}")

    # --- running things inside ------------------------------------------------------------

    @property
    def holder_pid(self) -> int:
        if self.holder is None or self.holder.poll() is not None:
            raise InstanceFailed(f"{self.name} is not running")
        return self.holder.pid

    def command(self, argv: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
        """`argv` as run inside the instance, with a clean environment (PATH, HOME, LANG + `env`)."""
        variables = {"PATH": INSTANCE_PATH, "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
        enter = ["nsenter", "--target", str(self.holder_pid), "--mount", "--uts", "--net", "--"]
        return [*enter, "env", "-i", *(f"{k}={v}" for k, v in variables.items()), *argv]

    def run(
        self, argv: Sequence[str], *, env: dict[str, str] | None = None, check: bool = True, timeout: float = 0
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(argv, env),
            capture_output=True,
            text=True,
            timeout=timeout or COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        if check and done.returncode != 0:
            raise InstanceFailed(f"{self.name}: {' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
        return done

    def start_process(self, argv: Sequence[str], *, env: dict[str, str] | None = None, log: Path | None = None):
        """A long-running process inside the instance; its output goes to `log` (a host path)."""
        output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(self.command(argv, env), stdin=subprocess.DEVNULL, stdout=output, stderr=output)
        finally:
            if log:
                output.close()

    def path(self, inside: str) -> Path:
        """A path of the instance's file system as the host can read it (through /proc/<pid>/root)."""
        return Path(f"/proc/{self.holder_pid}/root") / inside.lstrip("/")

    def written_files(self) -> list[tuple[str, Path]]:
        """Every file the instance wrote, as (its path inside, a host path to read it).

        Only those can hold what the instance was given: the rest of its file system is the
        host's, seen through. They are the overlays' upper layers (on the holder's scratch
        tmpfs, its working directory) and /run; reading them is quick, where walking the
        merged /etc, /var, /root... would read every file of the host's too.
        """
        scratch = Path(f"/proc/{self.holder_pid}/cwd")
        roots = [(directory, scratch / "upper" / _layer(directory)) for directory in OVERLAID_DIRS]
        roots += [(directory, self.path(directory)) for directory in EMPTY_DIRS]
        found = []
        for inside, root in roots:
            for directory, _dirs, files in os.walk(root):
                for name in files:
                    path = Path(directory, name)
                    if path.is_file() and not path.is_symlink():
                        found.append((str(Path(inside, path.relative_to(root))), path))
        return found

    def all_processes(self) -> list[int]:
        """Every process of the instance: in its mount namespace, or in its network namespace only
        (a service with mount namespace of its own: PrivateTmp and the like)."""
        return sorted({*self.processes(), *self.namespace.pids()})

    def processes(self) -> list[int]:
        """Every process living in the instance's mount namespace."""
        own = os.readlink(f"/proc/{self.holder_pid}/ns/mnt")
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if os.readlink(entry / "ns" / "mnt") == own:
                        found.append(int(entry.name))
        return found

    # --- what the lab changes -----------------------------------------------------------

    def set_lifecycle_state(self, state: str) -> None:
        """What `autoscaling/target-lifecycle-state` answers from now on."""
        self.update_metadata({"target-lifecycle-state": state})

    def update_metadata(self, changes: dict[str, Any]) -> None:
        """What the metadata service answers from now on (or from its start, before `start`)."""
        self.metadata = {**self.metadata, **changes}
        self.workdir.mkdir(parents=True, exist_ok=True)
        write_metadata(self.metadata_file, self.metadata)

    def close(self) -> None:
        """Kill every process of the instance; the mount namespace, and its tmpfs, go with the last."""
        if self.holder is not None and self.holder.poll() is None:
            for pid in self.all_processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for process in (self.imds, self.holder):
            if process is not None:
                process.kill()
                process.wait(START_TIMEOUT_SECONDS)


def _layer(directory: str) -> str:
    """The name of an overlaid directory's layers on the scratch tmpfs: /usr/local -> usr-local."""
    return directory.strip("/").replace("/", "-")


def _written(path: Path) -> bool:
    return path.exists() and bool(path.read_text().strip())


# --- the holder: runs inside the new mount namespace ------------------------------------


def _mount(*argv: str) -> None:
    run(["mount", *argv])


def set_up_file_system(scratch: Path, hostname: str, resolver: str | None) -> None:
    """Overlays with their writes in a private tmpfs, an empty /run, the instance's own names."""
    _mount("-t", "tmpfs", "-o", "mode=0700", "instance-scratch", str(scratch))
    os.chdir(scratch)  # the overlays below cover the path; the lab reads the layers through /proc/<pid>/cwd
    for directory in OVERLAID_DIRS:
        layer = _layer(directory)
        upper, work = scratch / "upper" / layer, scratch / "work" / layer
        upper.mkdir(parents=True)
        work.mkdir(parents=True)
        _mount("-t", "overlay", "overlay", "-o", f"lowerdir={directory},upperdir={upper},workdir={work}", directory)
    for directory in EMPTY_DIRS:
        _mount("-t", "tmpfs", "-o", "mode=0755", "instance-run", directory)
    etc = Path("/etc")
    for name in ("resolv.conf", "hostname", "hosts"):
        with contextlib.suppress(FileNotFoundError):
            (etc / name).unlink()  # may be a symlink into the host's /run
    (etc / "hostname").write_text(f"{hostname}\n")
    (etc / "hosts").write_text(f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n")
    if resolver:
        (etc / "resolv.conf").write_text(f"nameserver {resolver}\n")
    for directory in ("/run/lock", "/run/user"):
        Path(directory).mkdir(exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Holds one lab instance's mount namespace.")
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--hostname", required=True)
    parser.add_argument("--resolver")
    args = parser.parse_args(argv)
    # Opened before the overlays: the lab's workdir may be under /tmp, which they cover.
    with open(args.ready, "w") as ready:
        set_up_file_system(args.scratch, args.hostname, args.resolver)
        ready.write(f"{os.getpid()}\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:  # held until the lab kills it: the mounts live as long as this process
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
