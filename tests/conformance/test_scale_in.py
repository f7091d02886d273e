"""Scale-in as the stack does it: deregister (drain), wait the deregistration delay, stop."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tools.conformance.beam import BeamNode
from tools.conformance.lab import Traffic, failed
from tools.conformance.report import Drain, Requests

pytestmark = pytest.mark.conformance

WARMUP_SECONDS = 2
"""Traffic flowing through every node before the drain starts."""
AFTER_STOP_SECONDS = 5
"""Traffic kept on after the node stopped: a request still routed to it would fail here."""


@dataclass(frozen=True)
class DrainRun:
    node: BeamNode
    drained_at: float
    stopped_at: float
    traffic: Traffic


@pytest.fixture(scope="module")
def drain(lab) -> DrainRun:
    lab.restore()
    node = lab.nodes[1]
    delay = lab.facts.target_group.deregistration_delay
    with lab.traffic(WARMUP_SECONDS + delay + AFTER_STOP_SECONDS + lab.detection_budget_seconds) as outcome:
        time.sleep(WARMUP_SECONDS)
        lab.balancer.set_state(lab.server_name(node), "drain")
        drained_at = time.monotonic()
        time.sleep(delay)
        stopped_at = time.monotonic()
        node.stop()
        time.sleep(AFTER_STOP_SECONDS)
    run = DrainRun(node, drained_at, stopped_at, outcome[0])
    requests = run.traffic.requests
    lab.report.drain = Drain(node.name, delay, Requests(len(requests) - len(failed(requests)), len(failed(requests))))
    return run


def test_a_node_taken_out_like_scale_in_fails_no_request(drain):
    requests = drain.traffic.requests
    assert drain.traffic.started_between(drain.stopped_at), "the request loop must outlive the stop"
    assert not failed(requests), failed(requests)[:3]


def test_a_draining_node_gets_no_new_requests(drain):
    served_before = [r for r in drain.traffic.started_between(0, drain.drained_at) if r["body"] == drain.node.name]
    served_after = [r for r in drain.traffic.started_between(drain.drained_at) if r["body"] == drain.node.name]
    assert served_before, "the node must have served traffic before the drain"
    assert not served_after
