"""The example release (examples/shop): built by Debian's elixir, started from the rendered environment.

Three instances run it with the environment `release_environment` renders for a dns
variant of the dev stack, a DNS server in the lab answering DNS_CLUSTER_QUERY with their
addresses: they serve the health path, mesh through DNS, keep the cookie off every
command line and stop gracefully on SIGTERM.
"""

from __future__ import annotations

import json
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
from tools.conformance import netns
from tools.conformance.node_lab import release
from tools.conformance.node_lab.instance import Instance
from tools.conformance.node_lab.stack_variants import release_variant, settings_of
from tools.conformance.waiting import wait_until

pytestmark = pytest.mark.node_lab

NODES = 3
RELEASE_ROOT = "/opt/shop"
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
    try:
        network.create()
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
            nodes.append(_start_release(instance, release_tarball, settings, cookie))
        yield DnsCluster(nodes, resolver, zone, query, cookie)
    finally:
        for instance in instances:
            instance.close()
        network.remove()


def _start_release(instance: Instance, tarball: Path, settings, cookie: str) -> RunningNode:
    instance.run(["install", "-d", RELEASE_ROOT, "/var/lib/shop"])
    instance.run(["tar", "-xzf", str(tarball), "-C", RELEASE_ROOT])
    instance.run(["install", "-d", "-m", "0700", RUNTIME_DIR])
    environment = release_environment(settings, str(instance.namespace.address))
    unit = {"RELEASE_COOKIE": cookie, "RELEASE_TMP": RUNTIME_DIR, "HOME": "/var/lib/shop"}
    log = instance.workdir / "release.log"
    process = instance.start_process([f"{RELEASE_ROOT}/bin/shop", "start"], env={**environment, **unit}, log=log)
    return RunningNode(instance, environment, process, log)


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


def test_the_cookie_is_on_no_command_line(dns_cluster):
    assert wait_until(lambda: dns_cluster.full_mesh(dns_cluster.nodes), MESH_TIMEOUT_SECONDS) is not None
    for process in Path("/proc").iterdir():
        if process.name.isdigit() and process.name != str(Path("/proc/self").resolve().name):
            try:
                cmdline = (process / "cmdline").read_bytes()
            except OSError:
                continue
            assert dns_cluster.cookie.encode() not in cmdline, cmdline.replace(b"\0", b" ")[:300]
    cookie_file = dns_cluster.nodes[0].instance.path(f"{RUNTIME_DIR}/erlang/.erlang.cookie")
    assert cookie_file.read_text() == dns_cluster.cookie
    assert oct(cookie_file.stat().st_mode & 0o777) == "0o600"


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
