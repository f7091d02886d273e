"""The ReleaseCookie: generated, stored as an SSM SecureString under its own KMS key, and
nowhere else — not in user data, not in any other resource, not in an export; in place before
the first node starts; and under the URNs it had when the NodeGroup declared it.

Run: `.venv/bin/python -m pytest --tb=native -q tests/components/test_release_cookie.py`
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.urns import children_of, formerly_in_the_node_group

PARAMETER = "aws:ssm/parameter:Parameter"
PASSWORD = "random:index/randomPassword:RandomPassword"
RELEASE_COOKIE = "elixir-cluster:index:ReleaseCookie"


@pytest.fixture(params=["dev", "prod"])
def stack(request, shipped):
    return shipped(request.param)


def cookie_of(applied):
    """The cookie as a node reads it at start."""
    ssm = applied.client("ssm")
    return ssm.get_parameter(Name=applied.outputs["cookieParameterName"], WithDecryption=True)["Parameter"]


def test_the_cookie_parameter_is_the_configured_secure_string_and_decrypts(stack):
    assert stack.outputs["cookieParameterName"] == stack.settings.release.cookie_parameter
    parameter = cookie_of(stack)
    assert parameter["Type"] == "SecureString"
    cookie = parameter["Value"]
    assert len(cookie) == 64 and cookie.isalnum()  # an atom that needs no quoting anywhere
    ciphertext = stack.client("ssm").get_parameter(Name=parameter["Name"], WithDecryption=False)["Parameter"]
    assert ciphertext["Value"] != cookie


def test_the_cookie_has_a_key_of_its_own_that_rotates(stack):
    ssm, kms = stack.client("ssm"), stack.client("kms")
    name = stack.outputs["cookieParameterName"]
    key_id = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]["KeyId"]
    key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    decrypt = [
        statement
        for document in _node_policy_documents(stack)
        for statement in document["Statement"]
        if "kms:Decrypt" in statement["Action"]
    ]
    # the one statement that decrypts for the cookie's parameter names the cookie's key, and only it
    parameter_arn = cookie_of(stack)["ARN"]
    [cookie] = [s for s in decrypt if parameter_arn in json.dumps(s["Condition"])]
    assert cookie["Resource"] == key["Arn"]


def test_the_cookie_is_a_secret_in_pulumis_state_and_preview(stack):
    (parameter,) = stack.deployment.of_type(PARAMETER)
    (password,) = stack.deployment.of_type(PASSWORD)
    assert parameter.inputs["value"] == "[secret]"
    assert password.outputs["result"] == "[secret]"
    assert cookie_of(stack)["Value"] not in json.dumps(stack.deployment.to_json(), default=str)


def test_the_cookie_reaches_only_the_parameter_and_no_export(stack):
    cookie = cookie_of(stack)["Value"]
    inputs_with_it = {
        (record.type, key)
        for record in stack.deployment.resources
        for key, value in record.unmasked_inputs.items()
        if cookie in json.dumps(value, default=str)
    }
    outputs_with_it = {
        (record.type, key)
        for record in stack.deployment.resources
        for key, value in record.unmasked_outputs.items()
        if cookie in json.dumps(value, default=str)
    }
    assert inputs_with_it == {(PARAMETER, "value")}
    # the generator's own result, and the parameter reporting its value back
    assert outputs_with_it == {(PASSWORD, "result"), (PARAMETER, "value")}
    assert not [name for name, value in stack.outputs.items() if cookie in json.dumps(value, default=str)]


def test_nodes_are_told_where_the_cookie_is_never_what_it_is(stack):
    (template,) = stack.deployment.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    user_data = base64.b64decode(template.unmasked_inputs["userData"]).decode()
    assert stack.settings.release.cookie_parameter in user_data
    assert cookie_of(stack)["Value"] not in user_data


def test_the_cookie_exists_before_the_first_node_starts(stack):
    (parameter,) = stack.deployment.of_type(PARAMETER)
    (group,) = stack.deployment.of_type("aws:autoscaling/group:Group")
    assert parameter.urn in group.dependencies


def test_the_cookie_keeps_its_urns_from_when_the_node_group_declared_it(stack):
    # without them `pulumi up` on an older stack would make a new cookie (every node restarts
    # into a cluster it cannot join) and a new key
    children = children_of(stack.deployment, RELEASE_COOKIE)
    expected = {
        "shop-nodes-cookie-value": PASSWORD,
        "shop-nodes-cookie-key": "aws:kms/key:Key",
        "shop-nodes-cookie": PARAMETER,
    }
    stack_name = stack.settings.stack
    assert {r.name: r.aliases for r in children} == {
        name: [formerly_in_the_node_group(stack_name, type_, name)] for name, type_ in expected.items()
    }


def _node_policy_documents(applied):
    return [json.loads(r.inputs["policy"]) for r in applied.deployment.of_type("aws:iam/rolePolicy:RolePolicy")]
