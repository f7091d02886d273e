"""Bounded waiting: every wait in the lab has a deadline and says how long it took."""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_PAUSE_SECONDS = 0.1


def wait_until(condition: Callable[[], object], timeout: float, pause: float = DEFAULT_PAUSE_SECONDS) -> float | None:
    """Seconds until `condition()` was first true, polling every `pause`; None if not within `timeout`."""
    start = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - start
        if time.monotonic() - start >= timeout:
            return None
        time.sleep(pause)
