"""KMS in moto: a key's policy (given, or AWS's default), its rotation, its alias, and the error a
wrong key spec gets."""

from __future__ import annotations

import json

import pytest

from tools.emulator import EmulatorError

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NodesDecryptTheCookie",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/shop-node"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    ],
}

KEYS = f"""
import json
cookie = aws.kms.Key("cookie", description="release cookie", enable_key_rotation=True,
    policy=json.dumps({POLICY!r}), tags={{"team": "payments"}})
alias = aws.kms.Alias("cookie", name="alias/shop-cookie", target_key_id=cookie.key_id)
plain = aws.kms.Key("plain", description="no policy given")
pulumi.export("cookie", cookie.key_id)
pulumi.export("cookieArn", cookie.arn)
pulumi.export("alias", alias.name)
pulumi.export("aliasArn", alias.arn)
pulumi.export("aliasTarget", alias.target_key_arn)
pulumi.export("plain", plain.key_id)
"""


def test_a_key_keeps_the_policy_it_was_given_and_rotates(run, aws):
    out = run(KEYS).outputs
    kms = aws("kms")
    assert json.loads(kms.get_key_policy(KeyId=out["cookie"], PolicyName="default")["Policy"]) == POLICY
    assert kms.get_key_rotation_status(KeyId=out["cookie"])["KeyRotationEnabled"] is True
    key = kms.describe_key(KeyId=out["cookie"])["KeyMetadata"]
    assert key["Arn"] == out["cookieArn"]
    assert (key["Description"], key["KeyUsage"], key["KeySpec"]) == (
        "release cookie",
        "ENCRYPT_DECRYPT",
        "SYMMETRIC_DEFAULT",
    )
    assert kms.list_resource_tags(KeyId=out["cookie"])["Tags"] == [{"TagKey": "team", "TagValue": "payments"}]


def test_a_key_without_a_policy_gets_aws_default_one_and_does_not_rotate(run, aws):
    out = run(KEYS).outputs
    kms = aws("kms")
    account = aws("sts").get_caller_identity()["Account"]
    [statement] = json.loads(kms.get_key_policy(KeyId=out["plain"], PolicyName="default")["Policy"])["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}  # the account itself, as AWS's default
    assert (statement["Effect"], statement["Action"]) == ("Allow", "kms:*")
    assert kms.get_key_rotation_status(KeyId=out["plain"])["KeyRotationEnabled"] is False


def test_an_alias_names_its_key(run, aws):
    out = run(KEYS).outputs
    account = aws("sts").get_caller_identity()["Account"]
    aliases = {a["AliasName"]: a for a in aws("kms").list_aliases(KeyId=out["cookie"])["Aliases"]}
    assert aliases["alias/shop-cookie"]["TargetKeyId"] == out["cookie"]
    assert aliases["alias/shop-cookie"]["AliasArn"] == out["aliasArn"]
    assert out["alias"] == "alias/shop-cookie"
    assert out["aliasArn"] == f"arn:aws:kms:eu-west-1:{account}:alias/shop-cookie"
    assert out["aliasTarget"] == out["cookieArn"]


def test_a_key_spec_aws_does_not_offer_is_refused_in_aws_words(run):
    with pytest.raises(EmulatorError) as refused:
        run('aws.kms.Key("odd", customer_master_key_spec="RSA_1024")\n')
    message = str(refused.value)
    assert message.startswith("aws:kms/key:Key 'odd': ValidationException: ")
    assert "Value 'RSA_1024' at 'KeySpec' failed to satisfy constraint: Member must satisfy enum value set" in message
