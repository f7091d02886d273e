"""The refresh's time: real seconds, or compressed so that a lab waits a warmup of 120 s in a few.

A refresh waits for warmups and checkpoint delays; the stand-in asks a clock rather than `time`, so
a test drives it with a fake clock and a lab with a compressed one, under the stack's own numbers.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the clock started, in the refresh's time."""

    def sleep(self, seconds: float) -> None:
        """Let `seconds` of the refresh's time pass."""


class CompressedClock:
    """Wall time, `factor` times faster: `sleep(120)` with a factor of 40 sleeps three seconds."""

    def __init__(self, factor: float = 1.0) -> None:
        if factor <= 0:
            raise ValueError(f"a clock's factor must be positive, got {factor}")
        self.factor = factor
        self._start = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._start) * self.factor

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.factor)
