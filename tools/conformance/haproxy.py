"""HAProxy standing in for the load balancer, configured from the stack's target group.

| target group (moto)                      | HAProxy                                   |
|------------------------------------------|-------------------------------------------|
| health check path                        | `option httpchk GET <path>`               |
| matcher (`200`, `200-299`, `200,302`)    | `http-check expect status` / `rstatus`    |
| interval, healthy / unhealthy threshold  | `inter`, `rise`, `fall`                   |
| health check timeout                     | `timeout check`                           |
| algorithm round_robin                    | `balance roundrobin`                      |
| algorithm least_outstanding_requests     | `balance leastconn`                       |
| algorithm weighted_random                | `balance random`                          |
| load balancer idle timeout               | `timeout client` / `timeout server`       |
| deregistering a target                   | runtime API `set server <be>/<srv> state drain` |

No retries on another server (`option redispatch` stays off): an ALB does not retry
either, so a request sent to a target that just died fails, as it would on AWS. The lab
serves plain HTTP on the HTTP listener port; TLS termination is not part of the proof.
"""

from __future__ import annotations

import csv
import socket
import subprocess
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

from .netns import Namespace, run
from .stack_facts import HealthCheck, TargetGroup

BALANCE = {"round_robin": "roundrobin", "least_outstanding_requests": "leastconn", "weighted_random": "random"}
TARGET_CONNECT_TIMEOUT_SECONDS = 10
"""How long the lab's load balancer waits for a target to accept a connection."""

REQUEST_LOG = "request"
"""The first word of HAProxy's line for each request it forwarded, written to its output (haproxy.log):
`request <backend> <server> <Tr> <status>`, Tr the ms the server took to send its response headers (-1
without a response). The autoscale lab derives TargetResponseTime from it (aws_metrics.py)."""
FRONTEND = "listener"
"""The listener's frontend: its `show stat` row (svname FRONTEND) counts every response a client got."""

RUNTIME_API_TIMEOUT_SECONDS = 5
STOP_TIMEOUT_SECONDS = 10


class LoadBalancerFailed(RuntimeError):
    """HAProxy refused its configuration, did not start, or its runtime API refused a command."""


@dataclass(frozen=True)
class Server:
    """One registered target: a name in HAProxy and the node's address."""

    name: str
    address: IPv4Address


def render_config(
    target_group: TargetGroup,
    idle_timeout: int,
    listen: tuple[IPv4Address, int],
    servers: list[Server],
    admin_socket: Path,
) -> str:
    """haproxy.cfg for one listener forwarding to the target group."""
    check = target_group.health_check
    balance = BALANCE.get(target_group.algorithm)
    if balance is None:
        raise LoadBalancerFailed(f"no HAProxy balance algorithm for {target_group.algorithm}")
    if target_group.protocol != "HTTP":
        raise LoadBalancerFailed(f"target group protocol {target_group.protocol}: the lab models HTTP target groups")
    address, port = listen
    lines = [
        "global",
        f"    stats socket {admin_socket} mode 600 level admin",
        "    log stdout format raw local0",
        "defaults",
        "    mode http",
        "    log global",
        f'    log-format "{REQUEST_LOG} %b %s %Tr %ST"',
        f"    timeout connect {TARGET_CONNECT_TIMEOUT_SECONDS}s",
        f"    timeout client {idle_timeout}s",
        f"    timeout server {idle_timeout}s",
        f"    timeout check {check.timeout}s",
        f"frontend {FRONTEND}",
        f"    bind {address}:{port}",
        f"    default_backend {target_group.name}",
        f"backend {target_group.name}",
        f"    balance {balance}",
        f"    option httpchk GET {check.path}",
        f"    http-check expect {_expectation(check)}",
        f"    default-server check inter {check.interval}s"
        f" rise {check.healthy_threshold} fall {check.unhealthy_threshold}",
        *(f"    server {s.name} {s.address}:{target_group.port}" for s in servers),
    ]
    return "\n".join(lines) + "\n"


def _expectation(check: HealthCheck) -> str:
    """The matcher as an http-check expectation: one code, or a regex over codes and ranges."""
    if check.matcher.isdigit():
        return f"status {check.matcher}"
    codes = []
    for part in check.matcher.split(","):
        low, _, high = part.partition("-")
        codes += [str(code) for code in range(int(low), int(high or low) + 1)]
    return f"rstatus ^({'|'.join(codes)})$"


class LoadBalancer:
    """HAProxy in the load balancer's namespace, and its runtime API."""

    def __init__(self, namespace: Namespace, target_group: TargetGroup, config: str, workdir: Path, admin_socket: Path):
        self.namespace = namespace
        self.backend = target_group.name
        self.config_file = workdir / "haproxy.cfg"
        self.config_file.write_text(config)
        self.log = workdir / "haproxy.log"
        self.admin_socket = admin_socket
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        checked = run(["haproxy", "-c", "-q", "-f", str(self.config_file)], check=False)
        if checked.returncode != 0:
            raise LoadBalancerFailed(f"HAProxy refused {self.config_file}: {checked.stderr.strip()}")
        # -db: stay in the foreground, so the lab owns exactly this process.
        self.process = self.namespace.start(["haproxy", "-db", "-f", str(self.config_file)], log=self.log)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_SECONDS)

    def command(self, line: str) -> str:
        """One runtime API command (the admin socket answers one command per connection)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as admin:
            admin.settimeout(RUNTIME_API_TIMEOUT_SECONDS)
            admin.connect(str(self.admin_socket))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self) -> dict[str, str]:
        """Each server's status as HAProxy reports it: UP, DOWN, DRAIN, `UP 1/2` (going down)..."""
        try:
            text = self.command("show stat")
        except OSError:  # not listening yet, or gone
            return {}
        rows = csv.DictReader(text.lstrip("# ").splitlines())
        return {r["svname"]: r["status"] for r in rows if r["pxname"] == self.backend and r["svname"] != "BACKEND"}

    def set_state(self, server: str, state: str) -> None:
        """`set server <backend>/<server> state ready|drain|maint`."""
        answer = self.command(f"set server {self.backend}/{server} state {state}").strip()
        if answer:
            raise LoadBalancerFailed(f"set server {server} state {state}: {answer}")
