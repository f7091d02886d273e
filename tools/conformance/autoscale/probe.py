"""A closed-loop probe of the lab's nodes, run inside the lab's client namespace (the lab reads the nodes'
CPU around it: calibrate.py):

    python -m tools.conformance.autoscale.probe http://198.18.0.5:80/work?kloops=1000 \
        --workers 32 --start-at 12345.6 --seconds 5

`--workers` clients each send one request at a time, on a new connection, from `--start-at`
(CLOCK_MONOTONIC, which every namespace shares) until `--seconds` later; a request under way then
finishes. So every node always has requests waiting, and the nodes' CPU from `--start-at` to the
probe's exit is the cost of exactly the requests it counts, with no request cut in two at either end.
Prints one JSON line: `answered`, the 200s, and `failed`, any other outcome. Bounded: nothing is sent
after the window, and no request waits longer than REQUEST_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit

REQUEST_TIMEOUT_SECONDS = 10
MAX_WORKERS = 32
MAX_SECONDS = 30


def probe(url: str, workers: int, start_at: float, seconds: float) -> dict[str, int]:
    """See the module docstring: the requests answered and failed."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    end = start_at + seconds
    counts = {"answered": 0, "failed": 0}
    lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < end:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT_SECONDS)
            try:
                connection.request("GET", path, headers={"Connection": "close"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                connection.close()
            with lock:
                counts["answered" if ok else "failed"] += 1

    delay = start_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    threads = [threading.Thread(target=client, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT_SECONDS)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--start-at", type=float, required=True, help="CLOCK_MONOTONIC second to start sending")
    parser.add_argument("--seconds", type=float, required=True, help="how long to send, in real seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= MAX_WORKERS:
        print(f"--workers: from 1 to {MAX_WORKERS}, got {args.workers}", file=sys.stderr)
        return 2
    if not 0 < args.seconds <= MAX_SECONDS:
        print(f"--seconds: more than 0 and at most {MAX_SECONDS}, got {args.seconds:g}", file=sys.stderr)
        return 2
    print(json.dumps(probe(args.url, args.workers, args.start_at, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
