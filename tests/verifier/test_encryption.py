"""tools/verifier/checks/encryption.py: the stack's KMS keys rotate and hold their declared key
policies; each tamper fails its check and no other (on staging, whose cookie, alert topic and flow
log group each have a key)."""

from __future__ import annotations

import json

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, walk


def stop_rotating_the_cookie_key(env: Applied) -> None:
    ssm = env.client("ssm")
    name = env.outputs["cookieParameterName"]
    key = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]["KeyId"]
    env.client("kms").disable_key_rotation(KeyId=key)


def open_the_alert_key_to_every_account(env: Applied) -> None:
    key = env.client("sns").get_topic_attributes(TopicArn=env.outputs["alarmTopicArn"])["Attributes"]["KmsMasterKeyId"]
    kms = env.client("kms")
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))


TAMPERS = {
    "staging": [
        Tamper(stop_rotating_the_cookie_key, "encryption.rotation", "cookie key: rotation off"),
        Tamper(
            open_the_alert_key_to_every_account,
            "encryption.key_policies",
            'alert topic key: statement Anyone allows any principal ("*")',
        ),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_encryption_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
