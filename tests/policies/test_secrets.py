"""policies/rules/secrets.py: no secrets in user data; secrets in SecureStrings."""

from __future__ import annotations

import base64
import gzip

import pytest

from tests.support.synthetic import SAFE_USER_DATA, add, change, cluster, encoded, findings, resource

COOKIE = "x7PqN2mW9vK4sT8a"  # what a careless change would paste
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize("rule", ["no-secrets-in-user-data", "secret-parameters-are-secure-strings"])
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize(
    ("line", "what"),
    [
        (f"RELEASE_COOKIE={COOKIE}", "release cookie literal"),
        (f'    Environment="RELEASE_COOKIE={COOKIE}"', "release cookie literal"),
        (f"RELEASE_COOKIE: '{COOKIE}'", "release cookie literal"),
        (f'ERL_AFLAGS="-setcookie {COOKIE}"', "-setcookie"),
        (f"export AWS_ACCESS_KEY_ID={ACCESS_KEY}", "AWS access key"),
        (f"export AWS_SECRET_ACCESS_KEY={COOKIE}", "AWS secret key"),
        (f"aws_session_token = {COOKIE}", "AWS secret key or session token"),
        ("  - path: /home/shop/.erlang.cookie", ".erlang.cookie"),
        (f"echo '{COOKIE}' > /home/shop/.erlang.cookie", ".erlang.cookie"),
    ],
)
def test_secrets_in_user_data_are_found_and_not_repeated(line, what):
    document = change(cluster(), "template", userData=encoded(SAFE_USER_DATA + line + "\n"))
    [violation] = findings(document, "no-secrets-in-user-data")
    assert what in violation.message and "line 7" in violation.message
    assert COOKIE not in violation.message and ACCESS_KEY not in violation.message  # CI logs stay clean


@pytest.mark.parametrize(
    "line",
    [
        'RELEASE_COOKIE="$(cat /run/shop/cookie)"',
        "RELEASE_COOKIE=${COOKIE}",
        'printf "RELEASE_COOKIE=%s\\n" "$cookie"',
        'ERL_AFLAGS="-setcookie $RELEASE_COOKIE"',
        "EnvironmentFile=-/run/shop/cookie.env  # holds RELEASE_COOKIE",
        'echo "$cookie" > /home/shop/.erlang.cookie',
        "AWS_SECRET_ACCESS_KEY=$(aws configure get aws_secret_access_key)",
    ],
)
def test_reading_the_cookie_at_boot_passes(line):
    document = change(cluster(), "template", userData=encoded(SAFE_USER_DATA + line + "\n"))
    assert findings(document, "no-secrets-in-user-data") == []


def test_gzipped_user_data_is_read():
    packed = base64.b64encode(gzip.compress(f"RELEASE_COOKIE={COOKIE}\n".encode())).decode()
    document = change(cluster(), "template", userData=packed)
    assert len(findings(document, "no-secrets-in-user-data")) == 1


def test_instance_user_data_is_read_and_extra_patterns_apply():
    box = resource("aws:ec2/instance:Instance", "box", {"userData": "#!/bin/sh\nexport VENDOR_TOKEN=vt_abc123\n"})
    document = add(cluster(), box)
    assert findings(document, "no-secrets-in-user-data") == []
    config = {"no-secrets-in-user-data": {"extraPatterns": [r"\bvt_[a-z0-9]+"]}}
    [violation] = findings(document, "no-secrets-in-user-data", config)
    assert violation.resource == "box" and "vt_abc123" not in violation.message


@pytest.mark.parametrize("kind", ["String", None])
def test_a_cookie_parameter_must_be_a_secure_string(kind):
    document = change(cluster(), "cookie", type=kind)
    [violation] = findings(document, "secret-parameters-are-secure-strings")
    assert "/shop/prod/release-cookie" in violation.message and "SecureString" in violation.message


def test_parameters_that_hold_no_secret_may_be_strings():
    document = add(
        cluster(),
        resource("aws:ssm/parameter:Parameter", "release", {"name": "/shop/prod/release-version", "type": "String"}),
    )
    assert findings(document, "secret-parameters-are-secure-strings") == []
    config = {"secret-parameters-are-secure-strings": {"secretNamePattern": "release"}}
    assert len(findings(document, "secret-parameters-are-secure-strings", config)) == 1
