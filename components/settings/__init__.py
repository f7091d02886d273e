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

- conventions: the names the stack's parts agree on (NAMESPACE, listener ports, the
  discovery tag, metric names, environments, the subnet plan).
- limits: every AWS limit (and the few of Linux and Erlang), each once, with its page.
- region: the stack's region as the AWS provider reads it (aws:region, then the environment),
  and whether AWS has it.
- value_types: what a key may hold (ClusterName, VpcCidr, ListenPort, Cron, ...) and the
  validators that refuse the rest; cron: Unix cron expressions, parsed; environment_variables:
  a release variable's name and value, and the names the bootstrap sets (BOOTSTRAP_VARIABLES);
  secret_references: where a secret of release.secrets is read from (SSM, Secrets Manager).
- model: `setting()` (a field that documents its unit, limit and default), the
  SettingsModel base and the Context its rules read.
- defaults: defaults that follow the environment, given as the validation context.
- one module per section: cluster, network (flow_logs), release, nodes, load_balancer
  (waf), scaling/ (target_tracking, step, schedules, predictive), alerts. Rules over several
  keys of a section live in its model's `_rules`; they report `Problem`s instead of raising,
  so every mistake in a file is reported at once.
- drain: the drain budget (how long a leaving node takes), read by validation, the
  termination hook, the release unit's stop timeout and the simulator; launch: the launch
  budget (how long a new node may take to serve), read by the launch hook and its script.
- alarms: the stack's alarms by the names the stack file knows them (health alarm roles, step
  policies), which nodes.instanceRefresh.alarms names.
- stack (StackSettings), cross_section (rules between sections), problems (the lines a
  user reads), pydantic_errors (pydantic's errors in those words, broken keys taken out)
  and loading.

Nothing here imports pulumi: components, plans, tools and tests use these models directly.
"""

from .alarms import APPLICATION_ONLY_ALARMS, HEALTH_ALARM_ROLES, can_grow, health_alarm_roles
from .alerts import AlertsSettings
from .cluster import ClusterSettings
from .conventions import (
    BEAM_METRICS,
    CLOUDWATCH,
    DISCOVERY_TAG_KEY,
    ENVIRONMENTS,
    EPMD_WELL_KNOWN_PORT,
    GROUP_DIMENSION,
    HTTP_LISTENER_PORT,
    HTTPS_LISTENER_PORT,
    MEMORY_METRIC,
    METRICS_NAMESPACE,
    NAMESPACE,
    NODE_WARMUP_SECONDS,
    PERCENT_TARGET_METRICS,
    PREDEFINED_TARGET_METRICS,
    PREDICTIVE_METRIC_PAIRS,
    PRIVATE_SUBNET_BLOCK_OFFSET,
    STACK_TAG_KEYS,
    STATSD_ADDRESS,
    STATSD_PORT,
    SUBNET_PLAN_EXTRA_BITS,
    Environment,
)
from .cron import CronSchedule, parse_cron
from .cross_section import cross_section_rules
from .defaults import ENVIRONMENT_DEFAULTS, Defaults, EnvironmentRequired
from .drain import DRAIN_SECONDS, DrainBudget
from .flow_logs import FlowLogsSettings
from .launch import JOIN_SECONDS, LaunchBudget
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
    AVAILABILITY_ZONES_BY_REGION,
    BUCKET_NAME_LENGTH,
    BUCKET_NAME_PATTERN,
    BUCKET_PREFIXES_REFUSED,
    BUCKET_SUFFIXES_REFUSED,
    CLUSTER_NAME_PATTERN,
    CRON_FIELDS,
    DEFAULT_TLS_POLICY,
    DEREGISTRATION_DELAY,
    DIMENSION_VALUE_MAX_LENGTH,
    DIMENSIONS_MAX,
    DISTRIBUTION_PORTS_MAX,
    EMAIL_PATTERN,
    EXTRA_SECURITY_GROUPS_MAX,
    GRAVITON_FAMILY_PATTERN,
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
    IDLE_TIMEOUT,
    INSTANCE_TYPE_PATTERN,
    INSTANCE_TYPES_MAX,
    LIFECYCLE_HEARTBEAT,
    LINUX_EPHEMERAL_PORTS,
    LISTEN_PORT,
    LISTEN_PORT_TEXT,
    MANAGED_RULE_GROUP_VENDOR,
    MATCHER_PATTERN,
    MAX_SIZE,
    METADATA_TAG_KEYS_REFUSED,
    METRIC_NAME_MAX_LENGTH,
    NLB_SUCCESS_CODES,
    PERCENT,
    POLICY_NAME_PATTERN,
    POLICY_NAME_TEXT,
    PORT,
    PRIVATE_IPV4_RANGES,
    REGION_PATTERN,
    REGION_VARIABLES,
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
    STANDARD_PERIOD_UNIT,
    STICKINESS_DURATION,
    SUBNET_ID_PATTERN,
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
    Range,
    SslPolicyName,
)
from .load_balancer import AccessLogsSettings, HealthCheckSettings, LoadBalancerSettings, StickinessSettings
from .loading import load_pulumi_config, load_settings, to_snake
from .model import Context, SettingsModel, nested_model, setting
from .network import NetworkSettings
from .nodes import CheckpointSettings, InstanceRefreshSettings, NodesSettings, SpotSettings
from .problems import KeyPath, Problem, SettingsError, Shown, format_path
from .region import StackRegion, published_zones, region_problems, stack_region
from .release import DistributionSettings, PortRangeSettings, ReleaseSettings
from .scaling import ScalingSettings
from .scaling.metric import MetricSettings
from .scaling.predictive import PredictiveSettings
from .scaling.schedules import ScheduleSettings
from .scaling.step import StepPolicySettings, StepSettings
from .scaling.target_tracking import TargetTrackingSettings
from .stack import SECTIONS, StackSettings
from .value_types import (
    ami_architecture,
    bucket_name_problem,
    instance_architecture,
    matcher_ranges,
    ssm_parameter_problem,
    web_acl_name,
)
from .waf import RateLimitSettings, WafLogsSettings, WafSettings

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
    "CLOUDWATCH",
    "CLUSTER_NAME_PATTERN",
    "ClusterSettings",
    "Context",
    "CRON_FIELDS",
    "CronSchedule",
    "cross_section_rules",
    "AVAILABILITY_ZONES_BY_REGION",
    "DEFAULT_TLS_POLICY",
    "Defaults",
    "DEREGISTRATION_DELAY",
    "DIMENSION_VALUE_MAX_LENGTH",
    "DIMENSIONS_MAX",
    "DISCOVERY_TAG_KEY",
    "DISTRIBUTION_PORTS_MAX",
    "DistributionSettings",
    "DRAIN_SECONDS",
    "DrainBudget",
    "JOIN_SECONDS",
    "LaunchBudget",
    "HEALTH_ALARM_ROLES",
    "APPLICATION_ONLY_ALARMS",
    "can_grow",
    "health_alarm_roles",
    "CheckpointSettings",
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
    "FlowLogsSettings",
    "InstanceRefreshSettings",
    "KeyPath",
    "LIFECYCLE_HEARTBEAT",
    "LINUX_EPHEMERAL_PORTS",
    "LISTEN_PORT",
    "LISTEN_PORT_TEXT",
    "load_pulumi_config",
    "load_settings",
    "published_zones",
    "region_problems",
    "stack_region",
    "LoadBalancerSettings",
    "MANAGED_RULE_GROUP_VENDOR",
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
    "REGION_VARIABLES",
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
    "StackRegion",
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
    "RateLimitSettings",
    "WafLogsSettings",
    "WafSettings",
    "SslPolicyName",
    "to_snake",
    "UNPRIVILEGED_PORT_MIN",
    "URL_PATH_PATTERN",
    "USER_TAGS_MAX",
    "VPC_ID_PATTERN",
    "VPC_PREFIX",
    "WARMUP_SECONDS",
    "web_acl_name",
]
