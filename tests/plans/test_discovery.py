"""Discovery's names: the Cloud Map namespace and service, and the tag a node reads its service from."""

from __future__ import annotations

import re
from collections.abc import Callable

from components.plans.discovery import (
    DISCOVERY_SERVICE_TAG_KEY,
    discovery_namespace_name,
    discovery_service_name,
    dns_cluster_query,
)
from components.settings import StackSettings
from tests.support.node_bootstrap import variant


def test_discovery_service_tag_is_readable_through_instance_metadata() -> None:
    # Instance-metadata tag keys: letters, digits and + - = . , _ : @ only (no / or spaces).
    assert re.fullmatch(r"[A-Za-z0-9+\-=.,_:@]+", DISCOVERY_SERVICE_TAG_KEY)
    assert DISCOVERY_SERVICE_TAG_KEY == "elixir-cluster:discovery-service-id"


def test_prod_nodes_are_found_under_the_clusters_private_namespace() -> None:
    settings = variant("dns")
    assert discovery_namespace_name(settings) == "shop-prod.internal"
    assert discovery_service_name(settings) == "shop"
    assert dns_cluster_query(settings) == "shop.shop-prod.internal"


def test_a_release_name_with_underscores_becomes_a_dns_label(settings: Callable[..., StackSettings]) -> None:
    # DNS labels take letters, digits and hyphens; an Elixir release name may hold underscores.
    stack = settings(release={"name": "shop_api", "discovery": "dns"})
    assert discovery_service_name(stack) == "shop-api"
    assert dns_cluster_query(stack) == "shop-api.shop-dev.internal"
