"""An instance per namespace: a private file system, and IMDSv2 that only the instance can reach."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.conformance import netns
from tools.conformance.node_lab.imds import IMDS_ADDRESS
from tools.conformance.node_lab.instance import Instance

pytestmark = pytest.mark.node_lab

METADATA = {
    "instance-id": "i-0abc123def4567890",
    "availability-zone": "eu-west-1b",
    "region": "eu-west-1",
    "tags": {"aws:autoscaling:groupName": "shop-nodes-1234", "elixir-cluster:cluster": "shop-dev"},
    "target-lifecycle-state": "InService",
}

IMDS = f"http://{IMDS_ADDRESS}/latest"
TOKEN = f'T=$(curl -sf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" {IMDS}/api/token)'


@pytest.fixture
def instance(lab_network: netns.Network, tmp_path: Path) -> Iterator[Instance]:
    node = Instance(lab_network.add("node1"), tmp_path / "node1", METADATA, resolver="198.18.0.200")
    try:
        node.start()
        yield node
    finally:
        node.close()


def read(instance: Instance, item: str, token: bool = True) -> tuple[int, str]:
    """(status, body) of `GET /latest/meta-data/<item>` from inside the instance."""
    header = '-H "X-aws-ec2-metadata-token: $T"' if token else ""
    script = f'{TOKEN}; curl -s -w "\\n%{{http_code}}" {header} {IMDS}/meta-data/{item}'
    body, _, status = instance.run(["sh", "-c", script]).stdout.rpartition("\n")
    return int(status), body


def test_writes_inside_the_instance_never_reach_the_host(instance):
    marker = f"node-lab-{instance.holder_pid}"
    for directory in ("/etc", "/opt", "/var/lib", "/usr/local/bin", "/tmp"):
        instance.run(["touch", f"{directory}/{marker}"])
        assert instance.path(f"{directory}/{marker}").exists()
        assert not Path(directory, marker).exists(), f"{directory}/{marker} leaked to the host"


def test_the_instance_has_its_own_names_and_resolver(instance):
    assert instance.run(["cat", "/etc/resolv.conf"]).stdout == "nameserver 198.18.0.200\n"
    assert instance.run(["cat", "/etc/hostname"]).stdout == "node1\n"
    assert instance.run(["ls", "-A", "/run"]).stdout.split() == ["lock", "user"], "/run starts empty"


def test_imds_answers_the_instance_with_a_token(instance):
    assert read(instance, "instance-id") == (200, METADATA["instance-id"])
    assert read(instance, "local-ipv4") == (200, str(instance.namespace.address))
    assert read(instance, "placement/availability-zone") == (200, "eu-west-1b")
    assert read(instance, "placement/region") == (200, "eu-west-1")
    assert read(instance, "tags/instance/aws:autoscaling:groupName") == (200, "shop-nodes-1234")
    assert read(instance, "tags/instance")[1].split() == list(METADATA["tags"])
    assert read(instance, "tags/instance/no-such-tag")[0] == 404


def test_imds_refuses_a_read_without_a_token_as_http_tokens_required_does(instance):
    assert read(instance, "instance-id", token=False) == (401, "")
    no_ttl = instance.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", f"{IMDS}/api/token"])
    assert no_ttl.stdout == "400"
    forged = instance.run(
        [
            "sh",
            "-c",
            f'curl -s -w " %{{http_code}}" -H "X-aws-ec2-metadata-token: made-up" {IMDS}/meta-data/instance-id',
        ]
    )
    assert forged.stdout.strip() == "401"


def test_the_lab_moves_the_target_lifecycle_state(instance):
    assert read(instance, "autoscaling/target-lifecycle-state") == (200, "InService")
    instance.set_lifecycle_state("Terminated")
    assert read(instance, "autoscaling/target-lifecycle-state") == (200, "Terminated")


def test_role_credentials_are_served_only_when_the_instance_has_a_role(instance):
    assert read(instance, "iam/security-credentials/")[0] == 404
    credentials = {"AccessKeyId": "AKIA", "SecretAccessKey": "s", "Token": "t", "Expiration": "2030-01-01T00:00:00Z"}
    instance.update_metadata({"role": "shop-node", "credentials": credentials})
    assert read(instance, "iam/security-credentials/") == (200, "shop-node")
    status, body = read(instance, "iam/security-credentials/shop-node")
    assert status == 200 and json.loads(body)["AccessKeyId"] == "AKIA"


def test_the_metadata_address_exists_only_inside_the_instance(instance):
    # Asserted without sending anything to 169.254.169.254 from the host's namespace.
    host = netns.run(["ip", "-o", "-4", "addr", "show"]).stdout
    inside = instance.namespace.run(["ip", "-o", "-4", "addr", "show", "dev", "lo"]).stdout
    assert IMDS_ADDRESS not in host
    assert f"inet {IMDS_ADDRESS}/32" in inside
    host_listeners = netns.run(["ss", "-Htln"]).stdout
    inside_listeners = instance.namespace.run(["ss", "-Htln"]).stdout
    assert f"{IMDS_ADDRESS}:80" in inside_listeners
    assert f"{IMDS_ADDRESS}:80" not in host_listeners


def test_closing_the_instance_leaves_no_process_and_no_mount(instance):
    pid = instance.holder_pid
    instance.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 &"])
    assert len(instance.processes()) >= 2
    instance.close()
    assert not Path(f"/proc/{pid}").exists()
    assert instance.namespace.pids() == []
    assert "instance-scratch" not in Path("/proc/self/mountinfo").read_text()


def test_a_metadata_service_that_withholds_tokens_answers_nothing(instance):
    instance.update_metadata({"tokens": "withheld"})
    assert (
        instance.run(
            ["curl", "-s", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", f"{IMDS}/api/token"]
        ).stdout
        == ""
    )
    assert read(instance, "instance-id") == (401, "")
