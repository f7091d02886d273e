"""components/plans/secrets.py: the node's call for each release secret (as the aws CLI takes it),
the ARN it is authorized against, and secrets.sh, which bash reads back into exactly those calls."""

from __future__ import annotations

import subprocess

import pytest

from components.plans.secrets import cookie_secret, release_secrets, secrets_script
from tests.support.fragments import PINNED_SECRET_ID
from tests.support.node_bootstrap import variant

ACCOUNT = "123456789012"


def by_variable(name: str) -> dict:
    return {secret.variable: secret for secret in release_secrets(variant(name).release)}


@pytest.mark.parametrize(
    ("variable", "call", "arn"),
    [
        (
            "SECRET_KEY_BASE",
            ["ssm", "get-parameter", "--name", "/shop/prod/secret-key-base:2", "--with-decryption"],
            f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/shop/prod/secret-key-base",
        ),
        (
            "SIGNING_SALT",
            ["ssm", "get-parameter", "--name", "/shop/prod/signing-salt:live", "--with-decryption"],
            f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/shop/prod/signing-salt",
        ),
        (
            "MAILER_KEY",
            [
                "ssm",
                "get-parameter",
                "--name",
                "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key",
                "--with-decryption",
            ],
            "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key",
        ),
        (
            "DATABASE_URL",
            [
                "secretsmanager",
                "get-secret-value",
                "--secret-id",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf",
                "--version-stage",
                "AWSPREVIOUS",
            ],
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf",
        ),
        (
            "PARTNER_TOKEN",
            [
                "secretsmanager",
                "get-secret-value",
                "--secret-id",
                "arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl",
                "--version-id",
                PINNED_SECRET_ID,
            ],
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl",
        ),
    ],
)
def test_each_form_becomes_the_call_a_node_makes_and_the_arn_it_is_granted(variable, call, arn):
    secret = by_variable("pinned-secrets")[variable]
    query = "Parameter.Value" if call[0] == "ssm" else "SecretString"
    assert secret.aws_call() == [*call, "--query", query]
    assert secret.resource_arn("aws", "eu-west-1", ACCOUNT) == arn


def test_a_json_key_is_the_nodes_to_take_not_the_calls():
    secrets = by_variable("pinned-secrets")
    assert secrets["DATABASE_URL"].json_key == "url"
    assert secrets["PARTNER_TOKEN"].json_key is None and secrets["SECRET_KEY_BASE"].json_key is None


def test_the_cookie_is_read_like_any_parameter_from_the_one_the_stack_creates():
    cookie = cookie_secret(variant("prod").release)
    assert cookie.variable == "RELEASE_COOKIE"
    assert cookie.aws_call() == [
        "ssm", "get-parameter", "--name", "/shop/prod/release-cookie", "--with-decryption", "--query", "Parameter.Value"
    ]  # fmt: skip


def test_secrets_sh_reads_back_in_bash_as_the_cookie_then_each_secret(tmp_path):
    release = variant("pinned-secrets").release
    script = tmp_path / "secrets.sh"
    script.write_text(secrets_script(release))
    # each line's words as bash hands them to `secret`: unit separators between words, record separators between calls
    show = "secret() { printf '%s\\037' \"$@\"; printf '\\036'; }; source \"$1\""
    result = subprocess.run(["bash", "-c", show, "_", str(script)], capture_output=True, text=True, check=True)
    calls = [record.split("\x1f")[:-1] for record in result.stdout.split("\x1e")[:-1]]
    expected = [
        [secret.variable, secret.reference, secret.json_key or "", *secret.aws_call()]
        for secret in [cookie_secret(release), *release_secrets(release)]
    ]
    assert calls == expected
    assert [call[0] for call in calls] == [
        "RELEASE_COOKIE", "SECRET_KEY_BASE", "DATABASE_URL", "SIGNING_SALT", "MAILER_KEY", "PARTNER_TOKEN"
    ]  # fmt: skip
