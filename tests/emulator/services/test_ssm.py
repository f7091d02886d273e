"""SSM in moto: the cookie parameter, a SecureString that decrypts, with a secret value; and the
parameters release.secrets references (`provide_parameter`)."""

from __future__ import annotations

from tools.emulator import SECRET_MASK
from tools.emulator.services.ssm import provide_parameter

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


def test_a_provided_parameter_is_a_secure_string_in_the_version_or_label_the_stack_pins(emulator, aws):
    ssm = emulator.session.client("ssm")
    provide_parameter(emulator.session, "/shop/prod/secret-key-base", "3")
    provide_parameter(emulator.session, "/shop/prod/signing-salt", "live")
    provide_parameter(emulator.session, "plain-name")
    assert ssm.get_parameter(Name="/shop/prod/secret-key-base:3")["Parameter"]["Version"] == 3
    found = ssm.get_parameter(Name="/shop/prod/signing-salt:live", WithDecryption=True)["Parameter"]
    assert found["Type"] == "SecureString" and len(found["Value"]) >= 24
    assert ssm.get_parameter(Name="plain-name")["Parameter"]["Version"] == 1


def test_a_parameter_that_exists_is_kept_with_its_value(emulator, aws):
    ssm = aws("ssm")
    ssm.put_parameter(Name="/shop/prod/secret-key-base", Type="SecureString", Value="seeded by the node lab")
    provide_parameter(emulator.session, "/shop/prod/secret-key-base")
    found = ssm.get_parameter(Name="/shop/prod/secret-key-base", WithDecryption=True)["Parameter"]
    assert (found["Value"], found["Version"]) == ("seeded by the node lab", 1)


def test_another_accounts_parameter_is_read_by_its_arn(emulator, aws):
    # shared parameters: the emulator keeps the ones a stack references in its account, read by any ARN
    provide_parameter(emulator.session, "/shared/mailer-key")
    arn = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key"
    assert aws("ssm").get_parameter(Name=f"{arn}:1")["Parameter"]["Name"] == "/shared/mailer-key"
