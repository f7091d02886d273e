"""`alerts`: who hears about trouble, and what counts as trouble."""

from __future__ import annotations

import pytest

from tests.support.sections import problems, refusals


@pytest.mark.parametrize(
    ("alerts", "line"),
    [
        ({"emails": ["oncall@example"]}, "elixir-cluster:alerts.emails[0]: must be an e-mail address"),
        (
            {"emails": ["a@example.com", "A@example.com"]},
            'elixir-cluster:alerts.emails[1]: listed twice, got "A@example.com"',
        ),
        ({"latencyP99Ms": 0}, "elixir-cluster:alerts.latencyP99Ms: must be > 0, got 0"),
        ({"error5xxPercent": 100}, "elixir-cluster:alerts.error5xxPercent: must be < 100, got 100"),
        ({"atMaxSizeMinutes": 0}, "elixir-cluster:alerts.atMaxSizeMinutes: must be >= 1, got 0"),
        ({"atMaxSizeMinutes": 1441}, "elixir-cluster:alerts.atMaxSizeMinutes: must be <= 1440, got 1441"),
    ],
)
def test_alert_rules(alerts, line):
    (found,) = problems(alerts=alerts)
    assert found.startswith(line)


@pytest.mark.parametrize(
    "alerts",
    [
        {"emails": ["a@example.com", "b@example.com"]},
        {"latencyP99Ms": 0.5},
        {"error5xxPercent": 99.5},
        {"atMaxSizeMinutes": 1},
        {"atMaxSizeMinutes": 1440},
    ],
)
def test_the_last_values_the_alert_rules_accept(alerts):
    assert refusals(alerts=alerts) == []
