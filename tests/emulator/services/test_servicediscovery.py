"""Cloud Map namespace and service in moto."""

from __future__ import annotations

import pytest

from tests.support.programs import NETWORK
from tools.emulator import EmulatorError


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


def test_a_private_namespace_zone_belongs_to_its_vpc(run, aws):
    out = run(
        NETWORK
        + """
namespace = aws.servicediscovery.PrivateDnsNamespace("ns", name="shop-dev.internal", vpc=vpc.id)
pulumi.export("zone", namespace.hosted_zone)
pulumi.export("vpc", vpc.id)
"""
    ).outputs
    vpcs = aws("route53").get_hosted_zone(Id=out["zone"])["VPCs"]
    assert [v["VPCId"] for v in vpcs] == [out["vpc"]]


def test_a_private_namespace_in_a_vpc_that_does_not_exist_fails_like_aws(run):
    with pytest.raises(EmulatorError, match="'ns'.*InvalidVpcID"):
        run('aws.servicediscovery.PrivateDnsNamespace("ns", name="x.internal", vpc="vpc-0123456789abcdef0")\n')
