"""The example release (examples/shop): built by Debian's elixir, started from the rendered environment.

Three instances run it with the environment `release_environment` renders for a dns
variant of the dev stack (PHX_HOST among it) plus the secrets a Phoenix release needs
(SECRET_KEY_BASE, DATABASE_URL for the lab's PostgreSQL), a DNS server in the lab answering DNS_CLUSTER_QUERY
with their addresses: they serve the health path, mesh through DNS, keep the cookie and the
secrets off every command line and out of every environment but the release's, and stop
gracefully on SIGTERM. Without SECRET_KEY_BASE or DATABASE_URL the release refuses to
start, naming the variable. The application's own ExUnit tests run too.
"""

from __future__ import annotations

import json
import re
import secrets
import signal
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.plans.discovery import dns_cluster_query
from components.plans.release_environment import release_environment
from tests.support.node_lab import skip_unless_ready
from tools.conformance import netns
from tools.conformance.node_lab import release
from tools.conformance.node_lab.database import Database
from tools.conformance.node_lab.instance import Instance
from tools.conformance.node_lab.release_secrets import LabSecrets
from tools.conformance.node_lab.secret_scan import comm, descendants, host_pids, in_processes
from tools.conformance.node_lab.stack_variants import release_variant, settings_of
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

NODES = 3
RELEASE_ROOT = "/opt/shop"
STATE_DIR = "/var/lib/shop"
RUNTIME_DIR = "/run/shop"
MESH_TIMEOUT_SECONDS = 30
"""dns_cluster's five-second poll, a few times over."""
STOP_TIMEOUT_SECONDS = 15
"""The dev stack's drainSeconds: a graceful stop must fit in it."""


def test_the_tarball_unpacks_to_the_release_root(release_tarball):
    with tarfile.open(release_tarball) as tarball:
        names = tarball.getnames()
        script = tarball.getmember("bin/shop")
    top = {name.split("/", 1)[0] for name in names}
    erts = [t for t in top if t.startswith("erts-")]
    assert top == {"bin", "lib", "releases", *erts} and len(erts) == 1, top
    assert script.mode & 0o111, "bin/shop must be executable"
    # From the OTP lib dir into the release: the PostgreSQL client, and :scheduler for BEAM metrics.
    applications = {name.split("/")[1].rsplit("-", 1)[0] for name in names if name.startswith("lib/")}
    assert {"p1_pgsql", "runtime_tools"} <= applications, applications


def test_the_applications_own_tests_pass(tmp_path):
    skip_unless_ready(release.missing_build_tools())
    done = release.run_app_tests(tmp_path)
    assert done.returncode == 0 and ", 0 failures" in done.stdout, done.stdout + done.stderr


def test_the_release_script_never_puts_the_cookie_on_a_command_line(release_tarball):
    with tarfile.open(release_tarball) as tarball:
        script = tarball.extractfile("bin/shop").read().decode()
        env_sh = next(tarball.extractfile(m).read().decode() for m in tarball if m.name.endswith("/env.sh"))
    assert "--cookie" not in script
    assert "erlang/.erlang.cookie" in env_sh


def test_a_machine_without_elixir_is_told_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(release.shutil, "which", lambda command: None)
    with pytest.raises(release.ReleaseBuildFailed, match="mix: apt-get install elixir"):
        release.build_release(tmp_path)


# --- three nodes on DNS discovery ------------------------------------------------------------


@dataclass
class RunningNode:
    instance: Instance
    environment: dict[str, str]
    process: subprocess.Popen
    log: Path

    @property
    def name(self) -> str:
        return self.environment["RELEASE_NODE"]


@dataclass
class DnsCluster:
    nodes: list[RunningNode]
    client: netns.Namespace
    zone: Path
    query: str
    cookie: str
    given: LabSecrets

    def get(self, node: RunningNode, path: str) -> tuple[int, str]:
        url = f"http://{node.instance.namespace.address}:{node.environment['PORT']}{path}"
        done = self.client.run(["curl", "-s", "-m", "5", "-w", "\n%{http_code}", url], check=False)
        body, _, status = done.stdout.rpartition("\n")
        return int(status or 0), body

    def visible(self, node: RunningNode) -> set[str] | None:
        status, body = self.get(node, "/node")
        return set(json.loads(body)["nodes"]) if status == 200 else None

    def full_mesh(self, nodes: list[RunningNode]) -> bool:
        names = {n.name for n in nodes}
        return all(self.visible(n) == names - {n.name} for n in nodes)


@pytest.fixture(scope="module")
def dns_cluster(release_tarball, lab_tools, tmp_path_factory) -> Iterator[DnsCluster]:
    workdir = tmp_path_factory.mktemp("dns-cluster")
    settings = settings_of(release_variant("dev", workdir / "stack", discovery="dns"))
    network = netns.Network("nlrel")
    instances: list[Instance] = []
    nodes: list[RunningNode] = []
    cookie = secrets.token_hex(20)
    database = None
    try:
        network.create()
        database = Database(network.add("database"), workdir)
        database.start()
        password = secrets.token_urlsafe(24)
        given = LabSecrets.generate(database.create_app_database(settings.release.name, password), password)
        resolver = network.add("dns")
        zone = workdir / "zone.json"
        dns = resolver.python(
            "tools.conformance.node_lab.dns", "--listen", f"{resolver.address}:53", "--zone", str(zone)
        )
        resolver.start(dns, log=workdir / "dns.log")
        for index in range(1, NODES + 1):
            instance = Instance(network.add(f"node{index}"), workdir / f"node{index}", {}, str(resolver.address))
            instances.append(instance)
            instance.start()
        query = dns_cluster_query(settings)
        zone.write_text(json.dumps({query: [str(i.namespace.address) for i in instances]}))
        for instance in instances:
            nodes.append(_start_release(instance, release_tarball, settings, cookie, given))
        yield DnsCluster(nodes, resolver, zone, query, cookie, given)
    finally:
        for instance in instances:
            instance.close()
        if database is not None:
            database.close()
        network.remove()


def _start_release(instance: Instance, tarball: Path, settings, cookie: str, given: LabSecrets) -> RunningNode:
    instance.run(["install", "-d", RELEASE_ROOT, STATE_DIR])
    instance.run(["tar", "-xzf", str(tarball), "-C", RELEASE_ROOT])
    instance.run(["install", "-d", "-m", "0700", RUNTIME_DIR])
    environment = {**release_environment(settings, str(instance.namespace.address)), **given.by_variable()}
    log = instance.workdir / "release.log"
    process = instance.start_process(_in_state_dir("start"), env={**environment, **_unit(cookie)}, log=log)
    return RunningNode(instance, environment, process, log)


def _unit(cookie: str) -> dict[str, str]:
    """What the release's unit adds to release.env."""
    return {"RELEASE_COOKIE": cookie, "RELEASE_TMP": RUNTIME_DIR, "HOME": STATE_DIR}


def _in_state_dir(command: str) -> list[str]:
    """`bin/shop <command>` in the state directory, the unit's WorkingDirectory."""
    return ["sh", "-c", f'cd {STATE_DIR} && exec {RELEASE_ROOT}/bin/shop "$0"', command]


def test_every_node_serves_the_health_path(dns_cluster):
    for node in dns_cluster.nodes:
        healthy = wait_until(lambda n=node: dns_cluster.get(n, "/health") == (200, "ok"), 30)
        assert healthy is not None, node.log.read_text()


def test_the_nodes_mesh_through_dns_cluster_query(dns_cluster):
    assert wait_until(lambda: dns_cluster.full_mesh(dns_cluster.nodes), MESH_TIMEOUT_SECONDS) is not None, [
        dns_cluster.visible(n) for n in dns_cluster.nodes
    ]


def test_each_node_runs_as_release_at_its_address_inside_the_port_range(dns_cluster):
    for node in dns_cluster.nodes:
        status, body = dns_cluster.get(node, "/node")
        assert status == 200 and json.loads(body)["node"] == f"shop@{node.instance.namespace.address}"
        names = node.instance.run(["epmd", "-names"]).stdout
        port = int(next(line for line in names.splitlines() if line.startswith("name shop ")).rsplit(" ", 1)[1])
        assert 9100 <= port <= 9155, names


def test_the_cookie_and_secrets_are_on_no_command_line_and_in_no_environment_but_the_releases(dns_cluster):
    assert wait_until(lambda: dns_cluster.full_mesh(dns_cluster.nodes), MESH_TIMEOUT_SECONDS) is not None
    values = {"RELEASE_COOKIE": dns_cluster.cookie, **dns_cluster.given.by_variable()}
    assert not in_processes(values, host_pids(), parts=("cmdline",))
    for node in dns_cluster.nodes:
        pids = node.instance.namespace.pids()
        release = descendants(node.process.pid, pids)
        # The release holds them all (so the scan sees them); epmd, which outlives it, holds none.
        assert {s.secret for s in in_processes(values, release, parts=("environ",))} == set(values)
        others = [pid for pid in pids if pid not in release]
        assert any(comm(pid) == "epmd" for pid in others), [comm(pid) for pid in others]
        assert not in_processes(values, others, parts=("environ",))
    cookie_file = dns_cluster.nodes[0].instance.path(f"{RUNTIME_DIR}/erlang/.erlang.cookie")
    assert cookie_file.read_text() == dns_cluster.cookie
    assert oct(cookie_file.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("missing", ["SECRET_KEY_BASE", "DATABASE_URL"])
def test_without_a_secret_the_release_refuses_to_start_naming_it(dns_cluster, missing):
    node = dns_cluster.nodes[0]
    environment = {**node.environment, **_unit(dns_cluster.cookie)}
    environment["RELEASE_NODE"] = environment["RELEASE_NODE"].replace("shop@", "refused@")  # not the running one
    del environment[missing]
    done = node.instance.run(_in_state_dir("start"), env=environment, check=False, timeout=60)
    output = _readable(done.stdout + done.stderr)
    assert done.returncode != 0 and f"environment variable {missing} is missing." in output, output[-2000:]
    others = {name: value for name, value in dns_cluster.given.by_variable().items() if name != missing}
    assert not [name for name, value in others.items() if value in output], "the other secret is not shown"
    assert not node.instance.path(f"{STATE_DIR}/erl_crash.dump").exists(), "no crash dump outlives the release"


def _readable(output: str) -> str:
    """The output with the halt slogan's binaries (`<<101,110,...>>`) also as text.

    Elixir prints a boot error to stderr and the BEAM halts with it in its slogan on stdout,
    where a message holding a newline shows as bytes; a halt can beat the stderr write.
    """
    binaries = re.findall(r"<<([\d,]+)>>", output)
    decoded = [bytes(int(b) for b in found.split(",")).decode(errors="replace") for found in binaries]
    return "\n".join([output, *decoded])


def test_sigterm_stops_a_node_gracefully_and_the_others_see_it_go(dns_cluster):
    assert wait_until(lambda: dns_cluster.full_mesh(dns_cluster.nodes), MESH_TIMEOUT_SECONDS) is not None
    leaving, staying = dns_cluster.nodes[-1], dns_cluster.nodes[:-1]
    # Deregistered first, as the drain agent does, so dns_cluster does not dial it again.
    others = [str(n.instance.namespace.address) for n in staying]
    dns_cluster.zone.write_text(json.dumps({dns_cluster.query: others}))
    leaving.process.send_signal(signal.SIGTERM)
    assert leaving.process.wait(STOP_TIMEOUT_SECONDS) == 0, leaving.log.read_text()
    assert "stopping the endpoint" in leaving.log.read_text()
    assert wait_until(lambda: dns_cluster.full_mesh(staying), 10) is not None
    assert all(dns_cluster.get(n, "/health") == (200, "ok") for n in staying)
