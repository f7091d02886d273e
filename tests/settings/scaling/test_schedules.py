"""`scaling.schedules[]`: cron times (in a time zone) at which the group's sizes change."""

from __future__ import annotations

import pytest

from tests.support.sections import problems, refusals

MORNING = {"name": "morning", "cron": "0 7 * * MON-FRI", "timezone": "Europe/Berlin", "minSize": 2}


@pytest.mark.parametrize(
    ("schedule", "line"),
    [
        ({"cron": "0 7 * *"}, "elixir-cluster:scaling.schedules[0].cron: must have five fields"),
        ({"cron": "60 7 * * *"}, "elixir-cluster:scaling.schedules[0].cron: minute: '60' is not 0..59"),
        ({"cron": "0 7 32 * *"}, "elixir-cluster:scaling.schedules[0].cron: day of month: '32' is not 1..31"),
        ({"cron": "0 7 * 13 *"}, "elixir-cluster:scaling.schedules[0].cron: month: '13' is not 1..12 or JAN-DEC"),
        (
            {"cron": "0 7 * * MON-FRY"},
            "elixir-cluster:scaling.schedules[0].cron: day of week: 'FRY' is not 0..7 or SUN-SAT",
        ),
        (
            {"cron": "0 7 * * FRI-MON"},
            "elixir-cluster:scaling.schedules[0].cron: day of week: range FRI-MON runs backwards",
        ),
        ({"cron": "*/0 7 * * *"}, "elixir-cluster:scaling.schedules[0].cron: minute: '0' is not 1..59"),
        (
            {"timezone": "Europe/Berln"},
            "elixir-cluster:scaling.schedules[0].timezone: must be an IANA time zone such as Europe/Berlin "
            "(did you mean Europe/Berlin?)",
        ),
        (
            {"minSize": None},
            "elixir-cluster:scaling.schedules[0]: needs at least one of minSize, maxSize, desiredCapacity",
        ),
    ],
)
def test_schedule_rules(schedule, line):
    entry = {key: value for key, value in {**MORNING, **schedule}.items() if value is not None}
    (found,) = problems(scaling={"schedules": [entry]})
    assert found.startswith(line)


@pytest.mark.parametrize(
    ("schedule", "refused"),
    [
        # any one size is enough
        ({"minSize": None, "maxSize": 3}, None),
        ({"minSize": None, "desiredCapacity": 2}, None),
        # each cron field at both ends of its range (0 and 7 are both Sunday)
        ({"cron": "0 0 1 1 0"}, None),
        ({"cron": "59 23 31 12 7"}, None),
        (
            {"cron": "0 24 * * *"},
            "elixir-cluster:scaling.schedules[0].cron: hour: '24' is not 0..23, got \"0 24 * * *\"",
        ),
        (
            {"cron": "0 7 0 * *"},
            "elixir-cluster:scaling.schedules[0].cron: day of month: '0' is not 1..31, got \"0 7 0 * *\"",
        ),
        (
            {"cron": "0 7 * 0 *"},
            "elixir-cluster:scaling.schedules[0].cron: month: '0' is not 1..12 or JAN-DEC, got \"0 7 * 0 *\"",
        ),
        (
            {"cron": "0 7 * * 8"},
            "elixir-cluster:scaling.schedules[0].cron: day of week: '8' is not 0..7 or SUN-SAT, got \"0 7 * * 8\"",
        ),
        # a range may be a single value
        ({"cron": "0 7 * * MON-MON"}, None),
    ],
)
def test_schedule_rules_at_their_boundaries(schedule, refused):
    entry = {key: value for key, value in {**MORNING, **schedule}.items() if value is not None}
    assert refusals(scaling={"schedules": [entry]}) == ([] if refused is None else [refused])
