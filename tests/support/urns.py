"""URNs as the Pulumi engine writes them, for tests of what a stack's state holds: where the node
role's and the cookie's resources were before they had components of their own."""

from __future__ import annotations

from tools.emulator import Deployment, ResourceRecord

PROJECT = "elixir-cluster"

FORMER_NODE_GROUP = "elixir-cluster:index:ElixirCluster$elixir-cluster:index:NodeGroup"
"""The parent chain of the resources the NodeGroup component held all of: ElixirCluster, NodeGroup."""


def formerly_in_the_node_group(stack: str, type_: str, name: str) -> str:
    """The URN a resource had when the NodeGroup declared it, as a state from then holds it."""
    return f"urn:pulumi:{stack}::{PROJECT}::{FORMER_NODE_GROUP}${type_}::{name}"


def children_of(deployment: Deployment, component_type: str) -> list[ResourceRecord]:
    """The resources the stack's one component of `component_type` declared."""
    (component,) = deployment.of_type(component_type)
    return [r for r in deployment.resources if r.parent == component.urn]
