"""tools/verifier/checks/lifecycle.py against the plan: the drain hook as declared, and no hook
beside it; each tamper fails the lifecycle check and no other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Change, Tamper, findings, walk
from tools.verifier.findings import Finding, Status

DRAIN_HOOK = "release-drain"


def hold_new_nodes_for_debugging(env: Applied) -> None:
    """A launch hook added by hand: each new node waits an hour, then is abandoned."""
    env.client("autoscaling").put_lifecycle_hook(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        LifecycleHookName="debug-hold",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=3600,
        DefaultResult="ABANDON",
    )


def change_the_drain_hook(**change: Any) -> Change:
    """PutLifecycleHook with the drain hook as it is, one setting changed."""

    def tamper(env: Applied) -> None:
        autoscaling = env.client("autoscaling")
        group = env.outputs["autoScalingGroupName"]
        [hook] = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group, LifecycleHookNames=[DRAIN_HOOK])[
            "LifecycleHooks"
        ]
        kept = ("LifecycleHookName", "LifecycleTransition", "HeartbeatTimeout", "DefaultResult")
        autoscaling.put_lifecycle_hook(AutoScalingGroupName=group, **{**{k: hook[k] for k in kept}, **change})

    tamper.__name__ = "change_the_drain_hook_" + "_".join(change)
    return tamper


def remove_the_drain_hook(env: Applied) -> None:
    env.client("autoscaling").delete_lifecycle_hook(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"], LifecycleHookName=DRAIN_HOOK
    )


TAMPERS = {
    "dev": [
        # first: with the drain hook as declared, a hook beside it fails the check alone
        Tamper(
            hold_new_nodes_for_debugging,
            "lifecycle.hook",
            "undeclared hook debug-hold on autoscaling:EC2_INSTANCE_LAUNCHING: holds each node up to 3600 s, "
            "then ABANDON",
        ),
        Tamper(change_the_drain_hook(HeartbeatTimeout=3600), "lifecycle.hook", "HeartbeatTimeout 3600, declared 60"),
        Tamper(
            change_the_drain_hook(DefaultResult="ABANDON"),
            "lifecycle.hook",
            "DefaultResult 'ABANDON', declared 'CONTINUE'",
        ),
        Tamper(
            change_the_drain_hook(LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING"),
            "lifecycle.hook",
            "LifecycleTransition 'autoscaling:EC2_INSTANCE_LAUNCHING', declared 'autoscaling:EC2_INSTANCE_TERMINATING'",
        ),
        Tamper(remove_the_drain_hook, "lifecycle.hook", "no lifecycle hook release-drain"),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


def test_the_drain_hook_as_declared_passes_naming_its_heartbeat(dev: Applied) -> None:
    # dev's heartbeat: poll 5 + deregistration delay 15 + drain 15 + stop margin 15 + completion 10
    assert findings(dev)["lifecycle.hook"] == Finding(
        "lifecycle.hook", Status.PASS, "release-drain on termination, heartbeat 60 s, then CONTINUE"
    )


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_lifecycle_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
