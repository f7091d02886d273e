"""The refresh's record in moto, kept as AWS keeps it while a refresh runs: InProgress with its
PercentageComplete and InstancesToUpdate, then Successful or Failed with a status reason.

moto's refresh (tools/emulator/core/instance_refresh.py) stays Pending until a driver moves it
(`move_to`). Two ways to reach it:

- `InProcessRecord`: in the backend of this process (the in-process moto the tests apply stacks
  to, or a moto server on a thread of this process);
- `ServerRecord`: in a moto server of its own process (the node lab's), through a route of moto's
  administration API (`/moto-api/...`, beside the project's pinned-ids route) that `install()` adds
  to the server. AWS has no such call: moving a refresh is Auto Scaling's own work, which this
  package stands in for; moto's administration API is where a server takes what is not AWS's.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.moto_api._internal import urls as moto_api_urls

from tools.emulator.core import instance_refresh

ROUTE = "/moto-api/elixir-cluster/instance-refresh"
"""Where a moto server with `install()` takes a refresh's move."""
CALL_TIMEOUT_SECONDS = 30


def the_refresh(account_id: str, region: str, group: str, refresh_id: str) -> instance_refresh.InstanceRefresh:
    backend = autoscaling_backends[account_id][region]
    found = [r for r in instance_refresh.refreshes(backend, group) if r.id == refresh_id]
    if not found:
        raise LookupError(f"{group}: no instance refresh {refresh_id} in account {account_id}")
    return found[0]


class InProcessRecord:
    """One refresh in this process's moto, by account, region, group and id."""

    def __init__(self, account_id: str, region: str, group: str, refresh_id: str) -> None:
        self._refresh = the_refresh(account_id, region, group, refresh_id)

    def move_to(self, status: str, reason: str | None = None) -> None:
        self._refresh.move_to(status, reason)

    def progress(self, percentage_complete: int, instances_to_update: int) -> None:
        """What DescribeInstanceRefreshes reports of a running refresh."""
        self._refresh.percentage_complete = percentage_complete
        self._refresh.instances_to_update = instances_to_update


class ServerRecord:
    """One refresh in the moto server at `endpoint` (which has `install()`'s route)."""

    def __init__(self, endpoint: str, account_id: str, region: str, group: str, refresh_id: str) -> None:
        self._url = endpoint.rstrip("/") + ROUTE
        self._refresh = {"account": account_id, "region": region, "group": group, "refreshId": refresh_id}

    def move_to(self, status: str, reason: str | None = None) -> None:
        self._send({"status": status, "reason": reason})

    def progress(self, percentage_complete: int, instances_to_update: int) -> None:
        self._send({"percentageComplete": percentage_complete, "instancesToUpdate": instances_to_update})

    def _send(self, move: dict[str, Any]) -> None:
        body = json.dumps({**self._refresh, **move}).encode()
        request = urllib.request.Request(self._url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=CALL_TIMEOUT_SECONDS) as answer:
            answer.read()


def install() -> None:
    """Add the route to moto's server in this process (idempotent)."""
    moto_api_urls.url_paths["{0}" + ROUTE] = move_response


def move_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """moto's handler shape: (status, headers, body). The body names the refresh and its move."""
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST {account, region, group, refreshId, status | percentageComplete}"})
    try:
        asked = json.loads(request.data or b"{}")
        refresh = the_refresh(asked["account"], asked["region"], asked["group"], asked["refreshId"])
    except (ValueError, KeyError, TypeError) as bad:
        return 400, {}, json.dumps({"error": f"the body is JSON {{account, region, group, refreshId, ...}}: {bad}"})
    except LookupError as missing:
        return 404, {}, json.dumps({"error": str(missing)})
    if "status" in asked:
        refresh.move_to(asked["status"], asked.get("reason"))
    if "percentageComplete" in asked:
        refresh.percentage_complete = int(asked["percentageComplete"])
        refresh.instances_to_update = int(asked["instancesToUpdate"])
    return 200, {}, json.dumps(refresh.described(), default=str)
