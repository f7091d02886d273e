"""tools/verifier/aws.py: boto3 for verify, and what it says when AWS cannot be asked. (The exit
codes those messages come with are the command line's: tests/tools/test_verify.py.)"""

from __future__ import annotations

import pytest

from tests.support.groups import a_group
from tests.support.verify import refuse
from tools.emulator import Emulator
from tools.verifier.aws import Aws, Unreachable


def test_credentials_aws_refuses_are_reported_with_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse(monkeypatch, "GetCallerIdentity", code="InvalidClientTokenId")
    with pytest.raises(Unreachable) as refused:
        Aws("eu-west-1").probe()
    assert str(refused.value) == (
        "AWS refused the credentials at AWS region eu-west-1: InvalidClientTokenId: "
        "not authorized to perform GetCallerIdentity"
    )


def test_pages_reads_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(region="eu-west-1") as emulator:
        a_group(emulator.session.client, "blue", desired=0)
        a_group(emulator.session.client, "green", desired=0)
        monkeypatch.setenv("MOTO_ACCOUNT_ID", emulator.account_id)
        aws = Aws("eu-west-1")
        calls: list[str] = []
        aws.client("autoscaling").meta.events.register("before-call", lambda model, **_: calls.append(model.name))
        groups = aws.pages(
            "autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups", PaginationConfig={"PageSize": 1}
        )
        assert [g["AutoScalingGroupName"] for g in groups] == ["blue", "green"]
    assert calls == ["DescribeAutoScalingGroups", "DescribeAutoScalingGroups"], "one group a page"


def test_one_reading_asks_aws_once_per_request_and_decodes_a_repeat_as_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within one verify run a repeated call is answered from the first response; a call with other
    parameters, or after the run, asks again. IAM's policy documents arrive URL-encoded and botocore
    decodes them after the call: a repeat must read as a document too."""
    trust = '{"Version": "2012-10-17", "Statement": []}'
    with Emulator(region="eu-west-1") as emulator:
        emulator.session.client("iam").create_role(RoleName="nodes", AssumeRolePolicyDocument=trust)
        a_group(emulator.session.client, "blue", desired=0)
        monkeypatch.setenv("MOTO_ACCOUNT_ID", emulator.account_id)
        aws = Aws("eu-west-1")
        sent: list[str] = []
        for service in ("iam", "autoscaling"):
            aws.client(service).meta.events.register("before-send", lambda request, **_: sent.append(request.url))
        iam, autoscaling = aws.client("iam"), aws.client("autoscaling")
        with aws.one_reading():
            first = iam.get_role(RoleName="nodes")["Role"]
            first["RoleName"] = "changed by its reader"
            again = iam.get_role(RoleName="nodes")["Role"]
            autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["blue"])
            autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["green"])
        assert len(sent) == 3, "the second GetRole was not sent; the other group's describe was"
        assert (
            first["AssumeRolePolicyDocument"]
            == again["AssumeRolePolicyDocument"]
            == {
                "Version": "2012-10-17",
                "Statement": [],
            }
        )
        assert again["RoleName"] == "nodes", "each answer is a copy of its own"
        iam.get_role(RoleName="nodes")
        assert len(sent) == 4, "outside the reading every call asks"
