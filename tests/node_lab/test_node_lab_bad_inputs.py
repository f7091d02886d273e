"""Bad inputs fail visibly and safely: a missing artifact, an unreadable cookie parameter and a
metadata service that answers without a token, each on one more instance of a booted group.

In each case the node fails with a message that names the cause, the release never starts,
no cookie is left on the instance, and the group's other nodes keep serving. Run once, on
the first stack of NODE_LAB_STACKS: each case waits out the scripts' retries (about a minute).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.support.node_lab import lab_stacks
from tools.conformance.node_lab import boot, cloud_init
from tools.conformance.node_lab.lab import Node, NodeLab
from tools.conformance.node_lab.secret_scan import comm
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

FAILURE_TIMEOUT_SECONDS = 180
"""The scripts retry each AWS and metadata call six times, pausing 2+4+8+16+32 s."""


@dataclass(frozen=True)
class BadBoots:
    missing_artifact: Node
    unreadable_cookie: Node
    withheld_token: Node


@pytest.fixture(scope="module")
def bad_boots(node_lab: NodeLab) -> BadBoots:
    stack = f"{node_lab.stack}{':' + node_lab.discovery if node_lab.discovery else ''}"
    if stack != lab_stacks()[0]:
        pytest.skip(f"bad inputs run once, on {lab_stacks()[0]}")
    artifact, cookie, token = node_lab.add_nodes(3)
    bucket, key = node_lab.settings.release.artifact.removeprefix("s3://").split("/", 1)
    parameter = node_lab.settings.release.cookie_parameter
    saved = node_lab.account.call(lambda aws: aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True))
    key_id = node_lab.account.call(
        lambda aws: (
            aws.client("ssm")
            .describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [parameter]}])["Parameters"][0]
            .get("KeyId")
        )
    )
    token.instance.update_metadata({"tokens": "withheld"})
    node_lab.account.call(lambda aws: aws.client("ssm").delete_parameter(Name=parameter))
    try:
        with ThreadPoolExecutor(3) as pool:
            booting = [pool.submit(node_lab.boot_node, node) for node in (cookie, token)]
            booting[0].result()  # the cookie node has its release; now the artifact goes
            node_lab.account.call(lambda aws: aws.client("s3").delete_object(Bucket=bucket, Key=key))
            booting.append(pool.submit(node_lab.boot_node, artifact))
            for future in booting:
                future.result()
        gave_up = wait_until(
            lambda: "giving up" in boot.journal(cookie.instance, node_lab.layout.release_unit), FAILURE_TIMEOUT_SECONDS
        )
        assert gave_up is not None, boot.journal(cookie.instance, node_lab.layout.release_unit)[-2000:]
    finally:
        node_lab.account.call(lambda aws: aws.client("s3").upload_file(str(node_lab.tarball), bucket, key))
        restore = {"Name": parameter, "Value": saved["Parameter"]["Value"], "Type": "SecureString", "Overwrite": True}
        node_lab.account.call(
            lambda aws: aws.client("ssm").put_parameter(**restore, **({"KeyId": key_id} if key_id else {}))
        )
    return BadBoots(artifact, cookie, token)


def test_a_missing_artifact_fails_the_boot_naming_it(node_lab, bad_boots):
    node = bad_boots.missing_artifact
    assert node.boot_runs[-1].exit_code != 0
    output = cloud_init.output_log(node.instance)
    assert "giving up after 6 tries: fetch_artifact" in output, output[-2000:]
    assert "does not exist" in output or "NoSuchKey" in output or "404" in output, output[-2000:]
    written = node.instance.path(node_lab.layout.env_file).read_text()  # cloud-init wrote the stack's part
    assert "RELEASE_NODE=" not in written, "the bootstrap names no node for a release that is not there"
    _assert_failed_safely(node_lab, node)


def test_an_unreadable_cookie_parameter_keeps_the_release_from_starting(node_lab, bad_boots):
    node = bad_boots.unreadable_cookie
    journal = boot.journal(node.instance, node_lab.layout.release_unit)
    assert "ParameterNotFound" in journal and "giving up" in journal, journal[-2000:]
    assert not node.instance.path(node_lab.layout.cookie_env_file).exists()
    _assert_failed_safely(node_lab, node)


def test_a_metadata_service_without_tokens_fails_the_boot_naming_it(node_lab, bad_boots):
    node = bad_boots.withheld_token
    assert node.boot_runs[-1].exit_code != 0
    output = cloud_init.output_log(node.instance)
    assert "401" in output and "giving up after 6 tries: imds local-ipv4" in output, output[-2000:]
    _assert_failed_safely(node_lab, node)


def _assert_failed_safely(lab: NodeLab, node: Node) -> None:
    commands = [comm(pid) for pid in node.instance.processes()]
    assert "beam.smp" not in commands, "the release must not run"
    assert boot.systemctl(node.instance, "is-active", lab.layout.release_unit).stdout.strip() != "active"
    assert not list(node.instance.path("/run").rglob(".erlang.cookie"))
    assert not node.instance.path(lab.layout.cookie_env_file).exists()
    serving = [n for n in lab.nodes if lab.server_status(n) == "UP"]
    assert len(serving) >= 2 and all(
        lab.get(n, lab.settings.load_balancer.health_check.path)[0] == 200 for n in serving
    )
    lab.report.bad_inputs.append(f"{node.name}: failed safely ({_cause(lab, node)})")


def _cause(lab: NodeLab, node: Node) -> str:
    text = cloud_init.output_log(node.instance) + boot.journal(node.instance, lab.layout.release_unit)
    for needle in ("ParameterNotFound", "does not exist", "NoSuchKey", "401"):
        if needle in text:
            return needle
    return "see its logs"
