"""The release's environment: release.env as cloud-init writes it, and the node's name the bootstrap adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.plans.discovery import dns_cluster_query
from components.plans.release_environment import release_env_file, release_environment
from components.settings import STATSD_ADDRESS
from tests.support.fake_node import NODE_IP
from tests.support.node_bootstrap import VARIANTS, parse_env_file, variant, written_file

DOCS = Path(__file__).parent.parent.parent / "docs"


def test_prod_release_env_file_holds_the_stack_values() -> None:
    env_file = written_file(variant("prod"), "/etc/shop/release.env")
    assert parse_env_file(env_file) == {
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


def test_a_value_sh_would_expand_is_refused(settings) -> None:
    stack = settings(loadBalancer={"healthCheck": {"path": "/health$x"}})
    with pytest.raises(ValueError, match=r"HEALTH_CHECK_PATH='/health\$x'"):
        release_env_file(stack)


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
    keys = {key for name in VARIANTS for key in release_environment(variant(name), NODE_IP)}
    assert {key for key in keys if f"`{key}`" not in guide} == set()
