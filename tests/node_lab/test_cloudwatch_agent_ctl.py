"""The stand-in for amazon-cloudwatch-agent-ctl refuses what the agent's control script refuses
(offline: it is a function of its arguments and a file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.conformance.node_lab.cloudwatch_agent_ctl import problems

CONFIG = "/etc/shop/cloudwatch-agent.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / CONFIG.lstrip("/")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"metrics": {}}))
    return tmp_path


def test_the_bootstraps_call_is_accepted(root: Path) -> None:
    assert problems(["-a", "fetch-config", "-m", "ec2", "-s", "-c", f"file:{CONFIG}"], root) is None


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["-a", "fetch-config", "-m", "ec2", "-s", "-c", "file:/etc/shop/other.json"], "Cannot translate"),
        (["-a", "fetch-config", "-m", "ec2"], "-c is required"),
        (["-a", "fetch-config", "-m", "EC2", "-c", f"file:{CONFIG}"], "Invalid mode: EC2"),
        (["-a", "reload"], "Invalid action: reload"),
        (["-m", "ec2"], "Invalid action: None"),
        (["-a", "fetch-config", "--mode", "ec2"], "Invalid option: --mode"),
        (["-a", "fetch-config", "-c"], "Option -c requires an argument"),
        (["-a", "fetch-config", "-c", f"s3:{CONFIG}"], "Invalid config location"),
        (["-a", "set-log-level", "-l", "TRACE"], "Invalid log level: TRACE"),
    ],
)
def test_what_the_control_script_refuses(root: Path, argv: list[str], problem: str) -> None:
    assert problem in (problems(argv, root) or "")


def test_a_configuration_that_is_not_json_does_not_translate(root: Path) -> None:
    (root / CONFIG.lstrip("/")).write_text("metrics:\n  mem: {}\n")
    assert "Cannot translate" in (problems(["-a", "fetch-config", "-c", f"file:{CONFIG}"], root) or "")


def test_ssm_and_default_configurations_are_not_read_from_disk(root: Path) -> None:
    assert problems(["-a", "fetch-config", "-m", "ec2", "-c", "ssm:AmazonCloudWatch-shop"], root) is None
    assert problems(["-a", "start", "-m", "auto"], root) is None
