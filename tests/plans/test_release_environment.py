"""The release's environment: release.env as cloud-init writes it (the stack's variables, then
release.environment, each read back exactly by systemd and sh), and the node's name the bootstrap adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.plans.discovery import dns_cluster_query
from components.plans.node_layout import NodeLayout
from components.plans.release_environment import bootstrap_environment, release_env_file, release_environment
from components.plans.secrets import COOKIE_VARIABLE
from components.settings import STATSD_ADDRESS
from components.settings.environment_variables import BOOTSTRAP_VARIABLES
from tests.support.fake_node import NODE_IP
from tests.support.node_bootstrap import VARIANTS, parse_env_file, unit_settings, variant, written_file
from tests.support.systemd_env import HOSTILE_VALUES, sh_reads, systemd_reads

HOSTILE = {kind.upper(): value for kind, value in HOSTILE_VALUES.items()}
"""release.environment values that quoting gets wrong: each must come back byte for byte."""

DOCS = Path(__file__).parent.parent.parent / "docs"


def test_prod_release_env_file_holds_the_stack_values(tmp_path: Path) -> None:
    env_file = tmp_path / "release.env"
    env_file.write_text(written_file(variant("prod"), "/etc/shop/release.env"))
    assert systemd_reads(env_file) == {
        "RELEASE_DISTRIBUTION": "name",
        "ERL_AFLAGS": "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9155",
        "PORT": "4000",
        "PHX_SERVER": "true",
        "HEALTH_CHECK_PATH": "/health",
        "AWS_REGION": "eu-west-1",
        "CLUSTER_DISCOVERY": "ec2Tags",
        "CLUSTER_EC2_TAG_NAME": "elixir-cluster:cluster",
        "CLUSTER_EC2_TAG_VALUE": "shop-prod",
        "CLUSTER_APP_PREFIX": "shop",
        "STATSD_HOST": "127.0.0.1",
        "STATSD_PORT": "8125",
        # release.environment, after the stack's own
        "PHX_HOST": "shop.example.com",
        "POOL_SIZE": "10",
    }


def test_dns_release_env_file_hands_dns_cluster_its_query_instead_of_tags() -> None:
    env = parse_env_file(written_file(variant("dns"), "/etc/shop/release.env"))
    assert env["CLUSTER_DISCOVERY"] == "dns"
    assert env["DNS_CLUSTER_QUERY"] == "shop.shop-prod.internal"
    assert not any(key.startswith("CLUSTER_EC2_") for key in env)


def test_release_env_file_quotes_every_value_for_systemd_and_sh() -> None:
    lines = written_file(variant("prod"), "/etc/shop/release.env").splitlines()
    assert lines[1] == 'ERL_AFLAGS="-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9155"'
    assert all(line.count('"') == 2 and line.endswith('"') for line in lines)


def test_hostile_values_come_back_exactly_to_systemd_and_to_sh(settings, tmp_path: Path) -> None:
    stack = settings(release={"environment": HOSTILE}, loadBalancer={"healthCheck": {"path": "/health$x"}})
    env_file = tmp_path / "release.env"
    env_file.write_text(release_env_file(stack))
    expected = {**bootstrap_environment(stack), **HOSTILE}
    assert expected["HEALTH_CHECK_PATH"] == "/health$x"  # a path with a $ (the old writer refused it)
    assert systemd_reads(env_file) == expected
    assert sh_reads(env_file) == expected


def test_release_environment_comes_after_the_stacks_own_variables(settings) -> None:
    stack = settings(release={"environment": {"PHX_HOST": "shop.example.com", "POOL_SIZE": 10}})
    lines = release_env_file(stack).splitlines()
    assert lines[-2:] == ['PHX_HOST="shop.example.com"', 'POOL_SIZE="10"']


def test_the_bootstrap_sets_exactly_the_variables_the_settings_keep_for_it() -> None:
    # release.environment and release.secrets may not name these (settings/environment_variables.py)
    written = {key for name in VARIANTS for key in bootstrap_environment(variant(name))}
    layout = NodeLayout("shop")
    unit = unit_settings(written_file(variant("prod"), layout.release_unit_file))
    in_the_unit = {assignment.split("=", 1)[0] for assignment in unit["Environment"]}
    named_by_the_bootstrap = {"RELEASE_NODE"} | {COOKIE_VARIABLE}  # bootstrap.sh; fetch-secrets
    assert written | in_the_unit | named_by_the_bootstrap == set(BOOTSTRAP_VARIABLES)
    assert 'RELEASE_NODE="' in (Path(__file__).parents[2] / "components/plans/scripts/bootstrap.sh").read_text()


@pytest.mark.parametrize("name", VARIANTS)
def test_release_environment_names_the_node_by_its_private_ip(name: str) -> None:
    settings = variant(name)
    env = release_environment(settings, NODE_IP)
    assert env["RELEASE_DISTRIBUTION"] == "name"
    assert env["RELEASE_NODE"] == f"{settings.release.name}@{NODE_IP}"
    assert env["PORT"] == str(settings.release.http_port)
    assert env["HEALTH_CHECK_PATH"] == settings.load_balancer.health_check.path
    assert f"{env['STATSD_HOST']}:{env['STATSD_PORT']}" == STATSD_ADDRESS


@pytest.mark.parametrize("name", VARIANTS)
def test_erl_aflags_pin_distribution_to_the_configured_range(name: str) -> None:
    settings = variant(name)
    flags = release_environment(settings, NODE_IP)["ERL_AFLAGS"].split()
    ports = settings.release.distribution.port_range
    assert flags[0] == "-kernel"
    assert dict(zip(flags[1::2], flags[2::2], strict=True)) == {
        "inet_dist_listen_min": str(ports.from_),
        "inet_dist_listen_max": str(ports.to),
    }


def test_erl_epmd_port_only_when_not_the_default() -> None:
    assert "ERL_EPMD_PORT" not in release_environment(variant("dev"), NODE_IP)
    assert release_environment(variant("epmd-4370"), NODE_IP)["ERL_EPMD_PORT"] == "4370"


def test_ec2_tags_discovery_hands_libcluster_the_stack_tag() -> None:
    settings = variant("prod")
    env = release_environment(settings, NODE_IP)
    assert env["CLUSTER_DISCOVERY"] == "ec2Tags"
    assert (env["CLUSTER_EC2_TAG_NAME"], env["CLUSTER_EC2_TAG_VALUE"]) == settings.discovery_tag
    assert env["CLUSTER_APP_PREFIX"] == settings.release.name
    assert env["AWS_REGION"] == settings.region
    assert "DNS_CLUSTER_QUERY" not in env


def test_dns_discovery_hands_dns_cluster_the_cloud_map_name() -> None:
    settings = variant("dns")
    env = release_environment(settings, NODE_IP)
    assert env["CLUSTER_DISCOVERY"] == "dns"
    assert env["DNS_CLUSTER_QUERY"] == dns_cluster_query(settings) == f"shop.{settings.qualified_name}.internal"
    assert not any(key.startswith("CLUSTER_EC2_") for key in env)


def test_application_guide_documents_every_release_variable() -> None:
    guide = (DOCS / "elixir-application.md").read_text()
    assert {key for key in BOOTSTRAP_VARIABLES if f"`{key}`" not in guide and f"`{key}=" not in guide} == set()
