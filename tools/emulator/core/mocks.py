"""Pulumi's mock runtime wired to moto.

`AwsMocks.new_resource` turns each registration into real AWS API calls (through the
handler registered for its type) and returns moto's ids and attributes; `call` answers
invokes from moto. `RecordingMonitor` keeps what the mock runtime itself forgets: the
parent of each resource, which inputs were secret (so a preview can show the tree and
mask secrets), and the resource options tests check, such as ignoreChanges and aliases.
Given a `ChangeEngine` (update.py), the monitor applies the program over an earlier run
instead: each registration is the same, an update, a replacement or a creation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from .aliases import ROOT_STACK_TYPE, alias_urns
from .registry import (
    Created,
    EmulatorError,
    Existing,
    Request,
    delete_handler,
    invoke_handler,
    resource_handler,
    update_handler,
)
from .session import AwsSession
from .update import ChangeEngine, Handlers, Previous
from .wire import SECRET_MASK, as_secret, is_secret, mask_secrets, unwrap_secrets, whole_numbers


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
        """As `--format json` prints it: whole numbers as integers."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "id": self.id,
            "inputs": whole_numbers(self.inputs),
            "outputs": whole_numbers(self.outputs),
        }

    def previous(self) -> Previous:
        """This record as a later update reads it (update.py)."""
        return Previous(
            urn=self.urn,
            type=self.type,
            name=self.name,
            id=self.id,
            custom=self.custom,
            inputs=self.unmasked_inputs,
            masked_inputs=self.inputs,
            outputs=self.unmasked_outputs,
            secret_outputs=frozenset(k for k, v in self.outputs.items() if v == SECRET_MASK),
        )


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
            raise self.fail(
                EmulatorError(f"{args.typ} '{args.name}': reading existing resources (.get) is not emulated")
            )
        inputs = unwrap_secrets(args.inputs)
        if not args.custom:
            return None, inputs  # a component: nothing to create in AWS
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", inputs
        return self.create(Request(type=args.typ, name=args.name, inputs=inputs))

    def create(self, request: Request) -> tuple[str, dict[str, Any]]:
        """The resource created in AWS through its type's handler: (id, state with secrets wrapped)."""
        created: Created = self._handled(request, lambda: resource_handler(request.type)(self.aws, request))
        return created.id, _as_secrets(created.state, created.secret_outputs)

    def update(self, request: Request, old: Existing) -> tuple[str, dict[str, Any]]:
        """The resource `old` changed in place to `request`'s inputs: (id, state)."""
        updater = update_handler(request.type)
        created: Created = self._handled(request, lambda: updater.handle(self.aws, request, old))
        return created.id, _as_secrets(created.state, created.secret_outputs)

    def delete(self, old: Existing) -> None:
        """The resource `old` deleted from AWS (one already gone is no error, as for the provider)."""
        self._handled(old, lambda: delete_handler(old.type)(self.aws, old))

    def handlers(self) -> Handlers:
        return Handlers(create=self.create, update=self.update, delete=self.delete)

    def _handled(self, about: Request | Existing, call: Any) -> Any:
        try:
            with _ONE_AWS_CALL_AT_A_TIME, self.aws.ids_for(about):
                return call()
        except EmulatorError as err:
            raise self.fail(err) from None
        except Exception as err:  # a handler bug: still name the resource
            raise self.fail(EmulatorError(f"{about.type} '{about.name}': emulator handler failed: {err!r}")) from err

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list]:
        try:
            with _ONE_AWS_CALL_AT_A_TIME:
                return invoke_handler(args.token)(self.aws, unwrap_secrets(args.args)), []
        except EmulatorError as err:
            raise self.fail(err) from None

    def fail(self, err: EmulatorError) -> EmulatorError:
        """Keep `err` as the run's failure (the first one explains the run), and hand it back to raise."""
        with self._lock:
            if not any(err is known for known in self.failures):
                self.failures.append(err)
        return err


class RecordingMonitor(mocks.MockMonitor):
    """The mock monitor, plus a record of every registration in order; with an `engine`, each
    registration is applied over the earlier run the engine holds."""

    def __init__(self, aws_mocks: AwsMocks, engine: ChangeEngine | None = None):
        super().__init__(aws_mocks)
        self.records: list[ResourceRecord] = []
        self._engine = engine
        self._lock = threading.Lock()

    def RegisterResource(self, request):  # noqa: N802 - the gRPC method name
        if request.type == ROOT_STACK_TYPE or self._engine is None:
            response = super().RegisterResource(request)
        else:
            response = self._register_over_the_earlier_run(request)
        if request.type != ROOT_STACK_TYPE:
            self._record(request, response)
        return response

    def _register_over_the_earlier_run(self, request: Any) -> Any:
        """MockMonitor.RegisterResource, with the engine deciding what the registration does."""
        urn = self.make_urn(request.parent, request.type, request.name)
        _ensure_event_loop()  # deserializing resource references needs one on this thread
        inputs = rpc.deserialize_properties(request.object)
        try:
            id_, state = self._engine.register(
                request, urn, alias_urns(request), unwrap_secrets(inputs), mask_secrets(inputs)
            )
        except EmulatorError as err:
            raise self.mocks.fail(err) from None
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, id_, state)
        obj_proto = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj_proto)

    def _record(self, request: Any, response: Any) -> None:
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
