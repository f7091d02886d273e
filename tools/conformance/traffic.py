"""A bounded request loop, run inside a lab namespace: `python -m tools.conformance.traffic`.

    python -m tools.conformance.traffic http://198.18.0.5:80/served-by --seconds 60 [--count N] [--method POST]

Sends one request at a time, each on a new connection (so the load balancer picks a
target for each), until `--count` requests were sent, `--seconds` passed, or SIGTERM.
Prints one JSON line per request: `start` and `end` (CLOCK_MONOTONIC, the clock the lab
reads too), `status` (None when no HTTP answer came), `body` (what the node answered: its
name for /served-by, the order for POST /orders) and `error`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import sys
import time
from urllib.parse import urlsplit

REQUEST_TIMEOUT_SECONDS = 15
"""Longer than the load balancer's own connect timeout and retries, so its answer is seen."""
PAUSE_SECONDS = 0.05


def request(url: str, method: str = "GET") -> dict:
    parts = urlsplit(url)
    started = time.monotonic()
    outcome: dict = {"start": started, "status": None, "body": "", "error": ""}
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        connection.request(method, parts.path, headers={"Connection": "close"})
        response = connection.getresponse()
        outcome |= {"status": response.status, "body": response.read().decode(errors="replace")}
    except OSError as failure:
        outcome["error"] = f"{type(failure).__name__}: {failure}"
    finally:
        connection.close()
    return outcome | {"end": time.monotonic()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, required=True, help="stop after this long at the latest")
    parser.add_argument("--count", type=int, help="stop after this many requests")
    parser.add_argument("--method", default="GET", choices=("GET", "POST"))
    args = parser.parse_args(argv)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    deadline = time.monotonic() + args.seconds
    sent = 0
    while not stopping and time.monotonic() < deadline and (args.count is None or sent < args.count):
        print(json.dumps(request(args.url, args.method)), flush=True)
        sent += 1
        time.sleep(PAUSE_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
