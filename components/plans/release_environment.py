"""The release's environment: what /etc/<release>/release.env holds on a node, which the
release script, the BEAM and the application read (docs/elixir-application.md lists it).

The stack's own variables first (settings/environment_variables.py's BOOTSTRAP_VARIABLES names
every one the node sets), then release.environment. All but RELEASE_NODE are written by
cloud-init (`release_env_file`); scripts/bootstrap.sh adds RELEASE_NODE once it knows the node's
private IPv4. The secrets are not here: the release unit reads them at each start into a file of
their own (plans/secrets.py). The conformance lab starts its nodes from the same dictionary.
"""

from __future__ import annotations

from ..settings import EPMD_WELL_KNOWN_PORT, STATSD_ADDRESS, STATSD_PORT, StackSettings
from ..settings.environment_variables import BOOTSTRAP_VARIABLES
from .discovery import dns_cluster_query
from .scripts.env_assignment import assignment


def release_environment(settings: StackSettings, private_ip: str) -> dict[str, str]:
    """What /etc/<release>/release.env holds on the node whose private IPv4 is `private_ip`.

    All but RELEASE_NODE come from the stack (`stack_release_environment`, which cloud-init
    writes); scripts/bootstrap.sh adds RELEASE_NODE once it knows the IP (tests hold the two
    to the same value).
    """
    return {**stack_release_environment(settings), "RELEASE_NODE": f"{settings.release.name}@{private_ip}"}


def stack_release_environment(settings: StackSettings) -> dict[str, str]:
    """The release environment every node of the stack shares: what cloud-init writes."""
    return {**bootstrap_environment(settings), **settings.release.environment}


def bootstrap_environment(settings: StackSettings) -> dict[str, str]:
    """The variables the stack sets for the release in release.env (release.environment aside)."""
    release = settings.release
    ports = release.distribution.port_range
    env = {
        "RELEASE_DISTRIBUTION": "name",
        # Pin distribution to the range the node security group opens between nodes.
        "ERL_AFLAGS": f"-kernel inet_dist_listen_min {ports.from_} inet_dist_listen_max {ports.to}",
    }
    if release.distribution.epmd_port != EPMD_WELL_KNOWN_PORT:  # only another port needs saying
        env["ERL_EPMD_PORT"] = str(release.distribution.epmd_port)
    env |= {
        "PORT": str(release.http_port),
        "PHX_SERVER": "true",
        "HEALTH_CHECK_PATH": settings.load_balancer.health_check.path,
        "AWS_REGION": settings.region,
        "CLUSTER_DISCOVERY": release.discovery,
        **_discovery_environment(settings),
        "STATSD_HOST": STATSD_ADDRESS.rsplit(":", 1)[0],
        "STATSD_PORT": str(STATSD_PORT),
    }
    undeclared = set(env) - set(BOOTSTRAP_VARIABLES)
    if undeclared:  # the settings refuse exactly BOOTSTRAP_VARIABLES in release.environment
        raise ValueError(f"{sorted(undeclared)} must be in settings/environment_variables.py's BOOTSTRAP_VARIABLES")
    return env


def _discovery_environment(settings: StackSettings) -> dict[str, str]:
    if settings.release.discovery == "dns":
        return {"DNS_CLUSTER_QUERY": dns_cluster_query(settings)}
    tag_name, tag_value = settings.discovery_tag
    # libcluster_ec2's ClusterEC2.Strategy.Tags: ec2_tagname, ec2_tagvalue, app_prefix.
    return {
        "CLUSTER_EC2_TAG_NAME": tag_name,
        "CLUSTER_EC2_TAG_VALUE": tag_value,
        "CLUSTER_APP_PREFIX": settings.release.name,
    }


def release_env_file(settings: StackSettings) -> str:
    """/etc/<release>/release.env as cloud-init writes it (each value exactly as systemd and sh read
    it back: scripts/env_assignment.py); the bootstrap adds RELEASE_NODE."""
    return "".join(assignment(key, value) for key, value in stack_release_environment(settings).items())
