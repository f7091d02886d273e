"""Scheduled actions: at each cron time, in its time zone, set the group's sizes.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
A scheduled action "sets the minimum, maximum, and desired sizes to what is specified"; the
desired capacity then stays within the new limits (a new minimum above it raises it, a
new maximum below it lowers it). Recurrence is Unix cron read in the action's IANA time
zone, which "automatically adjusts for Daylight Saving Time". Actions due in the same
minute run in the order the stack lists them ("the order of execution ... is guaranteed
within the same group").

Open details, decided here: an action runs at the start of its minute (AWS may run it up to
two minutes late); a local time the clocks skip when DST starts never fires, and one they
repeat when it ends fires twice (cron's behaviour; AWS does not say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from components.settings import ScheduleSettings

from .decisions import Proposal
from .model import Group

MINUTE = timedelta(minutes=1)
MINUTES_PER_HOUR = 60
FiringCache = dict[tuple[str, str], list[int]]
"""(cron, time zone) -> the trace minutes it fires at."""


@dataclass(frozen=True)
class ScheduledAction:
    """One firing of a scheduled action."""

    schedule: ScheduleSettings

    def apply(self, group: Group) -> Proposal:
        """Set the group's limits; the returned proposal is the desired capacity they leave."""
        schedule = self.schedule
        if schedule.min_size is not None:
            group.min_size = schedule.min_size
        if schedule.max_size is not None:
            group.max_size = schedule.max_size
        desired = group.desired if schedule.desired_capacity is None else schedule.desired_capacity
        sizes = ", ".join(
            f"{key} {value}"
            for key, value in (
                ("minSize", schedule.min_size),
                ("maxSize", schedule.max_size),
                ("desiredCapacity", schedule.desired_capacity),
            )
            if value is not None
        )
        return Proposal(group.clamp(desired), f"schedule {schedule.name} ({sizes})")


def firing_minutes(schedule: ScheduleSettings, start: datetime, minutes: int) -> list[int]:
    """The trace minutes (counted from `start`, a UTC time) at which `schedule` fires.

    Hour by hour: an hour whose local hours the cron excludes is skipped whole, the others
    are matched minute by minute (so offsets of half an hour and DST changes stay exact)."""
    recurrence = schedule.recurrence()
    zone = ZoneInfo(schedule.timezone)
    first = start.replace(second=0, microsecond=0)
    hour = timedelta(hours=1)
    fired = []
    for begin in range(0, minutes, MINUTES_PER_HOUR):
        at = first + begin * MINUTE
        local_hours = {at.astimezone(zone).hour, (at + hour - MINUTE).astimezone(zone).hour}
        if local_hours.isdisjoint(recurrence.hours):
            continue
        for minute in range(begin, min(begin + MINUTES_PER_HOUR, minutes)):
            if recurrence.matches((first + minute * MINUTE).astimezone(zone)):
                fired.append(minute)
    return fired


def timetable(
    schedules: list[ScheduleSettings], start: datetime, minutes: int, firings: FiringCache | None = None
) -> dict[int, list[ScheduledAction]]:
    """Scheduled actions by the minute they fire, in the stack's order within a minute.

    `firings` (cron and time zone -> minutes) spares recomputing a recurrence another
    replay of the same trace already worked out."""
    table: dict[int, list[ScheduledAction]] = {}
    for schedule in schedules:
        key = (schedule.cron, schedule.timezone)
        fired = None if firings is None else firings.get(key)
        if fired is None:
            fired = firing_minutes(schedule, start, minutes)
            if firings is not None:
                firings[key] = fired
        for minute in fired:
            table.setdefault(minute, []).append(ScheduledAction(schedule))
    return table
