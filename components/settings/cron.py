"""Unix cron expressions, as AWS's scheduled actions read them: five fields (minute, hour, day
of month, month, day of week) in a time zone of the action's own.

https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
The settings validate `scaling.schedules[].cron` with `parse_cron`; the simulator fires the
actions with `CronSchedule.matches`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .limits import CRON_FIELDS, Range


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
