"""Which handler answers which Pulumi type token or invoke token, and what changing one takes.

Service modules register their functions with `@resource("aws:ec2/vpc:Vpc")` (create),
`@updates("aws:ec2/vpc:Vpc", handles=(...))` (an update in place of the properties it names),
`@deletes("aws:ec2/vpc:Vpc")` and `@invoke("aws:index/getRegion:getRegion")`; a type none of whose
properties can change in place says so with `no_update(token, why)`. The provider's replacement
facts (ForceNew) are registered per type with `force_new(...)` (services/force_new.py). The mocks
and the change engine (`update.py`) look them up here. An unknown `aws:` token is an error, never a
silent echo (docs/design.md, "The emulator"); so is an update nobody handles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class EmulatorError(Exception):
    """Something the emulated AWS refused, or a type the emulator does not cover."""


class UnsupportedType(EmulatorError):
    """The program declared a resource or made an invoke that has no handler."""


@dataclass
class Request:
    """One resource registration as a handler sees it: wire (camelCase) inputs, secrets unwrapped."""

    type: str
    name: str
    inputs: dict[str, Any]
    replacing: str | None = None
    """The physical id of the resource this one replaces: Pulumi's auto-naming then picks a new
    name, so the replacement and the resource it replaces can exist side by side."""

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value


@dataclass
class Existing:
    """A resource an earlier run created, as its record holds it: what an update or delete acts on."""

    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.outputs.get(key, self.inputs.get(key))
        return default if value is None else value

    def updated(self, req: Request, **computed: Any) -> dict[str, Any]:
        """The state after an update in place to `req`: the new inputs, the outputs the update kept
        (not an input the program dropped), and what the update `computed` anew."""
        kept = {k: v for k, v in self.outputs.items() if k in req.inputs or k not in self.inputs}
        return {**kept, **req.inputs, **computed}


@dataclass
class Created:
    """What a handler returns: the physical id and the full state (inputs plus computed outputs)."""

    id: str
    state: dict[str, Any]
    # output properties that the real provider marks secret (masked in previews)
    secret_outputs: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ForceNew:
    """When the provider replaces a resource rather than update it: the properties whose change
    forces it (dotted paths into the wire inputs; a list is looked through), the rules that decide
    at diff time (CustomizeDiff, a framework plan modifier), and where that is written."""

    source: str
    """The provider file holding the schema (terraform-provider-aws unless it says otherwise)."""
    properties: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    autonamed: str | None = "name"
    """The property Pulumi auto-names (SetAutonaming: a `name` input), None when the type has none.
    Given explicitly, a replacement deletes before it creates (the name cannot exist twice)."""
    renames: Mapping[str, str] = field(default_factory=dict)
    """Pulumi property -> Terraform attribute, where pulumi-aws renames it (else camelCase of snake_case)."""
    sets: tuple[str, ...] = ()
    """Properties the schema holds as sets (TypeSet): their order is no change."""


@dataclass(frozen=True)
class Rule:
    """A replacement decided from both values (the provider's CustomizeDiff), named by `property`."""

    property: str
    why: str
    forces: Callable[[dict[str, Any], dict[str, Any]], bool]
    """(old inputs, new inputs) -> whether the change replaces the resource."""


ResourceHandler = Callable[[Any, Request], Created]
UpdateHandler = Callable[[Any, Request, Existing], Created]
DeleteHandler = Callable[[Any, Existing], None]
InvokeHandler = Callable[[Any, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Updater:
    """An update handler and the top-level properties it changes in place (tags included)."""

    handle: UpdateHandler
    handles: frozenset[str]


RESOURCES: dict[str, ResourceHandler] = {}
UPDATES: dict[str, Updater] = {}
DELETES: dict[str, DeleteHandler] = {}
FORCE_NEW: dict[str, ForceNew] = {}
INVOKES: dict[str, InvokeHandler] = {}


def _register(table: dict[str, Any], token: str, value: Any) -> None:
    if token in table:
        raise RuntimeError(f"two handlers for {token}")
    table[token] = value


def resource(token: str) -> Callable[[ResourceHandler], ResourceHandler]:
    def register(fn: ResourceHandler) -> ResourceHandler:
        _register(RESOURCES, token, fn)
        return fn

    return register


def updates(token: str, handles: tuple[str, ...]) -> Callable[[UpdateHandler], UpdateHandler]:
    """An in-place update of `token` that changes the properties `handles` names."""

    def register(fn: UpdateHandler) -> UpdateHandler:
        _register(UPDATES, token, Updater(fn, frozenset(handles)))
        return fn

    return register


def no_update(token: str, why: str) -> None:
    """`token` changes nothing in place (every input forces a replacement): an update is refused."""

    def refuse(aws: Any, req: Request, old: Existing) -> Created:
        raise EmulatorError(f"{req.type} '{req.name}': cannot be updated in place: {why}")

    _register(UPDATES, token, Updater(refuse, frozenset()))


def deletes(token: str) -> Callable[[DeleteHandler], DeleteHandler]:
    def register(fn: DeleteHandler) -> DeleteHandler:
        _register(DELETES, token, fn)
        return fn

    return register


def force_new(token: str, facts: ForceNew) -> None:
    _register(FORCE_NEW, token, facts)


def invoke(token: str) -> Callable[[InvokeHandler], InvokeHandler]:
    def register(fn: InvokeHandler) -> InvokeHandler:
        _register(INVOKES, token, fn)
        return fn

    return register


def _lookup(table: dict[str, Any], token: str, what: str) -> Any:
    try:
        return table[token]
    except KeyError:
        raise UnsupportedType(
            f"the emulator has no {what} for resource type {token}; add one in tools/emulator/services/"
        ) from None


def resource_handler(token: str) -> ResourceHandler:
    return _lookup(RESOURCES, token, "handler")


def update_handler(token: str) -> Updater:
    return _lookup(UPDATES, token, "update handler")


def delete_handler(token: str) -> DeleteHandler:
    return _lookup(DELETES, token, "delete handler")


def force_new_facts(token: str) -> ForceNew:
    return _lookup(FORCE_NEW, token, "replacement facts (services/force_new.py)")


def invoke_handler(token: str) -> InvokeHandler:
    try:
        return INVOKES[token]
    except KeyError:
        raise UnsupportedType(
            f"the emulator has no handler for invoke {token}; add one in tools/emulator/services/"
        ) from None
