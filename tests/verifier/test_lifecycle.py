"""tools/verifier/checks/lifecycle.py against the plan: the launch hook and the drain hook as
declared, and no hook beside them; each tamper fails its check and no other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Change, Tamper, findings, walk
from tools.verifier.findings import Finding, Status

DRAIN_HOOK, LAUNCH_HOOK = "release-drain", "release-join"


def hold_new_nodes_for_debugging(env: Applied) -> None:
    """A launch hook added by hand: each new node waits an hour, then is abandoned."""
    env.client("autoscaling").put_lifecycle_hook(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        LifecycleHookName="debug-hold",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=3600,
        DefaultResult="ABANDON",
    )


def change_the_hook(name: str, **change: Any) -> Change:
    """PutLifecycleHook with the hook `name` as it is, one setting changed."""

    def tamper(env: Applied) -> None:
        autoscaling = env.client("autoscaling")
        group = env.outputs["autoScalingGroupName"]
        [hook] = autoscaling.describe_lifecycle_hooks(AutoScalingGroupName=group, LifecycleHookNames=[name])[
            "LifecycleHooks"
        ]
        kept = ("LifecycleHookName", "LifecycleTransition", "HeartbeatTimeout", "DefaultResult")
        autoscaling.put_lifecycle_hook(AutoScalingGroupName=group, **{**{k: hook[k] for k in kept}, **change})

    tamper.__name__ = f"change_the_{name}_hook_" + "_".join(change)
    return tamper


def remove_the_hook(name: str) -> Change:
    def tamper(env: Applied) -> None:
        env.client("autoscaling").delete_lifecycle_hook(
            AutoScalingGroupName=env.outputs["autoScalingGroupName"], LifecycleHookName=name
        )

    tamper.__name__ = f"remove_the_{name}_hook"
    return tamper


TAMPERS = {
    "dev": [
        # first: with the two hooks as declared, a hook beside them fails the check alone
        Tamper(
            hold_new_nodes_for_debugging,
            "lifecycle.undeclared",
            "undeclared hook debug-hold on autoscaling:EC2_INSTANCE_LAUNCHING: holds each node up to 3600 s, "
            "then ABANDON",
        ),
        Tamper(
            change_the_hook(DRAIN_HOOK, HeartbeatTimeout=3600), "lifecycle.drain", "HeartbeatTimeout 3600, declared 60"
        ),
        Tamper(
            change_the_hook(DRAIN_HOOK, DefaultResult="ABANDON"),
            "lifecycle.drain",
            "DefaultResult 'ABANDON', declared 'CONTINUE'",
        ),
        Tamper(
            change_the_hook(DRAIN_HOOK, LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING"),
            "lifecycle.drain",
            "LifecycleTransition 'autoscaling:EC2_INSTANCE_LAUNCHING', declared 'autoscaling:EC2_INSTANCE_TERMINATING'",
        ),
        Tamper(remove_the_hook(DRAIN_HOOK), "lifecycle.drain", "no lifecycle hook release-drain"),
        # a node nobody vouched for would serve once the heartbeat ran out
        Tamper(
            change_the_hook(LAUNCH_HOOK, DefaultResult="CONTINUE"),
            "lifecycle.join",
            "DefaultResult 'CONTINUE', declared 'ABANDON'",
        ),
        Tamper(
            change_the_hook(LAUNCH_HOOK, HeartbeatTimeout=60),
            "lifecycle.join",
            "HeartbeatTimeout 60, declared 430",
        ),
        Tamper(
            remove_the_hook(LAUNCH_HOOK),
            "lifecycle.join",
            "no lifecycle hook release-join: new nodes would take requests before they joined the cluster",
        ),
    ],
}
"""Per shipped stack, its tampers in the order they are made (they add up)."""


def test_the_hooks_as_declared_pass_naming_their_heartbeats(dev: Applied) -> None:
    found = findings(dev)
    # dev's drain heartbeat: poll 5 + deregistration delay 15 + drain 15 + stop margin 15 + completion 10
    assert found["lifecycle.drain"] == Finding(
        "lifecycle.drain", Status.PASS, "release-drain on termination, heartbeat 60 s, then CONTINUE"
    )
    # the launch heartbeat: boot 300 + joinSeconds 120 + completion 10
    assert found["lifecycle.join"] == Finding(
        "lifecycle.join", Status.PASS, "release-join on launch, heartbeat 430 s, then ABANDON"
    )
    assert found["lifecycle.undeclared"] == Finding("lifecycle.undeclared", Status.PASS, "no hook but the stack's")


@pytest.mark.parametrize("stack", sorted(TAMPERS))
def test_each_lifecycle_tamper_fails_its_check_and_no_other(deploy: Deploy, stack: str) -> None:
    walk(deploy(stack), TAMPERS[stack])
