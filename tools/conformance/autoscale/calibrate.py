"""The work per request, set at the start of a run so that a node's capacity is the scenario's
(issue 24: the same scenario on a faster or a slower machine).

    calibration = work_for([reading_low, reading_high], cores=0.1, real_rate=20)
    calibration.kloops     # /work?kloops=N for the run

The scenario's demand is in requests (scenario.py: fractions of a node's capacity, NODE_CAPACITY
requests per lab second), and so is prod's request-count target (variants.py), applied with the stack
before any node runs. So the lab does not move the levels to the machine; it moves the work: each
request counts down from as many thousand as make a node of the scenario's `cores` serve exactly
NODE_CAPACITY requests per lab second. The derivation:

- a node of `cores` CPUs whose requests cost c CPU seconds each serves cores / c requests per real
  second, so NODE_CAPACITY x factor real requests per second need c* = cores / (NODE_CAPACITY x factor)
  (0.1 / (2 x 10) = 5 ms of CPU per request);
- a request to /work?kloops=k costs c(k) = fixed + per_kloop x k: the HTTP handling, then the countdown
  (Shop.Work.count/1). The probe measures c at two k, which gives both terms, and
  k* = (c* - fixed) / per_kloop.

c(k) is measured on the lab's own nodes, under their quota (probe.py): lab.py's PROBE_WORKERS_PER_NODE
closed-loop clients per node through the load balancer, so every node always has requests waiting, as
a saturated node of the run does; c(k) = the CPU time the nodes' cgroups used from the probe's first
request to its last answer (cpuacct.usage) / the requests answered. Saturated, a node's schedulers do
not busy-wait between requests, so c(k) is the request's own cost; below saturation a node also spends
CPU spinning, which is why its CPU runs ahead of its load (the run's profile shows by how much).
The machine's speed drifts with what else runs on it (the same probe read 5.5 to 7.0 ms a request
within a minute on the lab's machine, and dev's and prod's probes of one run 1.46 and 2.37 us a kloop),
so a run's measured capacity can differ from the calibrated one by up to some 30 %; the report gives both.
"""

from __future__ import annotations

from dataclasses import dataclass

NANOSECONDS = 1_000_000_000
MAX_KLOOPS = 1_000_000
"""Shop.Work's bound on kloops."""


@dataclass(frozen=True)
class Reading:
    """One probe window at `kloops`: the requests answered in it and the nodes' CPU time used."""

    kloops: int
    answered: int
    cpu_ns: int
    throttled_share: float = 1.0
    """The share of the quota's periods in which the nodes were throttled (cpu.stat): near 1, saturated."""
    scheduler_utilization: tuple[float, ...] = ()
    """The release's SchedulerUtilization samples that cover only the window, from every node (lab.py's
    StatsD tap): with requests always waiting, its normal schedulers never idle."""

    @property
    def seconds_per_request(self) -> float:
        if self.answered <= 0:
            raise ValueError(f"the probe at kloops={self.kloops} got no answer: nothing to measure a request by")
        return self.cpu_ns / NANOSECONDS / self.answered


@dataclass(frozen=True)
class Calibration:
    readings: tuple[Reading, ...]
    fixed_seconds: float
    """CPU per request that does not depend on kloops (the HTTP handling)."""
    per_kloop_seconds: float
    target_seconds: float
    """CPU per request at which a node serves the scenario's capacity."""
    kloops: int

    def describe(self) -> str:
        probes = ", ".join(
            f"kloops {r.kloops}: {r.answered} answered, {r.seconds_per_request * 1000:.2f} ms CPU each, "
            f"throttled in {r.throttled_share:.0%} of periods, SchedulerUtilization {_mean(r.scheduler_utilization)}"
            for r in self.readings
        )
        return (
            f"calibrated: a request costs {self.fixed_seconds * 1000:.2f} ms + {self.per_kloop_seconds * 1e6:.3f} us x "
            f"kloops of CPU ({probes}); {self.target_seconds * 1000:.2f} ms each makes the scenario's capacity: "
            f"kloops {self.kloops}"
        )


def _mean(samples: tuple[float, ...]) -> str:
    return f"{sum(samples) / len(samples):.1f} % ({len(samples)} samples)" if samples else "not sampled"


def merged(readings: list[Reading]) -> list[Reading]:
    """One reading per kloops: the windows at the same size added up (answers, CPU, throttled periods
    weighted by CPU), smallest kloops first."""
    by_kloops: dict[int, list[Reading]] = {}
    for reading in readings:
        by_kloops.setdefault(reading.kloops, []).append(reading)
    return [
        Reading(
            kloops,
            sum(r.answered for r in same),
            sum(r.cpu_ns for r in same),
            sum(r.throttled_share * r.cpu_ns for r in same) / max(1, sum(r.cpu_ns for r in same)),
            tuple(sample for r in same for sample in r.scheduler_utilization),
        )
        for kloops, same in sorted(by_kloops.items())
    ]


def work_for(readings: list[Reading], cores: float, real_rate: float) -> Calibration:
    """The kloops at which a node of `cores` CPUs serves `real_rate` requests per real second, from probe
    readings at two different kloops (see the module docstring). Several windows at the same size are
    added up: taken low, high, high, low, a machine slowing or speeding steadily during the probe weighs
    on both sizes alike, and the slope between them stays."""
    if len({r.kloops for r in readings}) != 2:
        raise ValueError(f"calibration needs readings at two different kloops, got {[r.kloops for r in readings]}")
    low, high = merged(readings)
    per_kloop = (high.seconds_per_request - low.seconds_per_request) / (high.kloops - low.kloops)
    if per_kloop <= 0:
        raise ValueError(
            f"a request at kloops {high.kloops} cost no more CPU than at {low.kloops} "
            f"({high.seconds_per_request * 1000:.2f} against {low.seconds_per_request * 1000:.2f} ms): "
            "the probe did not measure the countdown (were the nodes saturated?)"
        )
    fixed = max(0.0, low.seconds_per_request - per_kloop * low.kloops)
    target = cores / real_rate
    kloops = round((target - fixed) / per_kloop)
    if not 1 <= kloops <= MAX_KLOOPS:
        raise ValueError(
            f"{target * 1000:.2f} ms of CPU per request needs kloops {kloops}, outside 1..{MAX_KLOOPS} "
            f"(a request costs {fixed * 1000:.2f} ms + {per_kloop * 1e6:.3f} us x kloops here): "
            "change the scenario's cores or NODE_CAPACITY"
        )
    return Calibration((low, high), fixed, per_kloop, target, kloops)
