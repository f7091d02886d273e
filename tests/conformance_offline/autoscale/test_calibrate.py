"""The work per request the autoscale lab sets at the start of a run (calibrate.py): from the CPU two probe
windows cost, the countdown at which a node of the scenario's cores serves the scenario's capacity.
Expected kloops are worked by hand from the readings."""

from __future__ import annotations

import pytest

from tools.conformance.autoscale.calibrate import Reading, work_for

CORES = 0.1
REAL_RATE = 20
"""NODE_CAPACITY 2 requests per lab second at a factor of 10: 0.1 / 20 = 5 ms of CPU per request."""


def test_the_work_is_set_where_a_request_costs_the_quota_over_the_capacity():
    # 200 requests for 0.42 s of CPU at kloops 1000: 2.1 ms each; 100 for 0.81 s at 4000: 8.1 ms each.
    # (8.1 - 2.1) / 3000 = 2 us per kloop; 2.1 - 1000 x 0.002 = 0.1 ms fixed; (5 - 0.1) / 0.002 = 2450.
    low, high = Reading(1000, 200, 420_000_000), Reading(4000, 100, 810_000_000)
    calibration = work_for([high, low], CORES, REAL_RATE)

    assert calibration.per_kloop_seconds == pytest.approx(2e-6)
    assert calibration.fixed_seconds == pytest.approx(1e-4)
    assert calibration.target_seconds == pytest.approx(0.005)
    assert calibration.kloops == 2450


def test_a_machine_twice_as_fast_counts_down_twice_as_far():
    # 1.05 ms and 4.05 ms: 1 us per kloop, 0.05 ms fixed: (5 - 0.05) / 0.001 = 4950
    readings = [Reading(1000, 200, 210_000_000), Reading(4000, 100, 405_000_000)]
    assert work_for(readings, CORES, REAL_RATE).kloops == 4950


def test_windows_at_the_same_size_are_added_up():
    # low, high, high, low: 1000 kloops, 200 answers for 0.42 s (2.1 ms); 4000, 100 for 0.82 s (8.2 ms).
    # (8.2 - 2.1) / 3000 = 2.0333 us per kloop; 2.1 - 2.0333 = 0.0667 ms fixed; (5 - 0.0667) / 0.0020333 = 2426
    readings = [
        Reading(1000, 100, 200_000_000),
        Reading(4000, 50, 400_000_000),
        Reading(4000, 50, 420_000_000),
        Reading(1000, 100, 220_000_000),
    ]
    calibration = work_for(readings, CORES, REAL_RATE)
    assert [(r.kloops, r.answered, r.cpu_ns) for r in calibration.readings] == [
        (1000, 200, 420_000_000),
        (4000, 100, 820_000_000),
    ]
    assert calibration.per_kloop_seconds == pytest.approx(6.1e-3 / 3000)
    assert calibration.kloops == 2426


def test_a_probe_that_did_not_measure_the_countdown_is_refused():
    same = [Reading(1000, 100, 500_000_000), Reading(4000, 100, 500_000_000)]
    with pytest.raises(ValueError, match="were the nodes saturated"):
        work_for(same, CORES, REAL_RATE)
    with pytest.raises(ValueError, match="got no answer"):
        work_for([Reading(1000, 0, 1), Reading(4000, 10, 10)], CORES, REAL_RATE)
    with pytest.raises(ValueError, match="two different kloops"):
        work_for([Reading(1000, 10, 10), Reading(1000, 10, 10)], CORES, REAL_RATE)


def test_a_capacity_no_countdown_can_reach_names_what_to_change():
    # 100 us per kloop: 5 ms is 50 kloops; 100 requests per real second need 1 ms, less than the 2 ms fixed
    readings = [Reading(1000, 10, 1_020_000_000), Reading(2000, 10, 2_020_000_000)]
    assert work_for(readings, CORES, REAL_RATE).kloops == 30  # (5 - 2) / 0.1
    with pytest.raises(ValueError, match="outside 1..1000000 .* change the scenario's cores or NODE_CAPACITY"):
        work_for(readings, CORES, 100)


def test_the_release_s_scheduler_utilization_is_kept_per_size_and_described():
    readings = [
        Reading(1000, 100, 200_000_000, 1.0, (99.5, 100.0)),
        Reading(4000, 50, 400_000_000, 1.0, (98.0,)),
        Reading(4000, 50, 420_000_000, 0.98, (100.0,)),
        Reading(1000, 100, 220_000_000, 1.0, ()),
    ]
    calibration = work_for(readings, CORES, REAL_RATE)
    assert [r.scheduler_utilization for r in calibration.readings] == [(99.5, 100.0), (98.0, 100.0)]
    # (99.5 + 100) / 2 = 99.75, shown to a tenth; (98 + 100) / 2 = 99.0
    assert "SchedulerUtilization 99.8 % (2 samples)" in calibration.describe()
    assert "SchedulerUtilization 99.0 % (2 samples)" in calibration.describe()
    unsampled = work_for([Reading(1000, 200, 420_000_000), Reading(4000, 100, 810_000_000)], CORES, REAL_RATE)
    assert "SchedulerUtilization not sampled" in unsampled.describe()
