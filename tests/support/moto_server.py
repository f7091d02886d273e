"""Moto servers for the tests that need one (`--endpoint`, `--serve`, tools/emulator/server.py).

- This project's server on a thread of the test process (the session's `moto_server` fixture),
  shared by every test that needs one, each test in an account of its own: `server_account`
  makes one and hands out credentials the server maps to it, as AWS maps an access key to its
  account (moto's third way of choosing one, after MOTO_ACCOUNT_ID and `x-moto-account-id`).
- `MotoServer`: a server in a process of its own, as a user runs it, for the tests whose point
  is that process (stock moto, or `python -m tools.emulator.server` itself).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import boto3

from tools.emulator import ACCOUNT_HEADER, fresh_account_id

START_TIMEOUT_SECONDS = 30
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class ServerAccount:
    """An account of its own in a moto server, and the credentials that reach it there."""

    endpoint: str
    account_id: str
    access_key_id: str
    secret_access_key: str

    @property
    def credentials(self) -> dict[str, str]:
        """The environment a process (or boto3 in this one) reaches the account with."""
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}

    def client(self, service: str, region: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


@dataclass(frozen=True)
class Served:
    """A stack applied into a moto server by `python -m tools.preview --format json --endpoint`."""

    account: ServerAccount
    preview: subprocess.CompletedProcess[str]
    """That command's run: its exit code, its stdout (the JSON document) and stderr."""

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.preview.stdout)


def server_account(endpoint: str) -> ServerAccount:
    """A fresh account in the moto server at `endpoint`: an IAM user's access key made in it."""
    account = fresh_account_id()
    iam = boto3.client(
        "iam", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x"
    )

    def name_the_account(request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account

    iam.meta.events.register("before-sign", name_the_account)
    iam.create_user(UserName="tests")
    key = iam.create_access_key(UserName="tests")["AccessKey"]
    return ServerAccount(endpoint, account, key["AccessKeyId"], key["SecretAccessKey"])


class MotoServer:
    """A moto server in its own process, as a user runs it (from a shell that sets none of moto's
    variables): its state never meets the in-process mock. Stock moto's by default;
    `module="tools.emulator.server"` for this project's."""

    def __init__(self, module: str = "moto.server") -> None:
        self.module = module

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "-H", "127.0.0.1", "-p", str(port)],
            env={key: value for key, value in os.environ.items() if not key.startswith("MOTO_")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}"
            time.sleep(POLL_SECONDS)
        self.process.kill()
        raise RuntimeError(f"{self.module} did not start within {START_TIMEOUT_SECONDS} s")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
