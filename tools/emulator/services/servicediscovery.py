"""Cloud Map: the private DNS name nodes find each other by (discovery: dns).

Covers: aws:servicediscovery PrivateDnsNamespace (created through an operation, as AWS
does) and Service (DNS records, routing policy, custom health check config). moto
answers no DNS queries: tests read registrations with list_instances.

What moto lacks: it neither checks that a private namespace's VPC exists nor associates
the namespace's hosted zone with it. The handler does both, as AWS does, so the zone's
VPCs are read back with route53 get_hosted_zone.

An update changes tags, and a service's description and DNS records (UpdateService); a
namespace changes only by replacement otherwise.
"""

from __future__ import annotations

from typing import Any

from ..core.registry import Created, Existing, Request, deletes, resource, updates
from ..core.session import AwsSession, aws_call, gone, retag
from ..core.wire import request_tags, tags_state, without_none


def _cloud_map(aws: AwsSession) -> Any:
    return aws.client("servicediscovery")


@resource("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def private_dns_namespace(aws: AwsSession, req: Request) -> Created:
    client = _cloud_map(aws)
    aws_call(req, aws.client("ec2").describe_vpcs, VpcIds=[req.get("vpc")])
    operation = aws_call(
        req,
        client.create_private_dns_namespace,
        Name=req.get("name"),
        Vpc=req.get("vpc"),
        Description=req.get("description"),
        Tags=request_tags(req),
    )["OperationId"]
    namespace_id = client.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"]
    found = client.get_namespace(Id=namespace_id)["Namespace"]
    hosted_zone = found.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId")
    aws_call(
        req,
        aws.client("route53").associate_vpc_with_hosted_zone,
        HostedZoneId=hosted_zone,
        VPC={"VPCRegion": aws.region, "VPCId": req.get("vpc")},
    )
    state = {**req.inputs, **tags_state(req), "arn": found["Arn"], "hostedZone": hosted_zone}
    return Created(namespace_id, state)


@resource("aws:servicediscovery/service:Service")
def service(aws: AwsSession, req: Request) -> Created:
    dns = req.get("dnsConfig", {})
    health = req.get("healthCheckCustomConfig")
    created = aws_call(
        req,
        _cloud_map(aws).create_service,
        Name=req.get("name"),
        NamespaceId=req.get("namespaceId") or dns.get("namespaceId"),
        Description=req.get("description"),
        DnsConfig={
            "RoutingPolicy": dns.get("routingPolicy", "MULTIVALUE"),
            "DnsRecords": [{"Type": r["type"], "TTL": int(r["ttl"])} for r in dns.get("dnsRecords", [])],
        }
        if dns
        else None,
        HealthCheckCustomConfig={"FailureThreshold": int(health.get("failureThreshold", 1))} if health else None,
        Tags=request_tags(req),
    )["Service"]
    state = {**req.inputs, **tags_state(req), "arn": created["Arn"]}
    return Created(created["Id"], state)


# --- changes to an applied stack: updates in place and deletes ------------------------------


def _retag(aws: AwsSession, req: Request, old: Existing) -> None:
    retag(req, old, _cloud_map(aws).untag_resource, _cloud_map(aws).tag_resource, ResourceARN=old.get("arn"))


@updates("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", handles=("tags",))
def update_private_dns_namespace(aws: AwsSession, req: Request, old: Existing) -> Created:
    _retag(aws, req, old)
    return Created(old.id, old.updated(req, **tags_state(req)))


@deletes("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def delete_private_dns_namespace(aws: AwsSession, old: Existing) -> None:
    gone(old, _cloud_map(aws).delete_namespace, "NamespaceNotFound", Id=old.id)


@updates("aws:servicediscovery/service:Service", handles=("description", "dnsConfig", "tags"))
def update_service(aws: AwsSession, req: Request, old: Existing) -> Created:
    dns = req.get("dnsConfig", {})
    if (req.get("description"), dns) != (old.inputs.get("description"), old.inputs.get("dnsConfig") or {}):
        aws_call(
            req,
            _cloud_map(aws).update_service,
            Id=old.id,
            Service=without_none(
                {
                    "Description": req.get("description"),
                    "DnsConfig": {
                        "DnsRecords": [{"Type": r["type"], "TTL": int(r["ttl"])} for r in dns.get("dnsRecords", [])]
                    }
                    if dns
                    else None,
                }
            ),
        )
    _retag(aws, req, old)
    return Created(old.id, old.updated(req, **tags_state(req)))


@deletes("aws:servicediscovery/service:Service")
def delete_service(aws: AwsSession, old: Existing) -> None:
    gone(old, _cloud_map(aws).delete_service, "ServiceNotFound", Id=old.id)
