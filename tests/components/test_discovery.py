"""components/discovery.py, `release.discovery: dns`: a Cloud Map namespace and service the nodes
register in, read back from moto (the shipped stacks use ec2Tags, which needs none), in the
`private_dev` variant the session shares (tests/support/variants.py)."""

from __future__ import annotations

import json

from tests.support.aws_state import group_of


def _service(applied):
    cloud_map = applied.client("servicediscovery")
    (summary,) = cloud_map.list_services()["Services"]
    return cloud_map.get_service(Id=summary["Id"])["Service"]


def _namespace(applied, namespace_id):
    return applied.client("servicediscovery").get_namespace(Id=namespace_id)["Namespace"]


def test_nodes_find_each_other_through_a_private_namespace_in_the_cluster_vpc(private_dev):
    service = _service(private_dev)
    namespace = _namespace(private_dev, service["NamespaceId"])
    assert namespace["Type"] == "DNS_PRIVATE"
    assert namespace["Name"] == "shop-dev.internal"
    zone = namespace["Properties"]["DnsProperties"]["HostedZoneId"]
    vpcs = private_dev.client("route53").get_hosted_zone(Id=zone)["VPCs"]
    assert [v["VPCId"] for v in vpcs] == [private_dev.outputs["vpcId"]]
    assert service["Name"] == "shop"  # dev's release name


def test_the_service_answers_with_every_node_as_a_short_lived_a_record(private_dev):
    service = _service(private_dev)
    config = service["DnsConfig"]
    assert config["RoutingPolicy"] == "MULTIVALUE"
    assert config["DnsRecords"] == [{"Type": "A", "TTL": 10}]
    assert "HealthCheckConfig" not in service  # Route 53 health checks do not exist in a private namespace


def test_each_node_learns_its_service_from_a_propagated_tag(private_dev):
    service = _service(private_dev)
    tags = {t["Key"]: t for t in group_of(private_dev)["Tags"]}
    assert tags["elixir-cluster:discovery-service-id"]["Value"] == service["Id"]
    assert tags["elixir-cluster:discovery-service-id"]["PropagateAtLaunch"] is True


def test_nodes_may_register_in_this_service_and_write_only_its_zone(private_dev):
    service = _service(private_dev)
    zone = _namespace(private_dev, service["NamespaceId"])["Properties"]["DnsProperties"]["HostedZoneId"]
    statements = {
        s["Sid"]: s
        for record in private_dev.deployment.of_type("aws:iam/rolePolicy:RolePolicy")
        for s in json.loads(record.inputs["policy"])["Statement"]
    }
    register = [s for s in statements.values() if any(a.startswith("servicediscovery:") for a in s["Action"])]
    assert [s["Resource"] for s in register] == [service["Arn"]]
    records = [s for s in statements.values() if "route53:ChangeResourceRecordSets" in s["Action"]]
    assert [s["Resource"] for s in records] == [f"arn:aws:route53:::hostedzone/{zone}"]
    # Cloud Map calls need the grant at boot, before the group launches anyone
    (boot,) = [r for r in private_dev.deployment.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith("-boot")]
    assert service["Arn"] in boot.inputs["policy"]
