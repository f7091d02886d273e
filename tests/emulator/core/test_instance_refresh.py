"""Instance refreshes in the emulated AWS (tools/emulator/core/instance_refresh.py), through boto3 as
a caller sees them: StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh,
RollbackInstanceRefresh, their states, AWS's defaults and refusals, in-process and through this
project's moto server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.autoscaling.models import autoscaling_backends

from tests.support.groups import a_group
from tools.emulator import Emulator, server
from tools.emulator.core import instance_refresh

REGION = "eu-west-1"


@pytest.fixture
def autoscaling(aws: Callable[[str], Any]) -> Any:
    a_group(aws, "nodes", desired=2)
    return aws("autoscaling")


def _refreshes(autoscaling: Any, **kwargs: Any) -> list[dict[str, Any]]:
    return autoscaling.describe_instance_refreshes(AutoScalingGroupName="nodes", **kwargs)["InstanceRefreshes"]


def _refused(call: Callable[..., Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    return refused.value.response["Error"]


def test_a_group_has_no_refresh_until_one_starts(autoscaling):
    assert _refreshes(autoscaling) == []


def test_a_started_refresh_is_pending_with_the_preferences_given_and_aws_defaults_for_the_rest(autoscaling):
    started = autoscaling.start_instance_refresh(
        AutoScalingGroupName="nodes",
        Strategy="Rolling",
        Preferences={"MinHealthyPercentage": 75, "MaxHealthyPercentage": 150, "InstanceWarmup": 60},
    )
    (refresh,) = _refreshes(autoscaling)
    assert refresh["InstanceRefreshId"] == started["InstanceRefreshId"]
    assert (refresh["AutoScalingGroupName"], refresh["Status"], refresh["Strategy"]) == ("nodes", "Pending", "Rolling")
    assert (refresh["PercentageComplete"], refresh["InstancesToUpdate"]) == (0, 2)
    assert refresh["Preferences"] == {
        "MinHealthyPercentage": 75,
        "MaxHealthyPercentage": 150,
        "InstanceWarmup": 60,
        "SkipMatching": False,
        "AutoRollback": False,
        "ScaleInProtectedInstances": "Ignore",
        "StandbyInstances": "Ignore",
    }
    assert "StartTime" in refresh and "EndTime" not in refresh


def test_without_preferences_a_refresh_keeps_ninety_percent_in_service(autoscaling):
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")
    (refresh,) = _refreshes(autoscaling)
    assert (refresh["Strategy"], refresh["Preferences"]["MinHealthyPercentage"]) == ("Rolling", 90)


def test_a_second_refresh_is_refused_while_the_first_is_active(autoscaling):
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")
    error = _refused(autoscaling.start_instance_refresh, AutoScalingGroupName="nodes")
    assert {key: error[key] for key in ("Code", "Message", "Type")} == {
        "Code": "InstanceRefreshInProgress",
        "Message": "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
        "Type": "Sender",
    }
    with pytest.raises(autoscaling.exceptions.InstanceRefreshInProgressFault):  # as boto3 names it
        autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")


def test_a_cancel_ends_the_active_refresh_and_frees_the_group_for_another(autoscaling):
    first = autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")["InstanceRefreshId"]
    assert autoscaling.cancel_instance_refresh(AutoScalingGroupName="nodes")["InstanceRefreshId"] == first
    (cancelled,) = _refreshes(autoscaling)
    assert cancelled["Status"] == "Cancelled" and "EndTime" in cancelled
    error = _refused(autoscaling.cancel_instance_refresh, AutoScalingGroupName="nodes")
    assert error["Code"] == "ActiveInstanceRefreshNotFound"
    assert "nodes" in error["Message"]
    second = autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")["InstanceRefreshId"]
    assert [r["InstanceRefreshId"] for r in _refreshes(autoscaling)] == [second, first]  # newest first


def test_nothing_to_cancel_on_a_group_without_refreshes(autoscaling):
    assert _refused(autoscaling.cancel_instance_refresh, AutoScalingGroupName="nodes")["Code"] == (
        "ActiveInstanceRefreshNotFound"
    )


@pytest.mark.parametrize(
    "preferences",
    [
        {"MinHealthyPercentage": 101},
        {"MinHealthyPercentage": 90, "MaxHealthyPercentage": 201},
        {"MaxHealthyPercentage": 150},  # without MinHealthyPercentage
        {"MinHealthyPercentage": 49, "MaxHealthyPercentage": 150},  # 101 apart
        {"CheckpointDelay": 300},  # without CheckpointPercentages
        {"CheckpointPercentages": [50, 20, 100]},
        {"CheckpointPercentages": [50, 50, 100]},
    ],
)
def test_preferences_aws_refuses_are_refused(autoscaling, preferences):
    error = _refused(autoscaling.start_instance_refresh, AutoScalingGroupName="nodes", Preferences=preferences)
    assert error["Code"] == "ValidationError"
    assert _refreshes(autoscaling) == []


@pytest.mark.parametrize(
    "preferences",
    [
        {"MinHealthyPercentage": 0},
        {"MinHealthyPercentage": 100, "MaxHealthyPercentage": 200},
        {"MinHealthyPercentage": 50, "MaxHealthyPercentage": 150},  # exactly 100 apart
        {"CheckpointPercentages": [20, 50, 100], "CheckpointDelay": 300},
    ],
)
def test_preferences_at_awss_limits_are_accepted(autoscaling, preferences):
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes", Preferences=preferences)
    (refresh,) = _refreshes(autoscaling)
    assert refresh["Preferences"].items() >= preferences.items()


def test_an_unknown_strategy_is_refused(autoscaling):
    assert _refused(autoscaling.start_instance_refresh, AutoScalingGroupName="nodes", Strategy="AllAtOnce")["Code"] == (
        "ValidationError"
    )


def test_a_group_that_does_not_exist_is_a_validation_error(aws):
    autoscaling = aws("autoscaling")
    for call in (
        autoscaling.start_instance_refresh,
        autoscaling.describe_instance_refreshes,
        autoscaling.cancel_instance_refresh,
        autoscaling.rollback_instance_refresh,
    ):
        assert _refused(call, AutoScalingGroupName="nowhere")["Code"] == "ValidationError"


def test_refreshes_are_listed_newest_first_a_page_at_a_time(autoscaling):
    started = []
    for _ in range(3):
        started.append(autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")["InstanceRefreshId"])
        autoscaling.cancel_instance_refresh(AutoScalingGroupName="nodes")
    first_page = autoscaling.describe_instance_refreshes(AutoScalingGroupName="nodes", MaxRecords=2)
    assert [r["InstanceRefreshId"] for r in first_page["InstanceRefreshes"]] == started[:0:-1]
    rest = autoscaling.describe_instance_refreshes(
        AutoScalingGroupName="nodes", MaxRecords=2, NextToken=first_page["NextToken"]
    )
    assert [r["InstanceRefreshId"] for r in rest["InstanceRefreshes"]] == started[:1]
    assert "NextToken" not in rest
    wanted = _refreshes(autoscaling, InstanceRefreshIds=[started[1]])
    assert [r["InstanceRefreshId"] for r in wanted] == [started[1]]
    assert _refused(autoscaling.describe_instance_refreshes, AutoScalingGroupName="nodes", NextToken="x")["Code"] == (
        "InvalidNextToken"
    )


def test_a_driver_moves_a_refresh_on_to_success(emulator: Emulator, autoscaling):
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")
    backend = autoscaling_backends[emulator.account_id][REGION]
    (refresh,) = instance_refresh.refreshes(backend, "nodes")
    refresh.move_to("InProgress", "Waiting for instances to warm up before continuing.")
    assert _refreshes(autoscaling)[0]["StatusReason"] == "Waiting for instances to warm up before continuing."
    refresh.move_to("Successful")
    (done,) = _refreshes(autoscaling)
    assert (done["Status"], done["PercentageComplete"], done["InstancesToUpdate"]) == ("Successful", 100, 0)
    assert "EndTime" in done
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")  # a finished refresh blocks nothing


# --- rollback (API_RollbackInstanceRefresh.html) -------------------------------------------------

DESIRED = {"LaunchTemplate": {"LaunchTemplateName": "nodes-template", "Version": "1"}}


def test_a_rollback_takes_the_active_refresh_back_and_a_driver_finishes_it(emulator: Emulator, autoscaling):
    started = autoscaling.start_instance_refresh(AutoScalingGroupName="nodes", DesiredConfiguration=DESIRED)
    backend = autoscaling_backends[emulator.account_id][REGION]
    (refresh,) = instance_refresh.refreshes(backend, "nodes")
    refresh.move_to("InProgress")
    refresh.percentage_complete = 50  # one of the two nodes replaced so far
    rolled = autoscaling.rollback_instance_refresh(AutoScalingGroupName="nodes")
    assert rolled["InstanceRefreshId"] == started["InstanceRefreshId"]  # the same refresh, rolling back
    (rolling,) = _refreshes(autoscaling)
    assert rolling["Status"] == "RollbackInProgress"
    details = rolling["RollbackDetails"]
    assert (details["RollbackReason"], details["PercentageCompleteOnRollback"]) == ("Rollback requested by user", 0)
    assert details["InstancesToUpdateOnRollback"] == 1
    assert "RollbackStartTime" in details
    assert _refused(autoscaling.start_instance_refresh, AutoScalingGroupName="nodes")["Code"] == (
        "InstanceRefreshInProgress"
    )  # a rollback in progress is still active
    refresh.move_to("RollbackSuccessful")
    assert "EndTime" in _refreshes(autoscaling)[0]
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")


def test_without_a_desired_configuration_a_refresh_cannot_roll_back(autoscaling):
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes")
    error = _refused(autoscaling.rollback_instance_refresh, AutoScalingGroupName="nodes")
    assert error["Code"] == "IrreversibleInstanceRefresh"
    assert "desired configuration was not found" in error["Message"]
    assert _refreshes(autoscaling)[0]["Status"] == "Pending"  # untouched


def test_nothing_to_roll_back_without_an_active_refresh(autoscaling):
    error = _refused(autoscaling.rollback_instance_refresh, AutoScalingGroupName="nodes")
    assert error["Code"] == "ActiveInstanceRefreshNotFound"
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes", DesiredConfiguration=DESIRED)
    autoscaling.cancel_instance_refresh(AutoScalingGroupName="nodes")
    assert _refused(autoscaling.rollback_instance_refresh, AutoScalingGroupName="nodes")["Code"] == (
        "ActiveInstanceRefreshNotFound"
    )


@pytest.mark.parametrize("moving", ["$Latest", "$Default"])
def test_a_group_on_latest_or_default_cannot_roll_back(autoscaling, moving):
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName="nodes", LaunchTemplate={"LaunchTemplateName": "nodes-template", "Version": moving}
    )
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes", DesiredConfiguration=DESIRED)
    assert _refused(autoscaling.rollback_instance_refresh, AutoScalingGroupName="nodes")["Code"] == (
        "IrreversibleInstanceRefresh"
    )


def test_a_group_whose_image_is_an_ssm_parameter_cannot_roll_back(aws, autoscaling):
    """This stack's case: its AMI is `resolve:ssm:...`, so AWS refuses its rollbacks (issue 22)."""
    aws("ec2").create_launch_template_version(
        LaunchTemplateName="nodes-template",
        LaunchTemplateData={
            "ImageId": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023",
            "InstanceType": "t4g.small",
        },
    )
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName="nodes",
        DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateName": "nodes-template", "Version": "2"},
    )
    autoscaling.start_instance_refresh(AutoScalingGroupName="nodes", DesiredConfiguration=DESIRED)
    assert _refused(autoscaling.rollback_instance_refresh, AutoScalingGroupName="nodes")["Code"] == (
        "IrreversibleInstanceRefresh"
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    moto, url = server.start()
    yield url
    moto.stop()


def test_this_projects_moto_server_serves_instance_refreshes(endpoint: str) -> None:
    def client(service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    a_group(client, "served", desired=1)
    autoscaling = client("autoscaling")
    started = autoscaling.start_instance_refresh(
        AutoScalingGroupName="served", Preferences={"MinHealthyPercentage": 100, "MaxHealthyPercentage": 110}
    )
    (refresh,) = autoscaling.describe_instance_refreshes(AutoScalingGroupName="served")["InstanceRefreshes"]
    assert refresh["InstanceRefreshId"] == started["InstanceRefreshId"]
    assert (refresh["Status"], refresh["Preferences"]["MaxHealthyPercentage"]) == ("Pending", 110)
    assert _refused(autoscaling.start_instance_refresh, AutoScalingGroupName="served")["Code"] == (
        "InstanceRefreshInProgress"
    )
