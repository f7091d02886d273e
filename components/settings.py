"""The stack's settings: one pydantic model per config section, loaded and validated.

A stack file holds Pulumi structured config under the `elixir-cluster` namespace, one
map per section (`cluster`, `network`, `release`, `nodes`, `loadBalancer`, `scaling`,
`alerts`), camelCase keys. `load_settings` turns those maps into `StackSettings`, or
raises one `SettingsError` listing every problem, one per line, each starting with the
full key path:

    elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2
    elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap (gap), got 60
    elixir-cluster:nodes.maxsize: unknown key; did you mean maxSize?

How validation is organised:

- Single values (ranges, formats, choices) are pydantic field constraints and
  validators; every limit is a named constant below, with the AWS page it comes from.
- Rules over several keys of one section live in that model's `_rules` method; rules
  across sections in `cross_section_rules`. They report `Problem`s instead of raising,
  so that every mistake in a file is reported at once. When some keys of a section are
  broken, the rules still run on the rest (broken keys replaced by their defaults) and
  any finding that involves a broken key is dropped.
- Defaults that depend on the environment (`ENVIRONMENT_DEFAULTS`) are resolved while
  loading, from `cluster.environment` (which itself defaults to the stack name when that
  is dev, staging or prod, else dev).

Nothing here imports pulumi: components, tools and tests use these models directly.
"""

from __future__ import annotations

import copy
import difflib
import ipaddress
import itertools
import json
import math
import os
import re
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, NoReturn, get_args, get_origin
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, PydanticUndefined

# === Names other components share (import them; never repeat the literal) ==============

NAMESPACE = "elixir-cluster"
"""The Pulumi config namespace (the project name)."""

HTTP_LISTENER_PORT = 80
HTTPS_LISTENER_PORT = 443

DISCOVERY_TAG_KEY = f"{NAMESPACE}:cluster"
"""Tag on every resource and instance; libcluster's EC2 strategy filters on it."""

GROUP_DIMENSION = "AutoScalingGroupName"
"""The CloudWatch dimension of per-group metrics: the agent aggregates node metrics by it,
and EC2 and Auto Scaling publish theirs under it."""

METRICS_NAMESPACE = "Elixir/BEAM"
"""CloudWatch namespace of the agent on each node: memory and the StatsD BEAM metrics,
aggregated by GROUP_DIMENSION."""

STATSD_ADDRESS = "127.0.0.1:8125"
"""Where the CloudWatch agent listens for the release's StatsD metrics (UDP)."""
STATSD_PORT = int(STATSD_ADDRESS.rsplit(":", 1)[1])

MEMORY_METRIC = "mem_used_percent"
"""The CloudWatch agent's memory metric (percent), in METRICS_NAMESPACE."""

BEAM_METRICS: Mapping[str, str] = {
    "schedulerUtilization": "SchedulerUtilization",
    "runQueue": "TotalRunQueueLength",
}
"""BEAM metrics the release publishes to the StatsD listener, by role: scheduler
utilisation (percent of time schedulers do work; unlike OS CPU it excludes busy-waiting)
and the total run-queue length (processes waiting for a scheduler)."""

PREDEFINED_TARGET_METRICS: Mapping[str, str] = {
    "cpu": "ASGAverageCPUUtilization",
    "requestsPerTarget": "ALBRequestCountPerTarget",
}
"""Target-tracking metrics AWS predefines, by their config name."""

PREDICTIVE_METRIC_PAIRS: Mapping[str, str] = {"cpu": "ASGCPUUtilization", "requestsPerTarget": "ALBRequestCount"}
"""Predictive scaling's predefined metric pairs, by their config name."""

STACK_TAG_KEYS = (DISCOVERY_TAG_KEY, "Environment", "ManagedBy")
"""Tags the stack sets on everything (see StackSettings.tags); `Name` is set per resource."""

Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)
SECTION_KEYS = ("cluster", "network", "release", "nodes", "loadBalancer", "scaling", "alerts")


class Range(NamedTuple):
    """An inclusive range of whole numbers, as AWS documents its limits."""

    min: int
    max: int

    def __str__(self) -> str:
        return f"{self.min}..{self.max}"


# === AWS limits (each used by the validators and by the generated docs and schema) ======

# Tags. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html (50 per
# resource, key 1-128 and value 0-256 characters, letters, digits, spaces and _ . : / = + - @,
# `aws:` reserved) and, because the node group propagates tags to instances that have
# metadata tags on, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html
# (keys: letters, digits and + - = . , _ : @ only; no spaces or '/'; not '.', '..' or '_index').
TAGS_PER_RESOURCE_MAX = 50
TAG_KEY_LENGTH = Range(1, 128)
TAG_VALUE_MAX_LENGTH = 256
TAG_RESERVED_PREFIX = "aws:"
TAG_VALUE_SYMBOLS = "_.:/=+-@"
TAG_KEY_SYMBOLS = "+-=._:@"  # allowed by both the tag rules and the instance-metadata rules
METADATA_TAG_KEYS_REFUSED = (".", "..", "_index")
USER_TAGS_MAX = TAGS_PER_RESOURCE_MAX - len(STACK_TAG_KEYS) - 1  # the stack's own and Name

# Names. The cluster name prefixes resource names; ALB and target group names are at most
# 32 characters (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html),
# so 21 characters leave room for "-staging" and a short role suffix.
CLUSTER_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,20}$"
# A mix release name is an Elixir atom and the name part of node@host (an atom: at most
# 255 characters with the "@" and an IPv4 address).
RELEASE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
RELEASE_NAME_MAX_LENGTH = 255 - len("@255.255.255.255")
# Step policy and schedule names become part of AWS names (policy, alarm and scheduled
# action names are at most 255 characters) after the cluster's qualified name.
POLICY_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
POLICY_NAME_TEXT = "1-63 characters: a-z 0-9 -, starting with a letter; unique"

# VPC and subnets. https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
# (IPv4 /16 to /28; RFC 1918 ranges recommended) and
# https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html (5 addresses reserved
# per subnet, smallest subnet /28). Subnet plan: the VPC is cut into 16 blocks (prefix + 4);
# public subnet i is block i, private subnet i is block 8 + i, so the VPC may be at most /24.
VPC_PREFIX = Range(16, 24)
SUBNET_PLAN_EXTRA_BITS = 4
PRIVATE_SUBNET_BLOCK_OFFSET = 8
SUBNET_RESERVED_ADDRESSES = 5
PRIVATE_IPV4_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
AVAILABILITY_ZONES = Range(1, 6)
# An application load balancer needs subnets in at least two zones, each at least /27 with
# 8 free addresses: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
ALB_MIN_ZONES = 2
ALB_SUBNET_MAX_PREFIX = 27
ALB_FREE_ADDRESSES_PER_SUBNET = 8
# Resource ids: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
# (8 hexadecimal characters before 2016, 17 after).
RESOURCE_ID_HEX = r"(?:[0-9a-f]{8}|[0-9a-f]{17})"
VPC_ID_PATTERN = rf"^vpc-{RESOURCE_ID_HEX}$"
SUBNET_ID_PATTERN = rf"^subnet-{RESOURCE_ID_HEX}$"
SECURITY_GROUP_ID_PATTERN = rf"^sg-{RESOURCE_ID_HEX}$"
AMI_ID_PATTERN = rf"^ami-{RESOURCE_ID_HEX}$"

# Ports. The release runs as an unprivileged user (no port below 1024), and Linux hands
# ports 32768-60999 to outgoing connections (net.ipv4.ip_local_port_range), so a listener
# there can find its port taken at boot.
PORT = Range(1, 65535)
UNPRIVILEGED_PORT_MIN = 1024
LINUX_EPHEMERAL_PORTS = Range(32768, 60999)
LISTEN_PORT = Range(UNPRIVILEGED_PORT_MIN, LINUX_EPHEMERAL_PORTS.min - 1)
LISTEN_PORT_TEXT = f"{LISTEN_PORT} (unprivileged, below Linux's ephemeral ports {LINUX_EPHEMERAL_PORTS})"
# Each node listens on one port of the distribution range; a wider range only widens the
# security group rule.
DISTRIBUTION_PORTS_MAX = 1000

# S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
BUCKET_NAME_LENGTH = Range(3, 63)
BUCKET_NAME_PATTERN = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"
BUCKET_PREFIXES_REFUSED = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES_REFUSED = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
S3_KEY_MAX_BYTES = 1024
RELEASE_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")

# SSM parameter names: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
# (a-zA-Z0-9_.-/ only, not prefixed with aws or ssm in any case, at most 15 levels; 1011
# characters including the parameter's ARN prefix, of which the longest is budgeted here).
SSM_PARAMETER_ARN_MAX = 1011
SSM_PARAMETER_NAME_MAX = SSM_PARAMETER_ARN_MAX - len("arn:aws-us-gov:ssm:ap-southeast-5:123456789012:parameter")
SSM_HIERARCHY_LEVELS_MAX = 15
SSM_RESERVED_PREFIXES = ("aws", "ssm")
SSM_NAME_CHARACTERS = r"[a-zA-Z0-9_.\-/]"

# Scale-in, in AWS's order (https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks-overview.html):
# the group first deregisters the node from the load balancer and waits for in-flight
# requests (deregistrationDelay; the activity shows "WaitingForELBConnectionDraining"),
# and only then puts it in Terminating:Wait, where the termination lifecycle hook holds it
# for at most its heartbeat timeout (30-7200 s,
# https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html). The
# drain agent reads `autoscaling/target-lifecycle-state`, which AWS updates as soon as the
# node *prepares* to terminate, possibly before the load balancer has drained. So the
# agent lets the load balancer drain first, then stops the release (drainSeconds), then
# completes the hook: in-flight requests never meet a stopping node, and the hook's
# heartbeat must cover deregistrationDelay + drainSeconds + the agent's margin.
LIFECYCLE_HEARTBEAT = Range(30, 7200)
DRAIN_AGENT_MARGIN_SECONDS = 30  # IMDS polling, the systemd stop, CompleteLifecycleAction
DRAIN_SECONDS = Range(1, LIFECYCLE_HEARTBEAT.max - DRAIN_AGENT_MARGIN_SECONDS)

# Auto Scaling group. https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html
# (min healthy 0-100, max healthy 100-200, max - min <= 100),
# https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups.html
# (up to 40 instance types), https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
# (5 security groups per network interface, one of them the node group's).
GROUP_SIZE = Range(0, 100)  # ceiling of ours: distributed Erlang is a full mesh
MAX_SIZE = Range(1, GROUP_SIZE.max)
INSTANCE_TYPES_MAX = 40
INSTANCE_TYPE_PATTERN = r"^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9-]+$"
# Graviton families carry a 'g' right after the generation digit (c7g, m7gd, t4g, c7gn,
# r8g); a1 is the first Graviton. https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
GRAVITON_FAMILY_PATTERN = r"^(?:a1|[a-z]+[0-9]+g[a-z]*(?:-[a-z0-9]+)?)$"
SECURITY_GROUPS_PER_INTERFACE = 5
EXTRA_SECURITY_GROUPS_MAX = SECURITY_GROUPS_PER_INTERFACE - 1
ROOT_VOLUME_GIB = Range(8, 16384)  # the AL2023 AMI's 8 GiB snapshot .. gp3's 16 TiB
HEALTH_CHECK_GRACE_SECONDS = Range(0, 3600)  # ceiling of ours: AWS warns a long one hides broken nodes
HEALTHY_PERCENTAGE_MIN = Range(0, 100)
HEALTHY_PERCENTAGE_MAX = Range(100, 200)
HEALTHY_PERCENTAGE_SPREAD_MAX = 100
WARMUP_SECONDS = Range(0, 3600)
NODE_WARMUP_SECONDS = 120  # boot, cloud-init, fetch and start the release, pass health checks
PERCENT = Range(0, 100)

# Load balancer and target group: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html,
# https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
# (interval 5-300, timeout 2-120, thresholds 2-10, path up to 1024 characters, success
# codes 200-499 on an ALB and 200-599 on an NLB),
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html
# (deregistration delay 0-3600, lb_cookie duration 1-604800 s) and
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
# (idle timeout 1-4000 s). Access logs: the prefix must not contain "AWSLogs"; on an NLB
# they exist only with a TLS listener (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html).
HEALTH_CHECK_INTERVAL = Range(5, 300)
HEALTH_CHECK_TIMEOUT = Range(2, 120)
HEALTH_CHECK_THRESHOLD = Range(2, 10)
HEALTH_CHECK_PATH_MAX_LENGTH = 1024
URL_PATH_PATTERN = r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*"
"""A path and query as RFC 3986 spells them: what the load balancer sends in the request line."""
ALB_SUCCESS_CODES = Range(200, 499)
NLB_SUCCESS_CODES = Range(200, 599)
MATCHER_PATTERN = r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$"
DEREGISTRATION_DELAY = Range(0, 3600)
IDLE_TIMEOUT = Range(1, 4000)
STICKINESS_DURATION = Range(1, 604800)
ACCESS_LOG_PREFIX_REFUSED = "AWSLogs"
# Inbound rules per security group and IP version (default quota):
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
SECURITY_GROUP_RULES_MAX = 60
ACM_CERTIFICATE_ARN_PATTERN = (
    r"^arn:aws(?:-cn|-us-gov)?:acm:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:certificate/[0-9a-f-]{36}$"
)
REGION_PATTERN = r"^[a-z]{2}(?:-[a-z]+)+-\d+$"
DEFAULT_REGION = "us-east-1"

# TLS policies: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
# (same names on NLB TLS listeners). Only those that refuse TLS 1.0 and 1.1 are accepted.
TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
]
LEGACY_TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-2015-05",
)
DEFAULT_TLS_POLICY: TlsPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"  # AWS's recommendation

# CloudWatch alarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
# (period 10, 20, 30 or a multiple of 60; period x evaluation periods at most one day for
# periods under an hour, else seven days; namespace and metric name up to 255 characters;
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html: up
# to 30 dimensions, name 1-255 and value 1-1024 characters).
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
STANDARD_PERIOD_UNIT = 60
ALARM_WINDOW_SHORT_PERIOD_MAX = 86400
ALARM_WINDOW_MAX = 604800
METRIC_NAME_MAX_LENGTH = 255
DIMENSIONS_MAX = 30
DIMENSION_VALUE_MAX_LENGTH = 1024
PERCENT_TARGET_METRICS = ("cpu", "memory", "schedulerUtilization")
# Predictive scaling: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html
SCHEDULING_BUFFER_SECONDS = Range(0, 3600)
# Alerts: one-minute alarm periods, so the one-day window above.
ALERT_WINDOW_MINUTES = Range(1, ALARM_WINDOW_SHORT_PERIOD_MAX // STANDARD_PERIOD_UNIT)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"

# Scheduled actions: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
# (Unix cron, five fields, in the IANA time zone given).
CRON_FIELDS = (
    ("minute", Range(0, 59), ()),
    ("hour", Range(0, 23), ()),
    ("day of month", Range(1, 31), ()),
    ("month", Range(1, 12), ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", Range(0, 7), ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),  # 0 and 7: Sunday
)

# === Defaults that follow the environment ===============================================

ENVIRONMENT_DEFAULTS: Mapping[str, Mapping[Environment, Any]] = {
    # two zones are the minimum for an ALB; prod survives the loss of a zone with room to spare
    "network.availabilityZones": {"dev": 2, "staging": 2, "prod": 3},
    # a single NAT gateway is cheap but a single point of failure for every zone's egress
    "network.natGateways": {"dev": "single", "staging": "single", "prod": "perAz"},
    # Graviton: cheaper per request; burstable t4g is fine where load is light
    "nodes.instanceTypes": {"dev": ["t4g.small"], "staging": ["c7g.medium"], "prod": ["c7g.large"]},
    "nodes.minSize": {"dev": 1, "staging": 2, "prod": 3},
    "nodes.maxSize": {"dev": 3, "staging": 6, "prod": 12},
    # how much capacity a rolling replacement keeps serving
    "nodes.instanceRefresh.minHealthyPercentage": {"dev": 50, "staging": 75, "prod": 90},
    "loadBalancer.deletionProtection": {"dev": False, "staging": False, "prod": True},
}
"""Per-environment defaults, keyed by the setting's key path; the docs show this table."""


@dataclass(frozen=True)
class _Defaults:
    environment: Environment = "dev"
    cluster_name: str | None = None


_DEFAULTS: ContextVar[_Defaults | None] = ContextVar("elixir_cluster_defaults", default=None)


def _current_defaults() -> _Defaults:
    """What load_settings resolved; models built directly get dev and no cluster name."""
    return _DEFAULTS.get() or _Defaults()


def _by_environment(key: str) -> Callable[[], Any]:
    def default() -> Any:
        return copy.deepcopy(ENVIRONMENT_DEFAULTS[key][_current_defaults().environment])

    return default


def _default_release_name() -> str | None:
    name = _current_defaults().cluster_name
    return name.replace("-", "_") if name else None


def _default_cookie_parameter() -> str | None:
    defaults = _current_defaults()
    return f"/{defaults.cluster_name}/{defaults.environment}/release-cookie" if defaults.cluster_name else None


# === Problems and the error ===============================================================

KeyPath = tuple[str | int, ...]


class _Nothing:
    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


@dataclass(frozen=True)
class Shown:
    """A value already written the way the message should show it (e.g. a port range)."""

    text: str


@dataclass(frozen=True)
class Problem:
    """One finding: the key path (section first), the rule, the value received.

    `refs` are the other keys the rule read; a finding is dropped when any of its keys is
    itself broken, so that one mistake is reported once, where it is.
    """

    path: KeyPath
    rule: str
    got: Any = NOTHING
    refs: tuple[KeyPath, ...] = ()

    def line(self) -> str:
        text = f"{NAMESPACE}:{format_path(self.path)}: {self.rule}"
        return text if self.got is NOTHING else f"{text}, got {_show(self.got)}"

    def involves(self, broken: KeyPath) -> bool:
        return any(_related(path, broken) for path in (self.path, *self.refs))


class SettingsError(ValueError):
    """The stack configuration is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def format_path(path: KeyPath) -> str:
    """("scaling", "step", 0, "steps", 1, "from") -> "scaling.step[0].steps[1].from"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _related(a: KeyPath, b: KeyPath) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _show(value: Any) -> str:
    if isinstance(value, Shown):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # YAML's 60 arrives as 60.0 in float fields
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _refuse(rule: str) -> NoReturn:
    """Raise from a field validator: the message becomes `<path>: <rule>, got <value>`."""
    raise PydanticCustomError("rule", "{rule}", {"rule": rule})


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


# === Single-value validators ==============================================================


def _scalar_as_text(value: Any) -> Any:
    """YAML reads `team: 42` or `matcher: 200` as numbers; AWS wants the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else value


def _pattern(pattern: str, rule: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            _refuse(rule)
        return value

    return check


def _cluster_name(value: str) -> str:
    if not re.match(CLUSTER_NAME_PATTERN, value):
        _refuse("must be 2-21 characters of a-z, 0-9 and '-', starting with a letter")
    if value.endswith("-") or "--" in value:
        _refuse("must not end with '-' or contain '--' (it prefixes AWS names)")
    return value


def _tag_key(key: str) -> str:
    if not TAG_KEY_LENGTH.min <= len(key) <= TAG_KEY_LENGTH.max:
        _refuse(f"a tag key has {TAG_KEY_LENGTH} characters")
    if key.lower().startswith(TAG_RESERVED_PREFIX):
        _refuse(f"tag keys starting with '{TAG_RESERVED_PREFIX}' are reserved for AWS")
    if key in STACK_TAG_KEYS or key == "Name":
        _refuse("the stack sets this tag itself")
    if key in METADATA_TAG_KEYS_REFUSED or not all(c.isascii() and c.isalnum() or c in TAG_KEY_SYMBOLS for c in key):
        _refuse(
            "instance metadata tags allow only letters, digits and "
            f"{' '.join(TAG_KEY_SYMBOLS)} in keys (no spaces or '/'), and not '.', '..' or '_index'"
        )
    return key


def _tag_value(value: str) -> str:
    if len(value) > TAG_VALUE_MAX_LENGTH:
        _refuse(f"a tag value has at most {TAG_VALUE_MAX_LENGTH} characters")
    if value.lower().startswith(TAG_RESERVED_PREFIX):
        _refuse(f"tag values starting with '{TAG_RESERVED_PREFIX}' are reserved for AWS")
    if not all(c.isalnum() or c == " " or c in TAG_VALUE_SYMBOLS for c in value):
        _refuse(f"tag values allow letters, digits, spaces and {' '.join(TAG_VALUE_SYMBOLS)}")
    return value


def _vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value)
    except ipaddress.NetmaskValueError:
        _refuse("must be an IPv4 CIDR block such as 10.0.0.0/16")
    except ValueError:
        try:
            suggestion = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            _refuse("must be an IPv4 CIDR block such as 10.0.0.0/16")
        _refuse(f"host bits must be zero (did you mean {suggestion}?)")
    if not VPC_PREFIX.min <= network.prefixlen <= VPC_PREFIX.max:
        _refuse(
            f"prefix must be /{VPC_PREFIX.min} to /{VPC_PREFIX.max}: subnets are /prefix+{SUBNET_PLAN_EXTRA_BITS} "
            "and AWS's smallest subnet is /28"
        )
    if not any(network.subnet_of(ipaddress.IPv4Network(block)) for block in PRIVATE_IPV4_RANGES):
        _refuse(f"must be inside a private range ({', '.join(PRIVATE_IPV4_RANGES)})")
    return str(network)


def _client_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value)
    except ValueError:
        try:
            suggestion = ipaddress.ip_network(value, strict=False)
        except ValueError:
            _refuse("must be an IPv4 or IPv6 CIDR block such as 0.0.0.0/0 or 203.0.113.0/24")
        _refuse(f"host bits must be zero (did you mean {suggestion}?)")
    if "/" not in value:
        # a bare address reads as one host (/32), but a bare 0.0.0.0 was meant as everyone: ask
        everyone = "0.0.0.0/0" if network.version == 4 else "::/0"
        _refuse(f"needs its prefix length: {network} for this one host, or {everyone} for everyone")
    return str(network)


def _listen_port(value: int) -> int:
    if value < UNPRIVILEGED_PORT_MIN:
        _refuse(f"must be >= {UNPRIVILEGED_PORT_MIN}: the release runs as an unprivileged user")
    if value > LISTEN_PORT.max:
        _refuse(
            f"must be <= {LISTEN_PORT.max}: Linux gives {LINUX_EPHEMERAL_PORTS.min}-{LINUX_EPHEMERAL_PORTS.max} "
            "to outgoing connections, so the port may be taken at boot"
        )
    return value


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 bucket name, or None."""
    if not BUCKET_NAME_LENGTH.min <= len(name) <= BUCKET_NAME_LENGTH.max:
        return f"a bucket name has {BUCKET_NAME_LENGTH} characters"
    if not re.match(BUCKET_NAME_PATTERN, name):
        return "a bucket name uses a-z, 0-9, '.' and '-', and starts and ends with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "a bucket name has no '..', '.-' or '-.'"
    if re.match(r"^\d+\.\d+\.\d+\.\d+$", name):
        return "a bucket name must not look like an IP address"
    if name.startswith(BUCKET_PREFIXES_REFUSED) or name.endswith(BUCKET_SUFFIXES_REFUSED):
        return "a bucket name must not use AWS's reserved prefixes or suffixes"
    return None


def _bucket_name(value: str) -> str:
    problem = bucket_name_problem(value)
    if problem:
        _refuse(problem)
    return value


def _release_artifact(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "s3":
        problem = bucket_name_problem(parts.netloc)
        if problem:
            _refuse(f"s3://<bucket>/<key>: {problem}")
        key = parts.path.lstrip("/")
        if not key or len(key.encode()) > S3_KEY_MAX_BYTES:
            _refuse(f"s3://<bucket>/<key>: the key has 1-{S3_KEY_MAX_BYTES} bytes")
    elif parts.scheme == "https":
        if not parts.hostname:
            _refuse("https://<host>/<path>: the host is missing")
        if parts.username or parts.password:
            _refuse("must not embed credentials: user data is readable on the node")
        if "x-amz-signature" in parts.query.lower():
            _refuse("a presigned URL expires: nodes launched later could not fetch it; use s3://")
    else:
        _refuse("must be s3://<bucket>/<key> or https://<host>/<path> of the release tarball")
    if not parts.path.endswith(RELEASE_ARCHIVE_SUFFIXES):
        _refuse(f"must name a release tarball ({' or '.join(RELEASE_ARCHIVE_SUFFIXES)}) as `mix release` builds it")
    return value


def ssm_parameter_problem(name: str) -> str | None:
    """Why `name` is not a usable SSM parameter path (/a/b/c), or None."""
    if not name.startswith("/") or name.endswith("/") or "//" in name:
        return "must be a path such as /shop/prod/release-cookie (leading '/', no empty level)"
    if not re.fullmatch(f"{SSM_NAME_CHARACTERS}+", name):
        return "allows only a-z A-Z 0-9 _ . - /"
    if name[1:].lower().startswith(SSM_RESERVED_PREFIXES):
        return "must not start with 'aws' or 'ssm' (reserved by AWS)"
    if name.count("/") > SSM_HIERARCHY_LEVELS_MAX:
        return f"has at most {SSM_HIERARCHY_LEVELS_MAX} levels"
    if len(name) > SSM_PARAMETER_NAME_MAX:
        return f"has at most {SSM_PARAMETER_NAME_MAX} characters"
    return None


def _ssm_parameter(value: str) -> str:
    problem = ssm_parameter_problem(value)
    if problem:
        _refuse(problem)
    return value


def _ami(value: str) -> str:
    if value.startswith("resolve:ssm:"):
        # a parameter name or path, optionally :version or :label; AWS's own live under /aws/service
        if not re.fullmatch(rf"resolve:ssm:/?{SSM_NAME_CHARACTERS}+?(?::[A-Za-z0-9_.-]+)?", value) or "//" in value:
            _refuse("resolve:ssm: must be followed by an SSM parameter path such as /aws/service/...")
        return value
    if not re.match(AMI_ID_PATTERN, value):
        _refuse("must be resolve:ssm:/<parameter> (recommended) or ami-<hex>")
    return value


def _alarm_period(value: int) -> int:
    if value not in HIGH_RESOLUTION_PERIODS and (value <= 0 or value % STANDARD_PERIOD_UNIT):
        _refuse(f"must be {', '.join(map(str, HIGH_RESOLUTION_PERIODS))} or a multiple of {STANDARD_PERIOD_UNIT}")
    return value


def _cloudwatch_name(value: str) -> str:
    if not 1 <= len(value) <= METRIC_NAME_MAX_LENGTH or not value.isprintable():
        _refuse(f"must be 1-{METRIC_NAME_MAX_LENGTH} printable characters")
    return value


def _dimensions(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        if not 1 <= len(name) <= METRIC_NAME_MAX_LENGTH or not 1 <= len(text) <= DIMENSION_VALUE_MAX_LENGTH:
            _refuse(
                f"dimension names have 1-{METRIC_NAME_MAX_LENGTH} and values 1-{DIMENSION_VALUE_MAX_LENGTH} characters"
            )
    return value


def _timezone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        suggestion = _did_you_mean(value, sorted(zoneinfo.available_timezones()))
        _refuse(
            "must be an IANA time zone such as Europe/Berlin" + (f" (did you mean {suggestion}?)" if suggestion else "")
        )
    return value


def _cron(value: str) -> str:
    try:
        parse_cron(value)
    except ValueError as problem:
        _refuse(str(problem))
    return value


def _matcher(value: str) -> str:
    if not re.match(MATCHER_PATTERN, value):
        _refuse('must be HTTP codes such as "200", "200,202" or "200-299"')
    for low, high in matcher_ranges(value):
        if low > high:
            _refuse(f"range {low}-{high} is reversed")
    return value


def _refuse_legacy_tls(value: Any) -> Any:
    if value in LEGACY_TLS_POLICIES:
        _refuse(f"allows TLS 1.0/1.1, which browsers and PCI DSS retired; use {DEFAULT_TLS_POLICY}")
    return value


ClusterName = Annotated[str, AfterValidator(_cluster_name)]
TagKey = Annotated[str, AfterValidator(_tag_key)]
TagValue = Annotated[str, BeforeValidator(_scalar_as_text), AfterValidator(_tag_value)]
VpcCidr = Annotated[str, AfterValidator(_vpc_cidr)]
ClientCidr = Annotated[str, AfterValidator(_client_cidr)]
VpcId = Annotated[str, AfterValidator(_pattern(VPC_ID_PATTERN, "must be a VPC id such as vpc-0123456789abcdef0"))]
SubnetId = Annotated[
    str, AfterValidator(_pattern(SUBNET_ID_PATTERN, "must be a subnet id such as subnet-0123456789abcdef0"))
]
SecurityGroupId = Annotated[
    str, AfterValidator(_pattern(SECURITY_GROUP_ID_PATTERN, "must be a security group id such as sg-0123456789abcdef0"))
]
ListenPort = Annotated[int, AfterValidator(_listen_port)]
ReleaseName = Annotated[
    str,
    AfterValidator(_pattern(RELEASE_NAME_PATTERN, "must be an Elixir atom: a-z, 0-9 and '_', starting with a letter")),
]
ReleaseArtifact = Annotated[str, AfterValidator(_release_artifact)]
SsmParameter = Annotated[str, AfterValidator(_ssm_parameter)]
InstanceType = Annotated[
    str, AfterValidator(_pattern(INSTANCE_TYPE_PATTERN, "must be an EC2 instance type such as c7g.large"))
]
Ami = Annotated[str, AfterValidator(_ami)]
AcmCertificateArn = Annotated[
    str,
    AfterValidator(
        _pattern(
            ACM_CERTIFICATE_ARN_PATTERN,
            "must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>",
        )
    ),
]
BucketName = Annotated[str, AfterValidator(_bucket_name)]
Matcher = Annotated[str, BeforeValidator(_scalar_as_text), AfterValidator(_matcher)]
PolicyName = Annotated[
    str,
    AfterValidator(
        _pattern(POLICY_NAME_PATTERN, "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter")
    ),
]
AlarmPeriod = Annotated[int, AfterValidator(_alarm_period)]
CloudWatchName = Annotated[str, AfterValidator(_cloudwatch_name)]
Dimensions = Annotated[dict[str, Annotated[str, BeforeValidator(_scalar_as_text)]], AfterValidator(_dimensions)]
Cron = Annotated[str, AfterValidator(_cron)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Email = Annotated[str, AfterValidator(_pattern(EMAIL_PATTERN, "must be an e-mail address such as oncall@example.com"))]
Statistic = Literal["Average", "Minimum", "Maximum", "SampleCount", "Sum"]


# === Field definitions with their unit, limit and default =================================


def setting(
    default: Any = PydanticUndefined,
    *,
    description: str,
    unit: str | None = None,
    limit: Range | str | None = None,
    ours: str | None = None,
    by_environment: str | None = None,
    default_factory: Callable[[], Any] | None = None,
    default_text: str | None = None,
    pattern: str | None = None,
    examples: list[Any] | None = None,
    **constraints: Any,
) -> Any:
    """A pydantic Field that also records its unit, the limit it enforces and its default.

    A `Range` limit is enforced (ge/le); a text limit documents what a validator enforces;
    `ours` says why the limit is this project's rather than AWS's.
    `by_environment` names a row of ENVIRONMENT_DEFAULTS. The generated schema and docs
    read `x-unit`, `x-limit`, `x-default` and `x-environmentDefaults` from here.
    """
    extra: dict[str, Any] = {}
    if unit:
        extra["x-unit"] = unit
    if isinstance(limit, Range):
        constraints.setdefault("ge", limit.min)
        constraints.setdefault("le", limit.max)
    if limit is not None:
        extra["x-limit"] = f"{limit} (this project's: {ours})" if ours else str(limit)
    if pattern:
        extra["pattern"] = pattern
    if by_environment:
        extra["x-environmentDefaults"] = dict(ENVIRONMENT_DEFAULTS[by_environment])
        default_factory = _by_environment(by_environment)
    if default_text:
        extra["x-default"] = default_text
    if default_factory is not None:
        return Field(
            default_factory=default_factory,
            description=description,
            examples=examples,
            json_schema_extra=extra,
            **constraints,
        )
    return Field(default=default, description=description, examples=examples, json_schema_extra=extra, **constraints)


@dataclass(frozen=True)
class Context:
    """What rules need beyond their own section."""

    stack: str
    environment: Environment
    region: str


class SettingsModel(BaseModel):
    """A config section or a nested object of one: camelCase keys, unknown keys refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    def problems(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        """This object's cross-field rules, then those of the objects inside it."""
        yield from self._rules(at, context)
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            key = field.alias or name
            if isinstance(value, SettingsModel):
                yield from value.problems((*at, key), context)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, SettingsModel):
                        yield from item.problems((*at, key, index), context)

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        return iter(())

    def _path(self, at: KeyPath, *names: str | int) -> KeyPath:
        """The YAML key path of this object's field `names[0]` (snake_case), then `names[1:]`."""
        first, *rest = names
        return (*at, type(self).model_fields[first].alias or first, *rest)

    def is_set(self, name: str) -> bool:
        """Whether the stack file gave this key (rather than the default applying)."""
        return name in self.model_fields_set


# === cluster ================================================================================


class Cluster(SettingsModel):
    """Who this cluster is: its name, environment and the tags on everything it creates.

    Rules: tag keys follow both the AWS tag rules and the instance-metadata tag rules
    (tags propagate to nodes, which read them through IMDS), and may not replace the
    stack's own tags (elixir-cluster:cluster, Environment, ManagedBy, Name).
    """

    name: ClusterName = setting(
        description="Prefixes every resource name and tags everything; with the environment it forms the "
        "qualified name (shop-prod) that node discovery filters on.",
        limit="2-21 characters: a-z 0-9 -, starting with a letter",
        pattern=CLUSTER_NAME_PATTERN,
        examples=["shop"],
    )
    environment: Environment = setting(
        default_factory=lambda: _current_defaults().environment,
        description="Which defaults apply (prod gets the safe ones) and the Environment tag.",
        default_text="the stack name when it is dev, staging or prod, else dev",
    )
    tags: dict[TagKey, TagValue] = setting(
        default_factory=dict,
        description="Extra tags on every resource, propagated to the nodes.",
        limit=f"at most {USER_TAGS_MAX} tags; key {TAG_KEY_LENGTH} and value 0..{TAG_VALUE_MAX_LENGTH} characters",
        max_length=USER_TAGS_MAX,
    )


# === network ================================================================================


class Network(SettingsModel):
    """The VPC: created from `vpcCidr` (one public and one private subnet per zone), or an
    existing one given by `vpcId`, `publicSubnetIds` and `privateSubnetIds`.

    Rules: the two modes exclude each other; the three existing-VPC keys go together, with
    no subnet listed twice; prod needs two zones (or two private subnets) and no single NAT
    gateway. Subnet plan (`subnet_cidrs`): the VPC is cut into 16 equal blocks; zone i gets
    public block i and private block 8 + i.
    """

    vpc_cidr: VpcCidr = setting(
        "10.0.0.0/16",
        description="IPv4 block of a VPC the stack creates.",
        unit="CIDR",
        limit=f"/{VPC_PREFIX.min}../{VPC_PREFIX.max} in an RFC 1918 range, host bits zero",
    )
    availability_zones: int = setting(
        by_environment="network.availabilityZones",
        description="Zones the created VPC spans, one public and one private subnet each. 1 only with a network "
        "load balancer and never in prod (an application load balancer needs two zones).",
        unit="zones",
        limit=AVAILABILITY_ZONES,
    )
    nat_gateways: Literal["none", "single", "perAz"] = setting(
        by_environment="network.natGateways",
        description="Egress for the private subnets: one NAT gateway per zone, one shared (a single point of "
        "failure), or none (no internet: interface endpoints for the AWS APIs the nodes call, and the S3 gateway).",
    )
    vpc_id: VpcId | None = setting(
        None,
        description="Reuse this existing VPC instead of creating one (then also publicSubnetIds and privateSubnetIds).",
        limit="vpc- and 8 or 17 hex digits",
        pattern=VPC_ID_PATTERN,
    )
    public_subnet_ids: list[SubnetId] = setting(
        default_factory=list,
        description="Existing subnets for an internet-facing load balancer (with vpcId).",
        limit="subnet- ids; at least 2 for an application load balancer",
    )
    private_subnet_ids: list[SubnetId] = setting(
        default_factory=list,
        description="Existing subnets for the nodes (with vpcId).",
        limit="subnet- ids, none also public; at least 2 in prod",
    )

    @property
    def existing(self) -> bool:
        """True when the stack reuses a VPC instead of creating one."""
        return self.vpc_id is not None

    def subnet_cidrs(self) -> list[tuple[str, str]]:
        """(public, private) CIDR per availability zone, in zone order: a deterministic plan."""
        if self.existing:
            raise ValueError("an existing VPC brings its own subnets")
        blocks = list(ipaddress.IPv4Network(self.vpc_cidr).subnets(prefixlen_diff=SUBNET_PLAN_EXTRA_BITS))
        return [(str(blocks[i]), str(blocks[PRIVATE_SUBNET_BLOCK_OFFSET + i])) for i in range(self.availability_zones)]

    @property
    def subnet_prefix(self) -> int:
        """Prefix length of each planned subnet."""
        return ipaddress.IPv4Network(self.vpc_cidr).prefixlen + SUBNET_PLAN_EXTRA_BITS

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        existing_keys = ("vpc_id", "public_subnet_ids", "private_subnet_ids")
        if any(self.is_set(name) for name in existing_keys):
            for name in existing_keys:
                if not self.is_set(name):
                    yield Problem(
                        self._path(at, name),
                        "required with an existing VPC: vpcId, publicSubnetIds and privateSubnetIds go together",
                    )
            for name in ("vpc_cidr", "availability_zones", "nat_gateways"):
                if self.is_set(name):
                    yield Problem(
                        self._path(at, name), "not used with an existing VPC (vpcId): remove it", getattr(self, name)
                    )
            yield from self._existing_subnet_rules(at, context)
        elif context.environment == "prod":
            if self.availability_zones < 2:
                yield Problem(
                    self._path(at, "availability_zones"),
                    "must be >= 2 in prod: one zone is a single point of failure",
                    self.availability_zones,
                )
            if self.nat_gateways == "single":
                yield Problem(
                    self._path(at, "nat_gateways"),
                    "must be perAz (or none) in prod: a single NAT gateway is a single point of failure",
                    self.nat_gateways,
                )

    def _existing_subnet_rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        public = set(self.public_subnet_ids)
        for name in ("public_subnet_ids", "private_subnet_ids"):
            seen: set[str] = set()
            for index, subnet in enumerate(getattr(self, name)):
                if subnet in seen:
                    yield Problem(self._path(at, name, index), "listed twice", subnet)
                elif name == "private_subnet_ids" and subnet in public:
                    yield Problem(
                        self._path(at, name, index),
                        "also listed in publicSubnetIds: nodes belong in private subnets",
                        subnet,
                    )
                seen.add(subnet)
        private = set(self.private_subnet_ids)
        needed = 2 if context.environment == "prod" else 1
        if self.is_set("private_subnet_ids") and len(private) < needed:
            why = "prod needs two zones" if needed == 2 else "the nodes need a subnet"
            yield Problem(
                self._path(at, "private_subnet_ids"),
                f"needs at least {needed} distinct subnets: {why}",
                self.private_subnet_ids,
            )


# === release ================================================================================


class PortRange(SettingsModel):
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


EPMD_WELL_KNOWN_PORT = 4369
"""EPMD's registered port: what every Erlang tool assumes unless ERL_EPMD_PORT says otherwise."""


class Distribution(SettingsModel):
    """Distributed Erlang: EPMD and the port range nodes listen on for each other
    (inet_dist_listen_min/max); the node security group opens both between nodes only."""

    epmd_port: ListenPort = setting(
        EPMD_WELL_KNOWN_PORT, description="EPMD, the Erlang port mapper.", unit="TCP port", limit=LISTEN_PORT_TEXT
    )
    port_range: PortRange = setting(
        default_factory=PortRange,
        description="Ports for node-to-node distribution connections.",
        limit=f"from <= to, at most {DISTRIBUTION_PORTS_MAX} ports (this project's: one per node is enough)",
    )


class Release(SettingsModel):
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
        default_factory=_default_release_name,
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
    distribution: Distribution = setting(default_factory=Distribution, description="Distributed Erlang ports.")
    discovery: Literal["ec2Tags", "dns"] = setting(
        "ec2Tags",
        description="How nodes find each other: ec2Tags (libcluster's EC2 strategy on the discovery tag) or dns "
        "(a Cloud Map service, DNS_CLUSTER_QUERY).",
    )
    cookie_parameter: SsmParameter = setting(
        default_factory=_default_cookie_parameter,
        description="SSM SecureString the stack creates for the Erlang cookie; nodes read it at boot.",
        limit=f"an SSM path, at most {SSM_HIERARCHY_LEVELS_MAX} levels, not under /aws or /ssm",
        default_text="/<cluster.name>/<environment>/release-cookie",
    )
    drain_seconds: int = setting(
        30,
        description="How long a leaving node's release gets to stop gracefully (hand off processes, leave the "
        "cluster). AWS drains the load balancer first (loadBalancer.deregistrationDelay), then holds the node in "
        "the termination lifecycle hook; the hook's heartbeat covers both plus "
        f"{DRAIN_AGENT_MARGIN_SECONDS} s, at most {LIFECYCLE_HEARTBEAT.max} s.",
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


# === nodes ==================================================================================


class InstanceRefresh(SettingsModel):
    """How `pulumi up` replaces nodes after a launch template change (rolling).

    Rules: maxHealthyPercentage - minHealthyPercentage <= 100, and they are not both 100.
    """

    min_healthy_percentage: int = setting(
        by_environment="nodes.instanceRefresh.minHealthyPercentage",
        description="Capacity kept in service during a refresh, as a percentage of desired capacity.",
        unit="percent",
        limit=HEALTHY_PERCENTAGE_MIN,
    )
    max_healthy_percentage: int = setting(
        100,
        description="Capacity allowed during a refresh; above 100 new nodes launch before old ones stop.",
        unit="percent",
        limit=HEALTHY_PERCENTAGE_MAX,
    )
    instance_warmup: int = setting(
        NODE_WARMUP_SECONDS,
        description="Time a new node gets before the refresh moves on.",
        unit="seconds",
        limit=WARMUP_SECONDS,
        ours="a node that needs longer is broken",
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        spread = self.max_healthy_percentage - self.min_healthy_percentage
        max_path, min_path = self._path(at, "max_healthy_percentage"), self._path(at, "min_healthy_percentage")
        if spread > HEALTHY_PERCENTAGE_SPREAD_MAX:
            yield Problem(
                max_path,
                f"must be <= minHealthyPercentage + {HEALTHY_PERCENTAGE_SPREAD_MAX} "
                f"({self.min_healthy_percentage + HEALTHY_PERCENTAGE_SPREAD_MAX}), as AWS requires",
                self.max_healthy_percentage,
                refs=(min_path,),
            )
        if self.min_healthy_percentage == self.max_healthy_percentage == HEALTHY_PERCENTAGE_MAX.min:
            yield Problem(
                max_path,
                "must be above 100 when minHealthyPercentage is 100, or no node can be replaced",
                100,
                refs=(min_path,),
            )


class Spot(SettingsModel):
    """Spot capacity through a mixed instances policy; nodes beyond the on-demand part are spot."""

    on_demand_base_capacity: int = setting(
        0, description="Nodes always on demand, filled first.", unit="nodes", limit=GROUP_SIZE
    )
    on_demand_percentage_above_base: int = setting(
        0, description="Share of the nodes above the base that are on demand.", unit="percent", limit=PERCENT
    )
    allocation_strategy: Literal[
        "price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"
    ] = setting(
        "price-capacity-optimized",
        description="Which spot pools to launch from; price-capacity-optimized is AWS's recommendation.",
    )


def instance_architecture(instance_type: str) -> Literal["arm64", "x86_64"]:
    """The CPU architecture of an instance type, from its family name."""
    family = instance_type.split(".", 1)[0]
    return "arm64" if re.match(GRAVITON_FAMILY_PATTERN, family) else "x86_64"


def ami_architecture(ami: str) -> Literal["arm64", "x86_64"] | None:
    """The architecture a resolve:ssm: AMI path names (arm64, x86_64 or amd64), if any."""
    if not ami.startswith("resolve:ssm:"):
        return None
    if "arm64" in ami:
        return "arm64"
    if "x86_64" in ami or "amd64" in ami:
        return "x86_64"
    return None


class Nodes(SettingsModel):
    """The node group: instance types, image, sizes and how nodes are replaced.

    Rules: 0 <= minSize <= desiredCapacity <= maxSize; all instance types one CPU
    architecture, matching the AMI's when its resolve:ssm: path names one; spot's
    onDemandBaseCapacity <= maxSize; no type or security group listed twice; prod runs at
    least two nodes.
    """

    instance_types: list[InstanceType] = setting(
        by_environment="nodes.instanceTypes",
        description="EC2 instance types, one CPU architecture; more than one makes a mixed instances policy.",
        limit=f"1..{INSTANCE_TYPES_MAX} types such as c7g.large, one architecture",
        min_length=1,
        max_length=INSTANCE_TYPES_MAX,
    )
    ami: Ami = setting(
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        description="Node image: resolve:ssm:<parameter> (resolved at each launch) or an ami- id.",
        limit="resolve:ssm:<parameter path> or ami- and 8 or 17 hex digits; architecture of instanceTypes",
    )
    min_size: int = setting(
        by_environment="nodes.minSize",
        description="Fewest nodes the group keeps.",
        unit="nodes",
        limit=GROUP_SIZE,
        ours="distributed Erlang is a full mesh",
    )
    max_size: int = setting(
        by_environment="nodes.maxSize",
        description="Most nodes scaling may reach (distributed Erlang is a full mesh: keep it modest).",
        unit="nodes",
        limit=MAX_SIZE,
        ours="distributed Erlang is a full mesh",
    )
    desired_capacity: int | None = setting(
        None,
        description="Nodes at creation; scaling owns the number afterwards (pulumi up never resets it).",
        unit="nodes",
        limit=GROUP_SIZE,
        default_text="minSize",
    )
    root_volume_gib: int = setting(
        20, description="Encrypted gp3 root volume size.", unit="GiB", limit=ROOT_VOLUME_GIB, alias="rootVolumeGiB"
    )
    health_check_grace_period: int = setting(
        120,
        description="Time a new node gets before failed load balancer health checks replace it.",
        unit="seconds",
        limit=HEALTH_CHECK_GRACE_SECONDS,
        ours="a longer grace period hides broken nodes",
    )
    instance_refresh: InstanceRefresh = setting(
        default_factory=InstanceRefresh, description="Rolling replacement after a launch template change."
    )
    spot: Spot | None = setting(
        None, description="Run part of the group on spot capacity.", default_text="on demand only"
    )
    extra_security_group_ids: list[SecurityGroupId] = setting(
        default_factory=list,
        description="More security groups for the nodes, e.g. the one that lets them reach the database.",
        limit=f"sg- ids, at most {EXTRA_SECURITY_GROUPS_MAX} (5 per network interface, one is the node group's)",
        max_length=EXTRA_SECURITY_GROUPS_MAX,
    )

    def model_post_init(self, context: Any) -> None:
        if self.desired_capacity is None:
            object.__setattr__(self, "desired_capacity", self.min_size)  # a default, not a key the file set

    @property
    def architecture(self) -> Literal["arm64", "x86_64"]:
        """The nodes' CPU architecture (validated to be one)."""
        return instance_architecture(self.instance_types[0])

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        min_path, max_path, desired_path = (self._path(at, n) for n in ("min_size", "max_size", "desired_capacity"))
        if self.max_size < self.min_size:
            yield Problem(max_path, f"must be >= minSize ({self.min_size})", self.max_size, refs=(min_path,))
        elif self.is_set("desired_capacity"):
            if self.desired_capacity < self.min_size:
                yield Problem(
                    desired_path, f"must be >= minSize ({self.min_size})", self.desired_capacity, refs=(min_path,)
                )
            elif self.desired_capacity > self.max_size:
                yield Problem(
                    desired_path, f"must be <= maxSize ({self.max_size})", self.desired_capacity, refs=(max_path,)
                )
        if context.environment == "prod" and self.min_size < 2:
            yield Problem(min_path, "must be >= 2 in prod: one node is a single point of failure", self.min_size)
        yield from self._architecture_rules(at)
        yield from self._list_rules(at)
        if self.spot and self.spot.on_demand_base_capacity > self.max_size:
            yield Problem(
                self._path(at, "spot", "onDemandBaseCapacity"),
                f"must be <= maxSize ({self.max_size})",
                self.spot.on_demand_base_capacity,
                refs=(max_path,),
            )

    def _architecture_rules(self, at: KeyPath) -> Iterator[Problem]:
        types_path = self._path(at, "instance_types")
        first = instance_architecture(self.instance_types[0])
        for index, instance_type in enumerate(self.instance_types[1:], start=1):
            if instance_architecture(instance_type) != first:
                yield Problem(
                    (*types_path, index),
                    f"is {instance_architecture(instance_type)} but {self.instance_types[0]} is {first}: "
                    "one launch template serves all types, so they share an architecture",
                    instance_type,
                    refs=((*types_path, 0),),
                )
        image = ami_architecture(self.ami)
        if image and image != first:
            yield Problem(
                types_path,
                f"are {first} but ami names an {image} image: set ami to the {first} image parameter",
                self.instance_types,
                refs=(self._path(at, "ami"),),
            )

    def _list_rules(self, at: KeyPath) -> Iterator[Problem]:
        for name in ("instance_types", "extra_security_group_ids"):
            seen: set[str] = set()
            for index, item in enumerate(getattr(self, name)):
                if item in seen:
                    yield Problem(self._path(at, name, index), "listed twice", item)
                seen.add(item)


# === loadBalancer ===========================================================================


class Stickiness(SettingsModel):
    """Sticky sessions: an lb_cookie on an ALB, source IP on an NLB."""

    enabled: bool = setting(False, description="Keep a client on the same node.")
    duration_seconds: int = setting(
        86400,
        description="Cookie lifetime (application load balancer only).",
        unit="seconds",
        limit=STICKINESS_DURATION,
    )


class AccessLogs(SettingsModel):
    """Access logs to an S3 bucket in the stack's region (its bucket policy must admit ELB log delivery)."""

    bucket: BucketName = setting(
        description="Bucket receiving the logs.",
        limit=f"an S3 bucket name: {BUCKET_NAME_LENGTH} characters a-z 0-9 . -",
        examples=["shop-alb-logs"],
    )
    prefix: str = setting(
        "",
        description="Key prefix inside the bucket.",
        limit=f"no leading or trailing '/', no '{ACCESS_LOG_PREFIX_REFUSED}'",
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        path = self._path(at, "prefix")
        if self.prefix.startswith("/") or self.prefix.endswith("/"):
            yield Problem(path, "must not start or end with '/' (AWS adds the separators)", self.prefix)
        if ACCESS_LOG_PREFIX_REFUSED in self.prefix:
            yield Problem(path, f"must not contain '{ACCESS_LOG_PREFIX_REFUSED}' (AWS appends it)", self.prefix)


def matcher_ranges(matcher: str) -> list[tuple[int, int]]:
    """ "200,202-204" -> [(200, 200), (202, 204)]."""
    ranges = []
    for part in matcher.split(","):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


class HealthCheck(SettingsModel):
    """The target group's health check: an HTTP GET of `path` on the app port.

    Rules: timeout < interval; success codes within 200-499 on an application and 200-599
    on a network load balancer.
    """

    path: str = setting(
        "/health",
        description="Path the load balancer requests; the release answers 200 while it can serve.",
        limit=f"starts with '/', at most {HEALTH_CHECK_PATH_MAX_LENGTH} characters",
        pattern=r"^/",
        max_length=HEALTH_CHECK_PATH_MAX_LENGTH,
    )
    interval: int = setting(
        10, description="Time between checks of one node.", unit="seconds", limit=HEALTH_CHECK_INTERVAL
    )
    timeout: int = setting(
        5, description="Time without an answer that fails a check.", unit="seconds", limit=HEALTH_CHECK_TIMEOUT
    )
    healthy_threshold: int = setting(
        2, description="Consecutive successes that make a node healthy.", unit="checks", limit=HEALTH_CHECK_THRESHOLD
    )
    unhealthy_threshold: int = setting(
        2, description="Consecutive failures that make a node unhealthy.", unit="checks", limit=HEALTH_CHECK_THRESHOLD
    )
    matcher: Matcher = setting(
        "200",
        description='HTTP codes that count as healthy: "200", "200,202" or "200-299".',
        limit=f"codes {ALB_SUCCESS_CODES} (application) or {NLB_SUCCESS_CODES} (network)",
        pattern=MATCHER_PATTERN,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if not self.path.startswith("/"):
            yield Problem(self._path(at, "path"), "must start with '/'", self.path)
        elif not re.fullmatch(URL_PATH_PATTERN, self.path):
            yield Problem(
                self._path(at, "path"), "must be a URL path: printable ASCII without spaces (write %20)", self.path
            )
        if self.timeout >= self.interval:
            yield Problem(
                self._path(at, "timeout"),
                f"must be < interval ({self.interval})",
                self.timeout,
                refs=(self._path(at, "interval"),),
            )


def _a_load_balancer(kind: str) -> str:
    return "an application load balancer" if kind == "application" else "a network load balancer"


class LoadBalancer(SettingsModel):
    """The load balancer in front of the nodes, its listeners and target group.

    Rules: sslPolicy only with certificateArn; certificateArn in the stack's region; a
    network load balancer has no algorithm choice, idle timeout, cookie duration or access
    logs without TLS; success codes per type; prod keeps deletion protection and serves
    HTTPS when internet-facing; allowedCidrs fit the security group's rule quota.
    """

    type: Literal["application", "network"] = setting(
        "application",
        description="application (HTTP, redirects, least-outstanding-requests) or network (TCP/TLS, one zone allowed).",
    )
    internal: bool = setting(False, description="Reachable only inside the VPC (placed in the private subnets).")
    allowed_cidrs: list[ClientCidr] = setting(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Client networks admitted to the listener ports.",
        limit=f"IPv4/IPv6 CIDR blocks; listeners x blocks <= {SECURITY_GROUP_RULES_MAX} per IP version",
        min_length=1,
    )
    certificate_arn: AcmCertificateArn | None = setting(
        None,
        description="ACM certificate: HTTPS (TLS on a network load balancer) on 443, and on an application load "
        "balancer an HTTP listener that redirects to it.",
        limit="an ACM certificate ARN in the stack's region",
        pattern=ACM_CERTIFICATE_ARN_PATTERN.replace("(?P<region>", "("),
        default_text="none: HTTP only",
    )
    ssl_policy: Annotated[TlsPolicy, BeforeValidator(_refuse_legacy_tls)] = setting(
        DEFAULT_TLS_POLICY,
        description="TLS policy of the HTTPS/TLS listener (only with certificateArn); TLS 1.0/1.1 policies refused.",
    )
    algorithm: Literal["round_robin", "least_outstanding_requests", "weighted_random"] = setting(
        "round_robin",
        description="How an application load balancer picks a node; least_outstanding_requests suits uneven "
        "request costs. A network load balancer always hashes flows (round_robin here).",
    )
    stickiness: Stickiness = setting(default_factory=Stickiness, description="Sticky sessions.")
    deregistration_delay: int = setting(
        30,
        description="How long a leaving node keeps its in-flight requests before the load balancer cuts them; "
        "AWS waits for it before the termination hook (and release.drainSeconds) begins.",
        unit="seconds",
        limit=DEREGISTRATION_DELAY,
    )
    idle_timeout: int = setting(
        60,
        description="Application load balancer connection idle timeout; longer than the app's keep-alive is a "
        "common source of 502s, so keep the app's longer.",
        unit="seconds",
        limit=IDLE_TIMEOUT,
    )
    deletion_protection: bool = setting(
        by_environment="loadBalancer.deletionProtection",
        description="Refuse deletion of the load balancer (pulumi destroy fails until it is turned off).",
    )
    access_logs: AccessLogs | None = setting(None, description="Access logs to S3.", default_text="off")
    health_check: HealthCheck = setting(default_factory=HealthCheck, description="Target health check.")

    @property
    def https(self) -> bool:
        """True when a certificate makes the listener HTTPS (TLS on a network load balancer)."""
        return self.certificate_arn is not None

    @property
    def listener_ports(self) -> list[int]:
        """Ports clients connect to: 80 (and 443 with a certificate; 80 then redirects).

        A network load balancer cannot redirect, so with a certificate it listens on 443 only.
        """
        if not self.https:
            return [HTTP_LISTENER_PORT]
        if self.type == "network":
            return [HTTPS_LISTENER_PORT]
        return [HTTP_LISTENER_PORT, HTTPS_LISTENER_PORT]

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        certificate_path = self._path(at, "certificate_arn")
        if self.is_set("ssl_policy") and not self.https:
            yield Problem(
                self._path(at, "ssl_policy"),
                "has no effect without certificateArn: set both or neither",
                self.ssl_policy,
                refs=(certificate_path,),
            )
        if self.https:
            region = re.match(ACM_CERTIFICATE_ARN_PATTERN, self.certificate_arn)["region"]
            if region != context.region:
                yield Problem(
                    certificate_path,
                    f"must be in the stack's region ({context.region}): a load balancer uses its region's certificates",
                    self.certificate_arn,
                )
        if self.type == "network":
            yield from self._network_rules(at)
        yield from self._matcher_rules(at)
        yield from self._cidr_rules(at)
        if context.environment == "prod":
            if not self.deletion_protection:
                yield Problem(
                    self._path(at, "deletion_protection"),
                    "must stay true in prod: deleting the load balancer takes the cluster offline",
                    False,
                )
            if not self.internal and not self.https:
                yield Problem(
                    certificate_path,
                    "required in prod for an internet-facing load balancer: serve HTTPS, or set internal: true",
                )

    def _network_rules(self, at: KeyPath) -> Iterator[Problem]:
        type_path = self._path(at, "type")
        if self.algorithm != "round_robin":
            yield Problem(
                self._path(at, "algorithm"),
                "a network load balancer has no algorithm choice (it hashes flows)",
                self.algorithm,
                refs=(type_path,),
            )
        if self.is_set("idle_timeout"):
            yield Problem(
                self._path(at, "idle_timeout"),
                "applies to application load balancers only",
                self.idle_timeout,
                refs=(type_path,),
            )
        if self.stickiness.is_set("duration_seconds"):
            yield Problem(
                self._path(at, "stickiness", "durationSeconds"),
                "a network load balancer sticks by source IP, without a duration",
                self.stickiness.duration_seconds,
                refs=(type_path,),
            )
        if self.access_logs and not self.https:
            yield Problem(
                self._path(at, "access_logs"),
                "a network load balancer logs TLS listeners only: set certificateArn",
                refs=(type_path,),
            )

    def _matcher_rules(self, at: KeyPath) -> Iterator[Problem]:
        codes = ALB_SUCCESS_CODES if self.type == "application" else NLB_SUCCESS_CODES
        matcher = self.health_check.matcher
        if any(low < codes.min or high > codes.max for low, high in matcher_ranges(matcher)):
            yield Problem(
                self._path(at, "health_check", "matcher"),
                f"codes must be within {codes.min}-{codes.max} on {_a_load_balancer(self.type)}",
                matcher,
                refs=(self._path(at, "type"),),
            )

    def _cidr_rules(self, at: KeyPath) -> Iterator[Problem]:
        path = self._path(at, "allowed_cidrs")
        seen: set[str] = set()
        for index, cidr in enumerate(self.allowed_cidrs):
            if cidr in seen:
                yield Problem((*path, index), "listed twice", cidr)
            seen.add(cidr)
        for version in (4, 6):
            count = len({c for c in self.allowed_cidrs if ipaddress.ip_network(c).version == version})
            if count * len(self.listener_ports) > SECURITY_GROUP_RULES_MAX:
                yield Problem(
                    path,
                    f"{count} IPv{version} blocks x {len(self.listener_ports)} listener ports exceed the "
                    f"{SECURITY_GROUP_RULES_MAX} inbound rules a security group holds",
                    Shown(f"{count} blocks"),
                )


# === scaling ================================================================================


class MetricSpec(SettingsModel):
    """A CloudWatch metric, aggregated over the node group (AutoScalingGroupName is added)
    unless `perGroup` is false: a metric the cluster does not publish per group, such as a
    queue's depth."""

    namespace: CloudWatchName = setting(
        description="CloudWatch namespace.",
        limit=f"1..{METRIC_NAME_MAX_LENGTH} characters",
        examples=[METRICS_NAMESPACE],
    )
    name: CloudWatchName = setting(
        description="CloudWatch metric name.",
        limit=f"1..{METRIC_NAME_MAX_LENGTH} characters",
        examples=[BEAM_METRICS["runQueue"]],
    )
    statistic: Statistic = setting("Average", description="How datapoints are aggregated per period.")
    dimensions: Dimensions = setting(
        default_factory=dict,
        description="Dimensions beyond AutoScalingGroupName (all of them when perGroup is false).",
        limit=f"at most {DIMENSIONS_MAX}, AutoScalingGroupName included",
        max_length=DIMENSIONS_MAX,
    )
    per_group: bool = setting(
        True,
        description="Whether the metric is published per node group, so AutoScalingGroupName is added to its "
        "dimensions (the release's StatsD and agent metrics are); false for one that is not, such as "
        "AWS/SQS ApproximateNumberOfMessagesVisible by QueueName.",
    )

    def all_dimensions(self, group_name: Any) -> dict[str, Any]:
        """The alarm's dimensions: the group's (when per group), then the declared ones."""
        return ({GROUP_DIMENSION: group_name} if self.per_group else {}) | self.dimensions

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.per_group:
            yield from _group_dimension_rules(
                self.dimensions,
                self._path(at, "dimensions"),
                "; for a metric not published per group set perGroup: false",
            )


def _group_dimension_rules(dimensions: Mapping[str, str], at: KeyPath, opt_out: str = "") -> Iterator[Problem]:
    """The dimensions of a per-group metric leave room for the one the stack adds."""
    if GROUP_DIMENSION in dimensions:
        yield Problem(
            (*at, GROUP_DIMENSION), f"is added by the stack (the group's generated name): leave it out{opt_out}"
        )
    if len(dimensions) > DIMENSIONS_MAX - 1:
        yield Problem(
            at,
            f"at most {DIMENSIONS_MAX - 1} besides {GROUP_DIMENSION} (CloudWatch allows {DIMENSIONS_MAX})",
            len(dimensions),
        )


class TargetTracking(SettingsModel):
    """A target tracking policy: AWS adds and removes nodes to hold `metric` near `target`.

    Rules: percentage metrics (cpu, memory, schedulerUtilization) take a target in
    (0, 100]; only `custom` takes namespace, name, statistic and dimensions, and needs
    the first three.
    """

    metric: Literal["cpu", "requestsPerTarget", "memory", "schedulerUtilization", "custom"] = setting(
        description="cpu (OS CPU: overstates BEAM load, schedulers busy-wait), requestsPerTarget (ALB requests per "
        "node per minute), memory (agent's mem_used_percent), schedulerUtilization (BEAM), custom.",
        examples=["schedulerUtilization"],
    )
    target: float = setting(
        description="Value to hold the metric at.",
        unit="percent for cpu, memory and schedulerUtilization; requests per node per minute; the metric's unit",
        limit="> 0; <= 100 for percentages",
        gt=0,
        examples=[60],
    )
    warmup: int = setting(
        NODE_WARMUP_SECONDS,
        description="Time before a new node's metrics count.",
        unit="seconds",
        limit=WARMUP_SECONDS,
        ours="a node that needs longer is broken",
    )
    disable_scale_in: bool = setting(False, description="Only ever add nodes with this policy.")
    namespace: CloudWatchName | None = setting(None, description="custom only: CloudWatch namespace.")
    name: CloudWatchName | None = setting(None, description="custom only: CloudWatch metric name.")
    statistic: Statistic | None = setting(None, description="custom only: how datapoints are aggregated.")
    dimensions: Dimensions | None = setting(None, description="custom only: dimensions beyond AutoScalingGroupName.")

    def customized_metric(self) -> MetricSpec | None:
        """The CloudWatch metric behind memory, schedulerUtilization and custom; None for AWS's predefined ones."""
        if self.metric in PREDEFINED_TARGET_METRICS:
            return None
        if self.metric == "custom":
            return MetricSpec(
                namespace=self.namespace,
                name=self.name,
                statistic=self.statistic,
                dimensions=self.dimensions or {},
            )
        name = MEMORY_METRIC if self.metric == "memory" else BEAM_METRICS[self.metric]
        return MetricSpec(namespace=METRICS_NAMESPACE, name=name)

    def identity(self) -> tuple:
        """What makes two policies track the same metric."""
        if self.metric != "custom":
            return (self.metric,)
        return (self.namespace, self.name, tuple(sorted((self.dimensions or {}).items())))

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        metric_path = self._path(at, "metric")
        if self.metric in PERCENT_TARGET_METRICS and self.target > PERCENT.max:
            yield Problem(
                self._path(at, "target"),
                f"must be <= 100 for {self.metric} (a percentage)",
                self.target,
                refs=(metric_path,),
            )
        custom_keys = ("namespace", "name", "statistic", "dimensions")
        if self.metric == "custom":
            missing = [name for name in ("namespace", "name", "statistic") if getattr(self, name) is None]
            for name in missing:
                yield Problem(self._path(at, name), "required with metric custom")
            yield from _group_dimension_rules(self.dimensions or {}, self._path(at, "dimensions"))
        else:
            for name in custom_keys:
                if self.is_set(name):
                    yield Problem(
                        self._path(at, name),
                        f"only metric custom takes {name}",
                        getattr(self, name),
                        refs=(metric_path,),
                    )


class Step(SettingsModel):
    """One step of a step policy: a metric interval relative to the threshold, and the change."""

    from_: float | None = setting(
        None,
        description="Lower bound, relative to the threshold (inclusive for GreaterThan*).",
        default_text="-infinity",
        alias="from",
    )
    to: float | None = setting(None, description="Upper bound, relative to the threshold.", default_text="+infinity")
    change: int = setting(
        description="Scaling adjustment: nodes (ChangeInCapacity), the node count (ExactCapacity) or percent.",
        examples=[1],
    )


class StepPolicy(SettingsModel):
    """A step scaling policy and the CloudWatch alarm that drives it.

    Rules: datapointsToAlarm <= evaluationPeriods; period x evaluationPeriods within
    CloudWatch's window; minAdjustmentMagnitude only with PercentChangeInCapacity; steps
    contiguous, no gaps or overlaps, at most one open lower and one open upper bound;
    GreaterThan* steps cover [0, +inf) and scale out, LessThan* steps cover (-inf, 0] and
    scale in.
    """

    name: PolicyName = setting(
        description="Names the policy and its alarm.", limit=POLICY_NAME_TEXT, examples=["run-queue"]
    )
    metric: MetricSpec = setting(
        description="The metric the alarm watches.",
        examples=[{"namespace": METRICS_NAMESPACE, "name": BEAM_METRICS["runQueue"]}],
    )
    threshold: float = setting(description="The alarm threshold; step bounds are relative to it.", examples=[50])
    comparison: Literal[
        "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
    ] = setting(description="When the alarm fires.", examples=["GreaterThanOrEqualToThreshold"])
    period: AlarmPeriod = setting(
        60,
        description="Alarm period.",
        unit="seconds",
        limit=f"{', '.join(map(str, HIGH_RESOLUTION_PERIODS))} or a multiple of 60",
    )
    evaluation_periods: int = setting(
        1,
        description="Periods the alarm evaluates.",
        unit="periods",
        limit=f"period x evaluationPeriods <= {ALARM_WINDOW_SHORT_PERIOD_MAX} (period < 1 h), else {ALARM_WINDOW_MAX}",
        ge=1,
    )
    datapoints_to_alarm: int | None = setting(
        None,
        description="Breaching datapoints (M of N) that fire the alarm.",
        limit="1..evaluationPeriods",
        default_text="evaluationPeriods",
        ge=1,
    )
    adjustment_type: Literal["ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"] = setting(
        "ChangeInCapacity", description="How `change` is read."
    )
    min_adjustment_magnitude: int | None = setting(
        None, description="PercentChangeInCapacity only: the fewest nodes a step changes.", unit="nodes", ge=1
    )
    warmup: int = setting(
        NODE_WARMUP_SECONDS,
        description="Time before a new node's metrics count.",
        unit="seconds",
        limit=WARMUP_SECONDS,
        ours="a node that needs longer is broken",
    )
    steps: list[Step] = setting(
        description="The step adjustments.", min_length=1, examples=[[{"from": 0, "change": 1}]]
    )

    @property
    def scales_out(self) -> bool:
        return self.comparison.startswith("GreaterThan")

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.datapoints_to_alarm is not None and self.datapoints_to_alarm > self.evaluation_periods:
            yield Problem(
                self._path(at, "datapoints_to_alarm"),
                f"must be <= evaluationPeriods ({self.evaluation_periods})",
                self.datapoints_to_alarm,
                refs=(self._path(at, "evaluation_periods"),),
            )
        window = ALARM_WINDOW_SHORT_PERIOD_MAX if self.period < 3600 else ALARM_WINDOW_MAX
        if self.period * self.evaluation_periods > window:
            yield Problem(
                self._path(at, "evaluation_periods"),
                f"period ({self.period}) x evaluationPeriods must be <= {window} s",
                self.evaluation_periods,
                refs=(self._path(at, "period"),),
            )
        if self.min_adjustment_magnitude is not None and self.adjustment_type != "PercentChangeInCapacity":
            yield Problem(
                self._path(at, "min_adjustment_magnitude"),
                "only with adjustmentType PercentChangeInCapacity",
                self.min_adjustment_magnitude,
                refs=(self._path(at, "adjustment_type"),),
            )
        steps = self._path(at, "steps")
        # each family of checks assumes the previous ones passed; report the first that fails
        for check in (self._bounded_steps, self._open_ends, self._contiguous_steps, self._coverage):
            found = list(check(steps))
            if found:
                yield from found
                break
        yield from self._change_signs(steps)

    def _bounded_steps(self, at: KeyPath) -> Iterator[Problem]:
        for index, step in enumerate(self.steps):
            if step.from_ is None and step.to is None:
                yield Problem((*at, index), "needs from or to: a step without bounds covers everything")
            elif step.from_ is not None and step.to is not None and step.from_ >= step.to:
                yield Problem((*at, index, "to"), f"must be > from ({_number(step.from_)})", step.to)

    def _open_ends(self, at: KeyPath) -> Iterator[Problem]:
        for bound, key in (("from_", "from"), ("to", "to")):
            open_ended = [i for i, s in enumerate(self.steps) if getattr(s, bound) is None]
            for index in open_ended[1:]:
                yield Problem(
                    (*at, index, key),
                    f"only one step may leave {key} open (steps[{open_ended[0]}] does)",
                    refs=((*at, open_ended[0], key),),
                )

    def _contiguous_steps(self, at: KeyPath) -> Iterator[Problem]:
        order = sorted(
            range(len(self.steps)), key=lambda i: -math.inf if self.steps[i].from_ is None else self.steps[i].from_
        )
        for before, after in itertools.pairwise(order):
            upper, lower = self.steps[before].to, self.steps[after].from_
            if upper is None:
                yield Problem(
                    (*at, before, "to"),
                    f"is open but steps[{after}] starts at {_number(lower)}: overlap",
                    refs=((*at, after, "from"),),
                )
            elif upper != lower:
                kind = "gap" if lower > upper else "overlap"
                yield Problem(
                    (*at, after, "from"),
                    f"must equal steps[{before}].to ({_number(upper)}): no gap, no overlap ({kind})",
                    lower,
                    refs=((*at, before, "to"),),
                )

    def _coverage(self, at: KeyPath) -> Iterator[Problem]:
        """The alarm fires past the threshold only: steps cover [0, +inf) or (-inf, 0]."""
        lowest, highest = self.steps_in_order()[0].from_, self.steps_in_order()[-1].to
        shown = Shown(_bounds(self.steps_in_order()))
        if self.scales_out:
            if lowest != 0:
                yield Problem(at, f"for {self.comparison} the steps must start at from: 0 (the threshold)", shown)
            if highest is not None:
                yield Problem(at, "the last step must leave `to` open: the metric can rise without limit", shown)
        else:
            if highest != 0:
                yield Problem(at, f"for {self.comparison} the steps must end at to: 0 (the threshold)", shown)
            if lowest is not None:
                yield Problem(at, "the first step must leave `from` open: the metric can fall without limit", shown)

    def _change_signs(self, at: KeyPath) -> Iterator[Problem]:
        if self.adjustment_type == "ExactCapacity":
            return  # a node count, checked against the group's sizes
        for index, step in enumerate(self.steps):
            if self.scales_out and step.change <= 0:
                yield Problem((*at, index, "change"), f"must be > 0: {self.comparison} scales out", step.change)
            elif not self.scales_out and step.change >= 0:
                yield Problem((*at, index, "change"), f"must be < 0: {self.comparison} scales in", step.change)

    def steps_in_order(self) -> list[Step]:
        """The steps from the lowest interval to the highest."""
        return sorted(self.steps, key=lambda s: -math.inf if s.from_ is None else s.from_)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _bounds(steps: list[Step]) -> str:
    def bound(value: float | None, open_text: str) -> str:
        return open_text if value is None else _number(value)

    return " ".join(f"[{bound(s.from_, '-inf')}, {bound(s.to, '+inf')})" for s in steps)


@dataclass(frozen=True)
class CronSchedule:
    """A parsed five-field Unix cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool  # day of month was '*'
    any_weekday: bool  # day of week was '*'

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires at this minute (local time of `moment`), with cron's rule
        that a restricted day of month and day of week match when either does."""
        if moment.minute not in self.minutes or moment.hour not in self.hours or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday


def parse_cron(text: str) -> CronSchedule:
    """Parse "0 7 * * MON-FRI"; ValueError names the field at fault."""
    fields = text.split()
    if len(fields) != len(CRON_FIELDS):
        raise ValueError("must have five fields: minute hour day-of-month month day-of-week")
    values = [
        _cron_field(value, name, limits, names)
        for value, (name, limits, names) in zip(fields, CRON_FIELDS, strict=True)
    ]
    weekdays = frozenset(day % 7 for day in values[4])
    return CronSchedule(*values[:4], weekdays, any_day=fields[2] == "*", any_weekday=fields[4] == "*")


def _cron_field(text: str, name: str, limits: Range, names: tuple[str, ...]) -> frozenset[int]:
    selected: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = _cron_number(step_text, name, names, Range(1, limits.max)) if step_text else 1
        if span == "*":
            low, high = limits
        else:
            first, _, last = span.partition("-")
            low = _cron_number(first, name, names, limits)
            high = _cron_number(last, name, names, limits) if last else (limits.max if step_text else low)
            if low > high:
                raise ValueError(f"{name}: range {span} runs backwards")
        selected.update(range(low, high + 1, step))
    return frozenset(selected)


def _cron_number(text: str, name: str, names: tuple[str, ...], limits: Range) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if name == "month" else 0)
    if not text.isdigit() or not limits.min <= int(text) <= limits.max:
        allowed = f"{limits}" + (f" or {names[0]}-{names[-1]}" if names else "")
        raise ValueError(f"{name}: {text!r} is not {allowed}")
    return int(text)


class Schedule(SettingsModel):
    """A scheduled action: at each cron time (in `timezone`) set the group's sizes.

    Rules: at least one of minSize, maxSize, desiredCapacity; with the nodes section's values
    for the others, min <= desired <= max.
    """

    name: PolicyName = setting(
        description="Names the scheduled action.", limit=POLICY_NAME_TEXT, examples=["weekday-morning"]
    )
    cron: Cron = setting(
        description="When, as Unix cron: minute hour day-of-month month day-of-week (names MON-SUN, JAN-DEC).",
        limit="five fields within their ranges",
        examples=["0 7 * * MON-FRI"],
    )
    timezone: TimeZone = setting(
        "UTC", description="IANA time zone the cron is read in.", limit="a name in the IANA time zone database"
    )
    min_size: int | None = setting(
        None, description="New minimum size.", unit="nodes", limit=GROUP_SIZE, default_text="unchanged"
    )
    max_size: int | None = setting(
        None, description="New maximum size.", unit="nodes", limit=MAX_SIZE, default_text="unchanged"
    )
    desired_capacity: int | None = setting(
        None, description="New desired capacity.", unit="nodes", limit=GROUP_SIZE, default_text="unchanged"
    )

    def recurrence(self) -> CronSchedule:
        """The parsed cron expression (validated when loading)."""
        return parse_cron(self.cron)

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.min_size is None and self.max_size is None and self.desired_capacity is None:
            yield Problem(at, "needs at least one of minSize, maxSize, desiredCapacity")


class Predictive(SettingsModel):
    """Predictive scaling: AWS forecasts load from history and can launch ahead of it."""

    mode: Literal["ForecastOnly", "ForecastAndScale"] = setting(
        "ForecastOnly", description="ForecastOnly to review forecasts first; ForecastAndScale to act on them."
    )
    metric: Literal["cpu", "requestsPerTarget"] = setting("cpu", description="Load metric the forecast follows.")
    target: float = setting(
        60,
        description="Utilisation the forecast capacity aims at.",
        unit="percent (cpu) or requests per node",
        limit="> 0; <= 100 for cpu",
        gt=0,
    )
    scheduling_buffer_time: int = setting(
        NODE_WARMUP_SECONDS,
        description="How early nodes launch before the forecast need.",
        unit="seconds",
        limit=SCHEDULING_BUFFER_SECONDS,
    )
    max_capacity_breach_behavior: Literal["HonorMaxCapacity", "IncreaseMaxCapacity"] = setting(
        "HonorMaxCapacity", description="Whether a forecast may raise the group above maxSize."
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.metric == "cpu" and self.target > PERCENT.max:
            yield Problem(
                self._path(at, "target"),
                "must be <= 100 for cpu (a percentage)",
                self.target,
                refs=(self._path(at, "metric"),),
            )


class Scaling(SettingsModel):
    """How the node group follows load: target tracking, step policies, schedules, predictive.

    Rules: no two target tracking policies on the same metric; step policy and schedule
    names unique.
    """

    target_tracking: list[TargetTracking] = setting(
        default_factory=lambda: [TargetTracking(metric="cpu", target=60)],
        description="Target tracking policies; several scale out when any asks and in when all agree.",
        default_text="[{metric: cpu, target: 60}]",
    )
    step: list[StepPolicy] = setting(default_factory=list, description="Step scaling policies with their alarms.")
    schedules: list[Schedule] = setting(default_factory=list, description="Scheduled size changes.")
    predictive: Predictive | None = setting(None, description="Predictive scaling.", default_text="off")

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        seen: dict[tuple, int] = {}
        for index, policy in enumerate(self.target_tracking):
            identity = policy.identity()
            if identity in seen:
                yield Problem(
                    self._path(at, "target_tracking", index, "metric"),
                    f"targetTracking[{seen[identity]}] already tracks this metric",
                    policy.metric,
                )
            seen.setdefault(identity, index)
        for name in ("step", "schedules"):
            first_by_name: dict[str, int] = {}
            for index, item in enumerate(getattr(self, name)):
                if item.name in first_by_name:
                    yield Problem(
                        self._path(at, name, index, "name"),
                        f"{name}[{first_by_name[item.name]}] has this name already",
                        item.name,
                    )
                first_by_name.setdefault(item.name, index)


# === alerts =================================================================================


class Alerts(SettingsModel):
    """Who hears about trouble, and what counts as trouble."""

    emails: list[Email] = setting(
        default_factory=list,
        description="Addresses subscribed to the alarm topic (each confirms by e-mail).",
        limit="e-mail addresses, each once",
    )
    latency_p99_ms: float = setting(
        1000, description="p99 target response time that raises an alarm.", unit="milliseconds", limit="> 0", gt=0
    )
    error5xx_percent: float = setting(
        5,
        description="Share of requests answered 5xx that raises an alarm.",
        unit="percent",
        limit="(0, 100)",
        gt=0,
        lt=100,
        alias="error5xxPercent",
    )
    at_max_size_minutes: int = setting(
        15,
        description="Minutes at maxSize before an alarm says the scaling ceiling is reached.",
        unit="minutes",
        limit=ALERT_WINDOW_MINUTES,
    )

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, email in enumerate(self.emails):
            if email.lower() in seen:
                yield Problem(self._path(at, "emails", index), "listed twice", email)
            seen.add(email.lower())


SECTIONS: Mapping[str, type[SettingsModel]] = {
    "cluster": Cluster,
    "network": Network,
    "release": Release,
    "nodes": Nodes,
    "loadBalancer": LoadBalancer,
    "scaling": Scaling,
    "alerts": Alerts,
}


# === The whole stack ========================================================================


class StackSettings(SettingsModel):
    """Every section of one stack, validated together, and the values derived from them."""

    stack: str
    region: str
    cluster: Cluster
    network: Network
    release: Release
    nodes: Nodes
    load_balancer: LoadBalancer
    scaling: Scaling
    alerts: Alerts

    @property
    def qualified_name(self) -> str:
        """<cluster>-<environment>, e.g. shop-prod: the discovery tag's value and the name prefix."""
        return f"{self.cluster.name}-{self.cluster.environment}"

    @property
    def tags(self) -> dict[str, str]:
        """Tags for every resource: the stack's own, then the cluster's."""
        return {
            DISCOVERY_TAG_KEY: self.qualified_name,
            "Environment": self.cluster.environment,
            "ManagedBy": "pulumi",
            **self.cluster.tags,
        }

    @property
    def discovery_tag(self) -> tuple[str, str]:
        """(key, value) nodes carry and libcluster's EC2 strategy filters on."""
        return DISCOVERY_TAG_KEY, self.qualified_name

    @property
    def lifecycle_heartbeat_seconds(self) -> int:
        """Heartbeat timeout of the termination lifecycle hook: the load balancer's draining,
        the release's drain and the agent's margin (see DRAIN_AGENT_MARGIN_SECONDS)."""
        total = self.load_balancer.deregistration_delay + self.release.drain_seconds + DRAIN_AGENT_MARGIN_SECONDS
        return max(LIFECYCLE_HEARTBEAT.min, total)


def cross_section_rules(sections: Mapping[str, Any], context: Context) -> Iterator[Problem]:
    """Rules between sections (a section that could not be read at all is None; its rules are skipped):

    - network.availabilityZones >= 2 with an application load balancer; one zone needs type network.
    - With an existing VPC, the load balancer's subnets (public, or private when internal) number
      at least 2 for an application load balancer, and in prod.
    - A created VPC's subnets are /27 or larger for an application load balancer, and the private
      subnets hold nodes.maxSize (plus an instance refresh's surge) per zone.
    - release.artifact is s3:// when network.natGateways is none: there is no internet egress.
    - Scaling on requestsPerTarget (target tracking or predictive) needs an application load balancer.
    - ExactCapacity step changes and schedule sizes stay within nodes.minSize..maxSize.
    - loadBalancer.deregistrationDelay + release.drainSeconds + the drain agent's margin fit the
      termination lifecycle hook's heartbeat (7200 s): AWS drains the load balancer before the hook.
    """
    network, release, nodes = sections.get("network"), sections.get("release"), sections.get("nodes")
    lb, scaling = sections.get("loadBalancer"), sections.get("scaling")
    if network and lb:
        yield from _network_and_load_balancer(network, lb, context)
    if network and nodes and lb and not network.existing:
        yield from _subnet_capacity(network, nodes, lb)
    offline = network and not network.existing and network.nat_gateways == "none"
    if offline and release and release.artifact.startswith("https://"):
        yield Problem(
            ("release", "artifact"),
            "an https:// artifact needs internet egress but network.natGateways is none: use s3:// (served by the "
            "VPC's S3 endpoint) or NAT",
            release.artifact,
            refs=(("network", "natGateways"),),
        )
    if scaling and lb:
        yield from _scaling_and_load_balancer(scaling, lb)
    if scaling and nodes:
        yield from _scaling_and_sizes(scaling, nodes)
    if release and lb:
        total = lb.deregistration_delay + release.drain_seconds + DRAIN_AGENT_MARGIN_SECONDS
        if total > LIFECYCLE_HEARTBEAT.max:
            yield Problem(
                ("release", "drainSeconds"),
                f"loadBalancer.deregistrationDelay ({lb.deregistration_delay}) + drainSeconds + "
                f"{DRAIN_AGENT_MARGIN_SECONDS} s must fit the lifecycle hook's {LIFECYCLE_HEARTBEAT.max} s heartbeat",
                release.drain_seconds,
                refs=(("loadBalancer", "deregistrationDelay"),),
            )


def _network_and_load_balancer(network: Network, lb: LoadBalancer, context: Context) -> Iterator[Problem]:
    type_ref = ("loadBalancer", "type")
    if network.existing:
        name = "private_subnet_ids" if lb.internal else "public_subnet_ids"
        key = Network.model_fields[name].alias
        subnets = set(getattr(network, name))
        needed = ALB_MIN_ZONES if lb.type == "application" or context.environment == "prod" else 1
        if network.is_set(name) and len(subnets) < needed:
            why = "an application load balancer needs two zones" if lb.type == "application" else "prod needs two zones"
            where = "internal" if lb.internal else "internet-facing"
            yield Problem(
                ("network", key),
                f"needs at least {needed} subnets for the {where} load balancer: {why}",
                sorted(subnets),
                refs=(type_ref, ("loadBalancer", "internal")),
            )
        return
    if network.availability_zones < ALB_MIN_ZONES and lb.type == "application":
        yield Problem(
            ("network", "availabilityZones"),
            f"must be >= {ALB_MIN_ZONES} with an application load balancer (AWS requires two zones); "
            "one zone needs type network",
            network.availability_zones,
            refs=(type_ref,),
        )
    if lb.type == "application" and network.subnet_prefix > ALB_SUBNET_MAX_PREFIX:
        yield Problem(
            ("network", "vpcCidr"),
            f"gives /{network.subnet_prefix} subnets, but an application load balancer needs /{ALB_SUBNET_MAX_PREFIX} "
            f"or larger: use /{ALB_SUBNET_MAX_PREFIX - SUBNET_PLAN_EXTRA_BITS} or larger",
            network.vpc_cidr,
            refs=(type_ref,),
        )


def _subnet_capacity(network: Network, nodes: Nodes, lb: LoadBalancer) -> Iterator[Problem]:
    usable = 2 ** (32 - network.subnet_prefix) - SUBNET_RESERVED_ADDRESSES
    peak = math.ceil(nodes.max_size * max(100, nodes.instance_refresh.max_healthy_percentage) / 100)
    per_zone = math.ceil(peak / network.availability_zones)
    needed = per_zone + (ALB_FREE_ADDRESSES_PER_SUBNET if lb.internal and lb.type == "application" else 0)
    if needed > usable:
        yield Problem(
            ("network", "vpcCidr"),
            f"gives /{network.subnet_prefix} private subnets with {usable} usable addresses, but nodes.maxSize "
            f"({nodes.max_size}) needs {needed} per zone",
            network.vpc_cidr,
            refs=(("nodes", "maxSize"), ("network", "availabilityZones")),
        )


def _scaling_and_load_balancer(scaling: Scaling, lb: LoadBalancer) -> Iterator[Problem]:
    if lb.type == "application":
        return
    for index, policy in enumerate(scaling.target_tracking):
        if policy.metric == "requestsPerTarget":
            yield Problem(
                ("scaling", "targetTracking", index, "metric"),
                "needs an application load balancer (AWS counts requests per target on ALBs only)",
                policy.metric,
                refs=(("loadBalancer", "type"),),
            )
    if scaling.predictive and scaling.predictive.metric == "requestsPerTarget":
        yield Problem(
            ("scaling", "predictive", "metric"),
            "needs an application load balancer",
            "requestsPerTarget",
            refs=(("loadBalancer", "type"),),
        )


def _scaling_and_sizes(scaling: Scaling, nodes: Nodes) -> Iterator[Problem]:
    sizes = (("nodes", "minSize"), ("nodes", "maxSize"))
    for index, policy in enumerate(scaling.step):
        if policy.adjustment_type != "ExactCapacity":
            continue
        for step_index, step in enumerate(policy.steps):
            if not nodes.min_size <= step.change <= nodes.max_size:
                yield Problem(
                    ("scaling", "step", index, "steps", step_index, "change"),
                    f"an ExactCapacity change must be within nodes.minSize..maxSize "
                    f"({nodes.min_size}..{nodes.max_size})",
                    step.change,
                    refs=sizes,
                )
    for index, schedule in enumerate(scaling.schedules):
        at = ("scaling", "schedules", index)
        low = nodes.min_size if schedule.min_size is None else schedule.min_size
        high = nodes.max_size if schedule.max_size is None else schedule.max_size
        if low > high:
            key = "maxSize" if schedule.max_size is not None else "minSize"
            got = schedule.max_size if key == "maxSize" else schedule.min_size
            yield Problem(
                (*at, key),
                f"leaves minSize {low} above maxSize {high} (nodes' values fill what the schedule leaves out)",
                got,
                refs=sizes,
            )
        elif schedule.desired_capacity is not None and not low <= schedule.desired_capacity <= high:
            yield Problem(
                (*at, "desiredCapacity"),
                f"must be within the sizes in force, {low}..{high}",
                schedule.desired_capacity,
                refs=sizes,
            )


# === Loading ================================================================================


def load_settings(sections: Mapping[str, Any], *, stack: str, region: str | None = None) -> StackSettings:
    """Validate the config sections of one stack; raise SettingsError listing every problem.

    `sections` maps section keys ("cluster", "loadBalancer", ...) to a map, a JSON string
    (as Pulumi hands structured config to a program) or None. Without `region`, the AWS
    provider's environment variables apply, then us-east-1.
    """
    raw, problems = _read_sections(sections)
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    context = Context(stack=stack, environment=_environment(raw.get("cluster"), stack), region=region)
    cluster_name = (raw.get("cluster") or {}).get("name")
    token = _DEFAULTS.set(_Defaults(context.environment, cluster_name if isinstance(cluster_name, str) else None))
    try:
        models, found = _validate_sections(raw, context)
    finally:
        _DEFAULTS.reset(token)
    lines = list(dict.fromkeys(p.line() for p in problems + found))
    if not re.match(REGION_PATTERN, region):
        lines.append(f"aws:region: must be an AWS region such as eu-west-1, got {_show(region)}")
    if lines:
        raise SettingsError(lines)
    return StackSettings(stack=stack, region=region, **{to_snake(key): model for key, model in models.items()})


def _read_sections(sections: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Each known section as a dict (None when it is not a map); unknown sections refused."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in sections.items():
        if key not in SECTIONS:
            suggestion = _did_you_mean(key, list(SECTIONS))
            hint = f"did you mean {suggestion}?" if suggestion else f"expected one of: {', '.join(SECTIONS)}"
            problems.append(Problem((key,), f"unknown section; {hint}"))
            continue
        raw[key], section_problems = _section_value(key, value)
        problems.extend(section_problems)
    return raw, problems


def _validate_sections(raw: dict[str, Any], context: Context) -> tuple[dict[str, SettingsModel | None], list[Problem]]:
    models: dict[str, SettingsModel | None] = {}
    problems: list[Problem] = []
    broken: list[KeyPath] = []
    for key, model in SECTIONS.items():
        data = raw.get(key, {})
        if data is None:  # not a readable map: already reported
            models[key] = None
            broken.append((key,))
            continue
        models[key], section_problems, section_broken = _validate_section(key, model, data, context)
        problems.extend(section_problems)
        broken.extend(section_broken)
    # a key a rule already refused counts as broken too: one mistake, one line
    broken += [p.path for p in problems]
    problems.extend(p for p in cross_section_rules(models, context) if not any(p.involves(b) for b in broken))
    return models, problems


def to_snake(camel: str) -> str:
    """loadBalancer -> load_balancer."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def load_pulumi_config(config: Any, aws_config: Any, stack: str) -> StackSettings:
    """Settings from Pulumi config objects (`pulumi.Config("elixir-cluster")`, `pulumi.Config("aws")`).

    Duck-typed: anything with `get(key) -> str | None`. Unknown sections cannot be listed
    through pulumi.Config; the JSON Schema and `load_stack_file` catch those.
    """
    sections = {key: config.get(key) for key in SECTIONS}
    return load_settings(sections, stack=stack, region=aws_config.get("region"))


def load_stack_file(path: str | Path) -> StackSettings:
    """Settings of a stack file `Pulumi.<stack>.yaml`; the stack name comes from the file name."""
    path = Path(path)
    match = re.match(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$", path.name)
    if not match:
        raise SettingsError([f"{NAMESPACE}: {path.name}: a stack file is named Pulumi.<stack>.yaml"])
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as broken:
        raise SettingsError([f"{NAMESPACE}: {path.name}: not valid YAML: {broken}"]) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(config or {}, dict):
        raise SettingsError([f"{NAMESPACE}: {path.name}: a stack file is a map whose 'config' is a map"])
    sections: dict[str, Any] = {}
    problems = []
    for key, value in (config or {}).items():
        namespace, _, name = key.rpartition(":")
        if namespace not in ("", NAMESPACE):
            continue
        if name in sections:
            problems.append(f"{NAMESPACE}:{name}: given twice (with and without the namespace)")
        sections[name] = value
    if problems:
        raise SettingsError(problems)
    region = (config or {}).get("aws:region")
    return load_settings(sections, stack=match["stack"], region=region if region is None else str(region))


def _section_value(key: str, value: Any) -> tuple[Any, list[Problem]]:
    if value is None:
        return {}, []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return None, [Problem((key,), "must be a map (Pulumi structured config)", value)]
    if not isinstance(value, dict):
        return None, [Problem((key,), "must be a map of settings", value)]
    return value, []


def _environment(cluster: Any, stack: str) -> Environment:
    given = cluster.get("environment") if isinstance(cluster, dict) else None
    if given in ENVIRONMENTS:
        return given
    return stack if stack in ENVIRONMENTS else "dev"


def _validate_section(
    key: str, model: type[SettingsModel], data: dict, context: Context
) -> tuple[SettingsModel | None, list[Problem], list[KeyPath]]:
    """The section's model (lenient when some keys are broken), its problems, the broken keys."""
    try:
        section = model.model_validate(data, by_name=False)
        return section, list(section.problems((key,), context)), []
    except ValidationError as invalid:
        errors = invalid.errors(include_url=False)
    problems = [_problem_from_pydantic(key, model, error) for error in errors]
    broken = [(key, *error["loc"]) for error in errors]
    lenient = _lenient(model, data, errors)
    if lenient is None:
        return None, problems, [(key,)]
    section, more_broken = lenient
    broken += [(key, *loc) for loc in more_broken]
    problems += [p for p in section.problems((key,), context) if not any(p.involves(b) for b in broken)]
    return section, problems, broken


def _lenient(model: type[SettingsModel], data: dict, errors: list[dict]) -> tuple[SettingsModel, list[tuple]] | None:
    """The section with its broken keys taken out (defaults apply), so the other rules can run."""
    data = copy.deepcopy(data)
    removed: list[tuple] = []
    for _ in range(5):  # taking a key out can reveal a missing one; a few rounds settle it
        for error in errors:
            loc = tuple(error["loc"])
            if not loc or not _repair(model, data, loc, error["type"]):
                return None
            removed.append(loc)
        try:
            return model.model_validate(data, by_name=False), removed
        except ValidationError as invalid:
            errors = invalid.errors(include_url=False)
    return None


def _repair(model: type[SettingsModel], data: Any, loc: tuple, kind: str) -> bool:
    if loc[-1] == "[key]":
        loc = loc[:-1]
    *parents, last = loc
    container = data
    for part in parents:
        try:
            container = container[part]
        except (KeyError, IndexError, TypeError):
            return True  # already taken out with its parent
    if kind == "missing":
        field = _field_at(model, loc)
        if field is None or not field.examples:
            return False
        container[last] = copy.deepcopy(field.examples[0])
        return True
    if isinstance(container, list) and isinstance(last, int) and last < len(container):
        item_model = _model_at(model, loc)
        if item_model is not None:  # an object in a list: keep the position, empty it
            container[last] = {}
        else:
            container.pop(last)
    elif isinstance(container, dict):
        container.pop(last, None)
    return True


def _field_at(model: type[SettingsModel], loc: tuple) -> Any:
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return None
    for name, field in parent.model_fields.items():
        if (field.alias or name) == loc[-1]:
            return field
    return None


def _model_at(model: type[SettingsModel], loc: tuple) -> type[SettingsModel] | None:
    """The model class of the object at `loc` inside `model` (list indices skipped), or None."""
    current: type[SettingsModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None:
            return None
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        current = nested_model(field.annotation) if field else None
    return current


def nested_model(annotation: Any) -> type[SettingsModel] | None:
    """The settings model inside a field's annotation (Optional, list, Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, SettingsModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, Annotated):
        for argument in get_args(annotation):
            found = nested_model(argument)
            if found:
                return found
    return None


_PYDANTIC_RULES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a map",
    "model_type": "must be a map",
    "model_attributes_type": "must be a map",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
}


def _problem_from_pydantic(section: str, model: type[SettingsModel], error: dict) -> Problem:
    """A pydantic error, rewritten in this project's shape (no "Input should be", no URLs)."""
    loc, kind, ctx = tuple(error["loc"]), error["type"], error.get("ctx", {})
    got = error.get("input", NOTHING)
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    path = (section, *loc)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        keys = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        suggestion = _did_you_mean(str(loc[-1]), keys)
        hint = f"did you mean {suggestion}?" if suggestion else f"expected one of: {', '.join(keys)}"
        return Problem(path, f"unknown key; {hint}")
    if kind == "missing":
        field = _field_at(model, loc)
        example = f" (e.g. {_show(field.examples[0])})" if field is not None and field.examples else ""
        return Problem(path, f"required{example}")
    if kind == "rule":
        return Problem(path, ctx["rule"], got)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        suggestion = _did_you_mean(str(got), choices) if isinstance(got, str) else None
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        return Problem(path, f"must be one of: {', '.join(choices)}{hint}", got)
    if kind in ("too_short", "too_long"):
        entries = "entries" if ctx.get("field_type") == "Dictionary" else "items"
        if kind == "too_short":
            return Problem(path, f"must have at least {ctx.get('min_length')} {entries}", got)
        count = len(got) if hasattr(got, "__len__") else ctx.get("actual_length")
        return Problem(path, f"must have at most {ctx.get('max_length')} {entries}", Shown(str(count)))
    if kind == "string_too_long":
        return Problem(path, f"must be at most {ctx.get('max_length')} characters", got)
    if kind == "value_error":
        return Problem(path, str(ctx.get("error", error["msg"])), got)
    template = _PYDANTIC_RULES.get(kind)
    bounds = {name: _show(value) for name, value in ctx.items()}  # 0.0 -> 0
    rule = template.format(**bounds) if template else error["msg"].replace("Input should be", "must be")
    return Problem(path, rule, got)


# === JSON Schema of a stack file ============================================================

PULUMI_STACK_FILE_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment")
"""Top-level keys of a Pulumi stack settings file
(https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/)."""


def stack_file_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a whole `Pulumi.<stack>.yaml`, for editors."""
    definitions: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    for key, model in SECTIONS.items():
        schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        definitions.update(schema.pop("$defs", {}))
        definitions[model.__name__] = schema
        sections[key] = {"$ref": f"#/$defs/{model.__name__}"}
    for schema in definitions.values():
        _describe_properties(schema)
    config_properties = {
        "aws:region": {"type": "string", "pattern": REGION_PATTERN, "description": "AWS region of the stack."}
    }
    for key, reference in sections.items():
        config_properties[f"{NAMESPACE}:{key}"] = reference
        config_properties[key] = reference  # un-namespaced keys belong to the project
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "elixir-cluster stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
            "config": {
                "type": "object",
                "properties": config_properties,
                "patternProperties": {
                    # other providers' keys (aws:*, random:*, pulumi:*) are theirs to check
                    f"^(?!{re.escape(NAMESPACE)}:)[A-Za-z0-9_.-]+:": {},
                },
                "additionalProperties": False,
                # cluster.name and release.artifact are the only required keys
                "allOf": [
                    {"anyOf": [{"required": [f"{NAMESPACE}:{key}"]}, {"required": [key]}]}
                    for key in ("cluster", "release")
                ],
            },
        },
        "required": ["config"],
        "$defs": definitions,
    }


def _describe_properties(schema: dict[str, Any]) -> None:
    """Fold unit, limit and default into each property's description, for editor tooltips."""
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        details = []
        if "x-unit" in prop:
            details.append(f"Unit: {prop['x-unit']}.")
        if "x-limit" in prop:
            details.append(f"Limit: {prop['x-limit']}.")
        if "x-environmentDefaults" in prop:
            by_environment = prop["x-environmentDefaults"]
            shown = ", ".join(f"{env} {json.dumps(by_environment[env])}" for env in ENVIRONMENTS)
            details.append(f"Default: {shown}.")
        elif "x-default" in prop:
            details.append(f"Default: {prop['x-default']}.")
        elif "default" in prop:
            details.append(f"Default: {json.dumps(prop['default'])}.")
        if details:
            prop["description"] = " ".join([prop.get("description", ""), *details]).strip()
