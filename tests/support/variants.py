"""Variants several test modules read: changes to a shipped stack, each applied once per session
and shared read-only (the fixtures of the same names in tests/conftest.py; the tests reading one
run on one xdist worker).

A variant costs an apply, a second of CPU; reading one costs nothing. So each is rich enough to
serve every test that needs that kind of stack: a test reads the part it is about, and the parts
are chosen so none changes what another test of the variant reads.
"""

from __future__ import annotations

from typing import Any

from tests.support.fragments import CERTIFICATE, EXISTING_NETWORK

DATABASE_ACCESS = "sg-0123456789abcdef0"
"""An extra security group the nodes join (nodes.extraSecurityGroupIds); the emulator provides it."""

DEV_BEHIND_AN_NLB: dict[str, Any] = {
    "elixir-cluster:loadBalancer": {
        "type": "network",
        "stickiness": {"enabled": True},  # by source IP, on a network load balancer
        "idleTimeout": None,
        "algorithm": None,
    },
    # requests per target exist on an application load balancer only
    "elixir-cluster:scaling": {"targetTracking": [{"metric": "cpu", "target": 60}]},
    "elixir-cluster:alerts": {"emails": ["oncall@example.com", "platform@example.com"]},
}
"""dev behind a network load balancer (TCP on 80, sticky by source IP), scaling on CPU, mailing
two addresses."""

PROD_BEHIND_AN_NLB_IN_ONE_ZONE: dict[str, Any] = {
    "elixir-cluster:network": {"availabilityZones": 1},
    "elixir-cluster:loadBalancer": {
        "type": "network",
        "certificateArn": CERTIFICATE,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "idleTimeout": None,
        "algorithm": None,
        "waf": None,
    },
    # requests per target exist on an application load balancer only
    "elixir-cluster:scaling": {
        "targetTracking": [{"metric": "schedulerUtilization", "target": 70, "warmup": 120}],
        "predictive": {"metric": "cpu", "target": 60},
    },
}
"""prod in one zone behind a network load balancer that terminates TLS 1.3 on 443, scaling on the
schedulers and a CPU forecast: what the settings accept and the policy pack flags (one zone)."""

DEV_IN_AN_EXISTING_VPC: dict[str, Any] = {
    "elixir-cluster:network": {**EXISTING_NETWORK, "flowLogs": {"enabled": True}},
    "elixir-cluster:nodes": {
        "extraSecurityGroupIds": [DATABASE_ACCESS],
        "instanceTypes": ["t4g.small", "t4g.medium"],  # on demand: no spot section
    },
}
"""dev in the VPC the emulator provides for EXISTING_NETWORK, with flow logs on; its nodes join an
extra security group and launch as either of two on-demand instance types."""

PRIVATE_DEV: dict[str, Any] = {
    "elixir-cluster:network": {
        "natGateways": "none",  # AWS's APIs through interface endpoints
        "flowLogs": {
            "enabled": True,
            "destination": "arn:aws:s3:::shop-flow-logs/dev/",
            "trafficType": "REJECT",
            "maxAggregationInterval": 60,
        },
    },
    "elixir-cluster:loadBalancer": {"internal": True, "stickiness": {"enabled": True, "durationSeconds": 3600}},
    "elixir-cluster:release": {"discovery": "dns"},
}
"""dev with nothing reachable from outside: no NAT gateway, an internal load balancer keeping
sessions on a node for an hour, rejected traffic logged to an S3 bucket, and nodes that find each
other through a Cloud Map namespace."""
