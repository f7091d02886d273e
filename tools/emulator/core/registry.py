"""Which handler answers which Pulumi type token or invoke token.

Service modules register their functions with `@resource("aws:ec2/vpc:Vpc")` and
`@invoke("aws:index/getRegion:getRegion")`; the mocks look them up here. An unknown
`aws:` token is an error, never a silent echo (DESIGN.md, "The emulator").
"""

from __future__ import annotations

from collections.abc import Callable
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

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value


@dataclass
class Created:
    """What a handler returns: the physical id and the full state (inputs plus computed outputs)."""

    id: str
    state: dict[str, Any]
    # output properties that the real provider marks secret (masked in previews)
    secret_outputs: tuple[str, ...] = field(default=())


ResourceHandler = Callable[[Any, Request], Created]
InvokeHandler = Callable[[Any, dict[str, Any]], dict[str, Any]]

RESOURCES: dict[str, ResourceHandler] = {}
INVOKES: dict[str, InvokeHandler] = {}


def resource(token: str) -> Callable[[ResourceHandler], ResourceHandler]:
    def register(fn: ResourceHandler) -> ResourceHandler:
        if token in RESOURCES:
            raise RuntimeError(f"two handlers for {token}")
        RESOURCES[token] = fn
        return fn

    return register


def invoke(token: str) -> Callable[[InvokeHandler], InvokeHandler]:
    def register(fn: InvokeHandler) -> InvokeHandler:
        if token in INVOKES:
            raise RuntimeError(f"two handlers for {token}")
        INVOKES[token] = fn
        return fn

    return register


def resource_handler(token: str) -> ResourceHandler:
    try:
        return RESOURCES[token]
    except KeyError:
        raise UnsupportedType(
            f"the emulator has no handler for resource type {token}; add one in tools/emulator/services/"
        ) from None


def invoke_handler(token: str) -> InvokeHandler:
    try:
        return INVOKES[token]
    except KeyError:
        raise UnsupportedType(
            f"the emulator has no handler for invoke {token}; add one in tools/emulator/services/"
        ) from None
