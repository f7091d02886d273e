"""Cloud Map namespace and service in moto."""

from __future__ import annotations

from tests.emulator.programs import NETWORK


def test_private_namespace_and_multivalue_service(run, aws):
    out = run(
        NETWORK
        + """
namespace = aws.servicediscovery.PrivateDnsNamespace("ns", name="shop-dev.internal", vpc=vpc.id)
service = aws.servicediscovery.Service("svc", name="shop", dns_config={"namespace_id": namespace.id,
    "routing_policy": "MULTIVALUE", "dns_records": [{"ttl": 10, "type": "A"}]},
    health_check_custom_config={"failure_threshold": 1})
pulumi.export("namespace", namespace.id)
pulumi.export("service", service.id)
"""
    ).outputs
    cloud_map = aws("servicediscovery")
    assert cloud_map.get_namespace(Id=out["namespace"])["Namespace"]["Name"] == "shop-dev.internal"
    dns = cloud_map.get_service(Id=out["service"])["Service"]["DnsConfig"]
    assert dns["RoutingPolicy"] == "MULTIVALUE"
    assert dns["DnsRecords"] == [{"Type": "A", "TTL": 10}]
