"""ClusterComponent: the plumbing every component of the cluster shares.

A component is `Name(name, NameArgs, opts)` with a stable `elixir-cluster:index:<Type>`
token; its children are named `f"{name}-<role>"`, created with `parent=self`, and tagged
with the stack's tags plus a Name; it registers its outputs once, at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi


class ClusterComponent(pulumi.ComponentResource):
    """Base of every component: child names, options and tags, and one `register_outputs`."""

    TOKEN: ClassVar[str]
    """`elixir-cluster:index:<Type>`: part of every child's URN, so it never changes."""

    def __init__(self, name: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TOKEN, name, None, opts)
        self._name = name
        self._stack_tags = dict(tags)
        self._registered = False

    def _child_name(self, role: str) -> str:
        """`<component>-<role>`: the child's Pulumi name."""
        return f"{self._name}-{role}"

    def _child(self, **options: Any) -> pulumi.ResourceOptions:
        """Options of a child resource: parented here, plus `options` (depends_on, ignore_changes...)."""
        return pulumi.ResourceOptions(parent=self, **options)

    def _invoke(self) -> pulumi.InvokeOptions:
        """Options of a data-source lookup made on this component's behalf."""
        return pulumi.InvokeOptions(parent=self)

    def _tags(self, role: str) -> dict[str, str]:
        """The stack's tags, and Name `<component>-<role>`."""
        return self._named(self._child_name(role))

    def _named(self, name: str) -> dict[str, str]:
        """The stack's tags, and Name `name` (a name operators know the thing by)."""
        return {**self._stack_tags, "Name": name}

    def register_outputs(self, outputs: Mapping[str, Any]) -> None:
        """Once per component, with its typed outputs: a second call means two sources of truth."""
        if self._registered:
            raise RuntimeError(f"{self._name}: outputs are registered once")
        self._registered = True
        super().register_outputs(dict(outputs))
