"""Fixtures of the commands' tests: the local stack applied into the session's moto server by the
command a user runs, shared by preview's tests of `--endpoint` and verify's of its command line."""

from __future__ import annotations

import pytest

from tests.support.commands import run_command
from tests.support.moto_server import Served, server_account


@pytest.fixture(scope="session")
def served_local(moto_server: str) -> Served:
    """The local stack (the one written for a moto server) applied into the session's moto server,
    in an account of its own, by `python -m tools.preview --stack local --format json --endpoint URL`
    in a process of its own. Its readers are marked `xdist_group("served-local")`: one worker
    applies it, once."""
    account = server_account(moto_server)
    applying = run_command(
        "preview", "--stack", "local", "--format", "json", "--endpoint", moto_server, **account.credentials
    )
    return Served(account, applying)
