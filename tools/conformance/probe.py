"""Which TCP ports answer, run inside a lab namespace: `python -m tools.conformance.probe`.

    python -m tools.conformance.probe --timeout 1 198.18.0.1:4369 198.18.0.1:9100-9155

Prints one JSON object, `"address:port"` -> `open` (connected), `refused` (the host
answered with a reset: reachable, nothing listening) or `blocked` (no answer before the
timeout: a firewall dropped it). All ports are tried at once, so a probe takes at most
about one timeout.
"""

from __future__ import annotations

import argparse
import errno
import json
import selectors
import socket
import sys
import time

OPEN, REFUSED, BLOCKED = "open", "refused", "blocked"


def expand(targets: list[str]) -> list[tuple[str, int]]:
    """`host:port` and `host:from-to` as (host, port) pairs."""
    pairs = []
    for target in targets:
        host, _, ports = target.rpartition(":")
        low, _, high = ports.partition("-")
        pairs += [(host, port) for port in range(int(low), int(high or low) + 1)]
    return pairs


def probe(pairs: list[tuple[str, int]], timeout: float) -> dict[str, str]:
    outcome: dict[str, str] = {}
    selector = selectors.DefaultSelector()
    for host, port in pairs:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((host, port))
        key = f"{host}:{port}"
        if code in (0, errno.EINPROGRESS):
            selector.register(sock, selectors.EVENT_WRITE, key)
        else:
            outcome[key] = REFUSED if code == errno.ECONNREFUSED else BLOCKED
            sock.close()
    deadline = time.monotonic() + timeout
    while selector.get_map() and (left := deadline - time.monotonic()) > 0:
        for ready, _ in selector.select(left):
            code = ready.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            outcome[ready.data] = OPEN if code == 0 else REFUSED if code == errno.ECONNREFUSED else BLOCKED
            selector.unregister(ready.fileobj)
            ready.fileobj.close()
    for key in list(selector.get_map().values()):
        outcome[key.data] = BLOCKED
        key.fileobj.close()
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for an answer")
    parser.add_argument("targets", nargs="+", help="host:port or host:from-to")
    args = parser.parse_args(argv)
    json.dump(probe(expand(args.targets), args.timeout), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
