"""Scheduled actions: recurring size changes, read in the schedule's time zone.

A size the schedule leaves out stays as it is. The provider spells that UNCHANGED_SIZE
(an absent size would mean 0 there, and empty the group); AWS then holds no such size,
and DescribeScheduledActions leaves it out.
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...settings import ScheduleSettings, StackSettings
from .. import names

UNCHANGED_SIZE = -1
"""A scheduled action's size the provider leaves as it is."""


@dataclass(frozen=True)
class ScheduledActionPlan:
    """One scheduled action; a size of None stays as it is."""

    name: str
    role: str
    """`schedule-<name>`: names the action's resource."""
    recurrence: str
    """Unix cron."""
    time_zone: str
    min_size: int | None
    max_size: int | None
    desired_capacity: int | None

    def described(self) -> dict[str, Any]:
        """The action as DescribeScheduledActions reports it (None: AWS reports no such field)."""
        return {
            "ScheduledActionName": self.name,
            "Recurrence": self.recurrence,
            "TimeZone": self.time_zone,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
            "DesiredCapacity": self.desired_capacity,
        }


def schedule_plan(settings: StackSettings, schedule: ScheduleSettings) -> ScheduledActionPlan:
    return ScheduledActionPlan(
        name=names.scheduled_action_name(settings, schedule),
        role=f"schedule-{schedule.name}",
        recurrence=schedule.cron,
        time_zone=schedule.timezone,
        min_size=schedule.min_size,
        max_size=schedule.max_size,
        desired_capacity=schedule.desired_capacity,
    )


def provider_size(value: int | None) -> int:
    """A schedule's size for the provider: UNCHANGED_SIZE where the schedule leaves it out."""
    return UNCHANGED_SIZE if value is None else value
