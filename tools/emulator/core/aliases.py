"""A registration's aliases as the URNs the Pulumi engine resolves them to.

The mock runtime keeps no aliases, yet a program that moves a resource between components
must declare its old URN, or `pulumi up` replaces it. The SDK sends each alias as a URN or as a
spec (name, type, parent URN, stack, project; what is missing is the resource's own); the
engine builds the URN from a spec as it builds any URN: the parent's qualified type, `$`, the
type (a child of the stack resource has its type alone).
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.settings import get_project, get_stack

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def alias_urns(request: Any) -> list[str]:
    """Every alias of a RegisterResourceRequest, as a URN."""
    urns = [alias.urn or _spec_urn(alias.spec, request) for alias in request.aliases]
    return [*urns, *request.aliasURNs]


def _spec_urn(spec: Any, request: Any) -> str:
    parent = "" if spec.noParent else (spec.parentUrn or request.parent)
    parent_type = _qualified_type(parent) if parent else ""
    type_ = spec.type or request.type
    qualified = f"{parent_type}${type_}" if parent_type not in ("", ROOT_STACK_TYPE) else type_
    stack, project = spec.stack or get_stack(), spec.project or get_project()
    return f"urn:pulumi:{stack}::{project}::{qualified}::{spec.name or request.name}"


def _qualified_type(urn: str) -> str:
    # the mock runtime puts the stack's type before a top-level resource's; the engine does not
    return urn.split("::")[2].removeprefix(f"{ROOT_STACK_TYPE}$")
