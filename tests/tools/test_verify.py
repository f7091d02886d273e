"""`python -m tools.verify`: the command line (exit codes, --endpoint, progress, credentials,
profiles) and what a whole run reports, as docs/design.md's contract says.

Most tests call `verify.main` in-process against the in-process moto the emulator runs, as the
caller of the stack's account; the shipped stacks are the session's, shared read-only. A stack
applied into the session's moto server is verified through it (`--endpoint`), and the real
command line is run against dev there. Each check's own tampers are in tests/verifier/.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
from pathlib import Path
from typing import Any

import botocore.client
import pytest

from components.plans import names
from tests.support import variants
from tests.support.commands import run_command
from tests.support.fragments import EXISTING_NETWORK
from tests.support.moto_server import Served, server_account
from tests.support.stacks import Applied, Deploy, ShippedStacks, write_variant
from tests.support.verify import (
    CONDITIONAL_PERMISSIONS,
    DEV_VARIANT,
    PROD_VARIANT,
    failing,
    permissions_for,
    readme_permissions,
    recorded_permissions,
    refuse,
    run_verify,
    verdicts,
)
from tools import verify
from tools.emulated_stack import emulated
from tools.emulator import fresh_account_id
from tools.stack_files import load_stack, stack_file, stack_names


class Terminal(io.StringIO):
    """A stdout that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a whole run: each stack verifies clean, read-only ---------------------------------------------


@pytest.mark.parametrize("stack", stack_names())
def test_a_freshly_applied_stack_verifies_clean(
    shipped: ShippedStacks, stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = shipped(stack)
    with recorded_permissions(monkeypatch) as calls:
        code, document, _ = run_verify(env, "--stack", stack, "--format", "json")
    assert failing(document) == {}
    assert calls == permissions_for(env.settings), "README's policy for verify and its calls part ways"
    assert code == verify.EXIT_OK
    assert document["environment"] == env.settings.qualified_name
    areas = {check.split(".")[0] for check in verdicts(document)}
    assert areas == {
        "group",
        "refresh",
        "load_balancer",
        "security",
        "launch_template",
        "node_role",
        "cookie",
        "scaling",
        "lifecycle",
        "monitoring",
        "network",
        "encryption",
    }


@pytest.mark.xdist_group("prod-variant")  # with the instance mix's tampers (tests/verifier/test_group.py): one apply
def test_prod_with_the_options_the_shipped_stacks_leave_out_verifies_clean(
    deploy: Deploy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PROD_VARIANT: spot and two instance types, an extra security group, an existing web ACL,
    flow logs to S3 (DEV_VARIANT's options are verified through the moto server, below)."""
    env = deploy("prod", PROD_VARIANT)
    path = write_variant(tmp_path, "prod", "variant", PROD_VARIANT)
    with recorded_permissions(monkeypatch) as calls:
        code, document, _ = run_verify(env, "--config", str(path), "--format", "json")
    assert failing(document) == {}
    assert calls == permissions_for(env.settings)
    assert code == verify.EXIT_OK


SHARED_VARIANTS = {
    "dev_behind_an_nlb": "dev",
    "prod_behind_an_nlb_in_one_zone": "prod",
    "dev_in_an_existing_vpc": "dev",
    "private_dev": "dev",
}
"""tests/support/variants.py's variants (the fixture of each, and its shipped stack), each read on the
worker that applies it (its xdist group)."""


@pytest.mark.parametrize(
    "variant", [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in SHARED_VARIANTS]
)
def test_a_shared_variant_verifies_clean_with_the_calls_readme_grants(
    request: pytest.FixtureRequest, variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env: Applied = request.getfixturevalue(variant)
    path = write_variant(tmp_path, SHARED_VARIANTS[variant], "variant", getattr(variants, variant.upper()))
    with recorded_permissions(monkeypatch) as calls:
        code, document, _ = run_verify(env, "--config", str(path), "--format", "json")
    assert failing(document) == {}
    assert code == verify.EXIT_OK
    assert calls == permissions_for(env.settings)


def test_each_call_readme_grants_only_to_some_stacks_is_made_by_one_the_tests_verify(tmp_path: Path) -> None:
    """The conditional actions of README's policy (tests/support/verify.py) are each recorded on a
    stack above: none is granted for nothing."""
    files = [stack_file(name) for name in stack_names()]
    files += [write_variant(tmp_path, "prod", "prodvariant", PROD_VARIANT)]
    files += [write_variant(tmp_path, "dev", "devvariant", DEV_VARIANT)]
    files += [
        write_variant(tmp_path, base, name, getattr(variants, name.upper())) for name, base in SHARED_VARIANTS.items()
    ]
    verified = [load_stack(path).settings for path in files]
    assert set(CONDITIONAL_PERMISSIONS) <= set(readme_permissions())
    for action, applies in CONDITIONAL_PERMISSIONS.items():
        assert any(applies(settings) for settings in verified), action


def test_prod_checks_every_declared_policy_schedule_and_alarm_by_name(prod: Applied) -> None:
    env = prod
    _, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    checks = verdicts(document)
    details = " ".join(c["detail"] for c in checks.values())
    for name in [
        *names.scaling_policy_names(env.settings),
        *names.step_alarm_names(env.settings),
        *names.health_alarm_names(env.settings),
    ]:
        assert name.removeprefix(f"{env.settings.qualified_name}-") in details, name
    assert checks["scaling.schedules"]["detail"] == "2 scheduled actions as declared"
    assert checks["security.nodes"]["status"] == "pass"


def test_verify_makes_only_read_calls(prod: Applied, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    code, _, _ = run_verify(prod, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_OK
    assert calls, "verify made no AWS calls at all"
    assert {c for c in calls if not c.startswith(("Describe", "Get", "List"))} == set()
    assert "GetParameter" not in calls, "the cookie's value is none of verify's business"


def test_alarm_states_are_reported_as_warnings_not_failures(deploy: Deploy) -> None:
    env = deploy("prod")
    cloudwatch = env.client("cloudwatch")
    cloudwatch.set_alarm_state(
        AlarmName=names.health_alarm_name(env.settings, "p99-latency"), StateValue="ALARM", StateReason="test"
    )
    cloudwatch.set_alarm_state(
        AlarmName=names.step_alarm_name(env.settings, env.settings.scaling.step[0]),
        StateValue="INSUFFICIENT_DATA",
        StateReason="test",
    )
    code, document, _ = run_verify(env, "--stack", "prod", "--format", "json")
    assert code == verify.EXIT_OK
    health, step = verdicts(document)["monitoring.alarms"], verdicts(document)["scaling.step-run-queue"]
    assert health["status"] == "warn"
    assert "shop-prod-p99-latency" in health["detail"]
    assert step["status"] == "warn"
    assert "no data for Elixir/BEAM/TotalRunQueueLength" in step["detail"]
    assert document["verdict"] == "warn"


# --- what AWS refuses ------------------------------------------------------------------------------


def test_a_refused_call_fails_its_area_alone_naming_the_permission(
    dev: Applied, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse(monkeypatch, "DescribeParameters")
    code, document, _ = run_verify(dev, "--stack", "dev", "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert failing(document) == {
        "cookie.access": "DescribeParameters: AccessDenied: not authorized to perform DescribeParameters"
    }
    assert "grant the verifying identity DescribeParameters" in verdicts(document)["cookie.access"]["fix"]
    # the cookie's key is found through the parameter: left unchecked, said so, not failed twice
    assert verdicts(document)["encryption.lookup"]["status"] == "warn"


def test_a_refused_discovery_exits_1_naming_the_permission(dev: Applied, monkeypatch: pytest.MonkeyPatch) -> None:
    refuse(monkeypatch, "DescribeAutoScalingGroups")
    code, output, stderr = run_verify(dev, "--stack", "dev")
    assert code == verify.EXIT_UNREACHABLE
    assert output == ""
    assert "DescribeAutoScalingGroups: AccessDenied" in stderr


# --- exit codes: bad stack file, unreachable AWS -----------------------------------------------------


def test_a_bad_stack_file_exits_2_with_one_problem_per_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "dev", "broken", {"elixir-cluster:nodes": {"minSize": 5, "maxSize": 2}})
    code, _, stderr = run_verify(None, "--config", str(path))
    assert code == verify.EXIT_INVALID
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("elixir-cluster:") for line in lines)
    assert any(line.startswith("elixir-cluster:nodes.maxSize") for line in lines)


def test_an_unknown_stack_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run_verify(None, "--config", str(tmp_path / "Pulumi.nowhere.yaml"))
    assert code == verify.EXIT_INVALID
    assert "no stack file" in stderr


def test_an_unreachable_endpoint_exits_1_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    endpoint = f"http://127.0.0.1:{_free_port()}"
    code, output, stderr = run_verify(None, "--stack", "dev", "--endpoint", endpoint)
    assert code == verify.EXIT_UNREACHABLE
    assert output == ""
    assert f"cannot reach {endpoint} (region eu-west-1)" in stderr


def test_a_profile_that_does_not_exist_exits_1_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "shop-prod-readonly")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    code, _, stderr = run_verify(None, "--stack", "dev")
    assert code == verify.EXIT_UNREACHABLE
    assert "shop-prod-readonly" in stderr
    assert "Traceback" not in stderr


# --- the progress display --------------------------------------------------------------------------


def test_progress_is_a_spinner_on_a_terminal_and_plain_lines_otherwise(dev: Applied) -> None:
    _, _, piped = run_verify(dev, "--stack", "dev")
    assert "verify: security groups: pass" in piped.splitlines()
    assert "\r" not in piped
    _, table, live = run_verify(dev, "--stack", "dev", stdout=Terminal())
    assert "checking security groups..." in live
    assert live.endswith("\r\033[K"), "the spinner clears its line before the report"
    assert "ok    security.nodes" in table


# --- through a moto server (--endpoint) ------------------------------------------------------------

SERVED = [
    pytest.param("staging", None, id="staging"),
    pytest.param("dev", DEV_VARIANT, id="dev-variant-in-an-existing-vpc"),
]
"""Applied into the server here; local is applied there by the command line (`served_local`), and
verified by it below; prod by preview's test of the user's story (tests/tools/test_preview.py)."""


@pytest.mark.parametrize(("stack", "changes"), SERVED)
def test_a_stack_applied_into_the_moto_server_verifies_clean_through_it(
    moto_server: str, stack: str, changes: dict[str, Any] | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What it references but does not own (staging's certificate, an existing VPC and its
    subnets) is created in the server under the ids it names, as in-process."""
    path = stack_file(stack) if changes is None else write_variant(tmp_path, stack, "variant", changes)
    with emulated(path, endpoint=moto_server, account_id=fresh_account_id()) as applied:
        env = Applied(*applied)
        with recorded_permissions(monkeypatch) as calls:
            code, document, _ = run_verify(env, "--config", str(path), "--endpoint", moto_server, "--format", "json")
    assert failing(document) == {}
    assert calls == permissions_for(env.settings)
    assert code == verify.EXIT_OK
    assert document["where"] == f"{moto_server} (region {env.settings.region})"
    if env.settings.load_balancer.certificate_arn:
        assert env.settings.load_balancer.certificate_arn in verdicts(document)["load_balancer.listeners"]["detail"]
    if changes is not None:
        assert env.outputs["vpcId"] == EXISTING_NETWORK["vpcId"]
        assert sorted(env.outputs["privateSubnetIds"]) == sorted(EXISTING_NETWORK["privateSubnetIds"])


def _verify_local(endpoint: str, *argv: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`python -m tools.verify --stack local --endpoint URL argv...` in a process of its own."""
    return run_command("verify", "--stack", "local", "--endpoint", endpoint, *argv, **env)


@pytest.mark.xdist_group("served-local")  # one worker applies local into the server, once
class TestTheCommandLine:
    """`python -m tools.verify` in a process of its own, against the local stack in the session's
    moto server: clean, then without credentials, then after a tamper."""

    def test_it_verifies_the_applied_stack_clean(self, moto_server: str, served_local: Served) -> None:
        result = _verify_local(moto_server, "--format", "json", **served_local.account.credentials)
        assert result.returncode == verify.EXIT_OK, result.stdout + result.stderr
        document = json.loads(result.stdout)
        assert document["verdict"] in ("pass", "warn")
        assert document["where"] == f"{moto_server} (region us-east-1)"
        assert "verify: security groups: pass" in result.stderr.splitlines()

    def test_it_exits_1_without_credentials(self, moto_server: str, served_local: Served) -> None:
        result = _verify_local(
            moto_server,
            AWS_ACCESS_KEY_ID=None,
            AWS_SECRET_ACCESS_KEY=None,
            AWS_PROFILE=None,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_CONFIG_FILE=os.devnull,
        )
        assert result.returncode == verify.EXIT_UNREACHABLE
        assert "no AWS credentials" in result.stderr

    def test_it_exits_4_naming_epmd_opened_to_the_world(self, moto_server: str, served_local: Served) -> None:
        ec2 = served_local.account.client("ec2", "us-east-1")
        group = served_local.document["outputs"]["nodeSecurityGroupId"]
        epmd = [{"IpProtocol": "tcp", "FromPort": 4369, "ToPort": 4369, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=epmd)
        try:
            result = _verify_local(moto_server, **served_local.account.credentials)
        finally:
            ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=epmd)  # local as applied, for the others
        assert result.returncode == verify.EXIT_DRIFTED, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        at = next(i for i, line in enumerate(lines) if "security.nodes" in line)
        line, fix = lines[at], lines[at + 1].strip()
        assert line.startswith("FAIL")
        # the rule is no resource of the stack's: no refresh removes it, the operator revokes it
        assert fix.startswith(
            f"fix: revoke the extra rules (aws ec2 revoke-security-group-{{ingress,egress}} --group-id {group})"
        )
        assert "no refresh or update removes what was added beside it" in fix
        assert "extra rule: ingress tcp 4369-4369" not in line  # a single port reads as one
        assert "extra rule: ingress tcp 4369 from 0.0.0.0/0" in line


# --- an environment that is not there -------------------------------------------------------------


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_an_environment_that_does_not_exist_passes_no_check_and_says_what_was_not_found(
    moto_server: str, stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty account: every check fails or warns, naming what it did not find; none passes (it
    once said "ok encryption.rotation on for the no keys")."""
    for name, value in server_account(moto_server).credentials.items():
        monkeypatch.setenv(name, value)
    code, document, _ = run_verify(None, "--stack", stack, "--endpoint", moto_server, "--format", "json")
    assert code == verify.EXIT_DRIFTED
    assert [c["check"] for c in document["checks"] if c["status"] == "pass"] == []
    first = document["checks"][0]
    assert (first["check"], first["status"]) == ("discovery.environment", "fail")
    assert first["detail"].startswith("nothing tagged ")
    unsaid = [c for c in document["checks"][1:] if not re.search(r"\bno |\bmissing |not found", c["detail"])]
    assert unsaid == []
    rotation = verdicts(document)["encryption.rotation"]
    assert rotation["status"] == "warn"
    assert rotation["detail"].startswith("not found, so not checked: the cookie key (no SecureString cookie parameter)")
