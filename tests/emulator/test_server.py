"""tools/emulator/server.py: moto's server, plus creating a resource under the id a client names."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tools.emulator import Emulator, fresh_account_id, server
from tools.emulator.core.registry import Request
from tools.emulator.core.session import PIN_PATH
from tools.emulator.services import acm, ec2

REGION = "eu-west-1"
VPC_ID = "vpc-0fedcba9876543210"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    moto, url = server.start()
    yield url
    moto.stop()


def _pin(endpoint: str, target: str, value: str | None) -> int:
    body = json.dumps({"target": target, "value": value}).encode()
    request = urllib.request.Request(endpoint + PIN_PATH, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_client_creates_a_vpc_under_the_id_it_names(endpoint: str) -> None:
    with Emulator(region=REGION, endpoint=endpoint, account_id=fresh_account_id()) as emulator:
        aws = emulator.session
        with aws.pinned(Request(type="existing VPC", name=VPC_ID, inputs={}), ec2.VPC_IDS, VPC_ID):
            created = aws.client("ec2").create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
        after = aws.client("ec2").create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    assert created == VPC_ID
    assert after != VPC_ID, "unpinned after the block"


def test_only_the_generators_of_existing_resources_can_be_pinned(endpoint: str) -> None:
    assert _pin(endpoint, "moto.core.utils.utcnow", "1970-01-01") == 400
    assert _pin(endpoint, acm.CERTIFICATE_ARNS, "arn:aws:acm:eu-west-1:123456789012:certificate/a") == 200
    try:
        assert _pin(endpoint, acm.CERTIFICATE_ARNS, "arn:aws:acm:eu-west-1:123456789012:certificate/b") == 409
    finally:
        assert _pin(endpoint, acm.CERTIFICATE_ARNS, None) == 200
