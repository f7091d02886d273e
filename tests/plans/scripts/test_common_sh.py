"""scripts/common.sh: IMDSv2 reads (a token first, then the item with it) and retries."""

from __future__ import annotations

from tests.support.fake_node import INSTANCE_ID, FakeNode
from tests.support.node_bootstrap import variant


def test_every_metadata_read_uses_an_imdsv2_token(node: FakeNode) -> None:
    node.run(variant("dns"), "drain-agent")
    reads = [call for call in node.calls("curl") if " PUT " not in f" {call} "]
    assert reads and all("X-aws-ec2-metadata-token: " in call for call in reads)
    # The metadata service answered every read (a read without a live token is 401).
    assert node.imds_log and all(line.endswith("-> 200") for line in node.imds_log)


def test_imds_asks_for_a_short_lived_token_then_reads_with_it(node: FakeNode) -> None:
    result = node.run(variant("prod"), "common.sh", "bash", "-c", "source {script} && imds instance-id")
    assert result.returncode == 0, result.stderr
    assert result.stdout == INSTANCE_ID
    put, get = node.calls("curl")
    assert "-X PUT -H X-aws-ec2-metadata-token-ttl-seconds: 300 http://169.254.169.254/latest/api/token" in put
    assert get.endswith("http://169.254.169.254/latest/meta-data/instance-id")
    assert node.imds_log == ["PUT /latest/api/token -> 200", "GET /latest/meta-data/instance-id -> 200"]


def test_retry_pauses_2_4_8_16_32_seconds_then_gives_up(node: FakeNode) -> None:
    result = node.run(variant("prod"), "common.sh", "bash", "-c", "source {script} && retry false")
    assert result.returncode == 1
    assert node.calls("sleep") == ["sleep 2", "sleep 4", "sleep 8", "sleep 16", "sleep 32"]
    assert "giving up after 6 tries: false" in result.stderr
