"""The node group's security-group rules, enforced by iptables, seen from each side."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tools.conformance.probe import BLOCKED, OPEN, REFUSED
from tools.conformance.report import Probe
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.conformance

NEGATIVE_CONTROL_SECONDS = 10
"""How long nodes without the distribution rule get to find each other; with it they
need about 2 s in the lab (the report's full-mesh time)."""


def _probe(lab, source, source_label, nodes, ports: dict[str, str]) -> dict[str, dict[str, str]]:
    """Probe each kind of port (label -> `port` or `from-to`) on `nodes`: outcome per target, recorded."""
    seen = {}
    for label, spec in ports.items():
        seen[label] = lab.probe(source, [f"{n.namespace.address}:{spec}" for n in nodes])
        lab.report.probes.append(Probe(source_label, f"{label} {spec}", Counter(seen[label].values())))
    return seen


def _ports(lab) -> dict[str, str]:
    low, high = lab.facts.distribution_ports
    return {"app": str(lab.facts.app_port), "epmd": str(lab.facts.epmd_port), "distribution": f"{low}-{high}"}


def test_load_balancer_reaches_the_app_port_but_not_epmd_or_distribution(lab):
    seen = _probe(lab, lab.balancer_namespace, "load balancer", lab.nodes, _ports(lab))
    assert set(seen["app"].values()) == {OPEN}, seen["app"]
    assert set(seen["epmd"].values()) == {BLOCKED}, seen["epmd"]
    assert set(seen["distribution"].values()) == {BLOCKED}, [t for t, o in seen["distribution"].items() if o != BLOCKED]


def test_nodes_reach_each_others_epmd_and_whole_distribution_range(lab):
    source, peers = lab.nodes[0], lab.nodes[1:]
    ports = _ports(lab)
    del ports["app"]
    seen = _probe(lab, source.namespace, "a node", peers, ports)
    assert set(seen["epmd"].values()) == {OPEN}, seen["epmd"]
    listening = {f"{p.namespace.address}:{p.distribution_port()}" for p in peers}
    # The port a node listens on answers; every other port of the range answers with a
    # reset (reachable, nothing there), never a drop.
    assert {t for t, o in seen["distribution"].items() if o == OPEN} == listening
    assert set(seen["distribution"].values()) == {OPEN, REFUSED}


def test_clients_outside_the_security_groups_reach_no_node_port(lab):
    seen = _probe(lab, lab.client, "a client", lab.nodes, _ports(lab))
    for kind, outcome in seen.items():
        assert set(outcome.values()) == {BLOCKED}, (kind, outcome)


def test_without_the_distribution_rule_nodes_never_form_a_cluster(lab):
    """Negative control: the same rules minus the distribution range, on fresh nodes."""
    rules = lab.facts.rules_of(lab.facts.node_groups)
    distribution = [r for r in rules if not r.egress and r.ports == lab.facts.distribution_ports]
    assert len(distribution) == 1, [r.describe() for r in rules]
    kept = [r for r in rules if r not in distribution]
    with lab.isolated_cluster(kept) as nodes, ThreadPoolExecutor(1) as background:
        # The ping waits out net_setuptime against the dropped port: let it run meanwhile.
        ping = background.submit(lab.control.ping, nodes[0], nodes[1])
        connected = wait_until(lambda: any(lab.visible_nodes(nodes)), NEGATIVE_CONTROL_SECONDS)
        seen = lab.visible_nodes(nodes)
        ping = ping.result()
    lab.report.negative_control = (
        f"without the rule {distribution[0].describe()}: nodes() empty on all {len(nodes)} nodes "
        f"for {NEGATIVE_CONTROL_SECONDS} s, net_adm:ping {ping}"
    )
    assert connected is None, seen
    assert seen == [set()] * len(nodes), "every node must be up and alone"
    assert ping == "pang"
