"""scripts/drain-agent.sh: on scale-in, leaves Cloud Map, lets the load balancer drain, stops the
release and completes the lifecycle hook, in that order."""

from __future__ import annotations

import re
import signal

from components.plans.lifecycle_hooks import LIFECYCLE_HOOK_NAME
from tests.support.fake_node import GROUP_NAME, INSTANCE_ID, NODE_IP, SERVICE_ID, FakeNode
from tests.support.node_bootstrap import variant


def test_lifecycle_hook_name_is_a_valid_hook_name() -> None:
    # LifecycleHookName: 1-255 characters of [A-Za-z0-9-_/] (Auto Scaling API reference).
    assert re.fullmatch(r"[A-Za-z0-9\-_/]{1,255}", LIFECYCLE_HOOK_NAME)


def test_drain_agent_lets_the_load_balancer_drain_stops_the_release_then_lets_go(node: FakeNode) -> None:
    settings = variant("prod")
    result = node.run(settings, "drain-agent")
    assert result.returncode == 0, result.stderr
    actions = [call for call in node.calls() if not call.startswith("curl")]
    assert actions == [
        f"sleep {settings.load_balancer.deregistration_delay}",
        "systemctl stop shop.service",
        "aws autoscaling complete-lifecycle-action --region eu-west-1"
        f" --lifecycle-hook-name {LIFECYCLE_HOOK_NAME} --auto-scaling-group-name shop-prod-nodes-4f2a"
        " --instance-id i-0123456789abcdef0 --lifecycle-action-result CONTINUE",
    ]
    # What Auto Scaling was told: this instance of this group may go on terminating.
    assert node.aws_state()["completed"] == [
        {
            "LifecycleHookName": "release-drain",
            "AutoScalingGroupName": GROUP_NAME,
            "InstanceId": INSTANCE_ID,
            "LifecycleActionResult": "CONTINUE",
        }
    ]


def test_drain_agent_waits_while_the_instance_is_in_service(node: FakeNode) -> None:
    # IMDS fails (503) twice on the lifecycle item before answering Terminated: two backoffs
    # from the 5 s poll, then the drain; while InService the agent would poll every 5 s.
    node.imds("autoscaling/target-lifecycle-state", "Terminated", failures=2)
    result = node.run(variant("prod"), "drain-agent")
    assert result.returncode == 0, result.stderr
    assert node.calls("sleep")[:-1] == ["sleep 10", "sleep 20"]


def test_drain_agent_backoff_is_bounded(node: FakeNode) -> None:
    node.imds("autoscaling/target-lifecycle-state", "Terminated", failures=8)
    result = node.run(variant("prod"), "drain-agent")
    assert result.returncode == 0, result.stderr
    pauses = [int(call.split()[1]) for call in node.calls("sleep")[:-1]]
    assert len(pauses) == 8
    assert pauses == sorted(pauses) and max(pauses) == 60


def test_drain_agent_polls_until_scale_in(node: FakeNode) -> None:
    node.imds("autoscaling/target-lifecycle-state", "InService")
    # The agent never returns while InService: it sleeps and polls again. Stop it after a few polls.
    result = node.run(variant("prod"), "drain-agent", sleeps=3)
    assert result.returncode == -signal.SIGTERM, "still waiting when stopped"
    assert node.calls("sleep") == ["sleep 5"] * 4  # the fourth is where it was stopped
    assert len(node.calls("curl")) >= 4  # a poll before each pause
    assert not node.calls("systemctl") and not node.calls("aws")


def test_dns_drain_agent_registers_and_deregisters_around_the_drain(node: FakeNode) -> None:
    settings = variant("dns")
    result = node.run(settings, "drain-agent")
    assert result.returncode == 0, result.stderr
    actions = [call for call in node.calls() if not call.startswith("curl")]
    service = f"--service-id {SERVICE_ID} --instance-id {INSTANCE_ID}"
    assert actions == [
        f"aws servicediscovery register-instance --region eu-west-1 {service} --attributes AWS_INSTANCE_IPV4={NODE_IP}",
        f"aws servicediscovery deregister-instance --region eu-west-1 {service}",
        f"sleep {settings.load_balancer.deregistration_delay}",
        "systemctl stop shop.service",
        actions[-1],
    ]
    assert actions[-1].startswith(
        f"aws autoscaling complete-lifecycle-action --region eu-west-1 --lifecycle-hook-name {LIFECYCLE_HOOK_NAME}"
    )
    # Registered, then gone again before the release stopped: Cloud Map holds no instance.
    assert node.aws_state()["services"] == {SERVICE_ID: {"instances": {}}}
    assert "Cloud Map" not in result.stderr
