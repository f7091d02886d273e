"""What a node's release sends over StatsD before its agent stand-in starts (lab.py: during the
calibration, when the probe keeps every node saturated): the samples of one metric, each with the real
time it arrived.

    with StatsdTap(namespace, ("127.0.0.1", 8125), "SchedulerUtilization") as tap:
        ...                                   # the probe runs
    tap.values_between(start, end)            # the samples that arrived in [start, end] (CLOCK_MONOTONIC)

It listens where the agent will (the rendered configuration's service_address, in the node's network
namespace) and parses lines as the agent does (statsd.py); it publishes nothing. The address is free
again once the tap closes, for the agent.
"""

from __future__ import annotations

import select
import socket
import threading
import time

from tools.conformance.metrics.statsd import UnsupportedLine, parse_line
from tools.conformance.node_lab.aws import _enter_network_namespace

POLL_SECONDS = 0.02
"""How often the listening thread looks whether it is told to stop."""
READY_SECONDS = 5.0


class StatsdTap:
    """See the module docstring."""

    def __init__(self, namespace: str | None, address: tuple[str, int], name: str):
        self.namespace = namespace
        """The node's network namespace; None listens in the caller's (a test)."""
        self.address = address
        self.name = name
        self.samples: list[tuple[float, float]] = []
        """(CLOCK_MONOTONIC second it arrived, value), in arrival order."""
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._listen, daemon=True, name=f"statsd-tap-{namespace}")

    def __enter__(self) -> StatsdTap:
        self._thread.start()
        if not self._ready.wait(READY_SECONDS) or self._error is not None:
            self.__exit__()
            raise RuntimeError(f"the StatsD tap in {self.namespace} did not listen on {self.address}: {self._error}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(READY_SECONDS)

    def values_between(self, start: float, end: float) -> list[float]:
        return [value for at, value in self.samples if start <= at <= end]

    def _listen(self) -> None:
        try:
            if self.namespace is not None:
                _enter_network_namespace(self.namespace)  # this thread only
            listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            listener.bind(self.address)
            self.address = listener.getsockname()  # port 0: the one the system chose
        except OSError as failed:
            self._error = failed
            self._ready.set()
            return
        self._ready.set()
        with listener:
            while not self._stop.is_set():
                if select.select([listener], [], [], POLL_SECONDS)[0]:
                    datagram, _ = listener.recvfrom(65535)
                    self._record(datagram, time.monotonic())

    def _record(self, datagram: bytes, at: float) -> None:
        for line in datagram.decode("utf-8", errors="replace").splitlines():
            try:
                samples = parse_line(line.strip()) if line.strip() else []
            except (ValueError, UnsupportedLine):
                continue  # the agent would drop it too; the tap records only what it would read
            self.samples += [(at, s.value) for s in samples if s.name == self.name]
