"""scripts/bootstrap.sh: fetches and unpacks the release, names the node, starts it and its agents."""

from __future__ import annotations

import pytest

from components.plans.release_environment import release_environment
from tests.support.fake_node import GROUP_NAME, HTTPS_ARTIFACT, INSTANCE_ID, NODE_IP, FakeNode
from tests.support.node_bootstrap import VARIANTS, parse_env_file, variant


@pytest.mark.parametrize("name", VARIANTS)
def test_release_env_file_is_release_environment_for_the_node_ip(name: str, node: FakeNode) -> None:
    settings = variant(name)
    env_file = node.installed(settings, f"/etc/{settings.release.name}/release.env")
    result = node.run(
        settings, "bootstrap", "bash", "-c", f'source {{script}} && RELEASE_ENV="{env_file}" name_node {NODE_IP}'
    )
    assert result.returncode == 0, result.stderr
    assert parse_env_file(env_file.read_text()) == release_environment(settings, NODE_IP)


DESCRIBE_GROUP = (
    f"aws autoscaling describe-auto-scaling-groups --region eu-west-1 --auto-scaling-group-names {GROUP_NAME} "
    "--query AutoScalingGroups[].Instances[].[InstanceId,LifecycleState] --output text"
)


def test_bootstrap_installs_names_and_starts_the_node_then_hands_over_to_the_launch_hook(node: FakeNode) -> None:
    settings = variant("prod")
    node.group = {INSTANCE_ID: "InService"}  # one of a new group's first nodes: no launch hook holds it
    root, env_file = node.fs("/opt/shop"), node.installed(settings, "/etc/shop/release.env")
    # The node's / is node.root/fs; the CloudWatch agent's control script is a fake on PATH.
    overrides = f"RELEASE_ROOT={root} RELEASE_ENV={env_file} CLOUDWATCH_AGENT_CTL=amazon-cloudwatch-agent-ctl"
    result = node.run(settings, "bootstrap", "bash", "-c", f"source {{script}} && {overrides} main")
    assert result.returncode == 0, result.stderr
    assert (root / "bin/shop").is_file()
    assert parse_env_file(env_file.read_text()) == release_environment(settings, NODE_IP)
    fetch, *actions = [call for call in node.calls() if not call.startswith("curl")]
    assert fetch.startswith("aws s3 cp --only-show-errors --region eu-west-1 s3://shop-releases/shop-1.4.2.tar.gz ")
    assert actions == [
        "systemctl daemon-reload",
        "systemctl enable shop-drain.service shop.service",
        "systemctl start --no-block shop-drain.service shop.service",
        "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/etc/shop/cloudwatch-agent.json",
        DESCRIBE_GROUP,  # launch-hook: is this node held?
    ]
    assert result.stdout == (f"shop started as shop@{NODE_IP}\n{INSTANCE_ID} is InService: no launch hook holds it\n")
    assert "completed" not in node.aws_state()


def test_a_bootstrap_that_fails_abandons_the_node_at_once(node: FakeNode) -> None:
    settings = variant("prod")
    node.group = {INSTANCE_ID: "Pending:Wait"}
    node.installed(settings, "/etc/shop/release.env")
    # the artifact is gone from the bucket: six tries, then the bootstrap fails
    edits = {
        "/usr/local/libexec/shop/stack.env": ("s3://shop-releases/shop-1.4.2.tar.gz", "s3://shop-releases/gone.tgz")
    }
    result = node.run(settings, "bootstrap", "bash", "-c", "source {script} && main", edits=edits)
    assert result.returncode != 0
    assert f"abandoning {INSTANCE_ID}: the bootstrap failed (exit 1)" in result.stderr
    [completed] = node.aws_state()["completed"]
    assert (completed["LifecycleHookName"], completed["LifecycleActionResult"]) == ("release-join", "ABANDON")
    assert node.aws_state()["groups"][GROUP_NAME]["instances"] == {INSTANCE_ID: "Terminating"}
    assert not [call for call in node.calls() if call.startswith("systemctl start")]


def test_s3_artifact_is_fetched_with_the_aws_cli(node: FakeNode) -> None:
    settings = variant("prod")
    target = node.root / "release.tar.gz.copy"
    result = node.run(settings, "bootstrap", "bash", "-c", f"source {{script}} && fetch_artifact {target}")
    assert result.returncode == 0, result.stderr
    assert node.calls("aws") == [
        f"aws s3 cp --only-show-errors --region {settings.region} {settings.release.artifact} {target}"
    ]
    assert target.read_bytes() == node.artifact.read_bytes()


def test_https_artifact_is_fetched_with_curl_failing_on_errors(node: FakeNode) -> None:
    settings = variant("https-artifact")
    target = node.root / "release.tar.gz.copy"
    node.artifacts.files["/shop/shop-1.4.2.tar.gz"] = node.artifact.read_bytes()
    result = node.run(settings, "bootstrap", "bash", "-c", f"source {{script}} && fetch_artifact {target}")
    assert result.returncode == 0, result.stderr
    [call] = node.calls("curl")
    assert call.endswith(f"--output {target} {HTTPS_ARTIFACT}")
    assert all(flag in call.split() for flag in ["--fail", "--retry", "--proto", "=https"])
    assert not node.calls("aws")
    assert target.read_bytes() == node.artifact.read_bytes()


def test_a_missing_https_artifact_fails_the_fetch(node: FakeNode) -> None:
    # --fail: a 404 page is an error, never a "release" to unpack.
    target = node.root / "release.tar.gz.copy"
    result = node.run(
        variant("https-artifact"), "bootstrap", "bash", "-c", f"source {{script}} && fetch_artifact {target}"
    )
    assert result.returncode == 22, result.stderr
    assert "404" in result.stderr
