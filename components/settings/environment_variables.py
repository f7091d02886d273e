"""The release's environment variables: what a name and a value may be, and the names the
bootstrap sets itself, which release.environment and release.secrets may not.

systemd hands the release its environment from EnvironmentFile= files (systemd.exec(5)). It
drops an assignment it cannot read with a log line and nothing more, so the release would start
without the variable: those names and values are refused here instead (limits.py has the rules'
pages).

BOOTSTRAP_VARIABLES is the one list of what the node sets for the release: the release's
environment plan (plans/release_environment.py) writes only names listed here, and the tests
hold the list to what the user data, the scripts and the unit set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .limits import ENVIRONMENT_NAME_PATTERN, UNICODE_NONCHARACTERS

BOOTSTRAP_VARIABLES: Mapping[str, str] = {
    "RELEASE_NODE": "the node's name, <release>@<private IPv4>, from the instance metadata",
    "RELEASE_COOKIE": "the distribution cookie, read from release.cookieParameter at each start",
    "RELEASE_DISTRIBUTION": "name: long node names, which distribution between hosts needs",
    "RELEASE_TMP": "the release unit's private runtime directory",
    "LANG": "a UTF-8 locale, which the BEAM reads file names and terminal IO with",
    "ERL_AFLAGS": "pins distribution to release.distribution.portRange, the ports the node security group opens",
    "ERL_EPMD_PORT": "release.distribution.epmdPort",
    "PORT": "release.httpPort, where the load balancer sends requests",
    "PHX_SERVER": "true: the release serves HTTP",
    "HEALTH_CHECK_PATH": "loadBalancer.healthCheck.path, what the load balancer probes",
    "AWS_REGION": "the stack's region, where the node's AWS calls go",
    "CLUSTER_DISCOVERY": "release.discovery",
    "CLUSTER_EC2_TAG_NAME": "the discovery tag libcluster's EC2 strategy filters on",
    "CLUSTER_EC2_TAG_VALUE": "the discovery tag's value: this cluster's qualified name",
    "CLUSTER_APP_PREFIX": "release.name, the left part of every node's name",
    "DNS_CLUSTER_QUERY": "the Cloud Map name dns discovery resolves",
    "STATSD_HOST": "where the CloudWatch agent listens for the release's metrics",
    "STATSD_PORT": "the CloudWatch agent's StatsD port",
}
"""Every variable the node sets for the release, and where its value comes from (the user
data's release.env, the bootstrap, the secrets the release unit reads at start, the unit)."""

NAME_RULE = "must be a name systemd passes on: letters, digits and '_', not starting with a digit"


def environment_name_problem(name: str) -> str | None:
    """Why `name` cannot be one of the release's variables, or None."""
    if not re.match(ENVIRONMENT_NAME_PATTERN, name):
        return NAME_RULE
    if name in BOOTSTRAP_VARIABLES:
        return f"the bootstrap sets it ({BOOTSTRAP_VARIABLES[name]})"
    return None


def environment_value_problem(value: str) -> str | None:
    """Why systemd would drop a variable holding `value`, or None."""
    if "\0" in value:
        return "must not hold NUL: no process environment can"
    if any(_unpassable(character) for character in value):
        return (
            "must not hold a unicode noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) or a lone surrogate: "
            "systemd drops the variable"
        )
    return None


def _unpassable(character: str) -> bool:
    point = ord(character)
    return (
        UNICODE_NONCHARACTERS.min <= point <= UNICODE_NONCHARACTERS.max
        or point & 0xFFFE == 0xFFFE
        or 0xD800 <= point <= 0xDFFF
    )
