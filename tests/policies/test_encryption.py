"""policies/rules/encryption.py: every KMS key rotates and has an explicit policy open to no one at large."""

from __future__ import annotations

import copy
import json

import pytest

from tests.support.synthetic import add, cluster, findings, resource

ROOT = "arn:aws:iam::123456789012:root"
ADMINISTER = {
    "Sid": "AccountAdministersTheKey",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}
LOGS = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:x"}
    },
}


def key(name: str = "key", *statements: dict, **inputs) -> dict:
    props = {"enableKeyRotation": True, "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}
    return resource("aws:kms/key:Key", name, {**props, **inputs}, "0f0e0d0c-0b0a-4090-8070-605040302010")


@pytest.mark.parametrize("rule", ["kms-key-rotation", "kms-key-policy"])
def test_a_key_as_the_stack_declares_it_passes(rule):
    assert findings(add(cluster(), key("key", ADMINISTER, LOGS)), rule) == []


def test_a_key_that_does_not_rotate_is_refused():
    [violation] = findings(add(cluster(), key("key", ADMINISTER, enableKeyRotation=False)), "kms-key-rotation")
    assert violation.resource == "key"
    assert "enable_key_rotation=True" in violation.message


def test_an_asymmetric_key_which_aws_cannot_rotate_is_not_asked_to():
    signing = key(
        "signing", ADMINISTER, enableKeyRotation=False, customerMasterKeySpec="RSA_2048", keyUsage="SIGN_VERIFY"
    )
    assert findings(add(cluster(), signing), "kms-key-rotation") == []


def test_a_key_without_an_explicit_policy_is_refused():
    record = key("key")
    del record["inputs"]["policy"], record["outputs"]["policy"]
    [violation] = findings(add(cluster(), record), "kms-key-policy")
    assert "no explicit key policy" in violation.message
    assert "components/plans/encryption.py" in violation.message


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": [ROOT, "*"]}])
def test_a_statement_open_to_any_principal_is_refused(principal):
    anyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
    [violation] = findings(add(cluster(), key("key", ADMINISTER, anyone)), "kms-key-policy")
    assert 'Anyone allows any principal ("*")' in violation.message


def test_a_deny_naming_every_principal_is_no_opening():
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "kms:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert findings(add(cluster(), key("key", ADMINISTER, deny)), "kms-key-policy") == []


def test_administering_the_key_is_for_the_account_root_only():
    deployer = {
        "Sid": "Deployer",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},
        "Action": "kms:*",
        "Resource": "*",
    }
    [violation] = findings(add(cluster(), key("key", ADMINISTER, deployer)), "kms-key-policy")
    assert "Deployer grants kms:* to arn:aws:iam::123456789012:role/ci" in violation.message


# --- on what the program builds ---------------------------------------------------------------


def test_every_prod_key_rotates_and_has_a_policy_the_rules_accept(prod):
    document = prod.deployment.to_json()
    keys = [r for r in document["resources"] if r["type"] == "aws:kms/key:Key"]
    assert len(keys) == 4  # the cookie's, the alert topic's, the flow log group's, the WAF log group's
    assert findings(document, "kms-key-rotation") == findings(document, "kms-key-policy") == []


def test_prod_with_the_cookie_keys_policy_removed_fails_the_pack(prod):
    document = copy.deepcopy(prod.deployment.to_json())
    [cookie_key] = [r for r in document["resources"] if r["name"] == "shop-nodes-cookie-key"]
    for state in (cookie_key["inputs"], cookie_key["outputs"]):
        state.pop("policy")
    assert [v.resource for v in findings(document, "kms-key-policy")] == ["shop-nodes-cookie-key"]


@pytest.mark.parametrize(("action", "violations"), [("kms:Decrypt", 0), (["kms:Decrypt", "kms:*"], 1), ("*", 1)])
def test_a_principal_other_than_the_root_may_use_the_key_but_not_administer_it(action, violations):
    ci = {"Sid": "Ci", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"}}
    statement = {**ci, "Action": action, "Resource": "*"}
    assert len(findings(add(cluster(), key("key", ADMINISTER, statement)), "kms-key-policy")) == violations


@pytest.mark.parametrize(("spec", "violations"), [("RSA_2048", 0), ("SYMMETRIC_DEFAULT", 1)])
def test_only_a_symmetric_key_that_does_not_rotate_is_refused(spec, violations):
    record = key("key", ADMINISTER, enableKeyRotation=False, customerMasterKeySpec=spec)
    assert len(findings(add(cluster(), record), "kms-key-rotation")) == violations
