"""The refresh's record in moto, kept as AWS keeps it while a refresh runs: InProgress with its
PercentageComplete and InstancesToUpdate, then Successful or Failed with a status reason.

moto's refresh (tools/emulator/core/instance_refresh.py) stays Pending until a driver moves it
(`move_to`). The record reaches it in the backend of this process: the in-process moto the tests
apply stacks to, or a moto server on a thread of this process. A moto server in another process
would need an operation of its own to be moved; none exists yet.
"""

from __future__ import annotations

from moto.autoscaling.models import autoscaling_backends

from tools.emulator.core import instance_refresh


class InProcessRecord:
    """One refresh in this process's moto, by account, region, group and id."""

    def __init__(self, account_id: str, region: str, group: str, refresh_id: str) -> None:
        backend = autoscaling_backends[account_id][region]
        found = [r for r in instance_refresh.refreshes(backend, group) if r.id == refresh_id]
        if not found:
            raise LookupError(f"{group}: no instance refresh {refresh_id} in account {account_id}")
        self._refresh = found[0]

    def move_to(self, status: str, reason: str | None = None) -> None:
        self._refresh.move_to(status, reason)

    def progress(self, percentage_complete: int, instances_to_update: int) -> None:
        """What DescribeInstanceRefreshes reports of a running refresh."""
        self._refresh.percentage_complete = percentage_complete
        self._refresh.instances_to_update = instances_to_update
