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
