"""The policy pack's own process, started and spoken to the way the Pulumi CLI does it.

How `pulumi preview --policy-pack policies` runs a Python pack (pulumi/pulumi, 3.2xx):

- pkg/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`: the CLI has the `python` language
  plugin, so it runs the pack through the plugin's RunPlugin, with the engine's address as the only
  argument and the pack directory as root and program directory.
- sdk/python/cmd/pulumi-language-python/main.go `RunPlugin` (kind analyzer): runs
  `<virtualenv>/bin/python -u -m pulumi.policy <engine address> <pack directory>` in the pack
  directory, with the virtualenv PulumiPolicy.yaml names activated (toolchain `ActivateVirtualEnv`:
  its bin first on PATH, VIRTUAL_ENV set, PYTHONHOME unset) and PULUMI_ORGANIZATION, PULUMI_PROJECT,
  PULUMI_STACK, PULUMI_DRY_RUN and PULUMI_CONFIG taken from the stack's ConfigureStack request.
- pkg/resource/plugin/plugin.go `newPlugin`: the first line the process prints is its port; the CLI
  dials 127.0.0.1:<port>.
- sdk/policy_proxy.go `Attach`: the pack is sent ConfigureStack, then every Analyzer call (the proxy
  answers the CLI's Handshake itself: the pack never sees one).
- pkg/engine/update.go `LoadLocalPolicyPackAnalyzers`: GetAnalyzerInfo, then Configure with every
  announced policy's level and properties, reconciled with --policy-pack-config
  (pkg/resource/analyzer/config.go `ReconcilePolicyPackConfig`).
- analyzer_plugin.go `Analyze` / `AnalyzeStack`: one Analyze per resource (its inputs) and one
  AnalyzeStack (every resource's outputs), properties marshalled with their secrets kept.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc, engine_pb2_grpc

from tools.stack_files import PROJECT_DIR, StackConfig

POLICY_PACK_DIR = PROJECT_DIR / "policies"
STARTUP_SECONDS = 30
"""How long the pack may take to print its port (imports of pulumi and grpc on a loaded machine)."""

LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
LEVEL_NAMES = {number: name for name, number in LEVELS.items()} | {proto.REMEDIATE: "remediate"}

# pulumi's resource property encoding (sdk/go/common/resource/properties.go): a secret travels
# wrapped, and the policy server unwraps it before a rule sees it
SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_MASK = "[secret]"
"""What the preview document shows for a secret (tools/emulator/core/wire.py)."""


@dataclass
class PolicyPackProcess:
    """The running pack: its process and the Analyzer client on its port."""

    process: subprocess.Popen
    analyzer: analyzer_pb2_grpc.AnalyzerStub
    port: int


@contextmanager
def engine() -> Iterator[str]:
    """An engine address for the pack's command line: the CLI passes its own gRPC server's.

    The Python pack parses it (pulumi/policy/__main__.py) and calls nothing on it; something
    listening there keeps the pack's view the same as under the CLI."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    engine_pb2_grpc.add_EngineServicer_to_server(engine_pb2_grpc.EngineServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def pack_environment(stack: StackConfig, organization: str, dry_run: bool) -> dict[str, str]:
    """The pack's environment under the CLI: the virtualenv activated, the stack's identity and config.

    The pack's virtualenv is policies/venv (PulumiPolicy.yaml); here the project's own stands in
    for it, with the same pins (policies/requirements.txt)."""
    virtualenv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if k.upper() not in ("PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(virtualenv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(virtualenv)
    env |= {
        "PULUMI_ORGANIZATION": organization,
        "PULUMI_PROJECT": stack.project,
        "PULUMI_STACK": stack.stack,
        "PULUMI_DRY_RUN": "true" if dry_run else "false",
        "PULUMI_CONFIG": json.dumps(stack.config),
    }
    return env


def configure_stack_request(stack: StackConfig, organization: str, dry_run: bool) -> Any:
    """The ConfigureStack the CLI sends the pack first (analyzer_plugin.go, forwarded by the proxy)."""
    return proto.AnalyzerStackConfigureRequest(
        stack=stack.stack,
        project=stack.project,
        organization=organization,
        dry_run=dry_run,
        config=stack.config,
        config_secret_keys=stack.secret_keys,
    )


@contextmanager
def policy_pack(
    stack: StackConfig, organization: str = "organization", dry_run: bool = True
) -> Iterator[PolicyPackProcess]:
    """The pack in `POLICY_PACK_DIR` started as `pulumi preview -s <stack> --policy-pack policies` starts it.

    On leaving, the process is sent SIGINT (PolicyPack stops its server on KeyboardInterrupt) and must
    exit 0 with nothing on stderr: an exception in the pack would show there."""
    with engine() as engine_address, tempfile.TemporaryFile() as stderr, _sigint_not_ignored():
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", engine_address, str(POLICY_PACK_DIR)],
            cwd=POLICY_PACK_DIR,
            env=pack_environment(stack, organization, dry_run),
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        try:
            port = _read_port(process, stderr)
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                grpc.channel_ready_future(channel).result(timeout=STARTUP_SECONDS)
                analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
                analyzer.ConfigureStack(configure_stack_request(stack, organization, dry_run))
                yield PolicyPackProcess(process, analyzer, port)
            process.send_signal(signal.SIGINT)
            exit_code = process.wait(timeout=STARTUP_SECONDS)
            assert (exit_code, _text(stderr)) == (0, ""), f"the pack did not stop cleanly: {exit_code}"
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()


@contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """SIGINT as the CLI's plugin would have it. A test run in the background of a shell (`make
    test &`) ignores SIGINT, and a child inherits an ignored signal and would never stop; a handler
    is reset at exec. Not with `preexec_fn`: that makes Python fork() a process whose gRPC threads
    (the engine above) are running, and the child's gRPC then fails at random."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _read_port(process: subprocess.Popen, stderr: Any) -> int:
    """The first stdout line, as newPlugin reads it: a port number, or the process failed."""
    line = process.stdout.readline().decode().strip()
    if not line.isdigit():
        process.wait(timeout=STARTUP_SECONDS)
        raise AssertionError(f"the pack printed {line!r}, not its port; stderr:\n{_text(stderr)}")
    return int(line)


def _text(stream: Any) -> str:
    stream.seek(0)
    return stream.read().decode()


# --- what the engine sends ------------------------------------------------------------------------


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(json.loads(json.dumps(values)), struct_pb2.Struct())


def marshalled(value: Any) -> Any:
    """A property value as the engine marshals it for an analyzer: secrets in their envelope."""
    if value == SECRET_MASK:
        return {SPECIAL_SIG_KEY: SECRET_SIG, "value": value}
    if isinstance(value, Mapping):
        return {k: marshalled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [marshalled(v) for v in value]
    return value


def _options(record: Mapping[str, Any]) -> Any:
    # the preview document records no protect/ignoreChanges/aliases: the CLI would send them empty too
    return proto.AnalyzerResourceOptions(parent=record.get("parent") or "")


def analyze_request(record: Mapping[str, Any]) -> Any:
    """Analyze for one resource of a `--format json` document: its inputs, before it is created."""
    return proto.AnalyzeRequest(
        type=record["type"],
        properties=struct(marshalled(record.get("inputs") or {})),
        urn=record["urn"],
        name=record["name"],
        options=_options(record),
    )


def stack_resource(record: Mapping[str, Any]) -> Any:
    """One AnalyzerResource of AnalyzeStack: the resource's outputs, which for a resource of a
    bridged provider include its `id`."""
    outputs = dict(record.get("outputs") or {})
    if record.get("id"):
        outputs.setdefault("id", record["id"])
    return proto.AnalyzerResource(
        type=record["type"],
        properties=struct(marshalled(outputs)),
        urn=record["urn"],
        name=record["name"],
        options=_options(record),
        parent=record.get("parent") or "",
        dependencies=record.get("dependencies", []),
    )


def analyze_stack_request(document: Mapping[str, Any]) -> Any:
    return proto.AnalyzeStackRequest(resources=[stack_resource(r) for r in document["resources"]])


def reconciled(info: Any, given: Mapping[str, Any]) -> Any:
    """The Configure request: ReconcilePolicyPackConfig over what the pack announced.

    Each announced policy starts at its announced level and its schema's defaults; `all` sets
    every level; a policy's own entry (a level, or properties with an optional enforcementLevel)
    wins. Built from GetAnalyzerInfo, as the CLI does, not from the pack's source."""
    levels = {p.name: p.enforcementLevel for p in info.policies}
    properties = {p.name: _defaults(p) for p in info.policies}
    if "all" in given:
        levels = dict.fromkeys(levels, LEVELS[given["all"]])
    for name, entry in given.items():
        if name == "all":
            continue
        if isinstance(entry, str):
            levels[name] = LEVELS[entry]
            continue
        entry = dict(entry)
        if "enforcementLevel" in entry:
            levels[name] = LEVELS[entry.pop("enforcementLevel")]
        properties[name] |= entry
    return proto.ConfigureAnalyzerRequest(
        policyConfig={
            name: proto.PolicyConfig(enforcementLevel=levels[name], properties=struct(properties[name]))
            for name in levels
        }
    )


def _defaults(policy: Any) -> dict[str, Any]:
    schema = json_format.MessageToDict(policy.configSchema.properties)
    return {key: spec["default"] for key, spec in schema.items() if "default" in spec}
