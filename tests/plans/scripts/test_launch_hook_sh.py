"""scripts/launch-hook.sh: a new node completes its launch lifecycle action CONTINUE once the release
answers the load balancer's health check and sees a node in service, ABANDON when it has not within
release.joinSeconds; the wait is measured on the fake clock the fake sleep moves on.

The sandbox node (tests/support/fake_node.py) is prod's: health check /health on port 4000, matcher
200, joinSeconds 120, a poll every 5 s. The release answers on the node's address (ReleaseServer) and
its rpc (fakes/release.sh); the group's instances and addresses are the fake aws's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from components.plans.node_scripts import SCRIPTS_DIR
from tests.support.fake_node import CLOCK_START, GROUP_NAME, INSTANCE_ID, NODE_IP, FakeNode
from tests.support.node_bootstrap import require, variant

STACK_ENV = "/usr/local/libexec/shop/stack.env"
PEERS_EXPRESSION = "Enum.each(Node.list(), &IO.puts/1)"
OLD_NODE, OLD_IP = "i-0aaaaaaaaaaaaaaa1", "10.40.33.4"
"""A node of the group in service (the previous release's, during a refresh)."""
SIBLING, SIBLING_IP = "i-0bbbbbbbbbbbbbbb2", "10.40.17.30"
"""Another new node, launched in the same batch and held by the hook too."""
COOKIE = "kR3ewP0q9sZt7mNv2xLc8bYh4jDf6gA1"


@pytest.fixture
def joining(node: FakeNode) -> FakeNode:
    """A new node held in Pending:Wait by the launch hook, in a group with one node in service."""
    node.group = {INSTANCE_ID: "Pending:Wait", OLD_NODE: "InService", SIBLING: "Pending:Wait"}
    node.addresses = {INSTANCE_ID: NODE_IP, OLD_NODE: OLD_IP, SIBLING: SIBLING_IP}
    return node


def run(node: FakeNode, *arguments: str, edits: dict[str, tuple[str, str]] | None = None):
    """launch-hook's main on the prod node, its paths under the sandbox: the release's root, release.env
    (with the RELEASE_NODE the bootstrap adds), and the unit's runtime directory holding secrets.env."""
    settings = variant("prod")
    root = "/opt/shop"
    node.install_release(root)
    installed = node.installed(settings, "/etc/shop/release.env", edits).read_text()
    env_file = node.root / "release.env"  # the run installs the user data's files again: keep it aside
    env_file.write_text(installed + f'RELEASE_NODE="shop@{NODE_IP}"\n')
    runtime = node.root / "runtime"
    (runtime / "secrets.env").write_text(f'RELEASE_COOKIE="{COOKIE}"\nDATABASE_URL="ecto://user:pw@db/shop"\n')
    paths = f"RELEASE_ROOT={node.fs(root)} RELEASE_ENV={env_file} RUNTIME_DIR={runtime}"
    script = f"source {{script}} && {paths} main {' '.join(arguments)}"
    return node.run(settings, "launch-hook", "bash", "-c", script, edits=edits)


def completed(node: FakeNode) -> list[tuple[str, str, str]]:
    return [
        (c["LifecycleHookName"], c["InstanceId"], c["LifecycleActionResult"])
        for c in node.aws_state().get("completed", [])
    ]


def health_checks(node: FakeNode) -> list[str]:
    return [call for call in node.calls("curl") if call.endswith(":4000/health")]


def state(node: FakeNode) -> str:
    return node.aws_state()["groups"][GROUP_NAME]["instances"][INSTANCE_ID]


# --- CONTINUE --------------------------------------------------------------------------------------


def test_a_node_that_serves_and_sees_a_node_in_service_continues(joining: FakeNode) -> None:
    server = joining.serve_release(4000, [503, 503, 200])  # the release takes two polls to come up
    joining.release_sees(f"shop@{SIBLING_IP}", f"shop@{OLD_IP}")
    result = run(joining)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"serves /health; sees shop@{OLD_IP}\nlaunch lifecycle action completed: CONTINUE\n")
    assert completed(joining) == [("release-join", INSTANCE_ID, "CONTINUE")]
    assert state(joining) == "InService"
    assert server.requests == ["/health"] * 3  # the path the load balancer asks, on the traffic port
    assert joining.clock() == CLOCK_START + 2 * 5


def test_the_release_is_asked_through_its_rpc_as_its_user_with_the_cookie_alone_of_its_secrets(
    joining: FakeNode,
) -> None:
    joining.serve_release(4000, [200])
    joining.release_sees(f"shop@{OLD_IP}")
    assert run(joining).returncode == 0
    [runuser] = joining.calls("runuser")
    assert runuser == f"runuser -u shop -- {joining.fs('/opt/shop/bin/shop')} rpc {PEERS_EXPRESSION}"
    environment = dict(
        line.split("=", 1) for line in (joining.fs("/release-rpc.env")).read_text().splitlines() if "=" in line
    )
    assert environment["RELEASE_COOKIE"] == COOKIE
    assert environment["RELEASE_NODE"] == f"shop@{NODE_IP}"
    assert environment["RELEASE_DISTRIBUTION"] == "name"
    assert environment["RELEASE_TMP"] == str(joining.root / "runtime")  # the unit's RuntimeDirectory
    assert environment["ERL_AFLAGS"] == "-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9155"
    assert "DATABASE_URL" not in environment  # the release's other secrets stay in its file


def test_the_groups_first_node_continues_once_it_serves(joining: FakeNode) -> None:
    joining.group = {INSTANCE_ID: "Pending:Wait", SIBLING: "Pending:Wait"}  # nothing in service to join
    joining.serve_release(4000, [200])
    result = run(joining)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("serves /health; no node in service to join\n")
    assert completed(joining) == [("release-join", INSTANCE_ID, "CONTINUE")]
    assert not joining.calls("runuser") and not [c for c in joining.calls("aws") if " ec2 " in c]


def test_any_status_the_matcher_accepts_will_do(joining: FakeNode) -> None:
    joining.group = {INSTANCE_ID: "Pending:Wait"}
    joining.serve_release(4000, [503, 204])
    edits = {STACK_ENV: ("HEALTH_MATCHER=200", "HEALTH_MATCHER=200,202-204")}
    assert run(joining, edits=edits).returncode == 0
    assert completed(joining) == [("release-join", INSTANCE_ID, "CONTINUE")]


# --- ABANDON -----------------------------------------------------------------------------------------


def test_a_release_that_never_serves_is_abandoned_after_join_seconds_of_the_clock(joining: FakeNode) -> None:
    server = joining.serve_release(4000, [503])
    result = run(joining)
    assert result.returncode == 0, result.stderr
    assert "not joined within 120s: /health answered 503, not 200" in result.stderr
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]
    assert state(joining) == "Terminating"
    # bounded: 24 polls 5 s apart reach the deadline, 25 health checks in all, and not one more
    assert joining.calls("sleep") == ["sleep 5"] * 24
    assert joining.clock() == CLOCK_START + 120
    assert len(server.requests) == 25


def test_the_wait_follows_join_seconds(joining: FakeNode) -> None:
    joining.serve_release(4000, [503])
    run(joining, edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=30")})
    assert joining.clock() == CLOCK_START + 30
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]


def test_a_release_that_does_not_answer_at_all_is_abandoned(joining: FakeNode) -> None:
    # nothing listens on the port: curl reports 000
    result = run(joining, edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=10")})
    assert "not joined within 10s: /health answered 000, not 200" in result.stderr
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]


def test_a_node_that_only_sees_its_own_batch_is_abandoned(joining: FakeNode) -> None:
    # an island: the new nodes found each other, not the cluster in service
    joining.serve_release(4000, [200])
    joining.release_sees(f"shop@{SIBLING_IP}")
    result = run(joining, edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=10")})
    assert (
        f"not joined within 10s: sees none of the nodes in service (shop@{OLD_IP}), only [shop@{SIBLING_IP}]"
        in result.stderr
    )
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]


def test_a_release_whose_rpc_fails_is_abandoned_saying_how(joining: FakeNode) -> None:
    joining.serve_release(4000, [200])  # serves HTTP, but its distribution never came up
    result = run(joining, edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=10")})
    assert "not joined within 10s: bin/shop rpc failed: --rpc-eval : RPC failed with reason :nodedown" in result.stderr
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]


def test_abandon_says_why_and_completes_at_once(joining: FakeNode) -> None:
    result = run(joining, "abandon", "'the bootstrap failed (exit 1)'")
    assert result.returncode == 0, result.stderr
    assert f"abandoning {INSTANCE_ID}: the bootstrap failed (exit 1)" in result.stderr
    assert completed(joining) == [("release-join", INSTANCE_ID, "ABANDON")]
    assert not health_checks(joining)  # nothing to wait for


# --- no launch hook ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lifecycle", ["InService", "Terminating:Wait"])
def test_a_node_no_launch_hook_holds_completes_nothing(node: FakeNode, lifecycle: str) -> None:
    node.group = {INSTANCE_ID: lifecycle}
    result = run(node)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{INSTANCE_ID} is {lifecycle}: no launch hook holds it\n"
    assert completed(node) == [] and not health_checks(node)


def test_a_node_the_group_has_not_reached_yet_is_asked_again(node: FakeNode) -> None:
    # Pending for the whole wait: the hook never held it (a group without one would have put it in service)
    node.group = {INSTANCE_ID: "Pending"}
    result = run(node, edits={STACK_ENV: ("JOIN_SECONDS=120", "JOIN_SECONDS=10")})
    assert result.stdout == f"{INSTANCE_ID} is Pending: no launch hook holds it\n"
    assert node.calls("sleep") == ["sleep 5"] * 2 and completed(node) == []


# --- what the script asks the release ------------------------------------------------------------------


def test_the_peers_expression_prints_node_list_one_a_line(tmp_path: Path) -> None:
    elixir = require("elixir")
    assert f"rpc '{PEERS_EXPRESSION}'" in (SCRIPTS_DIR / "launch-hook.sh").read_text()
    # without distribution Node.list() is empty: nothing printed; a list of node names, one a line
    listed = PEERS_EXPRESSION.replace("Node.list()", '[:"shop@10.40.33.4", :"shop@10.40.17.30"]')
    done = subprocess.run(
        [elixir, "-e", f"{PEERS_EXPRESSION}; {listed}"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert (done.returncode, done.stdout) == (0, "shop@10.40.33.4\nshop@10.40.17.30\n"), done.stderr
