"""`python -m tools.preview`, end to end: the contract in DESIGN.md."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest

from tests.support.stacks import write_variant
from tools import preview, verify
from tools.stack_files import PROJECT_DIR, load_stack_settings, stack_file

CONTRACT_OUTPUTS = {
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "nodeSecurityGroupId",
    "loadBalancerSecurityGroupId",
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.preview", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300
    )


def test_json_format_prints_the_contract_document():
    result = _cli("--stack", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["stack"] == "prod"
    assert set(document["outputs"]) >= CONTRACT_OUTPUTS
    for resource in document["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "id", "inputs", "outputs"}
    vpc = next(r for r in document["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] and vpc["id"].startswith("vpc-")  # camelCase wire names, moto's id
    urns = {r["urn"] for r in document["resources"]}
    assert all(r["parent"] in urns for r in document["resources"] if r["type"].startswith("aws:"))


def test_secrets_never_reach_the_json(capsys):
    assert preview.main(["--stack", "prod", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    secret_values = [
        value
        for resource in document["resources"]
        for section in ("inputs", "outputs")
        for value in resource[section].values()
        if value == "[secret]"
    ]
    assert secret_values or not any(r["type"].startswith("random:") for r in document["resources"])


def test_table_format_lists_resources_under_their_components(capsys):
    assert preview.main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Stack dev:")
    assert "\n  elixir-cluster:index:Network" in out
    assert "\n    aws:ec2/vpc:Vpc" in out
    assert "Outputs" in out and "vpcId" in out


def test_mermaid_format_draws_the_rules_with_their_real_ports(capsys):
    assert preview.main(["--stack", "dev", "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR")
    assert "nodes <-->|" in out and "4369" in out
    assert "lb -->|" in out


def test_an_invalid_stack_file_exits_2_naming_every_key(tmp_path):
    path = write_variant(
        tmp_path,
        "dev",
        "broken",
        {
            "elixir-cluster:nodes": {"minSize": 3, "maxSize": 2},
            "elixir-cluster:network": {"vpcCidr": "10.0.0.0/33"},
            "elixir-cluster:loadBalancer": {"healthCheck": {"interval": 5, "timeout": 6}},
        },
    )
    result = _cli("--config", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("elixir-cluster:") for line in lines), lines
    keys = " ".join(lines)
    for key in (
        "elixir-cluster:nodes.maxSize",
        "elixir-cluster:network.vpcCidr",
        "elixir-cluster:loadBalancer.healthCheck",
    ):
        assert key in keys
    assert result.stdout == ""


def test_a_stock_moto_server_cannot_hold_what_the_stack_references_and_says_what_to_do(capsys):
    certificate = load_stack_settings(stack_file("prod")).load_balancer.certificate_arn
    with MotoServer() as endpoint:  # stock moto: nothing can be created under an id of our choosing
        assert preview.main(["--stack", "prod", "--endpoint", endpoint]) == 1
        acm = boto3.client(
            "acm", region_name="eu-west-1", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x"
        )
        assert acm.list_certificates()["CertificateSummaryList"] == [], "no certificate under another ARN"
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert certificate in lines[0]
    assert "python -m tools.emulator.server" in lines[0]


def test_prod_served_by_this_projects_moto_server_verifies_clean(capsys, monkeypatch):
    """The user's story: start the server, apply prod into it, verify prod there."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with MotoServer(module="tools.emulator.server") as endpoint:
        assert preview.main(["--stack", "prod", "--endpoint", endpoint]) == 0
        capsys.readouterr()
        assert verify.main(["--stack", "prod", "--endpoint", endpoint, "--format", "json"]) == verify.EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert [c["check"] for c in document["checks"] if c["status"] == "fail"] == []
    listeners = next(c for c in document["checks"] if c["check"] == "load_balancer.listeners")
    certificate = load_stack_settings(stack_file("prod")).load_balancer.certificate_arn
    assert "HTTPS:443 forward to" in listeners["detail"] and certificate in listeners["detail"]


def test_endpoint_applies_into_a_moto_server_that_keeps_the_state(capsys):
    with MotoServer() as endpoint:
        assert preview.main(["--stack", "dev", "--format", "json", "--endpoint", endpoint]) == 0
        vpc_id = json.loads(capsys.readouterr().out)["outputs"]["vpcId"]
        region = load_stack_settings(stack_file("dev")).region
        ec2 = boto3.client(
            "ec2", region_name=region, endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x"
        )
        assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == [vpc_id]


def test_a_missing_stack_file_is_refused():
    assert preview.main(["--stack", "nonexistent"]) == 2


class MotoServer:
    """A moto server in its own process, as a user runs it: its state never meets the in-process mock.
    Stock moto's by default; `module="tools.emulator.server"` for this project's."""

    def __init__(self, module: str = "moto.server") -> None:
        self.module = module

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        environment = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "-H", "127.0.0.1", "-p", str(port)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}"
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"{self.module} did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_every_shipped_stack_previews(stack, capsys):
    assert preview.main(["--stack", stack, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["stack"] == stack


def test_more_zones_than_the_region_has_exits_1_naming_the_key(tmp_path, capsys):
    # moto's eu-west-1 has three zones, as AWS's does
    path = write_variant(
        tmp_path, "dev", "zones", {"aws:region": "eu-west-1", "elixir-cluster:network": {"availabilityZones": 4}}
    )
    assert preview.main(["--config", str(path)]) == 1
    error = capsys.readouterr().err
    assert "elixir-cluster:network.availabilityZones" in error
    assert "set it to 3 or fewer" in error


def test_serve_on_a_taken_port_exits_1_naming_it(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert preview.main(["--stack", "dev", "--serve", str(port)]) == 1
    error = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in error
    assert "--serve PORT" in error
