"""The cookie parameter in moto: a SecureString that decrypts, with a secret value."""

from __future__ import annotations

from tools.emulator import SECRET_MASK

PARAMETER = """
key = aws.kms.Key("cookie", description="cookie", enable_key_rotation=True)
aws.kms.Alias("cookie", name="alias/probe-cookie", target_key_id=key.key_id)
password = random.RandomPassword("cookie", length=48, special=False)
parameter = aws.ssm.Parameter("cookie", name="/probe/cookie", type="SecureString", value=password.result,
                              key_id=key.arn)
pulumi.export("key", key.key_id)
"""


def test_secure_string_decrypts_to_the_generated_value(run, aws):
    deployment = run(PARAMETER)
    ssm = aws("ssm")
    found = ssm.get_parameter(Name="/probe/cookie", WithDecryption=True)["Parameter"]
    assert found["Type"] == "SecureString"
    assert len(found["Value"]) == 48
    records = [r for r in deployment.resources if r.type == "aws:ssm/parameter:Parameter"]
    assert records[0].inputs["value"] == SECRET_MASK and records[0].outputs["value"] == SECRET_MASK
    assert found["Value"] not in str(deployment.to_json())
