"""Read-only boto3 access to the environment: the standard credential chain, an optional endpoint.

Verify makes only describe, get and list calls. Retries are few and timeouts short, so an
endpoint that is not there is reported in seconds rather than after boto3's long backoff.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
MAX_ATTEMPTS = 2


class Unreachable(Exception):
    """AWS (or the endpoint standing in for it) cannot be asked: endpoint, credentials or region."""


class Aws:
    """boto3 clients for one region, all pointed at `endpoint` when one is given."""

    def __init__(self, region: str, endpoint: str | None = None):
        self.region = region
        self.endpoint = endpoint
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, Any] = {}
        self._config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        )

    def client(self, service: str) -> Any:
        if self._session is None:
            self._session = boto3.session.Session(region_name=self.region)  # reads AWS_PROFILE
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self.endpoint, config=self._config)
        return self._clients[service]

    def where(self) -> str:
        """Where the calls go, for messages."""
        return f"{self.endpoint} (region {self.region})" if self.endpoint else f"AWS region {self.region}"

    def probe(self) -> str:
        """The account id; raises Unreachable with what to check when AWS cannot be asked."""
        try:
            return self.client("sts").get_caller_identity()["Account"]
        except ProfileNotFound as missing:
            raise Unreachable(f"{missing}: set AWS_PROFILE to a profile in ~/.aws/config, or unset it") from None
        except NoCredentialsError:
            raise Unreachable(
                f"no AWS credentials for {self.where()}: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            ) from None
        except ClientError as refused:
            error = refused.response.get("Error", {})
            raise Unreachable(
                f"AWS refused the credentials at {self.where()}: {error.get('Code')}: {error.get('Message')}"
            ) from None
        except BotoCoreError as failure:  # connection refused, DNS, timeouts
            raise Unreachable(f"cannot reach {self.where()}: {failure} (check --endpoint and the network)") from None

    def pages(self, service: str, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item under `key` across the operation's pages."""
        paginator = self.client(service).get_paginator(operation)
        for page in paginator.paginate(**kwargs):
            yield from page.get(key, [])
