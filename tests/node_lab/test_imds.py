"""The lab's metadata service refuses what EC2's refuses (offline: it runs on 127.0.0.1 here).

Not marked node_lab: it needs no root, and the offline sandbox of tests/plans/scripts runs the
node's scripts against this same service.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.local_server import LocalServer
from tools.conformance.node_lab.imds import server, write_metadata

METADATA = {"instance-id": "i-0abc123def4567890", "tags": {"aws:autoscaling:groupName": "shop-nodes-1234"}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Imds(LocalServer):
    def __init__(self, metadata_file: Path, clock: Clock, outages: dict[str, int]):
        self.metadata_file = metadata_file
        super().__init__(server(("127.0.0.1", 0), metadata_file, [], clock=clock, outages=outages))

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, answer.read().decode()
        finally:
            connection.close()

    def token(self, ttl: str = "60") -> str:
        status, token = self.request("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
        assert status == 200 and token
        return token

    def get(self, item: str, token: str | None = None) -> tuple[int, str]:
        headers = {"X-aws-ec2-metadata-token": token} if token else {}
        return self.request("GET", f"/latest/meta-data/{item}", headers)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outages() -> dict[str, int]:
    return {}


@pytest.fixture
def imds(tmp_path: Path, clock: Clock, outages: dict[str, int]) -> Iterator[Imds]:
    write_metadata(tmp_path / "imds.json", METADATA)
    service = Imds(tmp_path / "imds.json", clock, outages)
    try:
        yield service
    finally:
        service.close()


@pytest.mark.parametrize("ttl", [None, "", "0", "21601", "-5", "60s"])
def test_a_token_needs_a_ttl_of_one_second_to_six_hours(imds: Imds, ttl: str | None) -> None:
    headers = {} if ttl is None else {"X-aws-ec2-metadata-token-ttl-seconds": ttl}
    assert imds.request("PUT", "/latest/api/token", headers) == (400, "")


@pytest.mark.parametrize("ttl", ["1", "21600"])
def test_the_ttl_bounds_themselves_are_accepted(imds: Imds, ttl: str) -> None:
    assert imds.get("instance-id", imds.token(ttl)) == (200, "i-0abc123def4567890")


def test_a_version_specific_token_path_is_forbidden(imds: Imds) -> None:
    headers = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    assert imds.request("PUT", "/2021-03-23/api/token", headers)[0] == 403


def test_a_forwarded_request_gets_no_token(imds: Imds) -> None:
    headers = {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.7"}
    assert imds.request("PUT", "/latest/api/token", headers) == (403, "")


def test_a_read_needs_a_token_the_service_issued(imds: Imds) -> None:
    assert imds.get("instance-id")[0] == 401
    assert imds.get("instance-id", "not-a-token")[0] == 401
    assert imds.get("instance-id", imds.token()) == (200, "i-0abc123def4567890")


def test_a_token_expires_after_its_ttl(imds: Imds, clock: Clock) -> None:
    token = imds.token("60")
    clock.now += 59
    assert imds.get("instance-id", token)[0] == 200
    clock.now += 1
    assert imds.get("instance-id", token)[0] == 401


def test_imdsv1_answers_only_when_tokens_are_optional(imds: Imds) -> None:
    write_metadata(imds.metadata_file, {**METADATA, "tokens": "optional"})
    assert imds.get("instance-id") == (200, "i-0abc123def4567890")


def test_a_withheld_token_is_an_empty_answer(imds: Imds) -> None:
    write_metadata(imds.metadata_file, {**METADATA, "tokens": "withheld"})
    assert imds.request("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"}) == (200, "")


def test_an_outage_answers_503_then_recovers(imds: Imds, outages: dict[str, int]) -> None:
    outages["instance-id"] = 2
    token = imds.token()
    assert [imds.get("instance-id", token)[0] for _ in range(3)] == [503, 503, 200]


def test_tags_and_missing_items(imds: Imds) -> None:
    token = imds.token()
    assert imds.get("tags/instance/aws:autoscaling:groupName", token) == (200, "shop-nodes-1234")
    assert imds.get("local-ipv4", token)[0] == 404
    assert imds.get("tags/instance/nope", token)[0] == 404
