"""The release cookie and credentials: never in user data, always in a SecureString.

User data is readable by anyone who may call ec2:DescribeLaunchTemplateVersions or reach
the instance metadata service, and it is kept in the launch template's every version. The
cookie lets whoever knows it run code on every node, so it lives in SSM only.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .configuration import schema, settings
from .resources import INSTANCE, LAUNCH_TEMPLATE, SSM_PARAMETER

# --- no secrets in user data ----------------------------------------------------------------

# A literal value, not a shell expansion ($VAR, $(...)), a printf placeholder (%s) or a template (<...>, {{...}})
_LITERAL = r"""['"]?(?![$%<{])[^\s'"]+"""
SECRET_PATTERNS = {
    "a release cookie literal (RELEASE_COOKIE=...)": re.compile(rf"\bRELEASE_COOKIE\s*[=:]\s*{_LITERAL}"),
    "an Erlang cookie on a command line (-setcookie ...)": re.compile(rf"-setcookie\s+{_LITERAL}"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "an AWS secret key or session token": re.compile(
        rf"(?i)\baws_?(?:secret_?access_?key|session_?token)['\"]?\s*[=:]\s*{_LITERAL}"
    ),
    # cloud-init writes write_files content as given, so an .erlang.cookie there is a literal
    "an Erlang cookie file written from user data (.erlang.cookie)": re.compile(
        rf"""^\s*-?\s*path:\s*['"]?\S*\.erlang\.cookie|(?:echo|printf)\s+{_LITERAL}['"]?\s*>>?\s*\S*\.erlang\.cookie"""
    ),
}
GZIP_MAGIC = b"\x1f\x8b"

USER_DATA_SCHEMA = schema(
    extraPatterns={
        "type": "array",
        "items": {"type": "string", "format": "regex"},
        "default": [],
        "description": "More regular expressions that must not match user data (e.g. a vendor's token format).",
    },
)


def user_data_text(resource_type: str, props: Any) -> str | None:
    """The user data as the instance runs it: launch templates carry it base64-encoded, maybe gzipped."""
    if resource_type in INSTANCE:
        encoded = props.get("userDataBase64")
        return _decoded(encoded) if encoded else props.get("userData")
    user_data = props.get("userData")
    return _decoded(user_data) if user_data else None


def _decoded(text: str) -> str:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text  # not base64: a provider would reject it, but read it as it stands
    if raw.startswith(GZIP_MAGIC):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def secrets_in(text: str, extra_patterns: list[str]) -> Iterator[tuple[str, int]]:
    """(what, line number) of every secret-looking value; never the value itself."""
    patterns = dict(SECRET_PATTERNS)
    patterns.update({f"a match of /{p}/": re.compile(p) for p in extra_patterns})
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in patterns.items():
            if pattern.search(line):
                yield what, number


def validate_user_data(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LAUNCH_TEMPLATE + INSTANCE:
        return
    text = user_data_text(args.resource_type, args.props)
    extra = list(settings(USER_DATA_SCHEMA, args.get_config())["extraPatterns"])
    for what, line in secrets_in(text or "", extra):
        report_violation(
            f"{args.name}: user data line {line} holds {what}; anyone who can describe the launch template reads it. "
            "Keep the cookie in the SSM SecureString elixir-cluster:release.cookieParameter names (nodes read it at "
            "start) and AWS credentials in the node role, never in the release environment or user data."
        )


no_secrets_in_user_data = ResourceValidationPolicy(
    name="no-secrets-in-user-data",
    description="User data holds no cookie literal, -setcookie value, .erlang.cookie file or AWS credential.",
    validate=validate_user_data,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=USER_DATA_SCHEMA,
)

# --- secrets are SecureStrings --------------------------------------------------------------

SECURE_STRING = "SecureString"

PARAMETER_SCHEMA = schema(
    secretNamePattern={
        "type": "string",
        "format": "regex",
        "default": "(?i)(cookie|secret|password|passwd|token|credential|private[-_]?key)",
        "description": "A parameter whose name matches holds a secret.",
    },
)


def validate_parameter_type(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in SSM_PARAMETER:
        return
    pattern = settings(PARAMETER_SCHEMA, args.get_config())["secretNamePattern"]
    name = args.props.get("name") or args.name
    kind = args.props.get("type")
    if re.search(pattern, name) and kind != SECURE_STRING:
        report_violation(
            f"parameter {name} looks like a secret but is a {kind or 'untyped'} parameter: stored and shown in "
            "clear. Make it a SecureString (components/node_group.py creates the cookie parameter that "
            "elixir-cluster:release.cookieParameter names as one)."
        )


secret_parameters_are_secure_strings = ResourceValidationPolicy(
    name="secret-parameters-are-secure-strings",
    description="SSM parameters that hold the cookie or another secret are SecureStrings.",
    validate=validate_parameter_type,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PARAMETER_SCHEMA,
)

POLICIES = [no_secrets_in_user_data, secret_parameters_are_secure_strings]
