"""The calibration's probe (probe.py): closed-loop clients for a window, counting every answer, against a
local HTTP server that stands in for the lab's nodes."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from tools.conformance.autoscale import probe

SERVICE_SECONDS = 0.05


class _Node(http.server.BaseHTTPRequestHandler):
    """Answers after SERVICE_SECONDS: 200 for /work, 500 for anything else."""

    def do_GET(self):  # noqa: N802 - http.server's name
        time.sleep(SERVICE_SECONDS)
        self.send_response(200 if self.path.startswith("/work") else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def node() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Node)
    # its shutdown waits for a poll: 0.5 s by default
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_every_answer_to_a_request_sent_in_the_window_counts(node):
    # 2 clients, one request each per 50 ms at most, for 0.5 s: at most 2 x (0.5 / 0.05 + 1) = 22 answers
    counts = probe.probe(f"{node}/work?kloops=1", 2, time.monotonic() + 0.05, 0.5)
    assert counts["failed"] == 0
    assert 4 <= counts["answered"] <= 22


def test_an_answer_other_than_200_is_a_failure(node):
    counts = probe.probe(f"{node}/other", 1, time.monotonic() + 0.05, 0.3)
    assert counts["answered"] == 0 and counts["failed"] >= 1


def test_the_bounds_are_said_before_anything_is_sent(capsys):
    assert probe.main(["http://198.18.0.5/work", "--workers", "64", "--start-at", "0", "--seconds", "1"]) == 2
    assert "--workers: from 1 to 32, got 64" in capsys.readouterr().err
