"""The calibration's StatsD tap (statsd_tap.py): the release's samples of one metric, each with the time
it arrived, read as the agent reads lines. Here on the test's own loopback (no namespace)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tools.conformance.autoscale.statsd_tap import StatsdTap

RELEASE_DATAGRAM = Path(__file__).parents[3] / "examples/shop/test/fixtures/beam_metrics.statsd"
"""The release's own bytes for one sample (Shop.BeamMetrics.payload/2, fixed by its ExUnit test)."""


def send(address: tuple[str, int], datagram: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(datagram, address)


def wait_for(tap: StatsdTap, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(tap.samples) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_tap_records_the_release_s_samples_of_its_metric_with_their_arrival_time():
    datagram = RELEASE_DATAGRAM.read_bytes()
    lines = datagram.decode().splitlines()
    utilization = next(float(line.split(":")[1].split("|")[0]) for line in lines if line.startswith("SchedulerUt"))
    with StatsdTap(None, ("127.0.0.1", 0), "SchedulerUtilization") as tap:
        before = time.monotonic()
        send(tap.address, datagram)
        send(tap.address, b"SchedulerUtilization:oops|g\nSchedulerUtilization:87.25|g\nOther:7|g")
        wait_for(tap, 2)
        after = time.monotonic()
    # the run-queue line and Other are another metric; "oops" the agent drops ("parsing value to float64")
    assert [value for _, value in tap.samples] == [utilization, 87.25]
    assert tap.values_between(before, after) == [utilization, 87.25]
    assert tap.values_between(after + 0.001, after + 60) == []


def test_a_tap_that_cannot_listen_says_where():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        with pytest.raises(RuntimeError, match="did not listen on"):
            StatsdTap(None, taken.getsockname(), "SchedulerUtilization").__enter__()
