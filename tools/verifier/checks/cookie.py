"""The release cookie: the SSM parameter exists and is a SecureString. Its value is never read."""

from __future__ import annotations

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed

NAME = "release cookie"
SECURE_STRING = "SecureString"


def run(env: Environment) -> list[Finding]:
    name = env.settings.release.cookie_parameter
    ssm = env.aws.client("ssm")
    # DescribeParameters reads the metadata only: verify has no business with the value
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])[
        "Parameters"
    ]
    if not found:
        return [failed("cookie.parameter", f"no SSM parameter {name}", f"{UP_FIX} (nodes cannot start without it)")]
    kind = found[0]["Type"]
    if kind != SECURE_STRING:
        return [
            failed(
                "cookie.parameter",
                f"{name} is a {kind}: the cookie is readable without KMS decryption",
                f"delete the parameter and {UP_FIX} (it creates a new cookie; restart the nodes to pick it up)",
            )
        ]
    return [passed("cookie.parameter", f"{name}: {SECURE_STRING}, key {found[0].get('KeyId', 'aws/ssm')}")]
