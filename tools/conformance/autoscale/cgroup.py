"""A node's CPU: cgroup v1's cpu controller caps it (`cpu.cfs_quota_us`), cpuacct counts what it used.

    node = NodeCgroup("autoscale-1234/node3", cores=0.1)   # 0.1 of a core: the instance's vCPUs
    node.adopt(instance.all_processes())                    # the node's processes, and their children
    node.usage_ns()                                         # cpuacct.usage: CPU time used, in ns
    node.close()

The quota gives a node a small, known capacity: a node of 0.1 cores serves a tenth of what a whole
core would, so a lab of five nodes fits on a CI machine's two cores beside moto, HAProxy and the
load. The kernel's CFS bandwidth control (Documentation/scheduler/sched-bwc.rst): a group may run
`cfs_quota_us` per `cfs_period_us`; a short period (PERIOD_US) spreads the quota evenly, so a
request is not held for most of a 100 ms period once the quota is spent.

EC2's CPUUtilization is the share of the instance's vCPUs used; here the instance's vCPUs are its
quota (`cores`), so utilization = CPU time used / (wall time x cores) x 100, capped at 100 (a
sampling edge can read a little over).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

CPU_ROOT = Path("/sys/fs/cgroup/cpu")
CPUACCT_ROOT = Path("/sys/fs/cgroup/cpuacct")
PERIOD_US = 20_000
"""20 ms: the quota is spread over short periods (the kernel accepts 1 ms to 1 s)."""
MIN_QUOTA_US = 1_000
"""The kernel refuses a quota below 1 ms."""
NANOSECONDS = 1_000_000_000
PERCENT = 100.0


def quota_us(cores: float, period_us: int = PERIOD_US) -> int:
    """`cpu.cfs_quota_us` for `cores` CPUs at `period_us`."""
    quota = round(cores * period_us)
    if quota < MIN_QUOTA_US:
        raise ValueError(
            f"{cores} cores at a {period_us} us period is a {quota} us quota; the kernel's least is "
            f"{MIN_QUOTA_US} us: give more cores or a longer period"
        )
    return quota


def cpu_utilization(used_ns: int, wall_seconds: float, cores: float) -> float:
    """EC2's CPUUtilization of a node whose vCPUs are `cores`: `used_ns` of CPU over `wall_seconds`."""
    if wall_seconds <= 0:
        raise ValueError(f"a utilization needs some wall time, got {wall_seconds} s")
    return min(PERCENT, used_ns / NANOSECONDS / (wall_seconds * cores) * PERCENT)


def missing_cgroups() -> list[str]:
    """What this machine lacks for node quotas (empty when it has it)."""
    missing = []
    for root, controller in ((CPU_ROOT, "cpu.cfs_quota_us"), (CPUACCT_ROOT, "cpuacct.usage")):
        if not (root / controller).exists():
            missing.append(f"{root}: cgroup v1's {root.name} controller, mounted (needs {controller})")
    return missing


class NodeCgroup:
    """See the module docstring. `name` is a path under each controller's root."""

    def __init__(self, name: str, cores: float, period_us: int = PERIOD_US):
        self.name = name
        self.cores = cores
        self.cpu = CPU_ROOT / name
        self.cpuacct = CPUACCT_ROOT / name
        for directory in (self.cpu, self.cpuacct):
            directory.mkdir(parents=True, exist_ok=True)
        self.period_us = period_us
        (self.cpu / "cpu.cfs_period_us").write_text(str(period_us))
        self.set_cores(cores)

    def set_cores(self, cores: float) -> None:
        """A new quota, from now on."""
        (self.cpu / "cpu.cfs_quota_us").write_text(str(quota_us(cores, self.period_us)))

    def adopt(self, pids: list[int]) -> int:
        """Move these processes in (their later children follow); how many were still there to move."""
        moved = 0
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, OSError):
                for directory in (self.cpu, self.cpuacct):
                    (directory / "cgroup.procs").write_text(str(pid))
                moved += 1
        return moved

    def usage_ns(self) -> int:
        return int((self.cpuacct / "cpuacct.usage").read_text())

    def throttled_ns(self) -> int:
        """Time the quota held the node back (cpu.stat's throttled_time)."""
        return self._stat().get("throttled_time", 0)

    def periods(self) -> tuple[int, int]:
        """(quota periods so far, periods in which the quota ran out): cpu.stat's nr_periods, nr_throttled."""
        stats = self._stat()
        return stats.get("nr_periods", 0), stats.get("nr_throttled", 0)

    def _stat(self) -> dict[str, int]:
        return {
            key: int(value)
            for key, value in (line.split() for line in (self.cpu / "cpu.stat").read_text().splitlines())
        }

    def close(self) -> None:
        """Remove the group (its processes gone: the instance closed them); a parent left empty goes too."""
        for root, directory in ((CPU_ROOT, self.cpu), (CPUACCT_ROOT, self.cpuacct)):
            with contextlib.suppress(OSError):
                directory.rmdir()
            with contextlib.suppress(OSError):
                if directory.parent != root:
                    directory.parent.rmdir()
