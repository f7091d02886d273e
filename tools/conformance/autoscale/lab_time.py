"""The lab's time: one lab minute in `60 / factor` real seconds, the same for everything the lab times.

    time = LabTime(factor=10)                 # a lab minute is 6 real seconds
    time.now()                                # the lab's datetime (what datapoints are stamped with)
    time.minute()                             # the lab minute now: 0, 1, 2, ... from the start
    time.sleep_until(time.minute_start(3))    # wall time passes 1/factor as fast

What runs on it, so that compression is consistent (issue 24 item 4): the load generator's schedule
(requests per lab second), the release's sample interval and the agent's 10 s collection and 60 s
aggregation (lab seconds, and the timestamps it publishes), the AWS-side metrics' one-minute periods,
the alarms' evaluation each lab minute, the policies' warmups, and the simulator's replay of the run
(one trace row per lab minute). What does not compress, because real processes do it in real
seconds: a node's boot, HAProxy's health checks, the deregistration delay and the drain. The lab
measures those in lab seconds (real seconds x factor), which is how the replay's profile gets them.

The lab's clock starts in the past (`start`, a minute boundary several lab-hours back), so that every
timestamp it publishes stays behind the real clock: CloudWatch (and moto) take datapoints up to two
weeks old, and the lab never publishes one from the future.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

SECONDS_PER_MINUTE = 60
HEADROOM = timedelta(hours=24)
"""How far behind the real clock the lab's clock starts: more than any lab run covers in lab time."""


class LabTime:
    """See the module docstring. `monotonic` is the real clock (a test passes its own)."""

    def __init__(
        self,
        factor: float,
        start: datetime | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if factor <= 0:
            raise ValueError(f"the lab's time factor must be positive, got {factor}")
        self.factor = factor
        self.start = start or (datetime.now(UTC) - HEADROOM).replace(second=0, microsecond=0)
        if self.start.second or self.start.microsecond:
            raise ValueError(f"the lab's clock starts on a minute boundary, got {self.start:%H:%M:%S.%f}")
        self._monotonic = monotonic
        self._sleep = sleep
        self._real_start = monotonic()

    def __call__(self) -> datetime:
        """The lab's now: the agent stand-in's clock."""
        return self.now()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed())

    def elapsed(self) -> float:
        """Lab seconds since the start."""
        return (self._monotonic() - self._real_start) * self.factor

    def minute(self, at: datetime | None = None) -> int:
        """The lab minute `at` (default now) falls in."""
        return int(((at or self.now()) - self.start).total_seconds() // SECONDS_PER_MINUTE)

    def minute_start(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)

    def real_seconds(self, lab_seconds: float) -> float:
        return lab_seconds / self.factor

    def lab_seconds(self, real_seconds: float) -> float:
        return real_seconds * self.factor

    def sleep(self, lab_seconds: float) -> None:
        self._sleep(max(0.0, lab_seconds) / self.factor)

    def sleep_until(self, at: datetime) -> None:
        self.sleep((at - self.now()).total_seconds())
