"""The fake `aws` (aws_cli.py) answered in the test process: the node's `aws` is a small bash
client that hands the call to this server and prints what the call printed, exiting with its code.

A call used to start a Python interpreter of its own, about 25 ms of CPU for its start and its
imports, and the suite makes a few hundred. The answer is the same code (`aws_cli.main`), with the
call's own working directory and fake environment ($FAKE_CALLS, $FAKE_AWS_STATE, $FAKE_AWS_MODEL),
so it is exactly as strict.

One call per connection to 127.0.0.1:$FAKE_AWS_PORT:
- the client sends NUL-terminated fields: how many follow, its working directory, the three
  variables, then each argument;
- the server answers `<exit code>\\n<length of stdout in bytes>\\n`, stdout, then stderr until it
  closes the connection.
"""

from __future__ import annotations

import atexit
import functools
import io
import socketserver
import threading
import traceback

from tests.support.fakes import aws_cli

ENVIRONMENT = ("FAKE_CALLS", "FAKE_AWS_STATE", "FAKE_AWS_MODEL")
"""What a call reads from its environment, in the order the client sends them."""

CLIENT = """#!/bin/bash
# The fake aws: the call is answered in the test process (tests/support/fakes/aws_server.py).
exec 3<>"/dev/tcp/127.0.0.1/${FAKE_AWS_PORT:?}" || exit 255
printf '%s\\0' "$(($# + 4))" "$PWD" "$FAKE_CALLS" "$FAKE_AWS_STATE" "$FAKE_AWS_MODEL" "$@" >&3
IFS= read -r code <&3 && IFS= read -r size <&3 || exit 255
head -c "$size" <&3
cat <&3 >&2
exit "$code"
"""
"""The `aws` on the node's PATH."""

UNCAUGHT = 1
"""Python's exit code for an exception nothing caught (a fault in the fake, not a refusal)."""

_calls = threading.Lock()
"""One call at a time: a call reads and rewrites its state file."""


class _Call(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        fields = self._fields()
        cwd, environment, argv = fields[0], dict(zip(ENVIRONMENT, fields[1:4], strict=True)), fields[4:]
        out, err = io.StringIO(), io.StringIO()
        with _calls:
            try:
                code = aws_cli.main(argv, environment, out, err, cwd)
            except Exception:  # noqa: BLE001 - printed as the interpreter prints it, exit 1
                traceback.print_exc(file=err)
                code = UNCAUGHT
        printed = out.getvalue().encode()
        self.wfile.write(f"{code}\n{len(printed)}\n".encode() + printed + err.getvalue().encode())

    def _fields(self) -> list[str]:
        received = b""
        while True:
            count, separator, rest = received.partition(b"\0")
            if separator and rest.count(b"\0") >= int(count):
                return [field.decode() for field in rest.split(b"\0")[: int(count)]]
            chunk = self.rfile.read1(65536)
            if not chunk:
                raise ConnectionError("the fake aws client hung up mid-call")
            received += chunk


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@functools.cache
def port() -> int:
    """The server's port, started on first use for the rest of the process."""
    server = _Server(("127.0.0.1", 0), _Call)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    atexit.register(server.shutdown)
    return server.server_address[1]
