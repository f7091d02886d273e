"""`mem_used_percent`, as the CloudWatch agent computes it from /proc/meminfo.

The agent's `mem` input is telegraf's (`used_percent = 100 * used / total`) on gopsutil v3, which
the agent pins to aws/telegraf's patched copy (aws/amazon-cloudwatch-agent go.mod, the
`replace github.com/shirou/gopsutil/v3` line). gopsutil's Linux `VirtualMemory` reads
/proc/meminfo (kB) and takes

    cached = Cached + SReclaimable
    used   = MemTotal - MemFree - Buffers - cached

(shirou/gopsutil v3 mem/mem_linux.go, `fillFromMeminfoWithContext`). So page cache and
reclaimable slab count as free: a node full of cache is not "using" its memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

MEMINFO = Path("/proc/meminfo")
FIELDS = ("MemTotal", "MemFree", "Buffers", "Cached", "SReclaimable")


def read_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo's `Name:  <n> kB` lines, by name (kB)."""
    values = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        if sep and rest.split():
            values[name.strip()] = int(rest.split()[0])
    return values


def used_percent(meminfo: Mapping[str, int]) -> float:
    """The agent's mem_used_percent of a /proc/meminfo reading; ValueError naming a missing field."""
    missing = [name for name in FIELDS if name not in meminfo]
    if missing:
        raise ValueError(f"/proc/meminfo lacks {', '.join(missing)}: cannot compute mem_used_percent")
    cached = meminfo["Cached"] + meminfo["SReclaimable"]
    used = meminfo["MemTotal"] - meminfo["MemFree"] - meminfo["Buffers"] - cached
    return 100.0 * used / meminfo["MemTotal"]


COMPUTED = {"used_percent": used_percent}
"""The mem input's fields this stand-in computes, by field name (the metric is `mem_<field>`)."""


def node_used_percent(path: Path = MEMINFO) -> float:
    """This machine's mem_used_percent (a lab node shares its host's /proc/meminfo)."""
    return used_percent(read_meminfo(path.read_text()))
