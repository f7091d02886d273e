"""`systemctl` inside a lab instance: hands the command to the instance's unit runner (units.py).

Installed as /usr/local/bin/systemctl by `install_shims`; supports daemon-reload, enable
(--now), start/restart (--no-block), stop, is-active and is-enabled, and says so for
anything else. Exit codes as systemctl's: 0, 1 (failed), 3 (not active), 5 (no such unit).
"""

from __future__ import annotations

import json
import socket
import sys

from .units import SOCKET

ANSWER_TIMEOUT_SECONDS = 600
"""Longer than any stop the runner carries out (two TimeoutStopSec and ExecStop)."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(ANSWER_TIMEOUT_SECONDS)
            connection.connect(str(SOCKET))
            with connection.makefile("rw") as stream:
                stream.write(json.dumps({"argv": argv}) + "\n")
                stream.flush()
                answer = json.loads(stream.readline())
    except OSError as problem:
        print(f"System has not been booted with the node lab's unit runner ({SOCKET}: {problem})", file=sys.stderr)
        return 1
    sys.stdout.write(answer["stdout"])
    sys.stderr.write(answer["stderr"] + ("\n" if answer["stderr"] else ""))
    return answer["code"]


if __name__ == "__main__":
    sys.exit(main())
