"""Where a secret of release.secrets is read from, in the forms ECS's `valueFrom` takes
(limits.py has the pages):

- an SSM parameter (a SecureString): by name, `/shop/prod/secret-key-base`, optionally pinned to a
  version or a label, `/shop/prod/secret-key-base:3`; or by ARN,
  `arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/secret-key-base` (another account's
  shared parameter is named so), with the same optional `:3`;
- a Secrets Manager secret, by its complete ARN (the name and the six characters Secrets Manager
  adds), optionally followed by `:json-key:version-stage:version-id` (empty fields, and trailing
  ones, may be left out; a stage and an id are never both given):
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf:url::`.

`secret_source(text)` reads one into a `ParameterSource` or a `SecretsManagerSource`; the
plans (plans/secrets.py) make the node's calls and the node role's grants from those. Whether
an ARN's region is the stack's is ReleaseSettings' rule: it needs the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .limits import (
    ACCOUNT_ID_PATTERN,
    REGION_PARTITIONS,
    REGION_PATTERN,
    SECRET_NAME_PATTERN,
    SECRET_SUFFIX_PATTERN,
    SECRET_VERSION_ID_LENGTH,
    SECRET_VERSION_STAGE_LENGTH,
    SSM_HIERARCHY_LEVELS_MAX,
    SSM_LABEL_PATTERN,
    SSM_NAME_CHARACTERS,
    SSM_PARAMETER_NAME_MAX,
    SSM_RESERVED_PREFIXES,
)

SSM_ARN_FORM = "arn:<partition>:ssm:<region>:<account>:parameter/<name>"
SECRET_ARN_FORM = "arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>"
ARN_PARTS = 6
"""arn:partition:service:region:account:resource, before the resource's own ':'-separated parts."""
SECRET_ARN_FIELDS = 3
"""json-key, version-stage, version-id: what may follow a secret's ARN in ECS's valueFrom."""


def partition_of(region: str) -> str:
    """The ARN partition a region is in: aws, aws-cn, aws-us-gov."""
    return next((partition for prefix, partition in REGION_PARTITIONS.items() if region.startswith(prefix)), "aws")


@dataclass(frozen=True)
class Arn:
    """Where an ARN says its resource is."""

    partition: str
    region: str
    account: str


@dataclass(frozen=True)
class ParameterSource:
    """An SSM parameter: GetParameter's Name is `identifier`; IAM grants `parameter_arn`."""

    name: str
    """The parameter's name, /a/b or a."""
    selector: str | None = None
    """A version number or a label it is pinned to."""
    arn: str | None = None
    """The parameter's ARN when the stack file gives one (without the selector)."""

    @property
    def identifier(self) -> str:
        """What GetParameter's Name takes: the name or ARN, then `:version` or `:label`."""
        base = self.arn or self.name
        return f"{base}:{self.selector}" if self.selector else base

    @property
    def located(self) -> Arn | None:
        return _located(self.arn) if self.arn else None

    def parameter_arn(self, partition: str, region: str, account: str) -> str:
        """The ARN IAM authorizes GetParameter against: the one given, or the name's in the stack's account."""
        return self.arn or f"arn:{partition}:ssm:{region}:{account}:parameter/{self.name.lstrip('/')}"


@dataclass(frozen=True)
class SecretsManagerSource:
    """A Secrets Manager secret: GetSecretValue's SecretId is `arn`, its version the stage or the id."""

    arn: str
    json_key: str | None = None
    """The key of a JSON object secret whose value the variable gets; None: the whole secret."""
    version_stage: str | None = None
    version_id: str | None = None

    @property
    def located(self) -> Arn:
        return _located(self.arn)

    @property
    def name(self) -> str:
        """The secret's name: the ARN's last part without the six characters Secrets Manager added."""
        return re.sub(SECRET_SUFFIX_PATTERN, "", self.arn.split(":", ARN_PARTS)[ARN_PARTS])


SecretSource = ParameterSource | SecretsManagerSource


def secret_source(text: str) -> SecretSource:
    """Where `text` (a value of release.secrets) says a secret is; ValueError(the rule) when it says nowhere."""
    if not text.startswith("arn:"):
        return _parameter_by_name(text)
    parts = text.split(":")
    if len(parts) < ARN_PARTS:
        raise ValueError(f"an ARN has six ':'-separated parts at least: {SSM_ARN_FORM} or {SECRET_ARN_FORM}")
    _, partition, service, region, account, *_ = parts
    where = _where_problem(partition, region, account)
    if service == "ssm":
        return _parameter_by_arn(text, where)
    if service == "secretsmanager":
        return _secret_by_arn(parts, where)
    raise ValueError(
        f"must be an SSM parameter ({SSM_ARN_FORM}, or its name) or a Secrets Manager secret ({SECRET_ARN_FORM})"
    )


def secret_source_problem(text: str) -> str | None:
    """Why `text` names no secret, or None."""
    try:
        secret_source(text)
    except ValueError as problem:
        return str(problem)
    return None


def _located(arn: str) -> Arn:
    _, partition, _, region, account, *_ = arn.split(":")
    return Arn(partition, region, account)


def _where_problem(partition: str, region: str, account: str) -> str | None:
    if not re.match(REGION_PATTERN, region):
        return "the ARN's region must be an AWS region such as eu-west-1"
    if partition != partition_of(region):
        return f"the ARN's partition must be {partition_of(region)}, the partition of {region}"
    if not re.match(ACCOUNT_ID_PATTERN, account):
        return "the ARN's account must be 12 digits"
    return None


def _parameter_by_name(text: str) -> ParameterSource:
    name, _, selector = text.partition(":")
    problem = _parameter_name_problem(name) or _selector_problem(selector)
    if problem:
        raise ValueError(problem)
    return ParameterSource(name, selector or None)


def _parameter_by_arn(text: str, where: str | None) -> ParameterSource:
    head, _, resource = text.partition(":parameter/")
    if where or not resource or len(head.split(":")) != ARN_PARTS - 1:
        raise ValueError(where or f"an SSM parameter's ARN is {SSM_ARN_FORM}[:version]")
    path, _, selector = resource.partition(":")
    name = f"/{path}" if "/" in path else path
    problem = _parameter_name_problem(name) or _selector_problem(selector)
    if problem:
        raise ValueError(problem)
    return ParameterSource(name, selector or None, arn=f"{head}:parameter/{path}")


def _parameter_name_problem(name: str) -> str | None:
    if not name:
        return "must name an SSM parameter or a Secrets Manager secret's ARN"
    if "/" in name and (not name.startswith("/") or name.endswith("/") or "//" in name):
        return "an SSM parameter path starts with '/', has no empty level (a Secrets Manager secret: its ARN)"
    problem = ssm_name_problem(name)
    return f"an SSM parameter name {problem}" if problem else None


def ssm_name_problem(name: str) -> str | None:
    """Why AWS refuses `name` as a parameter's name (a path or a plain name), or None."""
    if not re.fullmatch(f"{SSM_NAME_CHARACTERS}+", name):
        return "allows only a-z A-Z 0-9 _ . - /"
    if name.lstrip("/").lower().startswith(SSM_RESERVED_PREFIXES):
        return "must not start with 'aws' or 'ssm' (reserved by AWS)"
    if name.count("/") > SSM_HIERARCHY_LEVELS_MAX:
        return f"has at most {SSM_HIERARCHY_LEVELS_MAX} levels"
    if len(name) > SSM_PARAMETER_NAME_MAX:
        return f"has at most {SSM_PARAMETER_NAME_MAX} characters"
    return None


def _selector_problem(selector: str) -> str | None:
    if not selector or re.fullmatch(r"[1-9][0-9]*", selector):
        return None
    if not re.match(SSM_LABEL_PATTERN, selector) or selector.lower().startswith(SSM_RESERVED_PREFIXES):
        return (
            "after ':' comes a version (1, 2, ...) or a label (1-100 characters: letters, digits . - _, "
            "not starting with a digit, aws or ssm)"
        )
    return None


def _secret_by_arn(parts: list[str], where: str | None) -> SecretsManagerSource:
    if where:
        raise ValueError(where)
    resource, *rest = parts[ARN_PARTS - 1 :]
    name, fields = (rest[0], rest[1:]) if rest else ("", [])
    if resource != "secret" or not name or len(fields) > SECRET_ARN_FIELDS:
        raise ValueError(f"a secret's valueFrom is {SECRET_ARN_FORM}[:json-key:version-stage:version-id]")
    if not re.match(SECRET_NAME_PATTERN, name):
        raise ValueError("a secret's name has 1-512 characters: letters, digits and / _ + = . @ -")
    if not re.search(SECRET_SUFFIX_PATTERN, name):
        raise ValueError(
            "a secret's ARN ends in the '-' and 6 characters Secrets Manager adds to its name: the complete ARN "
            "is what the node role is granted"
        )
    json_key, stage, version_id = (fields + ["", "", ""])[:SECRET_ARN_FIELDS]
    if stage and version_id:
        raise ValueError("name a version stage or a version id, not both (ECS and GetSecretValue take one)")
    if stage and not SECRET_VERSION_STAGE_LENGTH.min <= len(stage) <= SECRET_VERSION_STAGE_LENGTH.max:
        raise ValueError(f"a version stage has {SECRET_VERSION_STAGE_LENGTH} characters")
    if version_id and not SECRET_VERSION_ID_LENGTH.min <= len(version_id) <= SECRET_VERSION_ID_LENGTH.max:
        raise ValueError(f"a version id has {SECRET_VERSION_ID_LENGTH} characters (Secrets Manager's VersionId)")
    arn = ":".join(parts[: ARN_PARTS + 1])
    return SecretsManagerSource(arn, json_key or None, stage or None, version_id or None)
