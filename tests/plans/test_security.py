"""The security grants: every rule of the two groups, from the settings alone."""

from __future__ import annotations

from components.plans.security import cluster_grants


def _rules(settings):
    """(group, direction, protocol, from, to, peer) per grant: the rule as AWS holds it."""
    return {
        (
            g.group,
            g.direction,
            g.protocol,
            None if g.ports is None else g.ports.first,
            None if g.ports is None else g.ports.to,
            g.peer,
        )
        for g in cluster_grants(settings.load_balancer, settings.release)
    }


def test_a_plain_stack_has_exactly_the_cluster_rules(settings):
    assert _rules(settings()) == {
        ("lb", "ingress", "tcp", 80, 80, "0.0.0.0/0"),
        ("lb", "egress", "tcp", 4000, 4000, "nodes"),
        ("nodes", "ingress", "tcp", 4000, 4000, "lb"),
        ("nodes", "ingress", "tcp", 4369, 4369, "nodes"),
        ("nodes", "ingress", "tcp", 9100, 9155, "nodes"),
        ("nodes", "egress", "-1", None, None, "0.0.0.0/0"),
    }


def test_epmd_and_distribution_admit_only_the_nodes_on_the_configured_ports(settings):
    stack = settings(release={"distribution": {"epmdPort": 4370, "portRange": {"from": 9200, "to": 9210}}})
    cluster_ports = {rule for rule in _rules(stack) if rule[3] in (4370, 9200)}
    assert cluster_ports == {
        ("nodes", "ingress", "tcp", 4370, 4370, "nodes"),
        ("nodes", "ingress", "tcp", 9200, 9210, "nodes"),
    }


def test_https_admits_every_allowed_network_on_both_listener_ports(settings, certificate):
    stack = settings(loadBalancer={"certificateArn": certificate, "allowedCidrs": ["10.0.0.0/8", "2001:db8::/32"]})
    clients = sorted(
        (g.role, g.ports.first, g.peer)
        for g in cluster_grants(stack.load_balancer, stack.release)
        if g.group == "lb" and g.direction == "ingress"
    )
    assert clients == [
        ("lb-443-from-10-0-0-0-8", 443, "10.0.0.0/8"),
        ("lb-443-from-2001-db8-32", 443, "2001:db8::/32"),
        ("lb-80-from-10-0-0-0-8", 80, "10.0.0.0/8"),
        ("lb-80-from-2001-db8-32", 80, "2001:db8::/32"),
    ]


def test_rule_names_are_unique_within_the_stack(settings):
    grants = cluster_grants(settings().load_balancer, settings().release)
    assert len({g.role for g in grants}) == len(grants)
