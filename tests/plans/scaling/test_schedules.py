"""Scheduled action plans: the provider's -1 for a size left as it is, AWS's absent size."""

from __future__ import annotations

from components.plans.scaling import provider_size, scaling_plan


def _schedules(settings, *entries):
    return scaling_plan(settings(nodes={"minSize": 1, "maxSize": 8}, scaling={"schedules": list(entries)})).schedules


def test_a_schedule_that_raises_the_floor_leaves_the_other_sizes_as_they_are(settings):
    [morning] = _schedules(
        settings, {"name": "weekday-morning", "cron": "0 7 * * MON-FRI", "timezone": "Europe/Berlin", "minSize": 6}
    )
    assert morning.role == "schedule-weekday-morning"
    assert morning.described() == {
        "ScheduledActionName": "shop-dev-weekday-morning",
        "Recurrence": "0 7 * * MON-FRI",
        "TimeZone": "Europe/Berlin",
        "MinSize": 6,
        "MaxSize": None,  # DescribeScheduledActions leaves it out
        "DesiredCapacity": None,
    }
    # the provider's "unchanged": an absent size would be 0 there, and empty the group
    sizes = [provider_size(size) for size in (morning.min_size, morning.max_size, morning.desired_capacity)]
    assert sizes == [6, -1, -1]


def test_a_size_of_zero_is_a_size_not_unchanged(settings):
    [night] = _schedules(settings, {"name": "night", "cron": "0 1 * * *", "minSize": 0, "desiredCapacity": 0})
    assert (night.described()["MinSize"], night.described()["DesiredCapacity"]) == (0, 0)
    assert (provider_size(night.min_size), provider_size(night.desired_capacity)) == (0, 0)
    assert night.described()["TimeZone"] == "UTC"  # the settings' default zone
