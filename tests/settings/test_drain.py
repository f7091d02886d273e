"""The drain budget: how long a leaving node takes, from the load balancer's drain to the completed hook."""

from __future__ import annotations

from components.settings import DrainBudget
from tests.support.sections import load


def test_the_lifecycle_heartbeat_covers_the_load_balancer_and_the_release_drain():
    loaded = load(release={"drainSeconds": 60}, loadBalancer={"deregistrationDelay": 45})
    # the agent's poll (5 s), the load balancer, the release, systemd's margin (15 s), completion (10 s)
    assert loaded.drain.heartbeat_seconds == 5 + 45 + 60 + 15 + 10
    assert loaded.drain.stop_timeout_seconds == 60 + 15
    short = load(release={"drainSeconds": 1}, loadBalancer={"deregistrationDelay": 0})
    assert short.drain.total_seconds == 5 + 0 + 1 + 15 + 10 and short.drain.heartbeat_seconds == 31


def test_the_whole_budget_fits_aws_longest_heartbeat_to_the_second():
    # 5 + 300 + (6870 + 15) + 10 = 7200 s, AWS's longest heartbeat; one second more does not fit
    assert DrainBudget(300, 6870).total_seconds == 7200 and DrainBudget(300, 6870).fits_the_heartbeat
    assert DrainBudget(300, 6871).total_seconds == 7201 and not DrainBudget(300, 6871).fits_the_heartbeat
