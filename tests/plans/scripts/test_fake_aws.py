"""The node's `aws` answered in the test process (tests/support/fakes/aws_server.py): a script sees
what a process of its own would give it, byte for byte, exit code and streams apart."""

from __future__ import annotations

import hashlib

from tests.support.fake_node import FakeNode
from tests.support.node_bootstrap import variant

REGION = ["--region", "eu-west-1"]
SECRET_KEY_BASE = "/shop/prod/secret-key-base"


def test_a_call_prints_its_answer_on_stdout_whatever_its_characters(node: FakeNode) -> None:
    value = "clé ✓ 鍵\ttab"  # multi-byte characters: the client reads the answer's length in bytes
    query = ["--query", "Parameter.Value", "--output", "text"]
    result = node.run(
        variant("prod"),
        "common.sh",
        *("aws", *REGION, "ssm", "get-parameter", "--name", SECRET_KEY_BASE, "--with-decryption", *query),
        stored={"parameters": {SECRET_KEY_BASE: value}},
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, value + "\n", "")


def test_a_refused_call_exits_with_the_clis_code_and_says_why_on_stderr_only(node: FakeNode) -> None:
    result = node.run(variant("prod"), "common.sh", "aws", *REGION, "ssm", "get-parameter")
    assert result.returncode == 252  # the CLI's usage error
    assert result.stdout == ""
    assert "the following arguments are required: --name" in result.stderr
    assert node.calls("aws") == ["aws --region eu-west-1 ssm get-parameter"]


def test_a_relative_target_lands_in_the_callers_working_directory(node: FakeNode, tmp_path) -> None:
    settings = variant("prod")
    workdir = tmp_path / "caller"
    workdir.mkdir()
    copy = f"aws s3 cp {settings.release.artifact} release.tar.gz {' '.join(REGION)}"
    result = node.run(settings, "common.sh", "bash", "-c", f"cd {workdir} && {copy}")
    assert result.returncode == 0, result.stderr
    fetched = workdir / "release.tar.gz"
    assert hashlib.sha256(fetched.read_bytes()).digest() == hashlib.sha256(node.artifact.read_bytes()).digest()
