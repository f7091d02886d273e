"""Scheduled actions: cron times (in a time zone) at which the group's sizes change."""

from __future__ import annotations

from collections.abc import Iterator

from ..cron import CronSchedule, parse_cron
from ..limits import GROUP_SIZE, MAX_SIZE, POLICY_NAME_TEXT
from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem
from ..value_types import Cron, PolicyName, TimeZone


class ScheduleSettings(SettingsModel):
    """A scheduled action: at each cron time (in `timezone`) set the group's sizes.

    Rules: at least one of minSize, maxSize, desiredCapacity; with the nodes section's values
    for the others, min <= desired <= max.
    """

    name: PolicyName = setting(
        description="Names the scheduled action.", limit=POLICY_NAME_TEXT, examples=["weekday-morning"]
    )
    cron: Cron = setting(
        description="When, as Unix cron: minute hour day-of-month month day-of-week (names MON-SUN, JAN-DEC).",
        limit="five fields within their ranges",
        examples=["0 7 * * MON-FRI"],
    )
    timezone: TimeZone = setting(
        "UTC", description="IANA time zone the cron is read in.", limit="a name in the IANA time zone database"
    )
    min_size: int | None = setting(
        None, description="New minimum size.", unit="nodes", limit=GROUP_SIZE, default_text="unchanged"
    )
    max_size: int | None = setting(
        None, description="New maximum size.", unit="nodes", limit=MAX_SIZE, default_text="unchanged"
    )
    desired_capacity: int | None = setting(
        None, description="New desired capacity.", unit="nodes", limit=GROUP_SIZE, default_text="unchanged"
    )

    def recurrence(self) -> CronSchedule:
        """The parsed cron expression (validated when loading)."""
        return parse_cron(self.cron)

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.min_size is None and self.max_size is None and self.desired_capacity is None:
            yield Problem(at, "needs at least one of minSize, maxSize, desiredCapacity")
