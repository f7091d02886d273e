"""The release cookie against its plan (plans/cookie.py): the SSM parameter exists, of the
declared type (a SecureString). Its value is never read."""

from __future__ import annotations

from components.plans.cookie import cookie_plan

from ..discovery import Environment
from ..findings import UP_FIX, Finding, failed, passed

NAME = "release cookie"


def run(env: Environment) -> list[Finding]:
    plan = cookie_plan(env.settings)
    name = plan.parameter_name
    ssm = env.aws.client("ssm")
    # DescribeParameters reads the metadata only: verify has no business with the value
    found = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])[
        "Parameters"
    ]
    if not found:
        return [failed("cookie.parameter", f"no SSM parameter {name}", f"{UP_FIX} (nodes cannot start without it)")]
    kind = found[0]["Type"]
    if kind != plan.parameter_type:
        return [
            failed(
                "cookie.parameter",
                f"{name} is a {kind}: the cookie is readable without KMS decryption",
                f"delete the parameter and {UP_FIX} (it creates a new cookie; restart the nodes to pick it up)",
            )
        ]
    return [passed("cookie.parameter", f"{name}: {kind}, key {found[0].get('KeyId', 'aws/ssm')}")]
