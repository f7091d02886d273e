"""Secrets Manager in moto: a secret a stack references but does not own (`provide_secret`), under
the complete ARN the stack names, readable as the stack reads it (a JSON key, a pinned version),
with a value nobody knows; one that exists already is kept."""

from __future__ import annotations

import json

from tools.emulator import Emulator, fresh_account_id
from tools.emulator.services import secretsmanager

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
VERSION_ID = "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"


def test_a_provided_secret_has_the_arn_the_stack_names_and_the_key_it_reads(emulator, aws):
    secretsmanager.provide_secret(emulator.session, ARN, json_key="url")
    client = aws("secretsmanager")
    described = client.describe_secret(SecretId=ARN)
    assert (described["ARN"], described["Name"]) == (ARN, "shop/prod/db")
    value = json.loads(client.get_secret_value(SecretId=ARN)["SecretString"])
    assert list(value) == ["url"] and len(value["url"]) >= 24


def test_a_pinned_stage_or_version_id_exists(emulator, aws):
    other = ARN.replace("db-AbCdEf", "api-GhIjKl")
    secretsmanager.provide_secret(emulator.session, ARN, version_stage="AWSPREVIOUS")
    secretsmanager.provide_secret(emulator.session, other, version_id=VERSION_ID)
    client = aws("secretsmanager")
    assert "AWSPREVIOUS" in client.get_secret_value(SecretId=ARN, VersionStage="AWSPREVIOUS")["VersionStages"]
    assert client.get_secret_value(SecretId=other, VersionId=VERSION_ID)["VersionId"] == VERSION_ID


def test_a_secret_that_exists_is_kept_with_its_value(emulator, aws):
    secretsmanager.provide_secret(emulator.session, ARN)
    client = aws("secretsmanager")
    client.put_secret_value(SecretId=ARN, SecretString="seeded by the node lab")
    secretsmanager.provide_secret(emulator.session, ARN)  # a stack applied again
    assert client.get_secret_value(SecretId=ARN)["SecretString"] == "seeded by the node lab"
    assert len(client.list_secrets()["SecretList"]) == 1


def test_a_moto_server_of_this_project_creates_it_under_its_arn_too(moto_server: str):
    with Emulator(region="eu-west-1", endpoint=moto_server, account_id=fresh_account_id()) as emulator:
        secretsmanager.provide_secret(emulator.session, ARN, json_key="url")
        assert emulator.session.client("secretsmanager").describe_secret(SecretId=ARN)["ARN"] == ARN
