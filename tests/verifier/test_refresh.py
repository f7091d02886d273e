"""tools/verifier/checks/refresh.py against the node group's plan: the latest refresh's preferences
(each tamper a refresh started by hand, failing refresh.preferences and no other), how the latest
refresh ended (Failed and Cancelled fail with AWS's reason, one still running warns), and the nodes
left on another launch template version (warned, by name).

On prod, whose refresh has every preference the stack decides: a canary at 8%, ten minutes after
it, the 5xx and unhealthy-host alarms. Expected details are AWS's values and the stack file's,
written out. How a refresh ends is AWS's doing, not an operator's: the emulator's refresh is moved
on directly (tools/emulator/core/instance_refresh.py's `move_to`, as its driver does).
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.autoscaling.models import autoscaling_backends

from tests.support.aws_state import group_of
from tests.support.stacks import Applied, Deploy
from tests.support.verify import Change, Tamper, findings, walk
from tools.emulator.core.instance_refresh import refreshes
from tools.verifier.findings import Status

PROD_PREFERENCES: dict[str, Any] = {
    "MinHealthyPercentage": 90,
    "MaxHealthyPercentage": 110,
    "InstanceWarmup": 120,
    "CheckpointPercentages": [8, 100],
    "CheckpointDelay": 600,
    "AlarmSpecification": {"Alarms": ["shop-prod-5xx-rate", "shop-prod-unhealthy-hosts"]},
    "SkipMatching": True,
    "ScaleInProtectedInstances": "Ignore",
    "StandbyInstances": "Ignore",
}
"""What the provider sends for prod's stack file (StartInstanceRefresh's Preferences)."""


def start_refresh(env: Applied, preferences: dict[str, Any]) -> str:
    """StartInstanceRefresh, cancelling the active one first (as the provider does)."""
    autoscaling, group = env.client("autoscaling"), env.outputs["autoScalingGroupName"]
    active = autoscaling.describe_instance_refreshes(AutoScalingGroupName=group)["InstanceRefreshes"]
    if active and active[0]["Status"] in ("Pending", "InProgress"):
        autoscaling.cancel_instance_refresh(AutoScalingGroupName=group)
    started = autoscaling.start_instance_refresh(
        AutoScalingGroupName=group, Strategy="Rolling", Preferences=preferences
    )
    return started["InstanceRefreshId"]


def refresh_by_hand(**change: Any) -> Change:
    """`aws autoscaling start-instance-refresh` with prod's preferences, `change` applied (None: left out)."""

    def tamper(env: Applied) -> None:
        preferences = {key: value for key, value in {**PROD_PREFERENCES, **change}.items() if value is not None}
        start_refresh(env, preferences)

    tamper.__name__ = "refresh_by_hand_" + "_".join(change)
    return tamper


TAMPERS = [
    Tamper(
        refresh_by_hand(MinHealthyPercentage=50),
        "refresh.preferences",
        "Preferences.MinHealthyPercentage 50, declared 90",
    ),
    Tamper(
        refresh_by_hand(CheckpointPercentages=None, CheckpointDelay=None),
        "refresh.preferences",
        "Preferences.CheckpointPercentages None, declared [8, 100]; Preferences.CheckpointDelay None, declared 600",
    ),
    Tamper(
        refresh_by_hand(AlarmSpecification=None),
        "refresh.preferences",
        "Preferences.AlarmSpecification None, declared {'Alarms': ['shop-prod-5xx-rate', 'shop-prod-unhealthy-hosts']}",
    ),
    Tamper(refresh_by_hand(SkipMatching=False), "refresh.preferences", "Preferences.SkipMatching False, declared True"),
    Tamper(
        refresh_by_hand(StandbyInstances="Terminate"),
        "refresh.preferences",
        "Preferences.StandbyInstances 'Terminate', declared 'Ignore'",
    ),
]
"""In this order; each starts a refresh of its own (the previous one cancelled, as the provider does)."""


def latest(env: Applied) -> Any:
    """The group's newest refresh, as the emulator holds it."""
    backend = autoscaling_backends[env.account_id][env.settings.region]
    return refreshes(backend, env.outputs["autoScalingGroupName"])[-1]


@pytest.fixture
def prod_to_change(deploy: Deploy) -> Applied:
    return deploy("prod")


def test_before_any_refresh_every_refresh_check_passes_naming_what_the_first_will_do(prod: Applied) -> None:
    found = findings(prod)
    assert found["refresh.preferences"].status == Status.PASS
    assert found["refresh.preferences"].detail.startswith(
        "no instance refresh has run yet: the first `pulumi up` that changes the launch template starts one, "
        "Rolling, MinHealthyPercentage 90, MaxHealthyPercentage 110, InstanceWarmup 120, "
        "CheckpointPercentages [8, 100], CheckpointDelay 600"
    )
    assert (found["refresh.latest"].status, found["refresh.latest"].detail) == (
        Status.PASS,
        "no instance refresh has run yet",
    )
    instances = sorted(i["InstanceId"] for i in group_of(prod)["Instances"])
    assert found["refresh.node_versions"].status == Status.PASS
    assert found["refresh.node_versions"].detail.startswith(f"all {len(instances)} nodes run lt-")


def test_the_providers_refresh_passes_and_warns_while_it_runs_and_each_other_refresh_fails(
    prod_to_change: Applied,
) -> None:
    env = prod_to_change
    refresh = start_refresh(env, PROD_PREFERENCES)
    found = findings(env)
    assert found["refresh.preferences"].status == Status.PASS
    assert found["refresh.preferences"].detail.startswith(f"latest refresh {refresh} (Pending): Rolling, ")
    assert (found["refresh.latest"].status, found["refresh.latest"].detail) == (
        Status.WARN,
        f"refresh {refresh} Pending, 0% done, 3 nodes to go",
    )
    walk(env, TAMPERS)


@pytest.mark.parametrize(
    ("status", "reason", "verdict"),
    [
        # a refresh an alarm stopped, one a new node failed, one cancelled (the reasons are this test's text)
        ("Failed", "The instance refresh was stopped because alarm shop-prod-5xx-rate went into ALARM state.", "fail"),
        ("Failed", "Instance i-0123456789abcdef0 failed to launch: the launch lifecycle hook abandoned it.", "fail"),
        ("Cancelled", "Cancelled due to user request.", "fail"),
        ("RollbackSuccessful", "Rollback completed.", "fail"),
        ("InProgress", "Waiting for instances to warm up before continuing.", "warn"),
        ("Successful", None, "pass"),
    ],
)
def test_how_the_latest_refresh_ended(prod_to_change: Applied, status: str, reason: str | None, verdict: str) -> None:
    env = prod_to_change
    refresh = start_refresh(env, PROD_PREFERENCES)
    latest(env).move_to(status, reason)
    found = findings(env)["refresh.latest"]
    assert found.status == verdict
    assert found.detail.startswith(f"refresh {refresh} {status}")
    if verdict == "fail":
        assert found.detail == f"refresh {refresh} {status}: {reason}"
        assert "revert the stack file" in found.fix and "docs/shipping-a-release.md" in found.fix
    assert findings(env)["refresh.preferences"].status == Status.PASS  # how it ran is another check's


def test_nodes_left_on_an_older_template_version_are_named(prod_to_change: Applied) -> None:
    # the group moved to version 2 and no refresh replaced its nodes (one that failed, or protected nodes)
    env = prod_to_change
    group = group_of(env)
    template = group["LaunchTemplate"]["LaunchTemplateId"]
    env.client("ec2").create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1", LaunchTemplateData={}
    )
    env.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName=group["AutoScalingGroupName"],
        LaunchTemplate={"LaunchTemplateId": template, "Version": "2"},
    )
    found = findings(env)["refresh.node_versions"]
    assert found.status == Status.WARN
    nodes = sorted(i["InstanceId"] for i in group["Instances"])
    assert found.detail == (
        f"3 of 3 nodes run another launch template version than {template} version 2: "
        + ", ".join(f"{node} (version 1, InService)" for node in nodes)
    )
    assert "start-instance-refresh" in found.fix
