"""The AWS side of one emulation: boto3 clients for moto, and the provider's conventions.

Handlers receive an `AwsSession`. It hands out thread-safe boto3 clients (Pulumi calls
`new_resource` from several threads at once), names resources the way Pulumi's
auto-naming does, turns AWS's refusals into errors naming the resource (`aws_call`), and
creates a resource under an id moto would not choose (`pinned`: in-process, or through this
project's moto server). Values are converted between the wire and AWS's API in `wire`.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .moto_fixtures import ids_from
from .moto_fixtures import pinned as pinned_in_process
from .registry import EmulatorError, Existing, Request
from .wire import aws_tags, retagged

# Pulumi's auto-naming appends a dash and seven random hex characters to the logical name.
AUTONAME_SUFFIX_LENGTH = 7


# moto serves the account a request names in this header (moto/core/responses.py get_current_account)
ACCOUNT_HEADER = "x-moto-account-id"

PIN_PATH = "/moto-api/elixir-cluster/pinned-ids"
"""Where this project's moto server (tools/emulator/server.py) pins an id generator."""
PIN_TIMEOUT_SECONDS = 30
SERVER_COMMAND = "python -m tools.emulator.server -p PORT"


class AwsSession:
    """boto3 on one emulated account: `account_id` pins it (every call names it to moto); without
    one, the account is whatever the credentials say (a moto server's default)."""

    def __init__(self, region: str, endpoint: str | None = None, stack: str = "stack", account_id: str | None = None):
        self.region = region
        self.endpoint = endpoint
        self.stack = stack
        self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._pinned_account = account_id
        self._account_id: str | None = account_id
        self._draws: Counter[str] = Counter()

    def client(self, service: str) -> Any:
        """A boto3 client on this account (clients are thread-safe; the session that makes them is not)."""
        with self._lock:
            if service not in self._clients:
                client = self._session.client(
                    service,
                    endpoint_url=self.endpoint,
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                )
                if self._pinned_account is not None:
                    client.meta.events.register("before-sign", self._name_the_account)
                self._clients[service] = client
            return self._clients[service]

    def _name_the_account(self, request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = self._pinned_account

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    @contextmanager
    def ids_for(self, about: Request | Existing) -> Iterator[None]:
        """Inside the block, the ids moto makes up while it handles `about` follow from the account, the
        stack, the resource and how often it was handled before, not from which of the mock runtime's
        threads came first: an unchanged stack applied in the same account gets the same ids. (A moto
        server picks its own.)"""
        if self.endpoint is not None:
            yield
            return
        resource = f"{self.account_id}/{self.stack}/{about.type}/{about.name}/{getattr(about, 'replacing', None)}"
        with self._lock:
            self._draws[resource] += 1
            draw = self._draws[resource]
        with ids_from(f"{resource}/{draw}"):
            yield

    def start_backends(self) -> None:
        """Start the account's IAM backend now, from a seed of the account's own. moto starts a service's
        backend at its first call and draws ids while it does (IAM: one per AWS managed policy); a
        stack's first IAM call is whichever of its independent roles and policies a thread registers
        first, so started then, the roles' ids would follow thread timing (see `ids_for`)."""
        with ids_from(f"{self.account_id}/backends"):
            self.client("iam").list_roles(MaxItems=1)

    @contextmanager
    def pinned(self, req: Request, generator: str, value: str) -> Iterator[None]:
        """Inside the block, moto's id generator `generator` (a dotted path) returns `value`: in
        in-process moto directly, in a moto server through this project's extension to it."""
        if self.endpoint is None:
            with pinned_in_process(generator, value):
                yield
            return
        self._pin(req, generator, value)
        try:
            yield
        finally:
            self._pin(req, generator, None)

    def _pin(self, req: Request, generator: str, value: str | None) -> None:
        body = json.dumps({"target": generator, "value": value}).encode()
        request = urllib.request.Request(
            self.endpoint.rstrip("/") + PIN_PATH, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=PIN_TIMEOUT_SECONDS):
                return
        except urllib.error.HTTPError as refused:
            if refused.code == 404:  # a stock moto server: it has no way to take a chosen id
                raise EmulatorError(
                    f"{req.type} '{req.name}' must exist, and the moto server at {self.endpoint} cannot create it "
                    f"under that id: serve with `python -m tools.preview --serve` or `{SERVER_COMMAND}` instead"
                ) from None
            raise EmulatorError(f"{req.type} '{req.name}': {refused.read().decode(errors='replace')}") from None

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"

    def physical_name(self, req: Request, max_length: int = 255, *, key: str = "name") -> str:
        """The name Pulumi gives a resource: the explicit one, a prefix + suffix, or logical name + suffix
        (a replacement gets a suffix of its own: the engine checks it again without the old state)."""
        if req.inputs.get(key):
            return req.inputs[key]
        prefix = req.inputs.get(f"{key}Prefix") or f"{req.name}-"
        seed = f"{self.stack}/{req.type}/{req.name}" + (f"/{req.replacing}" if req.replacing else "")
        digest = hashlib.sha256(seed.encode()).hexdigest()
        suffix = digest[:AUTONAME_SUFFIX_LENGTH]
        return prefix[: max_length - AUTONAME_SUFFIX_LENGTH] + suffix


CONNECT_TIMEOUT_SECONDS = 5


def reachable(endpoint: str) -> None:
    """Raise EmulatorError, one line, unless something listens at `endpoint` (an http(s) URL)."""
    url = urllib.parse.urlsplit(endpoint)
    try:
        host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        host = None
    if url.scheme not in ("http", "https") or not host:
        raise EmulatorError(f"the AWS endpoint {endpoint!r} is not a URL such as http://127.0.0.1:5000")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except OSError as unreachable:
        reason = unreachable.strerror or str(unreachable) or type(unreachable).__name__
        raise EmulatorError(
            f"cannot reach the AWS endpoint {endpoint}: {reason}; is a moto server running there? ({SERVER_COMMAND})"
        ) from None


def aws_call(req: Request | Existing, fn: Any, **kwargs: Any) -> Any:
    """Call a boto3 operation; an AWS refusal becomes an EmulatorError naming the resource."""
    try:
        return fn(**{k: v for k, v in kwargs.items() if v is not None})
    except ClientError as err:
        error = err.response.get("Error", {})
        raise EmulatorError(
            f"{req.type} '{req.name}': {error.get('Code', 'Error')}: {error.get('Message', err)}"
        ) from None
    except BotoCoreError as err:  # e.g. a parameter AWS's API would not accept
        raise EmulatorError(f"{req.type} '{req.name}': {err}") from None


def retag(req: Request, old: Existing, untag: Any, tag: Any, **resource: Any) -> None:
    """An update's tags, as the provider's updateTags: the keys gone removed (`untag(**resource,
    TagKeys=...)`), the tags new or changed set (`tag(**resource, Tags=[{"Key", "Value"}, ...])`)."""
    to_set, to_remove = retagged(old, req)
    if to_remove:
        aws_call(req, untag, **resource, TagKeys=to_remove)
    if to_set:
        aws_call(req, tag, **resource, Tags=aws_tags(to_set))


def gone(req: Request | Existing, fn: Any, *codes: str, missing: str | None = None, **kwargs: Any) -> None:
    """A delete: a refusal because the resource is already gone (one of `codes`, a code ending in
    NotFound, or a message containing `missing`) is done, as the provider treats it; any other
    refusal names the resource."""
    try:
        fn(**{k: v for k, v in kwargs.items() if v is not None})
    except ClientError as err:
        error = err.response.get("Error", {})
        code, message = error.get("Code", ""), str(error.get("Message", err))
        if code in codes or code.endswith(("NotFound", "NotFoundException")) or (missing and missing in message):
            return
        raise EmulatorError(f"{req.type} '{req.name}': {code}: {message}") from None
