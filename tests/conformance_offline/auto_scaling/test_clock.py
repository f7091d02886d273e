"""The compressed clock a lab runs a refresh in: the stack's seconds, fewer real ones."""

from __future__ import annotations

import time

import pytest

from tools.conformance.auto_scaling.clock import CompressedClock


def test_a_clock_compressed_a_thousand_times_sleeps_a_warmup_of_120_s_in_an_eighth_of_a_second():
    clock = CompressedClock(factor=1000)
    started = time.monotonic()
    clock.sleep(120)
    slept = time.monotonic() - started
    assert 0.12 <= slept < 1.0  # 120 / 1000 = 0.12 s, with room for a busy machine
    assert clock.now() >= 120


def test_a_clock_refuses_a_factor_that_would_stop_or_reverse_time():
    with pytest.raises(ValueError, match="positive"):
        CompressedClock(factor=0)
