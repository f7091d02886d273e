"""The `release` section: the mix release the nodes run, its ports, discovery and drain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from .conventions import EPMD_WELL_KNOWN_PORT, STATSD_ADDRESS, STATSD_PORT
from .defaults import Defaults, FromDefaults
from .drain import AGENT_MARGIN_SECONDS, DRAIN_SECONDS
from .launch import BOOT_SECONDS, JOIN_SECONDS
from .limits import (
    DISTRIBUTION_PORTS_MAX,
    ENVIRONMENT_LINE_BYTES,
    LIFECYCLE_HEARTBEAT,
    LISTEN_PORT_TEXT,
    RELEASE_ARCHIVE_SUFFIXES,
    RELEASE_NAME_MAX_LENGTH,
    RELEASE_NAME_PATTERN,
    RELEASE_VARIABLES_MAX_BYTES,
    SECRET_LINE_BYTES,
    SSM_HIERARCHY_LEVELS_MAX,
)
from .model import Context, SettingsModel, setting
from .problems import KeyPath, Problem, Shown
from .secret_references import SECRET_ARN_FORM, SSM_ARN_FORM, secret_source
from .value_types import (
    ListenPort,
    ReleaseArtifact,
    ReleaseName,
    ReleaseValue,
    ReleaseVariable,
    SecretReference,
    SsmParameter,
)


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

    Rules: httpPort, epmdPort, the distribution range and the StatsD port never collide. A
    variable is in environment or in secrets, not both; a secret named by ARN is in the stack's
    region (nodes read Parameter Store and Secrets Manager there); together environment and
    secrets fit what EC2's 16 KB of user data leaves beside the node's scripts.

    Joining (scale-out, instance refresh, replacement): the launch lifecycle hook holds a new node
    out of the load balancer until its release answers the health check and, when the group has
    nodes in service, sees one of them in Node.list(); joinSeconds bounds that wait, then the node
    is abandoned (launch.py budgets it).

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
    environment: dict[ReleaseVariable, ReleaseValue] = setting(
        default_factory=dict,
        description="Plain variables the release runs with (PHX_HOST, POOL_SIZE...), beside the bootstrap's. They "
        "travel in the user data, which whoever may describe the launch template reads: a secret goes in secrets.",
        limit="names: letters, digits and _, not starting with a digit, none the bootstrap sets (RELEASE_NODE, "
        "RELEASE_COOKIE, RELEASE_DISTRIBUTION, ERL_AFLAGS, PORT, ...); values: text without NUL or unicode "
        f"noncharacters (systemd drops those); with secrets at most {RELEASE_VARIABLES_MAX_BYTES} bytes of user data",
        examples=[{"PHX_HOST": "shop.example.com", "POOL_SIZE": "10"}],
    )
    secrets: dict[ReleaseVariable, SecretReference] = setting(
        default_factory=dict,
        description="Variables the release reads from SSM SecureStrings or Secrets Manager secrets, as ECS's "
        "valueFrom names them. Each start of the release reads them with the node role (granted exactly these) "
        "into a 0600 file under its runtime directory; the stack holds where they are, never their values. A "
        "version pin rolls the nodes when it changes; without one, each start reads the latest.",
        limit=f"names as in environment, and not in it too; values: an SSM parameter name (/a/b, /a/b:3, "
        f"/a/b:label) or {SSM_ARN_FORM}[:version], or {SECRET_ARN_FORM}[:json-key:version-stage:version-id]; an "
        "ARN in the stack's region",
        examples=[
            {
                "SECRET_KEY_BASE": "/shop/prod/secret-key-base",
                "DATABASE_URL": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf:url::",
            }
        ],
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
    join_seconds: int = setting(
        120,
        description="How long a new node's release gets, from its start, to answer the load balancer's health "
        "check and see a node already in service (`bin/<name> rpc`, Node.list()); the launch lifecycle hook keeps "
        f"the node out of the load balancer meanwhile and abandons it after. The hook's heartbeat adds {BOOT_SECONDS} "
        "s for the boot before it.",
        unit="seconds",
        limit=JOIN_SECONDS,
    )

    @property
    def user_data_bytes(self) -> int:
        """What environment and secrets add to the node's user data (limits.py says how it is counted)."""
        environment = sum(
            len(name) + ENVIRONMENT_LINE_BYTES + len(value.encode()) + _escapes(value)
            for name, value in self.environment.items()
        )
        secrets = sum(len(name) + 2 * len(reference) + SECRET_LINE_BYTES for name, reference in self.secrets.items())
        return environment + secrets

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
        yield from self._variable_rules(at, context)

    def _variable_rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        size = self.user_data_bytes
        if size > RELEASE_VARIABLES_MAX_BYTES:
            yield Problem(
                self._path(at, "environment"),
                f"with secrets, takes at most {RELEASE_VARIABLES_MAX_BYTES} bytes of the node's user data (EC2 takes "
                "16 KB, the node's scripts most of it): move large values into secrets",
                Shown(f"{size} bytes"),
                refs=(self._path(at, "secrets"),),
            )
        for name, reference in self.secrets.items():
            path = self._path(at, "secrets", name)
            if name in self.environment:
                yield Problem(
                    path, "is in environment too: a variable has one value", refs=(self._path(at, "environment", name),)
                )
            located = secret_source(reference).located
            if located is not None and context.region is not None and located.region != context.region:
                yield Problem(
                    path,
                    f"is in {located.region}, but nodes read their secrets in the stack's region ({context.region}): "
                    f"Parameter Store and Secrets Manager are regional (replicate it to {context.region})",
                    reference,
                )


def _escapes(value: str) -> int:
    """Bytes a value's quoting adds: a backslash before \\ " ` $, a line's indentation, a control character's escape."""
    quoted = sum(value.count(character) for character in '\\"`$')
    controls = sum(1 for character in value if not character.isprintable() and character != "\n")
    return quoted + 4 * value.count("\n") + 4 * controls
