"""scripts/fetch-secrets.sh (and env_assignment.py): at each start of the release, the cookie and
release.secrets from SSM and Secrets Manager into one private file under the unit's runtime
directory, each value exactly as systemd (and sh) read it back, and nowhere else: not in a log,
not on a command line, not in a file a failed start leaves behind. A secret that cannot be read
fails the start naming the variable and where it was read from, never the value."""

from __future__ import annotations

import json
import stat

import pytest

from tests.support.fake_node import FakeNode
from tests.support.fragments import PINNED_SECRET_ID
from tests.support.node_bootstrap import variant
from tests.support.systemd_env import HOSTILE_VALUES, sh_reads, systemd_reads

COOKIE = "kR3ewP0q9sZt7mNv2xLc8bYh4jDf6gA1"
KEY_BASE = "Zx8vQ2pL5nR7tY1uW3eA6sD9fG0hJ4kM2bN5cV8xZ1qW4eR7tY0uI3oP6aS9dF2g"
DATABASE_URL = "ecto://shop:s3cr3t@db.internal:5432/shop"
DATABASE_ARN = {
    "prod": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf",
    "dev": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/dev/db-MnOpQr",
}


def stored(stack: str, key_base: str = KEY_BASE, database_url: str = DATABASE_URL) -> dict:
    """What the fake aws holds for a shipped stack's release.secrets."""
    return {
        "parameters": {f"/shop/{stack}/secret-key-base": key_base},
        "secrets": {DATABASE_ARN[stack]: json.dumps({"url": database_url, "pool": 10})},
    }


def written(node: FakeNode) -> dict[str, str]:
    return systemd_reads(node.root / "runtime" / "secrets.env")


def leaked(node: FakeNode, result, *values: str) -> list[str]:
    """The values that reached the script's output or a command line."""
    seen = result.stdout + result.stderr + "\n".join(node.calls())
    return [value for value in values if value in seen]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_cookie_and_the_secrets_are_written_to_one_private_file_and_nowhere_else(
    node: FakeNode, stack: str
) -> None:
    result = node.run(variant(stack), "fetch-secrets", cookie=COOKIE, stored=stored(stack))
    assert result.returncode == 0, result.stderr
    secrets_file = node.root / "runtime" / "secrets.env"
    assert written(node) == {"RELEASE_COOKIE": COOKIE, "SECRET_KEY_BASE": KEY_BASE, "DATABASE_URL": DATABASE_URL}
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert [path.name for path in (node.root / "runtime").iterdir()] == ["secrets.env"]
    assert leaked(node, result, COOKIE, KEY_BASE, DATABASE_URL, "s3cr3t") == []
    assert node.calls("aws") == [
        f"aws ssm get-parameter --name /shop/{stack}/release-cookie --with-decryption --query Parameter.Value"
        " --region eu-west-1 --output json",
        f"aws ssm get-parameter --name /shop/{stack}/secret-key-base --with-decryption --query Parameter.Value"
        " --region eu-west-1 --output json",
        f"aws secretsmanager get-secret-value --secret-id {DATABASE_ARN[stack]} --query SecretString"
        " --region eu-west-1 --output json",
    ]


@pytest.mark.parametrize("kind", HOSTILE_VALUES)
def test_hostile_values_reach_systemd_and_sh_exactly(node: FakeNode, kind: str) -> None:
    value = HOSTILE_VALUES[kind]
    result = node.run(
        variant("prod"), "fetch-secrets", cookie=COOKIE, stored=stored("prod", key_base=value, database_url=value)
    )
    assert result.returncode == 0, result.stderr
    expected = {"RELEASE_COOKIE": COOKIE, "SECRET_KEY_BASE": value, "DATABASE_URL": value}
    assert written(node) == expected
    assert sh_reads(node.root / "runtime" / "secrets.env") == expected


def test_pins_read_the_version_they_name_not_the_latest(node: FakeNode) -> None:
    # PINNED_SECRETS: an SSM version and label, another account's parameter by ARN, a Secrets
    # Manager stage with a JSON key and another account's secret by version id
    partner = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl"
    database = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
    pinned = {
        "parameters": {
            "/shop/prod/secret-key-base": {"versions": ["key-1", "key-2", "key-3"]},
            "/shop/prod/signing-salt": {"versions": ["salt-1", "salt-2"], "labels": {"live": 1}},
            "/shared/mailer-key": "mailer",
        },
        "secrets": {
            database: {
                "versions": [
                    {"id": "a" * 32, "stages": ["AWSCURRENT"], "text": json.dumps({"url": "ecto://current"})},
                    {"id": "b" * 32, "stages": ["AWSPREVIOUS"], "text": json.dumps({"url": "ecto://previous"})},
                ]
            },
            partner: {
                "versions": [
                    {"id": "c" * 32, "stages": ["AWSCURRENT"], "text": "token-current"},
                    {"id": PINNED_SECRET_ID, "stages": [], "text": "token-pinned"},
                ]
            },
        },
    }
    result = node.run(variant("pinned-secrets"), "fetch-secrets", cookie=COOKIE, stored=pinned)
    assert result.returncode == 0, result.stderr
    assert written(node) == {
        "RELEASE_COOKIE": COOKIE,
        "SECRET_KEY_BASE": "key-2",
        "SIGNING_SALT": "salt-1",
        "MAILER_KEY": "mailer",
        "DATABASE_URL": "ecto://previous",
        "PARTNER_TOKEN": "token-pinned",
    }
    calls = " ".join(node.calls("aws"))
    assert "--name /shop/prod/secret-key-base:2 " in calls and "--name /shop/prod/signing-salt:live " in calls
    assert "--name arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key " in calls
    assert f"--secret-id {database} --version-stage AWSPREVIOUS " in calls
    assert f"--secret-id {partner} --version-id {PINNED_SECRET_ID} " in calls


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (
            lambda state: state["parameters"].pop("/shop/prod/secret-key-base"),
            "SECRET_KEY_BASE: cannot read /shop/prod/secret-key-base",
        ),
        (
            lambda state: state["secrets"].pop(DATABASE_ARN["prod"]),
            f"DATABASE_URL: cannot read {DATABASE_ARN['prod']}:url::",
        ),
        (
            lambda state: state["secrets"].update({DATABASE_ARN["prod"]: json.dumps({"uri": DATABASE_URL})}),
            f"DATABASE_URL: {DATABASE_ARN['prod']}:url:: has no JSON key 'url'",
        ),
        (
            lambda state: state["secrets"].update({DATABASE_ARN["prod"]: DATABASE_URL}),
            f"DATABASE_URL: {DATABASE_ARN['prod']}:url:: has no JSON key 'url'",
        ),
        (
            lambda state: state["secrets"].update(
                {DATABASE_ARN["prod"]: {"versions": [{"id": "v1", "stages": ["AWSCURRENT"], "binary": "AAEC"}]}}
            ),
            f"DATABASE_URL: {DATABASE_ARN['prod']}:url:: holds no text",
        ),
        (
            lambda state: state["parameters"].update({"/shop/prod/secret-key-base": KEY_BASE + "\0"}),
            "SECRET_KEY_BASE: /shop/prod/secret-key-base holds NUL",
        ),
    ],
    ids=["missing-parameter", "missing-secret", "missing-json-key", "not-json", "binary-secret", "nul"],
)
def test_a_secret_that_cannot_be_read_fails_the_start_naming_the_variable_never_the_value(
    node: FakeNode, change, refusal: str
) -> None:
    state = stored("prod")
    change(state)
    result = node.run(variant("prod"), "fetch-secrets", cookie=COOKIE, stored=state)
    assert result.returncode != 0
    assert refusal in result.stderr
    assert list((node.root / "runtime").iterdir()) == [], "no secrets.env, not even the secrets read before"
    assert leaked(node, result, COOKIE, KEY_BASE, DATABASE_URL, "s3cr3t") == []


def test_a_secret_that_is_not_there_is_retried_then_given_up(node: FakeNode) -> None:
    # IAM can take a while to reach a new instance: AccessDenied and NotFound alike are retried
    state = stored("prod")
    state["parameters"].pop("/shop/prod/secret-key-base")
    result = node.run(variant("prod"), "fetch-secrets", cookie=COOKIE, stored=state)
    reads = [call for call in node.calls("aws") if "secret-key-base" in call]
    assert len(reads) == 6 and node.calls("sleep") == [f"sleep {pause}" for pause in (2, 4, 8, 16, 32)]
    assert "(ParameterNotFound) when calling the GetParameter operation" in result.stderr
