"""Resources that moved to another component keep their old URN as an alias.

A resource's URN names its parent's type: moving it under a new component changes its URN, and
`pulumi up` on a stack that holds the old one would delete that resource and create a new one
(a new cookie, a new KMS key, a new role). An alias to the old URN tells the engine they are the
same resource: it moves it in the state instead
(https://www.pulumi.com/docs/iac/concepts/resources/options/aliases/).
"""

from __future__ import annotations

import pulumi


def formerly_under(parent_urn: pulumi.Input[str] | None) -> list[pulumi.Alias]:
    """The alias of a resource that kept its name but was declared under `parent_urn` before
    (None: it never moved)."""
    return [] if parent_urn is None else [pulumi.Alias(parent=parent_urn)]
