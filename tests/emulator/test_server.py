"""tools/emulator/server.py: moto's server, plus creating a resource under the id a client names.

The tests use the session's server (`moto_server`, on a thread of the test process), each in an
account of its own; one runs `python -m tools.emulator.server` as a user does, in its own process."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from tests.support.moto_server import MotoServer
from tools.emulator import Emulator, fresh_account_id
from tools.emulator.core.registry import Request
from tools.emulator.core.session import PIN_PATH
from tools.emulator.services import acm, ec2

REGION = "eu-west-1"
VPC_ID = "vpc-0fedcba9876543210"


def _pin(endpoint: str, target: str, value: str | None) -> int:
    body = json.dumps({"target": target, "value": value}).encode()
    request = urllib.request.Request(endpoint + PIN_PATH, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _create_a_vpc_under_a_pinned_id(endpoint: str) -> tuple[str, str]:
    """(the VPC created while VPC_ID is pinned, the one created after)."""
    with Emulator(region=REGION, endpoint=endpoint, account_id=fresh_account_id()) as emulator:
        aws = emulator.session
        with aws.pinned(Request(type="existing VPC", name=VPC_ID, inputs={}), ec2.VPC_IDS, VPC_ID):
            created = aws.client("ec2").create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
        after = aws.client("ec2").create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    return created, after


def test_a_client_creates_a_vpc_under_the_id_it_names(moto_server: str) -> None:
    created, after = _create_a_vpc_under_a_pinned_id(moto_server)
    assert created == VPC_ID
    assert after != VPC_ID, "unpinned after the block"


def test_only_the_generators_of_existing_resources_can_be_pinned(moto_server: str) -> None:
    endpoint = moto_server
    assert _pin(endpoint, "moto.core.utils.utcnow", "1970-01-01") == 400
    assert _pin(endpoint, acm.CERTIFICATE_ARNS, "arn:aws:acm:eu-west-1:123456789012:certificate/a") == 200
    try:
        assert _pin(endpoint, acm.CERTIFICATE_ARNS, "arn:aws:acm:eu-west-1:123456789012:certificate/b") == 409
    finally:
        assert _pin(endpoint, acm.CERTIFICATE_ARNS, None) == 200


def test_the_command_serves_the_extension_and_aws_managed_policies() -> None:
    """`python -m tools.emulator.server`, the command preview's error names: a server a stack can
    be applied into (its nodes' role attaches an AWS managed policy)."""
    with MotoServer(module="tools.emulator.server") as endpoint:
        created, _ = _create_a_vpc_under_a_pinned_id(endpoint)
        with Emulator(region=REGION, endpoint=endpoint, account_id=fresh_account_id()) as emulator:
            iam = emulator.session.client("iam")
            policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")["Policy"]
    assert created == VPC_ID
    assert policy["PolicyName"] == "AmazonSSMManagedInstanceCore"


def test_a_request_is_logged_only_when_asked(caplog) -> None:
    """No line per request by default (a terminal shared with the aws CLI stays readable); `--access-log`
    (`start(access_log=True)`) logs each, as moto's server does."""
    from tools.emulator import server

    caplog.set_level(logging.DEBUG, logger="werkzeug")
    logged = {}
    try:
        for access_log in (False, True):
            moto, endpoint = server.start(access_log=access_log)
            try:
                caplog.clear()
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json").close()
                logged[access_log] = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
            finally:
                moto.stop()
    finally:
        server.install(access_log=False)
    assert logged[False] == []
    assert any("GET /moto-api/data.json" in line for line in logged[True])
