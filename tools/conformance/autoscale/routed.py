"""The lab's moto, reached from the loop: each call runs on the account's thread, the only one in the
moto server's network namespace (tools/conformance/node_lab/aws.py)."""

from __future__ import annotations

from typing import Any

from .activities import ServerCapacity, Trigger


class RoutedClient:
    """A boto3 client of the lab's moto whose every call runs on the account's thread (the only one in the
    server's network namespace); paginators are read to the end there."""

    def __init__(self, account: Any, service: str):
        self._account, self._service = account, service

    def __getattr__(self, name: str):
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._account.call(lambda aws: getattr(aws.client(self._service), name)(*args, **kwargs))

        return call

    def get_paginator(self, operation: str):
        account, service = self._account, self._service

        class _Pages:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                return account.call(lambda aws: list(aws.client(service).get_paginator(operation).paginate(**kwargs)))

        return _Pages()


class RoutedCapacity:
    """The lab's ServerCapacity (activities.py), its changes made on the account's thread."""

    def __init__(self, account: Any, capacity: ServerCapacity):
        self._account, self._capacity = account, capacity

    def change(self, group: str, desired: int, trigger: Trigger, at, remove=None):
        return self._account.call(lambda _aws: self._capacity.change(group, desired, trigger, at, remove))
