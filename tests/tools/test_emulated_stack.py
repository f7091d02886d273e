"""tools/emulated_stack.py: each applied stack in an emulated account of its own, with what it
references but does not own (release.secrets among them, whose values the stack never holds); and
how the suite shares them: each stack file applied once, read-only to the tests that look, writable
to a test that changes it and put back when it ends (tests/conftest.py, tests/support/stacks.py)."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from components.plans.secrets import release_secrets
from tests.support.aws_state import group_of, template_data
from tests.support.fake_node import decoded_content
from tests.support.fragments import PINNED_SECRET_ID
from tests.support.node_bootstrap import variant
from tests.support.stacks import Deployments, SharedStackIsReadOnly
from tools.emulated_stack import provide_existing_resources
from tools.emulator import Emulator
from tools.preview import render_json

SUFFIXES = {"dev": "MnOpQr", "staging": "GhIjKl", "prod": "AbCdEf"}
"""The six characters Secrets Manager added to each shipped stack's database secret (its ARN in the stack file)."""


def _account_of(arn: str) -> str:
    return arn.split(":")[4]


def test_each_shipped_stack_lives_in_an_account_of_its_own_and_its_arns_say_so(dev, prod):
    assert dev.account_id != prod.account_id
    for applied in (dev, prod):
        assert len(applied.account_id) == 12 and applied.account_id.isdigit()
        assert _account_of(applied.outputs["targetGroupArn"]) == applied.account_id
        assert _account_of(applied.outputs["alarmTopicArn"]) == applied.account_id
        assert _account_of(group_of(applied)["AutoScalingGroupARN"]) == applied.account_id
        assert applied.client("sts").get_caller_identity()["Account"] == applied.account_id
        groups = applied.client("ec2").describe_security_groups(GroupIds=[applied.outputs["nodeSecurityGroupId"]])
        assert groups["SecurityGroups"][0]["OwnerId"] == applied.account_id


def test_a_stack_sees_only_its_own_account(dev, prod):
    names = {
        g["AutoScalingGroupName"] for g in dev.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    }
    assert names == {dev.outputs["autoScalingGroupName"]}
    assert prod.outputs["vpcId"] not in {v["VpcId"] for v in dev.client("ec2").describe_vpcs()["Vpcs"]}


def test_a_shared_stack_refuses_changes_before_they_reach_moto(dev):
    with pytest.raises(SharedStackIsReadOnly, match="UpdateAutoScalingGroup"):
        dev.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=dev.outputs["autoScalingGroupName"], MinSize=0
        )
    assert group_of(dev)["MinSize"] == dev.settings.nodes.min_size


def test_a_tests_changes_are_put_back_when_it_ends(applied_stacks, tmp_path, dev):
    with Deployments(tmp_path, applied_stacks) as deployments:
        mine = deployments("dev")
        assert mine.outputs == dev.outputs  # the session's one apply of dev, writable
        mine.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=mine.outputs["autoScalingGroupName"], MinSize=0
        )
        assert group_of(mine)["MinSize"] == 0
    assert group_of(dev)["MinSize"] == 1  # dev's nodes.minSize, as applied


def test_a_deployment_without_the_sessions_stacks_is_an_account_of_its_own(tmp_path, dev):
    with Deployments(tmp_path) as deployments:
        mine = deployments("dev")
        assert mine.account_id != dev.account_id
        assert mine.outputs["autoScalingGroupName"] == dev.outputs["autoScalingGroupName"]  # same names, apart
        mine.client("autoscaling").update_auto_scaling_group(
            AutoScalingGroupName=mine.outputs["autoScalingGroupName"], MinSize=0
        )
        assert group_of(dev)["MinSize"] == 1


# --- what the stack references but does not hold: release.secrets ------------------------------------


def release_secret_values(applied) -> dict[str, str]:
    """Each release secret's value as a node reads it from moto, where the emulator provided it."""
    ssm, secrets = applied.client("ssm"), applied.client("secretsmanager")
    values = {}
    for secret in release_secrets(applied.settings.release):
        source = secret.source
        if secret.in_parameter_store:
            values[secret.variable] = ssm.get_parameter(Name=source.identifier, WithDecryption=True)["Parameter"][
                "Value"
            ]
        else:
            text = secrets.get_secret_value(SecretId=source.arn)["SecretString"]
            values[secret.variable] = json.loads(text)[source.json_key] if source.json_key else text
    return values


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_release_secrets_exist_under_the_names_the_stack_gives_and_no_value_reaches_what_it_holds(shipped, stack):
    applied = shipped(stack)
    values = release_secret_values(applied)
    assert set(values) == {"SECRET_KEY_BASE", "DATABASE_URL"} and all(len(v) >= 24 for v in values.values())
    described = applied.client("secretsmanager").describe_secret(
        SecretId=applied.settings.release.secrets["DATABASE_URL"].removesuffix(":url::")
    )
    assert described["ARN"] == f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/{stack}/db-{SUFFIXES[stack]}"
    state = json.dumps(
        [[r.unmasked_inputs, r.unmasked_outputs] for r in applied.deployment.resources], default=str
    )  # what Pulumi's state holds, secrets in clear
    preview = render_json(applied.deployment)
    outputs = json.dumps(applied.deployment.outputs, default=str)
    user_data = base64.b64decode(template_data(applied)["UserData"]).decode()
    scripts = "".join(decoded_content(entry) for entry in yaml.safe_load(user_data)["write_files"])
    for value in values.values():
        assert value not in state and value not in preview and value not in outputs
        assert value not in user_data and value not in scripts
    # the references are there, in the user data only: the node reads the values at start
    assert applied.settings.release.secrets["SECRET_KEY_BASE"] in user_data


def test_a_pinned_reference_is_provided_in_the_version_it_names():
    # what the stack references is provided before the program runs: no apply needed to see it
    settings = variant("pinned-secrets")
    with Emulator(region=settings.region, stack="pinned") as emulator:
        provide_existing_resources(emulator, settings)
        ssm, secrets = emulator.session.client("ssm"), emulator.session.client("secretsmanager")
        assert ssm.get_parameter(Name="/shop/prod/secret-key-base:2")["Parameter"]["Version"] == 2
        salt = ssm.get_parameter(Name="/shop/prod/signing-salt:live")["Parameter"]
        assert salt["Name"] == "/shop/prod/signing-salt"
        shared = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/mailer-key"
        assert ssm.get_parameter(Name=shared, WithDecryption=True)["Parameter"]["Type"] == "SecureString"
        database = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
        previous = secrets.get_secret_value(SecretId=database, VersionStage="AWSPREVIOUS")["SecretString"]
        assert set(json.loads(previous)) == {"url"}
        partner = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:partners/api-GhIjKl"
        assert secrets.get_secret_value(SecretId=partner, VersionId=PINNED_SECRET_ID)["ARN"] == partner
