"""Read-only boto3 access to the environment: the standard credential chain, an optional endpoint.

Verify makes only describe, get and list calls. Retries are few and timeouts short, so an
endpoint that is not there is reported in seconds rather than after boto3's long backoff.
Within one reading (`Aws.one_reading`, a whole verify run) a call made again with the same
parameters gets the first answer: several checks describe the same key, log group or launch
template, and one run judges one moment of the environment.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
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
        self._answers: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] | None = None
        """Inside `one_reading`: each successful call's answer, by its request."""
        self._config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        )

    def client(self, service: str) -> Any:
        if self._session is None:
            self._session = boto3.session.Session(region_name=self.region)  # reads AWS_PROFILE
        if service not in self._clients:
            client = self._session.client(service, endpoint_url=self.endpoint, config=self._config)
            client.meta.events.register("before-call", self._answer_a_repeat)
            client.meta.events.register("response-received", self._keep_as_received)
            client.meta.events.register("after-call", self._remember)
            self._clients[service] = client
        return self._clients[service]

    @contextmanager
    def one_reading(self) -> Iterator[None]:
        """Inside, a call repeated with the same parameters is answered as it was the first time,
        without asking AWS again; outside, every call asks."""
        self._answers = {}
        try:
            yield
        finally:
            self._answers = None

    def _answer_a_repeat(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
        # botocore sends no request when a before-call handler answers (client.py `_make_api_call`)
        if self._answers is None:
            return None
        key = (model.service_model.service_name, model.name, params["method"], params["url"])
        key += (repr(params["body"]), repr(params.get("query_string")))
        context["verify_request"] = key
        if key not in self._answers:
            return None
        http, parsed = self._answers[key]
        return http, copy.deepcopy(parsed)

    def _keep_as_received(self, parsed_response: Any, context: dict[str, Any], **_: Any) -> None:
        # as parsed, before botocore's after-call handlers change it (IAM's policies are decoded
        # there): a repeat goes through them again
        if "verify_request" in context and parsed_response is not None:
            context["verify_received"] = copy.deepcopy(parsed_response)

    def _remember(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        key, received = context.get("verify_request"), context.get("verify_received")
        if self._answers is None or key is None or received is None or key in self._answers:
            return
        if http_response.status_code < 300:
            self._answers[key] = (http_response, received)

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
