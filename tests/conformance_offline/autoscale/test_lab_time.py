"""The lab's compressed time (lab_time.py): one lab minute in 60 / factor real seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tools.conformance.autoscale.lab_time import LabTime

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class RealClock:
    def __init__(self) -> None:
        self.seconds = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.seconds += seconds


def test_a_factor_of_ten_runs_a_lab_minute_in_six_real_seconds():
    real = RealClock()
    time = LabTime(10, START, monotonic=real, sleep=real.sleep)
    real.seconds += 6
    assert time.now() == START + timedelta(minutes=1) and time.minute() == 1
    real.seconds += 2.5  # 25 lab seconds more
    assert time.now() == START + timedelta(seconds=85) and time.minute() == 1
    time.sleep_until(time.minute_start(3))  # 180 - 85 = 95 lab seconds: 9.5 real ones
    assert real.slept == [9.5] and time.minute() == 3
    assert (time.real_seconds(120), time.lab_seconds(4)) == (12, 40)


def test_the_lab_clock_starts_behind_the_real_one_on_a_minute_boundary():
    time = LabTime(10)
    assert time.start.second == 0 and time.start < datetime.now(UTC) - timedelta(hours=23)


def test_a_start_off_a_minute_boundary_or_a_factor_of_zero_is_refused():
    with pytest.raises(ValueError, match="minute boundary"):
        LabTime(10, START + timedelta(seconds=3))
    with pytest.raises(ValueError, match="positive"):
        LabTime(0, START)
