"""An HTTP server on 127.0.0.1, served from a thread of the test process (the fake node's IMDS and
artifact host, the IMDS's own tests)."""

from __future__ import annotations

import http.server
import threading

POLL_SECONDS = 0.02
"""How often the serving loop looks for `close()`: shutdown() waits for it, 0.5 s by default."""


class LocalServer:
    """`server`, serving until `close()`."""

    def __init__(self, server: http.server.HTTPServer):
        self.server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
