"""components/security.py: who may reach whom, the security groups each stack builds, read back from moto."""

from __future__ import annotations

import pytest

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def _ingress(applied, group_key):
    ec2 = applied.client("ec2")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [applied.outputs[group_key]]}])[
        "SecurityGroupRules"
    ]
    return [r for r in rules if not r["IsEgress"]]


def _covers(rule, port):
    return rule["IpProtocol"] == "-1" or rule["FromPort"] <= port <= rule["ToPort"]


def test_node_sg_admits_epmd_only_from_itself(stack):
    epmd = stack.settings.release.distribution.epmd_port
    nodes = stack.outputs["nodeSecurityGroupId"]
    reaching = [r for r in _ingress(stack, "nodeSecurityGroupId") if _covers(r, epmd)]
    assert reaching, "EPMD must be open between nodes"
    assert all(r.get("ReferencedGroupInfo", {}).get("GroupId") == nodes for r in reaching)
    assert not any("CidrIpv4" in r or "CidrIpv6" in r for r in reaching)


def test_node_sg_admits_the_whole_distribution_range_only_from_itself(stack):
    ports = stack.settings.release.distribution.port_range
    nodes = stack.outputs["nodeSecurityGroupId"]
    rules = _ingress(stack, "nodeSecurityGroupId")
    for port in (ports.from_, (ports.from_ + ports.to) // 2, ports.to):
        reaching = [r for r in rules if _covers(r, port)]
        assert reaching and all(r.get("ReferencedGroupInfo", {}).get("GroupId") == nodes for r in reaching)
    outside = [r for r in rules if _covers(r, ports.to + 1) or _covers(r, ports.from_ - 1)]
    assert all(r["FromPort"] == stack.settings.release.http_port for r in outside)


def test_node_app_port_is_reachable_only_from_the_load_balancer(stack):
    port = stack.settings.release.http_port
    reaching = [r for r in _ingress(stack, "nodeSecurityGroupId") if _covers(r, port)]
    assert [r["ReferencedGroupInfo"]["GroupId"] for r in reaching] == [stack.outputs["loadBalancerSecurityGroupId"]]


def test_nodes_admit_nothing_else(stack):
    s = stack.settings.release
    allowed = {
        s.http_port,
        s.distribution.epmd_port,
        *range(s.distribution.port_range.from_, s.distribution.port_range.to + 1),
    }
    for rule in _ingress(stack, "nodeSecurityGroupId"):
        assert rule["IpProtocol"] == "tcp"
        assert set(range(rule["FromPort"], rule["ToPort"] + 1)) <= allowed
    assert not any(_covers(r, 22) for r in _ingress(stack, "nodeSecurityGroupId")), "no SSH: use SSM"


def test_load_balancer_admits_allowed_cidrs_on_listener_ports_only(stack):
    lb = stack.settings.load_balancer
    seen = {
        (r["FromPort"], r.get("CidrIpv4") or r.get("CidrIpv6")) for r in _ingress(stack, "loadBalancerSecurityGroupId")
    }
    assert seen == {(port, cidr) for port in lb.listener_ports for cidr in lb.allowed_cidrs}


def test_load_balancer_may_only_reach_the_nodes_app_port(stack):
    ec2 = stack.client("ec2")
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [stack.outputs["loadBalancerSecurityGroupId"]]}]
    )["SecurityGroupRules"]
    egress = [r for r in rules if r["IsEgress"]]
    assert [(r["FromPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in egress] == [
        (stack.settings.release.http_port, stack.outputs["nodeSecurityGroupId"])
    ]


def test_rules_are_separate_resources_never_inline(stack):
    for group in stack.deployment.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress") and not group.inputs.get("egress")
    assert stack.deployment.of_type(INGRESS)


def test_every_rule_says_why_it_exists(stack):
    # Read from the groups' permissions: moto's describe_security_group_rules drops the
    # description of rules that reference a group, describe_security_groups keeps it.
    groups = [stack.outputs["nodeSecurityGroupId"], stack.outputs["loadBalancerSecurityGroupId"]]
    described = stack.client("ec2").describe_security_groups(GroupIds=groups)["SecurityGroups"]
    grants = [
        (group["GroupId"], permission.get("FromPort"), grant)
        for group in described
        for permission in group["IpPermissions"] + group["IpPermissionsEgress"]
        for grant in permission["IpRanges"] + permission["Ipv6Ranges"] + permission["UserIdGroupPairs"]
    ]
    assert grants
    assert [g for g in grants if not g[2].get("Description")] == []
