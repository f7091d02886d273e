"""A registration's aliases, recorded as the URNs the engine resolves them to
(tools/emulator/core/aliases.py): the mock runtime itself keeps none."""

from __future__ import annotations

PROGRAM = """
class Box(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("probe:index:Box", name, None, opts)

box = Box("box")


def password(name, *aliases):
    random.RandomPassword(name, length=8, opts=pulumi.ResourceOptions(parent=box, aliases=list(aliases)))


password("moved", pulumi.Alias(parent=pulumi.create_urn("old-box", "probe:index:Crate")))
password("renamed", pulumi.Alias(name="was"))
password("wrapped", pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE))
password("unmoved")
"""

PASSWORD = "random:index/randomPassword:RandomPassword"


def test_each_alias_is_the_urn_the_resource_had(run):
    aliases = {r.name: r.aliases for r in run(PROGRAM).resources if r.type == PASSWORD}
    assert aliases == {
        # under another component before
        "moved": [f"urn:pulumi:test::probe::probe:index:Crate${PASSWORD}::moved"],
        # the same parent, another name
        "renamed": [f"urn:pulumi:test::probe::probe:index:Box${PASSWORD}::was"],
        # a child of the stack before: its type alone
        "wrapped": [f"urn:pulumi:test::probe::{PASSWORD}::wrapped"],
        "unmoved": [],
    }
