"""The AWS limits the stack enforces (and the few of Linux and Erlang), each once, with the page
it comes from.

The validators, the generated schema and docs, the components, the plans and the tools all
import these; never repeat a literal. A limit that is this project's rather than AWS's says why
beside it (the `ours=` of its setting tells the docs). The names the stack's parts agree on
(namespace, ports, tags, metrics) are in conventions.py.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from .conventions import STACK_TAG_KEYS, SUBNET_PLAN_EXTRA_BITS


class Range(NamedTuple):
    """An inclusive range of whole numbers, as AWS documents its limits."""

    min: int
    max: int

    def __str__(self) -> str:
        return f"{self.min}..{self.max}"


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
# A mix release name is an Elixir atom and the name part of node@host, itself an atom of at
# most 255 characters (https://www.erlang.org/doc/system/system_limits.html) with the "@" and
# an IPv4 address.
RELEASE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
RELEASE_NAME_MAX_LENGTH = 255 - len("@255.255.255.255")
# Step policy and schedule names become part of AWS names (policy, alarm and scheduled
# action names are at most 255 characters) after the cluster's qualified name.
POLICY_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
POLICY_NAME_TEXT = "1-63 characters: a-z 0-9 -, starting with a letter; unique"

# VPC and subnets. https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
# (IPv4 /16 to /28; RFC 1918 ranges recommended) and
# https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html (5 addresses reserved
# per subnet, smallest subnet /28). The subnet plan (conventions.py) cuts the VPC into 16
# blocks, so the VPC may be at most /24.
SUBNET_PREFIX_MAX = 28
VPC_PREFIX = Range(16, SUBNET_PREFIX_MAX - SUBNET_PLAN_EXTRA_BITS)
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

# Ports. The release runs as an unprivileged user (no port below net.ipv4.ip_unprivileged_port_start,
# 1024), and Linux hands ports 32768-60999 to outgoing connections (net.ipv4.ip_local_port_range),
# so a listener there can find its port taken at boot:
# https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html
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

# Environment variables, as systemd passes them to the release (systemd.exec(5), EnvironmentFile=:
# https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=). A name
# is letters, digits and '_', not starting with a digit, as a POSIX shell's names
# (https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/V1_chap03.html#tag_03_216); systemd
# drops any other assignment. A value is UTF-8 text without NUL and without unicode noncharacters
# (U+FDD0..U+FDEF and every U+xFFFE, U+xFFFF): systemd drops those assignments too.
ENVIRONMENT_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
UNICODE_NONCHARACTERS = Range(0xFDD0, 0xFDEF)
"""Besides these, every code point ending in FFFE or FFFF is a noncharacter."""

# Where a release secret is read from (release.secrets), in the forms ECS's `valueFrom` takes
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html and
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html):
# an SSM parameter by name or ARN, optionally `:version` or `:label` as GetParameter's Name takes them
# (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html; labels are
# 1-100 characters of letters, digits, '.', '-', '_', not starting with a digit, aws or ssm:
# https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html); a
# Secrets Manager secret by its ARN, whose name (1-512 characters of letters, digits and /_+=.@-,
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html) ends in the
# '-' and six random characters Secrets Manager adds, then optionally :json-key:version-stage:version-id
# (GetSecretValue: VersionStage 1-256 characters, VersionId 32-64, never both:
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
ACCOUNT_ID_PATTERN = r"^\d{12}$"
SSM_LABEL_PATTERN = r"^(?![0-9])[A-Za-z0-9_.-]{1,100}$"
SECRET_NAME_PATTERN = r"^[A-Za-z0-9/_+=.@-]{1,512}$"
SECRET_SUFFIX_PATTERN = r"-[A-Za-z0-9]{6}$"
SECRET_VERSION_STAGE_LENGTH = Range(1, 256)
SECRET_VERSION_ID_LENGTH = Range(32, 64)
# User data: EC2 takes at most 16 KB of it, before base64
# (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html). The node's scripts (compressed,
# less their comment lines), units and the stack's own values take about 12 KB
# (components/plans/user_data.py), so what
# release.environment and release.secrets add is capped, as the bytes their lines take in the user
# data: a variable's line, escapes and indentation included; a secret's line in secrets.sh (its
# reference twice, once as the node's call names it).
USER_DATA_MAX_BYTES = 16384
RELEASE_VARIABLES_MAX_BYTES = 4096
ENVIRONMENT_LINE_BYTES = 8
"""What a variable of release.environment takes besides its name and value: `="`, `"`, a newline, indentation."""
SECRET_LINE_BYTES = 96
"""What a secret's line in secrets.sh takes besides its name and twice its reference (the longest call)."""

# ARN partitions by region: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
REGION_PARTITIONS = {"cn-": "aws-cn", "us-gov-": "aws-us-gov"}
"""Regions whose names start so are in that partition; every other is in `aws`."""

# The termination lifecycle hook's heartbeat timeout (30-7200 s,
# https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html); what a
# leaving node spends of it is the drain budget (drain.py).
LIFECYCLE_HEARTBEAT = Range(30, 7200)

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
# The root volume: the AL2023 AMI's 8 GiB snapshot .. gp3's 16 TiB
# (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).
ROOT_VOLUME_GIB = Range(8, 16384)
HEALTH_CHECK_GRACE_SECONDS = Range(0, 3600)  # ceiling of ours: AWS warns a long one hides broken nodes
HEALTHY_PERCENTAGE_MIN = Range(0, 100)
HEALTHY_PERCENTAGE_MAX = Range(100, 200)
HEALTHY_PERCENTAGE_SPREAD_MAX = 100
# The rest of RefreshPreferences (same page): checkpoints at percentages of the group replaced,
# 1-100, unique and ascending (the last 100 to replace every node), each followed by a delay of
# 0-172800 s (3600 when left out); the scale-in protected and standby instances' behaviours; and,
# https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AlarmSpecification.html, up to 10
# alarms whose ALARM state fails the refresh.
CHECKPOINT_PERCENT = Range(1, 100)
CHECKPOINT_DELAY_SECONDS = Range(0, 172800)
CHECKPOINT_DELAY_DEFAULT = 3600
REFRESH_ALARMS_MAX = 10
ScaleInProtectedInstances = Literal["Refresh", "Ignore", "Wait"]
StandbyInstances = Literal["Terminate", "Ignore", "Wait"]
WARMUP_SECONDS = Range(0, 3600)  # ceiling of ours: a node that needs longer is broken
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
# An ACM certificate's ARN, arn:${Partition}:acm:${Region}:${Account}:certificate/${CertificateId}:
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html
ACM_CERTIFICATE_ARN_PATTERN = (
    r"^arn:aws(?:-cn|-us-gov)?:acm:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:certificate/[0-9a-f-]{36}$"
)
# Regions: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
REGION_PATTERN = r"^[a-z]{2}(?:-[a-z]+)+-\d+$"
# Every region of the partitions a stack can be in (aws, aws-cn, aws-us-gov), as botocore 1.44.8's
# endpoint data lists them (botocore/data/endpoints.json: tests/settings/test_region.py compares the
# installed botocore's with these names), with the Availability Zones AWS publishes for each
# (https://aws.amazon.com/about-aws/global-infrastructure/regions_az/, the zone ids per region in
# https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html; China's
# at https://www.amazonaws.cn/en/about-aws/global-infrastructure/). An account may see fewer: AWS
# gives newer accounts two of us-west-1's three, for one; the network component asks the account's
# own zones at `pulumi up` and refuses a count it cannot give, naming the key.
AVAILABILITY_ZONES_BY_REGION = {
    "af-south-1": 3,
    "ap-east-1": 3,
    "ap-east-2": 3,
    "ap-northeast-1": 4,
    "ap-northeast-2": 4,
    "ap-northeast-3": 3,
    "ap-south-1": 3,
    "ap-south-2": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "ap-southeast-3": 3,
    "ap-southeast-4": 3,
    "ap-southeast-5": 3,
    "ap-southeast-6": 3,
    "ap-southeast-7": 3,
    "ca-central-1": 3,
    "ca-west-1": 3,
    "cn-north-1": 3,
    "cn-northwest-1": 3,
    "eu-central-1": 3,
    "eu-central-2": 3,
    "eu-north-1": 3,
    "eu-south-1": 3,
    "eu-south-2": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "il-central-1": 3,
    "me-central-1": 3,
    "me-south-1": 3,
    "mx-central-1": 3,
    "sa-east-1": 3,
    "us-east-1": 6,
    "us-east-2": 3,
    "us-gov-east-1": 3,
    "us-gov-west-1": 3,
    "us-west-1": 3,
    "us-west-2": 4,
}
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
"""Where the AWS provider looks for the region when the stack file names none, in its order
(https://www.pulumi.com/registry/packages/aws/installation-configuration/)."""

# The predefined ELB security policies (same names on NLB TLS listeners):
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
# AWS accepts all of them; which ones a team allows (TLS 1.2+ by default) is the policy
# pack's listener-tls-policy rule, not a refusal here.
SslPolicyName = Literal[
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
]
DEFAULT_TLS_POLICY: SslPolicyName = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"  # AWS's recommendation

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
# Predictive scaling: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html
SCHEDULING_BUFFER_SECONDS = Range(0, 3600)
# Alerts: one-minute alarm periods, so the one-day window above.
ALERT_WINDOW_MINUTES = Range(1, ALARM_WINDOW_SHORT_PERIOD_MAX // STANDARD_PERIOD_UNIT)
# SNS e-mail subscriptions: the endpoint is an e-mail address
# (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html); the pattern is a sanity check.
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

# CloudWatch Logs: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
# (retentionInDays takes one of these values; 0 through Pulumi means "never expire", which
# AWS's API does not accept as such and which no team should want for flow logs) and
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
# (a name of 1-512 characters: a-z A-Z 0-9 _ - / . #).
LOG_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180),  # days
    *(365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653),  # a year and more
)
LOG_GROUP_NAME_PATTERN = r"^[a-zA-Z0-9_\-/.#]{1,512}$"
# VPC flow logs to S3: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
# (the destination is the bucket's ARN, optionally /<subfolder>/; AWSLogs is not a valid subfolder).
FLOW_LOG_S3_SUBFOLDER_REFUSED = "AWSLogs"
S3_BUCKET_ARN_PATTERN = r"^arn:(aws|aws-cn|aws-us-gov):s3:::(?P<bucket>[^/]+)(?:/(?P<prefix>.*))?$"
S3_BUCKET_ARN_FORM = "arn:aws:s3:::<bucket>[/<prefix>/]"

# AWS WAF. AWS Managed Rules rule groups (vendor AWS) that work without a ManagedRuleGroupConfig:
# https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
# (baseline, use-case specific and IP reputation groups). Their WCUs add up to 1,975, under
# the 5,000 a web ACL may hold, so no selection of them is refused for its capacity.
ManagedRuleGroup = Literal[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
]
MANAGED_RULE_GROUPS: tuple[str, ...] = get_args(ManagedRuleGroup)
MANAGED_RULE_GROUP_VENDOR = "AWS"

CONFIGURED_RULE_GROUPS = {
    "AWSManagedRulesBotControlRuleSet": "an inspection level",
    "AWSManagedRulesATPRuleSet": "the login page and its fields",
    "AWSManagedRulesACFPRuleSet": "the registration pages and their fields",
    "AWSManagedRulesAntiDDoSRuleSet": "the client-side action settings",
}
"""AWS managed rule groups that AWS accepts only with a ManagedRuleGroupConfig (and bills per request)."""

# Rate-based rules: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
# (Limit 10 to 2,000,000,000 requests per evaluation window; EvaluationWindowSec 60, 120,
# 300 or 600, default 300).
RATE_LIMIT_REQUESTS = Range(10, 2_000_000_000)
RATE_WINDOW_SECONDS = (60, 120, 300, 600)
DEFAULT_RATE_WINDOW_SECONDS = 300

# A web ACL's ARN: https://docs.aws.amazon.com/waf/latest/APIReference/API_WebACL.html
# (Name 1-128 characters of \w and '-'; Id a UUID); a load balancer's web ACL is REGIONAL.
WEB_ACL_NAME_PATTERN = r"[\w-]{1,128}"
WEB_ACL_ARN_PATTERN = (
    r"^arn:aws(?:-cn|-us-gov)?:wafv2:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:regional/webacl/"
    rf"(?P<name>{WEB_ACL_NAME_PATTERN})/[0-9a-f]{{8}}-(?:[0-9a-f]{{4}}-){{3}}[0-9a-f]{{12}}$"
)
GLOBAL_WEB_ACL = ":global/webacl/"
"""A CloudFront web ACL's ARN: it cannot be associated with a load balancer."""
