"""Scheduled actions at their cron times in their time zone, daylight saving time included."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.scenario import changes, cpu_policy, run, stack
from tools.simulator.schedules import firing_minutes

DAY = 1440


def scheduled(*schedules, target_tracking=(), **nodes):
    return stack(nodes=nodes, scaling={"targetTracking": list(target_tracking), "schedules": list(schedules)})


def berlin(cron: str, **sizes):
    return {"name": "action", "cron": cron, "timezone": "Europe/Berlin", **sizes}


def minutes(cron: str, start: datetime, days: int) -> list[int]:
    schedule = scheduled(berlin(cron, minSize=1)).scaling.schedules[0]
    return firing_minutes(schedule, start, days * DAY)


def test_weekday_morning_in_berlin_is_six_utc_in_winter():
    # Monday 2026-01-05: 07:00 CET is 06:00 UTC, minute 360
    settings = scheduled(berlin("0 7 * * MON-FRI", minSize=6))
    simulation = run(settings, [0] * DAY)
    assert changes(simulation) == [(360, 1, 6)]
    assert simulation.policy.activities[0].cause == "schedule action (minSize 6)"


def test_a_weekday_schedule_leaves_the_weekend_alone():
    saturday = datetime(2026, 1, 10, tzinfo=UTC)
    assert changes(run(scheduled(berlin("0 7 * * MON-FRI", minSize=6)), [0] * DAY, start=saturday)) == []


def test_daylight_saving_time_moves_the_utc_minute():
    # 2026-03-29 Berlin goes from CET (UTC+1) to CEST (UTC+2): 07:00 local is 06:00 UTC on
    # Saturday the 28th and 05:00 UTC on Sunday the 29th
    assert minutes("0 7 * * *", datetime(2026, 3, 28, tzinfo=UTC), 2) == [6 * 60, DAY + 5 * 60]


def test_a_local_time_skipped_by_daylight_saving_time_does_not_fire():
    # 02:30 does not exist in Berlin on 2026-03-29: 01:30 UTC on the 28th, nothing on the 29th,
    # 00:30 UTC on the 30th
    assert minutes("30 2 * * *", datetime(2026, 3, 28, tzinfo=UTC), 3) == [90, 2 * DAY + 30]


def test_a_local_time_repeated_when_daylight_saving_time_ends_fires_twice():
    # 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET)
    assert minutes("30 2 * * *", datetime(2026, 10, 25, tzinfo=UTC), 1) == [30, 90]


def test_a_new_maximum_lowers_the_desired_capacity_and_holds_policies_to_it():
    # at minute 0 maxSize 3 takes 5 nodes to 3; then 60 rps is 100% CPU on 3 nodes and the
    # policy asks for 6 from minute 2, which the maximum holds at 3: no further activity
    settings = scheduled(
        {"name": "cap", "cron": "0 0 * * *", "maxSize": 3}, target_tracking=[cpu_policy()], desiredCapacity=5
    )
    simulation = run(settings, [60] * 10)
    assert changes(simulation) == [(0, 5, 3)]
    assert max(simulation.policy.desired[1:]) == 3


def test_desired_capacity_is_set_exactly():
    settings = scheduled({"name": "warm", "cron": "5 0 * * *", "desiredCapacity": 4}, desiredCapacity=2)
    assert changes(run(settings, [0] * 10)) == [(5, 2, 4)]


def test_nodes_a_schedule_launches_serve_after_the_boot():
    settings = scheduled({"name": "warm", "cron": "1 0 * * *", "desiredCapacity": 3}, desiredCapacity=1)
    simulation = run(settings, [0] * 6, boot_minutes=2)
    # launched at the start of minute 1, serving from minute 3
    assert simulation.policy.in_service == [1, 1, 1, 3, 3, 3]
    assert simulation.policy.desired == [1, 3, 3, 3, 3, 3]
