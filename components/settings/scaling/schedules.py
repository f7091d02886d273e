"""Scheduled actions: cron times (in a time zone) at which the group's sizes change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

from ..fields import Context, PolicyName, SettingsModel, TimeZone, refuse, setting
from ..limits import CRON_FIELDS, GROUP_SIZE, MAX_SIZE, POLICY_NAME_TEXT, Range
from ..problems import KeyPath, Problem


@dataclass(frozen=True)
class CronSchedule:
    """A parsed five-field Unix cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool  # day of month was '*'
    any_weekday: bool  # day of week was '*'

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires at this minute (local time of `moment`), with cron's rule
        that a restricted day of month and day of week match when either does."""
        if moment.minute not in self.minutes or moment.hour not in self.hours or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday


def parse_cron(text: str) -> CronSchedule:
    """Parse "0 7 * * MON-FRI"; ValueError names the field at fault."""
    fields = text.split()
    if len(fields) != len(CRON_FIELDS):
        raise ValueError("must have five fields: minute hour day-of-month month day-of-week")
    values = [
        _cron_field(value, name, limits, names)
        for value, (name, limits, names) in zip(fields, CRON_FIELDS, strict=True)
    ]
    weekdays = frozenset(day % 7 for day in values[4])
    return CronSchedule(*values[:4], weekdays, any_day=fields[2] == "*", any_weekday=fields[4] == "*")


def _cron_field(text: str, name: str, limits: Range, names: tuple[str, ...]) -> frozenset[int]:
    selected: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = _cron_number(step_text, name, names, Range(1, limits.max)) if step_text else 1
        if span == "*":
            low, high = limits
        else:
            first, _, last = span.partition("-")
            low = _cron_number(first, name, names, limits)
            high = _cron_number(last, name, names, limits) if last else (limits.max if step_text else low)
            if low > high:
                raise ValueError(f"{name}: range {span} runs backwards")
        selected.update(range(low, high + 1, step))
    return frozenset(selected)


def _cron_number(text: str, name: str, names: tuple[str, ...], limits: Range) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if name == "month" else 0)
    if not text.isdigit() or not limits.min <= int(text) <= limits.max:
        allowed = f"{limits}" + (f" or {names[0]}-{names[-1]}" if names else "")
        raise ValueError(f"{name}: {text!r} is not {allowed}")
    return int(text)


def _cron(value: str) -> str:
    try:
        parse_cron(value)
    except ValueError as problem:
        refuse(str(problem))
    return value


Cron = Annotated[str, AfterValidator(_cron)]


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
