"""HAProxy, configured from the stack's target group, in front of the BEAM nodes."""

from __future__ import annotations

from collections import Counter

import pytest

from tools.conformance.lab import failed

pytestmark = pytest.mark.conformance

REQUESTS_PER_NODE = 10
TRAFFIC_BOUND_SECONDS = 60


def test_load_balancer_spreads_requests_over_every_healthy_node(lab):
    lab.restore()
    count = REQUESTS_PER_NODE * len(lab.nodes)
    with lab.traffic(TRAFFIC_BOUND_SECONDS, count=count) as outcome:
        pass
    requests = outcome[0].requests
    served = Counter(r["body"] for r in requests)
    lab.report.spread = served
    assert len(requests) == count
    assert not failed(requests), failed(requests)[:3]
    assert set(served) == {node.name for node in lab.nodes}
