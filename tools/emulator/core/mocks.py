"""Pulumi's mock runtime wired to moto.

`AwsMocks.new_resource` turns each registration into real AWS API calls (through the
handler registered for its type) and returns moto's ids and attributes; `call` answers
invokes from moto. `RecordingMonitor` keeps what the mock runtime itself forgets: the
parent of each resource, which inputs were secret (so a preview can show the tree and
mask secrets), and the resource options tests check, such as ignoreChanges and aliases.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import mocks, rpc

from .aliases import alias_urns
from .registry import Created, EmulatorError, Request, invoke_handler, resource_handler
from .session import AwsSession
from .wire import SECRET_MASK, as_secret, is_secret, mask_secrets, unwrap_secrets


def _as_secrets(state: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Wrap the outputs a real provider marks secret, so the program's Outputs are secret too."""
    return {k: (as_secret(v) if k in keys else v) for k, v in state.items()}


@dataclass
class ResourceRecord:
    """One registered resource, as `--format json` prints it."""

    urn: str
    type: str
    name: str
    parent: str | None
    id: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: bool
    dependencies: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    """Properties a later `pulumi up` leaves alone (the ignoreChanges option), as registered."""
    aliases: list[str] = field(default_factory=list)
    """The URNs the resource had before (the aliases option), as the engine resolves them."""
    unmasked_inputs: dict[str, Any] = field(default_factory=dict, repr=False)
    """`inputs` with secrets in clear: for tests that prove where a secret went. Never printed."""
    unmasked_outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    """`outputs` with secrets in clear, likewise."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


# moto's backends are not thread-safe (a describe iterates the dict a concurrent create
# grows: "dictionary changed size during iteration"), and the mock runtime calls
# new_resource from several threads. One handler at a time, process-wide as moto is: the
# calls are GIL-bound Python anyway, so this costs no throughput.
_ONE_AWS_CALL_AT_A_TIME = threading.Lock()


class AwsMocks(mocks.Mocks):
    """Answers the mock runtime from moto, one handler per Pulumi type."""

    def __init__(self, aws: AwsSession):
        self.aws = aws
        self.failures: list[EmulatorError] = []
        self._lock = threading.Lock()

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if args.resource_id:
            raise self._fail(
                EmulatorError(f"{args.typ} '{args.name}': reading existing resources (.get) is not emulated")
            )
        inputs = unwrap_secrets(args.inputs)
        if not args.custom:
            return None, inputs  # a component: nothing to create in AWS
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", inputs
        request = Request(type=args.typ, name=args.name, inputs=inputs)
        try:
            with _ONE_AWS_CALL_AT_A_TIME:
                created: Created = resource_handler(args.typ)(self.aws, request)
        except EmulatorError as err:
            raise self._fail(err) from None
        except Exception as err:  # a handler bug: still name the resource
            raise self._fail(EmulatorError(f"{args.typ} '{args.name}': emulator handler failed: {err!r}")) from err
        return created.id, _as_secrets(created.state, created.secret_outputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list]:
        try:
            with _ONE_AWS_CALL_AT_A_TIME:
                return invoke_handler(args.token)(self.aws, unwrap_secrets(args.args)), []
        except EmulatorError as err:
            raise self._fail(err) from None

    def _fail(self, err: EmulatorError) -> EmulatorError:
        with self._lock:
            self.failures.append(err)
        return err


class RecordingMonitor(mocks.MockMonitor):
    """The mock monitor, plus a record of every registration in order."""

    def __init__(self, aws_mocks: AwsMocks):
        super().__init__(aws_mocks)
        self.records: list[ResourceRecord] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request):  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object)
        secret_inputs = {k for k, v in inputs.items() if is_secret(v)}
        state = self.resources[response.urn].state or {}
        outputs = {k: (SECRET_MASK if k in secret_inputs else mask_secrets(v)) for k, v in state.items()}
        record = ResourceRecord(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            id=response.id or None,
            inputs=mask_secrets(inputs),
            outputs=outputs,
            custom=bool(request.custom),
            dependencies=list(request.dependencies),
            ignore_changes=list(request.ignoreChanges),
            aliases=alias_urns(request),
            unmasked_inputs=unwrap_secrets(inputs),
            unmasked_outputs=unwrap_secrets(state),
        )
        with self._lock:
            self.records.append(record)
        return response
