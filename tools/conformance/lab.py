"""The lab: one stack's cluster on real Erlang/OTP, HAProxy and iptables, on this machine.

    facts = read_stack_facts("prod")
    lab = Lab(facts, workdir)
    lab.start()      # namespaces, firewalls, BEAM nodes, HAProxy; measures time to full mesh
    ...              # the tests in tests/conformance
    lab.close()      # every process and namespace gone, also after a failure

Layout on one bridge (netns.LAB_NETWORK): LAB_NODES node namespaces, firewalled with the
rules of the launch template's security groups (firewall.py) and each running one BEAM
node (beam.py); one load-balancer namespace running HAProxy configured from the target
group (haproxy.py); one client namespace, outside every security group, from which the
request loops run (traffic.py). The load balancer's own security group is not applied
to its namespace: its egress rule (app port to the nodes only) would stop the probes
before they reach the nodes, and it is the node group's rules that are under test.

Nothing is scaled: the health-check interval, thresholds and deregistration delay are
the stack's own, so a run takes as long as the same events take on AWS.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from components.settings import HTTP_LISTENER_PORT

from . import firewall, netns
from .beam import SERVED_BY_PATH, BeamNode, Control, NodeFailed, compile_app
from .haproxy import BALANCE, LoadBalancer, Server, render_config
from .netns import Namespace, Network
from .report import Report
from .stack_facts import StackFacts
from .waiting import wait_until

LAB_NODES = 3
"""The fewest nodes that make a mesh rather than a pair (a third node must learn of two)."""

MESH_TIMEOUT_SECONDS = 30
"""Bound on the wait for a full mesh: boot, EPMD registration, discovery rounds."""

PROBE_TIMEOUT_SECONDS = 1.0
"""How long a probe waits for an answer before calling the port blocked (dropped)."""

HEALTH_CHECK_SLACK_SECONDS = 2
"""Allowance beyond the health-check budget: one check's own duration and our polling."""

STATUS_POLL_SECONDS = 0.1

REQUIRED_COMMANDS = {
    "ip": "iproute2",
    "iptables-restore": "iptables",
    "erl": "erlang-base",
    "erlc": "erlang-base",
    "epmd": "erlang-base",
    "haproxy": "haproxy",
    "sysctl": "procps",
}
"""Each command the lab runs and the Debian package that provides it."""

INETS_PACKAGE = "erlang-inets"


def missing_prerequisites() -> list[str]:
    """What this machine lacks for the lab, one line each (empty when it can run)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root: network namespaces and their iptables need it (run as root)")
    for command, package in REQUIRED_COMMANDS.items():
        if shutil.which(command) is None:
            missing.append(f"{command}: apt-get install {package}")
    if shutil.which("erl") and not _otp_has_inets():
        missing.append(f"OTP's inets (httpd): apt-get install {INETS_PACKAGE}")
    return missing


def _otp_has_inets() -> bool:
    check = "halt(case code:lib_dir(inets) of {error, _} -> 1; _ -> 0 end)."
    return netns.run(["erl", "-noinput", "-eval", check], check=False).returncode == 0


def _versions() -> str:
    otp = netns.run(["erl", "-noinput", "-eval", 'io:format("~s", [erlang:system_info(otp_release)]), halt().'])
    haproxy = netns.run(["haproxy", "-v"]).stdout.splitlines()[0].split()[2]
    iptables = netns.run(["iptables-restore", "-V"]).stdout.split()[1]
    return f"Erlang/OTP {otp.stdout}, HAProxy {haproxy}, iptables {iptables}"


@dataclass(frozen=True)
class Traffic:
    """The requests one loop sent: dicts as traffic.py prints them."""

    requests: list[dict]

    def started_between(self, start: float, end: float = float("inf")) -> list[dict]:
        return [r for r in self.requests if start <= r["start"] < end]


def failed(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r["status"] != 200]


class Lab:
    """One stack's cluster in namespaces on this machine; see the module docstring."""

    def __init__(self, facts: StackFacts, workdir: Path):
        self.facts = facts
        self.workdir = workdir
        self.network = Network(facts.stack)
        self.cookie = secrets.token_hex(20)
        self.control = Control(self.cookie)
        self.nodes: list[BeamNode] = []
        self.balancer: LoadBalancer | None = None
        self.balancer_namespace: Namespace | None = None
        self.client: Namespace | None = None
        self.ebin: Path | None = None
        self.mesh_seconds: float | None = None
        self.report = Report(facts.stack)
        self._closed = False

    # --- building and tearing down -------------------------------------------------------

    def start(self) -> None:
        atexit.register(self.close)
        netns.remove_leftovers()
        self.network.create()
        namespaces = [self.network.add(f"node{i}") for i in range(1, LAB_NODES + 1)]
        self.balancer_namespace = self.network.add("lb")
        self.client = self.network.add("client")
        self.ebin = compile_app(self.workdir / "ebin")
        self.nodes = self._cluster(namespaces, self.facts.rules_of(self.facts.node_groups))
        for node in self.nodes:
            node.start()
        self.mesh_seconds = wait_until(self.full_mesh, MESH_TIMEOUT_SECONDS)
        self._start_balancer()
        self._describe()

    def _cluster(self, namespaces: list[Namespace], rules: list[firewall.Rule]) -> list[BeamNode]:
        """Firewall each namespace with `rules`, as instances of one node group; a BEAM node for each."""
        # Who is in which security group: these namespaces in the node groups, HAProxy's in the LB's.
        members = {group: [ns.address for ns in namespaces] for group in self.facts.node_groups}
        for group in self.facts.load_balancer_groups:
            members.setdefault(group, []).append(self.balancer_namespace.address)
        document = firewall.ruleset(rules, members)
        (self.workdir / f"iptables-{namespaces[0].name}.rules").write_text(document)
        nodes = []
        environments = [self.facts.release_environment(str(ns.address)) for ns in namespaces]
        peers = [env["RELEASE_NODE"] for env in environments]
        for namespace, environment in zip(namespaces, environments, strict=True):
            firewall.apply(namespace, document)
            nodes.append(BeamNode(namespace, environment, self.cookie, peers, self.ebin, self.workdir))
        return nodes

    def _start_balancer(self) -> None:
        servers = [Server(self.server_name(node), node.namespace.address) for node in self.nodes]
        listen = (self.balancer_namespace.address, HTTP_LISTENER_PORT)
        admin_socket = self.workdir / "haproxy.sock"
        tg = self.facts.target_group
        config = render_config(tg, self.facts.idle_timeout, listen, servers, admin_socket)
        self.balancer = LoadBalancer(self.balancer_namespace, tg, config, self.workdir, admin_socket)
        self.balancer.start()
        # HAProxy starts servers as barely up ("UP 1/2") before any check: wait for passed checks.
        self._wait_in_service()

    def _describe(self) -> None:
        tg, check = self.facts.target_group, self.facts.target_group.health_check
        self.report.versions = _versions()
        self.report.timing = (
            f"the stack's own timings, not scaled: health check {check.path} every {check.interval} s "
            f"(timeout {check.timeout} s), down after {check.unhealthy_threshold}, up after "
            f"{check.healthy_threshold}; deregistration delay {tg.deregistration_delay} s"
        )
        self.report.nodes = [node.name for node in self.nodes]
        self.report.load_balancer = (
            f"HAProxy on {self.balancer_namespace.address}:{HTTP_LISTENER_PORT} for target group {tg.name}: "
            f"{tg.algorithm} as balance {BALANCE[tg.algorithm]}"
        )
        self.report.mesh_seconds = self.mesh_seconds

    def close(self) -> None:
        """Stop every process and delete every namespace this lab made; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for node in self.nodes:
            _quietly(node.close)
        if self.balancer is not None:
            _quietly(self.balancer.close)
        self.network.remove()
        atexit.unregister(self.close)

    # --- what the tests look at -----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.balancer_namespace.address}:{HTTP_LISTENER_PORT}{SERVED_BY_PATH}"

    @staticmethod
    def server_name(node: BeamNode) -> str:
        """The node's server in HAProxy: its namespace role (node1, node2...)."""
        return node.namespace.name.rsplit("-", 1)[1]

    def others(self, node: BeamNode, nodes: list[BeamNode] | None = None) -> set[str]:
        return {n.name for n in (nodes or self.nodes) if n is not node}

    def visible_nodes(self, nodes: list[BeamNode]) -> list[set[str] | None]:
        """`nodes()` on each node, asked in parallel; None for a node that did not answer."""

        def ask(node: BeamNode) -> set[str] | None:
            try:
                return self.control.visible_nodes(node)
            except NodeFailed:
                return None

        with ThreadPoolExecutor(len(nodes)) as pool:
            return list(pool.map(ask, nodes))

    def full_mesh(self, nodes: list[BeamNode] | None = None) -> bool:
        nodes = nodes or self.nodes
        seen = self.visible_nodes(nodes)
        return all(s == self.others(n, nodes) for n, s in zip(nodes, seen, strict=True))

    def probe(self, source: Namespace, targets: list[str]) -> dict[str, str]:
        """Probe `host:port` / `host:from-to` from inside `source`: open, refused or blocked each."""
        argv = source.python("tools.conformance.probe", "--timeout", str(PROBE_TIMEOUT_SECONDS), *targets)
        return json.loads(source.run(argv).stdout)

    def server_status(self, node: BeamNode) -> str:
        return self.balancer.server_states().get(self.server_name(node), "")

    def wait_for_status(self, node: BeamNode, wanted: Callable[[str], bool], timeout: float) -> float | None:
        """Seconds until HAProxy's status of the node's server satisfies `wanted`; None on timeout."""
        return wait_until(lambda: wanted(self.server_status(node)), timeout, STATUS_POLL_SECONDS)

    @property
    def detection_budget_seconds(self) -> float:
        """interval x unhealthy threshold, plus slack: when a dead target must be out."""
        check = self.facts.target_group.health_check
        return check.interval * check.unhealthy_threshold + HEALTH_CHECK_SLACK_SECONDS

    @property
    def admission_budget_seconds(self) -> float:
        """interval x healthy threshold, plus slack: when a recovered target must be back."""
        check = self.facts.target_group.health_check
        return check.interval * check.healthy_threshold + HEALTH_CHECK_SLACK_SECONDS

    @contextmanager
    def traffic(self, seconds: float, count: int | None = None) -> Iterator[list[Traffic]]:
        """Run a request loop from the client namespace during the block; read it after."""
        log = self.workdir / f"traffic-{secrets.token_hex(4)}.jsonl"
        argv = self.client.python("tools.conformance.traffic", self.url, "--seconds", str(seconds))
        if count is not None:
            argv += ["--count", str(count)]
        with open(log, "wb") as out:
            loop = subprocess.Popen(self.client.command(argv), stdout=out, stderr=subprocess.DEVNULL)
        outcome: list[Traffic] = []
        try:
            yield outcome
            if count is None:
                loop.send_signal(signal.SIGTERM)
            loop.wait(seconds + netns.COMMAND_TIMEOUT_SECONDS)
        finally:
            if loop.poll() is None:  # the block failed, or the loop overran its own bound
                loop.kill()
                loop.wait()
        outcome.append(Traffic([json.loads(line) for line in log.read_text().splitlines()]))

    def restore(self) -> None:
        """Bring every node back: running, in service, in the mesh (a no-op when all is well)."""
        for node in self.nodes:
            if not node.running:
                node.start()
            self.balancer.set_state(self.server_name(node), "ready")
        if wait_until(self.full_mesh, MESH_TIMEOUT_SECONDS) is None:
            raise NodeFailed(f"the mesh did not re-form within {MESH_TIMEOUT_SECONDS} s")
        self._wait_in_service()

    def _wait_in_service(self) -> None:
        for node in self.nodes:
            if self.wait_for_status(node, _in_service, self.admission_budget_seconds) is None:
                raise NodeFailed(f"{node.name} not in service: HAProxy reports {self.server_status(node)!r}")

    @contextmanager
    def isolated_cluster(self, rules: list[firewall.Rule]) -> Iterator[list[BeamNode]]:
        """LAB_NODES more nodes, in a node group of their own firewalled with `rules` only; yielded once they answer."""
        namespaces = [self.network.add(f"isolated{i}") for i in range(1, LAB_NODES + 1)]
        nodes = self._cluster(namespaces, rules)
        try:
            for node in nodes:
                node.start()
            if wait_until(lambda: None not in self.visible_nodes(nodes), MESH_TIMEOUT_SECONDS) is None:
                raise NodeFailed(f"the isolated nodes did not all answer within {MESH_TIMEOUT_SECONDS} s")
            yield nodes
        finally:
            for node in nodes:
                _quietly(node.close)
            for namespace in namespaces:
                self.network.discard(namespace)


def _in_service(status: str) -> bool:
    return status == "UP"


def _quietly(action: Callable[[], object]) -> None:
    """Run a cleanup step; a failing one must not stop the others."""
    try:
        action()
    except Exception as problem:  # noqa: BLE001 - cleanup goes on, the problem is shown
        print(f"cleanup: {problem}")
