"""policies/rules/compute.py: IMDSv2, encrypted volumes, no wildcard actions in the node role and
secrets read only by name, inline or through an attached AWS managed policy."""

from __future__ import annotations

import json

import pytest

from tests.support.synthetic import add, change, cluster, findings, named, resource


@pytest.mark.parametrize(
    "rule",
    ["imdsv2-required", "encrypted-volumes", "node-role-no-wildcard-actions", "node-role-reads-only-named-secrets"],
)
def test_the_stack_shape_passes(rule):
    assert findings(cluster(), rule) == []


@pytest.mark.parametrize(
    "metadata",
    [{"httpEndpoint": "enabled", "httpTokens": "optional"}, {"httpEndpoint": "enabled"}, None],
)
def test_imds_v1_is_refused(metadata):
    document = change(cluster(), "template", metadataOptions=metadata)
    [violation] = findings(document, "imdsv2-required")
    assert violation.resource == "template" and "httpTokens" in violation.message


def test_a_template_without_metadata_service_passes():
    document = change(cluster(), "template", metadataOptions={"httpEndpoint": "disabled"})
    assert findings(document, "imdsv2-required") == []


def test_instances_need_imdsv2_too():
    document = add(cluster(), resource("aws:ec2/instance:Instance", "debug-box", {"instanceType": "t4g.nano"}))
    assert [v.resource for v in findings(document, "imdsv2-required")] == ["debug-box"]


@pytest.mark.parametrize("encrypted", ["false", False, None])
def test_an_unencrypted_root_volume_is_refused(encrypted):
    document = cluster()
    named(document, "template")["inputs"]["blockDeviceMappings"][0]["ebs"]["encrypted"] = encrypted
    [violation] = findings(document, "encrypted-volumes")
    assert "/dev/xvda" in violation.message and "ebs.encrypted" in violation.message


def test_a_template_without_block_devices_gets_the_amis_unencrypted_default():
    document = change(cluster(), "template", blockDeviceMappings=None)
    [violation] = findings(document, "encrypted-volumes")
    assert "no blockDeviceMappings" in violation.message


def test_volumes_and_instances_are_checked():
    document = add(
        cluster(),
        resource("aws:ebs/volume:Volume", "scratch", {"size": 10, "availabilityZone": "eu-west-1a"}),
        resource("aws:ebs/volume:Volume", "data", {"size": 10, "encrypted": True, "availabilityZone": "eu-west-1a"}),
        resource(
            "aws:ec2/instance:Instance",
            "box",
            {"rootBlockDevice": {"encrypted": True}, "metadataOptions": {"httpTokens": "required"}},
        ),
    )
    assert [v.resource for v in findings(document, "encrypted-volumes")] == ["scratch"]


def _with_statement(statement):
    document = cluster()
    boot = named(document, "boot")
    policy = json.loads(boot["inputs"]["policy"])
    policy["Statement"].append(statement)
    return change(document, "boot", policy=json.dumps(policy))


@pytest.mark.parametrize(
    ("action", "shown"),
    [("*", "allows *"), ("s3:*", "allows s3:*"), (["ssm:GetParameter", "ssm:*"], "allows ssm:*")],
)
def test_wildcard_actions_are_refused(action, shown):
    document = _with_statement({"Sid": "Careless", "Effect": "Allow", "Action": action, "Resource": "*"})
    [violation] = findings(document, "node-role-no-wildcard-actions")
    assert violation.resource == "boot" and f"Careless {shown}" in violation.message


def test_not_action_allows_are_refused_and_denies_pass():
    document = _with_statement({"Sid": "AllBut", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert len(findings(document, "node-role-no-wildcard-actions")) == 1
    document = _with_statement({"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    assert findings(document, "node-role-no-wildcard-actions") == []


def test_a_role_with_an_inline_wildcard_policy_is_refused():
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    document = add(
        cluster(),
        resource("aws:iam/role:Role", "role", {"inlinePolicies": [{"name": "admin", "policy": json.dumps(admin)}]}),
    )
    assert [v.resource for v in findings(document, "node-role-no-wildcard-actions")] == ["role"]


@pytest.mark.parametrize(("action", "violations"), [("s3:Get*", 0), ("s3:*", 1), ("*", 1)])
def test_a_prefix_wildcard_passes_where_a_whole_service_or_everything_does_not(action, violations):
    document = _with_statement({"Sid": "Read", "Effect": "Allow", "Action": action, "Resource": "*"})
    assert len(findings(document, "node-role-no-wildcard-actions")) == violations


@pytest.mark.parametrize(("endpoint", "tokens", "violations"), [("disabled", None, 0), ("enabled", None, 1)])
def test_imds_v1_matters_only_while_the_metadata_service_is_on(endpoint, tokens, violations):
    metadata = {"httpEndpoint": endpoint, **({"httpTokens": tokens} if tokens else {})}
    document = change(cluster(), "template", metadataOptions=metadata)
    assert len(findings(document, "imdsv2-required")) == violations


# --- AWS managed policies a role attaches, judged through policies/rules/managed_policies.py ------

WILDCARDS, SECRET_READS = "node-role-no-wildcard-actions", "node-role-reads-only-named-secrets"


def _attaching(*arns: str) -> dict:
    attachments = [
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"attach-{n}", {"role": "nodes", "policyArn": a})
        for n, a in enumerate(arns)
    ]
    return add(cluster(), *attachments)


@pytest.mark.parametrize(
    ("policy", "wildcard", "secret_reads"),
    [
        ("AdministratorAccess", "AdministratorAccess allows *", "AdministratorAccess allows ssm:GetParameter,"),
        (
            "PowerUserAccess",
            "PowerUserAccess allows everything but NotAction",
            "PowerUserAccess allows ssm:GetParameter,",
        ),
        (
            "AmazonSSMReadOnlyAccess",
            None,
            "AmazonSSMReadOnlyAccess allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath on *",
        ),
        (
            "AmazonSSMManagedInstanceCore",
            None,
            "AmazonSSMManagedInstanceCore allows ssm:GetParameter, ssm:GetParameters on *",
        ),
        (
            "CloudWatchAgentServerPolicy",
            None,
            "CloudWatchAgentServerPolicy allows ssm:GetParameter on arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*",
        ),
    ],
)
def test_an_attached_aws_managed_policy_is_judged_by_what_it_allows(policy, wildcard, secret_reads):
    document = _attaching(f"arn:aws:iam::aws:policy/{policy}")
    messages = [v.message for v in findings(document, WILDCARDS)]
    assert messages == ([] if wildcard is None else [messages[0]])
    assert wildcard is None or wildcard in messages[0]
    [violation] = findings(document, SECRET_READS)
    assert violation.resource == "attach-0" and secret_reads in violation.message


def test_a_role_resources_managed_policy_arns_are_judged_too():
    role = resource("aws:iam/role:Role", "role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
    document = add(cluster(), role)
    assert [v.resource for v in findings(document, WILDCARDS)] == ["role"]
    assert [v.resource for v in findings(document, SECRET_READS)] == ["role"]


@pytest.mark.parametrize(
    "arn", ["arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess", "arn:aws:iam::123456789012:policy/shop-debug"]
)
def test_a_managed_policy_the_pack_cannot_read_is_refused_saying_so(arn):
    [violation] = findings(_attaching(arn), WILDCARDS)
    assert f"attaches {arn}, which this pack cannot read" in violation.message
    assert findings(_attaching(arn), SECRET_READS) == []  # said once, by the rule that judges attachments


def test_the_packs_table_is_aws_managed_policies_as_aws_publishes_them():
    # moto ships AWS's managed policy documents: each statement the pack keeps is one of AWS's, at the version named
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    from policies.rules.managed_policies import MANAGED_POLICIES

    published = json.loads(aws_managed_policies_data)
    for name, (version, kept) in MANAGED_POLICIES.items():
        assert published[name]["DefaultVersionId"] == version, name
        statements = [{k: v for k, v in s.items()} for s in published[name]["Document"]["Statement"]]
        assert all(statement in statements for statement in kept), name


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ({"Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/k"}, None),
        (
            {"Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/*"},
            "Extra allows ssm:GetParameter on arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/*",
        ),
        ({"Action": "ssm:Get*", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/k"}, None),
        (
            {"Action": "ssm:Get*", "Resource": "*"},
            "Extra allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath on *",
        ),
        (
            {
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:eu-west-1:1:secret:db-??????",
            },
            "Extra allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:1:secret:db-??????",
        ),
        (
            {"Action": "secretsmanager:GetSecretValue", "NotResource": "arn:aws:secretsmanager:eu-west-1:1:secret:x"},
            "Extra allows secretsmanager:GetSecretValue on everything but NotResource",
        ),
        ({"NotAction": "ssm:*", "Resource": "*"}, "Extra allows secretsmanager:GetSecretValue"),
        ({"Action": ["kms:Decrypt"], "Resource": "arn:aws:kms:eu-west-1:123456789012:key/*"}, None),
        ({"Action": "s3:GetObject", "Resource": "*"}, None),
    ],
)
def test_secret_reads_only_on_named_resources_at_both_sides(statement, refused):
    document = _with_statement({"Sid": "Extra", "Effect": "Allow", **statement})
    messages = [v.message for v in findings(document, SECRET_READS)]
    assert messages == [] if refused is None else (len(messages) == 1 and refused in messages[0])


def test_a_denied_secret_read_passes_and_the_reads_are_configurable():
    document = _with_statement({"Sid": "NoReads", "Effect": "Deny", "Action": "ssm:*", "Resource": "*"})
    assert findings(document, SECRET_READS) == []
    document = _with_statement({"Sid": "Docs", "Effect": "Allow", "Action": "ssm:GetDocument", "Resource": "*"})
    assert findings(document, SECRET_READS) == []
    [violation] = findings(document, SECRET_READS, {SECRET_READS: {"secretReads": ["ssm:GetDocument"]}})
    assert "Docs allows ssm:GetDocument on *" in violation.message
