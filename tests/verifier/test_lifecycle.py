"""verify's lifecycle check (tools/verifier/checks/lifecycle.py) against the plan: the drain hook as
declared, and no hook beside it. (The drain hook's own tampers are in tests/test_verify.py.)"""

from __future__ import annotations

from tests.support.stacks import Applied, Deploy
from tests.support.verify import Tamper, verdicts, verify_json, walk


def hold_new_nodes_for_debugging(env: Applied) -> None:
    """A launch hook added by hand: each new node waits an hour, then is abandoned."""
    env.client("autoscaling").put_lifecycle_hook(
        AutoScalingGroupName=env.outputs["autoScalingGroupName"],
        LifecycleHookName="debug-hold",
        LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
        HeartbeatTimeout=3600,
        DefaultResult="ABANDON",
    )


TAMPERS = [
    Tamper(
        hold_new_nodes_for_debugging,
        "lifecycle.hook",
        "undeclared hook debug-hold on autoscaling:EC2_INSTANCE_LAUNCHING: holds each node up to 3600 s, then ABANDON",
    )
]


def test_a_hook_nobody_declared_fails_the_lifecycle_check_alone(deploy: Deploy, verify_reusing_clients: None) -> None:
    env = deploy("dev")
    _, clean = verify_json(env, "--stack", "dev")
    # dev's heartbeat: poll 5 + deregistration delay 15 + drain 15 + stop margin 15 + completion 10
    assert verdicts(clean)["lifecycle.hook"] == {
        "check": "lifecycle.hook",
        "status": "pass",
        "detail": "release-drain on termination, heartbeat 60 s, then CONTINUE",
        "fix": "",
    }
    walk(env, ("--stack", "dev"), TAMPERS)
