"""How nodes find each other: the Cloud Map names (dns discovery) and the tag that tells a
node which Cloud Map service it registers in.

The Discovery component creates the namespace and service under these names; the release
environment hands DNS_CLUSTER_QUERY to the release; the drain agent reads the service id
from the instance's DISCOVERY_SERVICE_TAG_KEY tag through IMDS (the id is known only once the
service exists, after the user data was rendered).
"""

from __future__ import annotations

from ..settings import NAMESPACE, StackSettings

DISCOVERY_SERVICE_TAG_KEY = f"{NAMESPACE}:discovery-service-id"
"""Instance tag carrying the Cloud Map service id the node registers in (dns discovery).

Instance-metadata tag keys may only use letters, digits and `+ - = . , _ : @`.
"""

DISCOVERY_DOMAIN = "internal"
"""Top-level label of the Cloud Map private DNS namespace (reserved for private use by ICANN)."""


def discovery_namespace_name(settings: StackSettings) -> str:
    """The Cloud Map private DNS namespace of this cluster, e.g. `shop-prod.internal`."""
    return f"{settings.qualified_name}.{DISCOVERY_DOMAIN}"


def discovery_service_name(settings: StackSettings) -> str:
    """The Cloud Map service the nodes register in: the release name as a DNS label."""
    return settings.release.name.replace("_", "-")


def dns_cluster_query(settings: StackSettings) -> str:
    """DNS_CLUSTER_QUERY: the name whose A records are the nodes, `<service>.<namespace>`."""
    return f"{discovery_service_name(settings)}.{discovery_namespace_name(settings)}"
