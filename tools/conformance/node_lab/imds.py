"""The instance metadata service of one lab instance, IMDSv2 only, as `HttpTokens: required` makes it.

    python -m tools.conformance.node_lab.imds --listen 169.254.169.254:80 --metadata FILE

Run inside the instance's network namespace, on 169.254.169.254 added to that namespace's
loopback: the address exists nowhere else, so nothing the host sends can reach it. The
offline tests run the same server on 127.0.0.1 (`server`), real curl pointed at it.

It refuses what EC2's refuses, so a script that works here works on an instance:

- `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` between 1 and 21600
  ("a minimum of one second and a maximum of six hours"); without it, or out of range, 400
  ("400 - Bad Request: the PUT request isn't valid"). A PUT to a version-specific path
  (`/2021-03-23/api/token`) is 403, as EC2 answers it; a PUT carrying X-Forwarded-For gets
  no token (403): IMDSv2 will not issue one to a request relayed by a proxy.
- `GET /latest/meta-data/...` needs `X-aws-ec2-metadata-token` with a token that is still
  live: without one, with an unknown one or once its TTL has passed, 401 ("the GET request
  uses a token that isn't valid; generate a new token"). A missing item is 404.
- An item can be made unavailable for its next N reads (`outages`): 503, as IMDS answers
  when "the request could not be completed"; a client retries.

FILE's `"tokens"` changes the first two: `"optional"` turns IMDSv1 back on; `"withheld"`
answers the PUT without a token (an empty 200), a broken metadata service the lab boots a
node against. What is answered comes from FILE (JSON), read at every request, so the lab
changes an instance's target lifecycle state by rewriting it (`write_metadata`):

    {"instance-id": "i-…", "local-ipv4": "198.18.0.1", "availability-zone": "eu-west-1a",
     "region": "eu-west-1", "tags": {"aws:autoscaling:groupName": "…"},
     "target-lifecycle-state": "InService", "role": "shop-node", "credentials": {...}}

Sources: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
(the session token and its TTL), https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
(version-specific token paths; the error codes),
https://repost.aws/knowledge-center/ec2-linux-metadata-retrieval (400, 401, 403, 404),
https://aws.amazon.com/blogs/security/defense-in-depth-open-firewalls-reverse-proxies-ssrf-vulnerabilities-ec2-instance-metadata-service/
(X-Forwarded-For).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

IMDS_ADDRESS = "169.254.169.254"
TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TOKEN_TTL_SECONDS = 21600
TOKEN_PATH = "/latest/api/token"
META_DATA_PREFIX = "/latest/meta-data/"


def write_metadata(path: Path, metadata: dict[str, Any]) -> None:
    """Replace the metadata an IMDS serves in one step (it may be reading it right now)."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(metadata, indent=2))
    os.replace(partial, path)


def meta_data(metadata: dict[str, Any], item: str) -> str | None:
    """The answer to `GET /latest/meta-data/<item>`, None when EC2 would answer 404."""
    tags = metadata.get("tags", {})
    role = metadata.get("role")
    credentials = metadata.get("credentials")
    placement = {
        "placement/availability-zone": metadata.get("availability-zone"),
        "placement/region": metadata.get("region"),
    }
    fixed = {
        "instance-id": metadata.get("instance-id"),
        "local-ipv4": metadata.get("local-ipv4"),
        "autoscaling/target-lifecycle-state": metadata.get("target-lifecycle-state"),
        **placement,
        "placement/": "availability-zone\nregion",
        "tags/instance": "\n".join(tags) if tags else None,
        "tags/instance/": "\n".join(tags) if tags else None,
        "iam/security-credentials/": role if credentials else None,
    }
    if item in fixed:
        return fixed[item]
    if item.startswith("tags/instance/"):
        return tags.get(item.removeprefix("tags/instance/"))
    if credentials and role and item.rstrip("/") == f"iam/security-credentials/{role}":
        return json.dumps({"Code": "Success", "Type": "AWS-HMAC", **credentials}, indent=2)
    if item in ("", "/"):
        return "\n".join(["instance-id", "local-ipv4", "placement/", "tags/", "autoscaling/", "iam/"])
    return None


class _Tokens:
    """Session tokens and when each expires (seconds on `clock`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._expiry: dict[str, float] = {}
        self._clock = clock

    def issue(self, ttl: int) -> str:
        token = secrets.token_urlsafe(32)
        self._expiry[token] = self._clock() + ttl
        return token

    def valid(self, token: str | None) -> bool:
        return token is not None and self._expiry.get(token, 0) > self._clock()


def handler(
    metadata_file: Path, tokens: _Tokens, log: list[str] | None = None, outages: dict[str, int] | None = None
) -> type[BaseHTTPRequestHandler]:
    unavailable = outages if outages is not None else {}

    class Handler(BaseHTTPRequestHandler):
        server_version = "EC2ws"
        sys_version = ""

        def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
            if self.path != TOKEN_PATH:
                return self._send(403 if self.path.endswith("/api/token") else 404, "")
            if self.headers.get("X-Forwarded-For"):
                return self._send(403, "")
            ttl = self.headers.get(TOKEN_TTL_HEADER, "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TOKEN_TTL_SECONDS:
                return self._send(400, "")
            if json.loads(metadata_file.read_text()).get("tokens") == "withheld":
                return self._send(200, "")
            token = tokens.issue(int(ttl))
            self._send(200, token, {TOKEN_TTL_HEADER: ttl})

        def do_GET(self) -> None:  # noqa: N802
            metadata = json.loads(metadata_file.read_text())
            required = metadata.get("tokens", "required") != "optional"
            if required and not tokens.valid(self.headers.get(TOKEN_HEADER)):
                return self._send(401, "")
            prefix = META_DATA_PREFIX
            if not self.path.startswith(prefix) and self.path != prefix.rstrip("/"):
                return self._send(404, "")
            item = self.path.removeprefix(prefix)
            if unavailable.get(item, 0) > 0:
                unavailable[item] -= 1
                return self._send(503, "")
            body = meta_data(metadata, item)
            self._send(404, "") if body is None else self._send(200, body)

        def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            line = f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '?'}"
            if log is not None:
                log.append(line)
            else:  # the lab's process: its stderr is the instance's imds.log
                print(line, file=sys.stderr, flush=True)

    return Handler


def server(
    listen: tuple[str, int],
    metadata_file: Path,
    log: list[str] | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    outages: dict[str, int] | None = None,
) -> ThreadingHTTPServer:
    """The service on `listen`; `clock` decides when tokens expire, `outages` maps an item to
    how many of its next reads answer 503."""
    return ThreadingHTTPServer(listen, handler(metadata_file, _Tokens(clock), log, outages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default=f"{IMDS_ADDRESS}:80")
    parser.add_argument("--metadata", type=Path, required=True)
    parser.add_argument("--ready", type=Path, help="file written once the socket listens")
    args = parser.parse_args(argv)
    host, port = args.listen.rsplit(":", 1)
    with server((host, int(port)), args.metadata) as imds:
        if args.ready:
            args.ready.write_text("listening\n")
        imds.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
