"""Fixtures of the verifier's tests: one prod deployment the tamper walks share, and verify runs
that reuse their clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stacks import Applied, Deployments
from tests.support.verify import reuse_verify_clients


@pytest.fixture(scope="session")
def drifting_prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    """prod, applied once (per worker) for the tamper walks: an account of their own that each walk
    damages further. A walk takes what the walks before it left as its baseline (see
    tests.support.verify.walk), so they need not apply prod each."""
    with Deployments(tmp_path_factory.mktemp("drifting")) as deployments:
        yield deployments("prod")


@pytest.fixture
def verify_reusing_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_verify_clients(monkeypatch)
