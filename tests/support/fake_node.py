"""A node in a directory: the user data's files installed under a root, the scripts run there
against fakes as strict as what they stand in for.

- IMDS: the node lab's own service (tools/conformance/node_lab/imds.py: IMDSv2 only, the TTL
  header, expiring tokens), on 127.0.0.1;
- curl: the real curl, its connections to 169.254.169.254 sent to that IMDS and to the
  artifact host to a local HTTPS server (`ArtifactServer`), every other host to a closed port;
- aws, systemctl, sleep, date, runuser: tests/support/fakes/ (the CLI's own parsing from
  botocore's models, units that must exist, GNU sleep's intervals on a fake clock that date reads,
  runuser's form); `aws` is answered in the test process (fakes/aws_server.py);
- the release's HTTP port on the node's address: `ReleaseServer`, answering its health check with
  the statuses a test gives; and its `bin/<release> rpc` (fakes/release.sh), answering Node.list()
  with the peers a test gives (`release_sees`);
- amazon-cloudwatch-agent-ctl: the node lab's stub (the real control script's options).

Every call is appended to a log, in order (`calls`), refused ones included.
"""

from __future__ import annotations

import atexit
import base64
import datetime
import functools
import gzip
import http.server
import json
import shutil
import ssl
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from components.plans.lifecycle_hooks import LAUNCHING, TERMINATING, drain_hook, launch_hook
from components.plans.user_data import render_user_data
from components.settings import StackSettings
from tests.support.fakes import aws_server
from tests.support.fakes.aws_cli import write_cli_model
from tests.support.local_server import LocalServer
from tools.conformance.node_lab import imds
from tools.conformance.node_lab.boot import shim
from tools.stack_files import load_yaml

NODE_IP = "10.40.17.9"
INSTANCE_ID = "i-0123456789abcdef0"
GROUP_NAME = "shop-prod-nodes-4f2a"
"""The group name AWS generated; the node reads it from its aws:autoscaling:groupName tag."""
SERVICE_ID = "srv-abcdef0123456789"
ARTIFACT_HOST = "releases.example.com"
HTTPS_ARTIFACT = f"https://{ARTIFACT_HOST}/shop/shop-1.4.2.tar.gz"

FAKES = {
    "systemctl": "tests.support.fakes.systemctl",
    "amazon-cloudwatch-agent-ctl": "tools.conformance.node_lab.cloudwatch_agent_ctl",
}
"""Commands that are Python modules; `sleep` is a shell script (fakes/sleep.sh): the drain
agent's polling calls it often."""

FAKES_DIR = Path(__file__).with_name("fakes")
SHELL_FAKES = ("sleep", "date", "runuser")
"""Commands that are shell scripts in fakes/: the polling loops call them often."""

CLOCK_START = 1_767_225_600
"""The fake clock's first second (2026-01-01 00:00 UTC): what `date +%s` answers before any sleep."""


class ReleaseServer(LocalServer):
    """The release's HTTP port: each request gets the next of `statuses` (the last one repeats)."""

    def __init__(self, statuses: list[int]):
        self.requests: list[str] = []
        pending, requests = list(statuses), self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                requests.append(self.path)
                status = pending.pop(0) if len(pending) > 1 else pending[0]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        super().__init__(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))


def real_curl() -> str:
    path = shutil.which("curl", path="/usr/local/bin:/usr/bin:/bin")
    if path is None:
        pytest.skip("curl is not installed (apt-get install -y curl); CI installs it in .ci/run")
    return path


class ArtifactServer(LocalServer):
    """HTTPS for ARTIFACT_HOST with a certificate of its own (curl trusts it via CURL_CA_BUNDLE)."""

    def __init__(self, certificate: tuple[Path, Path]):
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*map(str, certificate))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        super().__init__(server)


@functools.cache
def artifact_certificate() -> tuple[Path, Path]:
    """A self-signed certificate and key for ARTIFACT_HOST, made once per process."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ARTIFACT_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(ARTIFACT_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = Path(tempfile.mkdtemp(prefix="artifact-tls-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    cert, private = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


def decoded_content(entry: dict[str, Any]) -> str:
    """A write_files entry's content as cloud-init writes it: the scripts travel gzipped and base64 (gz+b64)."""
    if entry.get("encoding") == "gz+b64":
        return gzip.decompress(base64.b64decode(entry["content"])).decode()
    assert "encoding" not in entry, f"{entry['path']}: cloud-init would decode {entry['encoding']}"
    return entry["content"]


@functools.cache
def aws_cli_model() -> Path:
    """The fake aws's commands and options, from botocore's models, written once per process."""
    directory = Path(tempfile.mkdtemp(prefix="fake-aws-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    write_cli_model(directory / "model")
    return directory / "model"


@dataclass
class FakeNode:
    """See the module docstring. `close()` stops its servers."""

    root: Path
    metadata: dict[str, Any] = field(default_factory=dict)
    outages: dict[str, int] = field(default_factory=dict)
    """IMDS item -> how many of its next reads answer 503."""
    imds_log: list[str] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=lambda: {INSTANCE_ID: "Terminating:Wait"})
    """The group's instances and their lifecycle states, as DescribeAutoScalingGroups reports them
    (this node's first: by default about to be scaled in)."""
    addresses: dict[str, str] = field(default_factory=lambda: {INSTANCE_ID: NODE_IP})
    """Each instance's private IPv4, as DescribeInstances reports it."""

    def __post_init__(self) -> None:
        curl = real_curl()  # skips before any server starts when curl is missing
        for directory in ("bin", "fs", "runtime"):
            (self.root / directory).mkdir()
        self.metadata_file = self.root / "imds.json"
        imds.write_metadata(self.metadata_file, self.metadata)
        self.imds_server = LocalServer(
            imds.server(("127.0.0.1", 0), self.metadata_file, self.imds_log, outages=self.outages)
        )
        self.artifacts = ArtifactServer(artifact_certificate())
        connect = [
            f"{imds.IMDS_ADDRESS}:80:127.0.0.1:{self.imds_server.port}",
            f"{ARTIFACT_HOST}:443:127.0.0.1:{self.artifacts.port}",
            "::127.0.0.1:1",  # any other host: refused, never the network
        ]
        self._curl, self._routes = curl, connect
        self._write_curl()
        self.release_server: ReleaseServer | None = None
        for name, module in FAKES.items():
            self._tool(name, shim(module))
        self._tool("aws", aws_server.CLIENT)
        for name in SHELL_FAKES:
            self._tool(name, (FAKES_DIR / f"{name}.sh").read_text())
        (self.root / "clock").write_text(f"{CLOCK_START}\n")
        self.artifact = self.root / "release.tar.gz"
        with tarfile.open(self.artifact, "w:gz") as artifact:
            artifact.add(self._tool("shop", "#!/bin/bash\n"), arcname="bin/shop")

    def close(self) -> None:
        self.imds_server.close()
        self.artifacts.close()
        if self.release_server is not None:
            self.release_server.close()

    def _write_curl(self) -> None:
        # the first route that matches a host and port wins: the catch-all comes last
        routes = " ".join(f"--connect-to {route}" for route in self._routes)
        self._tool("curl", f'#!/bin/bash\necho "curl $*" >> "$FAKE_CALLS"\nexec {self._curl} -q {routes} "$@"\n')

    def _tool(self, name: str, text: str) -> Path:
        path = self.root / "bin" / name
        path.write_text(text)
        path.chmod(0o755)
        return path

    # --- what the node's world holds ----------------------------------------------------------

    def imds(self, item: str, value: str, failures: int = 0) -> None:
        """Serve `value` at /latest/meta-data/<item>, after `failures` answers of 503."""
        if item.startswith("tags/instance/"):
            self.metadata.setdefault("tags", {})[item.removeprefix("tags/instance/")] = value
        else:
            self.metadata[item.removeprefix("autoscaling/")] = value
        imds.write_metadata(self.metadata_file, self.metadata)
        self.outages[item] = failures

    def serve_release(self, port: int, statuses: list[int]) -> ReleaseServer:
        """The release listens on `port` of the node's address, answering `statuses` in turn."""
        self.release_server = ReleaseServer(statuses)
        self._routes.insert(0, f"{NODE_IP}:{port}:127.0.0.1:{self.release_server.port}")
        self._write_curl()
        return self.release_server

    def release_sees(self, *nodes: str) -> None:
        """What the release's Node.list() answers from now on (its rpc fails until this is called)."""
        (self.root / "fs" / "release-peers").write_text("".join(f"{node}\n" for node in nodes))

    def install_release(self, root: str) -> Path:
        """The release's bin/<name> under `root` (the node's path): the fake that answers rpc."""
        binary = self.fs(f"{root}/bin/shop")
        binary.parent.mkdir(parents=True, exist_ok=True)
        binary.write_text((FAKES_DIR / "release.sh").read_text())
        binary.chmod(0o755)
        return binary

    def clock(self) -> int:
        """The fake clock's second now: where the sleeps took it."""
        return int((self.root / "clock").read_text())

    def aws_state(self) -> dict[str, Any]:
        """What the fake aws holds now (what the scripts changed included)."""
        return json.loads((self.root / "aws.json").read_text())

    def _write_aws_state(self, settings: StackSettings, cookie: str, stored: dict[str, Any] | None) -> None:
        path = self.root / "aws.json"
        hooks = {launch_hook(settings).name: LAUNCHING, drain_hook(settings).name: TERMINATING}
        state = json.loads(path.read_text()) if path.exists() else {
            "groups": {GROUP_NAME: {"hooks": hooks, "instances": dict(self.group)}},
            "instances": {instance: {"PrivateIpAddress": ip} for instance, ip in self.addresses.items()},
            "services": {SERVICE_ID: {"instances": {}}},
        }  # fmt: skip
        stored = stored or {}
        state["parameters"] = {settings.release.cookie_parameter: cookie, **stored.get("parameters", {})}
        state["secrets"] = dict(stored.get("secrets", {}))
        state["objects"] = {settings.release.artifact: str(self.artifact)}
        path.write_text(json.dumps(state, indent=2))

    # --- running the scripts --------------------------------------------------------------------

    def installed(self, settings: StackSettings, path: str, edits: dict[str, tuple[str, str]] | None = None) -> Path:
        """Writes every file of the user data under root/fs, with its mode; returns where `path` went.

        `edits` maps a file's node path to (old, new): that file is written with `old`
        replaced by `new`, a broken script for a test to run.
        """
        for entry in load_yaml(render_user_data(settings))["write_files"]:
            content = decoded_content(entry)
            if edits and entry["path"] in edits:
                old, new = edits[entry["path"]]
                assert old in content, f"{entry['path']} no longer holds {old!r}"
                content = content.replace(old, new)
            target = self.fs(entry["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            # As cloud-init's write_files does: a script written without its x bit cannot run.
            target.chmod(int(entry["permissions"], 8))
        return self.fs(path)

    def fs(self, path: str) -> Path:
        """Where the node's `path` is in this sandbox."""
        return self.root / "fs" / path.lstrip("/")

    def run(
        self,
        settings: StackSettings,
        script: str,
        *command: str,
        cookie: str = "",
        stored: dict[str, Any] | None = None,
        edits: dict[str, tuple[str, str]] | None = None,
        sleeps: int | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Runs /usr/local/libexec/<release>/<script>, or `command` with {script} its path; with
        `sleeps`, the script is ended (SIGTERM) when it would sleep once more than that. The fake aws
        holds `cookie` in the cookie's parameter, and `stored`'s {"parameters": ..., "secrets": ...}."""
        path = self.installed(settings, f"/usr/local/libexec/{settings.release.name}/{script}", edits)
        self._write_aws_state(settings, cookie, stored)
        env = {
            "PATH": f"{self.root / 'bin'}:/usr/bin:/bin",
            "FAKE_CALLS": str(self.root / "calls"),
            "FAKE_ROOT": str(self.root / "fs"),
            "FAKE_AWS_STATE": str(self.root / "aws.json"),
            "FAKE_AWS_MODEL": str(aws_cli_model()),
            "FAKE_AWS_PORT": str(aws_server.port()),
            "RUNTIME_DIRECTORY": str(self.root / "runtime"),
            "CURL_CA_BUNDLE": str(artifact_certificate()[0]),
            "FAKE_CLOCK": str(self.root / "clock"),
            **({"FAKE_SLEEP_LIMIT": str(sleeps)} if sleeps is not None else {}),
        }
        args = list(command) or [str(path)]  # run as systemd and runcmd run it: by its path
        return subprocess.run(
            [arg.replace("{script}", str(path)) for arg in args],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def calls(self, tool: str | None = None) -> list[str]:
        log = self.root / "calls"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if tool is None or line.startswith(f"{tool} ")]
