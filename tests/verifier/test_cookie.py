"""tools/verifier/checks/cookie.py: the release cookie's parameter exists as a SecureString (its
value is never read); each tamper fails the cookie check and no other."""

from __future__ import annotations

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk


def replace_the_cookie_by_a_plain_string(env: Applied) -> None:
    ssm = env.client("ssm")
    name = env.outputs["cookieParameterName"]
    ssm.delete_parameter(Name=name)
    ssm.put_parameter(Name=name, Type="String", Value="not-so-secret-cookie")


def delete_the_cookie(env: Applied) -> None:
    env.client("ssm").delete_parameter(Name=env.outputs["cookieParameterName"])


TAMPERS = {
    "dev": [Tamper(replace_the_cookie_by_a_plain_string, "cookie.parameter", "/shop/dev/release-cookie is a String")],
    "prod": [Tamper(delete_the_cookie, "cookie.parameter", "no SSM parameter /shop/prod/release-cookie")],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_cookie_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
