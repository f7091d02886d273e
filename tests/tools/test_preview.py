"""`python -m tools.preview`, end to end: the contract in docs/design.md.

The real command line runs twice: the local stack applied into the session's moto server
(`served_local`: exit 0, the JSON document on stdout), and an invalid stack file (exit 2, stderr). The other tests call
`preview.main` in-process; those about its output render the session's shared apply of the stack
instead of running the program again (the same `emulated` run `apply_stack` makes), and those of
`--changes-from` apply the change over the session's apply of the old file (once per pair of files).
"""

from __future__ import annotations

import json
import re
import signal
import socket
from typing import Any

import boto3
import pytest

from tests.support.changes import PROD_CHANGES
from tests.support.commands import first_line, run_command, started_command
from tests.support.moto_server import MotoServer, Served, server_account
from tests.support.stacks import Applied, ShippedStacks, write_variant
from tools import emulated_stack, preview, verify
from tools.stack_files import StackFile, load_stack_settings, stack_file

CONTRACT_OUTPUTS = {
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "nodeSecurityGroupId",
    "loadBalancerSecurityGroupId",
}


def previewed(
    applied: Applied, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str]:
    """(exit code, stdout) of `preview.main(argv)`, whose stack is `applied`'s: the program's run
    is the session's apply of that stack file, which `apply_stack` would repeat."""

    def the_sessions_apply(stack: StackFile, endpoint: str | None = None) -> Any:
        assert (stack.settings, endpoint) == (applied.settings, None), "preview asked for another stack"
        return applied.deployment

    monkeypatch.setattr(emulated_stack, "apply_stack", the_sessions_apply)  # preview imports it at each run
    code = preview.main(list(argv))
    return code, capsys.readouterr().out


def assert_the_contract_document(document: dict[str, Any], stack: str) -> None:
    assert document["stack"] == stack
    assert set(document["outputs"]) >= CONTRACT_OUTPUTS
    for resource in document["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "id", "inputs", "outputs"}
    vpc = next(r for r in document["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] and vpc["id"].startswith("vpc-")  # camelCase wire names, moto's id
    urns = {r["urn"] for r in document["resources"]}
    assert all(r["parent"] in urns for r in document["resources"] if r["type"].startswith("aws:"))


# --- the real command line ------------------------------------------------------------------------


@pytest.mark.xdist_group("served-local")  # with verify's command-line tests: one worker applies it, once
def test_endpoint_applies_into_a_moto_server_printing_the_contract_document(served_local: Served) -> None:
    """`python -m tools.preview --stack local --format json --endpoint URL` (tests/tools/conftest.py)."""
    assert served_local.preview.returncode == 0, served_local.preview.stderr
    document = served_local.document
    assert_the_contract_document(document, "local")
    vpc_id = document["outputs"]["vpcId"]
    ec2 = served_local.account.client("ec2", "us-east-1")
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]] == [vpc_id], "the state stays there"


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
    result = run_command("preview", "--config", str(path))
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


# --- its output -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_every_shipped_stack_previews_as_the_contract_document(stack, shipped: ShippedStacks, monkeypatch, capsys):
    code, out = previewed(shipped(stack), monkeypatch, capsys, "--stack", stack, "--format", "json")
    assert code == 0
    assert_the_contract_document(json.loads(out), stack)


def test_secrets_never_reach_the_json(prod: Applied, monkeypatch, capsys):
    code, out = previewed(prod, monkeypatch, capsys, "--stack", "prod", "--format", "json")
    assert code == 0
    document = json.loads(out)
    secret_values = [
        value
        for resource in document["resources"]
        for section in ("inputs", "outputs")
        for value in resource[section].values()
        if value == "[secret]"
    ]
    assert secret_values or not any(r["type"].startswith("random:") for r in document["resources"])


def test_table_format_lists_resources_under_their_components(dev: Applied, monkeypatch, capsys):
    code, out = previewed(dev, monkeypatch, capsys, "--stack", "dev")
    assert code == 0
    assert out.startswith("Stack dev:")
    assert "\n  elixir-cluster:index:Network" in out
    assert "\n    aws:ec2/vpc:Vpc" in out
    assert "Outputs" in out and "vpcId" in out


def test_mermaid_format_draws_the_rules_with_their_real_ports(dev: Applied, monkeypatch, capsys):
    code, out = previewed(dev, monkeypatch, capsys, "--stack", "dev", "--format", "mermaid")
    assert code == 0
    assert out.startswith("flowchart LR")
    assert "nodes <-->|" in out and "4369" in out
    assert "lb -->|" in out


# --- applying, and what fails -----------------------------------------------------------------------


def test_prod_served_by_this_projects_moto_server_verifies_clean(moto_server: str, capsys, monkeypatch):
    """The user's story: a server up (here the session's), prod applied into it, prod verified there."""
    for key, value in server_account(moto_server).credentials.items():
        monkeypatch.setenv(key, value)
    assert preview.main(["--stack", "prod", "--endpoint", moto_server]) == 0
    capsys.readouterr()
    assert verify.main(["--stack", "prod", "--endpoint", moto_server, "--format", "json"]) == verify.EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert [c["check"] for c in document["checks"] if c["status"] == "fail"] == []
    assert document["where"] == f"{moto_server} (region eu-west-1)"
    listeners = next(c for c in document["checks"] if c["check"] == "load_balancer.listeners")
    certificate = load_stack_settings(stack_file("prod")).load_balancer.certificate_arn
    assert "HTTPS:443 forward to" in listeners["detail"] and certificate in listeners["detail"]


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


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_an_endpoint_where_nothing_listens_is_one_line_and_exit_1(stack, capsys):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, never listening
        assert preview.main(["--stack", stack, "--endpoint", endpoint]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"error: cannot reach the AWS endpoint {endpoint}: Connection refused; is a moto server running there? "
        "(python -m tools.emulator.server -p PORT)"
    ]


def test_ctrl_c_while_the_stack_is_applied_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(emulated_stack, "apply_stack", interrupted)
    assert preview.main(["--stack", "dev"]) == 130  # what a shell reports for SIGINT: 128 + 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["interrupted: the emulated account is discarded, nothing is kept"]


def test_a_missing_stack_file_is_refused():
    assert preview.main(["--stack", "nonexistent"]) == 2


def test_more_zones_than_aws_publishes_for_the_region_is_an_invalid_stack_file(tmp_path, capsys):
    path = write_variant(
        tmp_path, "dev", "zones", {"aws:region": "eu-west-1", "elixir-cluster:network": {"availabilityZones": 4}}
    )
    assert preview.main(["--config", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("elixir-cluster:network.availabilityZones: must be <= 3: AWS publishes 3")


def test_more_zones_than_the_account_has_exits_1_naming_the_key(tmp_path, capsys):
    """AWS publishes three zones in us-west-1 but gives newer accounts two, as moto's account has."""
    path = tmp_path / "Pulumi.zones.yaml"
    path.write_text(
        "config:\n"
        "  aws:region: us-west-1\n"
        "  elixir-cluster:cluster: {name: shop, environment: dev}\n"
        "  elixir-cluster:network: {availabilityZones: 3}\n"
        "  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}\n"
    )
    assert preview.main(["--config", str(path)]) == 1
    error = capsys.readouterr().err
    assert "elixir-cluster:network.availabilityZones" in error
    assert "set it to 2 or fewer" in error


def test_serve_says_ready_in_one_line_logs_no_request_and_stops_on_sigterm(tmp_path):
    """The README's walkthrough waits for that line, then calls the server; SIGTERM (a script's kill)
    stops it as Ctrl-C does."""
    output = tmp_path / "preview.json"
    with started_command("preview", "--stack", "local", "--serve", "0", "--format", "json", output=output) as serving:
        ready = first_line(serving.stderr)
        match = re.match(r"ready: stack local applied into the moto server at (http://127\.0\.0\.1:\d+) ", ready)
        assert match, ready
        ec2 = boto3.client(
            "ec2", region_name="us-east-1", endpoint_url=match[1], aws_access_key_id="x", aws_secret_access_key="x"
        )
        assert ec2.describe_vpcs()["Vpcs"], "the stack is there"
        serving.send_signal(signal.SIGTERM)
        _, err = serving.communicate(timeout=30)
    assert serving.returncode == 0
    assert err == "", "no line per request, no traceback"
    assert json.loads(output.read_text())["stack"] == "local"


def test_serve_on_a_taken_port_exits_1_naming_it(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert preview.main(["--stack", "dev", "--serve", str(port)]) == 1
    error = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in error
    assert "--serve PORT" in error


# --- --changes-from: the change report ---------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_every_shipped_stack_against_its_own_file_changes_nothing(
    stack, shipped: ShippedStacks, previews_read_the_session, capsys
):
    """What `--changes-from` prints for a stack file a pull request leaves as it was (today, HEAD~1's)."""
    shipped(stack)
    assert preview.main(["--stack", stack, "--changes-from", str(stack_file(stack))]) == 0
    out = capsys.readouterr().out
    assert "\n  No changes.\n" in out and "Nothing to do;" in out
    assert "Node refresh" not in out


def test_changes_from_prints_the_contract_document(prod: Applied, previews_read_the_session, tmp_path, capsys):
    old, new = PROD_CHANGES["new artifact"].files(tmp_path)
    assert preview.main(["--config", str(new), "--changes-from", str(old), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"stack", "changes", "refresh"} and document["stack"] == "prod"
    assert {c["action"] for c in document["changes"]} == {"update"}
    assert (document["refresh"]["nodes"], document["refresh"]["batch"]) == (3, 1)


def test_an_old_file_is_read_as_the_stacks_own_whatever_its_name(
    prod: Applied, previews_read_the_session, tmp_path, capsys
):
    """A base branch's file saved anywhere (`git show base:stacks/Pulumi.prod.yaml > old.yaml`)."""
    old = tmp_path / "old.yaml"
    old.write_text(stack_file("prod").read_text())
    assert preview.main(["--stack", "prod", "--changes-from", str(old)]) == 0
    assert "No changes." in capsys.readouterr().out


def test_fail_on_replace_exits_3_naming_what_is_replaced(dev: Applied, previews_read_the_session, tmp_path, capsys):
    """The cookie parameter's name is ForceNew (ssm/parameter.go): a new name replaces it."""
    new = write_variant(tmp_path, "dev", "dev", {"elixir-cluster:release": {"cookieParameter": "/shop/dev/cookie-2"}})
    argv = ["--config", str(new), "--changes-from", str(stack_file("dev"))]
    assert preview.main(argv) == 0  # a replacement alone is no failure
    assert "+- replace aws:ssm/parameter:Parameter" in capsys.readouterr().out
    assert preview.main([*argv, "--fail-on", "replace"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: --fail-on replace: the change replaces aws:ssm/parameter:Parameter")


def test_a_change_pulumi_up_would_stop_at_is_reported_then_exits_1(
    prod: Applied, previews_read_the_session, tmp_path, capsys
):
    old, new = PROD_CHANGES["internet-facing load balancer"].files(tmp_path)
    assert preview.main(["--config", str(new), "--changes-from", str(old), "--fail-on", "replace"]) == 1
    captured = capsys.readouterr()
    assert "+- replace aws:lb/loadBalancer:LoadBalancer" in captured.out
    assert captured.err.startswith("error: aws:lb/loadBalancer:LoadBalancer 'shop-lb-alb': OperationNotPermitted")


def test_an_invalid_old_file_exits_2_naming_the_file_and_every_key(tmp_path, capsys):
    old = write_variant(tmp_path, "dev", "dev", {"elixir-cluster:nodes": {"minSize": 3, "maxSize": 2}})
    assert preview.main(["--stack", "dev", "--changes-from", str(old)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and all(line.startswith(f"{old}: elixir-cluster:") for line in lines)
    assert preview.main(["--stack", "dev", "--changes-from", str(tmp_path / "gone.yaml")]) == 2
    assert "no stack file at this path (--changes-from)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--fail-on", "replace"], ["--changes-from", "old.yaml", "--format", "mermaid"]],
    ids=["no-base", "mermaid"],
)
def test_options_that_need_a_change_or_cannot_show_one_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as usage:
        preview.main(["--stack", "dev", *argv])
    assert usage.value.code == 2
    assert "--changes-from" in capsys.readouterr().err
