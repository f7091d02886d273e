"""Fixtures: the shipped stacks applied once per session, and stacks a test applies for itself.

`dev`, `staging`, `prod`, `local` (and `shipped("prod")`) are applied at most once per session
(per xdist worker), each in an emulated account of its own, and shared: their clients refuse
anything but reads. A test that changes AWS state uses `deploy`, whose stacks live in fresh
accounts for that test alone. The helpers are in tests/support/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stacks import Applied, Deploy, Deployments, ShippedStacks


@pytest.fixture(scope="session")
def shipped() -> Iterator[ShippedStacks]:
    """shipped("prod"): a shipped stack, applied on first use and shared read-only by the session."""
    with ShippedStacks() as stacks:
        yield stacks


@pytest.fixture(scope="session")
def dev(shipped: ShippedStacks) -> Applied:
    return shipped("dev")


@pytest.fixture(scope="session")
def staging(shipped: ShippedStacks) -> Applied:
    return shipped("staging")


@pytest.fixture(scope="session")
def prod(shipped: ShippedStacks) -> Applied:
    return shipped("prod")


@pytest.fixture(scope="session")
def local(shipped: ShippedStacks) -> Applied:
    return shipped("local")


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[Deploy]:
    """deploy("dev") or deploy("dev", {"elixir-cluster:nodes": {...}}): stacks of this test's own,
    each applied in a fresh account."""
    with Deployments(tmp_path) as deployments:
        yield deployments
