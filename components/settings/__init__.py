"""The stack's settings: one pydantic model per stack-file section, loaded and validated.

A stack file holds Pulumi structured config under the `elixir-cluster` namespace, one
map per section (`cluster`, `network`, `release`, `nodes`, `loadBalancer`, `scaling`,
`alerts`), camelCase keys. `load_settings` turns those maps into `StackSettings`, or
raises one `SettingsError` listing every problem, one per line, each starting with the
full key path:

    elixir-cluster:nodes.maxSize: must be >= minSize (3), got 2
    elixir-cluster:scaling.step[0].steps[1].from: must equal steps[0].to (50): no gap, no overlap (gap), got 60
    elixir-cluster:nodes.maxsize: unknown key; did you mean maxSize?

Where things are:

- limits: names the stack shares (NAMESPACE, ports, metric names) and every AWS limit,
  each once, with the page it comes from.
- fields: value types and their validators, `setting()` (a field that documents its
  unit, limit and default) and the SettingsModel base.
- defaults: defaults that follow the environment, given as the validation context.
- one module per section: cluster, network, release, nodes, load_balancer, scaling/
  (target_tracking, step, schedules, predictive), alerts. Rules over several keys of a
  section live in its model's `_rules`; they report `Problem`s instead of raising, so
  every mistake in a file is reported at once.
- stack (StackSettings), cross_section (rules between sections), problems (the lines a
  user reads, pydantic's errors translated, broken keys taken out) and loading.

Nothing here imports pulumi: components, plans, tools and tests use these models directly.
"""

from .alerts import AlertsSettings
from .cluster import ClusterSettings
from .cross_section import cross_section_rules
from .defaults import ENVIRONMENT_DEFAULTS, Defaults, EnvironmentRequired
from .fields import (
    Context,
    SettingsModel,
    bucket_name_problem,
    matcher_ranges,
    nested_model,
    setting,
    ssm_parameter_problem,
)
from .limits import (
    ACCESS_LOG_PREFIX_REFUSED,
    ACM_CERTIFICATE_ARN_PATTERN,
    ALARM_WINDOW_MAX,
    ALARM_WINDOW_SHORT_PERIOD_MAX,
    ALB_FREE_ADDRESSES_PER_SUBNET,
    ALB_MIN_ZONES,
    ALB_SUBNET_MAX_PREFIX,
    ALB_SUCCESS_CODES,
    ALERT_WINDOW_MINUTES,
    AMI_ID_PATTERN,
    AVAILABILITY_ZONES,
    BEAM_METRICS,
    BUCKET_NAME_LENGTH,
    BUCKET_NAME_PATTERN,
    BUCKET_PREFIXES_REFUSED,
    BUCKET_SUFFIXES_REFUSED,
    CLUSTER_NAME_PATTERN,
    CRON_FIELDS,
    DEFAULT_REGION,
    DEFAULT_TLS_POLICY,
    DEREGISTRATION_DELAY,
    DIMENSION_VALUE_MAX_LENGTH,
    DIMENSIONS_MAX,
    DISCOVERY_TAG_KEY,
    DISTRIBUTION_PORTS_MAX,
    DRAIN_AGENT_MARGIN_SECONDS,
    DRAIN_SECONDS,
    EMAIL_PATTERN,
    ENVIRONMENTS,
    EPMD_WELL_KNOWN_PORT,
    EXTRA_SECURITY_GROUPS_MAX,
    GRAVITON_FAMILY_PATTERN,
    GROUP_DIMENSION,
    GROUP_SIZE,
    HEALTH_CHECK_GRACE_SECONDS,
    HEALTH_CHECK_INTERVAL,
    HEALTH_CHECK_PATH_MAX_LENGTH,
    HEALTH_CHECK_THRESHOLD,
    HEALTH_CHECK_TIMEOUT,
    HEALTHY_PERCENTAGE_MAX,
    HEALTHY_PERCENTAGE_MIN,
    HEALTHY_PERCENTAGE_SPREAD_MAX,
    HIGH_RESOLUTION_PERIODS,
    HTTP_LISTENER_PORT,
    HTTPS_LISTENER_PORT,
    IDLE_TIMEOUT,
    INSTANCE_TYPE_PATTERN,
    INSTANCE_TYPES_MAX,
    LEGACY_TLS_POLICIES,
    LIFECYCLE_HEARTBEAT,
    LINUX_EPHEMERAL_PORTS,
    LISTEN_PORT,
    LISTEN_PORT_TEXT,
    MATCHER_PATTERN,
    MAX_SIZE,
    MEMORY_METRIC,
    METADATA_TAG_KEYS_REFUSED,
    METRIC_NAME_MAX_LENGTH,
    METRICS_NAMESPACE,
    NAMESPACE,
    NLB_SUCCESS_CODES,
    NODE_WARMUP_SECONDS,
    PERCENT,
    PERCENT_TARGET_METRICS,
    POLICY_NAME_PATTERN,
    POLICY_NAME_TEXT,
    PORT,
    PREDEFINED_TARGET_METRICS,
    PREDICTIVE_METRIC_PAIRS,
    PRIVATE_IPV4_RANGES,
    PRIVATE_SUBNET_BLOCK_OFFSET,
    REGION_PATTERN,
    RELEASE_ARCHIVE_SUFFIXES,
    RELEASE_NAME_MAX_LENGTH,
    RELEASE_NAME_PATTERN,
    RESOURCE_ID_HEX,
    ROOT_VOLUME_GIB,
    S3_KEY_MAX_BYTES,
    SCHEDULING_BUFFER_SECONDS,
    SECURITY_GROUP_ID_PATTERN,
    SECURITY_GROUP_RULES_MAX,
    SECURITY_GROUPS_PER_INTERFACE,
    SSM_HIERARCHY_LEVELS_MAX,
    SSM_NAME_CHARACTERS,
    SSM_PARAMETER_ARN_MAX,
    SSM_PARAMETER_NAME_MAX,
    SSM_RESERVED_PREFIXES,
    STACK_TAG_KEYS,
    STANDARD_PERIOD_UNIT,
    STATSD_ADDRESS,
    STATSD_PORT,
    STICKINESS_DURATION,
    SUBNET_ID_PATTERN,
    SUBNET_PLAN_EXTRA_BITS,
    SUBNET_RESERVED_ADDRESSES,
    TAG_KEY_LENGTH,
    TAG_KEY_SYMBOLS,
    TAG_RESERVED_PREFIX,
    TAG_VALUE_MAX_LENGTH,
    TAG_VALUE_SYMBOLS,
    TAGS_PER_RESOURCE_MAX,
    UNPRIVILEGED_PORT_MIN,
    URL_PATH_PATTERN,
    USER_TAGS_MAX,
    VPC_ID_PATTERN,
    VPC_PREFIX,
    WARMUP_SECONDS,
    Environment,
    Range,
    TlsPolicy,
)
from .load_balancer import AccessLogsSettings, HealthCheckSettings, LoadBalancerSettings, StickinessSettings
from .loading import load_pulumi_config, load_settings, to_snake
from .network import NetworkSettings
from .nodes import InstanceRefreshSettings, NodesSettings, SpotSettings, ami_architecture, instance_architecture
from .problems import KeyPath, Problem, SettingsError, Shown, format_path
from .release import DistributionSettings, PortRangeSettings, ReleaseSettings
from .scaling import ScalingSettings
from .scaling.metric import MetricSettings
from .scaling.predictive import PredictiveSettings
from .scaling.schedules import CronSchedule, ScheduleSettings, parse_cron
from .scaling.step import StepPolicySettings, StepSettings
from .scaling.target_tracking import TargetTrackingSettings
from .stack import SECTIONS, StackSettings

__all__ = [
    "ACCESS_LOG_PREFIX_REFUSED",
    "AccessLogsSettings",
    "ACM_CERTIFICATE_ARN_PATTERN",
    "ALARM_WINDOW_MAX",
    "ALARM_WINDOW_SHORT_PERIOD_MAX",
    "ALB_FREE_ADDRESSES_PER_SUBNET",
    "ALB_MIN_ZONES",
    "ALB_SUBNET_MAX_PREFIX",
    "ALB_SUCCESS_CODES",
    "ALERT_WINDOW_MINUTES",
    "AlertsSettings",
    "ami_architecture",
    "AMI_ID_PATTERN",
    "AVAILABILITY_ZONES",
    "BEAM_METRICS",
    "BUCKET_NAME_LENGTH",
    "BUCKET_NAME_PATTERN",
    "bucket_name_problem",
    "BUCKET_PREFIXES_REFUSED",
    "BUCKET_SUFFIXES_REFUSED",
    "CLUSTER_NAME_PATTERN",
    "ClusterSettings",
    "Context",
    "CRON_FIELDS",
    "CronSchedule",
    "cross_section_rules",
    "DEFAULT_REGION",
    "DEFAULT_TLS_POLICY",
    "Defaults",
    "DEREGISTRATION_DELAY",
    "DIMENSION_VALUE_MAX_LENGTH",
    "DIMENSIONS_MAX",
    "DISCOVERY_TAG_KEY",
    "DISTRIBUTION_PORTS_MAX",
    "DistributionSettings",
    "DRAIN_AGENT_MARGIN_SECONDS",
    "DRAIN_SECONDS",
    "EMAIL_PATTERN",
    "Environment",
    "ENVIRONMENT_DEFAULTS",
    "EnvironmentRequired",
    "ENVIRONMENTS",
    "EPMD_WELL_KNOWN_PORT",
    "EXTRA_SECURITY_GROUPS_MAX",
    "format_path",
    "GRAVITON_FAMILY_PATTERN",
    "GROUP_DIMENSION",
    "GROUP_SIZE",
    "HEALTH_CHECK_GRACE_SECONDS",
    "HEALTH_CHECK_INTERVAL",
    "HEALTH_CHECK_PATH_MAX_LENGTH",
    "HEALTH_CHECK_THRESHOLD",
    "HEALTH_CHECK_TIMEOUT",
    "HealthCheckSettings",
    "HEALTHY_PERCENTAGE_MAX",
    "HEALTHY_PERCENTAGE_MIN",
    "HEALTHY_PERCENTAGE_SPREAD_MAX",
    "HIGH_RESOLUTION_PERIODS",
    "HTTP_LISTENER_PORT",
    "HTTPS_LISTENER_PORT",
    "IDLE_TIMEOUT",
    "instance_architecture",
    "INSTANCE_TYPE_PATTERN",
    "INSTANCE_TYPES_MAX",
    "InstanceRefreshSettings",
    "KeyPath",
    "LEGACY_TLS_POLICIES",
    "LIFECYCLE_HEARTBEAT",
    "LINUX_EPHEMERAL_PORTS",
    "LISTEN_PORT",
    "LISTEN_PORT_TEXT",
    "load_pulumi_config",
    "load_settings",
    "LoadBalancerSettings",
    "MATCHER_PATTERN",
    "matcher_ranges",
    "MAX_SIZE",
    "MEMORY_METRIC",
    "METADATA_TAG_KEYS_REFUSED",
    "METRIC_NAME_MAX_LENGTH",
    "METRICS_NAMESPACE",
    "MetricSettings",
    "NAMESPACE",
    "nested_model",
    "NetworkSettings",
    "NLB_SUCCESS_CODES",
    "NODE_WARMUP_SECONDS",
    "NodesSettings",
    "parse_cron",
    "PERCENT",
    "PERCENT_TARGET_METRICS",
    "POLICY_NAME_PATTERN",
    "POLICY_NAME_TEXT",
    "PORT",
    "PortRangeSettings",
    "PREDEFINED_TARGET_METRICS",
    "PREDICTIVE_METRIC_PAIRS",
    "PredictiveSettings",
    "PRIVATE_IPV4_RANGES",
    "PRIVATE_SUBNET_BLOCK_OFFSET",
    "Problem",
    "Range",
    "REGION_PATTERN",
    "RELEASE_ARCHIVE_SUFFIXES",
    "RELEASE_NAME_MAX_LENGTH",
    "RELEASE_NAME_PATTERN",
    "ReleaseSettings",
    "RESOURCE_ID_HEX",
    "ROOT_VOLUME_GIB",
    "S3_KEY_MAX_BYTES",
    "ScalingSettings",
    "ScheduleSettings",
    "SCHEDULING_BUFFER_SECONDS",
    "SECTIONS",
    "SECURITY_GROUP_ID_PATTERN",
    "SECURITY_GROUP_RULES_MAX",
    "SECURITY_GROUPS_PER_INTERFACE",
    "setting",
    "SettingsError",
    "SettingsModel",
    "Shown",
    "SpotSettings",
    "SSM_HIERARCHY_LEVELS_MAX",
    "SSM_NAME_CHARACTERS",
    "SSM_PARAMETER_ARN_MAX",
    "SSM_PARAMETER_NAME_MAX",
    "ssm_parameter_problem",
    "SSM_RESERVED_PREFIXES",
    "STACK_TAG_KEYS",
    "StackSettings",
    "STANDARD_PERIOD_UNIT",
    "STATSD_ADDRESS",
    "STATSD_PORT",
    "StepPolicySettings",
    "StepSettings",
    "STICKINESS_DURATION",
    "StickinessSettings",
    "SUBNET_ID_PATTERN",
    "SUBNET_PLAN_EXTRA_BITS",
    "SUBNET_RESERVED_ADDRESSES",
    "TAG_KEY_LENGTH",
    "TAG_KEY_SYMBOLS",
    "TAG_RESERVED_PREFIX",
    "TAG_VALUE_MAX_LENGTH",
    "TAG_VALUE_SYMBOLS",
    "TAGS_PER_RESOURCE_MAX",
    "TargetTrackingSettings",
    "TlsPolicy",
    "to_snake",
    "UNPRIVILEGED_PORT_MIN",
    "URL_PATH_PATTERN",
    "USER_TAGS_MAX",
    "VPC_ID_PATTERN",
    "VPC_PREFIX",
    "WARMUP_SECONDS",
]

# Old names, kept until the rest of the tree is renamed (issue 13)
Cluster = ClusterSettings
Network = NetworkSettings
PortRange = PortRangeSettings
Distribution = DistributionSettings
Release = ReleaseSettings
InstanceRefresh = InstanceRefreshSettings
Spot = SpotSettings
Nodes = NodesSettings
Stickiness = StickinessSettings
AccessLogs = AccessLogsSettings
HealthCheck = HealthCheckSettings
LoadBalancer = LoadBalancerSettings
MetricSpec = MetricSettings
TargetTracking = TargetTrackingSettings
Step = StepSettings
StepPolicy = StepPolicySettings
Schedule = ScheduleSettings
Predictive = PredictiveSettings
Scaling = ScalingSettings
Alerts = AlertsSettings


def load_stack_file(path: str) -> StackSettings:
    """Old name of tools.stack_settings.load_stack_settings (the one stack-file reader)."""
    # imported here so that components import no tools at load time; leaves with this block
    from tools.stack_settings import load_stack_settings

    return load_stack_settings(path)


# End of the old names
