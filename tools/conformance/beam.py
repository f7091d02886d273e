"""Real BEAM nodes in lab namespaces, started from the environment the bootstrap renders.

A node is `erl -name <RELEASE_NODE> -setcookie <cookie>` with the rendered environment
(ERL_AFLAGS pins the distribution ports, PORT and HEALTH_CHECK_PATH drive its HTTP
side), running conformance_app.erl: inets httpd on the app port, and peer discovery.
EPMD runs once per namespace, started by the lab and outliving node restarts, as the
daemon does on an instance.

`Control` asks a node questions the way an operator's remote shell would: a short-lived
hidden node in the same namespace (over loopback, which the firewall always passes)
calls the node through `erpc`.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .netns import Namespace, run
from .waiting import wait_until

APP_SOURCE = Path(__file__).with_name("conformance_app.erl")
APP_MODULE = APP_SOURCE.stem
SERVED_BY_PATH = "/served-by"
"""The request path whose answer is the name of the node that served it."""

DISTRIBUTION_FLAGS = {"name": "-name", "sname": "-sname"}
"""RELEASE_DISTRIBUTION -> the erl flag a release script passes."""

STOP_TIMEOUT_SECONDS = 15
"""Bound on a node's graceful stop (init:stop on SIGTERM) before it is killed."""

EPMD_START_SECONDS = 5

CALL_TIMEOUT_MS = 10_000
"""erpc timeout of the calls Control makes; longer than net_setuptime (7 s), so a
connection attempt that the firewall stalls reports pang rather than a timeout."""


class NodeFailed(RuntimeError):
    """A node or its EPMD did not start or did not answer; the message points at its log."""


def compile_app(ebin: Path) -> Path:
    """Compile conformance_app.erl into `ebin` (erlc ships with erlang-base)."""
    ebin.mkdir(parents=True, exist_ok=True)
    run(["erlc", "-o", str(ebin), str(APP_SOURCE)])
    return ebin


@dataclass
class BeamNode:
    """One release node in a namespace. `environment` is what the bootstrap renders for it."""

    namespace: Namespace
    environment: dict[str, str]
    cookie: str
    peers: list[str]
    ebin: Path
    workdir: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    epmd: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.environment["RELEASE_NODE"]

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.namespace.name}.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def process_env(self, **extra: str) -> dict[str, str]:
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.workdir), **extra}

    @property
    def epmd_env(self) -> dict[str, str]:
        """What EPMD and the control nodes next to it need: ERL_EPMD_PORT when the stack moved it."""
        return self.process_env(**{k: v for k, v in self.environment.items() if k == "ERL_EPMD_PORT"})

    def start(self) -> None:
        """Start EPMD (once) and the node; returns without waiting for it to serve."""
        self._start_epmd()
        flag = DISTRIBUTION_FLAGS.get(self.environment["RELEASE_DISTRIBUTION"])
        if flag is None:
            mode = self.environment["RELEASE_DISTRIBUTION"]
            raise NodeFailed(f"RELEASE_DISTRIBUTION={mode}: the lab starts nodes with name or sname")
        env = self.process_env(
            **self.environment, CONFORMANCE_PEERS=" ".join(self.peers), CONFORMANCE_SERVED_BY_PATH=SERVED_BY_PATH
        )
        argv = ["erl", "-noinput", "-start_epmd", "false", flag, self.name, "-setcookie", self.cookie]
        argv += ["-pa", str(self.ebin), "-eval", f"ok = {APP_MODULE}:start()"]
        self.process = self.namespace.start(argv, env=env, log=self.log)

    def _start_epmd(self) -> None:
        if self.epmd is not None and self.epmd.poll() is None:
            return
        env = self.epmd_env
        self.epmd = self.namespace.start(["epmd"], env=env, log=self.log)

        def answering() -> bool:
            return self.namespace.run(["epmd", "-names"], check=False, env=env).returncode == 0

        if wait_until(answering, EPMD_START_SECONDS) is None:
            raise NodeFailed(f"EPMD did not start in {self.namespace.name}; see {self.log}")

    def distribution_port(self) -> int:
        """The port the node listens on for distribution, as its EPMD reports it."""
        short_name = self.name.split("@", 1)[0]
        answer = self.namespace.run(["epmd", "-names"], env=self.epmd_env)
        for line in answer.stdout.splitlines():
            if line.startswith(f"name {short_name} at port "):
                return int(line.rsplit(" ", 1)[1])
        raise NodeFailed(f"{self.name} is not registered with EPMD: {answer.stdout!r}")

    def stop(self) -> None:
        """Stop gracefully (SIGTERM: the BEAM runs init:stop), as systemd stops a release."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """Kill at once (SIGKILL): a crashed node, or an instance that vanished."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_SECONDS)

    def close(self) -> None:
        """Kill the node and its EPMD."""
        self.kill()
        if self.epmd is not None:
            self.epmd.kill()
            self.epmd.wait(STOP_TIMEOUT_SECONDS)


class Control:
    """Short-lived hidden nodes that call into the lab's nodes over erpc."""

    def __init__(self, cookie: str):
        self.cookie = cookie
        self._serial = itertools.count(1)

    def evaluate(self, node: BeamNode, expression: str) -> str:
        """Evaluate `expression` (an Erlang expression giving a string) next to `node`; its text."""
        name = f"control{next(self._serial)}@{node.namespace.address}"
        program = (
            f'try io:format("~ts", [begin {expression} end]), halt(0) '
            'catch Class:Reason -> io:format(standard_error, "~p:~p", [Class, Reason]), halt(1) end.'
        )
        argv = ["erl", "-noinput", "-hidden", "-start_epmd", "false", "-name", name, "-setcookie", self.cookie]
        done = node.namespace.run([*argv, "-eval", program], env=node.epmd_env, check=False)
        if done.returncode != 0:
            raise NodeFailed(f"{node.name}: {expression}: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def visible_nodes(self, node: BeamNode) -> set[str]:
        """`nodes()` on `node`: the nodes it is connected to (hidden ones excluded)."""
        names = f"[atom_to_list(N) || N <- erpc:call('{node.name}', erlang, nodes, [], {CALL_TIMEOUT_MS})]"
        expression = f'lists:join(" ", {names})'
        return set(self.evaluate(node, expression).split())

    def remote_node(self, caller: BeamNode, callee: BeamNode) -> str:
        """`node()` evaluated on `callee` through `erpc:call` made by `caller`: proof the call ran remotely."""
        inner = f"['{callee.name}', erlang, node, [], {CALL_TIMEOUT_MS}]"
        expression = f"atom_to_list(erpc:call('{caller.name}', erpc, call, {inner}, {CALL_TIMEOUT_MS * 2}))"
        return self.evaluate(caller, expression)

    def ping(self, caller: BeamNode, callee: BeamNode) -> str:
        """`net_adm:ping(callee)` run on `caller`: "pong" or "pang"."""
        expression = f"atom_to_list(erpc:call('{caller.name}', net_adm, ping, ['{callee.name}'], {CALL_TIMEOUT_MS}))"
        return self.evaluate(caller, expression)
