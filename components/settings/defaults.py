"""Defaults that follow the environment, given through pydantic's validation context.

Some defaults depend on the stack: prod gets three zones and deletion protection, dev
one small node; the release is named after the cluster. A model learns them from the
`Defaults` it is validated with, never from process-wide state:

    NodesSettings.model_validate({"maxSize": 6}, context=Defaults("prod"))
    NodesSettings.for_environment("prod", {"maxSize": 6})   # the same

`load_settings` gives every section the stack's Defaults. A model built without them,
for a key whose default follows the environment, raises EnvironmentRequired saying how
to give it: it never silently gets dev's sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .conventions import ENVIRONMENTS, Environment

ENVIRONMENT_DEFAULTS: Mapping[str, Mapping[Environment, Any]] = {
    # two zones are the minimum for an ALB; prod survives the loss of a zone with room to spare
    "network.availabilityZones": {"dev": 2, "staging": 2, "prod": 3},
    # a single NAT gateway is cheap but a single point of failure for every zone's egress
    "network.natGateways": {"dev": "single", "staging": "single", "prod": "perAz"},
    # flow logs: what an incident review or an auditor asks for first; dev opts in
    "network.flowLogs.enabled": {"dev": False, "staging": True, "prod": True},
    # a year in prod, as audits (and Checkov's CKV_AWS_338) expect; less where nothing is kept
    "network.flowLogs.retentionDays": {"dev": 30, "staging": 90, "prod": 365},
    # Graviton: cheaper per request; burstable t4g is fine where load is light
    "nodes.instanceTypes": {"dev": ["t4g.small"], "staging": ["c7g.medium"], "prod": ["c7g.large"]},
    "nodes.minSize": {"dev": 1, "staging": 2, "prod": 3},
    "nodes.maxSize": {"dev": 3, "staging": 6, "prod": 12},
    # how much capacity a rolling replacement keeps serving
    "nodes.instanceRefresh.minHealthyPercentage": {"dev": 50, "staging": 75, "prod": 90},
    # what stops a bad release in prod: errors users see, nodes the load balancer takes out (of these,
    # the ones the stack has: a network load balancer publishes no 5xx)
    "nodes.instanceRefresh.alarms": {"dev": [], "staging": [], "prod": ["5xx-rate", "unhealthy-hosts"]},
    "loadBalancer.deletionProtection": {"dev": False, "staging": False, "prod": True},
    # for an internet-facing application load balancer only: no other kind ever gets a web ACL
    "loadBalancer.waf.enabled": {"dev": False, "staging": False, "prod": True},
}
"""Per-environment defaults, keyed by the setting's key path; the docs show this table."""


@dataclass(frozen=True)
class Defaults:
    """The validation context: what defaults that follow the stack are computed from.

    `cluster_name` is None when the cluster's name is not known (or not valid): then
    release.name and release.cookieParameter have no default.
    """

    environment: Environment
    cluster_name: str | None = None

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {', '.join(ENVIRONMENTS)}, got {self.environment!r}")


class EnvironmentRequired(TypeError):
    """A model whose defaults follow the stack was validated without `Defaults`."""

    def __init__(self, model: str, keys: list[str]):
        super().__init__(
            f"{model}: the defaults of {', '.join(keys)} follow the stack's environment; give it: "
            f"{model}.model_validate(data, context=Defaults('prod')) or {model}.for_environment('prod', data) "
            "(load_settings does this for every section)"
        )


class FromDefaults:
    """A field's default computed from the validation context (see SettingsModel).

    Pydantic calls it only when no context filled the key in (model_construct): then the
    value is unknown, None.
    """

    def __init__(self, compute: Callable[[Defaults], Any]):
        self.compute = compute

    def __call__(self) -> Any:
        return None


def environment_default(key: str) -> FromDefaults:
    """The default of `key` (a row of ENVIRONMENT_DEFAULTS) in the context's environment."""
    return FromDefaults(lambda defaults: ENVIRONMENT_DEFAULTS[key][defaults.environment])
