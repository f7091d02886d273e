"""The `release` section: the mix release the nodes run, its ports, discovery and drain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from .conventions import EPMD_WELL_KNOWN_PORT, STATSD_ADDRESS, STATSD_PORT
from .defaults import Defaults, FromDefaults
from .drain import AGENT_MARGIN_SECONDS, DRAIN_SECONDS
from .limits import (
    DISTRIBUTION_PORTS_MAX,
    LIFECYCLE_HEARTBEAT,
    LISTEN_PORT_TEXT,
    RELEASE_ARCHIVE_SUFFIXES,
    RELEASE_NAME_MAX_LENGTH,
    RELEASE_NAME_PATTERN,
    SSM_HIERARCHY_LEVELS_MAX,
)
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem, Shown
from .value_types import ListenPort, ReleaseArtifact, ReleaseName, SsmParameter


class PortRangeSettings(SettingsModel):
    """An inclusive TCP port range."""

    from_: ListenPort = setting(9100, description="First port.", unit="TCP port", limit=LISTEN_PORT_TEXT, alias="from")
    to: ListenPort = setting(9155, description="Last port (inclusive).", unit="TCP port", limit=LISTEN_PORT_TEXT)

    def __contains__(self, port: int) -> bool:
        return self.from_ <= port <= self.to

    def __str__(self) -> str:
        return f"{self.from_}-{self.to}"

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.from_ > self.to:
            yield Problem(
                self._path(at, "to"), f"must be >= from ({self.from_})", self.to, refs=(self._path(at, "from_"),)
            )
        elif self.to - self.from_ + 1 > DISTRIBUTION_PORTS_MAX:
            yield Problem(at, f"spans at most {DISTRIBUTION_PORTS_MAX} ports (each node needs one)", Shown(str(self)))


class DistributionSettings(SettingsModel):
    """Distributed Erlang: EPMD and the port range nodes listen on for each other
    (inet_dist_listen_min/max); the node security group opens both between nodes only."""

    epmd_port: ListenPort = setting(
        EPMD_WELL_KNOWN_PORT, description="EPMD, the Erlang port mapper.", unit="TCP port", limit=LISTEN_PORT_TEXT
    )
    port_range: PortRangeSettings = setting(
        default_factory=PortRangeSettings,
        description="Ports for node-to-node distribution connections.",
        limit=f"from <= to, at most {DISTRIBUTION_PORTS_MAX} ports (this project's: one per node is enough)",
    )


def _release_name(defaults: Defaults) -> str | None:
    return defaults.cluster_name.replace("-", "_") if defaults.cluster_name else None


def _cookie_parameter(defaults: Defaults) -> str | None:
    if not defaults.cluster_name:
        return None
    return f"/{defaults.cluster_name}/{defaults.environment}/release-cookie"


class ReleaseSettings(SettingsModel):
    """The mix release every node runs, and how nodes find each other and leave.

    Rules: httpPort, epmdPort, the distribution range and the StatsD port never collide.

    Leaving (scale-in, instance refresh, replacement), in AWS's order: the group deregisters
    the node from the load balancer, which stops sending it requests and gives those in flight
    loadBalancer.deregistrationDelay to finish; only then does the termination lifecycle hook
    hold the node. The drain agent waits for the load balancer's draining even when IMDS
    announces the termination earlier, then stops the release (drainSeconds: hand off
    processes, leave the cluster) and completes the hook. In-flight requests never meet a
    stopping node, and the hook's heartbeat covers both waits.
    """

    name: ReleaseName = setting(
        from_defaults=FromDefaults(_release_name),
        description="The mix release name: bin/<name>, and the node name's left part (<name>@<ip>).",
        limit=f"an Elixir atom: a-z 0-9 _, starting with a letter, at most {RELEASE_NAME_MAX_LENGTH} characters",
        default_text="cluster.name with '-' replaced by '_'",
        pattern=RELEASE_NAME_PATTERN,
        max_length=RELEASE_NAME_MAX_LENGTH,
    )
    artifact: ReleaseArtifact = setting(
        description="The release tarball nodes fetch at boot. Prefer s3:// (read through the VPC's S3 endpoint and "
        "scoped in IAM); https:// must be reachable from the private subnets.",
        limit=f"s3://<bucket>/<key> or https://<host>/<path>, ending {' or '.join(RELEASE_ARCHIVE_SUFFIXES)}",
        examples=["s3://shop-releases/shop-1.4.2.tar.gz"],
    )
    http_port: ListenPort = setting(
        4000,
        description="Port the release serves HTTP on; only the load balancer reaches it.",
        unit="TCP port",
        limit=LISTEN_PORT_TEXT,
    )
    distribution: DistributionSettings = setting(
        default_factory=DistributionSettings, description="Distributed Erlang ports."
    )
    discovery: Literal["ec2Tags", "dns"] = setting(
        "ec2Tags",
        description="How nodes find each other: ec2Tags (libcluster's EC2 strategy on the discovery tag) or dns "
        "(a Cloud Map service, DNS_CLUSTER_QUERY).",
    )
    cookie_parameter: SsmParameter = setting(
        from_defaults=FromDefaults(_cookie_parameter),
        description="SSM SecureString the stack creates for the Erlang cookie; nodes read it at boot.",
        limit=f"an SSM path, at most {SSM_HIERARCHY_LEVELS_MAX} levels, not under /aws or /ssm",
        default_text="/<cluster.name>/<environment>/release-cookie",
    )
    drain_seconds: int = setting(
        30,
        description="How long a leaving node's release gets to stop gracefully (hand off processes, leave the "
        "cluster). AWS drains the load balancer first (loadBalancer.deregistrationDelay), then holds the node in "
        "the termination lifecycle hook; the hook's heartbeat covers both plus "
        f"{AGENT_MARGIN_SECONDS} s, at most {LIFECYCLE_HEARTBEAT.max} s.",
        unit="seconds",
        limit=DRAIN_SECONDS,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        epmd = self.distribution.epmd_port
        ports = self.distribution.port_range
        http_path = self._path(at, "http_port")
        epmd_path = self._path(at, "distribution", "epmdPort")
        range_path = self._path(at, "distribution", "portRange")
        if self.http_port == epmd:
            yield Problem(
                http_path, f"must differ from distribution.epmdPort ({epmd})", self.http_port, refs=(epmd_path,)
            )
        if self.http_port in ports:
            yield Problem(
                range_path, f"must not include httpPort ({self.http_port})", Shown(str(ports)), refs=(http_path,)
            )
        if epmd in ports:
            yield Problem(range_path, f"must not include epmdPort ({epmd})", Shown(str(ports)), refs=(epmd_path,))
        for path, port in ((http_path, self.http_port), (epmd_path, epmd)):
            if port == STATSD_PORT:
                yield Problem(path, f"must differ from the StatsD listener's port ({STATSD_ADDRESS})", port)
        if STATSD_PORT in ports:
            yield Problem(
                range_path, f"must not include the StatsD listener's port ({STATSD_ADDRESS})", Shown(str(ports))
            )
