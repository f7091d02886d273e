"""Loading: a stack's sections in, `StackSettings` or one error listing every problem out.

Fast and offline: no Pulumi, no emulator. Each invalid case asserts the exact line a user
would read, so a rule that stops firing, or fires under another key, fails here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.settings import SECTIONS, SettingsError, load_pulumi_config, load_settings, to_snake
from tests.support.fragments import ACCEPTED, CERTIFICATE, MINIMAL, merged, step_policy
from tests.support.sections import load, problems


def test_a_minimal_config_is_the_name_and_the_artifact():
    loaded = load()
    assert loaded.release.name == "shop"
    assert loaded.release.cookie_parameter == "/shop/dev/release-cookie"
    assert loaded.nodes.desired_capacity == loaded.nodes.min_size == 1
    assert loaded.load_balancer.listener_ports == [80]
    assert [p.metric for p in loaded.scaling.target_tracking] == ["cpu"]


@pytest.mark.parametrize(
    ("stack", "expected"), [("prod", "prod"), ("staging", "staging"), ("local", "dev"), ("pr-42", "dev")]
)
def test_environment_defaults_to_the_stack_name_when_it_names_one(stack, expected):
    loaded = load(stack=stack, loadBalancer={"certificateArn": CERTIFICATE})
    assert loaded.cluster.environment == expected


def test_an_explicit_environment_wins_over_the_stack_name():
    loaded = load(stack="local", cluster={"environment": "staging"})
    assert loaded.cluster.environment == "staging"
    assert loaded.nodes.min_size == 2  # staging's


def test_sections_may_arrive_as_json_strings_as_pulumi_passes_them():
    sections = {key: json.dumps(value) for key, value in MINIMAL.items()}
    assert load_settings(sections, stack="dev", region="eu-west-1").cluster.name == "shop"


def test_an_empty_json_string_is_an_empty_section_and_broken_json_is_named():
    assert load_settings({**MINIMAL, "nodes": " "}, stack="dev", region="eu-west-1").nodes.min_size == 1
    with pytest.raises(SettingsError) as refused:
        load_settings({**MINIMAL, "nodes": "{minSize: 2"}, stack="dev", region="eu-west-1")
    assert refused.value.problems == [
        'elixir-cluster:nodes: must be a map (Pulumi structured config), got "{minSize: 2"'
    ]


class Config:
    """What `pulumi.Config(namespace)` offers the program: `get(key)`, a string or None."""

    def __init__(self, values):
        self.values = values

    def get(self, key):
        return self.values.get(key)


def test_load_pulumi_config_reads_duck_typed_config_objects():
    project = Config({key: json.dumps(value) for key, value in MINIMAL.items()})
    loaded = load_pulumi_config(project, Config({"region": "eu-central-1"}), "staging")
    assert (loaded.region, loaded.cluster.environment) == ("eu-central-1", "staging")


def test_aws_skip_region_validation_reaches_the_settings_as_the_provider_reads_it():
    """`aws:skipRegionValidation: true` in the stack file (a string, as config values are)."""
    project = Config({key: json.dumps(value) for key, value in MINIMAL.items()})
    with pytest.raises(SettingsError):
        load_pulumi_config(project, Config({"region": "eu-west-9"}), "dev")
    loaded = load_pulumi_config(project, Config({"region": "eu-west-9", "skipRegionValidation": "true"}), "dev")
    assert loaded.region == "eu-west-9"


def test_the_region_is_an_aws_region():
    assert problems(region="Ireland") == ['aws:region: must be an AWS region such as eu-west-1, got "Ireland"']


def test_without_a_region_the_providers_variables_apply_in_its_order(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    loaded = load_settings(MINIMAL, stack="dev")
    assert (loaded.region, loaded.region_source) == ("eu-north-1", "AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    loaded = load_settings(MINIMAL, stack="dev")
    assert (loaded.region, loaded.region_source) == ("ap-southeast-2", "AWS_REGION")
    loaded = load_settings(MINIMAL, stack="dev", region="eu-west-1")
    assert (loaded.region, loaded.region_source) == ("eu-west-1", "aws:region")


def test_without_a_region_anywhere_the_file_is_refused_naming_aws_region(monkeypatch):
    """The AWS provider has no default region either: no silent us-east-1."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(SettingsError) as refused:
        load_settings(MINIMAL, stack="dev")
    assert refused.value.problems == [
        "aws:region: required: the stack file names no region and neither AWS_REGION nor AWS_DEFAULT_REGION "
        "is set (`pulumi config set aws:region eu-west-1`)"
    ]


# --- how problems are told -------------------------------------------------------------------


def test_five_mistakes_give_five_lines():
    lines = problems(
        cluster={"name": "Shop"},
        network={"vpcCidr": "10.0.0.1/16"},
        nodes={"minSize": 3, "maxSize": 2, "rootVolumeGiB": 4},
        alerts={"emails": ["oncall"]},
    )
    assert lines == [
        "elixir-cluster:cluster.name: must be 2-21 characters of a-z, 0-9 and '-', starting with a letter, "
        'got "Shop"',
        'elixir-cluster:network.vpcCidr: host bits must be zero (did you mean 10.0.0.0/16?), got "10.0.0.1/16"',
        "elixir-cluster:nodes.rootVolumeGiB: must be >= 8, got 4",
        "elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2",
        'elixir-cluster:alerts.emails[0]: must be an e-mail address such as oncall@example.com, got "oncall"',
    ]


def test_a_rule_over_a_broken_key_stays_silent():
    # maxSize is refused on its own; "must be >= minSize" would only repeat the mistake
    assert problems(nodes={"minSize": 3, "maxSize": 500}) == ["elixir-cluster:nodes.maxSize: must be <= 100, got 500"]


def test_a_rule_between_sections_over_a_broken_key_stays_silent():
    # the zones are refused on their own; "needs two zones for an application load balancer" would repeat it
    assert problems(network={"availabilityZones": "one"}) == [
        'elixir-cluster:network.availabilityZones: must be a whole number, got "one"'
    ]


def test_unknown_sections_are_refused():
    assert problems(loadbalancer={"type": "network"}) == [
        "elixir-cluster:loadbalancer: unknown section; did you mean loadBalancer?"
    ]


def test_a_section_that_is_not_a_map():
    assert problems(nodes=["c7g.large"]) == ['elixir-cluster:nodes: must be a map of settings, got ["c7g.large"]']


# --- properties: any file loads or is refused in words, and what loads round-trips ------------------

INVALID = {
    "cluster": [{"name": "X"}, {"tags": {"aws:x": "y"}}, {"naem": "shop"}],
    "network": [{"vpcCidr": "10.0.0.0/8"}, {"availabilityZones": 9}, {"vpcId": "vpc-01234567"}],
    "release": [{"httpPort": 22}, {"artifact": "shop.tar.gz"}, {"distribution": {"portRange": {"from": 9, "to": 1}}}],
    "nodes": [{"minSize": 9, "maxSize": 2}, {"instanceTypes": []}, {"ami": "ubuntu"}],
    "loadBalancer": [{"type": "classic"}, {"healthCheck": {"timeout": 30}}, {"sslPolicy": "TLS-1-2"}],
    "scaling": [
        {"targetTracking": [{"metric": "cpu"}]},
        {"schedules": [{"name": "x", "cron": "daily"}]},
        {"step": [step_policy(period=7)]},
    ],
    "alerts": [{"emails": "a@b.c"}, {"error5xxPercent": -1}, {"atMaxSizeMinutes": 1e9}],
}
SECTION_NAMES = list(SECTIONS)


@st.composite
def stack_configs(draw):
    """A stack's sections built from known fragments; about one section in eight is broken."""
    stack = draw(st.sampled_from(["dev", "staging", "prod", "local"]))
    sections = copy.deepcopy(MINIMAL)
    if stack == "prod":
        sections["loadBalancer"] = {"certificateArn": CERTIFICATE}
    for section in SECTION_NAMES:
        broken = draw(st.integers(0, 7)) == 0
        fragment = draw(st.sampled_from(INVALID[section] if broken else ACCEPTED[section]))
        sections[section] = merged(sections.get(section, {}), fragment)
    if draw(st.integers(0, 9)) == 0:
        sections["nodez"] = {}
    return stack, sections


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack_configs())
def test_accepted_configs_round_trip_and_refused_ones_name_their_keys(case):
    stack, sections = case
    try:
        loaded = load_settings(sections, stack=stack, region="eu-west-1")
    except SettingsError as refused:
        assert refused.problems
        for line in refused.problems:
            assert line.startswith("elixir-cluster:"), line
            section = line.removeprefix("elixir-cluster:").split(".")[0].split(":")[0].split("[")[0]
            assert section in [*SECTION_NAMES, "nodez"], line
        return
    dumped = {key: getattr(loaded, to_snake(key)).model_dump(mode="json", exclude_unset=True) for key in SECTIONS}
    assert load_settings(dumped, stack=stack, region="eu-west-1") == loaded


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
KEYS = {
    "cluster": ["name", "environment", "tags"],
    "network": [
        *("vpcCidr", "availabilityZones", "natGateways", "vpcId", "publicSubnetIds", "privateSubnetIds"),
        *("flowLogs", "flowLogs.destination", "flowLogs.retentionDays"),
    ],
    "release": ["name", "artifact", "httpPort", "distribution", "discovery", "cookieParameter", "drainSeconds"],
    "nodes": ["instanceTypes", "ami", "minSize", "maxSize", "desiredCapacity", "spot", "instanceRefresh"],
    "loadBalancer": [
        *("type", "allowedCidrs", "certificateArn", "sslPolicy", "stickiness", "accessLogs", "healthCheck"),
        *("waf", "waf.webAclArn", "waf.managedRuleGroups", "waf.rateLimit", "waf.logs"),
    ],
    "scaling": ["targetTracking", "step", "schedules", "predictive"],
    "alerts": ["emails", "latencyP99Ms", "error5xxPercent", "atMaxSizeMinutes"],
}
"""Keys to put any value at, per section; a dotted key is a key of a nested object."""


def at(key: str, value: Any) -> dict[str, Any]:
    """{"waf": {"webAclArn": value}} for "waf.webAclArn"."""
    first, _, rest = key.partition(".")
    return {first: at(rest, value) if rest else value}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SECTION_NAMES).flatmap(lambda s: st.tuples(st.just(s), st.sampled_from(KEYS[s]), JSON)))
def test_any_value_anywhere_loads_or_is_refused_in_words(case):
    section, key, value = case
    sections = merged(MINIMAL, {section: at(key, value)})
    try:
        load_settings(sections, stack="dev", region="eu-west-1")
    except SettingsError as refused:
        assert all(line.startswith(f"elixir-cluster:{section}") for line in refused.problems), refused.problems
