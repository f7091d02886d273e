"""An emulated account's state in in-process moto: copied, put back, or forgotten.

In-process moto keeps every account's resources in its backends (`BackendDict`: account ->
region -> backend, one per service), plus one thing kept across accounts: which account owns
each S3 bucket name.

- `snapshot(account_id)` deep-copies all of it for one account, and `restore(state)` makes the
  account hold exactly that again, dropping what was added since (a service first used after
  the snapshot included). Copying an applied stack's account takes tens of milliseconds;
  applying the stack again takes a second or more.
- `forget(account_id)` drops an account, so a long process (a test session) does not keep
  every account it ever used: moto frees state only when its mock stops, for all accounts.

In-process moto only: a moto server's state lives in its own process.
"""

from __future__ import annotations

import copy
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data

moto_lock = threading.Lock()
"""Held while in-process moto starts and while an account's state is copied, put back or dropped."""


@dataclass(frozen=True)
class AccountState:
    """One account's resources in every service, as they were when `snapshot` copied them."""

    account_id: str
    services: dict[BackendDict, Any] = field(repr=False)
    buckets: dict[str, Any] = field(repr=False)


def snapshot(account_id: str) -> AccountState:
    """A deep copy of what `account_id` holds in in-process moto."""
    with moto_lock:
        used = [backends for backends in list(BackendDict._instances) if account_id in backends]
        return AccountState(account_id, _copied({b: b[account_id] for b in used}), _bucket_owners(account_id))


def restore(state: AccountState) -> None:
    """Make the account hold what it held at `state` (a fresh copy: the state can be restored again)."""
    with moto_lock:
        _drop(state.account_id)
        for backends, regions in _copied(state.services).items():
            backends[state.account_id] = regions
        registry = _bucket_registry()
        if registry is not None:
            registry.update(state.buckets)


def _copied(services: dict[BackendDict, Any]) -> dict[BackendDict, Any]:
    """The account's backends of every service copied in one go: a backend that holds another
    service's (Auto Scaling holds EC2's) then holds that service's copy, not a copy of its own."""
    backends = list(services)
    return dict(zip(backends, copy.deepcopy([services[b] for b in backends]), strict=True))


def forget(account_id: str) -> None:
    """Drop everything `account_id` holds in in-process moto."""
    with moto_lock:
        _drop(account_id)
        reset_model_data()  # moto's record of every model instance, kept for its server's dashboard


def _drop(account_id: str) -> None:
    for backends in list(BackendDict._instances):
        regions = backends.pop(account_id, None)
        if regions is not None:
            regions.clear()  # moto's region-list cache still holds the (now empty) account
    # Bucket names are global: moto maps each to its account, and looks a name up there again
    # and again (without end) once the account's buckets are gone. The account's names are freed.
    registry = _bucket_registry()
    for name in _bucket_owners(account_id):
        del registry[name]


def _bucket_registry() -> dict[str, Any] | None:
    """moto's map of bucket name -> (partition, account); None while S3 was never loaded."""
    s3 = sys.modules.get("moto.s3.models")
    return None if s3 is None else s3.s3_backends.bucket_accounts


def _bucket_owners(account_id: str) -> dict[str, Any]:
    registry = _bucket_registry() or {}
    return {name: owner for name, owner in registry.items() if owner[1] == account_id}
