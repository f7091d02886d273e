"""Distributed Erlang between the lab's nodes, started exactly as the bootstrap starts them."""

from __future__ import annotations

import pytest

from tools.conformance.lab import MESH_TIMEOUT_SECONDS

pytestmark = pytest.mark.conformance


def test_every_node_lists_every_other_node(lab):
    seen = lab.visible_nodes(lab.nodes)
    assert lab.mesh_seconds is not None, f"no full mesh within {MESH_TIMEOUT_SECONDS} s of start: {seen}"
    for node, visible in zip(lab.nodes, seen, strict=True):
        assert visible == lab.others(node), f"nodes() on {node.name}"


def test_an_erpc_call_runs_on_the_remote_node(lab):
    pairs = list(zip(lab.nodes, lab.nodes[1:] + lab.nodes[:1], strict=True))
    for caller, callee in pairs:
        assert lab.control.remote_node(caller, callee) == callee.name
    lab.report.remote_call = f"erpc:call from each node ran on the next ({pairs[0][0].name} -> {pairs[0][1].name} ...)"


def test_nodes_listen_for_distribution_inside_the_range_the_security_group_opens(lab):
    low, high = lab.facts.distribution_ports
    for node in lab.nodes:
        assert low <= node.distribution_port() <= high, node.name
