"""Stack-file fragments several test modules apply: changes a variant merges into a shipped stack."""

from __future__ import annotations

from typing import Any

EXISTING_NETWORK: dict[str, Any] = {
    "vpcCidr": None,
    "availabilityZones": None,
    "natGateways": None,
    "vpcId": "vpc-0123456789abcdef0",
    "publicSubnetIds": ["subnet-0a00000000000000a", "subnet-0a00000000000000b"],
    "privateSubnetIds": ["subnet-0b00000000000000a", "subnet-0b00000000000000b"],
}
"""The `elixir-cluster:network` change that turns a shipped stack into existing-VPC mode (the
emulator provides the VPC and subnets it names)."""

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
"""An ACM certificate ARN; the emulator makes it exist, issued, in the stack's account."""

SQS_BACKLOG = {  # a queue's depth: one number for the whole cluster, not per group
    "name": "backlog",
    "metric": {
        "namespace": "AWS/SQS",
        "name": "ApproximateNumberOfMessagesVisible",
        "statistic": "Maximum",
        "dimensions": {"QueueName": "shop-jobs"},
        "perGroup": False,
    },
    "threshold": 1000,
    "comparison": "GreaterThanOrEqualToThreshold",
    "steps": [{"from": 0, "to": 4000, "change": 1}, {"from": 4000, "change": 3}],
}
