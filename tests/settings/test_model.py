"""The model base: a model validated without the stack's environment says how to give it; given
one, it fills in the defaults that follow it, which still count as not given."""

from __future__ import annotations

import pytest

from components.settings import Defaults, EnvironmentRequired, NodesSettings


def test_a_model_built_without_an_environment_says_how_to_give_it():
    # never dev's sizes by accident: the message shows the call that gives the environment
    with pytest.raises(EnvironmentRequired, match=r"NodesSettings\.model_validate\(data, context=Defaults\('prod'\)\)"):
        NodesSettings.model_validate({"maxSize": 6})
    with pytest.raises(EnvironmentRequired, match="instanceTypes, minSize"):
        NodesSettings()


def test_a_model_takes_the_environment_it_is_given():
    prod = NodesSettings.model_validate({"maxSize": 6}, context=Defaults("prod"))
    assert (prod.instance_types, prod.min_size, prod.max_size) == (["c7g.large"], 3, 6)
    assert prod.instance_refresh.min_healthy_percentage == 90
    assert not prod.is_set("min_size")  # still a default, not a key the file gave
    staging = NodesSettings.for_environment("staging")
    assert (staging.instance_types, staging.min_size, staging.max_size) == (["c7g.medium"], 2, 6)


def test_a_model_given_every_key_that_follows_the_environment_needs_none():
    nodes = NodesSettings(
        instance_types=["m7g.large"],
        min_size=1,
        max_size=2,
        instance_refresh={"minHealthyPercentage": 50, "alarms": []},
    )
    assert (nodes.min_size, nodes.desired_capacity, nodes.instance_refresh.min_healthy_percentage) == (1, 1, 50)
