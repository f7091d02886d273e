"""How `make test` shares the suite between its workers (tests/support/xdist_groups.py): under
`--dist loadgroup` a test's group reaches xdist's scheduler as the `@<group>` end of its node id,
which each worker reports after collection; without it, the tests of a group run on any worker,
and each worker applies the stacks the group was meant to apply once."""

from __future__ import annotations

import pytest


@pytest.fixture
def under_loadgroup(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("the groups reach xdist's scheduler under `make test` (-n 2 --dist loadgroup) only")


@pytest.mark.xdist_group("a-declared-group")
def test_a_declared_group_ends_the_node_id_the_scheduler_reads(under_loadgroup, request):
    assert request.node.nodeid.endswith("::test_a_declared_group_ends_the_node_id_the_scheduler_reads@a-declared-group")


def test_the_readers_of_a_shared_stack_are_one_group(under_loadgroup, request, dev):
    assert request.node.nodeid.endswith("@dev")
