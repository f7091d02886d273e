"""Stack-file fragments several test modules apply: changes a variant merges into a shipped stack."""

from __future__ import annotations

import copy
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

EXISTING_WEB_ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
"""A regional web ACL's ARN (loadBalancer.waf.webAclArn); the emulator makes it exist in the stack's account."""

PINNED_SECRET_ID = "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
PINNED_SECRETS: dict[str, str] = {
    "SECRET_KEY_BASE": "/shop/prod/secret-key-base:2",  # an SSM parameter's version
    "SIGNING_SALT": "/shop/prod/signing-salt:live",  # an SSM parameter's label
    "MAILER_KEY": "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key",  # shared by another account
    "DATABASE_URL": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf:url:AWSPREVIOUS:",
    "PARTNER_TOKEN": f"arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl:::{PINNED_SECRET_ID}",
}
"""`elixir-cluster:release.secrets` in every form it takes: SSM by name with a version or a label and by
another account's ARN; Secrets Manager with a JSON key and a version stage, and another account's
secret pinned to a version id. The emulator provides each."""

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

# --- accepted fragments of every section, for the property that what is accepted builds -------

MINIMAL: dict[str, Any] = {"cluster": {"name": "shop"}, "release": {"artifact": "s3://shop-releases/shop-1.4.2.tar.gz"}}
"""The smallest sections a stack file needs; prod adds a certificate."""

RUN_QUEUE: dict[str, Any] = {"namespace": "Elixir/BEAM", "name": "TotalRunQueueLength"}
"""The BEAM's run-queue metric, as a stack file names it."""

RUN_QUEUE_STEP: dict[str, Any] = {
    "name": "run-queue",
    "metric": RUN_QUEUE,
    "threshold": 50,
    "comparison": "GreaterThanOrEqualToThreshold",
    "steps": [{"from": 0, "to": 50, "change": 1}, {"from": 50, "change": 3}],
}


def step_policy(**change: Any) -> dict[str, Any]:
    """RUN_QUEUE_STEP (it loads as it is) with `change` replacing its keys."""
    return {**copy.deepcopy(RUN_QUEUE_STEP), **change}


ACCEPTED: dict[str, list[dict[str, Any]]] = {
    "cluster": [{}, {"tags": {"team": "payments"}}, {"name": "web-shop", "environment": "staging"}],
    "network": [{}, {"vpcCidr": "10.9.0.0/20"}, {"natGateways": "perAz", "availabilityZones": 3}],
    "release": [{}, {"discovery": "dns"}, {"httpPort": 8080, "drainSeconds": 120}],
    "nodes": [{}, {"instanceTypes": ["m7g.large", "c7g.large"]}, {"maxSize": 5, "spot": {"onDemandBaseCapacity": 1}}],
    "loadBalancer": [
        {},
        {"certificateArn": CERTIFICATE, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"},
        {"type": "network"},
    ],
    "scaling": [{}, {"targetTracking": [{"metric": "schedulerUtilization", "target": 70}]}, {"step": [RUN_QUEUE_STEP]}],
    "alerts": [{}, {"emails": ["oncall@example.com"]}, {"latencyP99Ms": 250}],
}
"""Per stack-file section, fragments the settings accept alone, chosen to reach each component's branches."""


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`change` merged into `base`, dicts recursively (a copy)."""
    result = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
