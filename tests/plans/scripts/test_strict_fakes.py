"""A broken script fails here as it would on a node: each fake refuses what the real one refuses.

Every case below edits one line of an installed script (or of stack.env) the way a slip would,
and runs the piece that uses it. With the old fakes (an IMDS answering any PUT, an aws and a
systemctl that recorded anything and succeeded) each of these passed.
"""

from __future__ import annotations

import pytest

from tests.support.fake_node import INSTANCE_ID, FakeNode
from tests.support.node_bootstrap import variant

LIBEXEC = "/usr/local/libexec/shop"
COMMON, STACK_ENV = f"{LIBEXEC}/common.sh", f"{LIBEXEC}/stack.env"
BOOTSTRAP, DRAIN, SECRETS = f"{LIBEXEC}/bootstrap", f"{LIBEXEC}/drain-agent", f"{LIBEXEC}/fetch-secrets"
LAUNCH_HOOK = f"{LIBEXEC}/launch-hook"
SECRET_SOURCES = f"{LIBEXEC}/secrets.sh"
COOKIE_VALUE = "kR3ewP0q9sZt7mNv2xLc8bYh4jDf6gA1"
DATABASE = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-AbCdEf"
PROD_SECRETS = {
    "parameters": {"/shop/prod/secret-key-base": "key-base"},
    "secrets": {DATABASE: '{"url": "ecto://db"}'},
}


def read_metadata(node: FakeNode, edits: dict[str, tuple[str, str]]):
    return node.run(variant("prod"), "common.sh", "bash", "-c", "source {script} && imds local-ipv4", edits=edits)


@pytest.mark.parametrize(
    ("old", "new", "answer"),
    [
        # IMDSv2: the token's TTL header is required, and at most six hours.
        ('-H "X-aws-ec2-metadata-token-ttl-seconds: 300" ', "", "PUT /latest/api/token -> 400"),
        ("token-ttl-seconds: 300", "token-ttl-seconds: 21601", "PUT /latest/api/token -> 400"),
        # A version-specific token path is refused.
        ("/latest/api/token", "/2021-03-23/api/token", "PUT /2021-03-23/api/token -> 403"),
        # A relayed request gets no token.
        ("-X PUT ", '-X PUT -H "X-Forwarded-For: 10.0.0.1" ', "PUT /latest/api/token -> 403"),
        # IMDSv1 is off: a read without the token is refused.
        ('-H "X-aws-ec2-metadata-token: ${token}" ', "", "GET /latest/meta-data/local-ipv4 -> 401"),
    ],
    ids=["no-ttl", "ttl-over-six-hours", "versioned-token-path", "forwarded", "no-token"],
)
def test_metadata_reads_fail_as_imdsv2_refuses_them(node: FakeNode, old: str, new: str, answer: str) -> None:
    result = read_metadata(node, {COMMON: (old, new)})
    assert result.returncode != 0 and result.stdout == ""
    assert answer in node.imds_log


def test_a_misspelt_aws_option_fails_and_the_hook_is_never_completed(node: FakeNode) -> None:
    edits = {DRAIN: ("--lifecycle-hook-name ", "--lifecycle-hook ")}
    result = node.run(variant("prod"), "drain-agent", edits=edits)
    assert result.returncode != 0
    assert "Unknown options: --lifecycle-hook" in result.stderr
    assert "completed" not in node.aws_state()


def test_an_aws_call_without_a_region_is_refused(node: FakeNode) -> None:
    result = node.run(
        variant("prod"),
        "fetch-secrets",
        cookie=COOKIE_VALUE,
        stored=PROD_SECRETS,
        edits={SECRETS: ('--region "${REGION}" ', "")},
    )
    assert result.returncode != 0
    assert "You must specify a region" in result.stderr
    assert not (node.root / "runtime" / "secrets.env").exists()


def test_a_cookie_read_without_decryption_is_not_the_cookie(node: FakeNode) -> None:
    # SSM returns a SecureString encrypted unless asked to decrypt it: nodes would never mesh.
    edits = {SECRET_SOURCES: ("--with-decryption ", "")}
    result = node.run(variant("prod"), "fetch-secrets", cookie=COOKIE_VALUE, stored=PROD_SECRETS, edits=edits)
    assert result.returncode == 0, result.stderr
    assert COOKIE_VALUE not in (node.root / "runtime" / "secrets.env").read_text()


@pytest.mark.parametrize(
    ("old", "new", "refusal"),
    [
        ("--secret-id", "--secret", "Unknown options: --secret"),
        ("get-secret-value", "get-secret", "argument operation: Invalid choice: 'get-secret'"),
        ("--query SecretString", "--query SecretString --version-stages X", "Unknown options: --version-stages"),
    ],
    ids=["secret-id", "operation", "version-stage"],
)  # fmt: skip
def test_a_secrets_manager_call_the_cli_would_refuse_fails_the_start(
    node: FakeNode, old: str, new: str, refusal: str
) -> None:
    edits = {SECRET_SOURCES: (old, new)}
    result = node.run(variant("prod"), "fetch-secrets", cookie=COOKIE_VALUE, stored=PROD_SECRETS, edits=edits)
    assert result.returncode != 0
    assert refusal in result.stderr and "DATABASE_URL: cannot read" in result.stderr
    assert not (node.root / "runtime" / "secrets.env").exists()


def test_a_hook_the_group_does_not_have_cannot_be_completed(node: FakeNode) -> None:
    edits = {STACK_ENV: ("LIFECYCLE_HOOK=release-drain", "LIFECYCLE_HOOK=drain")}
    result = node.run(variant("prod"), "drain-agent", edits=edits)
    assert result.returncode != 0
    assert "(ValidationError) when calling the CompleteLifecycleAction operation" in result.stderr


def test_a_launch_action_the_hook_does_not_hold_cannot_be_completed(node: FakeNode) -> None:
    # without asking whether the hook holds it: a node already in service has no action to complete
    node.group = {INSTANCE_ID: "InService"}
    node.serve_release(4000, [200])
    result = node.run(variant("prod"), "launch-hook", edits={LAUNCH_HOOK: ("  held || return 0\n", "")})
    assert result.returncode != 0
    assert (
        f"(ValidationError) when calling the CompleteLifecycleAction operation: No active Lifecycle Action found "
        f"with instance ID {INSTANCE_ID}" in result.stderr
    )
    assert "completed" not in node.aws_state()


@pytest.mark.parametrize(
    ("old", "new", "refusal"),
    [
        ("--auto-scaling-group-names ", "--auto-scaling-group-name ", "Unknown options: --auto-scaling-group-name"),
        ("--instance-ids ${ids}", "--instance-ids", "argument --instance-ids: expected at least one argument"),
    ],
    ids=["group-names-misspelt", "instance-ids-without-ids"],
)
def test_a_launch_hook_call_the_cli_would_refuse_completes_nothing_in_service(
    node: FakeNode, old: str, new: str, refusal: str
) -> None:
    node.group = {INSTANCE_ID: "Pending:Wait", "i-0aaaaaaaaaaaaaaa1": "InService"}
    node.serve_release(4000, [200])
    edits = {LAUNCH_HOOK: (old, new), STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=5")}
    result = node.run(variant("prod"), "launch-hook", edits=edits)
    assert refusal in result.stderr
    assert [c["LifecycleActionResult"] for c in node.aws_state().get("completed", [])] in ([], ["ABANDON"])


def test_an_instance_aws_does_not_know_fails_the_whole_describe(node: FakeNode) -> None:
    # DescribeInstances refuses the call when one id is unknown (no address for the node in service)
    node.group = {INSTANCE_ID: "Pending:Wait", "i-0aaaaaaaaaaaaaaa1": "InService"}
    node.serve_release(4000, [200])
    result = node.run(variant("prod"), "launch-hook", edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=5")})
    assert "(InvalidInstanceID.NotFound) when calling the DescribeInstances operation" in result.stderr
    assert "not joined within 5s: the nodes in service could not be read" in result.stderr


def test_an_unknown_s3_cp_option_fails_the_fetch(node: FakeNode) -> None:
    edits = {BOOTSTRAP: ("--only-show-errors", "--only-errors")}
    command = "source {script} && fetch_artifact /dev/null"
    result = node.run(variant("prod"), "bootstrap", "bash", "-c", command, edits=edits)
    assert result.returncode == 252
    assert "Unknown options: --only-errors" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "refusal"),
    [
        ('enable "${DRAIN_UNIT}" "${RELEASE_UNIT}"', 'enable "${RELEASE}-drain" "${RELEASE}-release.service"',
         "Unit file shop-release.service does not exist."),
        ("start --no-block", "start --noblock", "unrecognized option '--noblock'"),
        ("systemctl daemon-reload", "systemctl reload-daemon", "Unknown command verb reload-daemon."),
        ("-m ec2", "-m EC2", "Invalid mode: EC2"),
        ('-c "file:${CLOUDWATCH_CONFIG}"', '-c "file:${CLOUDWATCH_CONFIG}.missing"', "Cannot translate file:"),
    ],
    ids=["enable-a-unit-that-does-not-exist", "unknown-systemctl-option", "unknown-verb", "agent-mode", "agent-config"],
)  # fmt: skip
def test_bootstrap_fails_on_a_service_call_the_node_would_refuse(
    node: FakeNode, old: str, new: str, refusal: str
) -> None:
    settings = variant("prod")
    root, env_file = node.fs("/opt/shop"), node.fs("/etc/shop/release.env")
    overrides = f"RELEASE_ROOT={root} RELEASE_ENV={env_file} CLOUDWATCH_AGENT_CTL=amazon-cloudwatch-agent-ctl"
    result = node.run(
        settings, "bootstrap", "bash", "-c", f"source {{script}} && {overrides} main", edits={BOOTSTRAP: (old, new)}
    )
    assert result.returncode != 0
    assert refusal in result.stderr
    assert "started as" not in result.stdout


def test_an_empty_drain_seconds_fails_the_pause_instead_of_skipping_it(node: FakeNode) -> None:
    edits = {STACK_ENV: ("LOAD_BALANCER_DRAIN_SECONDS=45", "LOAD_BALANCER_DRAIN_SECONDS=")}
    result = node.run(variant("prod"), "drain-agent", edits=edits)
    assert result.returncode != 0
    assert "sleep: invalid time interval ''" in result.stderr
    assert not node.calls("systemctl")


def test_a_script_written_without_its_x_bit_does_not_run(node: FakeNode, monkeypatch) -> None:
    # systemd's ExecStart= and cloud-init's runcmd run the file itself: 0644 is "Permission denied".
    from components.plans import user_data

    original = user_data._script_file
    monkeypatch.setattr(
        user_data, "_script_file", lambda path, script: {**original(path, script), "permissions": "0644"}
    )
    with pytest.raises(PermissionError):
        node.run(variant("prod"), "drain-agent")
    assert not node.calls()
