"""The runner as a daemon: systemctl's shim talks to it over a Unix socket."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import socket
import sys
import threading
from pathlib import Path

from .manager import Manager
from .sandbox import exec_as_unit
from .unit_file import SOCKET, UnitNotFound, UnsupportedDirective

# --- the daemon and its protocol -----------------------------------------------------------------


def handle(manager: Manager, argv: list[str]) -> tuple[int, str, str]:
    """One systemctl command: (exit code, stdout, stderr)."""
    options = [a for a in argv if a.startswith("-")]
    words = [a for a in argv if not a.startswith("-")]
    unknown = set(options) - {"--no-block", "--quiet", "-q", "--now"}
    if not words or unknown:
        return 1, "", f"systemctl {' '.join(argv)}: not implemented by the node lab"
    verb, names = words[0], words[1:]
    try:
        if verb == "daemon-reload":
            manager.daemon_reload()
            return 0, "", ""
        if verb == "enable":
            out = "\n".join(manager.enable(n) for n in names)
            if "--now" in options:
                for unit in manager.ordered(names):
                    manager.start(unit.name, block="--no-block" not in options)
            return 0, "", out
        if verb in ("start", "restart"):
            for unit in manager.ordered(names):
                if verb == "restart":
                    manager.stop(unit.name)
                manager.start(unit.name, block="--no-block" not in options)
            return 0, "", ""
        if verb == "stop":
            for name in names:
                manager.stop(name)
            return 0, "", ""
        if verb == "is-active":
            states = [manager.state(n) for n in names]
            return (0 if all(s == "active" for s in states) else 3), "\n".join(states) + "\n", ""
        if verb == "is-enabled":
            enabled = [manager.is_enabled(n) for n in names]
            return (0 if all(enabled) else 1), "\n".join("enabled" if e else "disabled" for e in enabled) + "\n", ""
    except UnitNotFound as missing:
        return 5, "", f"Failed to {verb} {' '.join(names)}: {missing}"
    except (UnsupportedDirective, RuntimeError, KeyError, OSError) as problem:
        return 1, "", f"Failed to {verb} {' '.join(names)}: {problem}"
    return 1, "", f"systemctl {verb}: not implemented by the node lab"


def serve(socket_path: Path = SOCKET) -> None:
    manager = Manager()
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))
    server.listen(16)

    def shut_down(*_: object) -> None:
        manager.stop_all()  # as systemd does at shutdown: every service stopped its own way
        sys.exit(0)

    signal.signal(signal.SIGTERM, shut_down)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=_answer, args=(manager, connection), daemon=True).start()


def _answer(manager: Manager, connection: socket.socket) -> None:
    with connection, connection.makefile("rw") as stream:
        request = json.loads(stream.readline())
        code, out, err = handle(manager, request["argv"])
        stream.write(json.dumps({"code": code, "stdout": out, "stderr": err}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve").add_argument("--socket", type=Path, default=SOCKET)
    run = commands.add_parser("exec", help="internal: run one command as a unit says")
    run.add_argument("sandbox")
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.socket)
        return 0
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    exec_as_unit(json.loads(args.sandbox), command)
    return 127
