"""Pydantic's errors in this project's words, and a section retried without its broken keys so
that its other rules still report."""

from __future__ import annotations

import pytest

from components.settings import SettingsError, load_settings
from tests.support.sections import problems


def test_a_cross_field_rule_still_runs_beside_a_broken_key_of_the_same_section():
    lines = problems(nodes={"minSize": 3, "maxSize": 2, "healthCheckGracePeriod": "soon"})
    assert lines == [
        'elixir-cluster:nodes.healthCheckGracePeriod: must be a whole number, got "soon"',
        "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2",
    ]


def test_a_broken_key_of_one_policy_leaves_the_next_ones_rules_running():
    # step[0]'s comparison is taken out (its example stands in), so step[1]'s own rule still reports
    step = {"metric": {"namespace": "Shop", "name": "Busy"}, "threshold": 1}
    lines = problems(
        scaling={
            "step": [
                {**step, "name": "out", "comparison": "Sideways", "steps": [{"from": 0, "change": 1}]},
                {**step, "name": "out-2", "comparison": "GreaterThanThreshold", "steps": [{"from": 0, "change": -1}]},
            ]
        }
    )
    assert lines == [
        "elixir-cluster:scaling.step[0].comparison: must be one of: GreaterThanOrEqualToThreshold, "
        'GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, got "Sideways"',
        "elixir-cluster:scaling.step[1].steps[0].change: must be > 0: GreaterThanThreshold scales out, got -1",
    ]


def test_unknown_keys_name_the_likely_key():
    assert problems(nodes={"maxsize": 4}) == ["elixir-cluster:nodes.maxsize: unknown key; did you mean maxSize?"]
    assert problems(loadBalancer={"healthCheck": {"intervall": 10}}) == [
        "elixir-cluster:loadBalancer.healthCheck.intervall: unknown key; did you mean interval?"
    ]


def test_an_unknown_key_without_a_likely_one_lists_the_keys():
    (line,) = problems(alerts={"pager": "x"})
    assert line == (
        "elixir-cluster:alerts.pager: unknown key; expected one of: emails, latencyP99Ms, error5xxPercent, "
        "atMaxSizeMinutes"
    )


def test_snake_case_keys_are_refused_in_the_file():
    assert problems(nodes={"min_size": 2}) == ["elixir-cluster:nodes.min_size: unknown key; did you mean minSize?"]


def test_required_keys_show_an_example():
    with pytest.raises(SettingsError) as refused:
        load_settings({"cluster": {}}, stack="dev", region="eu-west-1")
    assert refused.value.problems == [
        'elixir-cluster:cluster.name: required (e.g. "shop")',
        'elixir-cluster:release.artifact: required (e.g. "s3://shop-releases/shop-1.4.2.tar.gz")',
    ]


def test_choices_suggest_the_closest():
    assert problems(network={"natGateways": "perAZ"}) == [
        'elixir-cluster:network.natGateways: did you mean perAz? must be one of: none, single, perAz, got "perAZ"'
    ]


def test_a_list_too_long_shows_its_length_not_its_items():
    groups = [f"sg-0123456{i}" for i in range(5)]
    assert problems(nodes={"extraSecurityGroupIds": groups}) == [
        "elixir-cluster:nodes.extraSecurityGroupIds: must have at most 4 items, got 5"
    ]


def test_messages_carry_no_pydantic_noise():
    broken = {
        "cluster": {"name": 7, "environment": "production", "tags": []},
        "network": {"availabilityZones": "three", "vpcId": 3},
        "release": {"artifact": None, "httpPort": 4000.5, "distribution": "yes"},
        "nodes": {"instanceTypes": "c7g.large", "spot": {"onDemandPercentageAboveBase": 101}},
        "loadBalancer": {"internal": "maybe", "stickiness": [], "allowedCidrs": []},
        "scaling": {"targetTracking": {"metric": "cpu"}, "step": [{}], "schedules": [None]},
        "alerts": {"latencyP99Ms": "fast", "error5xxPercent": 100},
    }
    with pytest.raises(SettingsError) as refused:
        load_settings(broken, stack="dev", region="eu-west-1")
    text = str(refused.value)
    assert "Input should" not in text and "pydantic" not in text and "errors.pydantic.dev" not in text
    assert all(line.startswith("elixir-cluster:") for line in refused.value.problems)
