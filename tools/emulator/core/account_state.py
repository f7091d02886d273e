"""An emulated account's state in in-process moto: copied, put back, or forgotten.

In-process moto keeps every account's resources in its backends (`BackendDict`: account ->
region -> backend, one per service), plus one thing kept across accounts: which account owns
each S3 bucket name.

- `snapshot(account_id)` copies all of it for one account, and `restore(state)` makes the
  account hold exactly that again, dropping what was added since (a service first used after
  the snapshot included). Copying an applied stack's account takes tens of milliseconds;
  applying the stack again takes a second or more.
- The copy is kept as pickle bytes and unpickled at each restore: pickling and unpickling
  together take about a third of a deep copy's time, with the same result (`_Pickled`).
  What will not pickle is deep-copied instead (`_DeepCopied`).
- `forget(account_id)` drops an account, so a long process (a test session) does not keep
  every account it ever used: moto frees state only when its mock stops, for all accounts.

In-process moto only: a moto server's state lives in its own process.
"""

from __future__ import annotations

import copy
import copyreg
import io
import pickle
import re
import sys
import threading
import types
import weakref
from dataclasses import dataclass, field
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data
from moto.ssm.models import ParameterDict

moto_lock = threading.Lock()
"""Held while in-process moto starts and while an account's state is copied, put back or dropped."""


@dataclass(frozen=True)
class AccountState:
    """One account's resources in every service, as they were when `snapshot` copied them."""

    account_id: str
    services: _Pickled | _DeepCopied = field(repr=False)
    buckets: dict[str, Any] = field(repr=False)


def snapshot(account_id: str) -> AccountState:
    """A copy of what `account_id` holds in in-process moto."""
    with moto_lock:
        used = [backends for backends in list(BackendDict._instances) if account_id in backends]
        return AccountState(account_id, _kept({b: b[account_id] for b in used}), _bucket_owners(account_id))


def restore(state: AccountState) -> None:
    """Make the account hold what it held at `state` (a fresh copy: the state can be restored again)."""
    with moto_lock:
        _drop(state.account_id)
        for backends, regions in state.services.copy().items():
            backends[state.account_id] = regions
        registry = _bucket_registry()
        if registry is not None:
            registry.update(state.buckets)


def _kept(services: dict[BackendDict, Any]) -> _Pickled | _DeepCopied:
    """The account's backends as pickle bytes, or deep-copied when something will not pickle (a
    local class): either gives a fresh copy for every restore."""
    try:
        return _Pickled(services)
    except (pickle.PicklingError, TypeError, AttributeError):
        return _DeepCopied(_copied(services))


def _copied(services: dict[BackendDict, Any]) -> dict[BackendDict, Any]:
    """The account's backends of every service copied in one go: a backend that holds another
    service's (Auto Scaling holds EC2's) then holds that service's copy, not a copy of its own."""
    backends = list(services)
    return dict(zip(backends, copy.deepcopy([services[b] for b in backends]), strict=True))


class _DeepCopied:
    def __init__(self, services: dict[BackendDict, Any]):
        self._services = services

    def copy(self) -> dict[BackendDict, Any]:
        return _copied(self._services)


class _Pickled:
    """A snapshot's services as pickle bytes: unpickling them gives the deep copy `_copied` gives,
    several times faster (pickle's C loader against copy's Python recursion).

    What deepcopy returns as itself is shared, not pickled (functions, classes, compiled patterns,
    keys and certificates, moto's key pairs made on first use: tools/emulator/core/moto_fixtures.py),
    and SSM's ParameterDict is rebuilt with the account and region its constructor takes. One
    difference, for the better: moto's deep copy of a security group rule keeps the EC2 backend it
    was copied from (moto/ec2/models/security_groups.py), an unpickled rule points at the restored one."""

    def __init__(self, services: dict[BackendDict, Any]):
        self._backends = list(services)
        self._shared: list[Any] = []
        buffer = io.BytesIO()
        _SharingPickler(buffer, self._shared).dump([services[b] for b in self._backends])
        self._bytes = buffer.getvalue()

    def copy(self) -> dict[BackendDict, Any]:
        copied = _SharingUnpickler(io.BytesIO(self._bytes), self._shared).load()
        return dict(zip(self._backends, copied, strict=True))


_SHARED_TYPES = (
    *(types.FunctionType, types.BuiltinFunctionType, types.ModuleType, types.CodeType, type),
    *(weakref.ref, property, re.Pattern),
)
"""What copy.deepcopy returns as itself (copy.py's atomic types, and compiled patterns)."""


_NEVER_SHARED: set[type] = set()
"""Types seen whose objects are always copied (neither shared nor with a __deepcopy__ of their own):
pickle asks about every object, most of them strings, numbers, lists and dicts."""


def _is_shared(obj: Any) -> bool:
    kind = type(obj)
    if kind in _NEVER_SHARED:
        return False
    if isinstance(obj, _SHARED_TYPES):
        return True
    if not hasattr(kind, "__deepcopy__"):
        _NEVER_SHARED.add(kind)
        return False
    # a class whose deep copy is the object itself: moto_fixtures' key pairs made on first use,
    # cryptography's keys and certificates
    return copy.deepcopy(obj, {}) is obj


def _parameter_dict(parameters: ParameterDict) -> tuple[Any, ...]:
    return (
        ParameterDict,
        (parameters.account_id, parameters.region_name),
        parameters.__dict__,
        None,
        iter(parameters.items()),
    )


class _SharingPickler(pickle.Pickler):
    dispatch_table = {**copyreg.dispatch_table, ParameterDict: _parameter_dict}

    def __init__(self, file: io.BytesIO, shared: list[Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared = shared
        self._index: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> int | None:
        if not _is_shared(obj):
            return None
        if id(obj) not in self._index:
            self._index[id(obj)] = len(self._shared)
            self._shared.append(obj)
        return self._index[id(obj)]


class _SharingUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: list[Any]):
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self._shared[pid]


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
