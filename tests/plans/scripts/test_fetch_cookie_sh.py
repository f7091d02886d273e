"""scripts/fetch-cookie.sh: the cookie from SSM into a private file for the release unit, and nowhere else."""

from __future__ import annotations

import stat

import pytest

from tests.support.fake_node import FakeNode
from tests.support.node_bootstrap import VARIANTS, variant

COOKIE = "kR3ewP0q9sZt7mNv2xLc8bYh4jDf6gA1"


@pytest.mark.parametrize("name", VARIANTS)
def test_cookie_is_written_to_a_private_file_and_nowhere_else(name: str, node: FakeNode) -> None:
    settings = variant(name)
    result = node.run(settings, "fetch-cookie", cookie=COOKIE)
    assert result.returncode == 0, result.stderr
    cookie_file = node.root / "runtime" / "cookie.env"
    assert cookie_file.read_text() == f"RELEASE_COOKIE='{COOKIE}'\n"
    assert stat.S_IMODE(cookie_file.stat().st_mode) == 0o600
    assert COOKIE not in result.stdout + result.stderr
    assert node.calls("aws") == [
        f"aws ssm get-parameter --region {settings.region} --name {settings.release.cookie_parameter}"
        " --with-decryption --query Parameter.Value --output text"
    ]


@pytest.mark.parametrize("bad", ["", "it's", "two\nlines"])
def test_a_cookie_the_unit_cannot_load_is_refused_without_echoing_it(node: FakeNode, bad: str) -> None:
    result = node.run(variant("prod"), "fetch-cookie", cookie=bad)
    assert result.returncode != 0
    assert not (node.root / "runtime" / "cookie.env").exists()
    assert not bad or bad not in result.stdout + result.stderr
