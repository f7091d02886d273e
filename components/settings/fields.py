"""Shared building blocks of the settings: value types with their validators, `setting()`
(a field that documents its unit, limit and default) and the SettingsModel base.

A validator refuses a value with `refuse(rule)`; the loader turns that into
`<key path>: <rule>, got <value>`.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, Self, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticUndefined

from .defaults import ENVIRONMENT_DEFAULTS, Defaults, EnvironmentRequired, FromDefaults, environment_default
from .limits import (
    ACM_CERTIFICATE_ARN_PATTERN,
    AMI_ID_PATTERN,
    BUCKET_NAME_LENGTH,
    BUCKET_NAME_PATTERN,
    BUCKET_PREFIXES_REFUSED,
    BUCKET_SUFFIXES_REFUSED,
    CLUSTER_NAME_PATTERN,
    DIMENSION_VALUE_MAX_LENGTH,
    EMAIL_PATTERN,
    HIGH_RESOLUTION_PERIODS,
    INSTANCE_TYPE_PATTERN,
    LINUX_EPHEMERAL_PORTS,
    LISTEN_PORT,
    MATCHER_PATTERN,
    METADATA_TAG_KEYS_REFUSED,
    METRIC_NAME_MAX_LENGTH,
    POLICY_NAME_PATTERN,
    PRIVATE_IPV4_RANGES,
    RELEASE_ARCHIVE_SUFFIXES,
    RELEASE_NAME_PATTERN,
    S3_KEY_MAX_BYTES,
    SECURITY_GROUP_ID_PATTERN,
    SSM_HIERARCHY_LEVELS_MAX,
    SSM_NAME_CHARACTERS,
    SSM_PARAMETER_NAME_MAX,
    SSM_RESERVED_PREFIXES,
    STACK_TAG_KEYS,
    STANDARD_PERIOD_UNIT,
    SUBNET_ID_PATTERN,
    SUBNET_PLAN_EXTRA_BITS,
    TAG_KEY_LENGTH,
    TAG_KEY_SYMBOLS,
    TAG_RESERVED_PREFIX,
    TAG_VALUE_MAX_LENGTH,
    TAG_VALUE_SYMBOLS,
    UNPRIVILEGED_PORT_MIN,
    VPC_ID_PATTERN,
    VPC_PREFIX,
    Environment,
    Range,
)

if TYPE_CHECKING:
    from .problems import KeyPath, Problem


def refuse(rule: str) -> NoReturn:
    """Raise from a field validator: the message becomes `<path>: <rule>, got <value>`."""
    raise PydanticCustomError("rule", "{rule}", {"rule": rule})


def did_you_mean(word: str, choices: list[str]) -> str | None:
    """The choice closest to `word` (case aside), if one is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


# === Single values ==========================================================================


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


def _vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value)
    except ipaddress.NetmaskValueError:
        refuse("must be an IPv4 CIDR block such as 10.0.0.0/16")
    except ValueError:
        try:
            suggestion = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            refuse("must be an IPv4 CIDR block such as 10.0.0.0/16")
        refuse(f"host bits must be zero (did you mean {suggestion}?)")
    if not VPC_PREFIX.min <= network.prefixlen <= VPC_PREFIX.max:
        refuse(
            f"prefix must be /{VPC_PREFIX.min} to /{VPC_PREFIX.max}: subnets are /prefix+{SUBNET_PLAN_EXTRA_BITS} "
            "and AWS's smallest subnet is /28"
        )
    if not any(network.subnet_of(ipaddress.IPv4Network(block)) for block in PRIVATE_IPV4_RANGES):
        refuse(f"must be inside a private range ({', '.join(PRIVATE_IPV4_RANGES)})")
    return str(network)


def _client_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value)
    except ValueError:
        try:
            suggestion = ipaddress.ip_network(value, strict=False)
        except ValueError:
            refuse("must be an IPv4 or IPv6 CIDR block such as 0.0.0.0/0 or 203.0.113.0/24")
        refuse(f"host bits must be zero (did you mean {suggestion}?)")
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
    if not re.fullmatch(f"{SSM_NAME_CHARACTERS}+", name):
        return "allows only a-z A-Z 0-9 _ . - /"
    if name[1:].lower().startswith(SSM_RESERVED_PREFIXES):
        return "must not start with 'aws' or 'ssm' (reserved by AWS)"
    if name.count("/") > SSM_HIERARCHY_LEVELS_MAX:
        return f"has at most {SSM_HIERARCHY_LEVELS_MAX} levels"
    if len(name) > SSM_PARAMETER_NAME_MAX:
        return f"has at most {SSM_PARAMETER_NAME_MAX} characters"
    return None


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


# === Fields that document themselves ========================================================


def setting(
    default: Any = PydanticUndefined,
    *,
    description: str,
    unit: str | None = None,
    limit: Range | str | None = None,
    ours: str | None = None,
    by_environment: str | None = None,
    from_defaults: FromDefaults | None = None,
    default_factory: Callable[[], Any] | None = None,
    default_text: str | None = None,
    pattern: str | None = None,
    examples: list[Any] | None = None,
    **constraints: Any,
) -> Any:
    """A pydantic Field that also records its unit, the limit it enforces and its default.

    A `Range` limit is enforced (ge/le); a text limit documents what a validator enforces;
    `ours` says why the limit is this project's rather than AWS's.
    `by_environment` names a row of ENVIRONMENT_DEFAULTS; `from_defaults` computes the
    default from the validation context's Defaults otherwise (document it in `default_text`).
    The generated schema and docs read `x-unit`, `x-limit`, `x-default` and
    `x-environmentDefaults` from here.
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
        from_defaults = environment_default(by_environment)
    if from_defaults is not None:
        if not (by_environment or default_text):
            raise ValueError("a default from the context says what it is: give default_text")
        default_factory = from_defaults
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
    """A config section or a nested object of one: camelCase keys, unknown keys refused.

    Defaults that follow the stack come from the validation context (see `defaults`):
    `Model.model_validate(data, context=Defaults("prod"))` or `Model.for_environment("prod", data)`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    @classmethod
    def for_environment(cls, environment: Environment, data: Any = None, *, cluster_name: str | None = None) -> Self:
        """`data` validated with the defaults of `environment` (and of the cluster's name)."""
        return cls.model_validate({} if data is None else data, context=Defaults(environment, cluster_name))

    @model_validator(mode="wrap")
    @classmethod
    def _defaults_from_context(cls, data: Any, handler: Callable[[Any], Self], info: ValidationInfo) -> Self:
        """Fill in the keys whose default follows the stack; they still count as not given."""
        if not isinstance(data, dict):
            return handler(data)
        missing = {name: field for name, field in contextual_fields(cls).items() if not _given(data, name, field)}
        if not missing:
            return handler(data)
        if not isinstance(info.context, Defaults):
            raise EnvironmentRequired(cls.__name__, [field.alias or name for name, field in missing.items()])
        model = handler({**data, **_context_defaults(missing, info.context)})
        model.__pydantic_fields_set__.difference_update(missing)
        return model

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


@cache
def contextual_fields(model: type[SettingsModel]) -> dict[str, FieldInfo]:
    """Fields whose default needs the validation context: computed from it, or an object
    (left out, so built from {}) that has such fields itself."""
    found = {}
    for name, field in model.model_fields.items():
        factory = field.default_factory
        if (
            isinstance(factory, FromDefaults)
            or isinstance(factory, type)
            and issubclass(factory, SettingsModel)
            and contextual_fields(factory)
        ):
            found[name] = field
    return found


def _given(data: dict, name: str, field: FieldInfo) -> bool:
    return (field.alias or name) in data or name in data


def _context_defaults(fields: dict[str, FieldInfo], defaults: Defaults) -> dict[str, Any]:
    """The defaults of `fields`, by key; an object left out is built from {} with the same context."""
    values = {}
    for name, field in fields.items():
        value = field.default_factory.compute(defaults) if isinstance(field.default_factory, FromDefaults) else {}
        if value is not None:  # None: not known (no cluster name), so the field stays unset
            values[field.alias or name] = value
    return values


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
