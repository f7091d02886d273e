"""Unix cron expressions, parsed and matched as AWS's scheduled actions read them."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from components.settings import parse_cron


def test_cron_follows_unix_rules():
    weekdays = parse_cron("0 7 * * MON-FRI")
    assert weekdays.matches(datetime(2026, 1, 5, 7, 0))  # a Monday
    assert not weekdays.matches(datetime(2026, 1, 4, 7, 0))  # a Sunday
    assert not weekdays.matches(datetime(2026, 1, 5, 7, 1))
    sunday = parse_cron("30 22 * * 7")
    assert sunday.weekdays == {0} and sunday.matches(datetime(2026, 1, 4, 22, 30))
    stepped = parse_cron("*/15 8-18/2 1,15 JAN,jul *")
    assert stepped.minutes == {0, 15, 30, 45} and stepped.hours == {8, 10, 12, 14, 16, 18}
    assert stepped.days == {1, 15} and stepped.months == {1, 7}
    # with both day of month and day of week restricted, either matches (cron's rule)
    either = parse_cron("0 0 1 * MON")
    assert either.matches(datetime(2026, 1, 1)) and either.matches(datetime(2026, 1, 5))
    assert not either.matches(datetime(2026, 1, 6))


def test_a_step_runs_from_its_start_to_the_end_of_the_field():
    assert parse_cron("50/5 * * * *").minutes == {50, 55}
    assert parse_cron("* * * * *").weekdays == frozenset(range(7))
    assert parse_cron("0 0 * DEC *").months == {12}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("0 7 * * * *", "must have five fields: minute hour day-of-month month day-of-week"),
        ("*/60 * * * *", "minute: '60' is not 1..59"),
        ("0 7 * * SUN-SAT/8", "day of week: '8' is not 1..7 or SUN-SAT"),
        ("0 7 * * 0-X", "day of week: 'X' is not 0..7 or SUN-SAT"),
    ],
)
def test_a_bad_field_is_named(text, error):
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        parse_cron(text)
