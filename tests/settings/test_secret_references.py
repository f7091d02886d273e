"""components/settings/secret_references.py: where a secret of release.secrets is read from, in
every form ECS's valueFrom takes, and each refusal at its boundary."""

from __future__ import annotations

import pytest

from components.settings.secret_references import (
    ParameterSource,
    SecretsManagerSource,
    partition_of,
    secret_source,
    secret_source_problem,
)

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
VERSION_ID = "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("/shop/prod/secret-key-base", ParameterSource("/shop/prod/secret-key-base")),
        ("/shop/prod/secret-key-base:3", ParameterSource("/shop/prod/secret-key-base", "3")),
        ("/shop/prod/secret-key-base:live", ParameterSource("/shop/prod/secret-key-base", "live")),
        ("SecretKeyBase", ParameterSource("SecretKeyBase")),
        (
            "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/key",
            ParameterSource("/shared/key", arn="arn:aws:ssm:eu-west-1:210987654321:parameter/shared/key"),
        ),
        (
            "arn:aws:ssm:eu-west-1:210987654321:parameter/key:7",
            ParameterSource("key", "7", arn="arn:aws:ssm:eu-west-1:210987654321:parameter/key"),
        ),
        (SECRET, SecretsManagerSource(SECRET)),
        (f"{SECRET}:url::", SecretsManagerSource(SECRET, json_key="url")),
        (f"{SECRET}:url", SecretsManagerSource(SECRET, json_key="url")),  # trailing fields left out
        (f"{SECRET}::AWSPREVIOUS:", SecretsManagerSource(SECRET, version_stage="AWSPREVIOUS")),
        (f"{SECRET}:::{VERSION_ID}", SecretsManagerSource(SECRET, version_id=VERSION_ID)),
        (f"{SECRET}:password:AWSPENDING", SecretsManagerSource(SECRET, "password", "AWSPENDING")),
        (
            "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf",
            SecretsManagerSource("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf"),
        ),
    ],
)
def test_each_form_reads_as_ecs_reads_it(text, source):
    assert secret_source(text) == source


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "must name an SSM parameter or a Secrets Manager secret's ARN"),
        ("shop/prod/key", "an SSM parameter path starts with '/', has no empty level"),
        ("/shop//key", "an SSM parameter path starts with '/', has no empty level"),
        ("/shop/key/", "an SSM parameter path starts with '/', has no empty level"),
        ("/shop/ke y", "an SSM parameter name allows only a-z A-Z 0-9 _ . - /"),
        ("/aws/key", "an SSM parameter name must not start with 'aws' or 'ssm'"),
        ("/" + "/".join("l" * 16), "an SSM parameter name has at most 15 levels"),
        ("/shop/key:0", "after ':' comes a version (1, 2, ...) or a label"),
        ("/shop/key:2x", "after ':' comes a version (1, 2, ...) or a label"),
        ("/shop/key:aws-live", "after ':' comes a version (1, 2, ...) or a label"),
        ("/shop/key:" + "l" * 101, "after ':' comes a version (1, 2, ...) or a label"),
        ("arn:aws:ssm:eu-west-1:123456789012", "an ARN has six ':'-separated parts at least"),
        ("arn:aws:s3:::bucket/key", "must be an SSM parameter"),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/", "an SSM parameter's ARN is arn:<partition>:ssm:"),
        ("arn:aws:ssm:eu-west-1:123456789012:document/x", "an SSM parameter's ARN is arn:<partition>:ssm:"),
        ("arn:aws:ssm:eu-west-1:12345678901:parameter/x", "the ARN's account must be 12 digits"),
        ("arn:aws:ssm:mars-1:123456789012:parameter/x", "the ARN's region must be an AWS region"),
        ("arn:aws-cn:ssm:eu-west-1:123456789012:parameter/x", "the ARN's partition must be aws, the partition of"),
        (SECRET.removesuffix("-AbCdEf"), "a secret's ARN ends in the '-' and 6 characters Secrets Manager adds"),
        (SECRET[:-1], "a secret's ARN ends in the '-' and 6 characters Secrets Manager adds"),
        (SECRET.replace("secret:", "secrets:"), "a secret's valueFrom is arn:<partition>:secretsmanager:"),
        (f"{SECRET}:a:b:c:d", "a secret's valueFrom is arn:<partition>:secretsmanager:"),
        (SECRET.replace("shop/prod/db", "shop prod"), "a secret's name has 1-512 characters"),
        (f"{SECRET}::AWSPREVIOUS:{VERSION_ID}", "name a version stage or a version id, not both"),
        (f"{SECRET}:::{'a' * 31}", "a version id has 32..64 characters"),
        (f"{SECRET}:::{'a' * 65}", "a version id has 32..64 characters"),
        (f"{SECRET}::{'s' * 257}:", "a version stage has 1..256 characters"),
    ],
)
def test_each_refusal_says_what_is_wrong(text, problem):
    assert secret_source_problem(text).startswith(problem)


@pytest.mark.parametrize(
    "text",
    [
        "/" + "/".join("l" * 15),
        "/shop/key:" + "l" * 100,
        f"{SECRET}:::{'a' * 32}",
        f"{SECRET}:::{'a' * 64}",
        f"{SECRET}::{'s' * 256}:",
    ],
)
def test_the_other_side_of_each_length_boundary_is_read(text):
    assert secret_source_problem(text) is None


def test_a_parameter_is_granted_by_its_arn_in_the_stacks_account_unless_an_arn_names_another():
    assert ParameterSource("/shop/key", "3").parameter_arn("aws", "eu-west-1", "123456789012") == (
        "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/key"
    )
    assert ParameterSource("key").parameter_arn("aws-cn", "cn-north-1", "123456789012") == (
        "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/key"
    )
    shared = secret_source("arn:aws:ssm:eu-west-1:210987654321:parameter/shared/key:2")
    assert shared.parameter_arn("aws", "eu-west-1", "123456789012") == (
        "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/key"
    )
    assert shared.identifier == "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/key:2"


def test_a_secrets_name_is_its_arns_less_the_suffix():
    assert secret_source(f"{SECRET}:url::").name == "shop/prod/db"


@pytest.mark.parametrize(
    ("region", "partition"), [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_partitions_follow_the_region(region, partition):
    assert partition_of(region) == partition
