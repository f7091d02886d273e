"""An open-loop load generator, bounded in rate and time, run inside a lab namespace:

    python -m tools.conformance.autoscale.load http://198.18.0.5:80/work?ms=5 --factor 10 \
        --epoch 12345.6 --schedule 0:1.2,12:3.6,30:1.2 --until 45 --out requests.jsonl

The schedule is the demand in requests per lab second from each lab minute on (the simulator's
trace's unit; lab_time.py): `12:3.6` is 3.6 requests per lab second from lab minute 12, so 36 real
requests per second at a factor of 10. Lab time is read from CLOCK_MONOTONIC, which every namespace
shares: `--epoch` is the monotonic second at which the lab's minute 0 started.

Open loop: request i of a stretch is sent at its own time (evenly spaced at the rate), whether or not
earlier ones were answered, so a slow cluster sees the demand it would see from users, not less. Each
request is on a new connection (the load balancer picks a target for each). At most
`--max-outstanding` requests are in flight; a request due while that many wait is not sent and is
recorded as shed (the bound that keeps an overloaded lab from piling up connections). Nothing is sent
after lab minute `--until`, nor above MAX_REAL_RATE, nor past MAX_SECONDS of wall time.

One JSON line per request: `minute` (the lab minute it was due), `due` (monotonic), `latency` (s),
`status` (None without an HTTP answer), `error`, `shed`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import sys
import threading
import time
from urllib.parse import urlsplit

REQUEST_TIMEOUT_SECONDS = 30
MAX_REAL_RATE = 400.0
"""Requests per real second: the generator refuses a schedule above it (a lab's cores are few)."""
MAX_SECONDS = 1800
"""A run never goes on longer than this, whatever the schedule says."""
SECONDS_PER_MINUTE = 60


def parse_schedule(text: str) -> list[tuple[int, float]]:
    """`minute:rate,...` -> [(minute, requests per lab second)], ascending; ValueError naming the part."""
    steps = []
    for part in text.split(","):
        minute, sep, rate = part.partition(":")
        try:
            steps.append((int(minute), float(rate)))
        except ValueError:
            raise ValueError(f"--schedule: {part!r} is not minute:rate (e.g. 12:3.6)") from None
        if not sep or steps[-1][1] < 0:
            raise ValueError(f"--schedule: {part!r} is not minute:rate with a rate >= 0")
    if [m for m, _ in steps] != sorted({m for m, _ in steps}):
        raise ValueError(f"--schedule: minutes must ascend, got {[m for m, _ in steps]}")
    return steps


def rate_at(schedule: list[tuple[int, float]], minute: float) -> float:
    """The demand (requests per lab second) in force at lab minute `minute`; 0 before the first step."""
    rate = 0.0
    for start, value in schedule:
        if minute >= start:
            rate = value
    return rate


class Generator:
    def __init__(self, url: str, factor: float, epoch: float, schedule, until: int, max_outstanding: int, out):
        self.parts = urlsplit(url)
        self.factor, self.epoch, self.schedule, self.until = factor, epoch, schedule, until
        self.slots = threading.BoundedSemaphore(max_outstanding)
        self.out, self.lock = out, threading.Lock()
        self.stopping = threading.Event()

    def lab_minute(self, at: float) -> float:
        return (at - self.epoch) * self.factor / SECONDS_PER_MINUTE

    def run(self) -> None:
        started = time.monotonic()
        due = started
        while not self.stopping.is_set() and due - started < MAX_SECONDS:
            minute = self.lab_minute(due)
            if minute >= self.until:
                break
            real_rate = rate_at(self.schedule, minute) * self.factor
            if real_rate <= 0:
                due += 0.1
                self._sleep_until(due)
                continue
            self._sleep_until(due)
            if self.slots.acquire(blocking=False):
                threading.Thread(target=self._request, args=(due, int(minute)), daemon=True).start()
            else:
                self._write({"minute": int(minute), "due": due, "shed": True})
            due += 1 / real_rate
        for _ in range(50):  # the requests in flight, a few seconds at most
            if self.slots._value == self.slots._initial_value:  # noqa: SLF001 - no public count
                break
            time.sleep(0.2)

    def _sleep_until(self, at: float) -> None:
        delay = at - time.monotonic()
        if delay > 0:
            self.stopping.wait(delay)

    def _request(self, due: float, minute: int) -> None:
        outcome = {"minute": minute, "due": due, "status": None, "error": "", "shed": False}
        connection = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            path = self.parts.path + (f"?{self.parts.query}" if self.parts.query else "")
            connection.request("GET", path, headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
            outcome["status"] = response.status
        except OSError as failure:
            outcome["error"] = f"{type(failure).__name__}: {failure}"
        finally:
            connection.close()
            outcome["latency"] = time.monotonic() - due
            self.slots.release()
        self._write(outcome)

    def _write(self, line: dict) -> None:
        with self.lock:
            self.out.write(json.dumps(line) + "\n")
            self.out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--factor", type=float, required=True, help="lab minutes per 60 real seconds")
    parser.add_argument("--epoch", type=float, required=True, help="CLOCK_MONOTONIC second of lab minute 0")
    parser.add_argument("--schedule", required=True, help="minute:requests-per-lab-second,...")
    parser.add_argument("--until", type=int, required=True, help="the lab minute the load stops")
    parser.add_argument("--max-outstanding", type=int, default=64)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        schedule = parse_schedule(args.schedule)
    except ValueError as bad:
        print(bad, file=sys.stderr)
        return 2
    fastest = max(rate for _, rate in schedule) * args.factor
    if fastest > MAX_REAL_RATE:
        print(f"--schedule: {fastest:g} requests per real second is above the bound {MAX_REAL_RATE:g}", file=sys.stderr)
        return 2
    with open(args.out, "a") as out:
        generator = Generator(args.url, args.factor, args.epoch, schedule, args.until, args.max_outstanding, out)
        signal.signal(signal.SIGTERM, lambda *_: generator.stopping.set())
        generator.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
