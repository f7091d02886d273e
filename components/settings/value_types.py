"""The values a stack-file key may take: each a type with its validator, named for what the
value is (ClusterName, VpcCidr, ListenPort, AcmCertificateArn, Cron, TimeZone, Matcher...).

A validator refuses a value with `refuse(rule)`; the loader turns that into
`<key path>: <rule>, got <value>`. The limits they enforce are in limits.py; the models that
use them, one per stack-file section, in the section modules.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal, NoReturn
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from .conventions import CLOUDWATCH, STACK_TAG_KEYS, SUBNET_PLAN_EXTRA_BITS
from .cron import parse_cron
from .environment_variables import environment_name_problem, environment_value_problem
from .limits import (
    ACM_CERTIFICATE_ARN_PATTERN,
    AMI_ID_PATTERN,
    BUCKET_NAME_LENGTH,
    BUCKET_NAME_PATTERN,
    BUCKET_PREFIXES_REFUSED,
    BUCKET_SUFFIXES_REFUSED,
    CLUSTER_NAME_PATTERN,
    CONFIGURED_RULE_GROUPS,
    DIMENSION_VALUE_MAX_LENGTH,
    EMAIL_PATTERN,
    FLOW_LOG_S3_SUBFOLDER_REFUSED,
    GLOBAL_WEB_ACL,
    GRAVITON_FAMILY_PATTERN,
    HIGH_RESOLUTION_PERIODS,
    INSTANCE_TYPE_PATTERN,
    LINUX_EPHEMERAL_PORTS,
    LISTEN_PORT,
    LOG_RETENTION_DAYS,
    MATCHER_PATTERN,
    METADATA_TAG_KEYS_REFUSED,
    METRIC_NAME_MAX_LENGTH,
    POLICY_NAME_PATTERN,
    PRIVATE_IPV4_RANGES,
    RATE_WINDOW_SECONDS,
    RELEASE_ARCHIVE_SUFFIXES,
    RELEASE_NAME_PATTERN,
    S3_BUCKET_ARN_FORM,
    S3_BUCKET_ARN_PATTERN,
    S3_KEY_MAX_BYTES,
    SECURITY_GROUP_ID_PATTERN,
    SSM_NAME_CHARACTERS,
    STANDARD_PERIOD_UNIT,
    SUBNET_ID_PATTERN,
    SUBNET_PREFIX_MAX,
    TAG_KEY_LENGTH,
    TAG_KEY_SYMBOLS,
    TAG_RESERVED_PREFIX,
    TAG_VALUE_MAX_LENGTH,
    TAG_VALUE_SYMBOLS,
    UNPRIVILEGED_PORT_MIN,
    VPC_ID_PATTERN,
    VPC_PREFIX,
    WEB_ACL_ARN_PATTERN,
    ManagedRuleGroup,
)
from .problems import did_you_mean
from .secret_references import secret_source_problem, ssm_name_problem


def refuse(rule: str) -> NoReturn:
    """Raise from a field validator: the message becomes `<path>: <rule>, got <value>`."""
    raise PydanticCustomError("rule", "{rule}", {"rule": rule})


def _scalar_as_text(value: Any) -> Any:
    """YAML reads `team: 42` or `matcher: 200` as numbers; AWS wants the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else value


def _pattern(pattern: str, rule: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            refuse(rule)
        return value

    return check


def _cluster_name(value: str) -> str:
    if not re.match(CLUSTER_NAME_PATTERN, value):
        refuse("must be 2-21 characters of a-z, 0-9 and '-', starting with a letter")
    if value.endswith("-") or "--" in value:
        refuse("must not end with '-' or contain '--' (it prefixes AWS names)")
    return value


def _tag_key(key: str) -> str:
    if not TAG_KEY_LENGTH.min <= len(key) <= TAG_KEY_LENGTH.max:
        refuse(f"a tag key has {TAG_KEY_LENGTH} characters")
    if key.lower().startswith(TAG_RESERVED_PREFIX):
        refuse(f"tag keys starting with '{TAG_RESERVED_PREFIX}' are reserved for AWS")
    if key in STACK_TAG_KEYS or key == "Name":
        refuse("the stack sets this tag itself")
    if key in METADATA_TAG_KEYS_REFUSED or not all(c.isascii() and c.isalnum() or c in TAG_KEY_SYMBOLS for c in key):
        refuse(
            "instance metadata tags allow only letters, digits and "
            f"{' '.join(TAG_KEY_SYMBOLS)} in keys (no spaces or '/'), and not '.', '..' or '_index'"
        )
    return key


def _tag_value(value: str) -> str:
    if len(value) > TAG_VALUE_MAX_LENGTH:
        refuse(f"a tag value has at most {TAG_VALUE_MAX_LENGTH} characters")
    if value.lower().startswith(TAG_RESERVED_PREFIX):
        refuse(f"tag values starting with '{TAG_RESERVED_PREFIX}' are reserved for AWS")
    if not all(c.isalnum() or c == " " or c in TAG_VALUE_SYMBOLS for c in value):
        refuse(f"tag values allow letters, digits, spaces and {' '.join(TAG_VALUE_SYMBOLS)}")
    return value


def _cidr_block(value: str, parse: Callable[..., Any], form: str) -> Any:
    """`value` parsed as a network; refused as not `form`, or with the block it meant when host bits are set."""
    try:
        return parse(value)
    except ValueError:
        try:
            suggestion = parse(value, strict=False)
        except ValueError:
            refuse(form)
        refuse(f"host bits must be zero (did you mean {suggestion}?)")


def _vpc_cidr(value: str) -> str:
    form = "must be an IPv4 CIDR block such as 10.0.0.0/16"
    try:
        block = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        refuse(form)
    # the block's own rules first: a host-bits hint then names a block these rules take
    if not VPC_PREFIX.min <= block.prefixlen <= VPC_PREFIX.max:
        refuse(
            f"prefix must be /{VPC_PREFIX.min} to /{VPC_PREFIX.max}: subnets are /prefix+{SUBNET_PLAN_EXTRA_BITS} "
            f"and AWS's smallest subnet is /{SUBNET_PREFIX_MAX}"
        )
    if not any(block.subnet_of(ipaddress.IPv4Network(private)) for private in PRIVATE_IPV4_RANGES):
        refuse(f"must be inside a private range ({', '.join(PRIVATE_IPV4_RANGES)})")
    return str(_cidr_block(value, ipaddress.IPv4Network, form))


def _client_cidr(value: str) -> str:
    form = "must be an IPv4 or IPv6 CIDR block such as 0.0.0.0/0 or 203.0.113.0/24"
    network = _cidr_block(value, ipaddress.ip_network, form)
    if "/" not in value:
        # a bare address reads as one host (/32), but a bare 0.0.0.0 was meant as everyone: ask
        everyone = "0.0.0.0/0" if network.version == 4 else "::/0"
        refuse(f"needs its prefix length: {network} for this one host, or {everyone} for everyone")
    return str(network)


def _listen_port(value: int) -> int:
    if value < UNPRIVILEGED_PORT_MIN:
        refuse(f"must be >= {UNPRIVILEGED_PORT_MIN}: the release runs as an unprivileged user")
    if value > LISTEN_PORT.max:
        refuse(
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


def _refusing(problem_of: Callable[[str], str | None]) -> Callable[[str], str]:
    """A validator from a `*_problem` function: the problem it finds, refused."""

    def validate(value: str) -> str:
        problem = problem_of(value)
        if problem:
            refuse(problem)
        return value

    return validate


def _release_artifact(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "s3":
        problem = bucket_name_problem(parts.netloc)
        if problem:
            refuse(f"s3://<bucket>/<key>: {problem}")
        key = parts.path.lstrip("/")
        if not key or len(key.encode()) > S3_KEY_MAX_BYTES:
            refuse(f"s3://<bucket>/<key>: the key has 1-{S3_KEY_MAX_BYTES} bytes")
    elif parts.scheme == "https":
        if not parts.hostname:
            refuse("https://<host>/<path>: the host is missing")
        if parts.username or parts.password:
            refuse("must not embed credentials: user data is readable on the node")
        if "x-amz-signature" in parts.query.lower():
            refuse("a presigned URL expires: nodes launched later could not fetch it; use s3://")
    else:
        refuse("must be s3://<bucket>/<key> or https://<host>/<path> of the release tarball")
    if not parts.path.endswith(RELEASE_ARCHIVE_SUFFIXES):
        refuse(f"must name a release tarball ({' or '.join(RELEASE_ARCHIVE_SUFFIXES)}) as `mix release` builds it")
    return value


def ssm_parameter_problem(name: str) -> str | None:
    """Why `name` is not a usable SSM parameter path (/a/b/c), or None."""
    if not name.startswith("/") or name.endswith("/") or "//" in name:
        return "must be a path such as /shop/prod/release-cookie (leading '/', no empty level)"
    return ssm_name_problem(name)


def _ami(value: str) -> str:
    if value.startswith("resolve:ssm:"):
        # a parameter name or path, optionally :version or :label; AWS's own live under /aws/service
        if not re.fullmatch(rf"resolve:ssm:/?{SSM_NAME_CHARACTERS}+?(?::[A-Za-z0-9_.-]+)?", value) or "//" in value:
            refuse("resolve:ssm: must be followed by an SSM parameter path such as /aws/service/...")
        return value
    if not re.match(AMI_ID_PATTERN, value):
        refuse("must be resolve:ssm:/<parameter> (recommended) or ami-<hex>")
    return value


def _alarm_period(value: int) -> int:
    if value not in HIGH_RESOLUTION_PERIODS and (value <= 0 or value % STANDARD_PERIOD_UNIT):
        refuse(f"must be {', '.join(map(str, HIGH_RESOLUTION_PERIODS))} or a multiple of {STANDARD_PERIOD_UNIT}")
    return value


def _cloudwatch_name(value: str) -> str:
    if not 1 <= len(value) <= METRIC_NAME_MAX_LENGTH or not value.isprintable():
        refuse(f"must be 1-{METRIC_NAME_MAX_LENGTH} printable characters")
    return value


def _dimensions(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        if not 1 <= len(name) <= METRIC_NAME_MAX_LENGTH or not 1 <= len(text) <= DIMENSION_VALUE_MAX_LENGTH:
            refuse(
                f"dimension names have 1-{METRIC_NAME_MAX_LENGTH} and values 1-{DIMENSION_VALUE_MAX_LENGTH} characters"
            )
    return value


@cache
def _time_zones() -> frozenset[str]:
    """The IANA zones installed: zoneinfo walks the whole database each call (about 20 ms)."""
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: str) -> str:
    if value not in _time_zones():
        suggestion = did_you_mean(value, sorted(_time_zones()))
        refuse(
            "must be an IANA time zone such as Europe/Berlin" + (f" (did you mean {suggestion}?)" if suggestion else "")
        )
    return value


def matcher_ranges(matcher: str) -> list[tuple[int, int]]:
    """ "200,202-204" -> [(200, 200), (202, 204)]."""
    ranges = []
    for part in matcher.split(","):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


def _matcher(value: str) -> str:
    if not re.match(MATCHER_PATTERN, value):
        refuse('must be HTTP codes such as "200", "200,202" or "200-299"')
    for low, high in matcher_ranges(value):
        if low > high:
            refuse(f"range {low}-{high} is reversed")
    return value


def _cron(value: str) -> str:
    try:
        parse_cron(value)
    except ValueError as problem:
        refuse(str(problem))
    return value


def _retention_days(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        longer = [days for days in LOG_RETENTION_DAYS if days >= value]
        hint = f" (the next one up is {longer[0]})" if longer else ""
        refuse(f"must be one of CloudWatch Logs' retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}{hint}")
    return value


def _flow_log_destination(value: str) -> str:
    if value == CLOUDWATCH:
        return value
    if value.startswith("s3://"):
        bucket_and_prefix = value.removeprefix("s3://")
        refuse(f"an S3 destination is a bucket ARN, not a URL: use arn:aws:s3:::{bucket_and_prefix}")
    found = re.match(S3_BUCKET_ARN_PATTERN, value)
    if not found:
        refuse(f"must be {CLOUDWATCH} or an S3 bucket ARN {S3_BUCKET_ARN_FORM}")
    problem = bucket_name_problem(found["bucket"])
    if problem:
        refuse(f"{S3_BUCKET_ARN_FORM}: {problem}")
    prefix = found["prefix"]
    if prefix is not None:
        folders = prefix.rstrip("/").split("/")
        if not prefix or prefix.startswith("/") or "" in folders:
            refuse(f"{S3_BUCKET_ARN_FORM}: the prefix needs folder names, no empty ones ('//')")
        if FLOW_LOG_S3_SUBFOLDER_REFUSED in folders:
            refuse(f"{S3_BUCKET_ARN_FORM}: AWS refuses '{FLOW_LOG_S3_SUBFOLDER_REFUSED}' as a folder (it adds its own)")
        if len(prefix.encode()) > S3_KEY_MAX_BYTES:
            refuse(f"{S3_BUCKET_ARN_FORM}: the prefix has at most {S3_KEY_MAX_BYTES} bytes")
    return value


def web_acl_name(arn: str) -> str:
    """The name inside a web ACL's ARN."""
    return re.match(WEB_ACL_ARN_PATTERN, arn)["name"]


def _web_acl_arn(value: str) -> str:
    if GLOBAL_WEB_ACL in value:
        refuse("is a CloudFront (global) web ACL; a load balancer needs a REGIONAL one")
    if not re.match(WEB_ACL_ARN_PATTERN, value):
        refuse("must be a regional web ACL ARN: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>")
    return value


def _configurable_group(value: Any) -> Any:
    if isinstance(value, str) and value in CONFIGURED_RULE_GROUPS:
        refuse(
            f"needs a configuration ({CONFIGURED_RULE_GROUPS[value]}) that this stack does not set: "
            "add it to a web ACL of your own and give its webAclArn"
        )
    return value


def _rate_window(value: int) -> int:
    if value not in RATE_WINDOW_SECONDS:
        refuse(f"must be one of {', '.join(map(str, RATE_WINDOW_SECONDS))} (AWS WAF's evaluation windows)")
    return value


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
SsmParameter = Annotated[str, AfterValidator(_refusing(ssm_parameter_problem))]
ReleaseVariable = Annotated[str, AfterValidator(_refusing(environment_name_problem))]
ReleaseValue = Annotated[str, BeforeValidator(_scalar_as_text), AfterValidator(_refusing(environment_value_problem))]
SecretReference = Annotated[str, AfterValidator(_refusing(secret_source_problem))]
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
BucketName = Annotated[str, AfterValidator(_refusing(bucket_name_problem))]
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
TimeZone = Annotated[str, AfterValidator(_timezone)]
Email = Annotated[str, AfterValidator(_pattern(EMAIL_PATTERN, "must be an e-mail address such as oncall@example.com"))]
Statistic = Literal["Average", "Minimum", "Maximum", "SampleCount", "Sum"]
Cron = Annotated[str, AfterValidator(_cron)]
RetentionDays = Annotated[int, AfterValidator(_retention_days)]
FlowLogDestination = Annotated[str, AfterValidator(_flow_log_destination)]
WebAclArn = Annotated[str, AfterValidator(_web_acl_arn)]
SelectableRuleGroup = Annotated[ManagedRuleGroup, BeforeValidator(_configurable_group)]
RateWindow = Annotated[int, AfterValidator(_rate_window)]
