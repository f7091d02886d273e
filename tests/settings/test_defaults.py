"""Defaults that follow the environment: each against a table written here by hand.

The table is the product's promise (what `pulumi up` builds when a key is left out), so it is
written out, not read from defaults.py: a changed default fails here until someone decides it."""

from __future__ import annotations

import pytest
import yaml

from components.settings import ENVIRONMENT_DEFAULTS, Defaults, to_snake
from tests.support.fragments import MINIMAL
from tools.stack_files import load_stack_settings

ENVIRONMENTS = ("dev", "staging", "prod")
DEFAULTS_BY_ENVIRONMENT = {  # key: (dev, staging, prod)
    "cluster.environment": ("dev", "staging", "prod"),
    "network.availabilityZones": (2, 2, 3),
    "network.natGateways": ("single", "single", "perAz"),
    "network.flowLogs.enabled": (False, True, True),
    "network.flowLogs.retentionDays": (30, 90, 365),
    "release.cookieParameter": (
        "/shop/dev/release-cookie",
        "/shop/staging/release-cookie",
        "/shop/prod/release-cookie",
    ),
    "nodes.instanceTypes": (["t4g.small"], ["c7g.medium"], ["c7g.large"]),
    "nodes.minSize": (1, 2, 3),
    "nodes.maxSize": (3, 6, 12),
    "nodes.desiredCapacity": (1, 2, 3),
    "nodes.instanceRefresh.minHealthyPercentage": (50, 75, 90),
    "nodes.instanceRefresh.alarms": ([], [], ["5xx-rate", "unhealthy-hosts"]),
    "loadBalancer.deletionProtection": (False, False, True),
    "loadBalancer.waf.enabled": (False, False, True),
}


def value_at(settings, key: str):
    value = settings
    for part in key.split("."):
        value = getattr(value, to_snake(part))
    return value


@pytest.fixture(scope="module")
def minimal_stacks(tmp_path_factory):
    """dev, staging and prod loaded from stack files that give only the cluster's name and the artifact."""
    directory = tmp_path_factory.mktemp("stacks")
    loaded = {}
    for environment in ENVIRONMENTS:
        path = directory / f"Pulumi.{environment}.yaml"
        config = {"aws:region": "eu-west-1", **{f"elixir-cluster:{key}": value for key, value in MINIMAL.items()}}
        path.write_text(yaml.safe_dump({"config": config}))
        loaded[environment] = load_stack_settings(path)
    return loaded


def test_a_minimal_stack_file_gets_each_environments_defaults(minimal_stacks):
    found = {
        key: tuple(value_at(minimal_stacks[environment], key) for environment in ENVIRONMENTS)
        for key in DEFAULTS_BY_ENVIRONMENT
    }
    assert found == DEFAULTS_BY_ENVIRONMENT


def test_every_default_that_follows_the_environment_is_in_the_table():
    # a new row in defaults.py needs its literal here; the docs show the same table
    for key, by_environment in ENVIRONMENT_DEFAULTS.items():
        assert tuple(by_environment[environment] for environment in ENVIRONMENTS) == DEFAULTS_BY_ENVIRONMENT[key], key


def test_only_prod_puts_an_internet_facing_load_balancer_behind_waf(minimal_stacks):
    assert [minimal_stacks[e].load_balancer.protected_by_waf for e in ENVIRONMENTS] == [False, False, True]


def test_an_unknown_environment_is_no_context():
    with pytest.raises(ValueError, match="environment must be one of dev, staging, prod, got 'production'"):
        Defaults("production")
