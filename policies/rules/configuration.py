"""Policy configuration: each rule's JSON Schema, its defaults, and the values a rule sees.

A team tunes a rule in the file `pulumi up --policy-pack-config FILE` reads:
`{"asg-size-bounds": {"maxSizeCeiling": 20}, "load-balancer-access-logs": "mandatory"}`.
The CLI fills in every schema default before the pack runs; `settings` merges them again
so a rule never depends on who ran it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema

PRODUCTION = {
    "productionEnvironments": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod"],
        "description": "Values of the environment tag that mark a production resource.",
    },
    "environmentTagKey": {
        "type": "string",
        "default": "Environment",
        "description": "The tag the stack puts its environment in (elixir-cluster:cluster.environment).",
    },
}
"""The properties of every rule that applies to production only."""


def schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    """A rule's configuration schema; every property has a `default`."""
    return PolicyConfigSchema(properties=dict(properties))


def settings(config_schema: PolicyConfigSchema, configured: Mapping[str, Any]) -> dict[str, Any]:
    """The schema defaults, overridden by what the pack configuration sets."""
    return {**{k: v["default"] for k, v in config_schema.properties.items()}, **configured}
