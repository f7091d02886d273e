"""`--dist loadgroup` as `make test` runs it: the tests of one `xdist_group` sent to one worker.

pytest-xdist 3.8 tells the controller a test's group by appending `@<group>` to the test's node
id in the worker (`item._nodeid`). pytest 9.2 builds node ids from a structured `item._id`, so
that write no longer shows and every group is silently split across the workers: each worker
then applies the stacks a group was meant to apply once
(https://github.com/pytest-dev/pytest-xdist/issues/1386; the fix, pull request 1388, writes
`_id`). `name_the_groups` writes the group where pytest 9 reads it; it does nothing where the
suffix is there already (an xdist with the fix), or without `--dist loadgroup`.
"""

from __future__ import annotations

import pytest

try:
    from _pytest.nodeid import NodeId
except ImportError:  # a pytest before 9.2 reads `_nodeid`, which xdist writes itself
    NodeId = None


def name_the_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append `@<group>` to the node id of each test that has an `xdist_group`, as xdist reads it."""
    if NodeId is None or not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = sorted({_group(mark) for mark in item.iter_markers("xdist_group")})
        suffix = f"@{'_'.join(groups)}"
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


def _group(mark: pytest.Mark) -> str:
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
