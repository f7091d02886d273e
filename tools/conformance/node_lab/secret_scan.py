"""Where a secret's value shows on a lab instance: command lines, environments, files and logs.

    values = {"SECRET_KEY_BASE": "...", "DATABASE_URL": "..."}
    in_processes(values, instance.namespace.pids())            # cmdline and environ of each
    in_processes(values, host_pids(), parts=("cmdline",))      # every command line on the machine
    release = descendants(main_pid(instance, "shop.service"), instance.namespace.pids())
    in_files(values, files_under(instance.path("/var/lib/shop")))
    in_files(values, instance_logs(instance))                   # cloud-init's logs, the units' journal

Each finding is a `Sighting`: the secret's name and where it showed, never the value, so a
failing check can print its findings. The node lab's leak checks, for the cookie and the
stack's release.secrets, are built from these pieces.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .boot import journal
from .cloud_init import RECORDS_DIR
from .instance import Instance

CLOUD_INIT_LOGS = ("/var/log/cloud-init.log", "/var/log/cloud-init-output.log")
PROCESS_PARTS = ("cmdline", "environ")
LARGEST_FILE_BYTES = 50_000_000
"""Files larger than this are not read (none of a node's own files comes near)."""


@dataclass(frozen=True)
class Sighting:
    secret: str
    """The secret's name (a variable name), never its value."""
    where: str
    """`environ of pid 812 (epmd)`, `/var/log/cloud-init.log`..."""


def host_pids() -> list[int]:
    """Every process on the machine but this one."""
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and int(p.name) != os.getpid()]


def in_processes(
    values: Mapping[str, str], pids: Iterable[int], parts: tuple[str, ...] = PROCESS_PARTS
) -> list[Sighting]:
    """Which of `values` show in the command line or environment (`parts`) of each process."""
    found = []
    for pid in pids:
        for part in parts:
            try:
                text = Path(f"/proc/{pid}/{part}").read_bytes()
            except OSError:  # gone meanwhile, or a kernel thread
                continue
            found += [Sighting(name, f"{part} of pid {pid} ({comm(pid)})") for name in _held(values, text)]
    return found


def descendants(pid: int, among: Iterable[int]) -> set[int]:
    """`pid` and every process among `among` descending from it (its children, theirs...)."""
    parents = {child: _parent(child) for child in among}
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return family


def main_pid(instance: Instance, unit: str) -> int | None:
    """The main process of `unit`'s latest start, as the unit runner's journal records it."""
    starts = re.findall(r"started \S+ \(pid (\d+)\)", journal(instance, unit))
    return int(starts[-1]) if starts else None


def in_files(values: Mapping[str, str], paths: Iterable[Path]) -> list[Sighting]:
    """Which of `values` show in each file."""
    found = []
    for path in paths:
        try:
            if path.stat().st_size > LARGEST_FILE_BYTES:
                continue
            text = path.read_bytes()
        except OSError:
            continue
        found += [Sighting(name, str(path)) for name in _held(values, text)]
    return found


def files_under(root: Path) -> list[Path]:
    """Every regular file under `root` (symbolic links not followed); `root` itself if it is a file."""
    if root.is_file():
        return [root]
    found = []
    for directory, _dirs, files in os.walk(root):
        found += [p for p in (Path(directory, name) for name in files) if p.is_file() and not p.is_symlink()]
    return found


def instance_logs(instance: Instance) -> list[Path]:
    """What an operator would read on the node: cloud-init's logs, every unit's journal, the lab's recorders."""
    roots = [instance.path(log) for log in CLOUD_INIT_LOGS] + [instance.path(RECORDS_DIR)]
    return [path for root in roots if root.exists() for path in files_under(root)]


def _held(values: Mapping[str, str], text: bytes) -> list[str]:
    return [name for name, value in values.items() if value and value.encode() in text]


def comm(pid: int) -> str:
    """The process's command name (`beam.smp`, `epmd`...); `?` once it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])
