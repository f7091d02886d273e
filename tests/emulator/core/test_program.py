"""tools/emulator/core/program.py and what it runs on (the mocks, the registry, the session): records,
outputs, secrets, failures, and accounts kept apart."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from tools.emulator import (
    SECRET_MASK,
    Emulator,
    EmulatorError,
    ProgramFailed,
    ResourceRecord,
    StackConfig,
    UnsupportedType,
)
from tools.emulator.core.program import in_dependency_order


def test_an_unknown_aws_type_is_an_error_not_an_echo(run):
    with pytest.raises(UnsupportedType, match="aws:cloudfront/distribution:Distribution"):
        run(
            """
            aws.cloudfront.Distribution("cdn", enabled=True, origins=[], default_cache_behavior={
                "allowed_methods": ["GET"], "cached_methods": ["GET"], "target_origin_id": "x",
                "viewer_protocol_policy": "allow-all"}, restrictions={"geo_restriction": {"restriction_type": "none"}},
                viewer_certificate={"cloudfront_default_certificate": True})
            """
        )


def test_an_unknown_invoke_is_an_error(run):
    with pytest.raises(UnsupportedType, match="getAmi"):
        run('aws.ec2.get_ami(most_recent=True, owners=["amazon"])\n')


def test_aws_refusals_name_the_resource(run):
    with pytest.raises(EmulatorError, match=r"aws:ec2/vpc:Vpc 'too-big': InvalidVpc.Range"):
        run('aws.ec2.Vpc("too-big", cidr_block="10.0.0.0/8")\n')


def test_program_exceptions_keep_their_cause(run):
    with pytest.raises(ProgramFailed) as failure:
        run('raise ValueError("bad idea")\n')
    assert isinstance(failure.value.cause, ValueError)


def test_records_keep_parents_and_ids_from_moto(run, aws):
    deployment = run(
        """
        class Box(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("probe:index:Box", name)
                child = pulumi.ResourceOptions(parent=self)
                self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.1.0.0/16", opts=child)
                self.register_outputs({})
        box = Box("box")
        pulumi.export("vpcId", box.vpc.id)
        """
    )
    component, vpc = deployment.named("box"), deployment.named("box-vpc")
    assert vpc.parent == component.urn
    assert component.id is None
    assert aws("ec2").describe_vpcs(VpcIds=[vpc.id])["Vpcs"][0]["CidrBlock"] == "10.1.0.0/16"
    assert deployment.outputs["vpcId"] == vpc.id


def test_secrets_are_masked_in_inputs_outputs_and_exports(run):
    deployment = run(
        """
        password = random.RandomPassword("cookie", length=32, special=False)
        pulumi.export("cookie", password.result)
        pulumi.export("literal", pulumi.Output.secret("hunter2"))
        """
    )
    document = deployment.to_json()
    assert document["outputs"] == {"cookie": SECRET_MASK, "literal": SECRET_MASK}
    record = deployment.named("cookie")
    assert record.outputs["result"] == SECRET_MASK
    assert len(deployment.outputs["cookie"]) == 32  # the program itself sees the real value
    assert "hunter2" not in str(document)


def test_each_emulator_starts_from_an_empty_account_of_its_own():
    with Emulator(region="eu-west-1") as first:
        first.session.client("ec2").create_vpc(CidrBlock="10.7.0.0/16")
        with Emulator(region="eu-west-1") as second:  # the first one's account stays as it was
            cidrs = [v["CidrBlock"] for v in second.session.client("ec2").describe_vpcs()["Vpcs"]]
        assert "10.7.0.0/16" not in cidrs
        assert "10.7.0.0/16" in [v["CidrBlock"] for v in first.session.client("ec2").describe_vpcs()["Vpcs"]]
    assert first.account_id != second.account_id
    assert second.session.client("sts").get_caller_identity()["Account"] == second.account_id


def test_an_emulator_can_be_given_its_account():
    with Emulator(region="eu-west-1", account_id="210987654321") as emulator:
        vpc = emulator.session.client("ec2").create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == "210987654321"


def test_a_bucket_name_is_free_again_once_its_account_is_gone():
    """Bucket names are global (AWS and moto alike); an account the emulator forgets must free its
    names, or the next account that makes the same bucket sends moto looking for it forever."""
    bucket = "probe-freed-bucket"  # no stack's: the session's applied stacks keep theirs (shop-flow-logs)
    for _ in range(2):
        with Emulator(region="eu-west-1") as emulator:
            s3 = emulator.session.client("s3")
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_config_reaches_the_program_as_pulumi_config(run):
    deployment = run(
        """
        settings = pulumi.Config("probe").require_object("settings")
        pulumi.export("size", settings["size"])
        pulumi.export("region", pulumi.Config("aws").require("region"))
        """,
        config={"probe:settings": '{"size": 3}'},
    )
    assert deployment.outputs == {"size": 3, "region": "eu-west-1"}


def test_records_keep_ignore_changes_without_changing_the_json_shape(run):
    deployment = run(
        """
        aws.ec2.Vpc("kept", cidr_block="10.2.0.0/16", opts=pulumi.ResourceOptions(ignore_changes=["cidrBlock"]))
        aws.ec2.Vpc("plain", cidr_block="10.3.0.0/16")
        """
    )
    assert deployment.named("kept").ignore_changes == ["cidrBlock"]
    assert deployment.named("plain").ignore_changes == []
    assert set(deployment.named("kept").to_json()) == {"urn", "type", "name", "parent", "id", "inputs", "outputs"}


def test_unmasked_records_show_where_a_secret_went_and_json_still_masks_it(run):
    deployment = run(
        """
        password = random.RandomPassword("cookie", length=24, special=False)
        aws.ssm.Parameter("holder", name="/probe/holder", type="SecureString", value=password.result)
        """
    )
    value = deployment.named("cookie").unmasked_outputs["result"]
    assert deployment.named("holder").unmasked_inputs["value"] == value
    assert value not in str(deployment.to_json())


# --- the same program, the same document ------------------------------------------------------

GROUPS_AND_RULES = """
vpc = aws.ec2.Vpc("net", cidr_block="10.3.0.0/16")
for index in range(8):
    group = aws.ec2.SecurityGroup(f"group-{index}", vpc_id=vpc.id, description="probe")
    aws.vpc.SecurityGroupIngressRule(
        f"epmd-{index}", security_group_id=group.id, ip_protocol="tcp", from_port=4369, to_port=4369,
        referenced_security_group_id=group.id,
    )
pulumi.export("vpcId", vpc.id)
"""
"""Sixteen resources the mock runtime registers from its threads as their inputs resolve."""


def _repeatable_run(program_dir: Path, config: StackConfig) -> dict:
    with Emulator(region="eu-west-1", stack="test", repeatable=True) as emulator:
        return emulator.run(program_dir, config).to_json()


def test_a_repeatable_run_gives_the_same_ids_account_and_order_every_time(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\nimport pulumi_aws as aws\n" + GROUPS_AND_RULES)
    config = StackConfig(project="probe", stack="test", config={"aws:region": "eu-west-1"})
    first, second = _repeatable_run(tmp_path, config), _repeatable_run(tmp_path, config)
    assert first == second
    ids = [resource["id"] for resource in first["resources"]]
    assert len(set(ids)) == len(ids) and ids[0].startswith("vpc-"), "moto's ids, each its own"
    arns = [r["outputs"]["arn"] for r in first["resources"] if r["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    assert len({arn.split(":")[4] for arn in arns}) == 1, "one account"
    names = [resource["name"] for resource in first["resources"]]
    assert names.index("net") < names.index("group-0") < names.index("epmd-0"), "each after what it depends on"
    with Emulator(region="eu-west-1", stack="test") as fresh:  # another account: other ids
        assert fresh.run(tmp_path, config).outputs["vpcId"] != first["outputs"]["vpcId"]


def test_whole_numbers_print_as_integers(run):
    deployment = run(
        """
        vpc = aws.ec2.Vpc("net", cidr_block="10.4.0.0/16")
        group = aws.ec2.SecurityGroup("nodes", vpc_id=vpc.id, description="probe")
        aws.vpc.SecurityGroupIngressRule("epmd", security_group_id=group.id, ip_protocol="tcp", from_port=4369,
            to_port=4369, cidr_ipv4="10.4.0.0/16")
        """
    )
    rule = deployment.named("epmd")
    assert rule.inputs["fromPort"] == 4369.0 and isinstance(rule.inputs["fromPort"], float), "as the wire has it"
    printed = next(r for r in deployment.to_json()["resources"] if r["name"] == "epmd")
    assert json.dumps([printed["inputs"]["fromPort"], printed["outputs"]["toPort"]]) == "[4369, 4369]"


def test_records_come_in_dependency_order_ties_by_urn():
    def record(name: str, parent: str | None = None, dependencies: tuple[str, ...] = ()) -> ResourceRecord:
        return ResourceRecord(f"urn:{name}", "t", name, parent, None, {}, {}, True, list(dependencies))

    registered = [
        record("c", dependencies=("urn:b",)),
        record("b", parent="urn:a"),
        record("z"),
        record("a"),
        record("d", parent="urn:a", dependencies=("urn:gone",)),  # a dependency the run does not hold
    ]
    assert [r.name for r in in_dependency_order(registered)] == ["a", "b", "c", "d", "z"]


TWO_ROLES = """
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "ec2.amazonaws.com"}}]})
before = aws.iam.Role("BEFORE", assume_role_policy=trust)
after = aws.iam.Role("AFTER", assume_role_policy=trust, opts=pulumi.ResourceOptions(depends_on=[before]))
pulumi.export("ids", {"BEFORE": before.unique_id, "AFTER": after.unique_id})
"""


def _two_roles(tmp_path: Path, before: str, after: str) -> dict[str, str]:
    """The ids of two roles, `before` created first, `after` once it exists."""
    program = TWO_ROLES.replace("BEFORE", before).replace("AFTER", after)
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import json\nimport pulumi\nimport pulumi_aws as aws\n" + program)
    config = StackConfig(project="probe", stack="test", config={"aws:region": "eu-west-1"})
    return _repeatable_run(tmp_path, config)["outputs"]["ids"]


def test_a_repeatable_runs_role_ids_do_not_follow_which_role_came_first(tmp_path):
    """moto starts IAM at the account's first IAM call, drawing ids as it does: a repeatable run
    starts it before the program, so the thread that reaches IAM first changes nothing."""
    first_first = _two_roles(tmp_path, "first", "second")
    second_first = _two_roles(tmp_path, "second", "first")
    assert first_first == second_first
    assert all(role_id.startswith("AROA") for role_id in first_first.values()), "as AWS's role ids"


def test_a_run_leaves_no_file_open(run):
    """The mock runtime awaits on its executor's threads, and Pulumi gives each such thread an event
    loop it never closes (a self-pipe's two sockets and an epoll descriptor): the run closes them.
    With the collector off, as in the suite, a loop left behind stays open."""
    descriptors = Path("/proc/self/fd")
    if not descriptors.is_dir():
        pytest.skip("counts open files through Linux's /proc")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        run('aws.ec2.Vpc("warm", cidr_block="10.1.0.0/16")\n')
        before = len(list(descriptors.iterdir()))
        for n in range(3):
            run(f'aws.ec2.Vpc("vpc-{n}", cidr_block="10.1.0.0/16")\n')
        assert len(list(descriptors.iterdir())) <= before
    finally:
        if was_enabled:
            gc.enable()
