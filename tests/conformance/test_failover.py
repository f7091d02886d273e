"""A node dies: the load balancer takes it out in time, then it comes back."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tools.conformance.beam import BeamNode
from tools.conformance.lab import MESH_TIMEOUT_SECONDS, Traffic, failed
from tools.conformance.report import Failover, Rejoin, Requests
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.conformance

WARMUP_SECONDS = 2
"""Traffic flowing through every node before the failure."""


@dataclass(frozen=True)
class FailoverRun:
    node: BeamNode
    killed_at: float
    detection_seconds: float | None
    traffic: Traffic


def _down(status: str) -> bool:
    return status.startswith("DOWN")


def _requests(requests: list[dict]) -> Requests:
    return Requests(ok=len(requests) - len(failed(requests)), failed=len(failed(requests)))


@pytest.fixture(scope="module")
def failover(lab) -> FailoverRun:
    """Kill a node under traffic; keep the traffic on for one health-check interval after detection."""
    lab.restore()
    node = lab.nodes[-1]
    budget = lab.detection_budget_seconds
    observe = lab.facts.target_group.health_check.interval
    with lab.traffic(WARMUP_SECONDS + 2 * budget + observe) as outcome:
        time.sleep(WARMUP_SECONDS)
        killed_at = time.monotonic()
        node.kill()
        # Wait past the budget, so a late detection is measured rather than just "late".
        detection = lab.wait_for_status(node, _down, 2 * budget)
        time.sleep(observe)
    run = FailoverRun(node, killed_at, detection, outcome[0])
    if detection is not None:
        lab.report.failover = Failover(
            node=node.name,
            detection_seconds=detection,
            bound_seconds=budget,
            before_detection=_requests(run.traffic.started_between(0, killed_at + detection)),
            after_detection=_requests(run.traffic.started_between(killed_at + detection)),
        )
    return run


def test_load_balancer_marks_a_killed_node_down_within_interval_times_unhealthy_threshold(lab, failover):
    assert failover.detection_seconds is not None, f"{failover.node.name} never marked down"
    assert failover.detection_seconds <= lab.detection_budget_seconds


def test_no_request_fails_once_the_node_is_marked_down(failover):
    assert failover.detection_seconds is not None
    after = failover.traffic.started_between(failover.killed_at + failover.detection_seconds)
    assert after, "the request loop must go on after detection"
    assert not failed(after), failed(after)[:3]
    assert all(r["body"] != failover.node.name for r in after)


def test_a_restarted_node_rejoins_the_mesh_and_the_load_balancer(lab, failover):
    node = failover.node
    node.start()
    mesh = wait_until(lab.full_mesh, MESH_TIMEOUT_SECONDS)
    in_service = lab.wait_for_status(node, lambda status: status == "UP", 2 * lab.admission_budget_seconds)
    if mesh is not None and in_service is not None:
        lab.report.rejoin = Rejoin(mesh_seconds=mesh, in_service_seconds=in_service)
    assert mesh is not None, lab.visible_nodes(lab.nodes)
    assert in_service is not None and in_service <= lab.admission_budget_seconds, lab.server_status(node)
