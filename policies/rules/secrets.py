"""The release cookie and credentials: never in user data, always in a SecureString; and no
secret among the release's plain variables (release.environment), which travel in user data.

User data is readable by anyone who may call ec2:DescribeLaunchTemplateVersions or reach
the instance metadata service, and it is kept in the launch template's every version. The
cookie lets whoever knows it run code on every node, so it lives in SSM only.

Secret-marked user data: a value built from a Pulumi secret (the cookie's RandomPassword, a
secret config key) is itself secret, and user data has no business holding one. The preview
document and Pulumi's own output print such a value as "[secret]"; the Pulumi CLI hands a
policy pack the plaintext with no mark (KeepSecrets, then pulumi_policy unwraps it in Analyze:
pulumi/pulumi-policy#241), so there the rule reads the content like any other. A value that
arrives wrapped (`pulumi_policy.Secret`) or listed in `additionalSecretOutputs` counts as
marked too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Secret

from .configuration import schema, settings
from .resources import INSTANCE, LAUNCH_TEMPLATE, SSM_PARAMETER
from .user_data import Piece, decoded, pieces

# --- no secrets in user data ----------------------------------------------------------------

SECRET_MASK = "[secret]"
"""How a preview (`pulumi preview --json`, `tools.preview --format json`) prints a secret value."""
COOKIE_FILE = ".erlang.cookie"
"""Where erl reads the cookie from when nothing else gives one: $HOME/.erlang.cookie."""

# A literal value, not a shell expansion ($VAR, $(...)), a printf placeholder (%s) or a template (<...>, {{...}})
_LITERAL = r"""['"]?(?![$%<{])[^\s'"]+"""
_ACCESS_KEY_ID = r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
_SECRET_ACCESS_KEY = r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
SECRET_PATTERNS = {
    "a release cookie literal (RELEASE_COOKIE=...)": re.compile(rf"\bRELEASE_COOKIE\s*[=:]\s*{_LITERAL}"),
    "an Erlang cookie literal (ERLANG_COOKIE=...)": re.compile(rf"\bERLANG_COOKIE\s*[=:]\s*{_LITERAL}"),
    "an Erlang cookie on a command line (-setcookie ...)": re.compile(rf"(?:-setcookie|--cookie)\s+{_LITERAL}"),
    "an AWS access key id": re.compile(_ACCESS_KEY_ID),
    "an AWS secret access key beside its key id": re.compile(rf"{_ACCESS_KEY_ID}.*{_SECRET_ACCESS_KEY}"),
    "an AWS secret key or session token": re.compile(
        rf"(?i)\b(?:aws_?)?(?:secret_?access_?key|session_?token)['\"]?\s*[=:]\s*{_LITERAL}"
        rf"|\baws_secret_access_key\s+{_SECRET_ACCESS_KEY}"
    ),
    "a private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "an Erlang cookie file written from user data (.erlang.cookie)": re.compile(
        rf"""(?:echo|printf)\s+{_LITERAL}['"]?\s*>>?\s*\S*\.erlang\.cookie"""
    ),
}
USER_DATA_KEYS = {
    **dict.fromkeys(INSTANCE, ("userData", "userDataBase64")),
    **dict.fromkeys(LAUNCH_TEMPLATE, ("userData",)),
}
"""Where each resource type keeps its user data."""

USER_DATA_SCHEMA = schema(
    extraPatterns={
        "type": "array",
        "items": {"type": "string", "format": "regex"},
        "default": [],
        "description": "More regular expressions that must not match user data (e.g. a vendor's token format).",
    },
)


def is_base64(resource_type: str, key: str) -> bool:
    """A launch template's userData and an instance's userDataBase64 are base64; an instance's userData is text."""
    return resource_type in LAUNCH_TEMPLATE or key == "userDataBase64"


def secrets_in(piece: Piece, extra_patterns: list[str]) -> Iterator[tuple[str, str]]:
    """(what, where) of every secret-looking value in `piece`; never the value itself."""
    patterns = dict(SECRET_PATTERNS)
    patterns.update({f"a match of /{p}/": re.compile(p) for p in extra_patterns})
    lines = piece.text.splitlines()
    for number, line in enumerate(lines, start=1):
        where = f"{piece.where} line {number}" if len(lines) > 1 else piece.where
        for what, pattern in patterns.items():
            if pattern.search(line):
                yield what, where
    if piece.path and posixpath.basename(piece.path) == COOKIE_FILE and piece.text.strip():
        yield f"the Erlang cookie, written to {piece.path} from its inline content", piece.where


def user_data_findings(resource_type: str, props: Any, secret_outputs: list[str], extra: list[str]) -> list[str]:
    """What a resource's user data gives away, one line per finding, each saying where."""
    found: list[str] = []
    for key in USER_DATA_KEYS.get(resource_type, ()):
        value = props.get(key)
        if isinstance(value, Secret):
            value, marked = value.value, True
        else:
            marked = value == SECRET_MASK or key in secret_outputs
        if marked:
            found.append(f"{key} is a Pulumi secret: something secret was built into it")
        if not isinstance(value, str) or not value or value == SECRET_MASK:
            continue
        for piece in pieces(decoded(value, is_base64(resource_type, key))):
            found += [f"{where} holds {what}" for what, where in secrets_in(piece, extra)]
    return list(dict.fromkeys(found))


def validate_user_data(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in USER_DATA_KEYS:
        return
    extra = list(settings(USER_DATA_SCHEMA, args.get_config())["extraPatterns"])
    secret_outputs = list(args.opts.additional_secret_outputs or []) if args.opts else []
    for finding in user_data_findings(args.resource_type, args.props, secret_outputs, extra):
        report_violation(
            f"{args.name}: {finding}; anyone who can describe the launch template or reach the instance metadata "
            "reads it in clear. Keep the cookie in the SSM SecureString elixir-cluster:release.cookieParameter names "
            "(nodes read it at start) and AWS credentials in the node role, never in the release environment or "
            "user data."
        )


no_secrets_in_user_data = ResourceValidationPolicy(
    name="no-secrets-in-user-data",
    description="User data, read as EC2 and cloud-init read it, holds no cookie, credential or private key, "
    "and is not a Pulumi secret.",
    validate=validate_user_data,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=USER_DATA_SCHEMA,
)

# --- no secrets in the release's plain environment --------------------------------------------

URL_WITH_PASSWORD = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:[^\s/@]+@")
"""scheme://user:password@host: a database or broker URL with its password in it."""
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")

ENVIRONMENT_SCHEMA = schema(
    secretNamePattern={
        "type": "string",
        "format": "regex",
        "default": "(?i)_(KEY|SECRET|PASSWORD|PASSWD|TOKEN)$",
        "description": "A variable whose name matches holds a secret.",
    },
    allowedNames={
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Variables whose names match but hold no secret (a publishable key, a public key id).",
    },
    environmentFiles={
        "type": "array",
        "items": {"type": "string"},
        "default": ["release.env"],
        "description": "Names of the files written from user data that hold the release's plain environment.",
    },
)


def environment_findings(resource_type: str, props: Any, config: dict[str, Any]) -> list[str]:
    """What in the release's plain environment files looks like a secret, one line each; never the value."""
    found: list[str] = []
    for key in USER_DATA_KEYS.get(resource_type, ()):
        value = props.get(key)
        value = value.value if isinstance(value, Secret) else value
        if not isinstance(value, str) or not value or value == SECRET_MASK:
            continue
        for piece in pieces(decoded(value, is_base64(resource_type, key))):
            if piece.path and posixpath.basename(piece.path) in config["environmentFiles"]:
                found += _secret_looking(piece, config)
    return list(dict.fromkeys(found))


def _secret_looking(piece: Piece, config: dict[str, Any]) -> Iterator[str]:
    for number, line in enumerate(piece.text.splitlines(), start=1):
        assignment = ASSIGNMENT.match(line)
        name, value = (assignment[1], assignment[2].strip().strip("'\"")) if assignment else ("", "")
        if value and name not in config["allowedNames"] and re.search(config["secretNamePattern"], name):
            yield f"{piece.path} line {number} sets {name}, a secret by its name"
        if URL_WITH_PASSWORD.search(line):
            yield f"{piece.path} line {number} holds a URL with a password" + (f" ({name})" if name else "")


def validate_release_environment(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in USER_DATA_KEYS:
        return
    config = settings(ENVIRONMENT_SCHEMA, args.get_config())
    for finding in environment_findings(args.resource_type, args.props, config):
        report_violation(
            f"{args.name}: {finding}: plain variables travel in the user data, which whoever may describe the launch "
            "template reads, in every version it keeps. Move it to elixir-cluster:release.secrets (an SSM "
            "SecureString or a Secrets Manager secret the nodes read at each start); if it is no secret, name it in "
            "this rule's allowedNames."
        )


no_secrets_in_release_environment = ResourceValidationPolicy(
    name="no-secrets-in-release-environment",
    description="The release's plain environment (release.environment, in user data) sets no variable named like a "
    "secret and no URL with a password.",
    validate=validate_release_environment,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=ENVIRONMENT_SCHEMA,
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
            "clear. Make it a SecureString (components/release_cookie.py creates the cookie parameter that "
            "elixir-cluster:release.cookieParameter names as one)."
        )


secret_parameters_are_secure_strings = ResourceValidationPolicy(
    name="secret-parameters-are-secure-strings",
    description="SSM parameters that hold the cookie or another secret are SecureStrings.",
    validate=validate_parameter_type,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PARAMETER_SCHEMA,
)

POLICIES = [no_secrets_in_user_data, no_secrets_in_release_environment, secret_parameters_are_secure_strings]
