"""This project's moto server: stock moto, the emulator's speed patches, and one extension.

    python -m tools.emulator.server [-H HOST] [-p PORT] [--access-log]   # moto_server's options, and one

It sits at the package's top, beside `Emulator`, not in core/: like it, a way in that puts the
core and the services together.

The extension lets a client create a resource under the id or ARN it chooses, which moto's
API cannot: what a stack references but does not own (an existing VPC and its subnets, a
security group, a certificate, a secret) then exists in the server exactly as the in-process
emulator provides it (`provide_*` in ec2, acm, wafv2 and secretsmanager, through `AwsSession.pinned`).

    POST /moto-api/elixir-cluster/pinned-ids  {"target": GENERATOR, "value": ID}   # pin
    POST /moto-api/elixir-cluster/pinned-ids  {"target": GENERATOR, "value": null} # unpin

While pinned, moto's id generator GENERATOR (one of PINNABLE, a dotted path) returns ID:
the client pins, makes its ordinary create call, and unpins. One pin per generator at a
time (409 otherwise), so two clients cannot give one id to two resources. A stock moto
server answers 404 there; `AwsSession.pinned` then says which server to start instead.

`start()` serves it from a thread of this process (`tools.preview --serve`, the tests);
the node lab's server (tools/conformance/node_lab/moto_server.py) is this one plus what
its nodes need. Either way it logs no line per request unless asked (`--access-log`,
`start(access_log=True)`): a terminal the server shares with the aws CLI stays readable, and a
process that waits for the preview's one ready line reads nothing else. Errors are still logged.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
import threading
from typing import Any
from unittest import mock

from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import ThreadedMotoServer
from moto.server import main as moto_main
from werkzeug.serving import make_server

from .core.session import PIN_PATH
from .services import acm, ec2, secretsmanager, wafv2

PINNABLE = frozenset(
    {
        ec2.VPC_IDS,
        ec2.SUBNET_IDS,
        ec2.SECURITY_GROUP_IDS,
        acm.CERTIFICATE_ARNS,
        wafv2.WEB_ACL_ARNS,
        secretsmanager.SECRET_ARNS,
    }
)
"""The generators a client may pin: those the `provide_*` fixtures create existing resources with."""

STOP_POLL_SECONDS = 0.05
"""How often a served thread looks whether it is asked to stop (werkzeug's default: every half second,
which each stop waits out)."""

ACCESS_LOG = logging.getLogger("werkzeug")
"""Where moto's server (werkzeug) logs each request, at INFO, and its errors."""

_pins: dict[str, Any] = {}
_pins_lock = threading.Lock()


def install(access_log: bool = False) -> None:
    """Add the extension to moto's server (idempotent); AWS's managed policies exist, as in every
    account; a line per request only with `access_log`."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    moto_api_urls.url_paths["{0}" + PIN_PATH] = pin_response
    ACCESS_LOG.setLevel(logging.INFO if access_log else logging.WARNING)


def pin_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """moto's handler shape: (status, headers, body)."""
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST {target, value}"})
    try:
        asked = json.loads(request.data or b"{}")
        target, value = asked["target"], asked.get("value")
    except (ValueError, KeyError, TypeError):
        return 400, {}, json.dumps({"error": "the body is JSON {target, value}"})
    if target not in PINNABLE:
        return 400, {}, json.dumps({"error": f"{target} is not pinnable; these are: {sorted(PINNABLE)}"})
    with _pins_lock:
        if value is None:
            patch = _pins.pop(target, None)
            if patch is not None:
                patch.stop()
            return 200, {}, json.dumps({"unpinned": target})
        if target in _pins:
            return 409, {}, json.dumps({"error": f"{target} is already pinned by another client"})
        _pins[target] = mock.patch(target, lambda *_args, **_kwargs: value)
        _pins[target].start()
    return 200, {}, json.dumps({"pinned": target, "value": value})


def start(host: str = "127.0.0.1", port: int = 0, access_log: bool = False) -> tuple[ThreadedMotoServer, str]:
    """The server on a thread of this process (port 0: a free one) and its URL; `.stop()` ends it.
    Raises OSError if the port is taken (moto's thread would die there and its start wait forever)."""
    install(access_log)
    if port:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug binds
            probe.bind((host, port))
    server = _ThreadedServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}"


class _ThreadedServer(ThreadedMotoServer):
    """moto's threaded server, made as moto makes it (moto/moto_server/threaded_moto_server.py
    `_server_entry`), that stops within STOP_POLL_SECONDS."""

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=STOP_POLL_SECONDS)


def main(argv: list[str] | None = None) -> None:
    ours = argparse.ArgumentParser(add_help=False)
    ours.add_argument("--access-log", action="store_true", help="log a line per request (off by default)")
    args, moto_argv = ours.parse_known_args(argv if argv is not None else sys.argv[1:])
    if {"-h", "--help"} & set(moto_argv):
        print("moto's server with this project's extension: moto_server's options, and\n")
        print("  --access-log          log a line per request (off by default)\n")
    install(args.access_log)
    moto_main(moto_argv)


if __name__ == "__main__":
    main()
