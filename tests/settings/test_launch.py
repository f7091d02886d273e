"""The launch budget: how long a new node may take, from its launch to the completed launch hook."""

from __future__ import annotations

import pytest

from tests.support.sections import load, refusals


def test_the_launch_heartbeat_covers_the_boot_the_join_and_the_completion():
    # the boot's allowance (300 s), release.joinSeconds, completing the action (10 s)
    assert load(release={"joinSeconds": 180}).launch.heartbeat_seconds == 300 + 180 + 10
    assert load().launch.heartbeat_seconds == 300 + 120 + 10


@pytest.mark.parametrize(
    ("join", "refused"),
    [
        (5, None),
        (4, "elixir-cluster:release.joinSeconds: must be >= 5, got 4"),
        # 300 + 6890 + 10 = 7200 s, AWS's longest heartbeat; one second more does not fit
        (6890, None),
        (6891, "elixir-cluster:release.joinSeconds: must be <= 6890, got 6891"),
    ],
)
def test_join_seconds_at_their_boundaries(join, refused):
    assert refusals(release={"joinSeconds": join}) == ([] if refused is None else [refused])


def test_the_longest_join_makes_awss_longest_heartbeat():
    assert load(release={"joinSeconds": 6890}).launch.heartbeat_seconds == 7200
