"""Fixtures of the verifier's tests: each test module walks the tampers of its area over one
deployment of its own (tests/support/verify.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tools.verifier import aws as verifier_aws


@pytest.fixture
def verify_reusing_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Making botocore clients is most of an in-process verify run's time, and a tamper walk runs
    verify after each tamper: its runs share clients (moto picks the account per call, from
    MOTO_ACCOUNT_ID)."""
    made: dict[tuple[str, str | None, str], Any] = {}
    make = verifier_aws.Aws.client

    def client(self: verifier_aws.Aws, service: str) -> Any:
        key = (self.region, self.endpoint, service)
        if key not in made:
            made[key] = make(self, service)
        return made[key]

    monkeypatch.setattr(verifier_aws.Aws, "client", client)
    yield
